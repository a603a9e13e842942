"""Rule values of meter-data validation (VEE) and line-loss management, named once.

Line-loss values cite ``shared/domain/workflows.md``, section "Line loss":

* "list areas whose loss rate moved by more than 20 %"                -> ``swing_fraction = 0.20``
* "An area that misses its target three months running gets an analysis" -> ``failing_months = 3``
* "Three-phase imbalance must stay within 20 %"                        -> ``imbalance_fraction = 0.20``
* targets are set per area by the theoretical loss; ``default_target_percent`` applies where none is set.

VEE values are engineering choices of this project (no regulation fixes them); change them here only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VeeRules:
    """Thresholds of validation, estimation and editing of daily readings."""

    #: Days of the customer's own history that sudden rise/drop compares against.
    history_days: int = 28
    #: Fewest history days needed before sudden rise/drop is judged.
    min_history_days: int = 7
    #: Sudden rise: consumption above this multiple of the history mean.
    sudden_rise_factor: float = 3.0
    #: Sudden drop: consumption below this fraction of the history mean.
    sudden_drop_factor: float = 0.3
    #: History mean [kWh/day] below which rise, drop and stopped are not judged (too little to tell).
    min_history_kwh: float = 1.0
    #: Zero run of this many days or more is a long zero run [days].
    long_zero_run_days: int = 7
    #: Consumption at or below this is zero [kWh].
    zero_kwh: float = 0.0005
    #: A register lower than the previous one by more than this goes backwards [kWh].
    backwards_tolerance_kwh: float = 0.005
    #: Energy-only data: a missing day is estimated as the mean of this many days either side.
    estimate_window_days: int = 7


@dataclass(frozen=True)
class LineLossRules:
    """Thresholds of line-loss flags (see module docstring for their source)."""

    #: Loss-rate target of an area without its own target [%].
    default_target_percent: float = 7.0
    #: Month-over-month relative change of the loss rate that is flagged [1].
    swing_fraction: float = 0.20
    #: Consecutive months above target that are flagged [months].
    failing_months: int = 3
    #: Three-phase imbalance rate (Imax - Imin) / Imax that is flagged [1].
    imbalance_fraction: float = 0.20
    #: Cause "low reading rate": monthly reading rate below this [%].
    min_reading_rate_percent: float = 98.0
    #: Cause "large customer's drop": customer's monthly energy above this before the drop [kWh].
    large_customer_min_kwh: float = 1000.0
    #: ... and falling to below this fraction of the previous month.
    large_customer_drop_fraction: float = 0.5


VEE = VeeRules()
LINELOSS = LineLossRules()
