"""Pages of payments: a customer's account and statement, the counter payment, payment list and detail with
the receipt, bank file import, reversals with the head's decision, the month close.

Scoping: an object outside the user's station (or areas) is a 404. Reading needs ``view_collection``
(``AccessMiddleware``); each form shows only to those with its capability and the services check again:
their refusals are shown as messages or form errors, never as an error page.
"""

import datetime
import io
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from gridcheck.archive.models import Customer, Station
from gridcheck.collection import statements
from gridcheck.collection.choices import DecisionStatus, PaymentStatus, ReceivableStatus
from gridcheck.collection.filtersets_payments import (
    AccountFilterSet,
    BankFileFilterSet,
    PaymentFilterSet,
    ReversalFilterSet,
)
from gridcheck.collection.forms_payments import (
    BankFileForm,
    DecisionForm,
    MonthCloseForm,
    PaymentForm,
    ReversalRequestForm,
)
from gridcheck.collection.models import BankFile, MonthClose, Payment, Reversal
from gridcheck.collection.selectors import payments as selectors
from gridcheck.collection.services import bankfiles, reversals
from gridcheck.collection.services.payments import payment_post
from gridcheck.collection.tables_payments import (
    AccountTable,
    BankFileTable,
    PaymentTable,
    ReversalTable,
    status_badge,
)
from gridcheck.core.exports import XLSX_CONTENT_TYPE
from gridcheck.core.generic import (
    ScopedListView,
    ScopedPage,
    StepView,
    error_messages,
)
from gridcheck.core.roles import APPROVE_STATION, COLLECT, MANAGE_COLLECTION, VIEW_COLLECTION, has_capability
from gridcheck.core.scoping import scope_queryset, scoped
from gridcheck.core.uploads import upload_accept

STATUS_LABELS = {
    "Payment": dict(PaymentStatus.choices),
    "Reversal": dict(DecisionStatus.choices),
    "Receivable": dict(ReceivableStatus.choices),
}


def _events(subject) -> list[dict]:
    labels = STATUS_LABELS.get(type(subject).__name__, {})
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "from": labels.get(e.from_status, e.from_status) if e.from_status else "",
            "to": labels.get(e.to_status, e.to_status),
            "note": e.note,
        }
        for e in selectors.events_of(subject)
    ]


def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(
                field if field in form.fields and not form.fields[field].widget.is_hidden else None, errors
            )
    else:
        form.add_error(None, error)


def _download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


class CollectionPage(ScopedPage):
    required_capability = VIEW_COLLECTION

    def customer(self):
        return self.scoped_object(
            Customer,
            pk=self.kwargs["customer_pk"],
            queryset=Customer.objects.select_related("station__company", "area"),
        )


# ---------------------------------------------------------------------------------------------- accounts
class AccountListView(ScopedListView):
    model = Customer
    filterset_class = AccountFilterSet
    table_class = AccountTable
    title = gettext_lazy("Customer accounts")
    search_placeholder = gettext_lazy("Account number or customer name")
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return Customer.objects.select_related("area").order_by("account_number")


class AccountDetailView(CollectionPage, TemplateView):
    template_name = "collection/payments/account_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.customer()
        today = timezone.localdate()
        bills = selectors.open_bills(customer, today)
        statement = selectors.account_statement(customer)
        ctx.update(
            customer=customer,
            account=selectors.account_of(customer),
            open_bills=bills,
            owed_yuan=sum((b.balance_yuan for b in bills), 0),
            fee_yuan=sum((b.late_fee_yuan for b in bills), 0),
            total_yuan=sum((b.total_yuan for b in bills), 0),
            statement=statement,
            today=today,
            can_collect=has_capability(self.request.user, COLLECT),
        )
        return ctx


class AccountStatementPdfView(CollectionPage, View):
    def get(self, request, customer_pk):
        customer = self.customer()
        name = f"电费对账单-{customer.account_number}-{timezone.localdate():%Y%m%d}.pdf"
        return _download(statements.statement_pdf(customer), name, "application/pdf", inline=True)


