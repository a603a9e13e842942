"""Theft cases (窃电) against the worked examples of regulations.md, each computed by hand here."""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, THEFT_OK, D, fen, kwh

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError
from gridcheck_analytics.regulations import default_table


def test_example_a_residential_bypass_start_unknown():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.56",
        meter_phases=1,
        marked_current_a=5,
        customer_class="lighting",
    )
    capacity = Decimal(220) * 5 / 1000  # 1.1 kW
    hours = 180 * 6  # 1,080 h
    energy = kwh(capacity * hours)  # 1,188 kWh
    back_bill = fen(energy * Decimal("0.56"))  # 665.28
    penalty = 3 * back_bill  # 1,995.84
    assert result.value("capacity_kw") == capacity == Decimal("1.1")
    assert result.value("hours") == hours
    assert result.value("stolen_energy_kwh") == energy == 1188
    assert result.value("back_bill_yuan") == back_bill == Decimal("665.28")
    assert result.value("penalty_yuan") == penalty == Decimal("1995.84")
    assert result.value("total_due_yuan") == back_bill + penalty == Decimal("2661.12")
    assert result.item("stolen_energy_kwh").article.endswith("第一百零三条")
    assert result.item("penalty_yuan").article.endswith("第一百零二条")


def test_example_b_commercial_tampered_start_unknown():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        meter_phases=3,
        marked_current_a=10,
        customer_class="power",
    )
    capacity = Decimal(3).sqrt() * 380 * 10 / 1000  # 6.5818 kW
    energy = kwh(capacity * 180 * 12)  # 14,216.7 -> 14,217 kWh
    back_bill = fen(energy * Decimal("0.65"))  # 9,241.05
    assert abs(result.value("capacity_kw") - Decimal("6.5818")) < Decimal("0.0001")
    assert result.value("stolen_energy_kwh") == energy == 14217
    assert result.value("back_bill_yuan") == back_bill == Decimal("9241.05")
    assert result.value("penalty_yuan") == 3 * back_bill == Decimal("27723.15")
    assert result.value("total_due_yuan") == 4 * back_bill == Decimal("36964.20")
    # "This is not the criminal amount": the 180-day estimate is never compared with the thresholds.
    assert not result.has_flag("transfer_to_police")
    assert any("不是刑事盗窃数额" in w for w in result.warnings)
    with pytest.raises(KeyError):
        result.item("criminal_amount_yuan")


def test_example_c_direct_tap_duration_proven():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=[11, 5],  # 11 kW motor + 5 kVA welder
        days=45,
        hours_per_day=8,
    )
    energy = (11 + 5) * (45 * 8)  # 16 kW x 360 h
    back_bill = fen(energy * Decimal("0.65"))
    assert result.value("capacity_kw") == 16
    assert result.value("hours") == 360
    assert result.value("stolen_energy_kwh") == energy == 5760
    assert result.value("back_bill_yuan") == back_bill == Decimal("3744.00")
    assert result.value("penalty_yuan") == 3 * back_bill == Decimal("11232.00")
    assert result.value("total_due_yuan") == 4 * back_bill == Decimal("14976.00")
    # Fine recorded, not billed: up to 5x the charges owed (DLF art. 71).
    assert result.value("admin_fine_max_yuan") == 5 * back_bill
    assert "第七十一条" in result.item("admin_fine_max_yuan").article


def test_example_c_had_the_duration_been_unknown():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=[11, 5],
        customer_class="power",
    )
    assert result.value("stolen_energy_kwh") == 16 * 180 * 12 == 34560


@pytest.mark.parametrize(
    ("customer_class", "tariff_category", "hours_per_day", "review"),
    [
        ("lighting", None, 6, False),
        ("power", None, 12, False),
        (None, "residential", 6, True),  # mapping category -> class is a U row
        (None, "general_commercial", 12, True),
        (None, "large_industry", 12, True),
        (None, "agricultural", 12, True),
    ],
)
def test_default_days_rule_by_customer_class(customer_class, tariff_category, hours_per_day, review):
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.5",
        meter_phases=1,
        marked_current_a=10,  # 2.2 kW
        customer_class=customer_class,
        tariff_category=tariff_category,
    )
    assert result.value("hours") == 180 * hours_per_day
    assert result.value("stolen_energy_kwh") == kwh(Decimal("2.2") * 180 * hours_per_day)
    assert result.warned("theft.customer_class") is review


def test_current_limiter_overrides_the_marked_current():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.56",
        meter_phases=1,
        marked_current_a=5,
        limiter_current_a=3,
        hours=100,
    )
    assert result.value("capacity_kw") == Decimal(220) * 3 / 1000
    assert result.value("stolen_energy_kwh") == kwh(Decimal("0.66") * 100) == 66


