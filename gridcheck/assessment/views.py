"""Assessment pages: the scorecard list (XLSX export), a station's month ranked per role with the
computation, one scorecard (lines, adjustments with their approval, sign-off, trend chart), the KPI
definitions and their versions, the inspectors' yearly evaluation.

Reading needs ``view_assessment`` (others' scorecards only for heads and county staff, see
``selectors.scorecards_visible``); computing, proposing adjustments and defining KPIs
``manage_assessment``; approving and signing off ``approve_station``. Every change goes through
``services``; its refusals show as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import TemplateView, View

from gridcheck.archive.models import Station
from gridcheck.assessment import selectors, services
from gridcheck.assessment.choices import PERSON_SUBJECTS, AdjustmentStatus, ScorecardStatus, Subject, Unit
from gridcheck.assessment.filtersets import ScorecardFilterSet
from gridcheck.assessment.forms import AdjustmentForm, EvaluateForm, KpiForm
from gridcheck.assessment.models import Adjustment, KpiDefinition, Scorecard
from gridcheck.assessment.tables import ScorecardTable, status_badge
from gridcheck.core.generic import ScopedListView, ScopedPage, error_messages
from gridcheck.core.periods import PeriodError, last_complete_month, month_parse
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, VIEW_ASSESSMENT, has_capability
from gridcheck.core.scoping import scoped
from gridcheck.core.uploads import upload_response


class AssessmentPage(ScopedPage):
    required_capability = VIEW_ASSESSMENT


def _visible_card(request, pk) -> Scorecard:
    return get_object_or_404(
        selectors.scorecards_visible(request.user).select_related("person", "station"), pk=pk
    )


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") if unit != "yuan" else f"{value:.2f}"


class ScorecardListView(ScopedListView):
    required_capability = VIEW_ASSESSMENT
    model = Scorecard
    filterset_class = ScorecardFilterSet
    table_class = ScorecardTable
    template_name = "assessment/scorecard_list.html"
    title = gettext_lazy("Scorecards")

    def get_queryset(self):
        return selectors.scorecards_visible(self.request.user).select_related("person", "station")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sees_others"] = selectors.sees_others(self.request.user)
        return ctx


class MonthView(AssessmentPage, TemplateView):
    """A station's month: one ranked table per role and the station's own card; compute on demand."""

    template_name = "assessment/month.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.sees_others(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        stations = list(scoped(Station, user).order_by("code"))
        try:
            month = month_parse(self.request.GET.get("month") or last_complete_month())
        except PeriodError as error:
            messages.error(self.request, str(error))
            month = last_complete_month()
        wanted = self.request.GET.get("station", "")
        station = next((s for s in stations if str(s.pk) == wanted), stations[0] if stations else None)
        groups = []
        if station is not None:
            sheet = selectors.assessment_sheet(station, month, user=user)
            for group in sheet["groups"]:
                for row in group["rows"]:
                    row["url"] = reverse("assessment:scorecard_detail", args=[row["id"]])
                groups.append(group)
            ctx["sheet"] = sheet
        ctx.update(
            stations=stations,
            station=station,
            month=month,
            month_value=f"{month:%Y-%m}",
            groups=groups,
            can_compute=has_capability(user, MANAGE_ASSESSMENT),
        )
        return ctx


class ComputeView(AssessmentPage, View):
    action_capability = MANAGE_ASSESSMENT

    def post(self, request):
        station = get_object_or_404(scoped(Station, request.user), pk=request.POST.get("station") or 0)
        try:
            month = month_parse(request.POST.get("month", ""))
            result = services.scorecards_compute(month=month, station_ids=[station.pk], by=request.user)
            messages.success(
                request,
                _("%(cards)s scorecards computed (%(signed)s signed off left as they were).")
                % {"cards": result["cards"], "signed": result["skipped_signed"]},
            )
        except (PeriodError, ValidationError, PermissionDenied) as error:
            error_messages(
                request, error if not isinstance(error, PeriodError) else ValidationError(str(error))
            )
            month = last_complete_month()
        return redirect(f"{reverse('assessment:month')}?station={station.pk}&month={month:%Y-%m}")


class ScorecardDetailView(AssessmentPage, TemplateView):
    template_name = "assessment/scorecard_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        card = _visible_card(self.request, self.kwargs["pk"])
        lines = list(card.lines.select_related("kpi").order_by("kpi__code"))
        for line in lines:
            line.value_text = _fmt(line.value, line.kpi.unit)
            line.target_text = _fmt(line.target, line.kpi.unit)
            line.name_text = _(line.kpi.name)
        adjustments = list(card.adjustments.select_related("proposed_by", "decided_by"))
        for a in adjustments:
            a.can_decide = (
                a.status == AdjustmentStatus.PROPOSED
                and card.status == ScorecardStatus.COMPUTED
                and has_capability(user, APPROVE_STATION)
                and a.proposed_by_id != user.pk
                and card.person_id != user.pk
            )
        trend = (
            selectors.trend(user=user, person=card.person, until=card.month)
            if card.person_id
            else selectors.trend(user=user, station=card.station, until=card.month)
        )
        is_open = card.status == ScorecardStatus.COMPUTED
        ctx.update(
            card=card,
            lines=lines,
            adjustments=adjustments,
            events=list(card.events.select_related("actor", "adjustment")),
            status_badge=status_badge(card.status, card.get_status_display()),
            can_propose=is_open and has_capability(user, MANAGE_ASSESSMENT) and card.person_id != user.pk,
            can_sign=is_open and has_capability(user, APPROVE_STATION) and card.person_id != user.pk,
            pending=any(a.status == AdjustmentStatus.PROPOSED for a in adjustments),
            form=AdjustmentForm(),
            chart_data={
                "months": [t["month"] for t in trend],
                "totals": [None if t["total"] is None else float(t["total"]) for t in trend],
                "labels": {"total": pgettext("points", "total"), "empty": _("No scorecards yet.")},
            },
            status_labels=dict(ScorecardStatus.choices) | dict(AdjustmentStatus.choices),
        )
        for event in ctx["events"]:
            event.to_label = ctx["status_labels"].get(event.to_status, event.to_status)
        return ctx


class AdjustmentProposeView(AssessmentPage, View):
    action_capability = MANAGE_ASSESSMENT

    def post(self, request, pk):
        card = _visible_card(request, pk)
        form = AdjustmentForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[n].label}：{e}" for n, errors in form.errors.items() for e in errors]
                )
            data = form.cleaned_data
            services.adjustment_propose(
                scorecard=card,
                by=request.user,
                kind=data["kind"],
                points=data["points"],
                reason=data["reason"],
                evidence=data.get("evidence"),
            )
            messages.success(request, _("Adjustment proposed: the station head approves it."))
        except (ValidationError, PermissionDenied) as error:
            error_messages(request, error)
        return redirect(card.get_absolute_url())


class AdjustmentDecideView(AssessmentPage, View):
    action_capability = APPROVE_STATION

    def post(self, request, pk):
        adjustment = get_object_or_404(scoped(Adjustment, request.user), pk=pk)
        approve = request.POST.get("decision") == "approve"
        try:
            services.adjustment_decide(
                adjustment=adjustment, by=request.user, approve=approve, note=request.POST.get("note", "")
            )
            messages.success(request, _("Adjustment approved.") if approve else _("Adjustment rejected."))
        except (ValidationError, PermissionDenied) as error:
            error_messages(request, error)
        return redirect(adjustment.scorecard.get_absolute_url())


class AdjustmentEvidenceView(AssessmentPage, View):
    def get(self, request, pk):
        adjustment = get_object_or_404(
            Adjustment.objects.filter(scorecard__in=selectors.scorecards_visible(request.user)).exclude(
                evidence=""
            ),
            pk=pk,
        )
        return upload_response(
            adjustment.evidence,
            content_type=adjustment.evidence_type or "application/octet-stream",
            download_name=adjustment.evidence_name or "evidence",
        )


class ScorecardSignView(AssessmentPage, View):
    action_capability = APPROVE_STATION

    def post(self, request, pk):
        card = _visible_card(request, pk)
        try:
            services.scorecard_sign(scorecard=card, by=request.user)
            messages.success(request, _("Scorecard signed off."))
        except (ValidationError, PermissionDenied) as error:
            error_messages(request, error)
        return redirect(card.get_absolute_url())


class KpiListView(AssessmentPage, TemplateView):
    template_name = "assessment/kpi_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kpis = selectors.kpis_current()
        order = {s: n for n, s in enumerate([*PERSON_SUBJECTS, Subject.STATION])}
        kpis.sort(key=lambda k: (order.get(k.subject, 9), k.code))
        for kpi in kpis:
            kpi.name_text = _(kpi.name)
            kpi.versions = KpiDefinition.objects.filter(code=kpi.code).count()
        ctx.update(kpis=kpis, can_define=has_capability(self.request.user, MANAGE_ASSESSMENT))
        return ctx


class KpiDefineView(AssessmentPage, TemplateView):
    """A new version of a KPI (or a new KPI): the formula is checked against the figures."""

    action_capability = MANAGE_ASSESSMENT
    template_name = "assessment/kpi_form.html"

    def get_context_data(self, **kwargs):
        from gridcheck.assessment.figures import FIGURES

        ctx = super().get_context_data(**kwargs)
        if "form" not in ctx:
            initial = {"effective_from": timezone.localdate().replace(day=1), "active": True}
            code = self.request.GET.get("code")
            latest = KpiDefinition.objects.filter(code=code).order_by("-version").first() if code else None
            if latest:
                initial |= {"code": latest.code}
                initial |= {f: getattr(latest, f) for f in KpiDefinition.DEFINED_FIELDS}
                initial["name"] = latest.name
            ctx["form"] = KpiForm(initial=initial)
        ctx["figures"] = [
            {
                "code": f.code,
                "label": f.label,
                "subject": Subject(f.subject).label,
                "unit": Unit(f.unit).label,
            }
            for f in FIGURES.values()
        ]
        return ctx

    def post(self, request):
        form = KpiForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.kpi_define(
                    by=request.user,
                    code=data.pop("code"),
                    reason=data.pop("reason"),
                    effective_from=data.pop("effective_from"),
                    **data,
                )
                messages.success(request, _("KPI saved as a new version."))
                return redirect("assessment:kpi_list")
            except (ValidationError, PermissionDenied) as error:
                for message in getattr(error, "messages", [str(error)]):
                    form.add_error(
                        "formula" if "formula" in str(message) or "公式" in str(message) else None, message
                    )
        return self.render_to_response(self.get_context_data(form=form))


class EvaluationListView(AssessmentPage, TemplateView):
    template_name = "assessment/evaluation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            evaluations=selectors.evaluations_visible(self.request.user)[:500],
            form=EvaluateForm(initial={"year": timezone.localdate().year - 1}),
            can_evaluate=has_capability(self.request.user, MANAGE_ASSESSMENT),
        )
        return ctx


class EvaluateView(AssessmentPage, View):
    action_capability = MANAGE_ASSESSMENT

    def post(self, request):
        form = EvaluateForm(request.POST)
        if form.is_valid():
            station_ids = None if request.user.station_id is None else [request.user.station_id]
            try:
                results = services.yearly_evaluate(
                    year=form.cleaned_data["year"], by=request.user, station_ids=station_ids
                )
                failed = sum(1 for r in results if not r.passed)
                messages.success(
                    request,
                    _("%(n)s inspectors evaluated, %(failed)s failed and removed from inspection duties.")
                    % {"n": len(results), "failed": failed},
                )
            except (ValidationError, PermissionDenied) as error:
                error_messages(request, error)
        else:
            messages.error(request, _("Give a year."))
        return redirect("assessment:evaluation_list")
