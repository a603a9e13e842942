"""Table of the case list (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.cases.models import Case
from gridcheck.core.tables import NUM, BaseTable

STATUS_BADGE = {
    "draft": "text-bg-light border",
    "computed": "text-bg-info",
    "notified": "text-bg-primary",
    "pending_approval": "text-bg-warning",
    "approved": "text-bg-primary",
    "paid": "text-bg-success",
    "closed": "text-bg-secondary",
    "rejected": "text-bg-danger",
}


def status_badge(case) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGE.get(case.status, ""), case.get_status_display()
    )


class CaseTable(BaseTable):
    number = tables.Column(linkify=True)
    customer = tables.Column(order_by=("customer__account_number",))
    station = tables.Column()
    kind = tables.Column()
    type = tables.Column(verbose_name=_("theft or violation type"), accessor="pk", orderable=False)
    case_date = tables.DateColumn(format="Y-m-d")
    total_due_yuan = tables.Column(attrs=NUM)
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Case
        fields = ("number", "customer", "station", "kind", "type", "case_date", "total_due_yuan", "status")
        empty_text = _("No cases.")

    def render_type(self, record):
        return record.type_display

    def render_total_due_yuan(self, record, value):
        flag = (
            format_html(' <span class="badge text-bg-danger">{}</span>', _("police"))
            if record.police_referral
            else ""
        )
        return format_html("{}{}", f"{value:,.2f}", flag)

    def render_status(self, record):
        return status_badge(record)
