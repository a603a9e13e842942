"""Thresholds of VEE, line loss and theft detection come from the rule table, by date."""

import dataclasses
import datetime
import re

import pandas as pd
import pytest

from gridcheck_analytics import lineloss
from gridcheck_analytics.features import FEATURES, FeatureRules
from gridcheck_analytics.regulations import RULES_PATH, RuleError, RuleTable, default_table
from gridcheck_analytics.rules import RULE_VALUES, DetectionRules, ct_ratio_out_of_range
from gridcheck_analytics.thresholds import LINELOSS, VEE, LineLossRules, VeeRules, rule_value

D = datetime.date
CARRIERS = [VeeRules, LineLossRules, FeatureRules, DetectionRules]

#: The values the carriers held as dataclass defaults before they moved into the table (unchanged).
EXPECTED = {
    VeeRules: dict(
        history_days=28,
        min_history_days=7,
        sudden_rise_factor=3.0,
        sudden_drop_factor=0.3,
        min_history_kwh=1.0,
        long_zero_run_days=7,
        zero_kwh=0.0005,
        backwards_tolerance_kwh=0.005,
        estimate_window_days=7,
        rollover_high_fraction=0.9,
        rollover_low_fraction=0.1,
    ),
    LineLossRules: dict(
        default_target_percent=7.0,
        swing_fraction=0.20,
        failing_months=3,
        imbalance_fraction=0.20,
        min_reading_rate_percent=98.0,
        large_customer_min_kwh=1000.0,
        large_customer_drop_fraction=0.5,
    ),
    FeatureRules: dict(
        history_months=3,
        trend_months=6,
        year_over_year_months=12,
        zero_kwh=0.0005,
        event_lookback_days=92,
        pre_event_days=30,
        low_voltage_fraction=0.8,
        ct_secondary_a=5.0,
    ),
    DetectionRules: dict(
        post_event_drop_ratio=0.7,
        area_drop_ratio=0.6,
        area_loss_rise_pp=0.5,
        peer_drop_ratio=0.5,
        year_over_year_ratio=0.75,
        min_history_kwh=1.0,
        zero_share=0.5,
        impossible_ratio=1.0,
        ct_min_percent=30.0,
        ct_max_percent=100.0,
        low_voltage_share=0.1,
    ),
}


def table_with_value(key: str, value: str) -> RuleTable:
    """The default rules.toml with the value of the (single) row of ``key`` replaced, as a new table."""
    text = RULES_PATH.read_text(encoding="utf-8")
    blocks = text.split("\n[[rule]]\n")
    hits = [i for i, b in enumerate(blocks) if f'\nkey = "{key}"\n' in f"\n{b}"]
    assert len(hits) == 1, key
    blocks[hits[0]] = re.sub(r"(?m)^value = .*$", f"value = {value}", blocks[hits[0]])
    return RuleTable.from_toml("\n[[rule]]\n".join(blocks), source="modified rules.toml")


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda c: c.__name__)
def test_every_threshold_key_is_in_the_default_table(carrier):
    table = default_table()
    keys = carrier.rule_keys()
    assert set(keys) == {f.name for f in dataclasses.fields(carrier)} == set(EXPECTED[carrier])
    for key in keys.values():
        row = table.rule(key, datetime.date.today())
        assert row.article and row.description and row.regulation.key in {"GRIDCHECK", "STATION"}, key
        assert row.status == ("P" if row.regulation.key == "STATION" else "C"), key


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda c: c.__name__)
def test_values_are_those_of_the_former_defaults(carrier):
    for on in (D(2015, 1, 1), D(2025, 3, 31), datetime.date.today()):
        rules = carrier.in_force(on)
        assert dataclasses.asdict(rules) == EXPECTED[carrier]
        for name, value in EXPECTED[carrier].items():
            assert type(getattr(rules, name)) is type(value), name
    assert dataclasses.asdict(carrier()) == EXPECTED[carrier]


