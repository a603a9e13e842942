"""Violations and late fees with the practice variants (issue 20), worked by hand in each docstring.

1996 rules (case date 2023-05-01); money to the fen, half up; back-bill rounded before the multiple.
"""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, fen

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError

EXCESS = dict(
    case_date=BEFORE_2024,
    extra_capacity_kva=100,
    two_part=True,
    basic_charge_yuan_per_kva_month=25,
)


def test_basic_charge_by_dates_part_months_over_30_days():
    """Art. 100(2), two-part; 2023-03-10 to 2023-05-20; settings basic_charge.part_month = days_per_month
    and basic_charge.count_both_ends = false (defaults): the days are 03-10..05-19.

    March 10–31: 22 days (part) → 22/30; April: whole month → 1; May 1–19: 19 days → 19/30.
    Months = 1 + 41/30; back-bill 25 × 100 × (1 + 41/30) = 5,916.666… → 5,916.67;
    penalty 3 × 5,916.67 = 17,750.01; total 23,666.68 元.
    """
    result = penalties.violation_excess_capacity(**EXCESS, start_date="2023-03-10", end_date="2023-05-20")
    months = 1 + Decimal(41) / 30
    assert result.value("back_bill_yuan") == fen(25 * 100 * months) == Decimal("5916.67")
    assert result.value("penalty_yuan") == Decimal("17750.01")
    assert result.value("total_due_yuan") == Decimal("23666.68")
    inputs = result.item("back_bill_yuan").inputs
    assert inputs["whole_months"] == 1 and "2023-03：22天" in inputs["part_months"]


def test_basic_charge_by_dates_counting_both_ends():
    """basic_charge.count_both_ends = true: May 1–20 = 20 days; months = 1 + 42/30 = 2.4;
    back-bill 25 × 100 × 2.4 = 6,000.00; penalty 18,000.00 元."""
    result = penalties.violation_excess_capacity(
        **EXCESS,
        start_date="2023-03-10",
        end_date="2023-05-20",
        settings={"basic_charge.count_both_ends": True},
    )
    assert result.value("back_bill_yuan") == Decimal("6000.00")
    assert result.value("penalty_yuan") == Decimal("18000.00")


def test_basic_charge_by_dates_calendar_month_and_whole_month():
    """basic_charge.part_month = calendar_month (both ends): 22/31 + 1 + 20/31 = 73/31 months;
    25 × 100 × 73/31 = 5,887.096… → 5,887.10; penalty 3 × 5,887.10 = 17,661.30.
    = whole_month: 3 months; 25 × 100 × 3 = 7,500.00."""
    both = {"basic_charge.count_both_ends": True}
    calendar_month = penalties.violation_excess_capacity(
        **EXCESS,
        start_date="2023-03-10",
        end_date="2023-05-20",
        settings={**both, "basic_charge.part_month": "calendar_month"},
    )
    assert calendar_month.value("back_bill_yuan") == fen(Decimal(2500) * 73 / 31) == Decimal("5887.10")
    assert calendar_month.value("penalty_yuan") == Decimal("17661.30")
    whole = penalties.violation_excess_capacity(
        **EXCESS,
        start_date="2023-03-10",
        end_date="2023-05-20",
        settings={**both, "basic_charge.part_month": "whole_month"},
    )
    assert whole.value("back_bill_yuan") == Decimal("7500.00")


def test_known_basic_charge_amount_with_its_source():
    """Art. 100(4), two-part: basic charge of the sealed equipment known from the bill, 4,200.00 元;
    penalty 2 × 4,200.00 = 8,400.00; total 12,600.00 元. Without the source: refused."""
    facts = dict(case_date=BEFORE_2024, capacity_kva=200, two_part=True, basic_charge_yuan=4200)
    result = penalties.violation_sealed_equipment(**facts, basic_charge_source="2023年3月电费单")
    assert result.value("back_bill_yuan") == Decimal("4200.00")
    assert result.value("penalty_yuan") == Decimal("8400.00")
    assert result.item("back_bill_yuan").inputs["basic_charge_source"] == "2023年3月电费单"
    with pytest.raises(CalcInputError) as err:
        penalties.violation_sealed_equipment(**facts)
    assert err.value.field == "basic_charge_source"


