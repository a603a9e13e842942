"""Tables of the meter-data lists (django-tables2)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import BaseTable
from gridcheck.readings.models import MeterDataImport


class MeterDataImportTable(BaseTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("time"))
    file_name = tables.Column(linkify=True)
    errors = tables.Column(verbose_name=_("errors"), orderable=False)

    class Meta(BaseTable.Meta):
        model = MeterDataImport
        fields = (
            "created_at",
            "file_name",
            "kind",
            "status",
            "rows",
            "rows_created",
            "rows_updated",
            "errors",
            "user",
            "duration_s",
        )

    def render_status(self, value, record):
        css = "success" if record.status == "succeeded" else "danger"
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)

    def render_errors(self, value):
        return len(value) if value else "—"