# ---------------------------------------------------------------------------------------------- payments
class PaymentCreateView(CollectionPage, TemplateView):
    """The counter (or the electrician's phone): the balance, open bills with the fee to date, the form.

    The form carries a submission key made when it is rendered: submitting it twice posts once.
    """

    template_name = "collection/payments/payment_form.html"
    action_capability = COLLECT

    def render(self, customer, form):
        today = timezone.localdate()
        bills = selectors.open_bills(customer, today)
        total = sum((b.total_yuan for b in bills), 0)
        return self.render_to_response(
            self.get_context_data(
                customer=customer,
                account=selectors.account_of(customer),
                open_bills=bills,
                owed_yuan=sum((b.balance_yuan for b in bills), 0),
                total_yuan=total,
                today=today,
                form=form,
            )
        )

    @staticmethod
    def owed(customer):
        bills = selectors.open_bills(customer, timezone.localdate())
        return sum((b.balance_yuan + selectors.fee_owed(b.receivable) for b in bills), 0)

    def get(self, request, *args, **kwargs):
        customer = self.customer()
        bills = selectors.open_bills(customer, timezone.localdate())
        total = sum((b.total_yuan for b in bills), 0)
        form = PaymentForm(
            initial={
                "idempotency_key": f"web:{uuid.uuid4().hex}",
                "expected_balance_yuan": f"{self.owed(customer):.2f}",
                "amount_yuan": f"{total:.2f}" if total else "",
            }
        )
        return self.render(customer, form)

    def post(self, request, *args, **kwargs):
        customer = self.customer()
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = payment_post(
                    user=request.user,
                    customer=customer,
                    amount_yuan=data["amount_yuan"],
                    channel=data["channel"],
                    idempotency_key=data["idempotency_key"],
                    receipt_number=data["receipt_number"],
                    kind=data["kind"],
                    note=data["note"],
                    expected_balance_yuan=data["expected_balance_yuan"] if data["kind"] == "bills" else None,
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
                # The page shows the balance as it is now: the next submit is checked against it.
                form.data = request.POST.copy()
                form.data["expected_balance_yuan"] = f"{self.owed(customer):.2f}"
            else:
                messages.success(
                    request,
                    _("Payment %(number)s posted: %(amount)s yuan.")
                    % {"number": payment.number, "amount": f"{payment.amount_yuan:.2f}"},
                )
                return redirect(payment)
        return self.render(customer, form)


class PaymentListView(ScopedListView):
    model = Payment
    filterset_class = PaymentFilterSet
    table_class = PaymentTable
    title = gettext_lazy("Payments")
    search_placeholder = gettext_lazy("Payment, account or receipt number")
    template_name = "collection/payments/payment_list.html"
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return Payment.objects.select_related("customer", "collector")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_queryset())
            queryset = (
                filterset.qs if (not filterset.is_bound or filterset.is_valid()) else Payment.objects.none()
            )
            name = f"{_('Payments')}-{timezone.localdate():%Y%m%d}.xlsx"
            return _download(_payments_xlsx(queryset), name, XLSX_CONTENT_TYPE)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["export_url"] = True
        return ctx


XLSX_HEADERS = [
    "缴费编号",
    "收费时间",
    "户号",
    "户名",
    "渠道",
    "金额",
    "其中电费",
    "其中违约金",
    "转预存",
    "收费员",
    "收据号",
    "银行流水号",
    "状态",
]


