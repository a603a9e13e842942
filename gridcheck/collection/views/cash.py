"""Pages of the station's cash: receipt and invoice stock, cancellations, bank deposits and remittance, the
daily cash report, reconciliation "receipts = deposits = books" and the rural electricians' collections.

Reading needs ``view_collection`` (``AccessMiddleware``) and shows only the user's scope (a record outside
it is a 404); each action needs its capability and the services refuse what the rules forbid (the
collector never checks their own cancellation; destruction only with the county's approval): refusals
are shown as messages or form errors. XLSX downloads are written here from the selectors' figures.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Station
from gridcheck.collection.choices import DecisionStatus, RemittanceStatus, StockStatus
from gridcheck.collection.filtersets_cash import DepositFilterSet, StockFilterSet
from gridcheck.collection.forms_cash import (
    CancelForm,
    DecisionForm,
    DepositForm,
    ReasonForm,
    RemitForm,
    StockIssueForm,
)
from gridcheck.collection.models import BankDeposit, ReceiptCancellation, ReceiptStock
from gridcheck.collection.selectors import cash as selectors
from gridcheck.collection.services import cash as services
from gridcheck.collection.tables_cash import DepositTable, StockTable
from gridcheck.core.exports import FORMULA_TRIGGERS, XLSX_CONTENT_TYPE
from gridcheck.core.generic import (
    ScopedListView,
    ScopedPage,
    StepView,
    error_messages,
)
from gridcheck.core.periods import PeriodError, date_parse, last_complete_month, month_parse
from gridcheck.core.roles import (
    APPROVE_COUNTY,
    COLLECT,
    MANAGE_COLLECTION,
    VIEW_COLLECTION,
    has_capability,
)
from gridcheck.core.scoping import scoped

#: The longest reconciliation period one page shows [days].
MAX_RANGE_DAYS = 92


# ----------------------------------------------------------------------------------------- helpers
def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _workbook(title: str, header: list[str], rows: list[list], *, preamble: list[list] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for line in preamble:
        sheet.append(line)
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    highlight = PatternFill("solid", fgColor="F8D7DA")
    for row in rows:
        flagged = bool(row and row[-1] == "__gap__")
        values = [str(v) if isinstance(v, Promise) else v for v in (row[:-1] if flagged else row)]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            if flagged:
                cell.fill = highlight
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _person(user) -> str:
    if user is None:
        return "—"
    return user.full_name or user.username if hasattr(user, "full_name") else str(user)


def _collectors(user, station=None):
    """Staff who may collect, of the user's station (or ``station``)."""
    from gridcheck.users.models import User

    people = User.objects.filter(is_active=True, station__isnull=False).select_related("station")
    if station is not None:
        people = people.filter(station=station)
    elif user.station_id is not None:
        people = people.filter(station_id=user.station_id)
    else:
        people = people.filter(station__in=scoped(Station, user))
    return [p for p in people.order_by("username") if has_capability(p, COLLECT)]


def _people_queryset(people):
    from gridcheck.users.models import User

    return User.objects.filter(pk__in=[p.pk for p in people]).order_by("username")


class CashPage(ScopedPage):
    required_capability = VIEW_COLLECTION

    # Report parameters ----------------------------------------------------------------------------
    def stations(self):
        return scoped(Station, self.request.user).order_by("code")

    def station(self):
        value = self.request.GET.get("station", "")
        stations = self.stations()
        if value.isdigit() and len(value) < 12:
            return get_object_or_404(stations, pk=int(value))
        if self.request.user.station_id:
            return get_object_or_404(stations, pk=self.request.user.station_id)
        station = stations.first()
        if station is None:
            raise PermissionDenied
        return station

    def day(self, name: str, default: datetime.date) -> datetime.date:
        value = self.request.GET.get(name)
        if value:
            try:
                return date_parse(value)
            except PeriodError:
                messages.error(self.request, _("Write a date as 2026-11-25."))
        return default

    def month(self) -> datetime.date:
        value = self.request.GET.get("month")
        if value:
            try:
                return month_parse(value)
            except PeriodError:
                messages.error(self.request, _("Enter a month as YYYY-MM."))
        return last_complete_month()


class CashActionView(CashPage, StepView):
    """POST one step on receipt stock or a cancellation (``StepView``)."""


