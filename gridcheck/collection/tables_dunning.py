"""Tables of the dunning and disconnection lists (django-tables2)."""

from decimal import Decimal

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.models import Customer
from gridcheck.collection.models import Disconnection, DunningNotice
from gridcheck.core.tables import NUM, TEXT, BaseTable

BADGE = "collection/dunning/_status_badge.html"


def yuan(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


class DunningNoticeTable(BaseTable):
    number = tables.Column(linkify=True, verbose_name=_("notice number"))
    created_at = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("notice", "issued on"))
    customer = tables.Column(order_by=("customer__account_number",), attrs=TEXT)
    area = tables.Column(order_by=("area__code",))
    sequence = tables.Column(attrs=NUM)
    channel = tables.Column(attrs=TEXT)
    arrears_yuan = tables.Column(attrs=NUM)
    late_fee_yuan = tables.Column(attrs=NUM)
    pay_by = tables.DateColumn(format="Y-m-d")
    status = tables.TemplateColumn(template_name=BADGE, verbose_name=_("status"), order_by=("status",))

    class Meta(BaseTable.Meta):
        model = DunningNotice
        fields = (
            "number",
            "created_at",
            "customer",
            "area",
            "sequence",
            "channel",
            "arrears_yuan",
            "late_fee_yuan",
            "pay_by",
            "status",
        )
        empty_text = _("No dunning notices.")

    def render_arrears_yuan(self, value):
        return yuan(value)

    def render_late_fee_yuan(self, value):
        return yuan(value)


class DisconnectionTable(BaseTable):
    number = tables.Column(linkify=True)
    created_at = tables.DateColumn(format="Y-m-d", verbose_name=_("proposed on"))
    customer = tables.Column(order_by=("customer__account_number",))
    area = tables.Column(order_by=("area__code",))
    arrears_yuan = tables.Column(attrs=NUM)
    needs_county = tables.BooleanColumn(verbose_name=_("county approval"))
    cut_not_before = tables.DateColumn(format="Y-m-d")
    status = tables.TemplateColumn(template_name=BADGE, verbose_name=_("status"), order_by=("status",))

    class Meta(BaseTable.Meta):
        model = Disconnection
        fields = (
            "number",
            "created_at",
            "customer",
            "area",
            "arrears_yuan",
            "needs_county",
            "cut_not_before",
            "status",
        )
        empty_text = _("No disconnections for arrears.")

    def render_arrears_yuan(self, value):
        return yuan(value)


class DueTable(BaseTable):
    """The customers the schedule says get a notice today (rows of ``dunning_due``)."""

    account_number = tables.Column(verbose_name=_("account number"))
    name = tables.Column(verbose_name=_("customer name"))
    area = tables.Column(verbose_name=_("transformer area"), order_by=("area__code",))
    phone = tables.Column(verbose_name=_("phone"))
    oldest_due = tables.DateColumn(format="Y-m-d", verbose_name=_("oldest due date"))
    arrears_yuan = tables.Column(verbose_name=_("arrears [yuan]"), attrs=NUM)
    late_fee_yuan = tables.Column(verbose_name=_("late fee to date [yuan]"), attrs=NUM)
    last_notice_at = tables.DateTimeColumn(format="Y-m-d", verbose_name=_("last notice"), default="—")

    class Meta(BaseTable.Meta):
        model = Customer
        fields = (
            "account_number",
            "name",
            "area",
            "phone",
            "oldest_due",
            "arrears_yuan",
            "late_fee_yuan",
            "last_notice_at",
        )
        empty_text = _("No notice is due.")
        orderable = False

    def render_arrears_yuan(self, value):
        return yuan(value)

    def render_late_fee_yuan(self, value):
        return yuan(value)
