"""Pages of the collection figures: the dashboard, the recovery report, the arrears list and the late-fee
income against its target. Every page needs ``view_collection`` and reads only the user's scope (a
station's staff their station, an area manager their areas, county-level users every station; a station
outside it is a 404). Every list downloads as XLSX (``?export=xlsx``). Setting a late-fee target (POST on
the late-fee page) is for county-level staff (``approve_county`` or ``run_county``).
"""

from __future__ import annotations

import datetime
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.collection import tables_reports as t
from gridcheck.collection.filtersets_reports import ArrearsFilterSet
from gridcheck.collection.models import Receivable
from gridcheck.collection.selectors import reports
from gridcheck.collection.services.common import local_day
from gridcheck.collection.services.targets import late_fee_target_set, may_set_targets
from gridcheck.core.exports import XLSX_CONTENT_TYPE
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedListView
from gridcheck.core.periods import (
    MAX_YEAR,
    MIN_YEAR,
    PeriodError,
    date_parse,
    last_complete_month,
    month_add,
    month_parse,
)
from gridcheck.core.roles import VIEW_COLLECTION
from gridcheck.core.scoping import scoped

#: Areas (or area managers) shown in a dashboard chart; the tables below it list them all [areas].
CHART_ROWS = 30


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _float(value):
    """A figure for a chart (ECharts reads numbers); None stays a gap."""
    return None if value is None else float(value)


class FiguresMixin(CapabilityRequiredMixin):
    """The month, station and days a figures page is asked for, read from the query string."""

    required_capability = VIEW_COLLECTION

    def months(self):
        return reports.billing_months(user=self.request.user)

    def month(self) -> datetime.date:
        value = self.request.GET.get("month")
        if value:
            try:
                return month_parse(value)
            except PeriodError as error:
                messages.error(self.request, " ".join(error.messages))
        months = self.months()
        return months[0] if months else last_complete_month(local_day())

    def stations(self):
        return scoped(Station, self.request.user).order_by("code")

    def station(self) -> Station | None:
        """The station asked for (``?station=``, a 404 outside the scope), else None: the whole scope."""
        value = self.request.GET.get("station") or ""
        if value.isdigit() and len(value) < 12:
            return get_object_or_404(self.stations(), pk=int(value))
        return None

    def day(self, name: str, default: datetime.date | None) -> datetime.date | None:
        value = (self.request.GET.get(name) or "").strip()
        if not value:
            return default
        try:
            return date_parse(value)
        except PeriodError as error:
            messages.error(self.request, " ".join(error.messages))
            return default

    def query(self, **values) -> str:
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


