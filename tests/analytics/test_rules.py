"""Rule detectors: hand-made feature rows that must fire, and rows that must not."""

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.rules import (
    METHODS,
    REASON_COLUMNS,
    ct_ratio_out_of_range,
    drop_after_event,
    drop_with_area_loss,
    drop_year_over_year,
    evaluate_rules,
    impossible_for_capacity,
    reversed_energy,
    rule_score,
    sudden_drop_vs_peers,
    under_voltage_curve,
    zero_active_business,
)

BASE = {
    "meter_id": "M",
    "month": 202504,
    "category": "residential",
    "mean_kwh": 10.0,
    "max_kwh": 14.0,
    "hist_mean_kwh": 10.0,
    "ratio_to_own": 1.0,
    "peer_own_ratio": 1.0,
    "zero_share": 0.0,
    "negative_days": 0.0,
    "events_reversed": 0.0,
    "theft_events_recent": 0.0,
    "pre_event_mean_kwh": np.nan,
    "post_event_ratio": np.nan,
    "last_event_code": None,
    "last_event_date": None,
    "area_loss_rate_percent": 5.0,
    "area_loss_change_pp": 0.0,
    "loss_corr": np.nan,
    "capacity_ratio": 0.05,
    "meter_limit_ratio": 0.03,
    "contracted_capacity_kva": 8.0,
    "max_kwh_per_day": 316.8,
    "multiplier": 1.0,
    "ct_load_percent": np.nan,
    "low_voltage_share": np.nan,
    "last_year_mean_kwh": 10.0,
    "yoy_ratio": 1.0,
}


def rows(*changes):
    return pd.DataFrame([{**BASE, "meter_id": f"M{i}", **c} for i, c in enumerate(changes)])


CASES = [
    # rule, firing row, expected method, non-firing rows
    (
        drop_after_event,
        {
            "theft_events_recent": 1,
            "last_event_code": "loss_of_current",
            "last_event_date": "2025-04-02",
            "pre_event_mean_kwh": 10.0,
            "mean_kwh": 5.0,
            "post_event_ratio": 0.5,
        },
        "under_current",
        [
            {},  # no event
            {
                "theft_events_recent": 1,
                "last_event_code": "cover_opened",
                "pre_event_mean_kwh": 10.0,
                "post_event_ratio": 0.9,
            },
            {
                "theft_events_recent": 1,
                "last_event_code": "cover_opened",
                "pre_event_mean_kwh": 0.5,
                "post_event_ratio": 0.1,
            },
        ],
    ),
    (
        drop_with_area_loss,
        {
            "ratio_to_own": 0.4,
            "mean_kwh": 4.0,
            "area_loss_change_pp": 2.0,
            "area_loss_rate_percent": 9.0,
            "loss_corr": -0.6,
        },
        "bypass",
        [
            {"ratio_to_own": 0.4, "area_loss_change_pp": 0.1},
            {"ratio_to_own": 0.9, "area_loss_change_pp": 3.0},
        ],
    ),
    (reversed_energy, {"negative_days": 3}, "phase_shift", [{}]),
    (
        impossible_for_capacity,
        {"max_kwh": 250.0, "capacity_ratio": 250 / 192},
        "contract_violation",
        [{"capacity_ratio": 0.9}],
    ),
    (
        zero_active_business,
        {"category": "general_commercial", "zero_share": 0.8},
        "bypass",
        [
            {"category": "residential", "zero_share": 1.0},
            {"category": "general_commercial", "zero_share": 0.2},
        ],
    ),
    (
        ct_ratio_out_of_range,
        {"multiplier": 40.0, "ct_load_percent": 12.0},
        "error_expansion",
        [{"multiplier": 40.0, "ct_load_percent": 30.0}, {"multiplier": 40.0, "ct_load_percent": 100.0}, {}],
    ),
    (under_voltage_curve, {"low_voltage_share": 0.5}, "under_voltage", [{"low_voltage_share": 0.01}, {}]),
    (
        drop_year_over_year,
        {"mean_kwh": 6.5, "last_year_mean_kwh": 10.0, "yoy_ratio": 0.65},
        "unspecified",
        [
            {"mean_kwh": 8.0, "last_year_mean_kwh": 10.0, "yoy_ratio": 0.8},  # within the season's spread
            {"mean_kwh": 0.3, "last_year_mean_kwh": 0.6, "yoy_ratio": 0.5},  # too little a year ago
            {"last_year_mean_kwh": np.nan, "yoy_ratio": np.nan},  # no data a year ago
        ],
    ),
    (
        sudden_drop_vs_peers,
        {"ratio_to_own": 0.3, "peer_own_ratio": 0.3, "mean_kwh": 3.0},
        "unspecified",
        [
            {"ratio_to_own": 0.3, "peer_own_ratio": 0.9},
            {"ratio_to_own": 0.3, "peer_own_ratio": 0.3, "hist_mean_kwh": 0.5},
        ],
    ),
]


