"""How rules word what they found: money, energy, days and customers as an auditor reads them."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone


def yuan(value) -> str:
    """Money with thousands separators and two decimals: ``1,234.50 元``."""
    return f"{Decimal(value or 0):,.2f} 元"


def kwh(value) -> str:
    """Energy in whole kWh: ``12,345 kWh``."""
    return f"{Decimal(value or 0):,.0f} kWh"


def day(value) -> str:
    """A date (a moment: its local date) as ``2026-11-05``; ``—`` when there is none."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}"


def who(row: dict, prefix: str = "") -> str:
    """A customer as ``name（account number）`` from a ``values()`` row (fields under ``prefix``)."""
    return f"{row[prefix + 'name']}（{row[prefix + 'account_number']}）"


def aware(value: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``value``, local time."""
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def bill_url(pk: int) -> str:
    return reverse("billing:bill_detail", args=[pk])
