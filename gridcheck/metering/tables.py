"""Tables of the ledger's lists (django-tables2)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import TEXT, BaseTable
from gridcheck.metering.models import (
    Acceptance,
    Asset,
    AssetFault,
    DeviceType,
    MeterChange,
    RectificationNotice,
)

STATUS_BADGE = {
    "in_stock": "text-bg-light border",
    "installed": "text-bg-success",
    "removed": "text-bg-secondary",
    "faulty": "text-bg-danger",
    "scrapped": "text-bg-dark",
    "open": "text-bg-warning",
    "closed": "text-bg-light border",
    "passed": "text-bg-success",
    "failed": "text-bg-danger",
}


def badge(value: str, label):
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGE.get(value, "text-bg-light border"), label
    )


class AssetTable(BaseTable):
    asset_number = tables.Column(linkify=True)
    kind = tables.Column()
    device_type = tables.Column(attrs=TEXT)
    accuracy_class = tables.Column()
    status = tables.Column()
    station = tables.Column()
    metering_point = tables.Column(verbose_name=_("installed at"))
    last_verified_on = tables.DateColumn("Y-m-d")
    due_on = tables.DateColumn("Y-m-d")

    class Meta(BaseTable.Meta):
        model = Asset
        fields = (
            "asset_number",
            "kind",
            "device_type",
            "accuracy_class",
            "status",
            "station",
            "metering_point",
            "last_verified_on",
            "due_on",
        )
        empty_text = _("No assets.")

    def render_status(self, record):
        return badge(record.status, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_due_on(self, record):
        day = record.due_on
        if record.status == "installed" and day < timezone.localdate():
            return format_html('<span class="text-danger fw-semibold">{}</span>', f"{day:%Y-%m-%d}")
        return f"{day:%Y-%m-%d}"


class DeviceTypeTable(BaseTable):
    kind = tables.Column()
    manufacturer = tables.Column(attrs=TEXT)
    model_number = tables.Column()
    accuracy_class = tables.Column()
    approval_number = tables.Column()
    approval_valid_until = tables.DateColumn("Y-m-d")
    obsolete = tables.BooleanColumn()
    obsolete_reason = tables.Column(attrs=TEXT)
    actions = tables.TemplateColumn(
        template_name="metering/_type_actions.html",
        verbose_name=_("actions"),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = DeviceType
        fields = (
            "kind",
            "manufacturer",
            "model_number",
            "accuracy_class",
            "approval_number",
            "approval_valid_until",
            "obsolete",
            "obsolete_reason",
            "actions",
        )
        empty_text = _("No device types.")


class FaultTable(BaseTable):
    asset = tables.Column(linkify=True)
    found_on = tables.DateColumn("Y-m-d")
    kind = tables.Column()
    description = tables.Column()
    found_by = tables.Column()
    outcome = tables.Column()
    closed_on = tables.DateColumn("Y-m-d")

    class Meta(BaseTable.Meta):
        model = AssetFault
        fields = ("asset", "found_on", "kind", "description", "found_by", "outcome", "closed_on")
        empty_text = _("No faults.")


class NoticeTable(BaseTable):
    number = tables.Column(linkify=True)
    metering_point = tables.Column()
    asset = tables.Column(attrs=TEXT)
    problem = tables.Column(attrs=TEXT)
    issued_on = tables.DateColumn("Y-m-d")
    deadline = tables.DateColumn("Y-m-d")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = RectificationNotice
        fields = ("number", "metering_point", "asset", "problem", "issued_on", "deadline", "status")
        empty_text = _("No rectification notices.")

    def render_status(self, record):
        return badge(record.status, record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_deadline(self, record):
        day = record.deadline
        if record.status == "open" and day < timezone.localdate():
            return format_html('<span class="text-danger fw-semibold">{}</span>', f"{day:%Y-%m-%d}")
        return f"{day:%Y-%m-%d}"


class MeterChangeTable(BaseTable):
    changed_on = tables.DateColumn("Y-m-d", linkify=True)
    metering_point = tables.Column()
    old_asset = tables.Column()
    old_total = tables.Column()
    new_asset = tables.Column()
    new_total = tables.Column()
    reason = tables.Column()
    by = tables.Column()
    second_person = tables.Column()

    class Meta(BaseTable.Meta):
        model = MeterChange
        fields = (
            "changed_on",
            "metering_point",
            "old_asset",
            "old_total",
            "new_asset",
            "new_total",
            "reason",
            "by",
            "second_person",
        )
        empty_text = _("No meter changes.")


class AcceptanceTable(BaseTable):
    accepted_on = tables.DateColumn("Y-m-d")
    metering_point = tables.Column()
    result = tables.Column()
    by = tables.Column()
    second_person = tables.Column()
    note = tables.Column()

    class Meta(BaseTable.Meta):
        model = Acceptance
        fields = ("accepted_on", "metering_point", "result", "by", "second_person", "note")
        empty_text = _("No acceptances.")

    def render_result(self, record):
        return badge(record.result, record.get_result_display())

    def value_result(self, record):
        return record.get_result_display()
