"""Shared pieces of the rule detectors: theft methods, thresholds and the reason frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridcheck_analytics.thresholds import TableValues, rule_field

#: Theft methods (glossary: 欠压法、欠流法、移相法、扩差法、无表法) and the other causes a rule can point to.
METHODS = {
    "under_voltage": "欠压法",
    "under_current": "欠流法",
    "phase_shift": "移相法",
    "error_expansion": "扩差法",
    "bypass": "无表法(绕越计量)",
    "contract_violation": "违约用电(超容量)",
    "meter_fault": "计量装置异常",
    "unspecified": "窃电方法待现场核实",
}

#: Columns of every rule's result.
REASON_COLUMNS = ["meter_id", "month", "code", "text", "method", "method_zh", "evidence", "weight"]

#: Chinese names of event codes for reason texts.
EVENT_ZH = {
    "cover_opened": "开表盖",
    "loss_of_voltage": "失压",
    "loss_of_current": "失流",
    "reversed": "电能表倒走(反向)",
    "phase_failure": "断相",
}


@dataclass(frozen=True)
class DetectionRules(TableValues):
    """Thresholds of the rule detectors: rows ``detection.*`` of the rule table.

    The CT band is the station rule of shared/domain/workflows.md, "Metering, seals and census" ("the
    load current should sit within 30 % to 100 % of the CT's rated primary current"); the others are
    engineering choices of this project (no regulation fixes them), tuned on the simulator.
    ``DetectionRules.in_force(on)`` gives the rows in force on a date, ``DetectionRules()`` those in force
    today (see :mod:`gridcheck_analytics.thresholds`).
    """

    #: Drop after an event: the month's mean below this fraction of the mean before the event.
    post_event_drop_ratio: float = rule_field("detection.post_event_drop_ratio", float)
    #: Drop with area loss: ratio to own history below this ...
    area_drop_ratio: float = rule_field("detection.area_drop_ratio", float)
    #: ... while the area's loss rate rose by more than this [percentage points].
    area_loss_rise_pp: float = rule_field("detection.area_loss_rise_pp", float)
    #: Sudden drop vs peers: ratio to own history and to the peers' change both below this.
    peer_drop_ratio: float = rule_field("detection.peer_drop_ratio", float)
    #: Drop on the same month a year before (同比): the month's mean below this fraction of it (the
    #: season cancels out, so a theft that began months ago still shows).
    year_over_year_ratio: float = rule_field("detection.year_over_year_ratio", float)
    #: Least history mean for drop rules [kWh/day] (too little consumption to judge below it).
    min_history_kwh: float = rule_field("detection.min_history_kwh", float)
    #: Zero consumption of a business: share of zero days at or above this.
    zero_share: float = rule_field("detection.zero_share", float)
    #: Consumption impossible: busiest day above this multiple of 24 h at contracted capacity or the meter.
    impossible_ratio: float = rule_field("detection.impossible_ratio", float)
    #: CT band [%] of the rated primary current.
    ct_min_percent: float = rule_field("detection.ct_min_percent", float)
    ct_max_percent: float = rule_field("detection.ct_max_percent", float)
    #: Under-voltage: share of curve points below the low-voltage fraction of rated voltage at or above this.
    low_voltage_share: float = rule_field("detection.low_voltage_share", float)


RULE_VALUES = DetectionRules()


def fmt(x, digits: int = 1) -> str:
    """A number for a reason text (``-`` for missing)."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return f"{x:,.{digits}f}"


def reasons(
    features: pd.DataFrame,
    mask,
    code: str,
    method,
    weight: float,
    text,
    evidence_columns: list[str],
) -> pd.DataFrame:
    """Build the reason frame for the rows of ``features`` where ``mask`` holds.

    ``method`` is a method code or a function of the row; ``text`` a function of the row.
    """
    hit = features[np.asarray(mask, dtype=bool)]
    if hit.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in REASON_COLUMNS})
    rows = []
    for row in hit.itertuples(index=False):
        r = row._asdict()
        m = method(r) if callable(method) else method
        rows.append(
            {
                "meter_id": r["meter_id"],
                "month": r.get("month"),
                "code": code,
                "text": text(r),
                "method": m,
                "method_zh": METHODS[m],
                "evidence": {c: _plain(r.get(c)) for c in evidence_columns},
                "weight": weight,
            }
        )
    return pd.DataFrame(rows, columns=REASON_COLUMNS)


def _plain(v):
    if v is None:
        return None
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else round(float(v), 4)
    if isinstance(v, np.integer):
        return int(v)
    return v if isinstance(v, int | str | bool) else str(v)
