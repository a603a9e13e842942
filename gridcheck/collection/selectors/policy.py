"""The company's late-fee practice (a named setting per company, printed on statements)."""

from __future__ import annotations

import datetime

from gridcheck.collection.models import CollectionPolicy
from gridcheck_analytics.penalties import LateFeePractice, as_practice, default_practice, describe_practice
from gridcheck_analytics.regulations.table import default_table

OPTIONS = ("count_payment_day", "year_end", "grace_days", "reprice_on_tariff_rise", "minimum_applies_to")


def late_fee_practice_for(company_id: int | None, on: datetime.date) -> LateFeePractice:
    """The practice of ``company_id``: its ``CollectionPolicy`` where it has one, else the rule table's
    ``late_fee.practice.*`` rows in force on ``on``."""
    base = default_practice(on)
    policy = CollectionPolicy.objects.filter(company_id=company_id).first() if company_id else None
    if policy is None:
        return base
    return as_practice({name: getattr(policy, name) for name in OPTIONS}, base=base)


def late_fee_practice_lines(practice: LateFeePractice, on: datetime.date) -> list[str]:
    """The practice in Chinese, one "名称：取值" line per option, for a statement or a notice."""
    minimum = default_table().rule("late_fee.minimum_yuan", on).value
    return describe_practice(practice, minimum_yuan=minimum)
