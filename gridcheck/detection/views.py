"""Detection pages: the ranked suspect list, a suspect's page with its chart and evidence, runs.

Views stay thin: figures come from ``selectors``, changes go through ``services``. Every page is scoped
to the user (``scope_queryset``): a suspect outside the user's scope is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from gridcheck.core import pagecache
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from gridcheck.core.periods import last_complete_month
from gridcheck.core.roles import APPROVE_STATION, CHANGE, RUN_COUNTY, VIEW_DETECTION, has_capability
from gridcheck.core.run_views import RunDetailView, RunMonthForm, RunProgressView, RunStartView
from gridcheck.core.scoping import scope_key, scope_queryset
from gridcheck.detection import selectors, services
from gridcheck.detection.evidence import evidence_rows
from gridcheck.detection.filtersets import DetectionRunFilterSet, SuspectFilterSet
from gridcheck.detection.models import DetectionRun, Suspect
from gridcheck.detection.tables import DetectionRunTable, SuspectTable, score_level


class DismissForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why is it dismissed?"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class SuspectListView(ScopedListView):
    """The month's suspects, most suspect first, filterable by station, area, month, status and score."""

    model = Suspect
    template_name = "detection/suspect_list.html"
    filterset_class = SuspectFilterSet
    table_class = SuspectTable
    title = gettext_lazy("Theft suspects")
    search_placeholder = gettext_lazy("Search by account number, name or meter number")

    def get_base_queryset(self):
        return selectors.with_context(
            Suspect.objects.select_related("customer", "area", "station").order_by(
                F("expected_yuan").desc(nulls_last=True), "-score", "pk"
            )
        )

    def get(self, request, *args, **kwargs):
        # kept a minute per scope and generation, as the list's rows are (core.pagecache)
        self.months = pagecache.kept(
            "detection:months",
            (scope_key(request.user),),
            lambda: selectors.suspect_months(user=request.user),
        )
        self.month_defaulted = "month" not in request.GET and bool(self.months)
        if self.month_defaulted:
            # The newest month by default: one month is one ranked list.
            request.GET = request.GET.copy()
            request.GET["month"] = f"{self.months[0]:%Y-%m-%d}"
        return super().get(request, *args, **kwargs)

    def get_filterset(self, queryset):
        filterset = super().get_filterset(queryset)
        field = filterset.form.fields["month"]
        field.widget = forms.Select(
            choices=[("", _("All"))] + [(f"{m:%Y-%m-%d}", f"{m:%Y-%m}") for m in self.months],
            attrs={"class": "form-select form-select-sm"},
        )
        filterset.form.fields["run"].widget = forms.HiddenInput()
        return filterset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        month = station = area = None
        if self.filterset.is_valid():
            data = self.filterset.form.cleaned_data
            month, station, area = data.get("month"), data.get("station"), data.get("area")
        ctx.update(
            month=month,
            latest_run=selectors.latest_run(month=month) if month else selectors.latest_run(),
            can_run=has_capability(self.request.user, RUN_COUNTY),
            run_form=RunMonthForm(initial={"month": f"{last_complete_month():%Y-%m}"}),
            # the figures of the list shown: the month, narrowed to the chosen station and area
            # kept a minute per scope, month, station and area
            summary=pagecache.kept(
                "detection:summary",
                (
                    scope_key(self.request.user),
                    month,
                    getattr(station, "pk", None),
                    getattr(area, "pk", None),
                ),
                lambda: selectors.suspect_summary(
                    user=self.request.user,
                    month=month,
                    station_id=getattr(station, "pk", None),
                    area_id=getattr(area, "pk", None),
                ),
            )
            if month
            else None,
        )
        if self.month_defaulted:
            # The newest month filled in by default is no filter of the user's: the filters stay folded.
            ctx["active_filters"] = any(
                v for k, v in self.request.GET.items() if k not in ("page", "sort", "q", "month")
            )
        return ctx


