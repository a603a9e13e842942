"""Thresholds of meter-data validation (VEE) and line-loss management: typed carriers of rule-table rows.

Every value is a row of the versioned rule table (``gridcheck_analytics/regulations/rules.toml``), cited
there once: ``vee.*`` (engineering choices of this project, status ``C``) and ``lineloss.*`` (the station
rules of ``shared/domain/workflows.md``, section "Line loss", status ``P``: swing above 20 %, three
months above target, three-phase imbalance within 20 %; the cause thresholds and the default target are
choices of this project, status ``C``). The dataclasses here only carry the values, typed:

* ``LineLossRules.in_force(on)`` (and ``VeeRules.in_force(on)``): the rows in force on ``on``, of the
  default table or of a ``table`` given;
* ``LineLossRules()``: the rows in force today; any field can be overridden by keyword
  (``LineLossRules(swing_fraction=0.3)``);
* :data:`VEE`, :data:`LINELOSS`: the rows in force when this module was imported, the default of the
  functions that take rules (the monthly analysis asks for the rows in force on the month instead).

:func:`rule_field` and :class:`TableValues` serve the other carriers of thresholds as well
(:class:`gridcheck_analytics.features.FeatureRules`, :class:`gridcheck_analytics.rules.DetectionRules`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Self

from gridcheck_analytics.regulations.table import RuleError, RuleTable, default_table

#: Metadata names of a :func:`rule_field`.
RULE_KEY = "rule_key"
VALUE_TYPE = "value_type"


def rule_value(key: str, on: dt.date, value_type: type[int] | type[float], table: RuleTable | None = None):
    """The value of the rule-table row ``key`` in force on ``on``, as ``value_type`` (int or float).

    Raises
    ------
    RuleError
        The key is unknown, no row is in force on ``on``, or the value is not a number of that type.
    """
    row = (table or default_table()).rule(key, on)
    value = row.value
    if not isinstance(value, Decimal):
        raise RuleError(f"rule {key} is not numeric (value {value!r})")
    if value_type is int:
        if value != value.to_integral_value():
            raise RuleError(f"rule {key} must be a whole number, got {value}")
        return int(value)
    return float(value)


def rule_field(key: str, value_type: type[int] | type[float]) -> Any:
    """A dataclass field read from the rule table: by default the row ``key`` in force today."""
    return dataclasses.field(
        default_factory=lambda: rule_value(key, dt.date.today(), value_type),
        metadata={RULE_KEY: key, VALUE_TYPE: value_type},
    )


class TableValues:
    """Base of the frozen dataclasses whose fields are :func:`rule_field`: built from the rule table."""

    @classmethod
    def rule_keys(cls) -> dict[str, str]:
        """``{field name: rule key}`` of every field."""
        return {f.name: f.metadata[RULE_KEY] for f in dataclasses.fields(cls)}

    @classmethod
    def in_force(cls, on: dt.date, table: RuleTable | None = None) -> Self:
        """The values of the rows in force on ``on`` (of ``table``, default: ``rules.toml``)."""
        table = table or default_table()
        return cls(
            **{
                f.name: rule_value(f.metadata[RULE_KEY], on, f.metadata[VALUE_TYPE], table)
                for f in dataclasses.fields(cls)
            }
        )


@dataclasses.dataclass(frozen=True)
class VeeRules(TableValues):
    """Thresholds of validation, estimation and editing of daily readings (rows ``vee.*``)."""

    #: Days of the customer's own history that sudden rise/drop compares against.
    history_days: int = rule_field("vee.history_days", int)
    #: Fewest history days needed before sudden rise/drop is judged.
    min_history_days: int = rule_field("vee.min_history_days", int)
    #: Sudden rise: consumption above this multiple of the history mean.
    sudden_rise_factor: float = rule_field("vee.sudden_rise_factor", float)
    #: Sudden drop: consumption below this fraction of the history mean.
    sudden_drop_factor: float = rule_field("vee.sudden_drop_factor", float)
    #: History mean [kWh/day] below which rise, drop and stopped are not judged (too little to tell).
    min_history_kwh: float = rule_field("vee.min_history_kwh", float)
    #: Zero run of this many days or more is a long zero run [days].
    long_zero_run_days: int = rule_field("vee.long_zero_run_days", int)
    #: Consumption at or below this is zero [kWh].
    zero_kwh: float = rule_field("vee.zero_kwh", float)
    #: A register lower than the previous one by more than this goes backwards [kWh].
    backwards_tolerance_kwh: float = rule_field("vee.backwards_tolerance_kwh", float)
    #: Energy-only data: a missing day is estimated as the mean of this many days either side.
    estimate_window_days: int = rule_field("vee.estimate_window_days", int)
    #: Register rollover: the day before at or above this fraction of the register's capacity ...
    rollover_high_fraction: float = rule_field("vee.rollover_high_fraction", float)
    #: ... and the day at or below this fraction of it.
    rollover_low_fraction: float = rule_field("vee.rollover_low_fraction", float)


@dataclasses.dataclass(frozen=True)
class LineLossRules(TableValues):
    """Thresholds of line-loss flags and causes (rows ``lineloss.*``; see the module docstring)."""

    #: Loss-rate target of an area without its own target [%].
    default_target_percent: float = rule_field("lineloss.default_target_percent", float)
    #: Month-over-month relative change of the loss rate that is flagged [1].
    swing_fraction: float = rule_field("lineloss.swing_fraction", float)
    #: Consecutive months above target that are flagged [months].
    failing_months: int = rule_field("lineloss.failing_months", int)
    #: Three-phase imbalance rate (Imax - Imin) / Imax that is flagged [1].
    imbalance_fraction: float = rule_field("lineloss.imbalance_fraction", float)
    #: Cause "low reading rate": monthly reading rate below this [%].
    min_reading_rate_percent: float = rule_field("lineloss.min_reading_rate_percent", float)
    #: Cause "large customer's drop": customer's monthly energy above this before the drop [kWh].
    large_customer_min_kwh: float = rule_field("lineloss.large_customer_min_kwh", float)
    #: ... and falling to below this fraction of the previous month.
    large_customer_drop_fraction: float = rule_field("lineloss.large_customer_drop_fraction", float)


VEE = VeeRules()
LINELOSS = LineLossRules()