# ------------------------------------------------------------------------------------------ dashboard
class CollectionDashboardView(FiguresMixin, TemplateView):
    """Figures of a billing month and the charts: recovery per area and per area manager, the 13-month
    recovery trend, the ageing of the arrears, and the year's late-fee income against its target."""

    template_name = "collection/reports/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, local_day()
        month, station = self.month(), self.station()
        figures = reports.month_figures(user=user, month=month, station=station, today=today)
        result = reports.recovery(
            user=user, month=month, cutoff=figures["cutoff"], station=station, today=today
        )
        trend = reports.recovery_trend(user=user, month=month, station=station, today=today)
        ageing = reports.arrears_summary(user=user, as_of=today, station=station)
        income = reports.late_fee_income(user=user, year=figures["year"], station=station, upto=today)
        recovery, remit, fees = figures["recovery"], figures["remittance"], figures["late_fees"]
        station_query = {"station": station.pk} if station else {}
        ctx.update(
            month=month,
            months=self.months(),
            station=station,
            stations=self.stations(),
            figures=figures,
            kpis=[
                {
                    "label": _("Recovery rate"),
                    "value": t.pct(recovery["rate_percent"]),
                    "note": _("%(paid)s of %(due)s yuan by %(day)s")
                    % {
                        "paid": t.yuan(recovery["paid_yuan"]),
                        "due": t.yuan(recovery["due_yuan"]),
                        "day": f"{figures['cutoff']:%Y-%m-%d}",
                    },
                    "url": reverse("collection:recovery")
                    + "?"
                    + self.query(month=f"{month:%Y-%m}", **station_query),
                    "testid": "kpi-recovery",
                    "bad": recovery["rate_percent"] is not None and recovery["rate_percent"] < 100,
                },
                {
                    "label": _("Arrears today"),
                    "value": t.yuan(figures["arrears_yuan"]),
                    "note": _("%(n)s customers") % {"n": f"{figures['arrears_customers']:,}"},
                    "url": reverse("collection:arrears") + "?" + self.query(**station_query),
                    "testid": "kpi-arrears",
                    "bad": figures["arrears_yuan"] > 0,
                },
                {
                    "label": _("Remittance rate"),
                    "value": t.pct(remit["rate_percent"]),
                    "note": _("Cash of %(month)s: %(remitted)s of %(cash)s yuan remitted")
                    % {
                        "month": f"{figures['remittance_month']:%Y-%m}",
                        "remitted": t.yuan(remit["remitted_yuan"]),
                        "cash": t.yuan(remit["cash_yuan"]),
                    },
                    "url": reverse("collection:recovery")
                    + "?"
                    + self.query(month=f"{month:%Y-%m}", **station_query),
                    "testid": "kpi-remittance",
                    "bad": remit["rate_percent"] is not None and remit["rate_percent"] < 100,
                },
                {
                    "label": _("Late-fee income %(year)s") % {"year": figures["year"]},
                    "value": t.yuan(fees["income_yuan"]),
                    "note": (
                        _("%(reached)s of the target of %(target)s yuan")
                        % {"reached": t.pct(fees["reached_percent"]), "target": t.yuan(fees["target_yuan"])}
                        if fees["target_yuan"] is not None
                        else _("No target set")
                    ),
                    "url": reverse("collection:late_fee_income") + "?" + self.query(year=figures["year"]),
                    "testid": "kpi-late-fees",
                    "bad": False,
                },
            ],
            area_table=t.RecoveryAreaTable(result.by_area, totals=result.total),
            owner_table=t.RecoveryOwnerTable(result.by_owner, totals=result.total),
            ageing_table=t.ArrearsOwnerTable(
                t.ageing_rows(ageing["by_owner"]), totals=_ageing_totals(ageing)
            ),
            chart_data={
                "areas": {
                    "labels": [r["area__name"] for r in result.by_area[:CHART_ROWS]],
                    "rates": [_float(r["rate_percent"]) for r in result.by_area[:CHART_ROWS]],
                },
                "owners": {
                    "labels": [r["owner"] for r in result.by_owner[:CHART_ROWS]],
                    "rates": [_float(r["rate_percent"]) for r in result.by_owner[:CHART_ROWS]],
                },
                "trend": {
                    "labels": [f"{r['month']:%Y-%m}" for r in trend],
                    "rates": [_float(r["rate_percent"]) for r in trend],
                },
                "ageing": {
                    "labels": [r["area__name"] for r in ageing["by_area"][:CHART_ROWS]],
                    "buckets": [str(b.label) for b in reports.AGEING_BUCKETS],
                    "series": [
                        [_float(r["buckets"][i]) for r in ageing["by_area"][:CHART_ROWS]]
                        for i in range(len(reports.AGEING_BUCKETS))
                    ],
                },
                "late_fees": {
                    "labels": [r["station__name"] for r in income["by_station"]],
                    "income": [_float(r["income_yuan"]) for r in income["by_station"]],
                    "target": [_float(r["target_yuan"]) for r in income["by_station"]],
                },
                "labels": {
                    "rate": _("Recovery rate [%]"),
                    "goal": _("Goal"),
                    "income": _("Late fees collected [yuan]"),
                    "target": _("Target [yuan]"),
                    "arrears": _("Arrears [yuan]"),
                },
            },
        )
        return ctx


def _ageing_totals(summary: dict) -> dict:
    totals = dict(summary["total"])
    for index, amount in enumerate(totals["buckets"]):
        totals[f"b{index}"] = amount
    return totals


