"""Rule values for the business system: the versioned rule table of ``gridcheck_analytics.regulations``.

Every regulation value and every station rule (report days, deadlines, thresholds, fines, frequencies) is a
row of ``rules.toml``, keyed by effective date and citing its article or station rule. A case, bill, notice
or finding asks for the row in force on *its* date::

    due_day = rule_value("hazards.monthly_notice_due_day", on=month)

Settings hold only deployment values (hosts, paths, secrets, gateways), never a rule.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from gridcheck_analytics.regulations import Rule, default_table


def rule_row(key: str, on: datetime.date | None = None) -> Rule:
    """The row of ``key`` in force on ``on`` (today, local time, when not given)."""
    return default_table().rule(key, on or timezone.localdate())


def rule_value(key: str, on: datetime.date | None = None):
    """The value of ``key`` in force on ``on``: a ``Decimal`` for numbers, else the string or boolean."""
    return rule_row(key, on).value


def rule_int(key: str, on: datetime.date | None = None) -> int:
    """A whole-number rule (days, hours, people, a day of the month) in force on ``on``."""
    value = rule_value(key, on)
    if not isinstance(value, Decimal) or value != value.to_integral_value():
        raise ValueError(f"rule {key!r} is not a whole number: {value!r}")
    return int(value)
