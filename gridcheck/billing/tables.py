"""Tables of the billing lists (django-tables2)."""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from gridcheck.billing.choices import ReviewFlag
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    CategoryChange,
    ReaderAnomaly,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.core.tables import NUM, TEXT, BaseTable

BADGE = {
    # bills
    "draft": "text-bg-light border",
    "checked": "text-bg-info",
    "issued": "text-bg-success",
    "adjusted": "text-bg-primary",
    # applications
    "pending": "text-bg-warning",
    "approved": "text-bg-success",
    "rejected": "text-bg-danger",
    # cycles
    "open": "text-bg-warning",
    "billed": "text-bg-info",
    "closed": "text-bg-secondary",
    # anomalies
    "work_order": "text-bg-info",
    "resolved": "text-bg-success",
}


def status_badge(obj):
    """The status of a bill, cycle, application or anomaly as a coloured badge (escaped)."""
    badge = BADGE.get(obj.status, "text-bg-light border")
    if obj.status == "checked" and not isinstance(obj, Bill):
        badge = "text-bg-info"
    return format_html('<span class="badge {}">{}</span>', badge, obj.get_status_display())


def yuan(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def kwh(value) -> str:
    return "—" if value is None else f"{Decimal(value):,.0f}"


def flag_labels(flags) -> list[str]:
    """Review flags in words (an unknown key is shown as it is)."""
    labels = dict(ReviewFlag.choices)
    return [str(labels.get(flag, flag)) for flag in flags or []]


def flag_badges(flags):
    return format_html_join(
        " ",
        '<span class="badge text-bg-warning text-wrap">{}</span>',
        ((label,) for label in flag_labels(flags)),
    )


class BookTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column()
    station = tables.Column()
    reading_day = tables.Column()
    cycle_months = tables.Column(verbose_name=_("reading cycle"))
    reader = tables.Column(order_by=("reader__username",))

    class Meta(BaseTable.Meta):
        model = ReadingBook
        fields = ("code", "name", "station", "reading_day", "cycle_months", "reader")
        empty_text = _("No reading books.")

    def render_reading_day(self, value):
        return _("day %(day)s of the month") % {"day": value}

    def render_cycle_months(self, value):
        return _("every month") if value == 1 else _("every %(n)s months") % {"n": value}


class CycleTable(BaseTable):
    book = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("book__code",))
    period = tables.DateColumn(format="Y-m", verbose_name=_("billing month"))
    reading_date = tables.DateColumn(format="Y-m-d")
    station = tables.Column()
    status = tables.Column()
    rate = tables.Column(verbose_name=_("actual-reading rate"), accessor="pk", orderable=False, attrs=NUM)

    class Meta(BaseTable.Meta):
        model = ReadingCycle
        fields = ("book", "period", "reading_date", "station", "status", "rate")
        empty_text = _("No reading cycles.")

    def render_status(self, record):
        return status_badge(record)

    def render_rate(self, record):
        """From the counts :func:`gridcheck.billing.selectors.with_reading_counts` annotates."""
        if not record.meters_due:
            return "—"
        return f"{Decimal(record.meters_read_actual * 100) / record.meters_due:.2f} %"


class BillTable(BaseTable):
    number = tables.Column(linkify=True)
    customer = tables.Column(order_by=("customer__account_number",), attrs=TEXT)
    area = tables.Column(order_by=("area__code",))
    period = tables.DateColumn(format="Y-m", verbose_name=_("billing month"))
    tariff_name = tables.Column(attrs=TEXT)
    energy_kwh = tables.Column(verbose_name=_("energy [kWh]"), attrs=NUM)
    total_yuan = tables.Column(verbose_name=_("amount [yuan]"), attrs=NUM)
    status = tables.Column()
    review_flags = tables.Column(verbose_name=_("review list"), orderable=False)

    class Meta(BaseTable.Meta):
        model = Bill
        fields = (
            "number",
            "customer",
            "area",
            "period",
            "tariff_name",
            "energy_kwh",
            "total_yuan",
            "status",
            "review_flags",
        )
        empty_text = _("No bills.")

    def render_energy_kwh(self, value):
        return kwh(value)

    def render_total_yuan(self, record):
        if record.adjusted_total_yuan is not None:
            return format_html(
                '<del class="text-secondary">{}</del> {}',
                yuan(record.total_yuan),
                yuan(record.adjusted_total_yuan),
            )
        return yuan(record.total_yuan)

    def render_status(self, record):
        return status_badge(record)

    def render_review_flags(self, value):
        return flag_badges(value) if value else "—"


class AdjustmentTable(BaseTable):
    pk = tables.Column(verbose_name=_("application"), linkify=lambda record: record.get_absolute_url())
    bill = tables.Column(order_by=("bill__number",))
    customer = tables.Column(accessor="bill__customer", verbose_name=_("customer"), orderable=False)
    kind = tables.Column()
    amount_yuan = tables.Column(attrs=NUM)
    status = tables.Column()
    prepared_by = tables.Column()
    created_at = tables.DateColumn(format="Y-m-d", verbose_name=_("prepared on"))

    class Meta(BaseTable.Meta):
        model = BillAdjustment
        fields = ("pk", "bill", "customer", "kind", "amount_yuan", "status", "prepared_by", "created_at")
        empty_text = _("No refunds or back-bills.")

    def render_pk(self, record):
        return _("Refund or back-bill %(pk)s") % {"pk": record.pk}

    def render_amount_yuan(self, value):
        return yuan(value)

    def render_status(self, record):
        return status_badge(record)


class CategoryChangeTable(BaseTable):
    pk = tables.Column(verbose_name=_("application"), linkify=lambda record: record.get_absolute_url())
    customer = tables.Column(order_by=("customer__account_number",))
    old_tariff_code = tables.Column()
    new_tariff_code = tables.Column()
    effective_on = tables.DateColumn(format="Y-m-d")
    status = tables.Column()
    applied_by = tables.Column()

    class Meta(BaseTable.Meta):
        model = CategoryChange
        fields = (
            "pk",
            "customer",
            "old_tariff_code",
            "new_tariff_code",
            "effective_on",
            "status",
            "applied_by",
        )
        empty_text = _("No category changes.")

    def render_pk(self, record):
        return _("Application %(pk)s") % {"pk": record.pk}

    def render_status(self, record):
        return status_badge(record)


class AnomalyTable(BaseTable):
    found_on = tables.DateColumn(
        format="Y-m-d", linkify=lambda record: reverse("billing:anomaly_detail", args=[record.pk])
    )
    customer = tables.Column(order_by=("customer__account_number",))
    meter = tables.Column(order_by=("meter__asset_number",))
    kind = tables.Column()
    status = tables.Column()
    suspected_theft = tables.BooleanColumn(yesno=(_("suspicious"), ""))
    reported_by = tables.Column()

    class Meta(BaseTable.Meta):
        model = ReaderAnomaly
        fields = ("found_on", "customer", "meter", "kind", "status", "suspected_theft", "reported_by")
        empty_text = _("No reading anomalies.")

    def render_meter(self, value):
        return value.asset_number

    def render_status(self, record):
        return status_badge(record)

    def render_reported_by(self, record, value):
        return _("VEE run") if record.by_vee else value
