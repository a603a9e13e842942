"""Case calculations against the worked examples of regulations.md, each computed by hand here."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError
from gridcheck_analytics.regulations import RuleNotInForceError, default_table

D = datetime.date
BEFORE_2024 = "2023-05-01"  # regulations.md 2.4: the examples assume the 1996 rules


def fen(x) -> Decimal:
    """Round to 0.01 元 half up, by hand."""
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def kwh(x) -> Decimal:
    """Round to whole kWh half up, by hand."""
    return Decimal(x).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


# ----------------------------------------------------------------------------------------------- theft


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
    assert any("theft.customer_class" in w for w in result.warnings) is review


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
    assert any("theft.ct_pt_multiplier" in w for w in result.warnings)


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
    assert any("theft.penalty_multiple" in w for w in result.warnings) is review


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


# ------------------------------------------------------------------------------------ police referral


@pytest.mark.parametrize(
    ("amount", "prior", "band"),
    [
        ("999.99", False, None),
        ("1000", False, "数额较大"),  # the threshold itself reaches the band
        ("500", True, "数额较大"),  # art. 2: 1,000 x 50 %
        ("499.99", True, None),
        ("30000", False, "数额巨大"),
        ("300000", False, "数额特别巨大"),
    ],
)
def test_criminal_threshold_bands(amount, prior, band):
    result = penalties.criminal_referral(case_date="2020-01-01", amount_yuan=amount, prior_offence=prior)
    assert result.has_flag("transfer_to_police") is (band is not None)
    if band:
        assert band in result.flags[0].reason
    assert any("criminal.large.threshold_yuan" in w for w in result.warnings)  # thresholds are U


def test_repeated_theft_is_flagged_whatever_the_amount():
    result = penalties.criminal_referral(case_date="2020-01-01", amount_yuan=10, repeated=True)
    assert result.has_flag("transfer_to_police")


def test_1998_ranges_apply_before_2013_04_04():
    assert penalties.criminal_referral(case_date="2013-04-03", amount_yuan=600).has_flag("transfer_to_police")
    assert not penalties.criminal_referral(case_date="2013-04-04", amount_yuan=600).has_flag(
        "transfer_to_police"
    )


def test_province_overlay_sets_the_threshold():
    table = default_table()
    national = table.rule("criminal.large.threshold_yuan", D(2020, 1, 1))
    overlay = type(national)(**{**national.__dict__, "province": "ZJ", "value": Decimal(3000)})
    table = table.with_rows([overlay])
    kwargs = dict(case_date="2020-01-01", amount_yuan=2000, table=table)
    assert penalties.criminal_referral(**kwargs).has_flag("transfer_to_police")
    assert not penalties.criminal_referral(**kwargs, province="ZJ").has_flag("transfer_to_police")


def test_criminal_amount_from_history_when_the_duration_is_unknown():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.65",
        meter_phases=3,
        marked_current_a=10,
        customer_class="power",
        normal_months_kwh=[900, 2000, 2000, 2000, 2000, 2000, 2000],  # only the last 6 are used
        after_months_kwh=[200, 400],
        theft_months=4,
    )
    amount = fen((Decimal(12000) / 6 - Decimal(600) / 2) * 4 * Decimal("0.65"))  # 1,700 x 4 x 0.65
    assert result.value("criminal_amount_yuan") == amount == Decimal("4420.00")
    assert result.has_flag("transfer_to_police")


def test_proven_theft_above_threshold_is_flagged():
    # Example C: 3,744.00 元 proven is above the default 1,000 元 "large" threshold.
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=16,
        hours=360,
    )
    assert result.value("criminal_amount_yuan") == Decimal("3744.00")
    assert result.has_flag("transfer_to_police")


# ------------------------------------------------------------------------------------------ violations


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
    assert any("violation.unauthorised_source.penalty_yuan_per_kw" in w for w in result.warnings)


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


# ------------------------------------------------------------------------------------------- late fee


def test_example_late_fee_residential():
    result = penalties.late_fee(
        amount_yuan=300, due_date="2023-03-15", paid_date="2023-04-05", residential=True
    )
    days = (D(2023, 4, 5) - D(2023, 3, 16)).days  # 03-16 .. 04-04 = 20 days
    assert days == 20
    assert result.value("late_fee_yuan") == fen(300 * Decimal("0.001") * days) == Decimal("6.00")


def test_example_late_fee_commercial_across_new_year():
    result = penalties.late_fee(
        amount_yuan="10000.00",
        due_date="2023-12-15",
        paid_date="2024-01-10",
        residential=False,
        bill_period="2023-11-01",
    )
    in_2023 = 16  # 12-16 .. 12-31
    in_2024 = 9  # 01-01 .. 01-09
    assert result.value("fee_1_yuan") == fen(10000 * Decimal("0.002") * in_2023) == Decimal("320.00")
    assert result.value("fee_2_yuan") == fen(10000 * Decimal("0.003") * in_2024) == Decimal("270.00")
    assert result.value("late_fee_yuan") == Decimal("590.00")


def test_example_late_fee_minimum():
    result = penalties.late_fee(
        amount_yuan=20, due_date="2023-03-01", paid_date="2023-03-12", residential=True
    )
    assert result.value("fee_1_yuan") == fen(20 * Decimal("0.001") * 10) == Decimal("0.20")
    assert result.value("late_fee_yuan") == Decimal("1.00")


def test_late_fee_partial_payment_recomputes_on_the_balance():
    result = penalties.late_fee(
        amount_yuan=1000,
        due_date="2023-03-01",
        paid_date="2023-03-22",
        residential=True,
        payments=[{"date": "2023-03-12", "amount_yuan": 600}],
    )
    # 03-02 .. 03-11: 10 days on 1,000; 03-12 .. 03-21: 10 days on 400.
    assert result.value("late_fee_yuan") == fen(1000 * Decimal("0.001") * 10) + fen(
        400 * Decimal("0.001") * 10
    )
    assert result.value("late_fee_yuan") == Decimal("14.00")


def test_late_fee_rounds_each_line_half_up():
    # 1,234.50 x 0.001 x 1 = 1.2345 -> 1.23; x 5 days = 6.1725 -> 6.17
    result = penalties.late_fee(
        amount_yuan="1234.50", due_date="2023-03-01", paid_date="2023-03-07", residential=True
    )
    assert result.value("late_fee_yuan") == fen(Decimal("1234.50") * Decimal("0.001") * 5) == Decimal("6.17")


# ----------------------------------------------------------------------------------------- meter error


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


# ------------------------------------------------------------------------------------------- bad input


THEFT_OK = dict(
    case_date=BEFORE_2024,
    theft_type="tap_supply_facility",
    price_yuan_per_kwh="0.65",
    equipment_capacity_kw=16,
    hours=10,
)


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
    assert any(f"theft.basis.{basis}" in w for w in result.warnings)


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


def test_damage_line_cites_article_104():
    result = penalties.theft(**THEFT_OK, damage_yuan="120.5")
    assert result.value("damage_yuan") == Decimal("120.50")
    assert result.item("damage_yuan").article.endswith("第一百零四条")
