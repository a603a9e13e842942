"""Line-loss pages: the dashboard (county > station > line > area), an area's loss, runs and targets.

Views stay thin: figures come from ``selectors``, runs are started by ``services``. Every figure is
scoped to the user (``scope_queryset``): a station's staff see their station's areas only.
"""

import datetime as dt

from django import forms
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from gridcheck.archive.models import Area, Line, Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from gridcheck.core.periods import last_complete_month, month_parse
from gridcheck.core.roles import RUN_COUNTY, has_capability
from gridcheck.core.run_views import RunDetailView, RunMonthForm, RunProgressView, RunStartView
from gridcheck.core.scoping import scope_queryset
from gridcheck.lineloss import selectors, services
from gridcheck.lineloss.choices import Backend
from gridcheck.lineloss.filtersets import (
    AnalysisRunFilterSet,
    AreaMonthLossFilterSet,
    LineMonthLossFilterSet,
    LossTargetFilterSet,
)
from gridcheck.lineloss.models import AnalysisRun, AreaMonthLoss, LineMonthLoss, LossTarget
from gridcheck.lineloss.tables import (
    AnalysisRunTable,
    AreaMonthLossTable,
    LineMonthLossTable,
    LossTargetTable,
)

FLAGGED_ON_DASHBOARD = 20


