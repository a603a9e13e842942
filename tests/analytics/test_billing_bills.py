"""Golden bills, computed by hand to the fen (the arithmetic is in the comments), and bad input.

Rounding by hand: energy per meter part and register to whole kWh, each money line to the fen, half up;
a total is the sum of its rounded lines.
"""

import datetime
from decimal import Decimal

import pytest

from gridcheck_analytics.billing import bill
from gridcheck_analytics.penalties import CalcInputError

ON = datetime.date(2023, 3, 31)  # before 2023-06-01: the adjustment base row is P, no warning


def reading(start, end, **extra):
    return {"start": start, "end": end, **extra}


def test_flat_residential():
    # (1480.2 − 1234.5) × 1 × 1 = 245.7 → 246 kWh; 246 × 0.5283 = 129.9618 → 129.96 元
    result = bill(
        bill_period=ON,
        meters=[{"meter": "R-1", "registers": {"total": reading("1234.5", "1480.2")}}],
        flat_price_yuan_per_kwh="0.5283",
    )
    assert result.value("meter_1_total_kwh") == Decimal(246)
    assert result.value("energy_charge_yuan") == Decimal("129.96")
    assert result.value("total_yuan") == Decimal("129.96")
    assert result.warnings == []


def test_time_of_use_commercial_with_ct_and_a_fund():
    # CT 150/5 = 30, applied once per register:
    #   total  (166.67 − 100.00) × 30 = 66.67 × 30 = 2,000.1 → 2,000 kWh
    #   peak   (43.33 − 20.00) × 30 = 23.33 × 30 = 699.9 → 700 kWh
    #   valley (26.67 − 10.00) × 30 = 16.67 × 30 = 500.1 → 500 kWh
    #   flat = 2,000 − 700 − 500 = 800 kWh
    # peak 700 × 1.0125 = 708.75; flat 800 × 0.6750 = 540.00; valley 500 × 0.3375 = 168.75 → 1,417.50 元
    # fund 2,000 × 0.019 = 38.00 元 (not adjusted); total 1,455.50 元
    result = bill(
        bill_period=ON,
        meters=[
            {
                "meter": "C-7",
                "ct_ratio": 30,
                "registers": {
                    "total": reading("100.00", "166.67"),
                    "peak": reading("20.00", "43.33"),
                    "valley": reading("10.00", "26.67"),
                },
            }
        ],
        time_of_use_prices_yuan_per_kwh={"peak": "1.0125", "flat": "0.6750", "valley": "0.3375"},
        funds=[{"name": "可再生能源电价附加", "rate_yuan_per_kwh": "0.019"}],
    )
    assert result.value("meter_1_total_kwh") == Decimal(2000)
    assert result.value("meter_1_peak_kwh") == Decimal(700)
    assert result.value("meter_1_valley_kwh") == Decimal(500)
    assert result.value("flat_kwh") == Decimal(800)
    assert result.value("energy_charge_peak_yuan") == Decimal("708.75")
    assert result.value("energy_charge_flat_yuan") == Decimal("540.00")
    assert result.value("energy_charge_valley_yuan") == Decimal("168.75")
    assert result.value("energy_charge_yuan") == Decimal("1417.50")
    assert result.value("fund_1_yuan") == Decimal("38.00")
    assert result.value("total_yuan") == Decimal("1455.50")


def test_residential_tiers_cross_a_threshold_demo_catalogue():
    # Demo tiers: ≤ 2,760 kWh at 0.538, ≤ 4,800 at 0.588, above at 0.838. Billed earlier this year: 2,600.
    # This bill 300 kWh covers 2,600 → 2,900: 160 kWh in tier 1, 140 kWh in tier 2.
    # 160 × 0.538 = 86.08; 140 × 0.588 = 82.32; total 168.40 元
    result = bill(
        bill_period=ON,
        energies={"total": 300},
        tiers="demo_residential",
        energy_billed_earlier_in_year_kwh=2600,
    )
    assert result.value("energy_charge_tier_1_yuan") == Decimal("86.08")
    assert result.value("energy_charge_tier_2_yuan") == Decimal("82.32")
    assert result.value("total_yuan") == Decimal("168.40")
    assert result.warned("tariff.demo.residential")  # demo values are U


