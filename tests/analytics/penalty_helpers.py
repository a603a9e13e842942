"""Helpers of the case-calculation tests (test_penalties_*.py): rounding by hand and a valid theft case."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

D = datetime.date
BEFORE_2024 = "2023-05-01"  # regulations.md 2.4: the examples assume the 1996 rules


def fen(x) -> Decimal:
    """Round to 0.01 元 half up, by hand."""
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def kwh(x) -> Decimal:
    """Round to whole kWh half up, by hand."""
    return Decimal(x).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


THEFT_OK = dict(
    case_date=BEFORE_2024,
    theft_type="tap_supply_facility",
    price_yuan_per_kwh="0.65",
    equipment_capacity_kw=16,
    hours=10,
)
