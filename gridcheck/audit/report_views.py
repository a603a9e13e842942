"""The monthly audit report (营销稽查月报): the page, its PDF and its XLSX (``reports.py`` computes it).

``?month=YYYY-MM`` (default: the last complete month) and ``?station=<id>`` (one station of the user's
scope; a station outside it is a 404). Every view needs ``view_audit`` and counts only the user's scope: a
station's staff their station, an area manager their areas, county-level users every station.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.audit import reports
from gridcheck.core.exports import XLSX_CONTENT_TYPE
from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.periods import PeriodError, last_complete_month, month_parse
from gridcheck.core.roles import VIEW_AUDIT
from gridcheck.core.scoping import scoped


def _download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def _float(value):
    return None if value is None else float(value)


class AuditReportMixin(CapabilityRequiredMixin):
    required_capability = VIEW_AUDIT

    def month(self) -> datetime.date:
        value = (self.request.GET.get("month") or "").strip()
        if value:
            try:
                return month_parse(value)
            except PeriodError as error:
                messages.error(self.request, " ".join(error.messages))
        return last_complete_month(timezone.localdate())

    def stations(self):
        return scoped(Station, self.request.user).order_by("code")

    def station(self) -> Station | None:
        value = (self.request.GET.get("station") or "").strip()
        if value.isdigit() and len(value) < 12:
            return get_object_or_404(self.stations().select_related("company"), pk=int(value))
        return None

    def report(self) -> reports.AuditReport:
        return reports.audit_report(user=self.request.user, month=self.month(), station=self.station())

    @staticmethod
    def query(report: reports.AuditReport) -> str:
        values = {"month": f"{report.month:%Y-%m}"}
        if report.station is not None:
            values["station"] = report.station.pk
        return urlencode(values)


class AuditReportView(AuditReportMixin, TemplateView):
    """The report's figures, tables and charts (by module and by theme)."""

    template_name = "audit/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = self.report()
        months = reports.finding_months(user=self.request.user)
        if report.month not in months:
            months = sorted([*months, report.month], reverse=True)
        query = self.query(report)

        def chart_block(rows):
            return {
                "labels": [r["label"] for r in rows],
                "closed": [r["closed"] for r in rows],
                "dismissed": [r["dismissed"] for r in rows],
                "open": [r["open"] - r["overdue"] for r in rows],
                "overdue": [r["overdue"] for r in rows],
            }

        ctx.update(
            report=report,
            month=report.month,
            months=months,
            station=report.station,
            stations=self.stations(),
            pdf_url=reverse("audit:report_pdf") + "?" + query,
            xlsx_url=reverse("audit:report_xlsx") + "?" + query,
            chart_data={
                "module": chart_block(report.by_module),
                "theme": chart_block(report.by_theme),
                "station": {
                    "labels": [r["name"] for r in report.by_station],
                    "found": [r["found"] for r in report.by_station],
                    "rate": [_float(r["closure_rate_percent"]) for r in report.by_station],
                },
                "labels": {
                    "closed": _("Rectified and closed"),
                    "dismissed": _("Not a problem"),
                    "open": _("Open, within the deadline"),
                    "overdue": _("Overdue"),
                    "findings": _("Number of findings"),
                },
            },
        )
        return ctx


class AuditReportPdfView(AuditReportMixin, View):
    def get(self, request):
        report = self.report()
        code = report.station.code if report.station else "county"
        return _download(
            reports.report_pdf(report),
            f"audit-report-{code}-{report.month:%Y-%m}.pdf",
            "application/pdf",
            inline=True,
        )


class AuditReportXlsxView(AuditReportMixin, View):
    def get(self, request):
        report = self.report()
        code = report.station.code if report.station else "county"
        return _download(
            reports.report_xlsx(report), f"audit-report-{code}-{report.month:%Y-%m}.xlsx", XLSX_CONTENT_TYPE
        )
