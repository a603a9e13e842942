"""Violations (违约用电) against the worked examples of regulations.md, each computed by hand here."""

from datetime import date
from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, fen

from gridcheck_analytics import penalties
from gridcheck_analytics.regulations import RuleNotInForceError, rule


def test_example_item2_two_part_excess_capacity():
    result = penalties.violation(
        violation_type="excess_capacity",
        case_date=BEFORE_2024,
        extra_capacity_kva=100,
        two_part=True,
        basic_charge_yuan_per_kva_month=25,
        months=4,
    )
    back_bill = 25 * 100 * 4  # 10,000
    assert result.value("back_bill_yuan") == back_bill
    assert result.value("penalty_yuan") == 3 * back_bill == 30000
    assert result.value("total_due_yuan") == 40000
    assert result.item("penalty_yuan").article.endswith("第一百条第二项")


def test_example_item2_other_customer():
    result = penalties.violation(
        violation_type="excess_capacity", case_date=BEFORE_2024, extra_capacity_kva=15, two_part=False
    )
    assert result.value("penalty_yuan") == 15 * 50 == 750
    assert result.value("total_due_yuan") == 750


def test_part_months_are_days_over_30():
    result = penalties.violation_excess_capacity(
        case_date=BEFORE_2024,
        extra_capacity_kva=100,
        two_part=True,
        basic_charge_yuan_per_kva_month=25,
        days=45,
    )
    assert result.value("back_bill_yuan") == fen(Decimal(25) * 100 * Decimal(45) / 30) == Decimal("3750.00")


@pytest.mark.parametrize(
    ("days", "expected_days"),
    [(None, 90), (30, 30)],  # dates unknown: 3 months = 90 days
)
def test_item1_category_change(days, expected_days):
    result = penalties.violation_category_change(
        case_date=BEFORE_2024,
        price_difference_yuan_per_kwh="0.15",
        capacity_kw=10,
        hours_per_day=8,
        days=days,
    )
    energy = 10 * 8 * expected_days
    back_bill = fen(energy * Decimal("0.15"))
    assert result.value("energy_kwh") == energy
    assert result.value("back_bill_yuan") == back_bill
    assert result.value("penalty_yuan") == 2 * back_bill
    assert result.value("total_due_yuan") == 3 * back_bill


def test_item1_with_metered_energy():
    result = penalties.violation_category_change(
        case_date=BEFORE_2024, price_difference_yuan_per_kwh="0.2", energy_kwh=1234
    )
    assert result.value("back_bill_yuan") == fen(1234 * Decimal("0.2")) == Decimal("246.80")


def test_item3_over_allocation_and_its_2024_inactivity():
    result = penalties.violation_over_allocation(
        case_date=BEFORE_2024, peak_overuse_kw=200, times=2, excess_energy_kwh=1000, price_yuan_per_kwh="0.6"
    )
    assert result.value("capacity_penalty_yuan") == 1 * 200 * 2
    assert result.value("energy_penalty_yuan") == 5 * fen(1000 * Decimal("0.6")) == 3000
    assert result.value("total_due_yuan") == 400 + 3000
    with pytest.raises(RuleNotInForceError, match="2024-06-01"):
        penalties.violation_over_allocation(
            case_date="2024-06-01", peak_overuse_kw=200, excess_energy_kwh=1000, price_yuan_per_kwh="0.6"
        )


@pytest.mark.parametrize(
    ("two_part", "also_excess", "expected"),
    [
        (True, False, 25 * 20 * 3 * (1 + 2)),  # back-bill 1,500 + 2x
        (False, False, 30 * 20 * 2),  # 30 元/kW each time, 2 times
        (False, True, 30 * 20 * 2 + 50 * 20),  # plus item 2 for other customers
        (True, True, 25 * 20 * 3 * 3 + 25 * 20 * 3 * 4),  # plus item 2: back-bill + 3x
    ],
)
def test_item4_sealed_equipment(two_part, also_excess, expected):
    result = penalties.violation_sealed_equipment(
        case_date=BEFORE_2024,
        capacity_kva=20,
        two_part=two_part,
        basic_charge_yuan_per_kva_month=25,
        months=3,
        times=2,
        also_excess_capacity=also_excess,
    )
    assert result.value("total_due_yuan") == expected


@pytest.mark.parametrize(
    ("residential", "times", "expected"), [(True, 1, 500), (True, 2, 1000), (False, 1, 5000)]
)
def test_item5_meter_interference(residential, times, expected):
    result = penalties.violation_meter_interference(
        case_date=BEFORE_2024, residential=residential, times=times
    )
    assert result.value("penalty_yuan") == expected


def test_item6_unauthorised_source_always_carries_a_review_warning():
    result = penalties.violation_unauthorised_source(case_date=BEFORE_2024, source_capacity_kw=30)
    assert result.value("penalty_yuan") == 30 * 500
    row = rule("violation.unauthorised_source.penalty_yuan_per_kw", date.fromisoformat(BEFORE_2024))
    assert row.review_warning() in result.warnings


@pytest.mark.parametrize(("case_date", "review"), [("2024-05-31", False), ("2024-06-01", True)])
def test_violation_2024_rows_carry_review_warning(case_date, review):
    result = penalties.violation_meter_interference(case_date=case_date, residential=False)
    assert result.value("penalty_yuan") == 5000
    assert bool(result.warnings) is review


def test_violation_2024_contract_value_under_the_cap():
    result = penalties.violation_meter_interference(
        case_date="2024-07-01", residential=False, contract_value=3000
    )
    assert result.value("penalty_yuan") == 3000
