"""Tables of the seal and pliers pages (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import BaseTable
from gridcheck.seals.models import Pliers, Seal

STATUS_BADGE = {
    "in_stock": "text-bg-light border",
    "issued": "text-bg-info",
    "used": "text-bg-success",
    "returned": "text-bg-light border",
    "broken": "text-bg-danger",
}


def status_badge(record):
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGE.get(record.status, ""), record.get_status_display()
    )


class SealTable(BaseTable):
    number = tables.Column(linkify=True)
    station = tables.Column()
    status = tables.Column()
    holder = tables.Column()
    meter = tables.Column()

    class Meta(BaseTable.Meta):
        model = Seal
        fields = ("number", "station", "status", "holder", "meter")
        empty_text = _("No seals.")

    def render_status(self, record):
        return status_badge(record)


class PliersTable(BaseTable):
    code = tables.Column()
    station = tables.Column()
    description = tables.Column()
    status = tables.Column()
    holder = tables.Column()
    actions = tables.TemplateColumn(
        template_name="seals/_pliers_actions.html", verbose_name=_("actions"), orderable=False
    )

    class Meta(BaseTable.Meta):
        model = Pliers
        fields = ("code", "station", "description", "status", "holder", "actions")
        empty_text = _("No pliers.")
