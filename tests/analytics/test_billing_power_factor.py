"""Power-factor adjustment: every row of the three tables of (83)水电财字第215号, the power factor, errors.

The table rows below are typed by hand from the source (regulations.md section 6 and the Jiangsu SGCC copy
of the annex as quoted by a public implementation), independently of ``rules.toml``: a typo in either
fails its row.
"""

import datetime
from decimal import Decimal

import pytest

from gridcheck_analytics.billing import power_factor_adjustment
from gridcheck_analytics.penalties import CalcInputError
from gridcheck_analytics.regulations import default_table, rule

D = datetime.date
ON = D(2023, 3, 31)  # before 2023-06-01: no review warning on the adjustment base

# (power factor, percent): negative = rebate (减收), positive = surcharge (增收).
TABLE_0_90 = [
    ("0.95", "-0.75"), ("0.94", "-0.60"), ("0.93", "-0.45"), ("0.92", "-0.30"), ("0.91", "-0.15"),
    ("0.90", "0"),
    ("0.89", "0.5"), ("0.88", "1.0"), ("0.87", "1.5"), ("0.86", "2.0"), ("0.85", "2.5"),
    ("0.84", "3.0"), ("0.83", "3.5"), ("0.82", "4.0"), ("0.81", "4.5"), ("0.80", "5.0"),
    ("0.79", "5.5"), ("0.78", "6.0"), ("0.77", "6.5"), ("0.76", "7.0"), ("0.75", "7.5"),
    ("0.74", "8.0"), ("0.73", "8.5"), ("0.72", "9.0"), ("0.71", "9.5"), ("0.70", "10.0"),
    ("0.69", "11"), ("0.68", "12"), ("0.67", "13"), ("0.66", "14"), ("0.65", "15"),
]  # fmt: skip
TABLE_0_85 = [
    ("0.94", "-1.10"), ("0.93", "-0.95"), ("0.92", "-0.80"), ("0.91", "-0.65"), ("0.90", "-0.50"),
    ("0.89", "-0.40"), ("0.88", "-0.30"), ("0.87", "-0.20"), ("0.86", "-0.10"),
    ("0.85", "0"),
    ("0.84", "0.5"), ("0.83", "1.0"), ("0.82", "1.5"), ("0.81", "2.0"), ("0.80", "2.5"),
    ("0.79", "3.0"), ("0.78", "3.5"), ("0.77", "4.0"), ("0.76", "4.5"), ("0.75", "5.0"),
    ("0.74", "5.5"), ("0.73", "6.0"), ("0.72", "6.5"), ("0.71", "7.0"), ("0.70", "7.5"),
    ("0.69", "8.0"), ("0.68", "8.5"), ("0.67", "9.0"), ("0.66", "9.5"), ("0.65", "10.0"),
    ("0.64", "11"), ("0.63", "12"), ("0.62", "13"), ("0.61", "14"), ("0.60", "15"),
]  # fmt: skip
TABLE_0_80 = [
    ("0.92", "-1.30"), ("0.91", "-1.15"), ("0.90", "-1.00"), ("0.89", "-0.90"), ("0.88", "-0.80"),
    ("0.87", "-0.70"), ("0.86", "-0.60"), ("0.85", "-0.50"), ("0.84", "-0.40"), ("0.83", "-0.30"),
    ("0.82", "-0.20"), ("0.81", "-0.10"),
    ("0.80", "0"),
    ("0.79", "0.5"), ("0.78", "1.0"), ("0.77", "1.5"), ("0.76", "2.0"), ("0.75", "2.5"),
    ("0.74", "3.0"), ("0.73", "3.5"), ("0.72", "4.0"), ("0.71", "4.5"), ("0.70", "5.0"),
    ("0.69", "5.5"), ("0.68", "6.0"), ("0.67", "6.5"), ("0.66", "7.0"), ("0.65", "7.5"),
    ("0.64", "8.0"), ("0.63", "8.5"), ("0.62", "9.0"), ("0.61", "9.5"), ("0.60", "10.0"),
    ("0.59", "11"), ("0.58", "12"), ("0.57", "13"), ("0.56", "14"), ("0.55", "15"),
]  # fmt: skip
TABLES = {"0.90": TABLE_0_90, "0.85": TABLE_0_85, "0.80": TABLE_0_80}
ROWS = [(std, pf, pct) for std, rows in TABLES.items() for pf, pct in rows]


def reactive_for(pf: str, energy_kwh: int = 10000) -> Decimal:
    """Reactive energy that gives exactly ``pf``: Q = P × √(1 − pf²) / pf."""
    p = Decimal(pf)
    return Decimal(energy_kwh) * (1 - p * p).sqrt() / p


@pytest.mark.parametrize(("standard", "pf", "percent"), ROWS, ids=[f"{s}@{p}" for s, p, _ in ROWS])
def test_each_table_row(standard, pf, percent):
    key = f"power_factor.table_{standard.replace('.', '_')}.pf_{pf.replace('.', '_')}"
    assert rule(key, ON).value == Decimal(percent)  # the row as stored
    result = power_factor_adjustment(
        bill_period=ON,
        energy_kwh=10000,
        reactive_energy_kvarh=reactive_for(pf),
        power_factor_standard=standard,
    )
    assert result.value("power_factor") == Decimal(pf)
    assert result.value("power_factor_adjustment_percent") == Decimal(percent)


