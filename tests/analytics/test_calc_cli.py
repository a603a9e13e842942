"""``gridcheck_analytics.cli calc``: JSON in, itemised JSON out, clear errors naming the field."""

import datetime
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from gridcheck_analytics.cli import main
from gridcheck_analytics.regulations import rule

EXAMPLE_A = {
    "case_date": "2023-05-01",
    "theft_type": "bypass_meter",
    "price_yuan_per_kwh": 0.56,
    "meter_phases": 1,
    "marked_current_a": 5,
    "customer_class": "lighting",
}


def run(tmp_path, capsys, calculation, facts, *extra):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    code = main(["calc", calculation, "--input", str(path), *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def values(result):
    return {item["key"]: item["value"] for item in result["items"]}


def test_theft_example_a_prints_itemised_json(tmp_path, capsys):
    code, result, _ = run(tmp_path, capsys, "theft", EXAMPLE_A)
    assert code == 0
    got = values(result)
    energy = Decimal(220) * 5 / 1000 * 180 * 6  # 1,188 kWh
    back_bill = energy * Decimal("0.56")  # 665.28 exactly
    assert Decimal(got["stolen_energy_kwh"]) == energy and got["stolen_energy_kwh"] == "1188"
    assert Decimal(got["back_bill_yuan"]) == back_bill and got["back_bill_yuan"] == "665.28"
    assert Decimal(got["penalty_yuan"]) == 3 * back_bill and got["penalty_yuan"] == "1995.84"
    assert got["total_due_yuan"] == "2661.12"
    item = result["items"][0]
    assert item["formula"] and item["inputs"] and item["article"].endswith("第一百零三条")
    assert result["kind"] == "theft" and result["case_date"] == "2023-05-01"


@pytest.mark.parametrize(
    ("calculation", "facts", "key", "expected"),
    [
        (
            "violation",
            {
                "violation_type": "excess_capacity",
                "case_date": "2023-05-01",
                "extra_capacity_kva": 100,
                "two_part": True,
                "basic_charge_yuan_per_kva_month": 25,
                "months": 4,
            },
            "total_due_yuan",
            str(Decimal(25 * 100 * 4 * 4)) + ".00",
        ),
        (
            "late-fee",
            {"amount_yuan": 300, "due_date": "2023-03-15", "paid_date": "2023-04-05", "residential": True},
            "late_fee_yuan",
            "6.00",  # 300 x 0.001 x 20 days
        ),
        (
            "meter-error",
            {
                "case_date": "2023-05-01",
                "cause": "over_tolerance",
                "price_yuan_per_kwh": "0.65",
                "recorded_energy_kwh": 6300,
                "error_percent": 5,
            },
            "correction_yuan",
            "-195.00",  # (6,000 - 6,300) kWh x 0.65
        ),
        (
            "criminal-referral",
            {"case_date": "2020-01-01", "amount_yuan": 1000},
            "criminal_amount_yuan",
            "1000",
        ),
    ],
)
def test_each_calculation(tmp_path, capsys, calculation, facts, key, expected):
    code, result, _ = run(tmp_path, capsys, calculation, facts)
    assert code == 0
    assert values(result)[key] == expected


def test_review_warning_and_police_flag_reach_the_output(tmp_path, capsys):
    facts = {
        "case_date": "2024-06-01",
        "theft_type": "tap_supply_facility",
        "price_yuan_per_kwh": "0.65",
        "equipment_capacity_kw": [11, 5],
        "days": 45,
        "hours_per_day": 8,
    }
    code, result, _ = run(tmp_path, capsys, "theft", facts)
    assert code == 0
    # the 2024 cap is U: its row's warning, in words
    assert rule("theft.penalty_multiple", datetime.date(2024, 6, 1)).review_warning() in result["warnings"]
    assert result["flags"][0]["key"] == "transfer_to_police"  # 3,744 元 >= 1,000 元


@pytest.mark.parametrize(
    ("calculation", "facts", "field"),
    [
        ("theft", {**EXAMPLE_A, "marked_current_a": None}, "marked_current_a"),
        ("theft", {**EXAMPLE_A, "marked_current_a": 0}, "marked_current_a"),
        ("theft", {k: v for k, v in EXAMPLE_A.items() if k != "price_yuan_per_kwh"}, "price_yuan_per_kwh"),
        ("theft", {**EXAMPLE_A, "case_date": "2999-01-01"}, "case_date"),  # in the future
        ("theft", {**EXAMPLE_A, "customer_class": None, "tariff_category": "moon"}, "tariff_category"),
        ("theft", {**EXAMPLE_A, "colour": "red"}, "colour"),  # unknown field
        ("theft", {**EXAMPLE_A, "today": "2020-01-01"}, "today"),  # set by the command, not the file
        ("violation", {"violation_type": "excess_capacity", "case_date": "2023-05-01"}, "extra_capacity_kva"),
        ("violation", {"violation_type": "nope", "case_date": "2023-05-01"}, "violation_type"),
        (
            "late-fee",
            {"amount_yuan": 1, "due_date": "2023-03-01", "paid_date": "2023-02-01", "residential": True},
            "paid_date",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path, capsys, calculation, facts, field):
    code, _, err = run(tmp_path, capsys, calculation, facts)
    assert code == 2
    assert err.startswith(f"error: field {field}")


def test_unreadable_and_invalid_files(tmp_path, capsys):
    assert main(["calc", "theft", "--input", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["calc", "theft", "--input", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["calc", "theft", "--input", str(bad)]) == 2
    assert "field input" in capsys.readouterr().err


def test_rule_not_in_force_is_reported(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, "theft", {**EXAMPLE_A, "case_date": "1990-01-01"})
    assert code == 2 and "no row in force on 1990-01-01" in err


def test_runs_as_a_module(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(EXAMPLE_A), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "gridcheck_analytics.cli", "calc", "theft", "--input", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert values(json.loads(done.stdout))["total_due_yuan"] == "2661.12"


LATE_FEE_BILLS = {
    "bills": [
        # 1,000.00 元 residential due 03-15, payment day counted: 03-16 .. 04-10 = 26 days × 1‰ = 26.00
        {"bill_number": "A", "amount_yuan": "1000.00", "due_date": "2025-03-15", "residential": True},
        # 5,000.00 元 commercial of 2024-12 due 2025-01-15: 01-16 .. 04-10 = 85 days × 3‰ = 1,275.00
        {
            "bill_number": "B",
            "amount_yuan": "5000.00",
            "due_date": "2025-01-15",
            "residential": False,
            "bill_period": "2024-12",
        },
    ],
    "paid_date": "2025-04-10",
    "practice": {"count_payment_day": True},
}


def test_late_fee_of_several_bills_settled_by_one_payment(tmp_path, capsys):
    code, result, _ = run(tmp_path, capsys, "late-fee", LATE_FEE_BILLS)
    assert code == 0
    assert values(result) == {
        "bill_1_fee_yuan": "26.00",
        "bill_2_fee_yuan": "1275.00",
        "late_fee_yuan": "1301.00",
    }
    assert result["kind"] == "late_fee_payment"
    assert result["practice"]["options"]["count_payment_day"] is True
    assert result["practice"]["statement"][0] == "交纳日是否计收违约金：计收（计至交纳日当日）"
    assert result["practice"]["statement"][-1] == "最低收取额适用范围：每张电费单（每张不足1元按1元收取）"


def test_late_fee_single_bill_takes_the_practice_and_tariff_changes(tmp_path, capsys):
    facts = {
        "amount_yuan": "10000.00",
        "due_date": "2025-03-15",
        "paid_date": "2025-04-10",
        "residential": False,
        "bill_period": "2025-02",
        "practice": {"reprice_on_tariff_rise": True},
        "tariff_changes": [{"date": "2025-04-01", "ratio": "1.05"}],
    }
    code, result, _ = run(tmp_path, capsys, "late-fee", facts)
    assert code == 0
    # 16 days × 2‰ × 10,000.00 = 320.00; 9 days × 2‰ × 10,500.00 = 189.00
    assert values(result)["late_fee_yuan"] == "509.00"
    assert values(result)["principal_increase_yuan"] == "500.00"
    assert result["practice"]["options"] == {
        "count_payment_day": False,
        "year_end": "split",
        "grace_days": 0,
        "reprice_on_tariff_rise": True,
        "minimum_applies_to": "bill",
    }


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({**LATE_FEE_BILLS, "practice": {"year_end": "yearly"}}, "practice.year_end"),
        ({**LATE_FEE_BILLS, "practice": {"nope": True}}, "practice.nope"),
        (
            {**LATE_FEE_BILLS, "bills": [LATE_FEE_BILLS["bills"][0], {"bill_number": "B", "amount_yuan": 1}]},
            "bills[1].due_date",
        ),
        ({**LATE_FEE_BILLS, "amount_yuan": 100}, "amount_yuan"),
        ({k: v for k, v in LATE_FEE_BILLS.items() if k != "paid_date"}, "paid_date"),
        ({**LATE_FEE_BILLS, "bills": []}, "bills"),
    ],
)
def test_late_fee_bills_bad_input_names_the_field(tmp_path, capsys, facts, field):
    code, _, err = run(tmp_path, capsys, "late-fee", facts)
    assert code == 2
    assert err.startswith(f"error: field {field}:"), err