class OwnExportListView(ScopedListView):
    """A scoped list whose XLSX export is written here (``export_header`` / ``export_row``)."""

    export_entity = "cash"
    export_header: list = []

    def export_row(self, obj) -> list:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_queryset())
            queryset = (
                filterset.qs if (not filterset.is_bound or filterset.is_valid()) else filterset.qs.none()
            )
            rows = [self.export_row(obj) for obj in queryset[:100_000]]
            title = str(self.get_title())
            return _xlsx(
                _workbook(title, [str(h) for h in self.export_header], rows),
                f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
            )
        return super().get(request, *args, **kwargs)


# ------------------------------------------------------------------------------------------ stock
class StockListView(OwnExportListView):
    model = ReceiptStock
    filterset_class = StockFilterSet
    table_class = StockTable
    title = gettext_lazy("Receipt and invoice stock")
    search_placeholder = gettext_lazy("Series, number or collector")
    template_name = "collection/cash/stock_list.html"
    required_capability = VIEW_COLLECTION
    export_header = [
        gettext_lazy("kind"),
        gettext_lazy("series"),
        gettext_lazy("first number"),
        gettext_lazy("last number"),
        gettext_lazy("station"),
        gettext_lazy("collector"),
        gettext_lazy("issued on"),
        gettext_lazy("status"),
    ]

    def get_base_queryset(self):
        return ReceiptStock.objects.select_related("station", "holder", "issued_by")

    def export_row(self, obj) -> list:
        return [
            obj.get_kind_display(),
            obj.series,
            f"{obj.first_number:08d}",
            f"{obj.last_number:08d}",
            obj.station.name,
            _person(obj.holder),
            timezone.localdate(obj.created_at),
            obj.get_status_display(),
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            can_manage=has_capability(user, MANAGE_COLLECTION),
            my_stock=selectors.collector_stock(user, user) if has_capability(user, COLLECT) else [],
            pending=list(selectors.pending_cancellations(user)[:100])
            if has_capability(user, MANAGE_COLLECTION)
            else [],
        )
        return ctx


class StockIssueView(CashPage, TemplateView):
    template_name = "collection/cash/stock_form.html"
    action_capability = MANAGE_COLLECTION

    def get_form(self):
        user = self.request.user
        return StockIssueForm(
            self.request.POST or None,
            stations=self.stations(),
            holders=_people_queryset(_collectors(user)),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                stock = services.stock_issue(user=request.user, **data)
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _("%(stock)s issued to %(holder)s.") % {"stock": stock, "holder": _person(stock.holder)},
                )
                return redirect(stock)
        return self.render_to_response(self.get_context_data(form=form))


class StockDetailView(CashPage, TemplateView):
    template_name = "collection/cash/stock_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        stock = self.scoped_object(
            ReceiptStock,
            queryset=ReceiptStock.objects.select_related(
                "station", "holder", "issued_by", "checked_by", "destroy_requested_by", "destroy_approved_by"
            ),
        )
        is_holder = stock.holder_id == user.pk
        can_manage = has_capability(user, MANAGE_COLLECTION)
        cancellations = list(
            stock.cancellations.select_related("cancelled_by", "checked_by").order_by("number")
        )
        payments = list(
            stock.payments.select_related("customer", "collector").order_by("receipt_number", "pk")[:500]
        )
        labels = dict(StockStatus.choices) | dict(DecisionStatus.choices)
        ctx.update(
            stock=stock,
            object=stock,
            counts=selectors.stock_counts(stock),
            usable=selectors.stock_usable_numbers(stock, limit=20),
            cancellations=cancellations,
            payments=payments,
            is_holder=is_holder,
            can_cancel=is_holder and stock.status == StockStatus.ISSUED and has_capability(user, COLLECT),
            can_check=can_manage,
            can_return=can_manage and not is_holder and stock.status == StockStatus.ISSUED,
            can_request_destroy=can_manage and stock.status == StockStatus.RETURNED,
            can_approve_destroy=(
                has_capability(user, APPROVE_COUNTY)
                and stock.status == StockStatus.DESTROY_PENDING
                and user.pk not in (stock.destroy_requested_by_id, stock.holder_id)
            ),
            cancel_form=CancelForm(),
            reason_form=ReasonForm(),
            decision_form=DecisionForm(),
            events=[
                {
                    "at": e.at,
                    "actor": e.actor,
                    "from": labels.get(e.from_status, e.from_status) if e.from_status else "",
                    "to": labels.get(e.to_status, e.to_status),
                    "note": e.note,
                }
                for e in selectors.events_of(stock)
            ],
        )
        return ctx