def _payments_xlsx(queryset) -> bytes:
    from openpyxl import Workbook

    from gridcheck.core.exports import FORMULA_TRIGGERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("缴费")
    sheet.append(XLSX_HEADERS)

    def text(value):
        value = str(value or "")
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value

    for p in queryset.order_by("-received_at", "-pk").iterator(chunk_size=2000):
        sheet.append(
            [
                p.number,
                timezone.localtime(p.received_at).strftime("%Y-%m-%d %H:%M"),
                text(p.customer.account_number),
                text(p.customer.name),
                str(p.get_channel_display()),
                p.amount_yuan,
                p.principal_yuan,
                p.late_fee_yuan,
                p.credit_yuan,
                text(p.collector or ""),
                text(p.receipt_number),
                text(p.bank_serial),
                str(p.get_status_display()),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class PaymentDetailView(CollectionPage, TemplateView):
    template_name = "collection/payments/payment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        payment = self.scoped_object(
            Payment, queryset=Payment.objects.select_related("customer", "collector", "bank_file")
        )
        allocations = list(payment.allocations.select_related("receivable__bill").order_by("pk"))
        user = self.request.user
        ctx.update(
            payment=payment,
            object=payment,
            status_badge=status_badge(payment),
            allocations=allocations,
            events=_events(payment),
            reversals=list(payment.reversals.select_related("requested_by", "decided_by")),
            can_request=payment.status == PaymentStatus.POSTED
            and (has_capability(user, COLLECT) or has_capability(user, MANAGE_COLLECTION)),
            reversal_form=ReversalRequestForm(),
        )
        return ctx


class PaymentReceiptPdfView(CollectionPage, View):
    def get(self, request, pk):
        payment = self.scoped_object(
            Payment, queryset=Payment.objects.select_related("customer", "collector")
        )
        name = f"电费收据-{payment.number}.pdf"
        return _download(statements.receipt_pdf(payment), name, "application/pdf", inline=True)


class ActionView(CollectionPage, StepView):
    """POST one step with ``form_class``: ``run(request, obj, data)`` may return the record to show next."""

    form_class = None

    def post(self, request, pk):
        obj = self.scoped_object(self.model)
        try:
            result = self.run(request, obj, self.form(self.form_class))
        except (PermissionDenied, ValidationError) as error:
            error_messages(request, error)
            return redirect(obj.get_absolute_url())
        return redirect(result.get_absolute_url() if result is not None else obj.get_absolute_url())


class ReversalRequestView(ActionView):
    model = Payment
    form_class = ReversalRequestForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            has_capability(user, COLLECT) or has_capability(user, MANAGE_COLLECTION)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def run(self, request, payment, data):
        reversal = reversals.reversal_request(user=request.user, payment=payment, reason=data["reason"])
        messages.success(request, _("Reversal requested: it waits for the station head's approval."))
        return reversal


# ---------------------------------------------------------------------------------------------- reversals
class ReversalListView(ScopedListView):
    model = Reversal
    filterset_class = ReversalFilterSet
    table_class = ReversalTable
    title = gettext_lazy("Reversals")
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return Reversal.objects.select_related("payment__customer", "requested_by")


class ReversalDetailView(CollectionPage, TemplateView):
    template_name = "collection/payments/reversal_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        reversal = self.scoped_object(
            Reversal,
            queryset=Reversal.objects.select_related("payment__customer", "requested_by", "decided_by"),
        )
        ctx.update(
            reversal=reversal,
            payment=reversal.payment,
            status_badge=status_badge(reversal),
            allocations=list(reversal.payment.allocations.select_related("receivable__bill").order_by("pk")),
            events=_events(reversal),
            pending=reversal.status == DecisionStatus.PENDING,
            can_approve=has_capability(user, APPROVE_STATION),
            is_requester=user.pk == reversal.requested_by_id,
            decision_form=DecisionForm(),
        )
        return ctx


