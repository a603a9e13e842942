"""Tables of the cash lists (django-tables2); badges and money are rendered by templates, not in Python."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.collection.models import BankDeposit, ReceiptStock
from gridcheck.core.tables import NUM, BaseTable

BADGE_TEMPLATE = "collection/cash/_status_badge.html"


class StockTable(BaseTable):
    range = tables.Column(
        verbose_name=_("numbers"),
        accessor="pk",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("series", "first_number"),
    )
    kind = tables.Column()
    station = tables.Column()
    holder = tables.Column(order_by=("holder__username",))
    issued_by = tables.Column()
    created_at = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("receipt stock", "issued on"))
    status = tables.TemplateColumn(template_name=BADGE_TEMPLATE, verbose_name=_("status"))

    class Meta(BaseTable.Meta):
        model = ReceiptStock
        fields = ("range", "kind", "station", "holder", "issued_by", "created_at", "status")
        empty_text = _("No receipt or invoice stock.")

    def render_range(self, record):
        return str(record)


class DepositTable(BaseTable):
    slip_number = tables.Column()
    collector = tables.Column(order_by=("collector__username",))
    collection_day = tables.DateColumn(format="Y-m-d")
    deposited_on = tables.DateColumn(format="Y-m-d")
    amount_yuan = tables.TemplateColumn(
        template_name="collection/cash/_yuan_cell.html", verbose_name=_("amount [yuan]"), attrs=NUM
    )
    bank = tables.Column()
    status = tables.TemplateColumn(template_name=BADGE_TEMPLATE, verbose_name=_("status"))
    remitted_on = tables.DateColumn(format="Y-m-d")
    remittance_reference = tables.Column()

    class Meta(BaseTable.Meta):
        model = BankDeposit
        fields = (
            "slip_number",
            "collector",
            "collection_day",
            "deposited_on",
            "amount_yuan",
            "bank",
            "status",
            "remitted_on",
            "remittance_reference",
        )
        empty_text = _("No bank deposits.")
