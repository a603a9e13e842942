"""Meter-data pages: the reading-rate dashboard, the import page and history, a customer's consumption.

Views stay thin: the work is in ``services`` (imports) and ``selectors`` (figures), always scoped.
"""

import datetime as dt
import pathlib
import shutil
import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from gridcheck.archive.models import Customer, Line, Station
from gridcheck.core.generic import CapabilityRequiredMixin, ScopedDetailView, ScopedListView
from gridcheck.core.periods import month_end, month_parse
from gridcheck.core.roles import IMPORT
from gridcheck.core.scoping import scope_queryset
from gridcheck.readings import selectors
from gridcheck.readings.choices import EventCode, ImportStatus, QualityCode
from gridcheck.readings.filtersets import MeterDataImportFilterSet
from gridcheck.readings.forms import MeterDataImportForm
from gridcheck.readings.models import MeterDataImport
from gridcheck.readings.services import meter_data_import
from gridcheck.readings.tables import MeterDataImportTable

WORST_AREAS = 20


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class ReadingRateDashboardView(CapabilityRequiredMixin, TemplateView):
    """Reading rate (实抄率): daily trend, per station or line, worst areas and quality codes."""

    template_name = "readings/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        months = selectors.reading_rate_months(user=user)
        try:
            month = month_parse(self.request.GET["month"]) if self.request.GET.get("month") else None
        except (ValueError, TypeError):
            month = None
        if month not in months:
            month = months[0] if months else None
        station = line = None
        if _int(self.request.GET.get("line")):
            line = get_object_or_404(
                scope_queryset(Line.objects.select_related("station"), user),
                pk=_int(self.request.GET["line"]),
            )
            station = line.station
        elif _int(self.request.GET.get("station")):
            station = get_object_or_404(
                scope_queryset(Station.objects.all(), user), pk=_int(self.request.GET["station"])
            )
        elif user.station_id and not user.is_superuser:
            station = user.station
        sid, lid = (station.pk if station else None), (line.pk if line else None)
        level = "area" if line else ("line" if station else "station")
        ctx.update(months=months, month=month, station=station, line=line, level=level)
        crumbs = [(_("County"), _("All stations"), f"?month={month:%Y-%m}" if month else "?")]
        if station:
            crumbs.append(
                (_("Station"), station.name, f"?station={station.pk}&month={month:%Y-%m}" if month else "")
            )
        if line:
            crumbs.append((_("Line"), line.name, ""))
        ctx["breadcrumb"] = crumbs
        if month:
            start, end = month, month_end(month)
            daily = selectors.reading_rate_daily(user=user, start=start, end=end, station_id=sid, line_id=lid)
            areas = selectors.reading_rate_by(
                user=user, level="area", start=start, end=end, station_id=sid, line_id=lid
            )
            groups = (
                selectors.reading_rate_by(
                    user=user, level=level, start=start, end=end, station_id=sid, line_id=lid
                )
                if level != "area"
                else []
            )
            meter_days = sum(d["meters"] for d in daily)
            read = sum(d["meters_read"] for d in daily)
            quality = {}
            for a in areas:
                for code, n in a["quality"].items():
                    quality[code] = quality.get(code, 0) + n
            labels = dict(QualityCode.choices)
            ctx.update(
                rate=round(100.0 * read / meter_days, 2) if meter_days else None,
                meter_days=meter_days,
                missing=meter_days - read,
                areas_below=sum(1 for a in areas if a["rate"] is not None and a["rate"] < 98.0),
                worst=areas[:WORST_AREAS],
                groups=sorted(groups, key=lambda g: g["code"]),
                quality=sorted(((labels.get(k, k), v, k) for k, v in quality.items()), key=lambda x: -x[1]),
                chart_data={
                    "days": [f"{d['date']:%m-%d}" for d in daily],
                    "rates": [d["rate"] for d in daily],
                    "quality": [
                        {"name": str(labels.get(k, k)), "value": v}
                        for k, v in quality.items()
                        if k != "valid"
                    ],
                    "labels": {"rate": _("Reading rate [%]"), "target": _("Target 98 %")},
                },
            )
        return ctx