class SuspectDetailView(ScopedDetailView):
    """One suspect: score and ranks, every reason with its evidence, the consumption chart with the
    area's loss and the meter events, the area's month, and the work-order button."""

    model = Suspect
    template_name = "detection/suspect_detail.html"
    context_object_name = "suspect"

    def get_queryset(self):
        return selectors.with_context(
            super()
            .get_queryset()
            .select_related("customer", "area", "station", "run", "status_changed_by", "work_order")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        suspect, user = self.object, self.request.user
        reasons = [
            {**r, "evidence_rows": evidence_rows(r.get("evidence")), "weight": r.get("weight")}
            for r in suspect.reasons
        ]
        can_change = has_capability(user, CHANGE)
        ctx.update(
            reasons=reasons,
            level=score_level(suspect.score),
            area_total=Suspect.objects.filter(month=suspect.month, area_id=suspect.area_id).count(),
            station_total=Suspect.objects.filter(month=suspect.month, station_id=suspect.station_id).count(),
            area_loss=selectors.area_month_loss(suspect=suspect),
            history=selectors.customer_suspect_history(user=user, suspect=suspect),
            changes=selectors.status_changes(user=user, suspect=suspect),
            work_order=selectors.work_order_of(suspect),
            can_change=can_change,
            inspections_available=services.inspections_available(),
            dismiss_form=DismissForm(),
            breadcrumb=[
                (
                    _("Station"),
                    suspect.station.name,
                    reverse("detection:suspect_list")
                    + f"?station={suspect.station_id}&month={suspect.month:%Y-%m-%d}",
                ),
                (
                    _("Transformer area"),
                    suspect.area.name,
                    reverse("detection:suspect_list")
                    + f"?station={suspect.station_id}&area={suspect.area_id}&month={suspect.month:%Y-%m-%d}",
                ),
                (_("Customer"), suspect.customer.name, ""),
            ],
            chart_labels={
                "energy": _("Consumption [kWh]"),
                "area_day_loss": _("Area daily loss rate [%]"),
                "area_month_loss": _("Area monthly loss rate [%]"),
                "month": _("Scored month"),
                "events": _("Meter events"),
                "empty": _("No meter data for this customer in these months."),
            },
        )
        return ctx


def _scoped_suspect(request, pk) -> Suspect:
    suspect = scope_queryset(Suspect.objects.select_related("customer"), request.user).filter(pk=pk).first()
    if suspect is None:
        raise Http404
    return suspect


class SuspectChartJsonView(CapabilityRequiredMixin, View):
    """A suspect's chart data as JSON (consumption, area loss, events), loaded by its page."""

    def get(self, request, pk):
        from gridcheck.readings.choices import EventCode, QualityCode

        suspect = _scoped_suspect(request, pk)
        data = selectors.suspect_chart(suspect=suspect)
        quality, events = dict(QualityCode.choices), dict(EventCode.choices)
        for d in data["days"]:
            d["quality_label"] = str(quality.get(d["quality_code"], d["quality_code"]))
        for e in data["events"]:
            e["label"] = str(events.get(e["event_code"], e["event_code"]))
        return JsonResponse(data)


class SuspectWorkOrderCreateView(CapabilityRequiredMixin, View):
    """POST: create an inspection work order for the suspect ("生成检查工单")."""

    required_capability = CHANGE

    def post(self, request, pk):
        suspect = _scoped_suspect(request, pk)
        try:
            work_order = services.suspect_work_order_create(suspect=suspect, user=request.user)
        except services.WorkOrderUnavailable:
            messages.error(request, _("Inspection work orders are not available."))
            return redirect(suspect)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
            return redirect(suspect)
        messages.success(
            request,
            _("Work order %(number)s created for %(customer)s.")
            % {"number": getattr(work_order, "number", work_order.pk), "customer": suspect.customer.name},
        )
        return redirect(suspect)


class SuspectDismissView(CapabilityRequiredMixin, View):
    """POST: set a suspect aside with a note, or (``reopen``) put it back on the list."""

    required_capability = CHANGE

    def post(self, request, pk):
        suspect = _scoped_suspect(request, pk)
        try:
            if request.POST.get("reopen"):
                services.suspect_reopen(suspect=suspect, user=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("The suspect is back on the list."))
            else:
                form = DismissForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Say why the suspect is dismissed."))
                    return redirect(suspect)
                services.suspect_dismiss(suspect=suspect, user=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("The suspect is dismissed."))
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        return redirect(suspect)


class DetectionRunListView(ScopedListView):
    model = DetectionRun
    template_name = "detection/run_list.html"
    filterset_class = DetectionRunFilterSet
    table_class = DetectionRunTable
    title = gettext_lazy("Detection runs")
    search_placeholder = gettext_lazy("Search by model version or error")

    def get_base_queryset(self):
        return DetectionRun.objects.select_related("started_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            can_run=has_capability(self.request.user, RUN_COUNTY),
            run_form=RunMonthForm(initial={"month": f"{last_complete_month():%Y-%m}"}),
        )
        return ctx


class DetectionRunDetailView(RunDetailView):
    model = DetectionRun
    template_name = "detection/run_detail.html"
    extra_context = {"run_list_url": reverse_lazy("detection:run_list")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["progress_url"] = reverse("detection:run_progress", args=[self.object.pk])
        return ctx


class DetectionRunProgressView(RunProgressView):
    model = DetectionRun


class DetectionRunStartView(RunStartView):
    """POST: score a month in the background ("开始检测")."""

    model = DetectionRun
    fallback_url = "detection:run_list"
    started_message = gettext_lazy("Detection of %(month)s started.")

    def start(self, form, user):
        return services.detection_run_start(month=form.cleaned_data["month"], started_by=user)


class ModelCandidateListView(CapabilityRequiredMixin, TemplateView):
    """Models trained by ``detect train`` and the quality gate's comparison of each with the model in use;
    a station head approves or rejects those the gate held back (never their trainer)."""

    required_capability = VIEW_DETECTION
    template_name = "detection/candidate_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            title=_("Candidate models"),
            pending=selectors.model_candidates(pending=True),
            decided=selectors.model_candidates(pending=False)[:50],
            current=selectors.current_model_pointer(),
            can_decide=has_capability(user, APPROVE_STATION),
        )
        return ctx


class ModelCandidateDecideView(CapabilityRequiredMixin, View):
    """POST: approve (``decision=approve``) or reject a model the gate held back."""

    required_capability = APPROVE_STATION

    def post(self, request, pk):
        from gridcheck.detection.models import ModelCandidate

        candidate = ModelCandidate.objects.filter(pk=pk).first()
        if candidate is None:
            raise Http404
        note = request.POST.get("note", "")
        try:
            if request.POST.get("decision") == "approve":
                services.model_candidate_approve(candidate=candidate, user=request.user, note=note)
                messages.success(
                    request,
                    _("Model %(name)s version %(version)s approved: the next detection run uses it.")
                    % {"name": candidate.name, "version": candidate.version},
                )
            else:
                services.model_candidate_reject(candidate=candidate, user=request.user, note=note)
                messages.success(
                    request,
                    _("Model %(name)s version %(version)s rejected; the current model stays.")
                    % {"name": candidate.name, "version": candidate.version},
                )
        except (ValidationError, DjangoPermissionDenied) as exc:
            messages.warning(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect("detection:candidate_list")
