"""``calc`` on the command line (issue 20): --set, --rules, provinces, and one-line errors for bad files."""

import json

import pytest

from gridcheck_analytics.cli import main
from gridcheck_analytics.regulations import RULES_PATH

EXAMPLE_A = {
    "case_date": "2023-05-01",
    "theft_type": "bypass_meter",
    "price_yuan_per_kwh": "0.5655",
    "meter_phases": 1,
    "marked_current_a": 5,
    "customer_class": "lighting",
}


def run_text(tmp_path, capsys, calculation, text, *extra, binary=None):
    path = tmp_path / "case.json"
    if binary is not None:
        path.write_bytes(binary)
    else:
        path.write_text(text, encoding="utf-8")
    code = main(["calc", calculation, "--input", str(path), *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def run(tmp_path, capsys, calculation, facts, *extra):
    return run_text(tmp_path, capsys, calculation, json.dumps(facts, ensure_ascii=False), *extra)


def values(result):
    return {item["key"]: item["value"] for item in result["items"]}


def test_set_chooses_a_setting_and_the_output_records_it(tmp_path, capsys):
    """Example A at 0.5655: back-bill 1,188 × 0.5655 = 671.814 → 671.81; with the multiple on the
    unrounded amount the penalty is 3 × 671.814 = 2,015.442 → 2,015.44 (2,015.43 by default)."""
    code, result, _ = run(
        tmp_path, capsys, "theft", EXAMPLE_A, "--set", "rounding.back_bill_before_multiple=false"
    )
    assert code == 0
    assert values(result)["penalty_yuan"] == "2015.44"
    recorded = {s["name"]: s for s in result["settings"]}
    assert recorded["rounding.back_bill_before_multiple"] == {
        "name": "rounding.back_bill_before_multiple",
        "label": "先将补交电费取整再乘倍数",
        "value": False,
        "text": "否",
        "source": "case",
    }
    code, result, _ = run(tmp_path, capsys, "theft", EXAMPLE_A)
    assert values(result)["penalty_yuan"] == "2015.43"


def test_set_wins_over_the_files_settings(tmp_path, capsys):
    facts = {**EXAMPLE_A, "settings": {"rounding.money_yuan": "0.1"}}
    code, result, _ = run(tmp_path, capsys, "theft", facts, "--set", "rounding.money_yuan=1")
    assert code == 0 and values(result)["back_bill_yuan"] == "672"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("rounding.colour=red", "error: field settings.rounding.colour: unknown setting"),
        ("rounding.mode=SIDEWAYS", "error: field settings.rounding.mode: unknown value"),
        ("rounding.mode", "error: field --set: expected NAME=VALUE"),
    ],
)
def test_bad_set_is_one_line(tmp_path, capsys, argument, message):
    code, _, err = run(tmp_path, capsys, "theft", EXAMPLE_A, "--set", argument)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1


