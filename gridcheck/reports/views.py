"""The report centre (报表中心): every report of a station with its due day, this period's status,
its files and a generate button; the files are handed out only as attachments.

Every view needs ``view_reports``; a station outside the user's scope is a 404. County-level users choose
the station (``?station=<id>``); station staff see their own.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.periods import PeriodError
from gridcheck.core.roles import VIEW_REPORTS
from gridcheck.core.uploads import upload_response
from gridcheck.reports import selectors, services
from gridcheck.reports.kinds import KINDS

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportsMixin(CapabilityRequiredMixin):
    required_capability = VIEW_REPORTS

    def stations(self):
        return selectors.report_stations(self.request.user)

    def station(self, value: str | None = None):
        value = (value if value is not None else self.request.GET.get("station") or "").strip()
        stations = self.stations()
        if value:
            if not value.isdigit() or len(value) > 11:
                raise Http404
            return get_object_or_404(stations, pk=int(value))
        return stations.first()


class ReportCentreView(ReportsMixin, TemplateView):
    template_name = "reports/centre.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        station = self.station()
        rows = (
            selectors.report_centre(user=self.request.user, station=station, today=today) if station else []
        )
        ctx.update(
            station=station,
            stations=self.stations(),
            rows=rows,
            today=today,
        )
        return ctx


class ReportGenerateView(ReportsMixin, View):
    """POST ``kind``, ``station`` and ``period`` (``YYYY-MM`` or a day of the week or the day)."""

    http_method_names = ["post"]

    def post(self, request):
        station = self.station(request.POST.get("station") or "")
        if station is None:
            raise Http404
        kind = KINDS.get(request.POST.get("kind") or "")
        if kind is None:
            raise Http404
        back = reverse("reports:centre") + "?" + urlencode({"station": station.pk})
        try:
            period = kind.period_parse(request.POST.get("period") or "")
        except PeriodError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        try:
            report = services.report_generate(kind=kind, station=station, period=period, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(
            request,
            _("%(report)s of %(period)s generated.")
            % {"report": kind.label, "period": kind.period_text(report.period_start)},
        )
        return redirect(back)


class ReportDownloadView(ReportsMixin, View):
    """A generated report's PDF or XLSX, as an attachment, within the user's scope."""

    def get(self, request, pk: int, fmt: str):
        if fmt not in CONTENT_TYPES:
            raise Http404
        report = get_object_or_404(selectors.reports_for(request.user), pk=pk)
        field_file = report.pdf if fmt == "pdf" else report.xlsx
        if not field_file:
            raise Http404
        kind = KINDS[report.kind]
        name = f"{report.station.name}{kind.title_cn}-{kind.period_key(report.period_start)}.{fmt}"
        return upload_response(field_file, content_type=CONTENT_TYPES[fmt], download_name=name)
