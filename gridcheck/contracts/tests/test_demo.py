import datetime

import pytest

from gridcheck.contracts.demo import demo_contracts_build
from gridcheck.contracts.models import Contract
from gridcheck.contracts.selectors import customers_without_contract

pytestmark = pytest.mark.django_db


def test_demo_builds_once(county):
    on = datetime.date(2026, 11, 1)
    counts = demo_contracts_build(on=on, seed=7)
    non_residential = 4  # two stations x two areas x one commercial customer
    assert counts["contracts"] + counts["missing"] == non_residential and counts["contracts"] > 0
    assert Contract.objects.filter(customer__category="residential").count() == 0
    assert Contract.objects.count() == counts["contracts"]
    in_force = Contract.objects.filter(status="in_force", valid_from__lte=on, valid_to__gte=on).count()
    assert in_force == counts["contracts"] - counts["expired"]
    assert customers_without_contract(on=on).count() == counts["missing"] + counts["expired"]
    again = demo_contracts_build(on=on, seed=7)
    assert again["contracts"] == 0 and Contract.objects.count() == counts["contracts"]