def test_ct_pt_multiplication_is_applied_and_flagged_for_review():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        meter_phases=3,
        marked_current_a="1.5",
        ct_ratio=40,  # 200/5 A
        hours=10,
    )
    capacity = Decimal(3).sqrt() * 380 * Decimal("1.5") / 1000 * 40
    assert result.value("capacity_kw") == capacity
    assert result.value("stolen_energy_kwh") == kwh(capacity * 10) == 395
    assert result.warned("theft.ct_pt_multiplier")


def test_theft_period_from_dates():
    result = penalties.theft(
        case_date="2023-03-01",
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=2,
        start_date="2023-01-01",
        end_date="2023-02-15",  # 45 days
        hours_per_day=8,
    )
    assert result.value("hours") == 45 * 8
    assert result.value("stolen_energy_kwh") == 2 * 45 * 8


@pytest.mark.parametrize(
    ("case_date", "multiple", "contract", "review"),
    [
        ("2024-05-31", 3, None, False),  # 1996 rules: fixed 3x, V
        ("2024-06-01", 3, None, True),  # 2024 rules: cap 3x (U) without a contract value
        ("2024-06-01", 2, 2, True),  # 2024 rules: the contract's multiple under the cap
    ],
)
def test_rule_version_chosen_by_case_date(case_date, multiple, contract, review):
    result = penalties.theft(
        case_date=case_date,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=16,
        hours=360,
        contract_penalty_multiple=contract,
    )
    back_bill = fen(5760 * Decimal("0.65"))
    assert result.value("penalty_yuan") == multiple * back_bill
    assert result.rules_used["theft.penalty_multiple"].regulation.key == (
        "GYGZ-2024" if case_date >= "2024-06-01" else "GYGZ-1996"
    )
    assert result.warned("theft.penalty_multiple") is review


def test_contract_multiple_above_the_cap_is_rejected():
    with pytest.raises(CalcInputError, match="contract_penalty_multiple: .*cap"):
        penalties.theft(
            case_date="2024-06-01",
            theft_type="tap_supply_facility",
            price_yuan_per_kwh="0.65",
            equipment_capacity_kw=16,
            hours=1,
            contract_penalty_multiple=4,
        )


def test_contract_multiple_under_fixed_1996_rule_is_rejected():
    with pytest.raises(CalcInputError, match="contract_penalty_multiple: .*fixed"):
        penalties.theft(
            case_date=BEFORE_2024,
            theft_type="tap_supply_facility",
            price_yuan_per_kwh="0.65",
            equipment_capacity_kw=16,
            hours=1,
            contract_penalty_multiple=2,
        )


@pytest.mark.parametrize(
    ("energy", "price", "back_bill"),
    [
        (1, "0.005", "0.01"),  # 0.005 -> 0.01 (half up, not to even)
        (1, "0.015", "0.02"),
        (1, "0.025", "0.03"),  # banker's rounding would give 0.02
        (1, "0.0049", "0.00"),
        (3, "0.335", "1.01"),  # 1.005 -> 1.01
    ],
)
def test_money_rounds_half_up_at_the_fen(energy, price, back_bill):
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh=price,
        equipment_capacity_kw=energy,
        hours=1,
    )
    assert result.value("back_bill_yuan") == Decimal(back_bill)


@pytest.mark.parametrize(
    ("capacity", "hours", "energy"),
    [("0.5", 1, 1), ("1.5", 1, 2), ("2.5", 1, 3), ("0.49", 1, 0), ("1.1", 5, 6)],  # 5.5 -> 6
)
def test_energy_rounds_half_up_to_whole_kwh(capacity, hours, energy):
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="1",
        equipment_capacity_kw=capacity,
        hours=hours,
    )
    assert result.value("stolen_energy_kwh") == energy


def test_penalty_on_the_unrounded_back_bill_when_the_table_says_so():
    table = default_table()
    setting = table.rule("rounding.back_bill_before_multiple", D(2023, 1, 1))
    table = RuleTableWith(table, setting, False)
    # 1 kWh x 0.335 = 0.335: rounded first 0.34 x 3 = 1.02; unrounded 1.005 -> 1.01.
    kwargs = dict(case_date=BEFORE_2024, theft_type="tap_supply_facility", price_yuan_per_kwh="0.335")
    kwargs.update(equipment_capacity_kw=1, hours=1)
    assert (
        penalties.theft(**kwargs).value("penalty_yuan") == fen(3 * fen(Decimal("0.335"))) == Decimal("1.02")
    )
    assert penalties.theft(**kwargs, table=table).value("penalty_yuan") == fen(3 * Decimal("0.335"))


def RuleTableWith(table, row, value):  # noqa: N802 - reads as a constructor
    """The table with one row's value replaced (an audited setting changed)."""
    replaced = type(row)(**{**row.__dict__, "value": value})
    others = [r for r in table.rows() if r is not row]
    return type(table)([*others, replaced], table.regulations)


