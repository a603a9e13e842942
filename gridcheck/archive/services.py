"""Services that change the archive: keyword-only, atomic, validated before they save."""

from django.db import transaction
from django.utils import timezone

from gridcheck.archive.choices import CustomerStatus
from gridcheck.archive.models import Customer
from gridcheck.archive.signals import customer_activating

# Fields a person may change on a customer's page (the account number is its identity). The tariff code
# is not among them: it changes only through an approved category change (更改用电申请, billing app),
# which calls ``customer_tariff_change``.
CUSTOMER_EDITABLE_FIELDS = (
    "name",
    "address",
    "phone",
    "area",
    "category",
    "voltage_level",
    "contracted_capacity_kva",
    "inspection_class",
    "is_high_risk",
    "is_important",
    "status",
    "connected_on",
)


@transaction.atomic
def customer_update(*, customer: Customer, user, **fields) -> Customer:
    """Change ``fields`` of ``customer`` on behalf of ``user``; the change is recorded in its history.

    Moving the customer to another area also moves it to that area's station
    (``Customer.station`` repeats ``area.station``).
    """
    unknown = set(fields) - set(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    stored = Customer.objects.filter(pk=customer.pk).values_list("status", flat=True).first()
    was_active = (stored or customer.status) == CustomerStatus.ACTIVE
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.station_id = customer.area.station_id
    customer.full_clean()
    if customer.status == CustomerStatus.ACTIVE and not was_active:
        # Apps above the archive may refuse the activation (no supply without a contract in force).
        customer_activating.send(sender=Customer, customer=customer, user=user, on=timezone.localdate())
    customer._history_user = user
    customer.save()
    return customer


@transaction.atomic
def customer_tariff_change(*, customer: Customer, tariff_code: str, user, reason: str) -> Customer:
    """Change the customer's tariff code: only for an approved category change (billing's service)."""
    customer.tariff_code = tariff_code
    customer.full_clean()
    customer._history_user = user
    customer._change_reason = reason
    customer.save()
    return customer