def test_months_and_days_conflict():
    with pytest.raises(CalcInputError) as err:
        penalties.violation_excess_capacity(**EXCESS, months=4, days=120)
    assert err.value.field == "days"


def test_category_change_from_monthly_history_with_a_share():
    """Art. 100(1): monthly consumption 3,000, 3,200, 2,800 kWh, 40% at the higher tariff.

    W = 9,000 × 0.4 = 3,600 kWh; back-bill 3,600 × 0.30 = 1,080.00; penalty 2 × 1,080.00 = 2,160.00 元.
    """
    result = penalties.violation_category_change(
        case_date=BEFORE_2024,
        price_difference_yuan_per_kwh="0.30",
        monthly_kwh=[3000, 3200, 2800],
        high_tariff_share="0.4",
    )
    assert result.value("energy_kwh") == 3600
    assert result.value("back_bill_yuan") == Decimal("1080.00")
    assert result.value("penalty_yuan") == Decimal("2160.00")


def test_category_change_from_monthly_history_over_the_baseline():
    """Art. 100(1): normal months before 1,000, 1,100, 900 (average 1,000); violation months 1,500, 1,800,
    900. Back-billed share: 500 + 800 + 0 = 1,300 kWh; 1,300 × 0.30 = 390.00; penalty 780.00 元."""
    result = penalties.violation_category_change(
        case_date=BEFORE_2024,
        price_difference_yuan_per_kwh="0.30",
        monthly_kwh=[1500, 1800, 900],
        baseline_monthly_kwh=[1000, 1100, 900],
    )
    assert result.value("energy_kwh") == 1300
    assert result.value("back_bill_yuan") == Decimal("390.00")
    assert result.value("penalty_yuan") == Decimal("780.00")


def test_category_change_default_days_is_a_setting():
    """Art. 100(1), dates unknown: 3 months = 90 days (default); 10 kW × 8 h × 90 = 7,200 kWh.
    Setting violation.category_change.default_days = 92: 10 × 8 × 92 = 7,360 kWh."""
    facts = dict(case_date=BEFORE_2024, price_difference_yuan_per_kwh="0.30", capacity_kw=10, hours_per_day=8)
    assert penalties.violation_category_change(**facts).value("energy_kwh") == 7200
    chosen = penalties.violation_category_change(
        **facts, settings={"violation.category_change.default_days": 92}
    )
    assert chosen.value("energy_kwh") == 7360


LATE = dict(
    amount_yuan=10000, due_date="2023-12-15", paid_date="2024-01-10", residential=False, bill_period="2023-11"
)


def test_late_fee_year_end_split_is_the_default():
    """Art. 98, regulations.md 4 commercial example: 16 days in 2023 at 2‰ = 320.00; 9 days in 2024 at
    3‰ = 270.00; 590.00 元 (setting late_fee.practice.year_end = split)."""
    assert penalties.late_fee(**LATE).value("late_fee_yuan") == Decimal("590.00")


def test_late_fee_year_end_whole_from_a_setting():
    """late_fee.practice.year_end = whole: all 25 days at 3‰: 10,000 × 0.003 × 25 = 750.00 元."""
    result = penalties.late_fee(**LATE, settings={"late_fee.practice.year_end": "whole"})
    assert result.value("late_fee_yuan") == Decimal("750.00")


def test_late_fee_payment_day_counted_from_a_setting():
    """late_fee.practice.count_payment_day = true: 2024-01-10 charged too: 320.00 + 10 × 30.00 = 620.00."""
    result = penalties.late_fee(**LATE, settings={"late_fee.practice.count_payment_day": True})
    assert result.value("late_fee_yuan") == Decimal("620.00")


def test_late_fee_grace_days_from_a_setting():
    """late_fee.practice.grace_days = 7: first charged day 2023-12-23: 9 days in 2023 at 2‰ = 180.00;
    9 days in 2024 at 3‰ = 270.00; 450.00 元."""
    result = penalties.late_fee(**LATE, settings={"late_fee.practice.grace_days": 7})
    assert result.value("late_fee_yuan") == Decimal("450.00")