def test_residential_tiers_given_in_the_input():
    # Earlier 4,700 kWh; this bill 200 kWh covers 4,700 → 4,900: 100 kWh in tier 2, 100 kWh in tier 3.
    # 100 × 0.588 = 58.80; 100 × 0.838 = 83.80; total 142.60 元
    tiers = [
        {"up_to_kwh": 2760, "price_yuan_per_kwh": "0.538"},
        {"up_to_kwh": 4800, "price_yuan_per_kwh": "0.588"},
        {"price_yuan_per_kwh": "0.838"},
    ]
    result = bill(
        bill_period=ON, energies={"total": 200}, tiers=tiers, energy_billed_earlier_in_year_kwh=4700
    )
    assert [i.key for i in result.items if i.key.startswith("energy_charge_tier")] == [
        "energy_charge_tier_2_yuan",
        "energy_charge_tier_3_yuan",
    ]
    assert result.value("energy_charge_tier_2_yuan") == Decimal("58.80")
    assert result.value("energy_charge_tier_3_yuan") == Decimal("83.80")
    assert result.value("total_yuan") == Decimal("142.60")


HIGH_VOLTAGE = {"meter": "H-1", "ct_ratio": 20, "pt_ratio": 100}  # CT 100/5, PT 10 kV/100 V: × 2,000


def test_two_part_industrial_power_factor_penalty():
    # total (1050.00 − 1000.00) × 20 × 100 = 100,000 kWh; reactive (530.00 − 500.00) × 2,000 = 60,000 kvarh
    # energy 100,000 × 0.5344 = 53,440.00; basic 400 kVA × 26 = 10,400.00
    # pf = 100,000 / √(100,000² + 60,000²) = 100,000 / 116,619.04 = 0.8575 → 0.86; standard 0.90 → +2.0 %
    # adjustment (10,400.00 + 53,440.00) × 2.0 % = 63,840.00 × 0.02 = 1,276.80
    # fund (catalogue) 100,000 × 0.019 = 1,900.00 (not adjusted)
    # total 53,440.00 + 10,400.00 + 1,276.80 + 1,900.00 = 67,016.80 元
    result = bill(
        bill_period=ON,
        meters=[
            {
                **HIGH_VOLTAGE,
                "registers": {"total": reading("1000.00", "1050.00"), "reactive": reading(500, 530)},
            }
        ],
        flat_price_yuan_per_kwh="0.5344",
        basic_charge={"capacity_kva": 400, "price_yuan_per_kva_month": 26},
        power_factor_class="high_voltage_industrial",
        funds=["renewable_energy_surcharge"],
    )
    assert result.value("meter_1_total_kwh") == Decimal(100000)
    assert result.value("meter_1_reactive_kvarh") == Decimal(60000)
    assert result.value("energy_charge_yuan") == Decimal("53440.00")
    assert result.value("basic_charge_yuan") == Decimal("10400.00")
    assert result.value("power_factor") == Decimal("0.86")
    assert result.value("power_factor_adjustment_percent") == Decimal("2.0")
    assert result.value("power_factor_adjustment_yuan") == Decimal("1276.80")
    assert result.value("fund_1_yuan") == Decimal("1900.00")
    assert result.value("total_yuan") == Decimal("67016.80")
    assert result.item("power_factor_adjustment_yuan").inputs["base_yuan"] == Decimal("63840.00")


def test_two_part_industrial_power_factor_rebate_by_demand():
    # total 100,000 kWh as above; reactive (510 − 500) × 2,000 = 20,000 kvarh
    # pf = 100,000 / √(100,000² + 20,000²) = 100,000 / 101,980.39 = 0.9806 → 0.98; standard 0.90 → −0.75 %
    # basic 300 kW × 38 = 11,400.00; energy 53,440.00; base 64,840.00 × −0.0075 = −486.30
    # total 64,840.00 − 486.30 = 64,353.70 元
    result = bill(
        bill_period=ON,
        meters=[{**HIGH_VOLTAGE, "registers": {"total": reading(1000, 1050), "reactive": reading(500, 510)}}],
        flat_price_yuan_per_kwh="0.5344",
        basic_charge={"max_demand_kw": 300, "price_yuan_per_kw_month": 38},
        power_factor_standard="0.90",
    )
    assert result.value("basic_charge_yuan") == Decimal("11400.00")
    assert result.value("power_factor") == Decimal("0.98")
    assert result.value("power_factor_adjustment_yuan") == Decimal("-486.30")
    assert result.value("total_yuan") == Decimal("64353.70")