def test_surcharge_and_damage_are_their_own_lines():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_damaged",
        price_yuan_per_kwh="0.56",
        meter_phases=1,
        marked_current_a=5,
        hours=100,  # 110 kWh
        surcharge_yuan_per_kwh="0.02",
        damage_yuan=300,
    )
    back_bill = fen(110 * Decimal("0.56"))  # 61.60
    surcharge = fen(110 * Decimal("0.02"))  # 2.20
    assert result.value("surcharge_yuan") == surcharge
    assert result.value("damage_yuan") == Decimal("300.00")
    assert result.value("penalty_yuan") == 3 * back_bill  # the multiple applies to the charge only
    assert result.value("total_due_yuan") == back_bill + 3 * back_bill + surcharge + 300
    assert "第一百零四条" in result.item("damage_yuan").article


# ---------------------------------------------------------------------- station-practice bases (section 9)


@pytest.mark.parametrize(
    ("basis", "facts", "capacity"),
    [
        ("connected_load", {"equipment_capacity_kw": [3, "1.5"]}, Decimal("4.5")),
        ("transformer_kva", {"transformer_kva": 100}, Decimal(100)),
    ],
)
def test_practice_capacity_basis_is_shown_and_flagged(basis, facts, capacity):
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.65",
        basis=basis,
        basis_reason="现场查明私接负荷",
        hours=10,
        **facts,
    )
    assert result.value("capacity_kw") == capacity
    assert result.value("stolen_energy_kwh") == kwh(capacity * 10)
    assert result.item("capacity_kw").inputs["basis"] == basis
    assert result.warned(f"theft.basis.{basis}")


def test_ct_correction_basis():
    # CT swapped from 100/5 (billed, 20) to 200/5 (actual, 40): the meter recorded half the energy.
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="meter_tampered_inaccurate",
        price_yuan_per_kwh="0.65",
        basis="ct_correction",
        basis_reason="CT被更换",
        recorded_energy_kwh=5000,
        actual_ct_ratio=40,
        billed_ct_ratio=20,
    )
    energy = 5000 * (40 / 20 - 1)
    assert result.value("stolen_energy_kwh") == energy == 5000
    assert result.value("back_bill_yuan") == fen(5000 * Decimal("0.65"))
    assert result.value("criminal_amount_yuan") == Decimal("3250.00")  # a proven quantity


def test_practice_basis_needs_a_reason():
    with pytest.raises(CalcInputError) as info:
        penalties.theft(**{**THEFT_OK, "basis": "connected_load"})
    assert info.value.field == "basis_reason"


def test_theft_before_any_criminal_threshold_warns_instead_of_failing():
    # 1997: the 1996 rules apply, but the table holds no criminal ranges before 1998-03-17.
    result = penalties.theft(**{**THEFT_OK, "case_date": "1997-06-01"})
    assert result.value("total_due_yuan") == 4 * fen(160 * Decimal("0.65"))
    assert not result.has_flag("transfer_to_police")
    assert any("未判断是否移送" in w for w in result.warnings)


def test_damage_line_cites_article_104():
    result = penalties.theft(**THEFT_OK, damage_yuan="120.5")
    assert result.value("damage_yuan") == Decimal("120.50")
    assert result.item("damage_yuan").article.endswith("第一百零四条")


def test_pt_metered_capacity_uses_the_primary_voltage():
    """Art. 103 (1996 rules, case 2023-05-01), meter bypass at a 10 kV customer metered through PT
    10000/100 and CT 4, marked current 1.5 A: S = √3 × U一次 × I × CT / 1000 = 1.7320508 × 10000 × 1.5 × 4
    / 1000 = 103.923 kW. The low-voltage value times the PT ratio (√3 × 380 × 1.5 × 4 × 100 / 1000 =
    394.908 kW) is what a caller gets without ``voltage_v``, kept for callers that pass secondary values."""
    from decimal import Decimal

    from gridcheck_analytics import penalties

    facts = dict(
        case_date="2023-05-01",
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.6",
        meter_phases=3,
        marked_current_a="1.5",
        ct_ratio=4,
        pt_ratio=100,
        hours=10,
    )
    primary = penalties.theft(**facts, voltage_v=10000)
    capacity = next(item for item in primary.items if item.key == "capacity_kw")
    assert abs(capacity.value - Decimal("103.923")) < Decimal("0.001")
    assert "PT" in capacity.formula and capacity.inputs["pt_ratio"] == 100
    secondary = penalties.theft(**facts)
    old = next(item for item in secondary.items if item.key == "capacity_kw")
    assert abs(old.value - Decimal("394.908")) < Decimal("0.001")
