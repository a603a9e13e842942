"""Temporary supply's selectors: the ledger (active, ending within N days, overdue, without prepayment),
the prepaid balance from collection, and what a detail page shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset
from gridcheck.temporary_supply.choices import ACTIVE_STATUSES, Ledger, SupplyStatus
from gridcheck.temporary_supply.models import TemporarySupply, UnauthorisedConnection

ZERO = Decimal("0.00")


def prepaid_balance(customer) -> Decimal:
    """The customer's prepaid balance [yuan]: the credit of their collection account."""
    from gridcheck.collection.selectors.payments import account_of

    account = account_of(customer)
    return account.credit_yuan if account is not None else ZERO


def reminder_days(on: datetime.date | None = None) -> int:
    """The ledger's "ending within N days" (the reminder rule)."""
    return rule_int("temporary_supply.reminder_days", on=on or timezone.localdate())


def with_balance(queryset: QuerySet) -> QuerySet:
    """Annotate ``balance_yuan``: each supply's prepaid balance (0 without an account)."""
    from gridcheck.collection.models import Account

    credit = Account.objects.filter(customer_id=OuterRef("customer_id")).values("credit_yuan")[:1]
    return queryset.annotate(balance_yuan=Coalesce(Subquery(credit), Value(ZERO)))


def ledger_filter(queryset: QuerySet, view: str, on: datetime.date | None = None) -> QuerySet:
    """One view of the ledger (``Ledger``) over ``queryset``."""
    on = on or timezone.localdate()
    active = queryset.filter(status__in=ACTIVE_STATUSES)
    if view == Ledger.ACTIVE:
        return active
    if view == Ledger.ENDING:
        return active.filter(end_on__gte=on, end_on__lte=on + datetime.timedelta(days=reminder_days(on)))
    if view == Ledger.OVERDUE:
        return active.filter(end_on__lt=on)
    if view == Ledger.UNPREPAID:
        return (
            with_balance(queryset)
            .filter(status__in=(SupplyStatus.APPROVED, *ACTIVE_STATUSES))
            .filter(Q(balance_yuan__lt=F("prepayment_yuan")) | Q(balance_yuan__lte=0))
        )
    return queryset


def supplies_for(user) -> QuerySet:
    """Every temporary supply within ``user``'s scope, with what the lists show."""
    return scope_queryset(
        TemporarySupply.objects.select_related("station", "area", "customer", "contract"), user
    )


def ledger_counts(user, on: datetime.date | None = None) -> dict[str, int]:
    """How many supplies of the user's scope are in each ledger view."""
    base = supplies_for(user)
    return {view: ledger_filter(base, view, on).count() for view in Ledger.values}


def unauthorised_for(user) -> QuerySet:
    return scope_queryset(
        UnauthorisedConnection.objects.select_related(
            "station", "area", "staff", "customer", "case", "supply"
        ),
        user,
    )


def events_of(supply: TemporarySupply) -> list[dict]:
    """The supply's status history as the events card shows it."""
    rows = []
    for e in supply.events.select_related("actor").order_by("at", "pk"):
        rows.append(
            {
                "at": e.at,
                "actor": e.actor,
                "from": SupplyStatus(e.from_status).label if e.from_status else "",
                "to": SupplyStatus(e.to_status).label,
                "note": e.note,
            }
        )
    return rows