class MeterDataImportView(CapabilityRequiredMixin, FormView):
    """Upload a meter-data file; the outcome (or its row errors) is shown on the batch's page."""

    required_capability = IMPORT
    form_class = MeterDataImportForm
    template_name = "readings/import.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["recent"] = selectors.recent_imports(limit=8)
        ctx["max_bytes"] = settings.GRIDCHECK_METER_DATA_MAX_BYTES
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > settings.GRIDCHECK_METER_DATA_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
            return self.form_invalid(form)
        tmpdir = tempfile.mkdtemp(prefix="gc-meterdata-")
        try:
            path = pathlib.Path(tmpdir) / pathlib.Path(upload.name).name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            batch = meter_data_import(
                kind=form.cleaned_data["kind"],
                path=path,
                user=self.request.user,
                mapping=form.cleaned_data["mapping"],
                file_name=upload.name,
            )
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if batch.status == ImportStatus.SUCCEEDED:
            messages.success(
                self.request,
                _("%(file)s imported: %(rows)s rows, %(created)s new, %(updated)s changed.")
                % {
                    "file": batch.file_name,
                    "rows": batch.rows,
                    "created": batch.rows_created,
                    "updated": batch.rows_updated,
                },
            )
        else:
            messages.error(
                self.request, _("%(file)s refused: nothing was written.") % {"file": batch.file_name}
            )
        return redirect(batch)


class MeterDataImportListView(ScopedListView):
    model = MeterDataImport
    filterset_class = MeterDataImportFilterSet
    table_class = MeterDataImportTable
    title = gettext_lazy("Meter-data imports")
    search_placeholder = gettext_lazy("Search by file name")

    def get_base_queryset(self):
        return MeterDataImport.objects.select_related("user")


#: The readers' row-error reasons, for people.
REASONS = {
    "empty": gettext_lazy("empty"),
    "not a number": gettext_lazy("not a number"),
    "negative value": gettext_lazy("negative value"),
    "not a valid date/time": gettext_lazy("not a valid date/time"),
    "unknown event code": gettext_lazy("unknown event code"),
    "unknown meter": gettext_lazy("meter not in the archive"),
    "meter outside your scope": gettext_lazy("meter outside your scope (another station's or area's)"),
    "unknown area": gettext_lazy("area not in the archive"),
    "area outside your scope": gettext_lazy("area outside your scope (another station's)"),
    "duplicate key (meter, time) with different values": gettext_lazy(
        "the same meter and time appear twice with different values"
    ),
    "register at or above the meter's digit capacity": gettext_lazy("register beyond the meter's digits"),
    "no rows": gettext_lazy("the file has no rows"),
}


class MeterDataImportDetailView(ScopedDetailView):
    model = MeterDataImport
    template_name = "readings/import_detail.html"
    context_object_name = "batch"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["errors"] = [
            {**e, "reason": REASONS.get(e.get("reason"), e.get("reason"))} for e in self.object.errors
        ]
        return ctx


class CustomerConsumptionJsonView(CapabilityRequiredMixin, View):
    """A customer's daily consumption and meter events of the newest months, as JSON (the customer card)."""

    def get(self, request, pk):
        customer = scope_queryset(Customer.objects.all(), request.user).filter(pk=pk).first()
        if customer is None:
            raise Http404
        try:
            months = max(1, min(int(request.GET.get("months", 3)), 13))
        except ValueError:
            months = 3
        data = selectors.customer_consumption(customer=customer, months=months)
        quality = dict(QualityCode.choices)
        events = dict(EventCode.choices)
        for d in data["days"]:
            d["quality_label"] = str(quality.get(d["quality_code"], d["quality_code"]))
        for e in data["events"]:
            e["label"] = str(events.get(e["event_code"], e["event_code"]))
        total = sum(d["energy_kwh"] or 0 for d in data["days"])
        data["total_kwh"] = round(total, 1)
        data["labels"] = {"energy": _("Consumption [kWh]"), "events": _("Meter events")}
        data["generated"] = dt.datetime.now().isoformat(timespec="seconds")
        return JsonResponse(data)