class RunStartForm(RunMonthForm):
    backend = forms.ChoiceField(
        label=gettext_lazy("Backend"),
        choices=Backend.choices,
        initial=Backend.DUCKDB,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class LossDashboardView(CapabilityRequiredMixin, TemplateView):
    """The line-loss dashboard: KPIs, monthly trend, loss-rate histogram, drill-down and flagged areas."""

    template_name = "lineloss/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        months = selectors.loss_months(user=user)
        try:
            month = month_parse(self.request.GET["month"]) if self.request.GET.get("month") else None
        except (ValueError, TypeError):
            month = None
        if month is None or month not in months:
            month = months[0] if months else None
        station = line = None
        station_id = _int(self.request.GET.get("station"))
        line_id = _int(self.request.GET.get("line"))
        if line_id:
            line = get_object_or_404(scope_queryset(Line.objects.select_related("station"), user), pk=line_id)
            station = line.station
        elif station_id:
            station = get_object_or_404(scope_queryset(Station.objects.all(), user), pk=station_id)
        elif user.station_id and not user.is_superuser:
            station = user.station
        level = "area" if line else ("line" if station else "station")
        sid, lid = (station.pk if station else None), (line.pk if line else None)
        crumbs = [(_("County"), _("All stations"), "?" + (f"month={month:%Y-%m}" if month else ""))]
        if station:
            crumbs.append(
                (_("Station"), station.name, f"?station={station.pk}&month={month:%Y-%m}" if month else "")
            )
        if line:
            crumbs.append((_("Line"), line.name, ""))
        ctx.update(
            months=months,
            month=month,
            station=station,
            line=line,
            level=level,
            level_label={"station": _("Stations"), "line": _("10 kV lines"), "area": _("Transformer areas")}[
                level
            ],
            breadcrumb=crumbs,
            can_run=has_capability(user, RUN_COUNTY),
            run_form=RunStartForm(initial={"month": f"{last_complete_month():%Y-%m}"}),
            active_run=selectors.active_run(),
            latest_run=selectors.latest_run(),
        )
        if month:
            flagged = selectors.flagged_areas(user=user, month=month, station_id=sid, line_id=lid)
            ctx.update(
                summary=selectors.loss_summary(user=user, month=month, station_id=sid, line_id=lid),
                rows=selectors.loss_breakdown(
                    user=user, month=month, level=level, station_id=sid, line_id=lid
                ),
                flagged=flagged[:FLAGGED_ON_DASHBOARD],
                flagged_count=flagged.count(),
                chart_data={
                    "trend": selectors.loss_trend(user=user, station_id=sid, line_id=lid),
                    "histogram": selectors.loss_histogram(
                        user=user, month=month, station_id=sid, line_id=lid
                    ),
                    "labels": {
                        "loss_rate": _("Loss rate [%]"),
                        "flagged_by_loss": _("Flagged by their loss"),
                        "flagged_by_suspects": _("Flagged by theft suspects only"),
                        "areas": _("Areas"),
                        "supply": _("Supply [kWh]"),
                        "sales": _("Sales [kWh]"),
                    },
                },
            )
        return ctx


class AreaLossView(ScopedDetailView):
    """One area's line loss: monthly trend with its target, daily loss of a month, flags and causes."""

    model = Area
    template_name = "lineloss/area_loss.html"
    context_object_name = "area"

    def get_queryset(self):
        return super().get_queryset().select_related("line", "station", "owner")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        area, user = self.object, self.request.user
        results = selectors.area_months(user=user, area=area)
        month = None
        if self.request.GET.get("month"):
            try:
                month = month_parse(self.request.GET["month"])
            except (ValueError, TypeError):
                month = None
        by_month = {r.month: r for r in results}
        if month not in by_month:
            month = results[-1].month if results else None
        current = by_month.get(month)
        days = list(selectors.area_days(user=user, area=area, month=month)) if month else []
        ctx.update(
            results=list(reversed(results)),
            current=current,
            month=month,
            target_percent=selectors.area_target(area=area, month=month or last_complete_month()),
            breadcrumb=[
                (
                    _("Station"),
                    area.station.name,
                    reverse("lineloss:dashboard") + f"?station={area.station_id}",
                ),
                (_("Line"), area.line.name, reverse("lineloss:dashboard") + f"?line={area.line_id}"),
                (_("Transformer area"), area.name, ""),
            ],
            chart_data={
                "months": [f"{r.month:%Y-%m}" for r in results],
                "loss_rate": [r.loss_rate_percent for r in results],
                "target": [r.target_percent for r in results],
                "reading_rate": [r.reading_rate_percent for r in results],
                "days": [f"{d.reading_date:%m-%d}" for d in days],
                "day_supply": [round(d.supply_kwh, 1) for d in days],
                "day_sales": [round(d.sales_kwh, 1) for d in days],
                "day_rate": [d.loss_rate_percent for d in days],
                "labels": {
                    "loss_rate": _("Loss rate [%]"),
                    "target": _("Target [%]"),
                    "reading_rate": _("Reading rate [%]"),
                    "supply": _("Supply [kWh]"),
                    "sales": _("Sales [kWh]"),
                },
            },
        )
        return ctx


class AreaMonthLossListView(ScopedListView):
    """Every area-month result, filterable (month, station, line, flagged)."""

    model = AreaMonthLoss
    template_name = "lineloss/list_page.html"
    filterset_class = AreaMonthLossFilterSet
    table_class = AreaMonthLossTable
    title = gettext_lazy("Area line loss")
    search_placeholder = gettext_lazy("Search by area code or name")
    export_entity = "lineloss_area_months"

    def get_base_queryset(self):
        return AreaMonthLoss.objects.select_related("area", "line", "station").order_by(
            "-month", "-loss_rate_percent"
        )


class LineMonthLossListView(ScopedListView):
    """Every line-month result (the four-way view's lines), filterable, with its XLSX export."""

    model = LineMonthLoss
    template_name = "lineloss/list_page.html"
    filterset_class = LineMonthLossFilterSet
    table_class = LineMonthLossTable
    title = gettext_lazy("Line loss by line")
    search_placeholder = gettext_lazy("Search by line code or name")
    export_entity = "lineloss_line_months"

    def get_base_queryset(self):
        return LineMonthLoss.objects.select_related("line", "station").order_by("-month", "line__code")


class AnalysisRunListView(ScopedListView):
    model = AnalysisRun
    template_name = "lineloss/list_page.html"
    filterset_class = AnalysisRunFilterSet
    table_class = AnalysisRunTable
    title = gettext_lazy("Analysis runs")

    def get_base_queryset(self):
        return AnalysisRun.objects.select_related("started_by")


class LossTargetListView(ScopedListView):
    model = LossTarget
    filterset_class = LossTargetFilterSet
    table_class = LossTargetTable
    title = gettext_lazy("Loss targets")

    def get_base_queryset(self):
        return LossTarget.objects.select_related("area", "owner")


class AnalysisRunDetailView(RunDetailView):
    model = AnalysisRun
    template_name = "lineloss/run_detail.html"
    extra_context = {"run_list_url": reverse_lazy("lineloss:run_list")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["progress_url"] = reverse("lineloss:run_progress", args=[self.object.pk])
        return ctx


class AnalysisRunProgressView(RunProgressView):
    model = AnalysisRun


class AnalysisRunStartView(RunStartView):
    """POST: analyse a month in the background ("开始分析")."""

    model = AnalysisRun
    form_class = RunStartForm
    fallback_url = "lineloss:dashboard"
    started_message = gettext_lazy("Analysis of %(month)s started.")

    def start(self, form, user):
        return services.analysis_run_start(
            month=form.cleaned_data["month"], started_by=user, backend=form.cleaned_data["backend"]
        )


def month_label(month: dt.date | None) -> str:
    return f"{month:%Y-%m}" if month else ""