def test_module_defaults_are_the_rows_in_force():
    assert VEE == VeeRules.in_force(datetime.date.today())
    assert LINELOSS == LineLossRules.in_force(datetime.date.today())
    assert FEATURES == FeatureRules.in_force(datetime.date.today())
    assert RULE_VALUES == DetectionRules.in_force(datetime.date.today())


def test_station_rules_cite_workflows_md():
    row = default_table().rule("lineloss.swing_fraction", D(2025, 1, 1))
    assert row.regulation.key == "STATION" and "workflows.md" in row.citation and "Line loss" in row.article
    row = default_table().rule("detection.ct_min_percent", D(2025, 1, 1))
    assert "Metering, seals and census" in row.article


def test_changing_a_row_changes_the_swing_threshold_used():
    table = table_with_value("lineloss.swing_fraction", "0.5")
    rules = LineLossRules.in_force(D(2025, 4, 30), table=table)
    assert rules.swing_fraction == 0.5
    assert dataclasses.replace(rules, swing_fraction=0.20) == LINELOSS  # only that value changed
    # 8 % -> 5 %: a swing of 37.5 %, flagged above 20 %, not above 50 %
    monthly = pd.DataFrame(
        {
            "area_code": ["X", "X"],
            "month": [202503, 202504],
            "loss_rate_percent": [8.0, 5.0],
            "reading_rate_percent": [99.0, 99.0],
            "imbalance_rate": [0.1, 0.1],
            "supply_kwh": [1000.0, 1000.0],
            "loss_kwh": [80.0, 50.0],
            "sales_kwh": [920.0, 950.0],
        }
    )
    assert lineloss.area_flags(monthly)["swing"].tolist() == [False, True]
    assert lineloss.area_flags(monthly, rules=rules)["swing"].tolist() == [False, False]


def test_changing_a_row_changes_the_ct_band_of_the_detector():
    table = table_with_value("detection.ct_min_percent", "20.0")
    rules = DetectionRules.in_force(D(2025, 4, 30), table=table)
    row = pd.DataFrame([{"meter_id": "M", "month": 202504, "multiplier": 40.0, "ct_load_percent": 25.0}])
    fired = ct_ratio_out_of_range(row)
    assert (
        len(fired) == 1 and "低于30%" in fired["text"].iat[0] and "应在30%～100%之间" in fired["text"].iat[0]
    )
    assert ct_ratio_out_of_range(row, rules).empty
    row.loc[0, "ct_load_percent"] = 15.0
    assert "应在20%～100%之间" in ct_ratio_out_of_range(row, rules)["text"].iat[0]


def test_a_new_version_of_a_row_applies_from_its_date():
    text = RULES_PATH.read_text(encoding="utf-8")
    text = text.replace(
        'key = "vee.history_days"\nregulation = "GRIDCHECK"\narticle = "计算约定（VEE工程取值，法规未规定）"\n'
        "effective_from = 1990-01-01\n",
        'key = "vee.history_days"\nregulation = "GRIDCHECK"\narticle = "计算约定（VEE工程取值，法规未规定）"\n'
        "effective_from = 1990-01-01\neffective_to = 2029-12-31\n",
    )
    text += (
        '\n[[rule]]\nkey = "vee.history_days"\nregulation = "GRIDCHECK"\narticle = "计算约定"\n'
        'effective_from = 2030-01-01\nkind = "fixed"\nvalue = 35\nunit = "d"\nstatus = "C"\n'
        'description = "新版本"\n'
    )
    table = RuleTable.from_toml(text)
    assert VeeRules.in_force(D(2029, 12, 31), table=table).history_days == 28
    assert VeeRules.in_force(D(2030, 1, 1), table=table).history_days == 35


def test_a_field_can_be_overridden_by_keyword():
    rules = VeeRules(history_days=14)
    assert rules.history_days == 14
    assert dataclasses.replace(rules, history_days=28) == VEE


def test_a_whole_number_threshold_rejects_a_fraction():
    table = table_with_value("lineloss.failing_months", "2.5")
    with pytest.raises(RuleError, match="whole number"):
        LineLossRules.in_force(D(2025, 1, 1), table=table)
    assert rule_value("lineloss.failing_months", D(2025, 1, 1), int) == 3