@pytest.mark.parametrize("rule, firing, method, quiet", CASES, ids=[c[0].__name__ for c in CASES])
def test_rule_fires_with_reason(rule, firing, method, quiet):
    out = rule(rows(firing))
    assert list(out.columns) == REASON_COLUMNS
    assert len(out) == 1
    r = out.iloc[0]
    assert r["code"] == rule.__name__
    assert r["method"] == method and r["method_zh"] == METHODS[method]
    assert isinstance(r["text"], str) and len(r["text"]) > 10
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r["text"])  # Chinese
    assert isinstance(r["evidence"], dict) and r["evidence"]
    assert 0 < r["weight"] <= 1


@pytest.mark.parametrize("rule, firing, method, quiet", CASES, ids=[c[0].__name__ for c in CASES])
def test_rule_does_not_fire(rule, firing, method, quiet):
    assert rule(rows(*quiet)).empty


def test_reason_text_has_the_numbers():
    out = drop_after_event(rows(CASES[0][1]))
    text = out.iloc[0]["text"]
    assert (
        "2025-04-02" in text and "失流" in text and "5.0 kWh" in text and "10.0 kWh" in text and "50%" in text
    )
    assert out.iloc[0]["evidence"]["post_event_ratio"] == 0.5


def test_year_over_year_drop_names_the_event_method_and_the_numbers():
    row = {"mean_kwh": 6.6, "last_year_mean_kwh": 10.0, "yoy_ratio": 0.66}
    row |= {"theft_events_recent": 1, "last_event_code": "loss_of_voltage", "last_event_date": "2025-01-05"}
    out = drop_year_over_year(rows(row))
    assert out.iloc[0]["method"] == "under_voltage"
    text = out.iloc[0]["text"]
    assert "去年同月" in text and "6.6 kWh" in text and "10.0 kWh" in text and "66%" in text


def test_meter_limit_means_fault():
    out = impossible_for_capacity(rows({"meter_limit_ratio": 1.5, "capacity_ratio": 3.0}))
    assert out.iloc[0]["method"] == "meter_fault"


def test_evaluate_rules_and_score():
    f = rows({}, {"negative_days": 2}, {"negative_days": 2, "low_voltage_share": 0.5})
    fired = evaluate_rules(f)
    assert set(fired["meter_id"]) == {"M1", "M2"}
    s = rule_score(f, fired)
    np.testing.assert_allclose(s, [0.0, 0.7, 1 - 0.3 * 0.2])


def test_a_business_customer_at_zero_is_named_by_its_category_in_chinese():
    """The reason names the customer's category as people read it (农业), not the archive's code."""
    out = zero_active_business(rows({"category": "agricultural", "zero_share": 0.6, "hist_mean_kwh": 10.8}))
    text = out.iloc[0]["text"]
    assert text.startswith("经营类用户（农业）本月60%的天数电量为零"), text
    assert "agricultural" not in text
    # a category the table does not know is printed as it came
    out = zero_active_business(rows({"category": "茶园", "zero_share": 0.6, "hist_mean_kwh": 10.8}))
    assert out.iloc[0]["text"].startswith("经营类用户（茶园）")
