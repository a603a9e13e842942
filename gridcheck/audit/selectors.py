"""Reading audit state for the pages: the rule library with the version in force, a rule's versions and
recent results, a run's rule results, findings with what their lists and charts need.

Summaries upward (the monthly audit report) are in ``gridcheck.audit.reports``, not here.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from gridcheck.archive.models import Area
from gridcheck.audit.choices import UNFINISHED, Module, Theme
from gridcheck.audit.models import AuditRule, AuditRuleVersion, AuditRun, AuditRunRule, Finding, FindingEvent
from gridcheck.core.roles import VIEW_AUDIT, Role, has_capability
from gridcheck.core.scoping import scope_queryset

#: Areas named in the findings' chart by area; the rest are left out [areas].
CHART_AREAS = 10
#: A rule's page lists its results in this many latest runs [runs].
RULE_RESULTS = 10


# ------------------------------------------------------------------------------------------- rules
def _in_force(on: datetime.date) -> QuerySet:
    return (
        AuditRuleVersion.objects.filter(rule=OuterRef("pk"), effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
    )


def rules_with_version(on: datetime.date) -> QuerySet:
    """The library's rules (retired ones included, marked) with their version in force on ``on``:
    ``v_enabled``, ``v_severity``, ``v_owner_role``, ``v_deadline_days``, ``v_params``, ``v_from``."""
    version = _in_force(on)
    return AuditRule.objects.annotate(
        v_enabled=Coalesce(Subquery(version.values("enabled")[:1]), False),
        v_severity=Subquery(version.values("severity")[:1]),
        v_owner_role=Subquery(version.values("owner_role")[:1]),
        v_deadline_days=Subquery(version.values("deadline_days")[:1]),
        v_params=Subquery(version.values("params")[:1]),
        v_from=Subquery(version.values("effective_from")[:1]),
    )


def rules_enabled_filter(queryset: QuerySet, on: datetime.date, enabled: bool) -> QuerySet:
    """Rules switched on (``enabled``) or off on ``on``; a rule without a version then counts as off."""
    on_now = Exists(_in_force(on).filter(enabled=True))
    return queryset.filter(on_now, retired=False) if enabled else queryset.exclude(on_now, retired=False)


def thresholds(spec: dict, values: dict | None) -> list[dict]:
    """The thresholds of a rule for reading: label, value in force, unit, allowed range, default."""
    values = values or {}
    return [
        {
            "name": name,
            "label": allowed.get("label") or name,
            "value": values.get(name, allowed.get("default")),
            "unit": allowed.get("unit", ""),
            "minimum": allowed.get("minimum"),
            "maximum": allowed.get("maximum"),
            "default": allowed.get("default"),
        }
        for name, allowed in spec.items()
    ]


def rule_versions(rule: AuditRule) -> list[AuditRuleVersion]:
    """Every version of ``rule``, newest first, with who changed it."""
    return list(rule.versions.select_related("changed_by").order_by("-effective_from"))


def rule_recent_results(rule: AuditRule, limit: int = RULE_RESULTS) -> list[AuditRunRule]:
    """The rule's outcome in its latest runs, newest first."""
    return list(
        AuditRunRule.objects.filter(rule=rule)
        .select_related("run", "run__area", "version")
        .order_by("-run__created_at", "-pk")[:limit]
    )


# -------------------------------------------------------------------------------------------- runs
def run_results(run: AuditRun) -> list[AuditRunRule]:
    """Each rule's outcome in ``run``, by rule code."""
    return list(AuditRunRule.objects.filter(run=run).select_related("rule").order_by("rule__code"))


def run_areas(user) -> QuerySet:
    """The areas a themed run may cover for ``user`` (按台区主题稽查): those within the user's scope."""
    return scope_queryset(Area.objects.select_related("station"), user).order_by("station__code", "code")


# ---------------------------------------------------------------------------------------- findings
def findings_for_list() -> QuerySet:
    """Findings with what a list row shows."""
    return Finding.objects.select_related("rule", "customer", "area", "station", "assignee")


def finding_for_page(user, pk: int) -> Finding | None:
    """A finding within ``user``'s scope with what its page shows; None outside it."""
    return (
        scope_queryset(Finding.objects.all(), user)
        .select_related(
            "rule",
            "version",
            "customer",
            "area",
            "station",
            "assignee",
            "first_run",
            "last_run",
            "dismiss_requested_by",
        )
        .filter(pk=pk)
        .first()
    )


def finding_events(finding: Finding) -> list[FindingEvent]:
    return list(FindingEvent.objects.filter(finding=finding).select_related("actor").order_by("at", "pk"))


def assignee_candidates(finding: Finding) -> list:
    """Who a finding may be given to: active staff of its station (or of the county) who see the audit."""
    from gridcheck.users.models import User

    users = (
        User.objects.filter(is_active=True)
        .filter(Q(station_id=finding.station_id) | Q(station__isnull=True))
        .exclude(role=Role.CUSTOMER)
        .order_by("station_id", "role", "username")
    )
    return [u for u in users if has_capability(u, VIEW_AUDIT)]


def overdue_q(on: datetime.date) -> Q:
    """Unfinished findings past their deadline on ``on``."""
    return Q(status__in=UNFINISHED, deadline__lt=on)


def findings_chart(queryset: QuerySet) -> dict:
    """The counts of ``queryset``'s findings by theme, by module and by area (the ``CHART_AREAS``
    areas with most findings; a finding without an area is left out), for the list's charts."""
    base = queryset.order_by()
    by_theme = {r["theme"]: r["n"] for r in base.values("theme").annotate(n=Count("pk"))}
    by_module = {r["module"]: r["n"] for r in base.values("module").annotate(n=Count("pk"))}
    areas = list(
        base.filter(area__isnull=False)
        .values("area_id", "area__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "area__name")[:CHART_AREAS]
    )
    return {
        "themes": {
            "labels": [str(label) for _value, label in Theme.choices],
            "values": [by_theme.get(value, 0) for value, _label in Theme.choices],
        },
        "modules": {
            "labels": [str(label) for _value, label in Module.choices],
            "values": [by_module.get(value, 0) for value, _label in Module.choices],
        },
        "areas": {
            "labels": [row["area__name"] for row in areas],
            "values": [row["n"] for row in areas],
        },
    }
