"""Dunning and disconnection for arrears: what is due, what a customer owes, what a record's life was.

A notice's day is the local day it was issued (``created_at`` in Asia/Shanghai). The schedule: a customer
whose oldest open bill is overdue by ``collection.dunning_first_after_days`` gets a notice, and another
one every ``collection.dunning_repeat_days`` while the arrears stay unpaid.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridcheck.archive.models import Customer
from gridcheck.collection.choices import DisconnectionStatus, DunningStatus, ReceivableStatus
from gridcheck.collection.models import ZERO, CollectionEvent, Disconnection, DunningNotice, Receivable
from gridcheck.core.rules import rule_int

_MONEY = DecimalField(max_digits=14, decimal_places=2)

#: A disconnection still in progress (not finished, cancelled or rejected).
OPEN_DISCONNECTION = (
    DisconnectionStatus.PROPOSED,
    DisconnectionStatus.COUNTY_PENDING,
    DisconnectionStatus.APPROVED,
    DisconnectionStatus.EXECUTED,
)
#: Before the cut: a proposal whose arrears are paid is cancelled.
BEFORE_CUT = (DisconnectionStatus.PROPOSED, DisconnectionStatus.COUNTY_PENDING, DisconnectionStatus.APPROVED)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the deployment's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def notice_day(notice: DunningNotice) -> datetime.date:
    """The local day a notice was issued."""
    return timezone.localdate(notice.created_at)


def overdue_receivables(customer, on: datetime.date, *, min_days: int = 1):
    """The customer's open receivables overdue by at least ``min_days`` on ``on``, oldest first."""
    return Receivable.objects.filter(
        customer=customer,
        status=ReceivableStatus.OPEN,
        due_date__lte=on - datetime.timedelta(days=min_days),
    ).order_by("due_date", "pk")


def open_receivables(customer):
    return Receivable.objects.filter(customer=customer, status=ReceivableStatus.OPEN).order_by(
        "due_date", "pk"
    )


def arrears_of(receivables) -> tuple[Decimal, Decimal]:
    """``(principal still owed, late fee to date)`` of ``receivables`` (two decimals)."""
    principal, fee = ZERO, ZERO
    for receivable in receivables:
        principal += receivable.balance_yuan
        fee += receivable.late_fee_accrued_yuan
    return principal, fee


def dunning_due(station, on: datetime.date | None = None):
    """Customers of ``station`` that the schedule says get a dunning notice on ``on`` (today by default).

    Each row is a ``Customer`` annotated with ``arrears_yuan`` (principal of its overdue open bills),
    ``late_fee_yuan`` (accrued to date), ``oldest_due`` and ``last_notice_at`` (None when never dunned).
    The caller scopes the rows to its user (``scope_queryset``).
    """
    on = on or timezone.localdate()
    first_after = rule_int("collection.dunning_first_after_days", on)
    repeat = rule_int("collection.dunning_repeat_days", on)
    overdue = Q(
        receivables__status=ReceivableStatus.OPEN,
        receivables__due_date__lte=on - datetime.timedelta(days=first_after),
    )
    recent = DunningNotice.objects.filter(
        customer=OuterRef("pk"),
        created_at__gte=day_start(on - datetime.timedelta(days=repeat - 1)),
    )
    balance = ExpressionWrapper(
        F("receivables__amount_yuan") - F("receivables__paid_yuan"), output_field=_MONEY
    )
    last_notice = DunningNotice.objects.filter(customer=OuterRef("pk")).order_by("-created_at")
    return (
        Customer.objects.filter(station=station)
        .filter(overdue)
        .annotate(
            arrears_yuan=Coalesce(Sum(balance, filter=overdue), ZERO, output_field=_MONEY),
            late_fee_yuan=Coalesce(
                Sum("receivables__late_fee_accrued_yuan", filter=overdue), ZERO, output_field=_MONEY
            ),
            oldest_due=Min("receivables__due_date", filter=overdue),
            last_notice_at=last_notice.values("created_at")[:1],
        )
        .filter(arrears_yuan__gt=0)
        .exclude(Exists(recent))
        .select_related("area")
        .order_by("area__code", "account_number")
    )


def notices_of_arrears(receivables):
    """The dunning notices that covered any of ``receivables`` (the same arrears)."""
    return DunningNotice.objects.filter(receivables__in=list(receivables)).distinct()


def notice_count_for(receivable: Receivable) -> int:
    return receivable.dunning_notices.count()


def unsettled_notices(customer):
    return DunningNotice.objects.filter(customer=customer).exclude(status=DunningStatus.SETTLED)


def open_disconnection(customer) -> Disconnection | None:
    return (
        Disconnection.objects.filter(customer=customer, status__in=OPEN_DISCONNECTION).order_by("-pk").first()
    )


def events_of(subject) -> list[CollectionEvent]:
    return list(
        CollectionEvent.objects.filter(subject_type=type(subject).__name__, subject_id=subject.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def disconnections_to_remind(on: datetime.date):
    """Approved disconnections whose reminder day (the day of cutting) has come."""
    return Disconnection.objects.filter(status=DisconnectionStatus.APPROVED, reminder_on__lte=on)
