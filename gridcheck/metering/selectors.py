"""Read side of the metering asset ledger: the lists the station works from, each scoped to the user."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from gridcheck.core.roles import MANAGE_METERING, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset
from gridcheck.metering.choices import AssetStatus, FaultOutcome, NoticeStatus
from gridcheck.metering.models import Asset, AssetFault, RectificationNotice

LEDGER_RELATED = ("device_type", "station", "metering_point__customer")


def can_manage(user) -> bool:
    return has_capability(user, MANAGE_METERING)


def reminder_days(on: datetime.date | None = None) -> int:
    """How many days ahead the due list looks (``metering.due_reminder_days``)."""
    return rule_int("metering.due_reminder_days", on=on or timezone.localdate())


def asset_ledger(user) -> QuerySet[Asset]:
    """Every asset the user may see (the ledger, 台账)."""
    return scope_queryset(Asset.objects.select_related(*LEDGER_RELATED), user)


def assets_due(
    user, *, on: datetime.date | None = None, within_days: int | None = None, overdue_only: bool = False
) -> QuerySet[Asset]:
    """Installed assets due for verification / rotation within ``within_days`` of ``on`` (default the
    rule ``metering.due_reminder_days``), overdue first; ``overdue_only``: past their date."""
    on = on or timezone.localdate()
    days = reminder_days(on) if within_days is None else within_days
    queryset = asset_ledger(user).filter(status=AssetStatus.INSTALLED, due_on__isnull=False)
    if overdue_only:
        queryset = queryset.filter(due_on__lt=on)
    else:
        queryset = queryset.filter(due_on__lte=on + datetime.timedelta(days=days))
    return queryset.order_by("due_on", "pk")


def assets_obsolete(user) -> QuerySet[Asset]:
    """Assets in stock or in service whose type is obsolete: to be replaced."""
    return asset_ledger(user).filter(
        device_type__obsolete=True,
        status__in=(AssetStatus.IN_STOCK, AssetStatus.INSTALLED, AssetStatus.FAULTY),
    )


def faults_open(user) -> QuerySet[AssetFault]:
    return scope_queryset(AssetFault.objects.filter(outcome=FaultOutcome.PENDING), user)


def notices_overdue(user, *, on: datetime.date | None = None) -> QuerySet[RectificationNotice]:
    """Open rectification notices past their deadline."""
    on = on or timezone.localdate()
    return scope_queryset(
        RectificationNotice.objects.filter(status=NoticeStatus.OPEN, deadline__lt=on), user
    ).select_related("metering_point__customer", "asset")
