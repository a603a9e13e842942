"""Meter-data pages: the reading-rate dashboard, the import page and history, a customer's consumption.

Views stay thin: the work is in ``services`` (imports) and ``selectors`` (figures), always scoped.
"""

import datetime as dt
import pathlib
import secrets
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
from gridcheck.readings.choices import EventCode, ImportKind, ImportStatus, QualityCode
from gridcheck.readings.filtersets import MeterDataImportFilterSet
from gridcheck.readings.forms import ColumnMappingForm, MeterDataImportForm
from gridcheck.readings.headers import KNOWN_HEADERS, column_label, reason_text
from gridcheck.readings.models import MeterDataImport, MeterDataMapping
from gridcheck.readings.services import (
    file_preview,
    mapping_for,
    mapping_save,
    meter_data_import,
    reader_mapping,
)
from gridcheck.readings.tables import MeterDataImportTable
from gridcheck_analytics.io.readers import ReaderError

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


#: The session key of the files waiting for their column mapping: ``{token: {dir, name, kind, source}}``.
PENDING = "readings_pending_imports"


def _pending_save(request, upload, *, kind: str, source: str) -> tuple[str, pathlib.Path]:
    """Keep an uploaded file until its columns are chosen; its token lives in the user's session only."""
    tmpdir = tempfile.mkdtemp(prefix="gc-meterdata-")
    path = pathlib.Path(tmpdir) / pathlib.Path(upload.name).name
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    token = secrets.token_urlsafe(16)
    pending = request.session.get(PENDING, {})
    pending[token] = {"dir": tmpdir, "name": upload.name, "kind": kind, "source": source}
    request.session[PENDING] = pending
    return token, path


def _pending_get(request, token: str) -> dict:
    entry = request.session.get(PENDING, {}).get(token)
    if entry is None or not pathlib.Path(entry["dir"]).is_dir():
        raise Http404(_("This upload is no longer waiting: upload the file again."))
    return {**entry, "path": pathlib.Path(entry["dir"]) / pathlib.Path(entry["name"]).name}


def _pending_drop(request, token: str) -> None:
    pending = request.session.get(PENDING, {})
    entry = pending.pop(token, None)
    request.session[PENDING] = pending
    if entry is not None:
        shutil.rmtree(entry["dir"], ignore_errors=True)


def _import_and_report(
    request, *, entry: dict, mapping: dict | None, save: bool, headers=()
) -> MeterDataImport:
    """Import the pending file with ``mapping``; remember the mapping for the source when asked."""
    batch = meter_data_import(
        kind=entry["kind"],
        path=entry["path"],
        user=request.user,
        mapping=reader_mapping(mapping or {}),
        file_name=entry["name"],
    )
    if save and mapping and entry.get("source"):
        mapping_save(
            source=entry["source"],
            kind=entry["kind"],
            mapping=mapping,
            headers=list(headers),
            user=request.user,
        )
    if batch.status == ImportStatus.SUCCEEDED:
        messages.success(
            request,
            _("%(file)s imported: %(rows)s rows, %(created)s new, %(updated)s changed.")
            % {
                "file": batch.file_name,
                "rows": batch.rows,
                "created": batch.rows_created,
                "updated": batch.rows_updated,
            },
        )
    else:
        messages.error(request, _("%(file)s refused: nothing was written.") % {"file": batch.file_name})
    return batch


class MeterDataImportView(CapabilityRequiredMixin, FormView):
    """Upload a meter-data file. The collection system's usual headers (and the columns saved for the
    file's source) are recognised and the file imported at once; otherwise the clerk chooses the columns on
    the next page, with a preview of the first rows. The outcome is shown on the batch's page."""

    required_capability = IMPORT
    form_class = MeterDataImportForm
    template_name = "readings/import.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["recent"] = selectors.recent_imports(limit=8)
        ctx["max_bytes"] = settings.GRIDCHECK_METER_DATA_MAX_BYTES
        ctx["sources"] = sorted(set(MeterDataMapping.objects.values_list("source", flat=True)))
        ctx["known_headers"] = [
            (column_label(column), names[:4]) for column, names in KNOWN_HEADERS.items() if names
        ]
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > settings.GRIDCHECK_METER_DATA_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
            return self.form_invalid(form)
        kind, source = form.cleaned_data["kind"], form.cleaned_data["source"]
        token, path = _pending_save(self.request, upload, kind=kind, source=source)
        entry = _pending_get(self.request, token)
        try:
            headers, _rows = file_preview(path)
        except ReaderError:
            # Unreadable: the import records why (file, reason), in Chinese on the batch's page.
            batch = _import_and_report(self.request, entry=entry, mapping=None, save=False)
            _pending_drop(self.request, token)
            return redirect(batch)
        mapping, missing, _saved = mapping_for(kind=kind, headers=headers, source=source)
        if missing:
            return redirect("readings:import_mapping", token=token)
        batch = _import_and_report(self.request, entry=entry, mapping=mapping, save=True, headers=headers)
        _pending_drop(self.request, token)
        return redirect(batch)


class MeterDataMappingView(CapabilityRequiredMixin, TemplateView):
    """The columns of a file whose headers were not all recognised: one choice per column, the first rows
    as a preview, the choice remembered for the file's source."""

    required_capability = IMPORT
    template_name = "readings/import_mapping.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.entry = _pending_get(request, kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None):
        entry = self.entry
        self.headers, self.rows = file_preview(entry["path"])
        initial, self.missing, self.saved = mapping_for(
            kind=entry["kind"], headers=self.headers, source=entry["source"]
        )
        return ColumnMappingForm(data, kind=entry["kind"], headers=self.headers, initial_mapping=initial)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            entry=self.entry,
            kind_label=ImportKind(self.entry["kind"]).label,
            headers=self.headers,
            rows=self.rows,
            missing=[column_label(c) for c in self.missing],
            saved=self.saved,
        )
        return ctx

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        batch = _import_and_report(
            request,
            entry=self.entry,
            mapping=form.cleaned_data["mapping"],
            save=form.cleaned_data["save"],
            headers=self.headers,
        )
        _pending_drop(request, kwargs["token"])
        return redirect(batch)


class MeterDataImportListView(ScopedListView):
    model = MeterDataImport
    filterset_class = MeterDataImportFilterSet
    table_class = MeterDataImportTable
    title = gettext_lazy("Meter-data imports")
    search_placeholder = gettext_lazy("Search by file name")

    def get_base_queryset(self):
        return MeterDataImport.objects.select_related("user")


class MeterDataImportDetailView(ScopedDetailView):
    model = MeterDataImport
    template_name = "readings/import_detail.html"
    context_object_name = "batch"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["errors"] = [
            {**e, "reason": reason_text(e.get("reason")), "column": column_label(e.get("column") or "")}
            for e in self.object.errors
        ]
        ctx["warnings"] = [reason_text(w) for w in self.object.warnings]
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
