"""Pages of loss management (线损管理): targets (the station indicator, its decomposition, area edits),
analyses of flagged areas with their rectification plans, theoretical loss and its due list, and the
four-way view (分压/分线/分台区 and the station).

Reading needs ``view_lineloss`` (the app's capability); setting targets and theoretical losses needs
``manage_loss_targets``; analyses and plans need ``record_loss_analysis``. Objects are looked up in the
user's scope (404 outside it); the services check capability and scope again.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Area, Station
from gridcheck.core.generic import ScopedListView, ScopedPage, error_messages, history_entries
from gridcheck.core.periods import PeriodError, last_complete_month, month_parse
from gridcheck.core.roles import MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS, VIEW_LINELOSS, has_capability
from gridcheck.core.scoping import scope_queryset, scoped
from gridcheck.lineloss import forms as f
from gridcheck.lineloss import loss_management as services
from gridcheck.lineloss import selectors
from gridcheck.lineloss.filtersets import RectificationPlanFilterSet
from gridcheck.lineloss.models import LossAnalysis, RectificationPlan, StationLossIndicator
from gridcheck.lineloss.tables import RectificationPlanTable
from gridcheck.users.models import User


def _month_arg(request, default: dt.date) -> dt.date:
    try:
        return month_parse(request.GET["month"]) if request.GET.get("month") else default
    except (PeriodError, ValueError, TypeError):
        return default


def _station_id(request):
    value = request.GET.get("station", "")
    return int(value) if value.isdigit() else None


def _form_refusal(form) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
            for name, errors in form.errors.items()
            for error in errors
        ]
    )


# --------------------------------------------------------------------------------------------- targets


class TargetManageView(ScopedPage, TemplateView):
    """A month's targets: the station indicator (and the form to set it), each area's target with its
    source and history rate (editable by the station head), each line's target."""

    required_capability = VIEW_LINELOSS
    template_name = "lineloss/targets.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        month = _month_arg(self.request, today.replace(day=1))
        stations = scope_queryset(Station.objects.order_by("code"), user)
        station_id = _station_id(self.request)
        can_manage = has_capability(user, MANAGE_LOSS_TARGETS)
        ctx.update(
            month=month,
            month_open=month >= today.replace(day=1),
            stations=stations,
            station_id=station_id,
            can_manage=can_manage,
            targets=selectors.month_targets(user=user, month=month, station_id=station_id),
            indicator_form=f.IndicatorForm(
                stations=stations,
                initial={"month": f"{month:%Y-%m}", "station": station_id or user.station_id},
            ),
            indicator_history=scope_queryset(
                StationLossIndicator.objects.select_related("station", "set_by"), user
            ).order_by("-month")[:24],
        )
        return ctx


