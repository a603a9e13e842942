"""Tables of the temporary-supply ledger and the unauthorised connections (django-tables2)."""

from decimal import Decimal

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import NUM, TEXT, BaseTable
from gridcheck.temporary_supply.models import TemporarySupply, UnauthorisedConnection


def yuan(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


class TemporarySupplyTable(BaseTable):
    number = tables.Column(linkify=True)
    applicant_name = tables.Column(attrs=TEXT)
    customer = tables.Column(order_by=("customer__account_number",), verbose_name=_("account"))
    area = tables.Column(order_by=("area__code",))
    capacity_kva = tables.Column(attrs=NUM)
    metering_mode = tables.Column(attrs=TEXT)
    start_on = tables.DateColumn(format="Y-m-d")
    end_on = tables.DateColumn(format="Y-m-d")
    prepayment_yuan = tables.Column(attrs=NUM)
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = TemporarySupply
        fields = (
            "number",
            "applicant_name",
            "customer",
            "area",
            "capacity_kva",
            "metering_mode",
            "start_on",
            "end_on",
            "prepayment_yuan",
            "status",
        )
        empty_text = _("No temporary supplies.")

    def render_customer(self, record):
        return record.customer.account_number

    def render_prepayment_yuan(self, value):
        return yuan(value)


class UnauthorisedConnectionTable(BaseTable):
    found_on = tables.DateColumn(format="Y-m-d")
    station = tables.Column(order_by=("station__code",))
    address = tables.Column(attrs=TEXT)
    connected_by = tables.Column()
    staff = tables.Column(order_by=("staff__username",))
    fine_yuan = tables.Column(attrs=NUM)
    case = tables.Column(linkify=True, order_by=("case__number",))
    supply = tables.Column(linkify=True, order_by=("supply__number",))
    facts = tables.Column(orderable=False, attrs=TEXT)

    class Meta(BaseTable.Meta):
        model = UnauthorisedConnection
        fields = (
            "found_on",
            "station",
            "address",
            "connected_by",
            "staff",
            "fine_yuan",
            "case",
            "supply",
            "facts",
        )
        empty_text = _("No unauthorised connections.")

    def render_fine_yuan(self, value):
        return yuan(value)

    def render_supply(self, record):
        return record.supply.number
