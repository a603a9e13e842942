"""Theft and stacked sanctions (issue 20): bases, surcharges, dates, loads, one case total.

Worked by hand in each docstring (1996 rules, case date 2023-05-01 unless said; energy to whole kWh, money
to the fen, half up). Example C of regulations.md 2.4: 11 kW + 5 kVA = 16 kW, 45 days × 8 h = 360 h,
W = 5,760 kWh, 0.65 元/kWh.
"""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, fen

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError

EXAMPLE_C = dict(
    case_date=BEFORE_2024,
    theft_type="tap_supply_facility",
    price_yuan_per_kwh="0.65",
    equipment_capacity_kw=[11, 5],
    days=45,
    hours_per_day=8,
)


def test_surcharge_as_a_separate_line_is_the_default():
    """Art. 102 + regulations.md 9 (energy price), setting theft.surcharge_in_base = false (default).

    Back-bill 5,760 × 0.65 = 3,744.00; penalty 3 × 3,744.00 = 11,232.00; surcharges 5,760 × 0.05 = 288.00
    on their own line, outside the penalty; total 3,744.00 + 11,232.00 + 288.00 = 15,264.00 元.
    """
    result = penalties.theft(**EXAMPLE_C, surcharge_yuan_per_kwh="0.05")
    assert result.value("back_bill_yuan") == Decimal("3744.00")
    assert result.value("penalty_yuan") == Decimal("11232.00")
    assert result.value("surcharge_yuan") == Decimal("288.00")
    assert result.value("total_due_yuan") == Decimal("15264.00")
    setting = next(s for s in result.settings if s["name"] == "theft.surcharge_in_base")
    assert setting["value"] is False and setting["source"] == "rule table"


def test_surcharge_inside_the_base():
    """Setting theft.surcharge_in_base = true: price 0.65 + 0.05 = 0.70.

    Back-bill 5,760 × 0.70 = 4,032.00; penalty 3 × 4,032.00 = 12,096.00; total 16,128.00 元; no separate
    line. The criminal amount stays the tariff only: 5,760 × 0.65 = 3,744.00 元.
    """
    result = penalties.theft(
        **EXAMPLE_C, surcharge_yuan_per_kwh="0.05", settings={"theft.surcharge_in_base": True}
    )
    assert result.value("back_bill_yuan") == Decimal("4032.00")
    assert result.value("penalty_yuan") == Decimal("12096.00")
    assert result.value("total_due_yuan") == Decimal("16128.00")
    assert result.value("criminal_amount_yuan") == Decimal("3744.00")
    with pytest.raises(KeyError):
        result.item("surcharge_yuan")


DATES = dict(
    case_date=BEFORE_2024,
    theft_type="tap_supply_facility",
    price_yuan_per_kwh="0.65",
    equipment_capacity_kw=16,
    hours_per_day=8,
)


def test_period_by_dates_end_minus_start_by_default():
    """Art. 103, setting period.count_both_ends = false: 2023-03-01..2023-03-10 is 9 days.

    T = 9 × 8 = 72 h; W = 16 × 72 = 1,152 kWh.
    """
    result = penalties.theft(**DATES, start_date="2023-03-01", end_date="2023-03-10")
    assert result.value("hours") == 72
    assert result.value("stolen_energy_kwh") == 1152


def test_period_by_dates_counting_both_ends():
    """Setting period.count_both_ends = true: 10 days; T = 80 h; W = 16 × 80 = 1,280 kWh."""
    result = penalties.theft(
        **DATES, start_date="2023-03-01", end_date="2023-03-10", settings={"period.count_both_ends": "true"}
    )
    assert result.value("hours") == 80
    assert result.value("stolen_energy_kwh") == 1280


def test_one_day_theft():
    """Start = end = 2023-03-10 with both ends counted: 1 day × 8 h = 8 h; W = 16 × 8 = 128 kWh;
    back-bill 128 × 0.65 = 83.20 元. Without the setting the dates give 0 days: refused, naming start_date.
    """
    result = penalties.theft(
        **DATES, start_date="2023-03-10", end_date="2023-03-10", settings={"period.count_both_ends": True}
    )
    assert result.value("stolen_energy_kwh") == 128
    assert result.value("back_bill_yuan") == Decimal("83.20")
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**DATES, start_date="2023-03-10", end_date="2023-03-10")
    assert err.value.field == "start_date"


