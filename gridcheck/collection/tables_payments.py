"""Tables of the payment, bank file, reversal and account lists (django-tables2)."""

from decimal import Decimal

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Customer
from gridcheck.collection.models import BankFile, Payment, Reversal
from gridcheck.core.tables import NUM, BaseTable

BADGE = {
    "posted": "text-bg-success",
    "reversal_pending": "text-bg-warning",
    "reversed": "text-bg-secondary",
    "pending": "text-bg-warning",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    "open": "text-bg-warning",
    "paid": "text-bg-success",
}


def status_badge(obj):
    """The status of a payment, reversal or receivable as a coloured badge (escaped)."""
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGE.get(obj.status, "text-bg-light border"),
        obj.get_status_display(),
    )


def yuan(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return yuan(value)


class PaymentTable(BaseTable):
    number = tables.Column(linkify=True)
    received_at = tables.DateTimeColumn(format="Y-m-d H:i")
    customer = tables.Column(order_by=("customer__account_number",))
    channel = tables.Column()
    amount_yuan = MoneyColumn()
    late_fee_yuan = MoneyColumn()
    collector = tables.Column(order_by=("collector__username",))
    receipt_number = tables.Column()
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Payment
        fields = (
            "number",
            "received_at",
            "customer",
            "channel",
            "amount_yuan",
            "late_fee_yuan",
            "collector",
            "receipt_number",
            "status",
        )

    def render_customer(self, record):
        return f"{record.customer.account_number} {record.customer.name}"

    def render_status(self, record):
        return status_badge(record)


class ReversalTable(BaseTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("requested at"), linkify=True)
    payment = tables.Column(order_by=("payment__number",))
    customer = tables.Column(accessor="payment__customer", verbose_name=_("customer"), orderable=False)
    amount = MoneyColumn(accessor="payment__amount_yuan", verbose_name=_("amount [yuan]"), orderable=False)
    requested_by = tables.Column()
    days_after_receipt = tables.Column(attrs=NUM)
    suspicious = tables.BooleanColumn(yesno=(str(_("Suspicious")), ""))
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Reversal
        fields = (
            "created_at",
            "payment",
            "customer",
            "amount",
            "requested_by",
            "days_after_receipt",
            "suspicious",
            "status",
        )

    def render_payment(self, record):
        return record.payment.number

    def render_customer(self, record):
        return f"{record.payment.customer.account_number} {record.payment.customer.name}"

    def render_status(self, record):
        return status_badge(record)


class BankFileTable(BaseTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("imported at"))
    file_name = tables.Column(linkify=True)
    bank = tables.Column()
    channel = tables.Column()
    rows = tables.Column(attrs=NUM)
    matched_rows = tables.Column(attrs=NUM)
    unmatched_rows = tables.Column(attrs=NUM)
    total_yuan = MoneyColumn()
    imported_by = tables.Column()

    class Meta(BaseTable.Meta):
        model = BankFile
        fields = (
            "created_at",
            "file_name",
            "bank",
            "channel",
            "rows",
            "matched_rows",
            "unmatched_rows",
            "total_yuan",
            "imported_by",
        )


class AccountTable(BaseTable):
    account_number = tables.Column(
        linkify=("collection:account_detail", {"customer_pk": tables.A("pk")}),
        verbose_name=_("account number"),
    )
    name = tables.Column()
    area = tables.Column(order_by=("area__code",))
    address = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Customer
        fields = ("account_number", "name", "area", "address")