class StockCancelView(CashActionView):
    model = ReceiptStock
    action_capability = COLLECT

    def run(self, request, stock):
        data = self.form(CancelForm)
        cancellation = services.receipt_cancel(
            user=request.user, stock=stock, number=data["number"], reason=data["reason"]
        )
        messages.success(
            request,
            _("Number %(number)s cancelled: it waits for a check by a collection manager.")
            % {"number": f"{cancellation.number:08d}"},
        )


class CancellationCheckView(CashActionView):
    model = ReceiptCancellation
    action_capability = MANAGE_COLLECTION

    def run(self, request, cancellation):
        data = self.form(DecisionForm)
        services.receipt_cancellation_check(
            user=request.user,
            cancellation=cancellation,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        messages.success(request, _("Decision recorded."))

    def next_url(self, obj):
        return obj.stock.get_absolute_url()


class StockReturnView(CashActionView):
    model = ReceiptStock
    action_capability = MANAGE_COLLECTION

    def run(self, request, stock):
        counts = services.stock_return(user=request.user, stock=stock, note=request.POST.get("note", ""))
        messages.success(
            request,
            _("Stock returned and checked: used %(used)s, cancelled %(cancelled)s, unused %(unused)s.")
            % counts,
        )


class StockDestroyRequestView(CashActionView):
    model = ReceiptStock
    action_capability = MANAGE_COLLECTION

    def run(self, request, stock):
        data = self.form(ReasonForm)
        services.stock_destroy_request(user=request.user, stock=stock, reason=data["reason"])
        messages.success(request, _("Destruction requested: the county approves it."))


class StockDestroyApproveView(CashActionView):
    model = ReceiptStock
    action_capability = APPROVE_COUNTY

    def run(self, request, stock):
        data = self.form(DecisionForm)
        services.stock_destroy_approve(
            user=request.user, stock=stock, approve=data["decision"] == "approve", comment=data["comment"]
        )
        messages.success(request, _("Decision recorded."))


# --------------------------------------------------------------------------------------- deposits
class DepositListView(OwnExportListView):
    model = BankDeposit
    filterset_class = DepositFilterSet
    table_class = DepositTable
    title = gettext_lazy("Bank deposits")
    search_placeholder = gettext_lazy("Slip number or collector")
    template_name = "collection/cash/deposit_list.html"
    required_capability = VIEW_COLLECTION
    export_header = [
        gettext_lazy("deposit slip number"),
        gettext_lazy("station"),
        gettext_lazy("collector"),
        gettext_lazy("collection day"),
        gettext_lazy("deposited on"),
        gettext_lazy("amount [yuan]"),
        gettext_lazy("bank"),
        gettext_lazy("status"),
        gettext_lazy("remitted on"),
        gettext_lazy("remittance reference"),
    ]

    def get_base_queryset(self):
        return BankDeposit.objects.select_related("station", "collector")

    def export_row(self, obj) -> list:
        return [
            obj.slip_number,
            obj.station.name,
            _person(obj.collector),
            obj.collection_day,
            obj.deposited_on,
            obj.amount_yuan,
            obj.bank,
            obj.get_status_display(),
            obj.remitted_on,
            obj.remittance_reference,
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_manage = has_capability(user, MANAGE_COLLECTION)
        unremitted = (
            scoped(BankDeposit, user)
            .filter(status=RemittanceStatus.DEPOSITED)
            .select_related("collector")
            .order_by("deposited_on", "pk")[:200]
            if can_manage
            else []
        )
        ctx.update(
            can_record=has_capability(user, COLLECT) or can_manage,
            can_manage=can_manage,
            unremitted=unremitted,
            remit_day=timezone.localdate(),
        )
        return ctx


class DepositCreateView(CashPage, TemplateView):
    template_name = "collection/cash/deposit_form.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            has_capability(user, COLLECT) or has_capability(user, MANAGE_COLLECTION)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        user = self.request.user
        if has_capability(user, MANAGE_COLLECTION):
            people = _collectors(user)
        else:
            people = [user]
        today = timezone.localdate()
        return DepositForm(
            self.request.POST or None,
            collectors=_people_queryset(people),
            initial={"collection_day": today, "deposited_on": today, "collector": user.pk},
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                deposit = services.deposit_record(user=request.user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _("Deposit slip %(slip)s recorded: %(amount)s yuan.")
                    % {"slip": deposit.slip_number, "amount": f"{deposit.amount_yuan:,.2f}"},
                )
                return redirect("collection:deposit_list")
        return self.render_to_response(self.get_context_data(form=form))


class DepositRemitView(CashPage, View):
    """POST: the chosen deposits are remitted upward under one reference."""

    action_capability = MANAGE_COLLECTION

    def post(self, request):
        deposits = scoped(BankDeposit, request.user).filter(status=RemittanceStatus.DEPOSITED)
        form = RemitForm(request.POST, deposits=deposits)
        if form.is_valid():
            data = form.cleaned_data
            try:
                n = services.deposits_remit(
                    user=request.user,
                    deposits=list(data["deposits"]),
                    remitted_on=data["remitted_on"],
                    reference=data["reference"],
                )
            except (PermissionDenied, ValidationError) as error:
                error_messages(request, error)
            else:
                messages.success(request, _("%(n)s deposits remitted.") % {"n": n})
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}：{error}" if label else str(error))
        return redirect("collection:deposit_list")


# ------------------------------------------------------------------------------------ daily report
class DailyCashMixin(CashPage):
    def report(self):
        station = self.station()
        day = self.day("day", timezone.localdate())
        return station, day, selectors.daily_cash(user=self.request.user, day=day, station=station)


class DailyCashView(DailyCashMixin, TemplateView):
    template_name = "collection/cash/daily_cash.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        station, day, report = self.report()
        query = urlencode({"day": f"{day:%Y-%m-%d}", "station": station.pk})
        ctx.update(
            report=report,
            station=station,
            stations=self.stations(),
            day=day,
            xlsx_url=reverse("collection:daily_cash_xlsx") + "?" + query,
        )
        return ctx


class DailyCashXlsxView(DailyCashMixin, View):
    def get(self, request):
        station, day, report = self.report()
        header = [
            _("collector"), _("channel"), _("payments"), _("amount [yuan]"), _("reversed"),
            _("reversed [yuan]"), _("net [yuan]"), _("cash [yuan]"), _("receipts used"),
            _("receipts cancelled"), _("deposited [yuan]"),
        ]  # fmt: skip
        rows = []
        for c in report.collectors:
            for channel in c.channels:
                rows.append(
                    [_person(c.collector), channel["label"], channel["count"], channel["amount_yuan"]]
                )
            rows.append(
                [_person(c.collector), _("Total"), c.count, c.amount_yuan, c.reversed_count, c.reversed_yuan,
                 c.net_yuan, c.cash_yuan, " ".join(c.receipts),
                 " ".join(f"{x.number:08d}" for x in c.cancellations), c.deposited_yuan]
            )  # fmt: skip
        t = report.totals
        rows.append(
            [_("Total"), "", t["count"], t["amount_yuan"], t["reversed_count"], t["reversed_yuan"], t["net_yuan"],
             t["cash_yuan"], t["receipts"], t["cancellations"], t["deposited_yuan"]]
        )  # fmt: skip
        preamble = [
            [_("Daily cash report %(station)s %(day)s") % {"station": station.name, "day": f"{day:%Y-%m-%d}"}]
        ]
        return _xlsx(
            _workbook(_("Daily cash report"), header, rows, preamble=preamble),
            f"daily-cash-{station.code}-{day:%Y%m%d}.xlsx",
        )


# ---------------------------------------------------------------------------------- reconciliation
class ReconciliationMixin(CashPage):
    def report(self):
        station = self.station()
        today = timezone.localdate()
        first = self.day("first", today.replace(day=1))
        last = self.day("last", today)
        if last < first:
            first, last = last, first
        if (last - first).days >= MAX_RANGE_DAYS:
            messages.warning(
                self.request, _("At most %(n)s days are reconciled at once.") % {"n": MAX_RANGE_DAYS}
            )
            first = last - datetime.timedelta(days=MAX_RANGE_DAYS - 1)
        result = selectors.reconciliation(station, first, last, user=self.request.user)
        return station, first, last, result


class ReconciliationView(ReconciliationMixin, TemplateView):
    template_name = "collection/cash/reconciliation.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        station, first, last, result = self.report()
        query = urlencode({"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}", "station": station.pk})
        ctx.update(
            result=result,
            station=station,
            stations=self.stations(),
            first=first,
            last=last,
            xlsx_url=reverse("collection:reconciliation_xlsx") + "?" + query,
        )
        return ctx


class ReconciliationXlsxView(ReconciliationMixin, View):
    def get(self, request):
        station, first, last, result = self.report()
        header = [
            _("collection day"), _("collector"), _("payments"), _("cash collected [yuan]"),
            _("receipts issued [yuan]"), _("deposited [yuan]"), _("recorded in the books [yuan]"),
            _("receipts − cash [yuan]"), _("deposits − cash [yuan]"), _("books − cash [yuan]"),
        ]  # fmt: skip
        rows = [
            [r["day"], _person(r["collector"]), r["payments"], r["cash_yuan"], r["receipts_yuan"],
             r["deposits_yuan"], r["books_yuan"], r["receipts_difference_yuan"],
             r["deposits_difference_yuan"], r["books_difference_yuan"]]
            + (["__gap__"] if r["differences"] else [])
            for r in result.rows
        ]  # fmt: skip
        t = result.totals
        rows.append(
            [_("Total"), "", t["payments"], t["cash_yuan"], t["receipts_yuan"], t["deposits_yuan"], t["books_yuan"],
             t["receipts_difference_yuan"], t["deposits_difference_yuan"], t["books_difference_yuan"]]
        )  # fmt: skip
        rows.append([])
        rows.append([_("Deposited [yuan]"), result.deposited_yuan, _("Remitted [yuan]"), result.remitted_yuan,
                     _("Not yet remitted [yuan]"), result.unremitted_yuan])  # fmt: skip
        rows.append([])
        rows.append([_("Differences"), _("collector"), _("check"), _("cash collected [yuan]"), _("figure [yuan]"),
                     _("difference [yuan]")])  # fmt: skip
        for d in result.differences:
            rows.append(
                [d["day"], _person(d["collector"]), d["label"], d["cash_yuan"], d["figure_yuan"],
                 d["difference_yuan"], "__gap__"]
            )  # fmt: skip
        preamble = [
            [
                _("Reconciliation of receipts, deposits and books %(station)s %(first)s to %(last)s")
                % {"station": station.name, "first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"}
            ]
        ]
        return _xlsx(
            _workbook(_("Reconciliation"), header, rows, preamble=preamble),
            f"reconciliation-{station.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx",
        )


# ------------------------------------------------------------------------ rural electricians
class RuralMixin(CashPage):
    def report(self):
        station = self.station()
        period = self.month()
        return station, selectors.rural_collections(user=self.request.user, station=station, period=period)


class RuralCollectionsView(RuralMixin, TemplateView):
    template_name = "collection/cash/rural.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        station, report = self.report()
        query = urlencode({"month": f"{report.period:%Y-%m}", "station": station.pk})
        ctx.update(
            report=report,
            station=station,
            stations=self.stations(),
            xlsx_url=reverse("collection:rural_collections_xlsx") + "?" + query,
        )
        return ctx


class RuralCollectionsXlsxView(RuralMixin, View):
    def get(self, request):
        station, report = self.report()
        header = [
            _("rural electrician"), _("transformer areas"), _("bills"), _("billed [yuan]"), _("paid [yuan]"),
            _("collected by the electrician [yuan]"), _("late fees collected [yuan]"),
            _("paid through other channels [yuan]"), _("outstanding [yuan]"), _("recovery rate [%]"),
            _("cash collected in the month [yuan]"), _("deposited [yuan]"), _("not deposited [yuan]"),
        ]  # fmt: skip
        rows = [
            [_person(r["electrician"]), " ".join(a.code for a in r["areas"]), r["bills"], r["billed_yuan"],
             r["paid_yuan"], r["paid_by_them_yuan"], r["late_fee_by_them_yuan"], r["paid_by_others_yuan"],
             r["outstanding_yuan"], r["recovery_percent"], r["collected_yuan"], r["deposited_yuan"],
             r["undeposited_yuan"]]
            + (["__gap__"] if r["undeposited_yuan"] else [])
            for r in report.rows
        ]  # fmt: skip
        t = report.totals
        rows.append(
            [_("Total"), "", t["bills"], t["billed_yuan"], t["paid_yuan"], t["paid_by_them_yuan"],
             t["late_fee_by_them_yuan"], t["paid_by_others_yuan"], t["outstanding_yuan"], t["recovery_percent"],
             t["collected_yuan"], t["deposited_yuan"], t["undeposited_yuan"]]
        )  # fmt: skip
        preamble = [
            [
                _("Rural electricians' collections %(station)s: bills of %(period)s, cash of %(month)s")
                % {
                    "station": station.name,
                    "period": f"{report.period:%Y-%m}",
                    "month": f"{report.collection_month:%Y-%m}",
                }
            ]
        ]
        return _xlsx(
            _workbook(_("Rural electricians"), header, rows, preamble=preamble),
            f"rural-electricians-{station.code}-{report.period:%Y%m}.xlsx",
        )
