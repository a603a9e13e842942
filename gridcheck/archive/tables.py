"""Tables of the archive list pages (django-tables2): compact, sortable by column header."""

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Customer, ImportBatch, Line, Meter, MeteringPoint, Station, Tariff
from gridcheck.core.registries import imports
from gridcheck.core.tables import ATTRS, BaseTable, class_badge


class StationTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    company = tables.Column()
    address = tables.Column()
    phone = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Station
        fields = ("code", "name", "company", "address", "phone")


class LineTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    station = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Line
        fields = ("code", "name", "station", "voltage_kv", "substation")


class AreaTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    line = tables.Column(linkify=True)
    station = tables.Column(linkify=True)
    owner = tables.Column()

    class Meta(BaseTable.Meta):
        model = Area
        fields = ("code", "name", "station", "line", "capacity_kva", "owner")


class CustomerTable(BaseTable):
    account_number = tables.Column(linkify=True, attrs={"td": {"class": "gc-mono"}})
    name = tables.Column(linkify=True, order_by=("name", "account_number"))
    area = tables.Column(linkify=True, order_by=("area__code", "account_number"))
    station = tables.Column(order_by=("station__code", "account_number"))
    category = tables.Column(order_by=("category", "account_number"))
    inspection_class = tables.Column(order_by=("inspection_class", "account_number"))
    contracted_capacity_kva = tables.Column(order_by=("contracted_capacity_kva", "account_number"))
    status = tables.Column(order_by=("status", "account_number"))
    flags = tables.Column(verbose_name=_("Flags"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Customer
        fields = (
            "account_number",
            "name",
            "station",
            "area",
            "category",
            "voltage_level",
            "contracted_capacity_kva",
            "inspection_class",
            "status",
            "flags",
        )

    def render_inspection_class(self, value, record):
        return class_badge(record.inspection_class, value)

    def render_status(self, value, record):
        return status_badge(record.status, value)

    def render_flags(self, record):
        return flag_badges(record)


def status_badge(value: str, label: str):
    css = {"active": "success", "in_service": "success", "suspended": "warning", "removed": "secondary"}.get(
        value, "secondary"
    )
    return format_html('<span class="badge text-bg-{} gc-badge-status">{}</span>', css, label)


def flag_badges(customer):
    parts = []
    if customer.is_high_risk:
        parts.append(format_html('<span class="badge text-bg-danger">{}</span>', _("High-risk")))
    if customer.is_important:
        parts.append(format_html('<span class="badge text-bg-primary">{}</span>', _("Important")))
    return format_html(" ".join(["{}"] * len(parts)), *parts) if parts else "—"


class MeteringPointTable(BaseTable):
    code = tables.Column(linkify=True)
    customer = tables.Column(linkify=True, order_by=("customer__account_number", "code"))
    multiplier = tables.Column(attrs={"td": {"class": "fw-semibold"}})

    class Meta(BaseTable.Meta):
        model = MeteringPoint
        fields = ("code", "name", "customer", "ct_ratio", "pt_ratio", "multiplier")


class MeterTable(BaseTable):
    asset_number = tables.Column(linkify=True, attrs={"td": {"class": "gc-mono"}})
    metering_point = tables.Column(linkify=True, order_by=("metering_point__code", "asset_number"))
    customer = tables.Column(
        accessor="metering_point__customer",
        verbose_name=_("customer"),
        linkify=lambda record: record.metering_point.customer.get_absolute_url(),
        order_by=("metering_point__customer__account_number", "asset_number"),
    )
    current_rating = tables.Column(verbose_name=_("Current rating"), orderable=False)
    multiplier = tables.Column(accessor="metering_point__multiplier", verbose_name=_("multiplier"))
    install_date = tables.DateColumn(format="Y-m-d")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Meter
        fields = (
            "asset_number",
            "customer",
            "metering_point",
            "phase",
            "accuracy_class",
            "current_rating",
            "multiplier",
            "install_date",
            "status",
        )

    def render_status(self, value, record):
        return status_badge(record.status, value)


class TariffTable(BaseTable):
    is_time_of_use = tables.BooleanColumn(yesno=(_("Yes"), _("No")))
    effective_from = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = Tariff
        fields = (
            "code",
            "name",
            "category",
            "voltage_level",
            "price_yuan_per_kwh",
            "is_time_of_use",
            "effective_from",
            "source",
        )


class CountColumn(tables.Column):
    """A count, right-aligned, with thousands separators."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return intcomma(value)


class ImportBatchTable(BaseTable):
    """The import history: when, what, which file, how it went, and the row counts."""

    created_at = tables.DateTimeColumn(
        format="Y-m-d H:i", verbose_name=_("Time"), attrs={"td": {"class": "text-nowrap"}}
    )
    entity = tables.Column(verbose_name=_("What"))
    file_name = tables.Column(
        verbose_name=_("File"), linkify=("archive:importbatch_detail", {"pk": tables.A("pk")})
    )
    status = tables.Column(verbose_name=_("Status"))
    rows_total = CountColumn(verbose_name=_("Rows"))
    rows_created = CountColumn(verbose_name=_("Created"))
    rows_updated = CountColumn(verbose_name=_("Updated"))
    rows_unchanged = CountColumn(verbose_name=_("Unchanged"))
    started_by = tables.Column(verbose_name=_("By"), default=_("system"), orderable=False)
    station = tables.Column(verbose_name=_("Station"), default="—", order_by=("station__code", "-created_at"))

    class Meta(BaseTable.Meta):
        model = ImportBatch
        fields = (
            "created_at",
            "entity",
            "file_name",
            "status",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "started_by",
            "station",
        )
        attrs = {**ATTRS, "data-testid": "batch-table"}
        empty_text = _("No imports yet.")

    def render_entity(self, value):
        return imports[value].label if value in imports else value

    def render_status(self, value, record):
        colour = "success" if record.status == ImportBatch.Status.SUCCEEDED else "danger"
        return format_html('<span class="badge text-bg-{}">{}</span>', colour, value)
