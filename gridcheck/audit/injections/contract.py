"""Demo injectors of the contract and temporary-supply rules (YY-14, YY-15): a contract in force ended
early (terminated and not renewed), a temporary supply's agreed end moved into the past. Each returns
the keys its rule will produce; fewer where the demo county has too few contracts or supplies."""

from __future__ import annotations

import datetime

from gridcheck.audit.engine import audit_injector
from gridcheck.contracts.choices import IN_FORCE_STATUSES, ContractStatus
from gridcheck.contracts.models import Contract
from gridcheck.temporary_supply.choices import ACTIVE_STATUSES
from gridcheck.temporary_supply.models import TemporarySupply


def _in_force(on: datetime.date) -> dict:
    return {"status__in": IN_FORCE_STATUSES, "valid_from__lte": on, "valid_to__gte": on}


@audit_injector("YY-14")
def contract_ended(*, rng, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    from gridcheck.archive.choices import CustomerCategory, CustomerStatus

    candidates = list(
        Contract.objects.filter(**_in_force(on), customer__status=CustomerStatus.ACTIVE)
        .exclude(customer__category=CustomerCategory.RESIDENTIAL)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()
    )
    chosen = rng.sample(candidates, min(count, len(candidates)))
    keys = []
    for customer_id in chosen:
        # Every contract of the customer ends: one left in force would still cover it.
        Contract.objects.filter(**_in_force(on), customer_id=customer_id).update(
            status=ContractStatus.TERMINATED,
            terminated_on=on - datetime.timedelta(days=10),
            termination_reason="（演示注入）合同提前终止，未续签",
        )
        keys.append(f"customer:{customer_id}")
    return keys


@audit_injector("YY-15")
def temporary_supply_overdue(*, rng, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    candidates = list(
        TemporarySupply.objects.filter(status__in=ACTIVE_STATUSES, end_on__gte=on)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(candidates, min(count, len(candidates)))
    TemporarySupply.objects.filter(pk__in=chosen).update(end_on=on - datetime.timedelta(days=5))
    return [f"temporary-supply:{pk}" for pk in chosen]
