"""Pages and downloads of the billing reports (``reports.py``): area report, business report, posting sheet.

Every view needs ``view_billing`` and reads only the user's scope; a station or cycle outside it is a 404.
The business report's "prepared" and "signed" buttons post to ``business_report_sign``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.billing import reports
from gridcheck.billing.models import Bill, ReadingCycle
from gridcheck.core.exports import XLSX_CONTENT_TYPE
from gridcheck.core.generic import CapabilityRequiredMixin, error_messages
from gridcheck.core.periods import PeriodError, last_complete_month, month_parse
from gridcheck.core.roles import APPROVE_STATION, PREPARE_BILLS, VIEW_BILLING, has_capability
from gridcheck.core.scoping import scoped


def _download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


class ReportMixin(CapabilityRequiredMixin):
    required_capability = VIEW_BILLING

    def month(self):
        value = self.request.GET.get("month") or self.request.POST.get("month")
        if value:
            try:
                return month_parse(value)
            except PeriodError:
                pass
        latest = scoped(Bill, self.request.user).order_by("-period").values_list("period", flat=True).first()
        return latest or last_complete_month()

    def months(self):
        return list(
            scoped(Bill, self.request.user)
            .order_by("-period")
            .values_list("period", flat=True)
            .distinct()[:36]
        )

    def stations(self):
        return scoped(Station, self.request.user).select_related("company").order_by("code")

    def station(self):
        value = self.request.GET.get("station") or self.request.POST.get("station")
        stations = self.stations()
        if value and str(value).isdigit() and len(str(value)) < 12:
            return get_object_or_404(stations, pk=int(value))
        if self.request.user.station_id:
            return get_object_or_404(stations, pk=self.request.user.station_id)
        station = stations.first()
        if station is None:
            raise PermissionDenied
        return station


# ---------------------------------------------------------------------------------------- area report
class AreaReportView(ReportMixin, TemplateView):
    template_name = "billing/reports/area_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        month = self.month()
        ctx.update(
            report=reports.area_report(user=self.request.user, period=month),
            month=month,
            months=self.months(),
            xlsx_url=reverse("billing:area_report_xlsx") + "?" + urlencode({"month": f"{month:%Y-%m}"}),
        )
        return ctx


class AreaReportXlsxView(ReportMixin, View):
    def get(self, request):
        report = reports.area_report(user=request.user, period=self.month())
        return _download(
            reports.area_report_xlsx(report), f"area-report-{report.period:%Y-%m}.xlsx", XLSX_CONTENT_TYPE
        )


# ------------------------------------------------------------------------------------ business report
class BusinessReportView(ReportMixin, TemplateView):
    template_name = "billing/reports/business_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        month, station = self.month(), self.station()
        report = reports.business_report(user=self.request.user, station=station, period=month)
        query = urlencode({"month": f"{month:%Y-%m}", "station": station.pk})
        user = self.request.user
        ctx.update(
            report=report,
            month=month,
            months=self.months(),
            station=station,
            stations=self.stations(),
            xlsx_url=reverse("billing:business_report_xlsx") + "?" + query,
            pdf_url=reverse("billing:business_report_pdf") + "?" + query,
            can_prepare=report.prepared is None
            and has_capability(user, PREPARE_BILLS)
            and report.totals["bills"],
            can_sign=(
                report.prepared is not None
                and report.signed is None
                and has_capability(user, APPROVE_STATION)
                and report.prepared.actor_id != user.pk
            ),
        )
        return ctx


class BusinessReportXlsxView(ReportMixin, View):
    def get(self, request):
        station = self.station()
        report = reports.business_report(user=request.user, station=station, period=self.month())
        name = f"business-report-{station.code}-{report.period:%Y-%m}.xlsx"
        return _download(reports.business_report_xlsx(report), name, XLSX_CONTENT_TYPE)


class BusinessReportPdfView(ReportMixin, View):
    def get(self, request):
        station = self.station()
        report = reports.business_report(user=request.user, station=station, period=self.month())
        name = f"business-report-{station.code}-{report.period:%Y-%m}.pdf"
        return _download(reports.business_report_pdf(report), name, "application/pdf", inline=True)


class BusinessReportSignView(ReportMixin, View):
    """POST ``action=prepare`` (the billing clerk) or ``action=sign`` (the station head)."""

    def post(self, request):
        station, month = self.station(), self.month()
        action = request.POST.get("action")
        try:
            if action == "prepare":
                reports.business_report_prepare(user=request.user, station=station, period=month)
                messages.success(request, _("The business report is marked as prepared."))
            elif action == "sign":
                reports.business_report_sign(user=request.user, station=station, period=month)
                messages.success(request, _("The business report is signed."))
            else:
                messages.error(request, _("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            error_messages(request, error)
        query = urlencode({"month": f"{month:%Y-%m}", "station": station.pk})
        return redirect(reverse("billing:business_report") + "?" + query)


# --------------------------------------------------------------------------------------- posting sheet
class PostingCycleMixin(ReportMixin):
    def get_cycle(self):
        cycles = scoped(ReadingCycle, self.request.user).select_related("book")
        return get_object_or_404(cycles, pk=self.kwargs["pk"])


class PostingSheetIndexView(ReportMixin, TemplateView):
    """The cycles of a month, each with its posting sheet."""

    template_name = "billing/reports/posting_index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        month = self.month()
        ctx.update(
            month=month,
            months=self.months(),
            cycles=scoped(ReadingCycle, self.request.user)
            .filter(period=month)
            .select_related("book", "station")
            .order_by("book__code"),
        )
        return ctx


class PostingSheetView(PostingCycleMixin, TemplateView):
    template_name = "billing/reports/posting_sheet.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = self.get_cycle()
        ctx.update(
            sheet=reports.posting_sheet(user=self.request.user, cycle=cycle),
            cycle=cycle,
            pdf_url=reverse("billing:posting_sheet_pdf", args=[cycle.pk]),
        )
        return ctx


class PostingSheetPdfView(PostingCycleMixin, View):
    def get(self, request, pk):
        cycle = self.get_cycle()
        sheet = reports.posting_sheet(user=request.user, cycle=cycle)
        name = f"posting-{cycle.book.code}-{cycle.period:%Y-%m}.pdf"
        return _download(reports.posting_sheet_pdf(sheet), name, "application/pdf", inline=True)