@pytest.mark.parametrize("standard", sorted(TABLES))
def test_the_table_has_no_row_the_source_lacks(standard):
    prefix = f"power_factor.table_{standard.replace('.', '_')}.pf_"
    stored = {k[len(prefix) :].replace("_", ".") for k in default_table().keys() if k.startswith(prefix)}
    assert stored == {pf for pf, _ in TABLES[standard]}


@pytest.mark.parametrize(
    ("standard", "pf", "percent"),
    [
        ("0.90", "1.00", "-0.75"),  # 0.95～1.00 is one row
        ("0.90", "0.97", "-0.75"),
        ("0.85", "0.99", "-1.10"),
        ("0.80", "0.95", "-1.30"),
        ("0.90", "0.64", "17"),  # 15 + 2 × 1
        ("0.90", "0.60", "25"),  # 15 + 2 × 5 (the 0.60 example: 10 % + 5 % + 10 %)
        ("0.85", "0.59", "17"),  # 15 + 2 × 1
        ("0.80", "0.50", "25"),  # 15 + 2 × 5
    ],
)
def test_beyond_the_printed_rows(standard, pf, percent):
    result = power_factor_adjustment(
        bill_period=ON,
        energy_kwh=10000,
        reactive_energy_kvarh=reactive_for(pf),
        power_factor_standard=standard,
    )
    assert result.value("power_factor_adjustment_percent") == Decimal(percent)


@pytest.mark.parametrize(
    ("customer_class", "standard"),
    [
        ("high_voltage_industrial", "0.90"),
        ("high_voltage_load_tap_changer", "0.90"),
        ("large_high_voltage_irrigation", "0.90"),
        ("other_industrial", "0.85"),
        ("non_industrial", "0.85"),
        ("irrigation", "0.85"),
        ("wholesale_large_industry", "0.85"),
        ("agricultural", "0.80"),
        ("wholesale", "0.80"),
    ],
)
def test_standard_follows_from_the_customer_class(customer_class, standard):
    result = power_factor_adjustment(
        bill_period=ON, energy_kwh=100, reactive_energy_kvarh=0, power_factor_class=customer_class
    )
    assert result.item("power_factor_adjustment_percent").inputs["standard"] == Decimal(standard)


def test_power_factor_is_rounded_half_up_to_two_decimals():
    # 100,000 kWh, 60,000 kvarh: 100000 / √(1.36e10) = 0.857492... → 0.86 → +2.0 % at standard 0.90.
    result = power_factor_adjustment(
        bill_period=ON,
        energy_kwh=100000,
        reactive_energy_kvarh=60000,
        power_factor_standard="0.9",
        basic_charge_yuan="10400",
        energy_charge_yuan="53440.00",
    )
    assert result.value("power_factor") == Decimal("0.86")
    # (10,400 + 53,440) × 2.0 % = 63,840 × 0.02 = 1,276.80 元.
    assert result.value("power_factor_adjustment_yuan") == Decimal("1276.80")
    assert result.warnings == []


def test_exact_half_rounds_up():
    # P = 0.905 × 20,000 = 18,100 kWh; Q = √(20000² − 18100²) = √(400,000,000 − 327,610,000) = √72,390,000.
    # pf = 18,100 / 20,000 = 0.905 exactly → 0.91 (half up; half-even would give 0.90).
    result = power_factor_adjustment(
        bill_period=ON,
        energy_kwh=18100,
        reactive_energy_kvarh=Decimal(72390000).sqrt(),
        power_factor_standard="0.90",
    )
    assert result.value("power_factor") == Decimal("0.91")
    assert result.value("power_factor_adjustment_percent") == Decimal("-0.15")


def test_rebate_amount_and_the_2023_review_warning():
    # pf 1.00 at 0.90: −0.75 %; (2,000.00 + 8,000.00) × −0.0075 = −75.00 元.
    result = power_factor_adjustment(
        bill_period=D(2024, 3, 31),
        energy_kwh=1000,
        reactive_energy_kvarh=0,
        power_factor_standard="0.90",
        basic_charge_yuan="2000",
        energy_charge_yuan="8000",
    )
    assert result.value("power_factor_adjustment_yuan") == Decimal("-75.00")
    # 发改价格〔2023〕526号 is U
    assert rule("power_factor.adjustment_base", D(2024, 3, 31)).review_warning() in result.warnings


def test_the_one_disputed_row_carries_a_review_warning():
    result = power_factor_adjustment(
        bill_period=ON,
        energy_kwh=10000,
        reactive_energy_kvarh=reactive_for("0.94"),
        power_factor_standard="0.85",
    )
    assert rule("power_factor.table_0_85.pf_0_94", ON).review_warning() in result.warnings


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"energy_kwh": 0}, "energy_kwh"),
        ({"energy_kwh": -5}, "energy_kwh"),
        ({"reactive_energy_kvarh": -1}, "reactive_energy_kvarh"),
        ({"power_factor_standard": "0.95"}, "power_factor_standard"),
        ({"power_factor_standard": "0.905"}, "power_factor_standard"),
        ({"power_factor_standard": None, "power_factor_class": "moon"}, "power_factor_class"),
        ({"power_factor_standard": None}, "power_factor_standard"),
        ({"basic_charge_yuan": -1}, "basic_charge_yuan"),
        ({"bill_period": "2024-02-30"}, "bill_period"),
    ],
)
def test_bad_input_names_the_field(facts, field):
    base = {
        "bill_period": ON,
        "energy_kwh": 100,
        "reactive_energy_kvarh": 50,
        "power_factor_standard": "0.90",
    }
    with pytest.raises(CalcInputError) as info:
        power_factor_adjustment(**{**base, **facts})
    assert info.value.field == field
