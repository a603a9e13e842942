"""Tables of the audit lists (django-tables2): the rule library, the runs, the findings."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.audit.choices import UNFINISHED, FindingStatus, Severity
from gridcheck.audit.models import AuditRule, AuditRun, Finding
from gridcheck.core.roles import Role
from gridcheck.core.runs import RunStatus
from gridcheck.core.tables import NUM, WRAP, BaseTable

SEVERITY_CSS = {
    Severity.HIGH: "text-bg-danger",
    Severity.MEDIUM: "text-bg-warning",
    Severity.LOW: "text-bg-light",
}
STATUS_CSS = {
    FindingStatus.OPEN: "text-bg-danger",
    FindingStatus.ASSIGNED: "text-bg-warning",
    FindingStatus.RECTIFIED: "text-bg-info",
    FindingStatus.VERIFIED: "text-bg-primary",
    FindingStatus.CLOSED: "text-bg-success",
    FindingStatus.DISMISS_REQUESTED: "text-bg-secondary",
    FindingStatus.DISMISSED: "text-bg-light border",
}
RUN_CSS = {
    RunStatus.QUEUED: "text-bg-secondary",
    RunStatus.RUNNING: "text-bg-info",
    RunStatus.SUCCEEDED: "text-bg-success",
    RunStatus.FAILED: "text-bg-danger",
}
SEVERITY_LABELS = dict(Severity.choices)
ROLE_LABELS = dict(Role.choices)


def severity_badge(value):
    if not value:
        return "—"
    return format_html(
        '<span class="badge {}" data-severity="{}">{}</span>',
        SEVERITY_CSS.get(value, "text-bg-light"),
        value,
        SEVERITY_LABELS.get(value, value),
    )


def finding_status_badge(status: str, label: str):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CSS.get(status, "text-bg-light"),
        status,
        label,
    )


def run_status_badge(status: str, label: str):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        RUN_CSS.get(status, "text-bg-light"),
        status,
        label,
    )


def enabled_badge(enabled: bool):
    if enabled:
        return format_html('<span class="badge text-bg-success" data-enabled="1">{}</span>', _("On"))
    return format_html('<span class="badge text-bg-secondary" data-enabled="0">{}</span>', _("Off"))


def threshold_list(rows: list[dict]):
    """Thresholds as "label value unit" lines (escaped)."""
    if not rows:
        return "—"
    return format_html(
        '<ul class="gc-audit-thresholds">{}</ul>',
        format_html_join(
            "", "<li>{}：<b>{}</b> {}</li>", ((r["label"], r["value"], r["unit"]) for r in rows)
        ),
    )


class AuditRuleTable(BaseTable):
    code = tables.Column(
        verbose_name=_("rule code"), linkify=True, attrs={"td": {"class": "gc-mono text-nowrap"}}
    )
    title = tables.Column(verbose_name=_("title"), linkify=True, attrs=WRAP)
    module = tables.Column(verbose_name=_("module"))
    theme = tables.Column(verbose_name=_("theme"))
    v_severity = tables.Column(verbose_name=pgettext_lazy("audit", "severity"), order_by=("v_severity",))
    v_owner_role = tables.Column(verbose_name=_("owner role"), order_by=("v_owner_role",))
    v_deadline_days = tables.Column(verbose_name=_("deadline [days]"), attrs=NUM)
    thresholds = tables.Column(verbose_name=_("thresholds"), empty_values=(), orderable=False, attrs=WRAP)
    v_enabled = tables.Column(verbose_name=_("enabled"), order_by=("v_enabled",))

    class Meta(BaseTable.Meta):
        model = AuditRule
        fields = (
            "code",
            "title",
            "module",
            "theme",
            "v_severity",
            "v_owner_role",
            "v_deadline_days",
            "thresholds",
            "v_enabled",
        )
        empty_text = _("No audit rules.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "rule-table"}

    def render_v_severity(self, value):
        return severity_badge(value)

    def render_v_owner_role(self, value):
        return ROLE_LABELS.get(value, value)

    def render_thresholds(self, record):
        from gridcheck.audit.selectors import thresholds

        return threshold_list(thresholds(record.param_spec, record.v_params))

    def render_v_enabled(self, record, value):
        if record.retired:
            return format_html('<span class="badge text-bg-light border">{}</span>', _("Retired"))
        return enabled_badge(bool(value))


class AuditRunTable(BaseTable):
    id = tables.Column(verbose_name=_("run"), linkify=True, attrs={"td": {"class": "gc-mono"}})
    month = tables.DateColumn(format="Y-m", verbose_name=_("month"))
    coverage = tables.Column(verbose_name=_("covers"), empty_values=(), orderable=False, attrs=WRAP)
    trigger = tables.Column(verbose_name=_("trigger"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("created at"))
    started_by = tables.Column(verbose_name=_("launched by"), default="—")
    status = tables.Column(verbose_name=_("status"))
    counts = tables.Column(verbose_name=_("findings new / found again"), orderable=False, attrs=NUM)

    class Meta(BaseTable.Meta):
        model = AuditRun
        fields = ("id", "month", "coverage", "trigger", "created_at", "started_by", "status", "counts")
        empty_text = _("No audit runs yet.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "run-table"}

    def render_id(self, value):
        return f"#{value}"

    def render_coverage(self, record):
        return run_coverage(record)

    def render_status(self, record):
        return run_status_badge(record.status, record.get_status_display())

    def render_counts(self, value):
        if not value:
            return "—"
        return f"{value.get('new', 0)} / {value.get('updated', 0)}"


def run_coverage(run: AuditRun) -> str:
    """What a run covers, in words: the area (or the county), the theme, the module, the rules."""
    parts = [run.area.name if run.area_id else str(_("Whole county"))]
    if run.theme:
        parts.append(str(run.get_theme_display()))
    if run.module:
        parts.append(str(run.get_module_display()))
    if run.rule_codes:
        parts.append("、".join(run.rule_codes))
    return " · ".join(parts)


class FindingTable(BaseTable):
    rule = tables.Column(verbose_name=_("rule"), order_by=("rule__code",), attrs=WRAP)
    summary = tables.Column(
        verbose_name=_("summary"), linkify=True, attrs={"td": {"class": "gc-audit-summary"}}
    )
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__account_number",), attrs=WRAP)
    area = tables.Column(verbose_name=_("transformer area"), order_by=("area__code",), attrs=WRAP)
    status = tables.Column(verbose_name=_("status"))
    assignee = tables.Column(verbose_name=_("assignee"), order_by=("assignee__username",), default="—")
    deadline = tables.Column(verbose_name=_("deadline"), attrs={"td": {"class": "text-nowrap"}})
    times_found = tables.Column(verbose_name=_("times found"), attrs=NUM)
    present = tables.Column(verbose_name=_("still found"))

    class Meta(BaseTable.Meta):
        model = Finding
        fields = (
            "rule",
            "summary",
            "customer",
            "area",
            "status",
            "assignee",
            "deadline",
            "times_found",
            "present",
        )
        empty_text = _("No findings.")
        attrs = {**BaseTable.Meta.attrs, "data-testid": "finding-table"}
        row_attrs = {"data-finding": lambda record: record.pk}

    def render_rule(self, record):
        return format_html(
            '<a class="gc-mono fw-semibold" href="{}">{}</a><div class="small text-secondary">{}</div>',
            record.rule.get_absolute_url(),
            record.rule.code,
            record.rule.title,
        )

    def render_customer(self, record):
        customer = record.customer
        return format_html(
            '<div>{}</div><div class="small text-secondary gc-mono">{}</div>',
            customer.name,
            customer.account_number,
        )

    def render_status(self, record):
        return finding_status_badge(record.status, record.get_status_display())

    def render_assignee(self, value):
        return str(value)

    def render_deadline(self, record):
        overdue = record.status in UNFINISHED and record.deadline < timezone.localdate()
        if overdue:
            return format_html(
                '<span class="text-danger fw-semibold" data-overdue="1">{} · {}</span>',
                f"{record.deadline:%Y-%m-%d}",
                _("overdue"),
            )
        return f"{record.deadline:%Y-%m-%d}"

    def render_present(self, value):
        return _("Yes") if value else _("No")
