"""The contract and temporary-supply rules (YY-14, YY-15) on the small county, and their demo injectors."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

import gridcheck.audit.injections  # noqa: F401  (registers the injectors)
from gridcheck.audit.engine import INJECTORS, RULES, RuleContext
from gridcheck.contracts.choices import ContractKind, ContractStatus
from gridcheck.contracts.models import Contract

pytestmark = pytest.mark.django_db


def _keys(code: str, on: datetime.date) -> set[str]:
    definition = RULES[code]
    params = {name: Decimal(value) for name, value in definition.default_params().items()}
    context = RuleContext(on=on, month=on.replace(day=1), params=params)
    return {hit.key for hit in definition.function(context)}


def _contract(customer, *, valid_to: datetime.date, status=ContractStatus.IN_FORCE) -> Contract:
    return Contract.objects.create(
        number=f"HT-{customer.account_number}-{valid_to:%Y}",
        kind=ContractKind.NON_STANDARD,
        customer=customer,
        station=customer.station,
        status=status,
        valid_from=datetime.date(2024, 1, 1),
        valid_to=valid_to,
    )


def test_non_residential_customers_without_a_contract_in_force_are_found(county):
    on = datetime.date(2026, 6, 1)
    _contract(county.customers["east12"], valid_to=datetime.date(2026, 12, 31))
    _contract(county.customers["east22"], valid_to=datetime.date(2026, 5, 31), status=ContractStatus.EXPIRED)
    found = _keys("YY-14", on)
    commercial = {f"customer:{county.customers[key].pk}" for key in ("east22", "west12", "west22")}
    assert found == commercial  # east12 is covered; residential customers (east11 ...) never listed
    context = RuleContext(on=on, month=on.replace(day=1), params={})
    hits = {hit.customer_id: hit for hit in RULES["YY-14"].function(context)}
    east22 = county.customers["east22"]
    assert f"HT-{east22.account_number}-2026" in hits[east22.pk].summary
    assert "2026-05-31" in hits[east22.pk].summary
    assert "从未签订" in hits[county.customers["west12"].pk].summary


def test_the_contract_injector_ends_contracts_in_force_and_the_rule_finds_them(county):
    on = timezone.localdate()
    for key in ("east12", "east22"):
        _contract(county.customers[key], valid_to=on + datetime.timedelta(days=400))
    before = _keys("YY-14", on)
    keys = INJECTORS["YY-14"](rng=random.Random(1), count=2, month=on.replace(day=1), on=on)
    assert len(keys) == 2 and not set(keys) & before
    assert set(keys) <= _keys("YY-14", on)


def test_a_temporary_supply_past_its_end_is_found_and_the_injector_makes_one(county):
    from gridcheck.temporary_supply.choices import ACTIVE_STATUSES
    from gridcheck.temporary_supply.demo import demo_temporary_supply_build
    from gridcheck.temporary_supply.models import TemporarySupply

    on = timezone.localdate()
    demo_temporary_supply_build(on=on)
    overdue = {
        f"temporary-supply:{pk}"
        for pk in TemporarySupply.objects.filter(status__in=ACTIVE_STATUSES, end_on__lt=on).values_list(
            "pk", flat=True
        )
    }
    assert _keys("YY-15", on) == overdue
    keys = INJECTORS["YY-15"](rng=random.Random(1), count=1, month=on.replace(day=1), on=on)
    assert len(keys) == 1 and keys[0] not in overdue
    assert _keys("YY-15", on) == overdue | set(keys)