# ------------------------------------------------------------------------------------ recovery report
class RecoveryReportView(FiguresMixin, TemplateView):
    """The recovery rate of a billing month per area, area manager and station, and the remittance rate
    of the cash taken in the month of collection; ``?cutoff=`` another day, ``?export=xlsx`` the workbook."""

    template_name = "collection/reports/recovery.html"

    def get(self, request, *args, **kwargs):
        self.month_value, self.station_value = self.month(), self.station()
        self.cutoff = self.day("cutoff", reports.recovery_cutoff(self.month_value))
        self.result = reports.recovery(
            user=request.user, month=self.month_value, cutoff=self.cutoff, station=self.station_value
        )
        self.collection_month = month_add(self.month_value, 1)
        self.remittance = reports.remittance(
            user=request.user, month=self.collection_month, as_of=self.cutoff, station=self.station_value
        )
        if request.GET.get("export") == "xlsx":
            title = _("Recovery rate of %(month)s, collected by %(day)s") % {
                "month": f"{self.month_value:%Y-%m}",
                "day": f"{self.cutoff:%Y-%m-%d}",
            }
            content = t.workbook(t.recovery_sheets(self.result, self.remittance), title=title)
            return xlsx_download(content, f"recovery-{self.month_value:%Y-%m}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        result, station = self.result, self.station_value
        query = {"month": f"{self.month_value:%Y-%m}", "cutoff": f"{self.cutoff:%Y-%m-%d}"}
        if station:
            query["station"] = station.pk
        ctx.update(
            month=self.month_value,
            months=self.months(),
            station=station,
            stations=self.stations(),
            cutoff=self.cutoff,
            default_cutoff=reports.recovery_cutoff(self.month_value),
            collection_month=self.collection_month,
            total=result.total,
            total_rate=t.pct(result.total["rate_percent"]),
            total_due=t.yuan(result.total["due_yuan"]),
            total_paid=t.yuan(result.total["paid_yuan"]),
            total_unpaid=t.yuan(result.total["unpaid_yuan"]),
            remittance_rate=t.pct(self.remittance["total"]["rate_percent"]),
            area_table=t.RecoveryAreaTable(result.by_area, totals=result.total),
            owner_table=t.RecoveryOwnerTable(result.by_owner, totals=result.total),
            station_table=t.RecoveryStationTable(result.by_station, totals=result.total),
            remittance_table=t.RemittanceTable(
                self.remittance["by_station"], totals=self.remittance["total"]
            ),
            xlsx_url="?" + self.query(**query, export="xlsx"),
        )
        return ctx


# --------------------------------------------------------------------------------------- arrears list
class ArrearsListView(FiguresMixin, ScopedListView):
    """Every receivable in arrears on a day (``?as_of=``, default today), with its days overdue and
    ageing bucket; filters by station, area, area manager and bucket; the ageing per area and per area
    manager of what the filters leave; ``?export=xlsx`` downloads the list and both summaries."""

    model = Receivable
    filterset_class = ArrearsFilterSet
    table_class = t.ArrearsTable
    export_entity = "collection_arrears"
    template_name = "collection/reports/arrears.html"
    title = gettext_lazy("Arrears")
    search_placeholder = gettext_lazy("Account number or customer name")

    def get_base_queryset(self):
        return reports.arrears(user=self.request.user, as_of=self.as_of).select_related(
            "customer", "area", "area__owner", "station"
        )

    def get_filterset(self, queryset):
        filterset = super().get_filterset(queryset)
        filterset.as_of = self.as_of
        return filterset

    def filtered(self):
        filterset = self.get_filterset(self.get_queryset())
        if filterset.is_bound and not filterset.is_valid():
            return filterset.queryset.none()
        return filterset.qs

    def get(self, request, *args, **kwargs):
        self.as_of = self.day("as_of", local_day())
        self.table_class = partial(t.ArrearsTable, as_of=self.as_of)
        if request.GET.get("export") == "xlsx":
            rows = self.filtered()
            summary = reports.arrears_summary(user=request.user, as_of=self.as_of, queryset=rows)
            title = _("Arrears as of %(day)s") % {"day": f"{self.as_of:%Y-%m-%d}"}
            content = t.workbook(t.arrears_sheets(rows, summary, self.as_of), title=title)
            return xlsx_download(content, f"arrears-{self.as_of:%Y-%m-%d}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        summary = reports.arrears_summary(user=self.request.user, as_of=self.as_of, queryset=self.queryset)
        totals = _ageing_totals(summary)
        ctx.update(
            as_of=self.as_of,
            summary=summary,
            total_arrears=t.yuan(summary["total"]["arrears_yuan"]),
            buckets=[
                {
                    "key": row["key"],
                    "label": row["label"],
                    "amount": t.yuan(row["arrears_yuan"]),
                    "customers": row["customers"],
                    "share": t.pct(row["share_percent"]),
                }
                for row in summary["by_bucket"]
            ],
            area_table=t.ArrearsAreaTable(t.ageing_rows(summary["by_area"]), totals=totals),
            owner_table=t.ArrearsOwnerTable(t.ageing_rows(summary["by_owner"]), totals=totals),
        )
        return ctx


# ------------------------------------------------------------------------------------ late-fee income
class LateFeeTargetForm(forms.Form):
    station = forms.ModelChoiceField(
        queryset=Station.objects.none(),
        label=gettext_lazy("Station"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    target_yuan = forms.CharField(
        label=gettext_lazy("Target [yuan]"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = scoped(Station, user).order_by("code")


class LateFeeIncomeView(FiguresMixin, TemplateView):
    """The late fees collected in a year per station against the county's targets (``?year=``); county
    staff set a target here (POST ``station``, ``year``, ``target_yuan``)."""

    template_name = "collection/reports/late_fee_income.html"

    def year(self) -> int:
        value = self.request.GET.get("year") or self.request.POST.get("year") or ""
        if value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR:
            return int(value)
        return local_day().year

    def get(self, request, *args, **kwargs):
        year, station = self.year(), self.station()
        self.income = reports.late_fee_income(user=request.user, year=year, station=station)
        self.by_month = reports.late_fee_months(user=request.user, year=year, station=station)
        if request.GET.get("export") == "xlsx":
            title = _("Late-fee income %(year)s") % {"year": year}
            content = t.workbook(t.late_fee_sheets(self.income, self.by_month), title=title)
            return xlsx_download(content, f"late-fee-income-{year}.xlsx")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not may_set_targets(request.user):
            raise PermissionDenied
        form = LateFeeTargetForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                late_fee_target_set(
                    user=request.user,
                    station=form.cleaned_data["station"],
                    year=form.cleaned_data["year"],
                    target_yuan=form.cleaned_data["target_yuan"],
                )
            except (ValidationError, PermissionDenied) as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("The late-fee income target of %(station)s for %(year)s is set.")
                    % {"station": form.cleaned_data["station"].name, "year": form.cleaned_data["year"]},
                )
                return redirect(
                    reverse("collection:late_fee_income") + "?" + self.query(year=form.cleaned_data["year"])
                )
        year = self.year()
        self.income = reports.late_fee_income(user=request.user, year=year)
        self.by_month = reports.late_fee_months(user=request.user, year=year)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year, income = self.income["year"], self.income
        can_set = may_set_targets(self.request.user)
        form = kwargs.get("form")
        if can_set and form is None:
            form = LateFeeTargetForm(user=self.request.user, initial={"year": year})
        this_year, station = local_day().year, self.station()
        ctx.update(
            year=year,
            years=list(range(this_year + 1, this_year - 6, -1)),
            station=station,
            stations=self.stations(),
            income=income,
            total_income=t.yuan(income["total"]["income_yuan"]),
            total_target=t.yuan(income["total"]["target_yuan"]),
            total_reached=t.pct(income["total"]["reached_percent"]),
            table=t.LateFeeIncomeTable(income["by_station"], totals=income["total"]),
            months=[(f"{year}-{m:02d}", t.yuan(amount)) for m, amount in enumerate(self.by_month, start=1)],
            can_set=can_set,
            form=form if can_set else None,
            xlsx_url="?" + self.query(year=year, station=station.pk if station else None, export="xlsx"),
        )
        return ctx


def _form_error(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
