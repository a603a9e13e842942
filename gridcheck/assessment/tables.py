"""The scorecard list (django-tables2), exported as XLSX by the list page."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.assessment.choices import ScorecardStatus
from gridcheck.assessment.models import Scorecard
from gridcheck.core.tables import BaseTable

STATUS_CSS = {ScorecardStatus.COMPUTED: "text-bg-warning", ScorecardStatus.SIGNED: "text-bg-success"}


def status_badge(value: str, label):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CSS.get(value, "text-bg-light"),
        value,
        label,
    )


class ScorecardTable(BaseTable):
    month = tables.DateColumn(format="Y-m", verbose_name=_("month"), linkify=True)
    station = tables.Column(verbose_name=_("station"))
    subject = tables.Column(verbose_name=_("assessed"))
    person = tables.Column(verbose_name=_("staff member"), default="—")
    total_points = tables.Column(
        verbose_name=pgettext_lazy("points", "total"), attrs={"td": {"class": "text-end"}}
    )
    adjustment_points = tables.Column(verbose_name=_("adjustments"), attrs={"td": {"class": "text-end"}})
    fine_yuan = tables.Column(verbose_name=_("fines [yuan]"), attrs={"td": {"class": "text-end"}})
    rank = tables.Column(verbose_name=_("rank"), default="—")
    status = tables.Column(verbose_name=_("status"))

    class Meta(BaseTable.Meta):
        model = Scorecard
        fields = (
            "month",
            "station",
            "subject",
            "person",
            "total_points",
            "adjustment_points",
            "fine_yuan",
            "rank",
            "status",
        )
        empty_text = _("No scorecards yet.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "scorecard-table"}

    def render_total_points(self, value):
        return f"{value:.1f}"

    def render_adjustment_points(self, value):
        return f"{value:+.1f}" if value else "0"

    def render_fine_yuan(self, value):
        return f"{value:.2f}"

    def render_status(self, record):
        return status_badge(record.status, record.get_status_display())

    def value_status(self, record):
        return str(record.get_status_display())

    def value_subject(self, record):
        return str(record.get_subject_display())