def test_several_loads_at_different_prices():
    """Art. 103(1) direct tap with two loads, T = 45 × 8 = 360 h.

    Motor 11 kW at 0.65: W₁ = 3,960 kWh, 2,574.00 元; lighting 3 kW at 0.56: W₂ = 1,080 kWh, 604.80 元.
    Back-bill 2,574.00 + 604.80 = 3,178.80; penalty 3 × 3,178.80 = 9,536.40; total 12,715.20 元.
    """
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        loads=[
            {"name": "电动机", "capacity_kw": 11, "price_yuan_per_kwh": "0.65"},
            {"name": "照明", "capacity_kw": 3, "price_yuan_per_kwh": "0.56"},
        ],
        days=45,
        hours_per_day=8,
    )
    assert result.value("load_1_energy_kwh") == 3960
    assert result.value("load_2_back_bill_yuan") == Decimal("604.80")
    assert result.value("stolen_energy_kwh") == 3960 + 1080
    assert result.value("back_bill_yuan") == Decimal("3178.80")
    assert result.value("penalty_yuan") == Decimal("9536.40")
    assert result.value("total_due_yuan") == Decimal("12715.20")


def test_loads_conflict_with_a_single_price():
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**{**EXAMPLE_C, "equipment_capacity_kw": None}, loads=[{"capacity_kw": 1}])
    assert err.value.field == "price_yuan_per_kwh"


def test_theft_by_ct_tampering_on_one_phase_with_the_correction_factor():
    """Practice basis correction_factor (regulations.md 9), 3P4W billed at CT 100/5 (20); the A-phase CT
    was changed to 200/5 (40): the A element registers 20/40 = ½.

    P' = 1 + 1 + 0.5 = 2.5; P = 3; K = 3 / 2.5 = 1.2. Recorded in the theft: 50,000 kWh.
    W = 50,000 × (1.2 − 1) = 10,000 kWh; back-bill 10,000 × 0.65 = 6,500.00; penalty 19,500.00;
    total 26,000.00 元 (art. 102).
    """
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        basis="correction_factor",
        basis_reason="A相CT被更换为200/5",
        recorded_energy_kwh=50000,
        wiring={"meter": "3p4w", "billed_ct_ratio": "100/5", "phase_ct_ratio": {"a": "200/5"}},
    )
    assert result.value("correction_factor") == Decimal("1.2")
    assert result.value("stolen_energy_kwh") == 10000
    assert result.value("back_bill_yuan") == Decimal("6500.00")
    assert result.value("total_due_yuan") == Decimal("26000.00")
    assert "实务做法" in result.item("stolen_energy_kwh").article


def test_theft_with_a_given_correction_factor():
    """K = 1.5 given: W = 8,000 × 0.5 = 4,000 kWh; 4,000 × 0.65 = 2,600.00 元."""
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        basis="correction_factor",
        basis_reason="现场测得更正系数",
        recorded_energy_kwh=8000,
        correction_factor="1.5",
    )
    assert result.value("stolen_energy_kwh") == 4000
    assert result.value("back_bill_yuan") == Decimal("2600.00")


def test_theft_energy_established_otherwise_names_its_basis():
    """Basis established_energy (regulations.md 2.2 provincial alternatives): output × unit consumption
    = 2,400 kWh; back-bill 2,400 × 0.65 = 1,560.00; penalty 4,680.00 元. No reason: refused."""
    facts = dict(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.65",
        basis="established_energy",
        established_energy_kwh=2400,
    )
    result = penalties.theft(**facts, basis_reason="产量12,000件 × 单耗0.2 kWh/件")
    assert result.value("stolen_energy_kwh") == 2400
    assert result.value("penalty_yuan") == Decimal("4680.00")
    assert result.item("stolen_energy_kwh").inputs["basis_reason"].startswith("产量")
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**facts)
    assert err.value.field == "basis_reason"


def test_rounding_before_or_after_the_multiple():
    """Regulations.md 9 (rounding). Example A at 0.5655 元/kWh: 1,188 × 0.5655 = 671.814.

    rounding.back_bill_before_multiple = true (default): back-bill 671.81, penalty 3 × 671.81 = 2,015.43.
    = false: penalty 3 × 671.814 = 2,015.442 → 2,015.44.
    """
    facts = dict(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.5655",
        meter_phases=1,
        marked_current_a=5,
        customer_class="lighting",
    )
    before = penalties.theft(**facts)
    after = penalties.theft(**facts, settings={"rounding.back_bill_before_multiple": False})
    assert before.value("back_bill_yuan") == after.value("back_bill_yuan") == Decimal("671.81")
    assert before.value("penalty_yuan") == 3 * Decimal("671.81") == Decimal("2015.43")
    assert after.value("penalty_yuan") == fen(3 * Decimal("671.814")) == Decimal("2015.44")
    recorded = next(
        s for s in after.to_dict()["settings"] if s["name"] == "rounding.back_bill_before_multiple"
    )
    assert recorded == {
        "name": "rounding.back_bill_before_multiple",
        "label": "先将补交电费取整再乘倍数",
        "value": False,
        "text": "否",
        "source": "case",
    }


