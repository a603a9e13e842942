"""Months, quarters and days as Gridcheck's users write them, once.

A month is carried as the ``datetime.date`` of its first day and written ``YYYY-MM`` (``2026-11``); a
quarter as ``(year, quarter)`` and written ``2026Q3``. Every parser accepts only years that a supply
station's records can have (``MIN_YEAR``..``MAX_YEAR``) and raises ``django.core.exceptions.
PeriodError`` with a Chinese message, so a form, the API and the CLI all say the same thing.
"""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Years a month, a due date or a reading may carry [year].
MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodError(ValidationError, ValueError):
    """A month, quarter or date that cannot be read; a ``ValidationError`` and a ``ValueError``."""


_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("The year must lie between %(low)s and %(high)s."), params={"low": MIN_YEAR, "high": MAX_YEAR}
        )


def month_parse(value) -> datetime.date:
    """``"2026-10"``, ``"2026-10-01"``, ``202610`` or a date -> the first day of that month."""
    if isinstance(value, datetime.date):
        _check_year(value.year)
        return value.replace(day=1)
    if isinstance(value, int) and 100000 <= value <= 999912:
        year, month = divmod(value, 100)
    else:
        match = _MONTH.match(str(value))
        if not match:
            raise PeriodError(_("A month is written YYYY-MM, e.g. 2026-11."))
        year, month = int(match.group(1)), int(match.group(2))
    _check_year(year)
    if not 1 <= month <= 12:
        raise PeriodError(_("A month is written YYYY-MM, e.g. 2026-11."))
    return datetime.date(year, month, 1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of the month containing ``month``."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the month containing ``month``."""
    return month.replace(day=1), month_end(month)


def month_add(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (negative: before) the month of ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    """First day of the last month that has ended (local time)."""
    today = today or timezone.localdate()
    return month_add(today.replace(day=1), -1)


def quarter_parse(value) -> tuple[int, int]:
    """``"2026Q3"`` or ``"2026-Q3"`` -> ``(2026, 3)``."""
    match = _QUARTER.match(str(value))
    if not match:
        raise PeriodError(_("A quarter is written like 2026Q3."))
    year = int(match.group(1))
    _check_year(year)
    return year, int(match.group(2))


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of quarter ``quarter`` (1-4) of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise PeriodError(_("A quarter is 1, 2, 3 or 4."))
    first = datetime.date(year, 3 * quarter - 2, 1)
    return first, month_end(datetime.date(year, 3 * quarter, 1))


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """``(year, quarter)`` containing ``day``."""
    return day.year, (day.month - 1) // 3 + 1


def date_parse(value) -> datetime.date:
    """``"2026-11-25"`` or a date -> the date, within ``MIN_YEAR``..``MAX_YEAR``."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise PeriodError(_("Write a date as 2026-11-25.")) from None
    _check_year(value.year)
    return value
