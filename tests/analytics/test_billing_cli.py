"""``gridcheck calc power-factor|line-loss|bill``: JSON in, itemised JSON out, exit 2 naming the field."""

import json

import pytest

from gridcheck_analytics.cli import main

POWER_FACTOR = {
    "bill_period": "2023-03-31",
    "energy_kwh": 100000,
    "reactive_energy_kvarh": 60000,
    "power_factor_class": "high_voltage_industrial",
    "basic_charge_yuan": 10400,
    "energy_charge_yuan": "53440.00",
}
LINE_LOSS = {"period": "2024-03-31", "purchases_kwh": 500000, "own_use_kwh": 2000, "sales_kwh": 462345}


def run(tmp_path, capsys, calculation, facts):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    code = main(["calc", calculation, "--input", str(path)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def values(result):
    return {item["key"]: item["value"] for item in result["items"]}


def test_power_factor_prints_itemised_json(tmp_path, capsys):
    code, result, _ = run(tmp_path, capsys, "power-factor", POWER_FACTOR)
    assert code == 0
    # 100000 / √(100000² + 60000²) = 0.8575 → 0.86; standard 0.90 → +2.0 %; 63,840.00 × 2 % = 1,276.80
    assert values(result) == {
        "power_factor": "0.86",
        "power_factor_adjustment_percent": "2.0",
        "power_factor_adjustment_yuan": "1276.80",
    }
    item = result["items"][1]
    assert item["formula"] and item["inputs"]["standard"] == "0.90"
    assert "215号" in item["article"] and item["rules"] == ["power_factor.table_0_90.pf_0_86"]


def test_line_loss_prints_itemised_json(tmp_path, capsys):
    code, result, _ = run(tmp_path, capsys, "line-loss", LINE_LOSS)
    assert code == 0
    # supplied 500,000; loss 500,000 − 2,000 − 462,345 = 35,655; 7.131 % → 7.13 %
    assert values(result) == {"supplied_kwh": "500000", "loss_kwh": "35655", "loss_rate_percent": "7.13"}


@pytest.mark.parametrize(
    ("calculation", "facts", "field"),
    [
        ("power-factor", {**POWER_FACTOR, "energy_kwh": 0}, "energy_kwh"),
        ("power-factor", {**POWER_FACTOR, "reactive_energy_kvarh": -3}, "reactive_energy_kvarh"),
        (
            "power-factor",
            {**POWER_FACTOR, "power_factor_class": None, "power_factor_standard": 0.7},
            "power_factor_standard",
        ),
        ("power-factor", {k: v for k, v in POWER_FACTOR.items() if k != "energy_kwh"}, "energy_kwh"),
        ("power-factor", {**POWER_FACTOR, "colour": "red"}, "colour"),
        ("line-loss", {**LINE_LOSS, "purchases_kwh": 0}, "purchases_kwh"),
        ("line-loss", {**LINE_LOSS, "sales_kwh": None}, "sales_kwh"),
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path, capsys, calculation, facts, field):
    code, _, err = run(tmp_path, capsys, calculation, facts)
    assert code == 2
    assert err.startswith(f"error: field {field}")


BILL = {
    "bill_period": "2023-03-31",
    "meters": [
        {"meter": "OLD", "ct_ratio": 20, "registers": {"total": {"start": "500.00", "end": "520.50"}}},
        {"meter": "NEW", "ct_ratio": 40, "registers": {"total": {"start": "0.00", "end": "12.25"}}},
    ],
    "flat_price_yuan_per_kwh": "0.65",
}


def test_bill_prints_itemised_json(tmp_path, capsys):
    code, result, _ = run(tmp_path, capsys, "bill", BILL)
    assert code == 0
    # 20.5 × 20 = 410 kWh + 12.25 × 40 = 490 kWh = 900 kWh; 900 × 0.65 = 585.00 元
    got = values(result)
    assert (
        got["meter_1_total_kwh"] == "410" and got["meter_2_total_kwh"] == "490" and got["total_kwh"] == "900"
    )
    assert got["total_yuan"] == "585.00"
    assert all(item["formula"] and item["article"] for item in result["items"])
    assert result["kind"] == "bill"


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({**BILL, "meters": [{"registers": {"total": {"start": 9, "end": 1}}}]}, "meters[0].registers.total"),
        ({**BILL, "flat_price_yuan_per_kwh": None}, "flat_price_yuan_per_kwh"),
        ({**BILL, "tarif": "x"}, "tarif"),
    ],
)
def test_bill_bad_input_exits_2_naming_the_field(tmp_path, capsys, facts, field):
    code, _, err = run(tmp_path, capsys, "bill", facts)
    assert code == 2
    assert err.startswith(f"error: field {field}")


def test_a_bill_period_may_be_written_as_a_month(tmp_path, capsys):
    """``2023-05`` is May 2023 (its last day picks the rules), ``2023-13`` is refused naming the field."""
    path = tmp_path / "pf.json"
    facts = {"energy_kwh": 100000, "reactive_energy_kvarh": 60000, "power_factor_standard": "0.90"}
    path.write_text(json.dumps({**facts, "bill_period": "2023-05"}), encoding="utf-8")
    assert main(["calc", "power-factor", "--input", str(path)]) == 0
    month = json.loads(capsys.readouterr().out)
    path.write_text(json.dumps({**facts, "bill_period": "2023-05-31"}), encoding="utf-8")
    assert main(["calc", "power-factor", "--input", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == month
    path.write_text(json.dumps({**facts, "bill_period": "2023-13"}), encoding="utf-8")
    assert main(["calc", "power-factor", "--input", str(path)]) == 2
    assert "bill_period" in capsys.readouterr().err