def test_energy_unit_and_rounding_mode_are_settings():
    """Example B: W = √3 × 380 × 10 / 1000 × 2,160 = 14,216.673 kWh.

    rounding.energy_kwh = 0.1: 14,216.7 kWh; back-bill 14,216.7 × 0.65 = 9,240.855 → 9,240.86 (half up).
    With rounding.mode = ROUND_DOWN too: 14,216.673 down to 0.1 is 14,216.6 kWh;
    14,216.6 × 0.65 = 9,240.79 exactly.
    """
    facts = dict(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        meter_phases=3,
        marked_current_a=10,
        customer_class="power",
    )
    tenth = penalties.theft(**facts, settings={"rounding.energy_kwh": "0.1"})
    assert tenth.value("stolen_energy_kwh") == Decimal("14216.7")
    assert tenth.value("back_bill_yuan") == Decimal("9240.86")
    down = penalties.theft(**facts, settings={"rounding.energy_kwh": "0.1", "rounding.mode": "ROUND_DOWN"})
    assert down.value("stolen_energy_kwh") == Decimal("14216.6")
    assert down.value("back_bill_yuan") == Decimal("9240.79")


def test_theft_penalty_and_seal_fee_stack_into_one_case_total():
    """Regulations.md 9 (sanctions that stack): Example C theft (art. 102: 3,744.00 + 11,232.00 =
    14,976.00), opening a sealed meter of a non-residential customer (art. 100(5): 5,000 元) and the
    replacement meter (350.00 元, invoice). Case total 14,976.00 + 5,000.00 + 350.00 = 20,326.00 元.
    """
    result = penalties.case_total(
        case_date=BEFORE_2024,
        theft={k: v for k, v in EXAMPLE_C.items() if k != "case_date"},
        violations=[{"violation_type": "meter_interference", "residential": False}],
        equipment_replacement_yuan=350,
        equipment_replacement_source="电能表更换发票 No.001",
    )
    assert result.value("theft_total_due_yuan") == Decimal("14976.00")
    assert result.value("violation_1_penalty_yuan") == Decimal("5000.00")
    assert result.value("total_due_yuan") == Decimal("20326.00")
    assert result.item("theft_penalty_yuan").article.endswith("第一百零二条")
    assert "第一百条" in result.item("violation_1_penalty_yuan").article
    with pytest.raises(CalcInputError) as err:
        penalties.case_total(case_date=BEFORE_2024, equipment_replacement_yuan=350)
    assert err.value.field == "equipment_replacement_source"


def test_conflicting_durations_are_refused():
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**EXAMPLE_C, hours=10)
    assert err.value.field == "days"


def test_a_table_without_the_new_switch_rows_keeps_the_old_behaviour():
    """A rule table from before issue 20 (no theft.surcharge_in_base, period.count_both_ends rows): the
    surcharge stays a separate line (288.00 元) and dates count end − start (9 days, 1,152 kWh)."""
    from gridcheck_analytics.regulations import RuleTable, default_table

    full = default_table()
    old = RuleTable(
        [r for r in full.rows() if r.key not in ("theft.surcharge_in_base", "period.count_both_ends")],
        full.regulations,
    )
    result = penalties.theft(**EXAMPLE_C, surcharge_yuan_per_kwh="0.05", table=old)
    assert result.value("surcharge_yuan") == Decimal("288.00")
    dated = penalties.theft(**DATES, start_date="2023-03-01", end_date="2023-03-10", table=old)
    assert dated.value("stolen_energy_kwh") == 1152


def test_settled_amount_is_recorded_beside_the_computed_total():
    """Regulations.md 9 (settled amount): Example C computed 14,976.00 元; the court judged 12,000.00 元.
    The settled line is recorded with its document; the computed total stays 14,976.00 元."""
    theft = {k: v for k, v in EXAMPLE_C.items() if k != "case_date"}
    result = penalties.case_total(
        case_date=BEFORE_2024, theft=theft, settled_yuan=12000, settled_document="(2023)某民初123号判决书"
    )
    assert result.value("total_due_yuan") == Decimal("14976.00")
    assert result.value("settled_amount_yuan") == Decimal("12000.00")
    assert result.item("settled_amount_yuan").inputs["computed_total_yuan"] == Decimal("14976.00")
    with pytest.raises(CalcInputError) as err:
        penalties.case_total(case_date=BEFORE_2024, theft=theft, settled_yuan=12000)
    assert err.value.field == "settled_document"