def test_transformer_loss_from_its_parameters():
    # 315 kVA, P0 0.67 kW, Pk 3.65 kW, 720 h, β 0.5, I0 1.0 %, Uk 4 %:
    #   active loss = 0.67 × 720 + 3.65 × 0.5² × 720 = 482.4 + 657 = 1,139.4 → 1,139 kWh
    #   reactive loss = (1.0 × 315 + 4 × 315 × 0.25) × 720 / 100 = 630 × 7.2 = 4,536 kvarh
    # billed 60,000 + 1,139 = 61,139 kWh; reactive 30,000 + 4,536 = 34,536 kvarh
    # energy 61,139 × 0.60 = 36,683.40
    # pf = 61,139 / √(3,737,977,321 + 1,192,735,296) = 61,139 / 70,219.03 = 0.8707 → 0.87
    # standard 0.85 → −0.20 %: 36,683.40 × −0.002 = −73.3668 → −73.37; total 36,610.03 元
    result = bill(
        bill_period=ON,
        energies={"total": 60000, "reactive": 30000},
        flat_price_yuan_per_kwh="0.60",
        transformer_loss={
            "capacity_kva": 315,
            "no_load_loss_kw": "0.67",
            "load_loss_kw": "3.65",
            "hours": 720,
            "load_factor": "0.5",
            "no_load_current_percent": "1.0",
            "impedance_voltage_percent": 4,
        },
        power_factor_standard="0.85",
    )
    assert result.value("transformer_loss_kwh") == Decimal(1139)
    assert result.value("transformer_loss_kvarh") == Decimal(4536)
    assert result.value("billed_kwh") == Decimal(61139)
    assert result.value("billed_reactive_kvarh") == Decimal(34536)
    assert result.value("energy_charge_yuan") == Decimal("36683.40")
    assert result.value("power_factor") == Decimal("0.87")
    assert result.value("power_factor_adjustment_yuan") == Decimal("-73.37")
    assert result.value("total_yuan") == Decimal("36610.03")


def test_transformer_loss_given_is_shared_among_periods():
    # total 1,000; peak 300; valley 200; flat = 500. Loss 100 kWh shared by energy:
    #   peak 100 × 300 / 1,000 = 30; valley 100 × 200 / 1,000 = 20; flat gets the rest 50.
    # billed peak 330 × 1.0 = 330.00; flat 550 × 0.6 = 330.00; valley 220 × 0.3 = 66.00 → 726.00 元
    result = bill(
        bill_period=ON,
        energies={"total": 1000, "peak": 300, "valley": 200},
        time_of_use_prices_yuan_per_kwh={"peak": "1.0", "flat": "0.6", "valley": "0.3"},
        transformer_loss={"active_kwh": 100},
    )
    assert result.value("billed_peak_kwh") == Decimal(330)
    assert result.value("billed_flat_kwh") == Decimal(550)
    assert result.value("billed_valley_kwh") == Decimal(220)
    assert result.value("total_yuan") == Decimal("726.00")


def test_meter_change_mid_month_with_different_multipliers():
    # old meter, CT 100/5 = 20: (520.50 − 500.00) × 20 = 20.5 × 20 = 410 kWh
    # new meter, CT 200/5 = 40: (12.25 − 0.00) × 40 = 490 kWh; total 900 kWh × 0.65 = 585.00 元
    result = bill(
        bill_period=ON,
        meters=[
            {"meter": "OLD", "ct_ratio": 20, "registers": {"total": reading("500.00", "520.50")}},
            {"meter": "NEW", "ct_ratio": 40, "registers": {"total": reading("0.00", "12.25")}},
        ],
        flat_price_yuan_per_kwh="0.65",
    )
    assert result.value("meter_1_total_kwh") == Decimal(410)
    assert result.value("meter_2_total_kwh") == Decimal(490)
    assert result.value("total_kwh") == Decimal(900)
    assert result.value("total_yuan") == Decimal("585.00")


def test_register_rollover():
    # 4-digit register 9950 → 0030: 30 + 10,000 − 9,950 = 80 kWh × 0.5 = 40.00 元
    result = bill(
        bill_period=ON,
        meters=[{"register_digits": 4, "registers": {"total": reading(9950, 30, rollover=True)}}],
        flat_price_yuan_per_kwh="0.5",
    )
    assert result.value("meter_1_total_kwh") == Decimal(80)
    assert result.item("meter_1_total_kwh").inputs["rollover"] is True
    assert result.value("total_yuan") == Decimal("40.00")


