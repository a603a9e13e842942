"""The input boundary of the case calculations: bad inputs name their field; results serialise."""

import pytest
from penalty_helpers import BEFORE_2024, THEFT_OK, D

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError
from gridcheck_analytics.regulations import RuleNotInForceError


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"equipment_capacity_kw": None}, "equipment_capacity_kw"),  # missing capacity
        ({"equipment_capacity_kw": 0}, "equipment_capacity_kw[0]"),  # zero capacity
        ({"equipment_capacity_kw": [5, -1]}, "equipment_capacity_kw[1]"),
        ({"price_yuan_per_kwh": "abc"}, "price_yuan_per_kwh"),
        ({"price_yuan_per_kwh": 0}, "price_yuan_per_kwh"),
        ({"theft_type": "magic"}, "theft_type"),
        ({"case_date": "2023-13-01"}, "case_date"),
        ({"case_date": "2099-01-01", "today": D(2025, 1, 1)}, "case_date"),  # in the future
        ({"hours": None, "days": 10}, "hours_per_day"),
        ({"hours": None, "days": 10, "hours_per_day": 25}, "hours_per_day"),
        ({"hours": None}, "customer_class"),  # duration unknown, no class
        ({"hours": None, "tariff_category": "space_station"}, "tariff_category"),  # unknown tariff category
        (
            {"hours": None, "start_date": "2023-02-01", "end_date": "2023-01-01", "hours_per_day": 8},
            "start_date",
        ),
        (
            {"hours": None, "start_date": "2023-01-01", "end_date": "2023-06-01", "hours_per_day": 8},
            "end_date",
        ),
        ({"prior_offence": "yes"}, "prior_offence"),
    ],
)
def test_bad_theft_input_names_the_field(change, field):
    with pytest.raises(CalcInputError) as info:
        penalties.theft(**{**THEFT_OK, **change})
    assert info.value.field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"theft_type": "bypass_meter", "meter_phases": 2, "marked_current_a": 5}, "meter_phases"),
        ({"theft_type": "bypass_meter", "meter_phases": 1}, "marked_current_a"),
        ({"theft_type": "bypass_meter", "meter_phases": 1, "marked_current_a": 0}, "marked_current_a"),
    ],
)
def test_bad_meter_input_names_the_field(change, field):
    with pytest.raises(CalcInputError) as info:
        penalties.theft(**{**THEFT_OK, **change})
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(amount_yuan=100, due_date="2023-03-01", paid_date="2023-03-01", residential=True), "paid_date"),
        (dict(amount_yuan=0, due_date="2023-03-01", paid_date="2023-03-05", residential=True), "amount_yuan"),
        (
            dict(amount_yuan=100, due_date="2023-03-01", paid_date="2023-03-05", residential="no"),
            "residential",
        ),
        (
            dict(
                amount_yuan=100,
                due_date="2023-03-01",
                paid_date="2023-03-05",
                residential=True,
                payments=[{"date": "2023-03-09", "amount_yuan": 10}],
            ),
            "payments[0].date",
        ),
    ],
)
def test_bad_late_fee_input_names_the_field(kwargs, field):
    with pytest.raises(CalcInputError) as info:
        penalties.late_fee(**kwargs)
    assert info.value.field == field


def test_unknown_violation_type_names_the_field():
    with pytest.raises(CalcInputError) as info:
        penalties.violation(violation_type="jaywalking", case_date=BEFORE_2024)
    assert info.value.field == "violation_type"


def test_case_before_the_1996_rules_is_a_clear_error():
    with pytest.raises(RuleNotInForceError, match="1996-10-08"):
        penalties.theft(**{**THEFT_OK, "case_date": "1995-01-01"})


def test_result_serialises_with_decimals_as_strings():
    data = penalties.theft(**THEFT_OK).to_dict()
    item = data["items"][0]
    assert set(item) == {"key", "name", "formula", "inputs", "value", "unit", "article", "rules"}
    assert data["items"][2]["value"] == "160"
    assert any(r["key"] == "theft.penalty_multiple" and r["status"] == "V" for r in data["rules"])
