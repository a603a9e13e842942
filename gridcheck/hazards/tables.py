"""Tables of the hazard pages (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import TEXT, BaseTable
from gridcheck.hazards.models import Hazard, Notice

SEVERITY_BADGE = {"general": "text-bg-secondary", "serious": "text-bg-warning", "major": "text-bg-danger"}
STATUS_BADGE = {
    "found": "text-bg-light border",
    "notified": "text-bg-info",
    "rectifying": "text-bg-primary",
    "rectified": "text-bg-success",
    "verified": "text-bg-success",
    "overdue": "text-bg-danger",
}


def severity_badge(record, label=None):
    """The severity as a coloured badge; ``label`` is its display name when the caller has it already
    (a table cell's value: ``get_severity_display`` hashes every choice's label on each call)."""
    return format_html(
        '<span class="badge {}">{}</span>',
        SEVERITY_BADGE.get(record.severity, ""),
        record.get_severity_display() if label is None else label,
    )


def status_badge(record, label=None):
    """The status as a coloured badge; ``label`` as for ``severity_badge``."""
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGE.get(record.status, ""),
        record.get_status_display() if label is None else label,
    )


class HazardTable(BaseTable):
    id = tables.Column(verbose_name="#", linkify=True)
    customer = tables.Column(
        linkify=lambda record: reverse("hazards:customer_safety", args=[record.customer_id])
    )
    station = tables.Column()
    category = tables.Column()
    severity = tables.Column()
    status = tables.Column()
    found_on = tables.DateColumn(format="Y-m-d")
    deadline = tables.DateColumn(format="Y-m-d")
    responsible_person = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Hazard
        fields = (
            "id",
            "customer",
            "station",
            "category",
            "severity",
            "status",
            "found_on",
            "deadline",
            "responsible_person",
        )
        empty_text = _("No hazards.")

    def render_severity(self, value, record):
        return severity_badge(record, value)

    def render_status(self, value, record):
        return status_badge(record, value)


class NoticeTable(BaseTable):
    document_number = tables.Column(linkify=True)
    title = tables.Column(linkify=True, attrs=TEXT)
    kind = tables.Column()
    period = tables.Column()
    channel = tables.Column()
    sent_at = tables.DateTimeColumn(format="Y-m-d H:i")
    paper = tables.Column(verbose_name=_("paper copy"), accessor="paper_delivered_on", orderable=False)

    class Meta(BaseTable.Meta):
        model = Notice
        fields = ("document_number", "title", "kind", "period", "channel", "sent_at", "paper")
        empty_text = _("No notices.")

    def render_paper(self, record, value):
        if not record.paper_required:
            return "—"
        if value:
            return format_html('<span class="badge text-bg-success">{} {}</span>', _("Delivered"), value)
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Pending"))

    def value_paper(self, record, value):
        return value or ""