def test_mixed_use_share_before_pricing():
    # 1,000 kWh, 20 % residential: 200 kWh × 0.55 = 110.00; main 800 × 0.65 = 520.00 → 630.00 元
    result = bill(
        bill_period=ON,
        energies={"total": 1000},
        flat_price_yuan_per_kwh="0.65",
        mixed_use={"share": "0.2", "price_yuan_per_kwh": "0.55", "category": "居民生活"},
    )
    assert result.value("mixed_use_total_kwh") == Decimal(200)
    assert result.value("energy_charge_second_yuan") == Decimal("110.00")
    assert result.value("energy_charge_main_yuan") == Decimal("520.00")
    assert result.value("total_yuan") == Decimal("630.00")


FLAT = {"bill_period": ON, "flat_price_yuan_per_kwh": "0.5"}


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"meters": [{"registers": {"total": reading(200, 100)}}]}, "meters[0].registers.total"),  # backwards
        ({"meters": [{"registers": {"total": reading(9950, 30, rollover=True)}}]}, "register_digits"),
        (
            {"meters": [{"register_digits": 4, "registers": {"total": reading(10, 30, rollover=True)}}]},
            "meters[0].registers.total.rollover",
        ),
        (
            {"meters": [{"register_digits": 4, "registers": {"total": reading(10, 10030)}}]},
            "meters[0].registers.total.end",
        ),
        ({"meters": [{"ct_ratio": 0, "registers": {"total": reading(1, 2)}}]}, "meters[0].ct_ratio"),
        ({"meters": [{"registers": {"moon": reading(1, 2)}}]}, "meters[0].registers.moon"),
        (
            {"meters": [{"registers": {"total": reading(1, 2)}}, {"registers": {"peak": reading(1, 2)}}]},
            "meters[1].registers",
        ),
        ({"meters": []}, "meters"),
        ({"energies": {"total": 1}, "meters": [{"registers": {"total": reading(1, 2)}}]}, "meters"),
        ({"energies": {"total": 10}, "tiers": "demo_residential"}, "flat_price_yuan_per_kwh"),  # two pricings
        ({"energies": {"total": 10}, "power_factor_standard": "0.90"}, "meters"),  # no reactive
        (
            {"energies": {"total": 10, "reactive": 1}, "power_factor_standard": "0.95"},
            "power_factor_standard",
        ),
        ({"energies": {"total": -1}}, "energies.total"),
        ({"energies": {"total": 10}, "mixed_use": {"share": 1, "price_yuan_per_kwh": 1}}, "mixed_use.share"),
        ({"energies": {"total": 10}, "funds": ["moon_fund"]}, "funds[0]"),
        (
            {"energies": {"total": 10}, "basic_charge": {"capacity_kva": 100}},
            "basic_charge.price_yuan_per_kva_month",
        ),
        (
            {
                "energies": {"total": 10},
                "transformer_loss": {"no_load_loss_kw": 1, "load_loss_kw": 2, "hours": 720},
            },
            "transformer_loss.capacity_kva",
        ),
    ],
)
def test_bad_input_names_the_field(facts, field):
    with pytest.raises(CalcInputError) as info:
        bill(**{**FLAT, **facts})
    assert info.value.field == field


def test_time_of_use_price_missing_for_a_period():
    with pytest.raises(CalcInputError) as info:
        bill(
            bill_period=ON,
            energies={"total": 10, "peak": 4, "valley": 3},
            time_of_use_prices_yuan_per_kwh={"peak": 1, "flat": "0.6"},
        )
    assert info.value.field == "time_of_use_prices_yuan_per_kwh.valley"


def test_backwards_register_message_names_the_register():
    with pytest.raises(CalcInputError, match="went backwards") as info:
        bill(**FLAT, meters=[{"registers": {"total": reading(200, 100)}}])
    assert str(info.value).startswith("meters[0].registers.total")


def test_transformer_loss_with_the_load_factor_from_the_energy():
    # β² = (60,000² + 30,000²) / (315 × 720)² = 4,500,000,000 / 51,438,240,000 = 0.0874836
    # active loss = 0.67 × 720 + 3.65 × 0.0874836 × 720 = 482.4 + 229.9069 = 712.3069 → 712 kWh
    result = bill(
        bill_period=ON,
        energies={"total": 60000, "reactive": 30000},
        flat_price_yuan_per_kwh="0.60",
        transformer_loss={
            "capacity_kva": 315,
            "no_load_loss_kw": "0.67",
            "load_loss_kw": "3.65",
            "hours": 720,
        },
    )
    assert result.value("transformer_loss_kwh") == Decimal(712)
    assert result.value("transformer_loss_kvarh") == Decimal(0)  # no I0 / Uk given
    assert result.value("energy_charge_yuan") == Decimal("36427.20")  # 60,712 × 0.60
