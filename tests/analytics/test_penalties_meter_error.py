"""Metering-error corrections (计量退补) against the worked examples of regulations.md, by hand."""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, fen, kwh

from gridcheck_analytics import penalties


def test_example_meter_fast_5_percent():
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        price_yuan_per_kwh="0.65",
        recorded_energy_kwh=6300,
        error_percent=5,
        elapsed_months=12,
    )
    true_energy = Decimal(6300) / Decimal("1.05")  # 6,000 kWh
    refund = 6300 - true_energy  # 300 kWh
    assert result.value("period_months") == 12 / 2
    assert result.value("true_energy_kwh") == true_energy == 6000
    assert result.value("correction_energy_kwh") == -refund == -300
    assert result.value("correction_yuan") == -fen(refund * Decimal("0.65")) == Decimal("-195.00")
    assert result.item("correction_yuan").name.startswith("应退")
    assert "第八十条第一项" in result.item("correction_yuan").article


def test_slow_meter_is_back_billed():
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        price_yuan_per_kwh="0.65",
        recorded_energy_kwh=5700,
        error_percent=-5,
    )
    assert (
        result.value("correction_energy_kwh") == kwh(Decimal(5700) * Decimal("0.05") / Decimal("0.95")) == 300
    )
    assert result.value("correction_yuan") == Decimal("195.00")


def test_wiring_error():
    # Meter registered 1/3 of the power (one element of three wrong): P_correct / P_wrong = 3.
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="wiring_error",
        price_yuan_per_kwh="0.65",
        recorded_energy_kwh=1000,
        correct_power_kw=30,
        wrong_power_kw=10,
        elapsed_months=12,
    )
    assert result.value("period_months") == 12  # the full time
    assert result.value("correction_energy_kwh") == 1000 * (3 - 1)
    assert result.value("correction_yuan") == fen(2000 * Decimal("0.65"))


def test_wrong_multiplier():
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="wrong_multiplier",
        price_yuan_per_kwh="0.5",
        register_difference_kwh=100,
        actual_multiplier=60,
        billed_multiplier=40,
    )
    assert result.value("correction_energy_kwh") == 100 * (60 - 40)
    assert result.value("correction_yuan") == Decimal("1000.00")


@pytest.mark.parametrize("cause", ["other_non_human", "blown_pt_fuse"])
def test_normal_month_comparison(cause):
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause=cause,
        price_yuan_per_kwh="0.5",
        normal_month_kwh=3000,
        months=2,
        recorded_energy_kwh=4000,
    )
    assert result.value("correction_energy_kwh") == 3000 * 2 - 4000


def test_pt_voltage_drop_uses_the_class_allowance_and_warns():
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="pt_voltage_drop",
        price_yuan_per_kwh="0.5",
        recorded_energy_kwh=100000,
        actual_drop_percent=2,
        meter_class="1.0",
    )
    # d = 0.02, allowed 0.005: 100,000 x 0.015 / 0.98 = 1,530.6 -> 1,531 kWh
    assert (
        result.value("correction_energy_kwh")
        == kwh(Decimal(100000) * Decimal("0.015") / Decimal("0.98"))
        == 1531
    )
    assert any("第八十条第二项" in w for w in result.warnings)


@pytest.mark.parametrize("cause", ["other_non_human", "blown_pt_fuse", "wrong_multiplier", "over_tolerance"])
@pytest.mark.parametrize(("case_date", "review"), [("2024-05-31", False), ("2024-06-01", True)])
def test_meter_error_article_and_version(cause, case_date, review):
    facts = {
        "other_non_human": dict(normal_month_kwh=3000, months=2, recorded_energy_kwh=4000),
        "blown_pt_fuse": dict(normal_month_kwh=3000, months=2, recorded_energy_kwh=4000),
        "wrong_multiplier": dict(register_difference_kwh=100, actual_multiplier=60, billed_multiplier=40),
        "over_tolerance": dict(recorded_energy_kwh=6300, error_percent=5),
    }[cause]
    result = penalties.meter_error(case_date=case_date, cause=cause, price_yuan_per_kwh="0.5", **facts)
    article = result.item("correction_energy_kwh").article
    assert ("条号未核实" in article) is review
    assert ("第八十" in article) and bool(result.warnings) is review
