"""Reads of the contract register: the contract in force, the register's filters, the expiry list and the
customers without a contract. Every list a person sees is scoped (``core.scoping``)."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from gridcheck.archive.choices import CustomerCategory, CustomerStatus
from gridcheck.archive.models import Customer
from gridcheck.contracts.choices import IN_FORCE_STATUSES
from gridcheck.contracts.models import Contract
from gridcheck.core.scoping import scope_queryset


def _in_force_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status__in": IN_FORCE_STATUSES,
            f"{prefix}valid_from__lte": on,
            f"{prefix}valid_to__gte": on,
        }
    )


def contract_in_force(customer, on: datetime.date) -> Contract | None:
    """The customer's contract in force on ``on`` (the latest starting one), or ``None``.

    Residential customers usually have no row: they are covered by the residential notice (see
    ``customer_is_covered``).
    """
    return Contract.objects.filter(_in_force_q(on), customer=customer).order_by("-valid_from", "-pk").first()


def customer_is_covered(customer, on: datetime.date) -> bool:
    """Whether ``customer`` may be supplied on ``on``: a contract in force, or, for a residential
    customer, the residential notice (居民用电须知) issued with every residential connection."""
    if customer.category == CustomerCategory.RESIDENTIAL:
        return True
    return contract_in_force(customer, on) is not None


def contracts_for(user) -> QuerySet:
    """Every contract ``user`` may see, with what the register shows."""
    return scope_queryset(Contract.objects.select_related("customer", "customer__area", "station"), user)


def contracts_expiring(*, on: datetime.date, days: int, queryset: QuerySet | None = None) -> QuerySet:
    """Contracts in force that end within ``days`` days after ``on`` (ending soonest first)."""
    queryset = queryset if queryset is not None else Contract.objects.all()
    return queryset.filter(
        status__in=IN_FORCE_STATUSES, valid_to__gte=on, valid_to__lte=on + datetime.timedelta(days=days)
    ).order_by("valid_to", "number")


def customers_without_contract(*, on: datetime.date, queryset: QuerySet | None = None) -> QuerySet:
    """Active non-residential customers without a contract in force on ``on``."""
    queryset = queryset if queryset is not None else Customer.objects.all()
    covered = Contract.objects.filter(_in_force_q(on), customer=OuterRef("pk"))
    return (
        queryset.filter(status=CustomerStatus.ACTIVE)
        .exclude(category=CustomerCategory.RESIDENTIAL)
        .annotate(has_contract=Exists(covered))
        .filter(has_contract=False)
        .select_related("area", "station")
        .order_by("station__code", "account_number")
    )


def customers_without_contract_for(user, *, on: datetime.date) -> QuerySet:
    """``customers_without_contract`` within ``user``'s scope."""
    return customers_without_contract(on=on, queryset=scope_queryset(Customer.objects.all(), user))
