"""The input boundary of the case calculations: case facts coerced to Decimal, dates, choices and flags.

Numbers come as ``str``/``int``/``float``/``Decimal``, dates as :class:`datetime.date` or ISO strings; a bad
input raises :class:`CalcInputError` naming the field.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from decimal import Decimal

#: Largest magnitude a case input may have: beyond it a number is a typing error (``1e400``), not a fact.
MAX_MAGNITUDE = Decimal("1e15")


class CalcInputError(ValueError):
    """A case input is missing or invalid; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def as_decimal(value: object, name: str, *, positive: bool = False, nonnegative: bool = False) -> Decimal:
    """``value`` as a finite Decimal (a float through its shortest repr), optionally > 0 or >= 0."""
    if value is None:
        raise CalcInputError(name, "is required")
    if isinstance(value, bool):
        raise CalcInputError(name, f"must be a number, got {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except Exception:
        raise CalcInputError(name, f"must be a number, got {value!r}") from None
    if not number.is_finite():
        raise CalcInputError(name, f"must be a finite number, got {value!r}")
    if abs(number) >= MAX_MAGNITUDE:
        raise CalcInputError(name, f"is out of range (at most {MAX_MAGNITUDE:E} in size), got {value}")
    if positive and number <= 0:
        raise CalcInputError(name, f"must be greater than 0, got {number}")
    if nonnegative and number < 0:
        raise CalcInputError(name, f"must not be negative, got {number}")
    return number


def as_optional_decimal(value: object, name: str, **kwargs) -> Decimal | None:
    """:func:`as_decimal`, or ``None`` when ``value`` is ``None``."""
    return None if value is None else as_decimal(value, name, **kwargs)


def as_bill_period(value: object, name: str, today: datetime.date | None = None) -> datetime.date:
    """A billing period: a month ``YYYY-MM`` (read as its last day) or a date ``YYYY-MM-DD``."""
    if isinstance(value, str) and len(value.strip()) == 7:
        try:
            first = datetime.date.fromisoformat(value.strip() + "-01")
        except ValueError:
            raise CalcInputError(
                name, f"must be a month YYYY-MM or a date YYYY-MM-DD, got {value!r}"
            ) from None
        value = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return as_date(value, name, today)


def as_date(value: object, name: str, today: datetime.date | None = None) -> datetime.date:
    """``value`` (a date, a datetime or ``YYYY-MM-DD``) as a date, not after ``today`` when given."""
    if value is None:
        raise CalcInputError(name, "is required")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise CalcInputError(name, f"must be a date YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, datetime.date):
        raise CalcInputError(name, f"must be a date YYYY-MM-DD, got {value!r}")
    if today is not None and value > today:
        raise CalcInputError(name, f"{value} is in the future (today is {today})")
    return value


def as_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """``value`` when it is one of ``choices``."""
    if value is None:
        raise CalcInputError(name, f"is required (one of {', '.join(choices)})")
    if value not in choices:
        raise CalcInputError(name, f"unknown value {value!r}; expected one of {', '.join(choices)}")
    return str(value)


def as_bool(value: object, name: str) -> bool:
    """``value`` when it is a ``bool`` (no truthiness: ``"false"`` is rejected)."""
    if not isinstance(value, bool):
        raise CalcInputError(name, f"must be true or false, got {value!r}")
    return value


def as_count(value: object, name: str) -> int:
    """``value`` as a whole number greater than 0."""
    number = as_decimal(value, name, positive=True)
    if number != number.to_integral_value():
        raise CalcInputError(name, f"must be a whole number, got {number}")
    return int(number)


def as_decimal_list(
    value: object, name: str, *, positive: bool = False, nonnegative: bool = False
) -> list[Decimal]:
    """``value`` (one number or a non-empty list) as a list of Decimals (see :func:`as_decimal`)."""
    if value is None:
        raise CalcInputError(name, "is required")
    if not isinstance(value, list | tuple):
        value = [value]
    if not value:
        raise CalcInputError(name, "must not be empty")
    return [
        as_decimal(v, f"{name}[{i}]", positive=positive, nonnegative=nonnegative) for i, v in enumerate(value)
    ]


def as_case_date(case_date: object, today: datetime.date | None) -> datetime.date:
    """The case date (field ``case_date``), which selects the rule version."""
    return as_date(case_date, "case_date", today)
