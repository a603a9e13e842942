"""Tables of the census lists (django-tables2): campaigns, discrepancies."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.census.choices import CampaignStatus, DiscrepancyStatus
from gridcheck.census.models import CensusCampaign, Discrepancy
from gridcheck.core.tables import BaseTable

STATUS_CSS = {
    DiscrepancyStatus.OPEN: "text-bg-danger",
    DiscrepancyStatus.PROPOSED: "text-bg-warning",
    DiscrepancyStatus.APPROVED: "text-bg-info",
    DiscrepancyStatus.REJECTED: "text-bg-secondary",
    DiscrepancyStatus.DONE: "text-bg-success",
    CampaignStatus.PLANNED: "text-bg-secondary",
    CampaignStatus.RUNNING: "text-bg-primary",
    CampaignStatus.CLOSED: "text-bg-light border",
}


def status_badge(value: str, label):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CSS.get(value, "text-bg-light"),
        value,
        label,
    )


class CampaignTable(BaseTable):
    period = tables.Column(
        verbose_name=_("quarter"), order_by=("year", "quarter"), linkify=True, accessor="pk"
    )
    station = tables.Column(verbose_name=_("station"))
    starts_on = tables.DateColumn(format="Y-m-d", verbose_name=_("starts on"))
    ends_on = tables.DateColumn(format="Y-m-d", verbose_name=_("ends on"))
    status = tables.Column(verbose_name=_("status"))

    class Meta(BaseTable.Meta):
        model = CensusCampaign
        fields = ("period", "station", "starts_on", "ends_on", "status")
        empty_text = _("No census campaigns yet.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "campaign-table"}

    def render_period(self, record):
        return record.period

    def render_status(self, record):
        return status_badge(record.status, record.get_status_display())


class DiscrepancyTable(BaseTable):
    summary = tables.Column(verbose_name=_("summary"), linkify=True)
    kind = tables.Column(verbose_name=_("kind"))
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__account_number",))
    area = tables.Column(verbose_name=_("transformer area"), order_by=("area__code",))
    campaign = tables.Column(verbose_name=_("campaign"), order_by=("campaign__year", "campaign__quarter"))
    status = tables.Column(verbose_name=_("status"))
    resolution = tables.Column(verbose_name=_("resolution"), default="—")

    class Meta(BaseTable.Meta):
        model = Discrepancy
        fields = ("summary", "kind", "customer", "area", "campaign", "status", "resolution")
        empty_text = _("No discrepancies.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "discrepancy-table"}
        row_attrs = {"data-discrepancy": lambda record: record.pk}

    def render_customer(self, record):
        return format_html(
            '<div>{}</div><div class="small text-secondary gc-mono">{}</div>',
            record.customer.name,
            record.customer.account_number,
        )

    def render_campaign(self, record):
        return record.campaign.period

    def render_area(self, record):
        return record.area.name

    def render_status(self, record):
        return status_badge(record.status, record.get_status_display())

    def render_resolution(self, record):
        return record.get_resolution_display() if record.resolution else "—"