class IndicatorSetView(ScopedPage, View):
    """POST: set the station indicator of a month (or the rest of a year) and decompose it."""

    required_capability = VIEW_LINELOSS
    action_capability = MANAGE_LOSS_TARGETS

    def post(self, request):
        form = f.IndicatorForm(request.POST, stations=scope_queryset(Station.objects.all(), request.user))
        back = reverse("lineloss:target_manage")
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            data = form.cleaned_data
            back += f"?month={data['month']}&station={data['station'].pk}"
            if data["whole_year"]:
                year = services._month(data["month"], "month", _("Month")).year
                services.station_indicator_set_year(
                    station=data["station"],
                    year=year,
                    max_loss_rate_percent=data["max_loss_rate_percent"],
                    actor=request.user,
                    note=data["note"],
                )
            else:
                services.station_indicator_set(
                    station=data["station"],
                    month=data["month"],
                    max_loss_rate_percent=data["max_loss_rate_percent"],
                    actor=request.user,
                    note=data["note"],
                )
            messages.success(request, _("The indicator is set and decomposed into area and line targets."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(back)


class AreaTargetSetView(ScopedPage, View):
    """POST: edit one area's target of a month after the decomposition."""

    required_capability = VIEW_LINELOSS
    action_capability = MANAGE_LOSS_TARGETS

    def post(self, request, pk):
        area = self.scoped_object(Area)
        form = f.AreaTargetForm(request.POST)
        month = request.POST.get("month", "")
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            services.area_target_set(
                area=area,
                month=form.cleaned_data["month"],
                max_loss_rate_percent=form.cleaned_data["max_loss_rate_percent"],
                actor=request.user,
            )
            messages.success(request, _("The target of %(area)s is changed.") % {"area": area.name})
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(reverse("lineloss:target_manage") + f"?month={month}&station={area.station_id}")


# -------------------------------------------------------------------------------- analyses and plans


class AnalysisListView(ScopedPage, TemplateView):
    """The flagged areas of a month with their analysis (recorded or missing) and plan."""

    required_capability = VIEW_LINELOSS
    template_name = "lineloss/analysis_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        months = selectors.loss_months(user=user)
        month = _month_arg(self.request, months[0] if months else last_complete_month())
        pending = self.request.GET.get("pending") == "1"
        ctx.update(
            months=months,
            month=month,
            pending=pending,
            rows=selectors.analysis_queue(
                user=user, month=month, station_id=_station_id(self.request), pending_only=pending
            ),
            can_record=has_capability(user, RECORD_LOSS_ANALYSIS),
        )
        return ctx


class AnalysisRecordView(ScopedPage, TemplateView):
    """The analysis form of one flagged area-month (a second save corrects it; history kept)."""

    required_capability = VIEW_LINELOSS
    action_capability = RECORD_LOSS_ANALYSIS
    template_name = "lineloss/analysis_form.html"

    def _context(self, form):
        area = self.scoped_object(Area, pk=self.kwargs["area"])
        month = _month_arg(self.request, last_complete_month())
        result = selectors.area_results(user=self.request.user, month=month).filter(area=area).first()
        return {"area": area, "month": month, "result": result, "form": form}

    def get(self, request, area):
        ctx = self._context(None)
        existing = LossAnalysis.objects.filter(area=ctx["area"], month=ctx["month"]).first()
        initial = {"analysed_on": timezone.localdate()}
        if existing:
            initial.update(
                cause=existing.cause,
                cause_detail=existing.cause_detail,
                measures=existing.measures,
                analysed_on=existing.analysed_on,
            )
        ctx["form"] = f.AnalysisForm(initial=initial)
        return self.render_to_response(ctx)

    def post(self, request, area):
        form = f.AnalysisForm(request.POST)
        ctx = self._context(form)
        if form.is_valid():
            try:
                analysis = services.analysis_record(
                    area=ctx["area"], month=ctx["month"], actor=request.user, **form.cleaned_data
                )
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
            else:
                messages.success(request, _("The analysis is recorded."))
                return redirect(analysis.get_absolute_url())
        return self.render_to_response(ctx)


def _plan_people(user, area):
    return scoped(User, user).filter(is_active=True, station_id=area.station_id).order_by("username")


class AnalysisDetailView(ScopedPage, TemplateView):
    """One analysis: the area-month, the cause and measures, the plan (open it, close it) and its log."""

    required_capability = VIEW_LINELOSS
    template_name = "lineloss/analysis_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        analysis = self.scoped_object(
            LossAnalysis, queryset=LossAnalysis.objects.select_related("area", "analysed_by")
        )
        plan = RectificationPlan.objects.filter(analysis=analysis).select_related("responsible").first()
        can_record = has_capability(user, RECORD_LOSS_ANALYSIS)
        ctx.update(
            analysis=analysis,
            plan=plan,
            events=list(plan.events.select_related("actor")) if plan else [],
            plan_needed=services.plan_needed(analysis),
            can_record=can_record,
            plan_form=f.PlanForm(people=_plan_people(user, analysis.area))
            if can_record and not plan
            else None,
            close_form=f.PlanCloseForm() if can_record and plan and plan.status == "open" else None,
            today=timezone.localdate(),
            history=history_entries(analysis),
        )
        return ctx


class PlanOpenView(ScopedPage, View):
    required_capability = VIEW_LINELOSS
    action_capability = RECORD_LOSS_ANALYSIS

    def post(self, request, pk):
        analysis = self.scoped_object(LossAnalysis)
        form = f.PlanForm(request.POST, people=_plan_people(request.user, analysis.area))
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            services.plan_open(analysis=analysis, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The rectification plan is open."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(analysis.get_absolute_url())


class PlanCloseView(ScopedPage, View):
    required_capability = VIEW_LINELOSS
    action_capability = RECORD_LOSS_ANALYSIS

    def post(self, request, pk):
        plan = self.scoped_object(RectificationPlan)
        form = f.PlanCloseForm(request.POST)
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            services.plan_close(plan=plan, actor=request.user, result=form.cleaned_data["result"])
            messages.success(request, _("The rectification plan is closed."))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
        return redirect(plan.get_absolute_url())


class PlanListView(ScopedListView):
    model = RectificationPlan
    filterset_class = RectificationPlanFilterSet
    table_class = RectificationPlanTable
    template_name = "lineloss/list_page.html"
    title = gettext_lazy("Rectification plans")
    search_placeholder = gettext_lazy("Search by area code or name")
    export_entity = "lineloss_plans"
    required_capability = VIEW_LINELOSS

    def get_base_queryset(self):
        return RectificationPlan.objects.select_related("area", "station", "responsible").order_by("deadline")


# ------------------------------------------------------------------------------------ theoretical loss


class TheoryListView(ScopedPage, TemplateView):
    """Theoretical loss: the areas due (none, too old, grid changed) and every area's newest value."""

    required_capability = VIEW_LINELOSS
    template_name = "lineloss/theory_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        station_id = _station_id(self.request)
        latest = selectors.theoretical_latest(user=user)
        rows = sorted(latest.values(), key=lambda t: t.area.code if t.area_id else "")
        if station_id:
            rows = [r for r in rows if r.station_id == station_id]
        ctx.update(
            due=selectors.theoretical_due(user=user, station_id=station_id),
            latest=rows,
            can_manage=has_capability(user, MANAGE_LOSS_TARGETS),
        )
        return ctx


class TheoryRecordView(ScopedPage, TemplateView):
    """Enter or compute an area's theoretical loss."""

    required_capability = VIEW_LINELOSS
    action_capability = MANAGE_LOSS_TARGETS
    template_name = "lineloss/theory_form.html"

    def get(self, request, area):
        area = self.scoped_object(Area, pk=area)
        form = f.TheoryForm(initial={"calculated_on": timezone.localdate(), "method": "computed"})
        return self.render_to_response({"area": area, "form": form})

    def post(self, request, area):
        area = self.scoped_object(Area, pk=area)
        form = f.TheoryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["method"] == "entered":
                    services.theoretical_loss_enter(
                        area=area,
                        loss_rate_percent=data["loss_rate_percent"],
                        calculated_on=data["calculated_on"],
                        note=data["note"],
                        actor=request.user,
                    )
                else:
                    services.theoretical_loss_compute(
                        area=area,
                        resistance_ohm=data["resistance_ohm"],
                        calculated_on=data["calculated_on"],
                        supply_kwh=data["supply_kwh"],
                        hours=data["hours"],
                        no_load_loss_kw=data["no_load_loss_kw"],
                        load_loss_kw=data["load_loss_kw"],
                        note=data["note"],
                        actor=request.user,
                    )
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
            else:
                messages.success(
                    request, _("The theoretical loss of %(area)s is recorded.") % {"area": area.name}
                )
                return redirect("lineloss:theory_list")
        return self.render_to_response({"area": area, "form": form})


# ------------------------------------------------------------------------------------------- four-way


class FourWayView(ScopedPage, TemplateView):
    """Loss by station, voltage level, line and area (四分管理) in a month, with charts."""

    required_capability = VIEW_LINELOSS
    template_name = "lineloss/fourway.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        months = selectors.loss_months(user=user)
        month = _month_arg(self.request, months[0] if months else last_complete_month())
        station_id = _station_id(self.request)
        data = selectors.fourway(user=user, month=month, station_id=station_id)
        top = sorted(
            (a for a in data["areas"] if a["loss_rate_percent"] is not None),
            key=lambda a: -a["loss_rate_percent"],
        )[:20]
        ctx.update(
            months=months,
            month=month,
            station_id=station_id,
            stations=scope_queryset(Station.objects.order_by("code"), user),
            data=data,
            chart_data={
                "voltages": {
                    "labels": [v["label"] for v in data["voltages"]],
                    "rates": [v["loss_rate_percent"] for v in data["voltages"]],
                },
                "lines": {
                    "labels": [r["name"] for r in data["lines"]],
                    "rates": [r["loss_rate_percent"] for r in data["lines"]],
                    "targets": [r["target_percent"] for r in data["lines"]],
                },
                "areas": {
                    "labels": [a["name"] for a in top],
                    "rates": [a["loss_rate_percent"] for a in top],
                    "targets": [a["target_percent"] for a in top],
                },
                "labels": {"loss_rate": _("Loss rate [%]"), "target": _("Target [%]")},
            },
        )
        return ctx