class ReversalDecideView(ActionView):
    model = Reversal
    form_class = DecisionForm
    action_capability = APPROVE_STATION

    def run(self, request, reversal, data):
        reversals.reversal_decide(
            user=request.user,
            reversal=reversal,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        messages.success(request, _("Decision recorded."))


# ---------------------------------------------------------------------------------------------- bank files
class BankFileListView(ScopedListView):
    model = BankFile
    filterset_class = BankFileFilterSet
    table_class = BankFileTable
    title = gettext_lazy("Bank files")
    template_name = "collection/payments/bank_file_list.html"
    required_capability = VIEW_COLLECTION

    def get_base_queryset(self):
        return BankFile.objects.select_related("imported_by")


class BankFileUploadView(CollectionPage, TemplateView):
    template_name = "collection/payments/bank_file_form.html"
    action_capability = MANAGE_COLLECTION

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=BankFileForm()))

    def post(self, request, *args, **kwargs):
        form = BankFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
            try:
                accepted = upload_accept(upload, kind=kind, max_bytes=bankfiles.MAX_BYTES)
                upload.seek(0)
                bank_file = bankfiles.bank_file_import(
                    user=request.user,
                    upload=(accepted.original_name, upload.read()),
                    bank=form.cleaned_data["bank"],
                    channel=form.cleaned_data["channel"],
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(file)s imported: %(posted)s rows posted (%(total)s yuan), %(unmatched)s rows not posted."
                    )
                    % {
                        "file": bank_file.file_name,
                        "posted": bank_file.matched_rows,
                        "total": f"{bank_file.total_yuan:.2f}",
                        "unmatched": bank_file.unmatched_rows,
                    },
                )
                return redirect(bank_file)
        return self.render_to_response(self.get_context_data(form=form))


class BankFileDetailView(CollectionPage, TemplateView):
    template_name = "collection/payments/bank_file_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        bank_file = self.scoped_object(BankFile, queryset=BankFile.objects.select_related("imported_by"))
        ctx.update(
            bank_file=bank_file,
            unmatched=list(bank_file.unmatched.all()[:2000]),
            payments=list(
                scope_queryset(bank_file.payments.select_related("customer"), self.request.user).order_by(
                    "pk"
                )[:200]
            ),
            payments_url=reverse("collection:payment_list") + f"?bank_file={bank_file.pk}",
        )
        return ctx


# ---------------------------------------------------------------------------------------------- month close
class MonthCloseView(CollectionPage, TemplateView):
    template_name = "collection/payments/month_close.html"

    def stations(self):
        return scoped(Station, self.request.user).order_by("code")

    def render(self, form):
        closes = scope_queryset(MonthClose.objects.select_related("station", "closed_by"), self.request.user)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                closes=list(closes.order_by("-month", "station__code")[:48]),
                can_close=has_capability(self.request.user, MANAGE_COLLECTION),
            )
        )

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        stations = self.stations()
        initial = {"month": f"{last:%Y-%m}"}
        if request.user.station_id:
            initial["station"] = request.user.station_id
        return self.render(MonthCloseForm(initial=initial, stations=stations))

    def post(self, request, *args, **kwargs):
        if not has_capability(request.user, MANAGE_COLLECTION):
            raise PermissionDenied
        form = MonthCloseForm(request.POST, stations=self.stations())
        if form.is_valid():
            try:
                closed = reversals.month_close(
                    user=request.user, station=form.cleaned_data["station"], month=form.cleaned_data["month"]
                )
            except (PermissionDenied, ValidationError) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _("%(station)s: the collection month %(month)s is closed.")
                    % {"station": closed.station.name, "month": f"{closed.month:%Y-%m}"},
                )
                return redirect("collection:month_close")
        return self.render(form)


__all__ = [
    "AccountDetailView",
    "AccountListView",
    "AccountStatementPdfView",
    "BankFileDetailView",
    "BankFileListView",
    "BankFileUploadView",
    "MonthCloseView",
    "PaymentCreateView",
    "PaymentDetailView",
    "PaymentListView",
    "PaymentReceiptPdfView",
    "ReversalDecideView",
    "ReversalDetailView",
    "ReversalListView",
    "ReversalRequestView",
]
