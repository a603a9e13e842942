"""Named settings (issue 20): chosen per calculation, checked, recorded on the result; input errors."""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, THEFT_OK

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import SETTINGS, CalcInputError
from gridcheck_analytics.regulations import RuleNotInForceError, default_table


def test_every_setting_has_a_row_and_a_valid_default():
    table = default_table()
    for name, setting in SETTINGS.items():
        row = table.rule(name, table.rows(name)[-1].effective_from)
        assert setting.parse(row.value) == row.value, name


def test_unknown_setting_names_the_field():
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**THEFT_OK, settings={"rounding.colour": "red"})
    assert err.value.field == "settings.rounding.colour"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rounding.mode", "ROUND_SIDEWAYS"),
        ("rounding.money_yuan", "0.03"),
        ("theft.surcharge_in_base", "maybe"),
        ("basic_charge.part_month", "fortnight"),
        ("meter_error.period_fraction.over_tolerance", 2),
        ("late_fee.practice.grace_days", "1.5"),
    ],
)
def test_bad_setting_value_names_the_setting(name, value):
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**THEFT_OK, settings={name: value})
    assert err.value.field == f"settings.{name}"


def test_settings_read_are_recorded_with_their_source():
    """THEFT_OK: 16 kW × 10 h = 160 kWh at 0.65 = 104.00; money to 1 元 (setting): 104."""
    result = penalties.theft(**THEFT_OK, settings={"rounding.money_yuan": "1"})
    assert result.value("back_bill_yuan") == 104
    recorded = {s["name"]: s for s in result.to_dict()["settings"]}
    assert recorded["rounding.money_yuan"]["source"] == "case"
    assert recorded["rounding.money_yuan"]["value"] == "1"
    assert recorded["rounding.mode"]["source"] == "rule table"
    row = next(r for r in result.to_dict()["rules"] if r["key"] == "rounding.money_yuan")
    assert row["value"] == "1" and row["status"] == "C"


def test_a_practice_basis_switched_off_by_a_setting_is_refused():
    """Regulations.md 9 (stolen-energy quantity): the station does not use the connected-load basis."""
    with pytest.raises(CalcInputError) as err:
        penalties.theft(
            **{**THEFT_OK, "hours": 10},
            basis="connected_load",
            basis_reason="现场清点",
            settings={"theft.basis.connected_load": False},
        )
    assert err.value.field == "basis"


def test_tariff_category_mapping_is_a_setting():
    """Art. 103, duration unknown, general commercial mapped to lighting (6 h/d) instead of power (12 h/d):
    16 kW × 180 × 6 = 17,280 kWh."""
    facts = {k: v for k, v in THEFT_OK.items() if k != "hours"}
    result = penalties.theft(
        **facts,
        tariff_category="general_commercial",
        settings={"theft.customer_class.general_commercial": "lighting"},
    )
    assert result.value("stolen_energy_kwh") == 16 * 180 * 6


def test_a_date_before_the_rules_names_the_date_field():
    with pytest.raises(CalcInputError) as err:
        penalties.theft(**{**THEFT_OK, "case_date": "1990-01-01"})
    assert err.value.field == "case_date" and "before the rules existed" in str(err.value)
    assert isinstance(err.value, RuleNotInForceError)
    with pytest.raises(CalcInputError) as late:
        penalties.late_fee(amount_yuan=100, due_date="1990-01-15", paid_date="1990-02-01", residential=True)
    assert late.value.field == "due_date"


def test_number_out_of_range_and_negative_energy():
    with pytest.raises(CalcInputError) as big:
        penalties.theft(**{**THEFT_OK, "price_yuan_per_kwh": Decimal("1e400")})
    assert big.value.field == "price_yuan_per_kwh" and "out of range" in str(big.value)
    with pytest.raises(CalcInputError) as negative:
        penalties.meter_error(
            case_date=BEFORE_2024, cause="over_tolerance", recorded_energy_kwh=-5, error_percent=5
        )
    assert negative.value.field == "recorded_energy_kwh"


def test_every_setting_is_listed_in_the_docs():
    """docs/regulations.md "Settings" lists every named setting (the basis switches and the tariff-category
    mapping as one row each)."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "regulations.md").read_text(encoding="utf-8")
    section = docs.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for name in SETTINGS:
        if name.startswith("theft.basis."):
            assert f"`.{name.rsplit('.', 1)[1]}`" in section or f"`{name}`" in section, name
        elif name.startswith("theft.customer_class."):
            assert "`theft.customer_class.<tariff category>`" in section
        else:
            assert f"`{name}`" in section, name
