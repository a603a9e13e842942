"""Tables of the line-loss lists (django-tables2)."""

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import TEXT, BaseTable
from gridcheck.lineloss.models import AnalysisRun, AreaMonthLoss, LineMonthLoss, LossTarget, RectificationPlan


def flag_badges(record) -> str:
    return format_html_join(
        " ", '<span class="badge gc-flag">{}</span>', ((label,) for label in record.flag_labels)
    )


def rate_cell(value, target=None):
    if value is None:
        return "—"
    css = "text-danger fw-semibold" if (value < 0 or (target is not None and value > target)) else ""
    return format_html('<span class="{}">{}</span>', css, f"{value:.2f}")


class AreaMonthLossTable(BaseTable):
    month = tables.DateColumn(format="Y-m")
    area = tables.Column(
        linkify=lambda record: reverse("lineloss:area_loss", args=[record.area_id]),
        order_by=("area__code",),
        attrs=TEXT,
    )
    line = tables.Column(order_by=("line__code",), attrs=TEXT)
    supply_kwh = tables.Column(attrs={"td": {"class": "text-end"}})
    sales_kwh = tables.Column(attrs={"td": {"class": "text-end"}})
    loss_rate_percent = tables.Column(attrs={"td": {"class": "text-end"}})
    target_percent = tables.Column(attrs={"td": {"class": "text-end"}})
    reading_rate_percent = tables.Column(attrs={"td": {"class": "text-end"}})
    suspects_explained_kwh = tables.Column(
        verbose_name=_("explained by suspects [kWh]"), attrs={"td": {"class": "text-end"}}
    )
    suspects_expected_yuan = tables.Column(
        verbose_name=_("expected recovery [yuan]"), attrs={"td": {"class": "text-end"}}
    )
    flags = tables.Column(
        verbose_name=_("flags"), empty_values=(), orderable=False, attrs={"td": {"class": "gc-flags"}}
    )
    causes_text = tables.Column(orderable=False, attrs={"td": {"class": "gc-causes"}})

    class Meta(BaseTable.Meta):
        model = AreaMonthLoss
        fields = (
            "month",
            "area",
            "line",
            "supply_kwh",
            "sales_kwh",
            "loss_rate_percent",
            "target_percent",
            "reading_rate_percent",
            "suspects_explained_kwh",
            "suspects_expected_yuan",
            "flags",
            "causes_text",
        )

    def order_suspects_expected_yuan(self, queryset, is_descending):
        key = F("suspects_expected_yuan")
        key = key.desc(nulls_last=True) if is_descending else key.asc(nulls_first=True)
        return queryset.order_by(key, "-suspects_explained_kwh", "pk"), True

    def render_suspects_explained_kwh(self, value, record):
        if not record.theft_suspects:
            return "—"
        css = "fw-semibold" if record.suspects_material else "text-secondary"
        return format_html('<span class="{}">{}</span>', css, f"{value:,.0f}")

    def render_suspects_expected_yuan(self, value, record):
        return "—" if value is None else f"{record.expected_yuan_rounded:,}"

    def render_supply_kwh(self, value):
        return f"{value:,.0f}"

    def render_sales_kwh(self, value):
        return f"{value:,.0f}"

    def render_loss_rate_percent(self, value, record):
        return rate_cell(value, record.target_percent)

    def render_target_percent(self, value):
        return f"{value:.1f}"

    def render_reading_rate_percent(self, value):
        return f"{value:.1f}"

    def render_flags(self, record):
        return flag_badges(record)

    def render_causes_text(self, value, record):
        return format_html_join("", "<div>{}</div>", ((line,) for line in record.cause_list))


class AnalysisRunTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="#")
    month = tables.DateColumn(format="Y-m")
    created_at = tables.DateTimeColumn(format="Y-m-d H:i")
    duration = tables.Column(verbose_name=_("duration [s]"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = AnalysisRun
        fields = ("id", "month", "status", "backend", "started_by", "created_at", "duration")

    def render_status(self, value, record):
        css = {"succeeded": "success", "failed": "danger", "running": "primary"}.get(
            record.status, "secondary"
        )
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)

    def render_duration(self, record):
        return f"{record.duration_s:.1f}" if record.duration_s is not None else "—"


class LossTargetTable(BaseTable):
    class Meta(BaseTable.Meta):
        model = LossTarget
        fields = ("area", "owner", "max_loss_rate_percent", "effective_from", "note")


class RectificationPlanTable(BaseTable):
    area = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("area__code",))
    month = tables.DateColumn(format="Y-m")
    opened_on = tables.DateColumn(format="Y-m-d")
    deadline = tables.DateColumn(format="Y-m-d")
    closed_on = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = RectificationPlan
        fields = ("area", "station", "month", "responsible", "opened_on", "deadline", "status", "closed_on")

    def render_status(self, value, record):
        from django.utils import timezone

        late = record.status == "open" and record.deadline < timezone.localdate()
        css = "danger" if late else ("success" if record.status == "closed" else "primary")
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)


class LineMonthLossTable(BaseTable):
    month = tables.DateColumn(format="Y-m")
    line = tables.Column(order_by=("line__code",))
    supply_kwh = tables.Column(attrs={"td": {"class": "text-end"}})
    sales_kwh = tables.Column(attrs={"td": {"class": "text-end"}})
    loss_kwh = tables.Column(attrs={"td": {"class": "text-end"}})
    loss_rate_percent = tables.Column(attrs={"td": {"class": "text-end"}})

    class Meta(BaseTable.Meta):
        model = LineMonthLoss
        fields = ("month", "line", "station", "supply_kwh", "sales_kwh", "loss_kwh", "loss_rate_percent")

    def render_supply_kwh(self, value):
        return f"{value:,.0f}"

    def render_sales_kwh(self, value):
        return f"{value:,.0f}"

    def render_loss_kwh(self, value):
        return f"{value:,.0f}"

    def render_loss_rate_percent(self, value):
        return rate_cell(value)
