"""The base of every list table (django-tables2): compact, sortable by column header, one template."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

ATTRS = {"class": "table table-sm table-hover align-middle gc-table"}


def class_badge(value: str, label: str):
    """A coloured badge of a customer's inspection class (A/B/C), escaped."""
    return format_html('<span class="badge gc-badge-class-{}">{}</span>', value, label)


class BaseTable(tables.Table):
    class Meta:
        attrs = ATTRS
        empty_text = _("No records.")
        template_name = "includes/table.html"
