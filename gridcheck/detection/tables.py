"""Tables of the detection lists (django-tables2)."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from gridcheck.core.tables import ATTRS, BaseTable
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import DetectionRun, Suspect

STATUS_CSS = {
    SuspectStatus.NEW: "gc-status-new",
    SuspectStatus.WORK_ORDER_CREATED: "gc-status-wo",
    SuspectStatus.DISMISSED: "gc-status-dismissed",
}


def score_level(score: float) -> str:
    """``high`` (≥ 0.7), ``medium`` (≥ 0.4) or ``low``: the colour of a score bar."""
    return "high" if score >= 0.7 else ("medium" if score >= 0.4 else "low")


def score_bar(score: float):
    return format_html(
        '<div class="gc-score gc-score-{}" title="{}"><div class="gc-score-track">'
        '<div class="gc-score-fill" style="width: {}%"></div></div><span class="gc-score-value">{}</span></div>',
        score_level(score),
        f"{score:.3f}",
        int(round(score * 100)),
        f"{score:.2f}",
    )


def reason_list(reasons, more: int = 0):
    items = format_html_join(
        "",
        "<li>{}{}</li>",
        (
            (
                format_html('<span class="badge gc-method">{}</span> ', r["method_zh"])
                if r.get("method_zh")
                else "",
                r.get("text", ""),
            )
            for r in reasons
        ),
    )
    extra = format_html('<li class="gc-more">{}</li>', _("+ %(n)s more") % {"n": more}) if more else ""
    return format_html('<ul class="gc-reasons">{}{}</ul>', items, extra)


def status_badge(record):
    return format_html(
        '<span class="badge gc-status {}">{}</span>',
        STATUS_CSS.get(record.status, ""),
        record.get_status_display(),
    )


class SuspectTable(BaseTable):
    expected_yuan = tables.Column(
        verbose_name=_("expected recovery [yuan]"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    score = tables.Column(verbose_name=_("score"), attrs={"td": {"class": "gc-score-cell"}})
    rank_in_area = tables.Column(
        verbose_name=_("rank (area / station)"),
        attrs={"td": {"class": "text-center"}, "th": {"class": "gc-th-wide"}},
    )
    customer = tables.Column(
        verbose_name=_("customer"),
        linkify=lambda record: record.get_absolute_url(),
        order_by=("customer__name",),
        attrs={"td": {"class": "gc-wrap"}},
    )
    area = tables.Column(order_by=("area__code",), attrs={"td": {"class": "gc-wrap gc-wrap-wide"}})
    reasons = tables.Column(
        verbose_name=_("main reasons"), orderable=False, attrs={"td": {"class": "gc-reasons-cell"}}
    )
    area_loss_rate_percent = tables.Column(
        verbose_name=_("area loss rate [%]"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end gc-th-wide"}},
    )
    last_inspection_at = tables.Column(
        verbose_name=_("last inspection"),
        empty_values=(),
        orderable=False,
        attrs={"th": {"class": "gc-th-wide"}},
    )
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Suspect
        # gc-suspect-table: headers and names may wrap, so that the reasons fit beside them
        attrs = {**ATTRS, "class": f"{ATTRS['class']} gc-suspect-table"}
        fields = (
            "expected_yuan",
            "score",
            "rank_in_area",
            "customer",
            "area",
            "reasons",
            "area_loss_rate_percent",
            "last_inspection_at",
            "status",
        )
        # The inspection list's order: expected recoverable yuan (calibrated probability x estimated
        # amount), then the score (a month scored before any calibration keeps the score's order).
        order_by = ("-expected_yuan",)
        empty_text = _("No suspects.")

    def order_expected_yuan(self, queryset, is_descending):
        key = F("expected_yuan").desc(nulls_last=True) if is_descending else F("expected_yuan").asc()
        return queryset.order_by(key, "-score", "pk"), True

    def render_expected_yuan(self, value, record):
        badge = (
            format_html(
                ' <span class="badge text-bg-primary" title="{}">{}</span>', _("priority"), _("this month")
            )
            if record.within_capacity
            else ""
        )
        probability = record.probability_percent
        return format_html(
            '<div>{}{}</div><div class="small text-secondary">{}</div>',
            f"{record.expected_yuan_rounded:,}",
            badge,
            "" if probability is None else _("probability %(percent)s %%") % {"percent": probability},
        )

    def render_score(self, value):
        return score_bar(value)

    def render_rank_in_area(self, value, record):
        return format_html(
            '<span class="gc-rank">{}</span><span class="text-secondary"> / {}</span>',
            value,
            record.rank_in_station,
        )

    def render_customer(self, value, record):
        return format_html(
            '<div class="fw-semibold">{}</div><div class="small text-secondary gc-mono">{}</div>',
            value.name,
            value.account_number,
        )

    def render_area(self, value, record):
        return format_html(
            '<div>{}</div><div class="small text-secondary">{}</div>', value.name, record.station.name
        )

    def render_reasons(self, value, record):
        return reason_list(record.top_reasons, record.more_reasons)

    def render_area_loss_rate_percent(self, value, record):
        if value is None:
            return "—"
        target = getattr(record, "area_target_percent", None)
        bad = value < 0 or (target is not None and value > target)
        return format_html(
            '<span class="{}">{}</span>', "text-danger fw-semibold" if bad else "", f"{value:.2f}"
        )

    def render_last_inspection_at(self, value, record):
        value = getattr(record, "last_inspection_at", None)
        return f"{value:%Y-%m-%d}" if value else "—"

    def render_status(self, value, record):
        return status_badge(record)


class DetectionRunTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="#")
    month = tables.DateColumn(format="Y-m")
    created_at = tables.DateTimeColumn(format="Y-m-d H:i")
    suspects = tables.Column(verbose_name=_("suspects"), empty_values=(), orderable=False)
    duration = tables.Column(verbose_name=_("duration [s]"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = DetectionRun
        fields = (
            "id",
            "month",
            "status",
            "model_version",
            "started_by",
            "created_at",
            "suspects",
            "duration",
        )

    def render_model_version(self, value, record):
        return record.model_label

    def render_status(self, value, record):
        css = {"succeeded": "success", "failed": "danger", "running": "primary"}.get(
            record.status, "secondary"
        )
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)

    def render_suspects(self, record):
        n = (record.counts or {}).get("suspects")
        return "—" if n is None else f"{n:,}"

    def render_duration(self, record):
        return f"{record.duration_s:.1f}" if record.duration_s is not None else "—"
