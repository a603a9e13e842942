import datetime

import pytest

from gridcheck.cases import services
from gridcheck.core.testing import patch_rules


def bypass_case(county, case_date: datetime.date):
    """A residential customer bypassing a 5 A single-phase meter, start unknown, found on ``case_date``."""
    return services.case_create(
        customer=county.customers["east11"],
        kind="theft",
        theft_type="bypass_meter",
        case_date=case_date,
        facts="表前绕越接线",
        created_by=county.users["inspector_east"],
    )


@pytest.fixture
def theft_case(county):
    """Example A of regulations.md (:func:`bypass_case` under the 1996 rules)."""
    return bypass_case(county, datetime.date(2023, 5, 1))


@pytest.fixture
def rule_values(monkeypatch):
    """Set rule-table values for one test: ``rule_values({"cases.approval_threshold_yuan": 1000})``."""
    return lambda values: patch_rules(monkeypatch, values)


def run_to_pending(case, county):
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    case = services.case_notify(
        case=case, signed_by_customer=True, signer_name="张三", user=county.users["inspector_east"]
    )
    return services.case_submit_for_approval(case=case, user=county.users["inspector_east"])
