"""Rule detectors: one function per rule, each returning its reasons for the customer-months it fires on.

Every rule takes the customer-month features (:func:`gridcheck_analytics.features.customer_month_features`,
as pandas) and returns a frame of reasons, one row per firing (meter, month), columns
:data:`REASON_COLUMNS`:

* ``code`` — the rule code (e.g. ``drop_after_event``);
* ``text`` — the reason in Chinese for the inspector, with the numbers;
* ``method`` / ``method_zh`` — the theft method it points to (:data:`METHODS`);
* ``evidence`` — dict of the values that fired it;
* ``weight`` — the rule's strength in [0, 1], used by :func:`rule_score` and the combined ranking.

:func:`evaluate_rules` runs all rules of :data:`RULES`.
"""

from __future__ import annotations

from gridcheck_analytics.rules.base import METHODS, REASON_COLUMNS, RULE_VALUES, DetectionRules
from gridcheck_analytics.rules.detectors import (
    RULES,
    ct_ratio_out_of_range,
    drop_after_event,
    drop_with_area_loss,
    drop_year_over_year,
    evaluate_rules,
    impossible_for_capacity,
    reversed_energy,
    rule_score,
    sudden_drop_vs_peers,
    under_voltage_curve,
    zero_active_business,
)

__all__ = [
    "METHODS",
    "REASON_COLUMNS",
    "RULES",
    "RULE_VALUES",
    "DetectionRules",
    "ct_ratio_out_of_range",
    "drop_after_event",
    "drop_with_area_loss",
    "drop_year_over_year",
    "evaluate_rules",
    "impossible_for_capacity",
    "reversed_energy",
    "rule_score",
    "sudden_drop_vs_peers",
    "under_voltage_curve",
    "zero_active_business",
]
