"""Tables of the inspection pages (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import NUM, BaseTable
from gridcheck.inspections.models import Campaign, InspectionPlan, TipOff, WorkOrder

STATUS_BADGE = {
    "created": "text-bg-light border",
    "assigned": "text-bg-info",
    "in_progress": "text-bg-primary",
    "visited": "text-bg-warning",
    "closed": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "received": "text-bg-light border",
    "proven": "text-bg-danger",
    "unfounded": "text-bg-secondary",
    "draft": "text-bg-light border",
    "published": "text-bg-primary",
}


def status_badge(record):
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGE.get(record.status, ""), record.get_status_display()
    )


class WorkOrderTable(BaseTable):
    number = tables.Column(linkify=True)
    customer = tables.Column(order_by=("customer__account_number",))
    station = tables.Column()
    source = tables.Column()
    status = tables.Column()
    due_on = tables.DateColumn(format="Y-m-d")
    visit_date = tables.DateColumn(format="Y-m-d")
    assignees = tables.ManyToManyColumn(verbose_name=_("inspectors"), orderable=False, separator="、")

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = ("number", "customer", "station", "source", "status", "due_on", "visit_date", "assignees")
        empty_text = _("No work orders.")

    def render_status(self, record):
        badge = status_badge(record)
        if record.is_overdue:
            return format_html('{} <span class="badge text-bg-danger">{}</span>', badge, _("Overdue"))
        return badge


class TipOffTable(BaseTable):
    """The register: never a reporter column (the detail page decides who sees the reporter)."""

    number = tables.Column(linkify=True)
    station = tables.Column()
    channel = tables.Column()
    received_at = tables.DateTimeColumn(format="Y-m-d H:i")
    visit_deadline = tables.DateTimeColumn(format="Y-m-d H:i")
    customer = tables.Column()
    status = tables.Column()
    reward_amount_yuan = tables.Column()

    class Meta(BaseTable.Meta):
        model = TipOff
        fields = (
            "number",
            "station",
            "channel",
            "received_at",
            "visit_deadline",
            "customer",
            "status",
            "reward_amount_yuan",
        )
        empty_text = _("No tip-offs.")

    def render_status(self, record):
        badge = status_badge(record)
        if record.is_visit_late:
            return format_html('{} <span class="badge text-bg-danger">{}</span>', badge, _("Visit late"))
        return badge


class PlanTable(BaseTable):
    month = tables.DateColumn(format="Y-m", linkify=True)
    station = tables.Column()
    status = tables.Column()
    orders = tables.Column(verbose_name=_("work orders"), accessor="order_count", attrs=NUM)

    class Meta(BaseTable.Meta):
        model = InspectionPlan
        fields = ("month", "station", "status", "orders")
        empty_text = _("No plans.")

    def render_status(self, record):
        return status_badge(record)


class CampaignTable(BaseTable):
    name = tables.Column(linkify=True)
    station = tables.Column()
    starts_on = tables.DateColumn(format="Y-m-d")
    ends_on = tables.DateColumn(format="Y-m-d")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Campaign
        fields = ("name", "station", "starts_on", "ends_on", "status")
        empty_text = _("No campaigns.")
