"""The audit rule library as code: each rule is a function over the database (a queryset in a selector
style, set-based) declared once with the ``audit_rule`` decorator, which is the one place that cites the
regulation article or station rule it enforces.

A rule's definition here is its code and its defaults; its row in the versioned table
(:class:`gridcheck.audit.models.AuditRuleVersion`) is what is in force: on/off, thresholds, severity,
owner role and deadline from an effective date, changed by the people allowed and recorded. A run
computes every rule under the version in force on the run's date.

Writing a rule::

    @audit_rule(
        code="DF-01",
        module=Module.TARIFF,
        theme=Theme.PRICE,
        title="用电类别与执行电价不符",
        description="客户用电类别与其执行电价的类别不一致，电价执行错误。",
        source="《供电营业规则》第八十二条",
        severity=Severity.HIGH,
        owner_role=Role.AUDITOR,
        deadline_days=15,
        params={"min_months": Param(3, 1, 24, "月", "连续月数")},
    )
    def tariff_category_mismatch(ctx: RuleContext) -> Iterator[Hit]:
        for row in ctx.customers().filter(...).values(...):
            yield Hit(key=f"customer:{row['pk']}", station_id=..., area_id=..., customer_id=...,
                      summary="...", evidence=[Evidence("执行电价", row["tariff_code"], url)])

``key`` names the fact (the subject of the finding, stable across runs): the same key found again by a
later run updates the open finding instead of opening a second.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from gridcheck.audit.choices import Module, Schedule, Severity, Theme


@dataclass(frozen=True)
class Param:
    """A threshold of a rule: its default, the allowed range (inclusive), unit and Chinese label."""

    default: Decimal | int | str
    minimum: Decimal | int | str
    maximum: Decimal | int | str
    unit: str
    label: str

    def __post_init__(self):
        for name in ("default", "minimum", "maximum"):
            object.__setattr__(self, name, Decimal(str(getattr(self, name))))


@dataclass(frozen=True)
class Evidence:
    """One row of a finding's evidence: what (Chinese label), its value as read, and a link to it."""

    label: str
    value: str
    url: str = ""

    def as_dict(self) -> dict:
        return {"label": self.label, "value": self.value, "url": self.url}


@dataclass
class Hit:
    """One fact a rule found: ``key`` names it (stable across runs, unique within the rule)."""

    key: str
    station_id: int
    summary: str
    area_id: int | None = None
    customer_id: int | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class RuleContext:
    """What a rule computes under: the run's day, the audited month, the thresholds in force, the scope.

    ``area_ids`` is None for a county run, else the areas of a themed run (按台区主题稽查).
    ``params`` holds each threshold as ``Decimal`` (``int_param`` for whole numbers).
    """

    on: datetime.date
    month: datetime.date
    params: dict[str, Decimal]
    area_ids: list[int] | None = None
    station_ids: list[int] | None = None

    @property
    def month_end(self) -> datetime.date:
        from gridcheck.core.periods import month_end

        return month_end(self.month)

    def int_param(self, name: str) -> int:
        return int(self.params[name])

    def scoped(
        self, queryset: QuerySet, area_field: str = "area", station_field: str = "station"
    ) -> QuerySet:
        """``queryset`` limited to the run's areas (by ``area_field``, a lookup path to an area id) and
        stations (by ``station_field``)."""
        if self.area_ids is not None:
            queryset = queryset.filter(**{f"{area_field}__in": self.area_ids})
        if self.station_ids is not None and station_field:
            queryset = queryset.filter(**{f"{station_field}__in": self.station_ids})
        return queryset

    def customers(self) -> QuerySet:
        """The customers within the run's scope."""
        from gridcheck.archive.models import Customer

        return self.scoped(Customer.objects.all())


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    module: str
    theme: str
    title: str
    description: str
    source: str
    severity: str
    owner_role: str
    deadline_days: int
    schedule: str
    params: dict[str, Param]
    function: Callable[[RuleContext], Iterable[Hit]]

    def default_params(self) -> dict[str, str]:
        return {name: format(param.default.normalize(), "f") for name, param in self.params.items()}


#: Every rule by code, filled by the modules of ``gridcheck.audit.rules`` when they are imported.
RULES: dict[str, RuleDefinition] = {}


def audit_rule(
    *,
    code: str,
    module: Module | str,
    theme: Theme | str,
    title: str,
    description: str,
    source: str,
    severity: Severity | str = Severity.MEDIUM,
    owner_role: str,
    deadline_days: int = 15,
    schedule: Schedule | str = Schedule.MONTHLY,
    params: dict[str, Param] | None = None,
):
    """Declare an audit rule (see the module's docstring). ``source`` cites the regulation article or
    station rule the rule enforces; ``description`` says in Chinese what the rule finds."""

    def decorate(function):
        if code in RULES and RULES[code].function.__qualname__ != function.__qualname__:
            raise ValueError(f"audit rule {code} is declared twice")
        for name, param in (params or {}).items():
            if not param.minimum <= param.default <= param.maximum:
                raise ValueError(f"audit rule {code}: the default of {name} lies outside its range")
        RULES[code] = RuleDefinition(
            code=code,
            module=str(module),
            theme=str(theme),
            title=title,
            description=description,
            source=source,
            severity=str(severity),
            owner_role=str(owner_role),
            deadline_days=deadline_days,
            schedule=str(schedule),
            params=dict(params or {}),
            function=function,
        )
        return function

    return decorate


# ---------------------------------------------------------------------------------------- ground truth
#: Injectors of known anomalies into the demo county, by rule code: ``injector(rng, count)`` changes the
#: database so that ``count`` facts of its rule exist, and returns their keys (the truth file's rows).
INJECTORS: dict[str, Callable] = {}


def audit_injector(code: str):
    """Declare the demo injector of rule ``code`` (``gridcheck.audit.injections``)."""

    def decorate(function):
        INJECTORS[code] = function
        return function

    return decorate
