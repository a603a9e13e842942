"""Tables of the contract register and of the customers without a contract (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Customer
from gridcheck.contracts.choices import IN_FORCE_STATUSES, ContractStatus
from gridcheck.contracts.models import Contract
from gridcheck.core.links import record_url
from gridcheck.core.roles import MANAGE_CONTRACTS, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.tables import BaseTable

STATUS_CSS = {
    ContractStatus.DRAFT: "text-bg-secondary",
    ContractStatus.SIGNED: "text-bg-info",
    ContractStatus.IN_FORCE: "text-bg-success",
    ContractStatus.EXTENDED: "text-bg-success",
    ContractStatus.EXPIRED: "text-bg-danger",
    ContractStatus.TERMINATED: "text-bg-dark",
    ContractStatus.SUPERSEDED: "text-bg-light border",
}


def contract_status_badge(status: str, label: str):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CSS.get(status, "text-bg-light"),
        status,
        label,
    )


class ContractTable(BaseTable):
    number = tables.Column(linkify=lambda record: reverse("contracts:contract_detail", args=[record.pk]))
    customer = tables.Column(
        verbose_name=_("customer"), order_by=("customer__account_number",), accessor="customer__name"
    )
    account = tables.Column(
        verbose_name=_("account number"),
        accessor="customer__account_number",
        attrs={"td": {"class": "gc-mono"}},
    )
    station = tables.Column(order_by=("station__code", "number"))
    kind = tables.Column(order_by=("kind", "number"))
    valid_from = tables.DateColumn(format="Y-m-d")
    valid_to = tables.DateColumn(format="Y-m-d")
    status = tables.Column(order_by=("status", "number"))

    class Meta(BaseTable.Meta):
        model = Contract
        fields = ("number", "account", "customer", "station", "kind", "valid_from", "valid_to", "status")

    def render_status(self, value, record):
        return contract_status_badge(record.status, value)

    def render_valid_to(self, value, record):
        today = timezone.localdate()
        window = rule_int("contracts.expiry_reminder_days", on=today)
        if record.status in IN_FORCE_STATUSES and (value - today).days <= window:
            return format_html(
                '<span class="text-danger fw-semibold" data-expiring="1">{}</span>', f"{value:%Y-%m-%d}"
            )
        return f"{value:%Y-%m-%d}"


def _missing_contract_link(record, table) -> str:
    """A contract drafted for the customer, for whoever may draft one; the customer's page for the others
    (who would meet a refusal)."""
    if not hasattr(table, "_may_draft"):
        request = getattr(table, "request", None)
        table._may_draft = request is not None and has_capability(request.user, MANAGE_CONTRACTS)
    if table._may_draft:
        return reverse("contracts:contract_draft") + f"?customer={record.pk}"
    return record_url("archive:customer_detail", record.pk)


class MissingContractTable(BaseTable):
    account_number = tables.Column(
        linkify=_missing_contract_link,
        attrs={"td": {"class": "gc-mono"}},
    )
    name = tables.Column(order_by=("name", "account_number"))
    station = tables.Column(order_by=("station__code", "account_number"))
    area = tables.Column(order_by=("area__code", "account_number"))
    category = tables.Column(order_by=("category", "account_number"))
    contracted_capacity_kva = tables.Column(order_by=("contracted_capacity_kva", "account_number"))

    class Meta(BaseTable.Meta):
        model = Customer
        fields = ("account_number", "name", "station", "area", "category", "contracted_capacity_kva")