def test_rules_file_and_province(tmp_path, capsys):
    """--rules points at another table: with a province XX overlay that sets the multiple to 2, Example A
    (0.56 元): back-bill 665.28, penalty 2 × 665.28 = 1,330.56. Without the overlay XX is unknown."""
    overlay = """
[[rule]]
key = "theft.penalty_multiple"
regulation = "GYGZ-1996"
article = "第一百零二条（XX省）"
effective_from = 2000-01-01
kind = "fixed"
value = 2
unit = "1"
status = "U"
description = "测试"
province = "XX"
"""
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_PATH.read_text(encoding="utf-8") + overlay, encoding="utf-8")
    facts = {**EXAMPLE_A, "price_yuan_per_kwh": "0.56"}
    code, result, err = run(tmp_path, capsys, "theft", facts, "--rules", str(rules), "--province", "XX")
    assert code == 0, err
    assert values(result)["penalty_yuan"] == "1330.56"
    code, _, err = run(tmp_path, capsys, "theft", facts, "--province", "XX")
    assert code == 2 and err.startswith("error: unknown province 'XX'")
    code, _, err = run(tmp_path, capsys, "theft", facts, "--rules", str(tmp_path / "missing.toml"))
    assert code == 2 and err.startswith("error: cannot read --rules")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rule]]\nkey = 1\n", encoding="utf-8")
    code, _, err = run(tmp_path, capsys, "theft", facts, "--rules", str(bad))
    assert code == 2 and "is not a usable rule table" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("calculation", "text", "start"),
    [
        ("theft", "", "error: --input"),
        ("theft", "   \n", "error: --input"),
        (
            "theft",
            json.dumps({**EXAMPLE_A, "price_yuan_per_kwh": 1}).replace(": 1,", ": 1e400,"),
            "error: field price_yuan_per_kwh: is out of range",
        ),
        (
            "theft",
            json.dumps({k: v for k, v in EXAMPLE_A.items() if k != "theft_type"}),
            "error: field theft_type: is required",
        ),
        (
            "theft",
            json.dumps({**EXAMPLE_A, "case_date": "1980-01-01"}),
            "error: field case_date: 1980-01-01 is before the rules existed",
        ),
        (
            "theft",
            json.dumps({**EXAMPLE_A, "hours": 5, "days": 2, "hours_per_day": 3}),
            "error: field days: conflicts with hours",
        ),
        (
            "meter-error",
            json.dumps(
                {
                    "case_date": "2023-05-01",
                    "cause": "over_tolerance",
                    "recorded_energy_kwh": -10,
                    "error_percent": 5,
                }
            ),
            "error: field recorded_energy_kwh: must not be negative",
        ),
        (
            "violation",
            json.dumps(
                {
                    "violation_type": "excess_capacity",
                    "case_date": "2023-05-01",
                    "extra_capacity_kva": 100,
                    "two_part": True,
                    "basic_charge_yuan_per_kva_month": 25,
                    "months": 4,
                    "days": 120,
                }
            ),
            "error: field days: conflicts with months",
        ),
    ],
)
def test_bad_input_is_one_line_never_a_traceback(tmp_path, capsys, calculation, text, start):
    code, _, err = run_text(tmp_path, capsys, calculation, text)
    assert code == 2
    assert err.startswith(start), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_empty_file_says_empty(tmp_path, capsys):
    code, _, err = run_text(tmp_path, capsys, "theft", "")
    assert code == 2 and "is empty" in err


def test_byte_order_mark_is_accepted(tmp_path, capsys):
    """Example A (0.5655) saved with a UTF-8 BOM: same result as without (back-bill 671.81)."""
    data = b"\xef\xbb\xbf" + json.dumps(EXAMPLE_A).encode("utf-8")
    code, result, err = run_text(tmp_path, capsys, "theft", None, binary=data)
    assert code == 0, err
    assert values(result)["back_bill_yuan"] == "671.81"


def test_case_total_on_the_command_line(tmp_path, capsys):
    """Example C theft 14,976.00 + seal fee 5,000.00 (art. 100(5), non-residential) = 19,976.00 元."""
    facts = {
        "case_date": "2023-05-01",
        "theft": {
            "theft_type": "tap_supply_facility",
            "price_yuan_per_kwh": "0.65",
            "equipment_capacity_kw": [11, 5],
            "days": 45,
            "hours_per_day": 8,
        },
        "violations": [{"violation_type": "meter_interference", "residential": False}],
    }
    code, result, err = run(tmp_path, capsys, "case", facts)
    assert code == 0, err
    assert values(result)["total_due_yuan"] == "19976.00"


def test_wiring_fault_on_the_command_line(tmp_path, capsys):
    """Art. 81(1), 3P4W A-phase CT reversed: K = 3, ε = 200%; 1,000 kWh recorded → ΔW = 2,000 kWh,
    no price: energy only."""
    facts = {
        "case_date": "2023-05-01",
        "cause": "wiring_error",
        "recorded_energy_kwh": 1000,
        "wiring": {"meter": "3p4w", "reversed": ["a"]},
    }
    code, result, err = run(tmp_path, capsys, "meter-error", facts)
    assert code == 0, err
    got = values(result)
    assert got["correction_rate_percent"] == "200.00"
    assert got["correction_energy_kwh"] == "2000"
    assert "correction_yuan" not in got


def test_late_fee_options_are_settable_from_calc(tmp_path, capsys):
    """Art. 98, regulations.md 4 commercial example (10,000.00 元, overdue 2023-12-16, paid 2024-01-10):
    --set late_fee.practice.year_end=whole charges all 25 days at 3‰: 10,000 × 0.003 × 25 = 750.00 元
    (590.00 split); the practice block shows the option chosen."""
    facts = {
        "amount_yuan": 10000,
        "due_date": "2023-12-15",
        "paid_date": "2024-01-10",
        "residential": False,
        "bill_period": "2023-11",
    }
    code, result, err = run(tmp_path, capsys, "late-fee", facts, "--set", "late_fee.practice.year_end=whole")
    assert code == 0, err
    assert values(result)["late_fee_yuan"] == "750.00"
    assert result["practice"]["options"]["year_end"] == "whole"
