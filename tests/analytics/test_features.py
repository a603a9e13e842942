"""Customer-month features on DuckDB, values computed by hand."""

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.backends import connect
from gridcheck_analytics.features import FEATURE_COLUMNS, customer_month_features, monthly_consumption


@pytest.fixture(scope="module")
def con():
    return connect("duckdb", threads=2)


def meters():
    return pd.DataFrame(
        {
            "meter_id": ["M1", "M2", "M3", "M4"],
            "area_code": ["A"] * 4,
            "station_code": ["S"] * 4,
            "account_number": ["C1", "C2", "C3", "C4"],
            "category": ["residential"] * 3 + ["general_commercial"],
            "multiplier": [1.0, 1.0, 1.0, 40.0],
            "rated_voltage_v": [220.0] * 4,
            "max_current_a": [60.0, 60.0, 60.0, 6.0],
            "phases": [1, 1, 1, 3],
            "contracted_capacity_kva": [8.0, 8.0, 8.0, 30.0],
        }
    )


def daily():
    days = pd.date_range("2025-01-01", "2025-04-30", freq="D")
    rows = []
    for d in days:
        rows.append(("M1", d, 10.0))  # flat 10 kWh/day
        rows.append(("M2", d, 10.0 if d < pd.Timestamp("2025-04-01") else 2.0))  # drop to 20 % in April
        rows.append(("M3", d, 0.0 if (d.month == 4 and d.day <= 15) else 10.0))  # 15 zero days in April
        rows.append(("M4", d, 100.0))
    f = pd.DataFrame(rows, columns=["meter_id", "reading_date", "energy_kwh"])
    f["reading_date"] = f["reading_date"].dt.date
    return f


def test_monthly_consumption_by_hand(con):
    f = daily()
    f.loc[(f.meter_id == "M1") & (pd.to_datetime(f.reading_date).dt.day_of_week >= 5), "energy_kwh"] = 20.0
    out = con.execute(monthly_consumption(ibis.memtable(f))).set_index(["meter_id", "month"]).sort_index()
    jan = out.loc[("M1", 202501)]
    # January 2025: 31 days, 8 weekend days (4 Sat + 4 Sun) at 20, 23 weekdays at 10
    assert jan["days"] == 31
    assert_allclose(jan["sum_kwh"], 8 * 20 + 23 * 10)
    assert_allclose(jan["weekend_mean_kwh"], 20.0)
    assert_allclose(jan["weekday_mean_kwh"], 10.0)
    assert out.loc[("M3", 202504), "zero_days"] == 15


def test_customer_month_features_by_hand(con):
    events = pd.DataFrame(
        {
            "meter_id": ["M2"],
            "timestamp": pd.to_datetime(["2025-04-01 02:00"]).tz_localize("Asia/Shanghai"),
            "event_code": ["cover_opened"],
        }
    )
    f = customer_month_features(
        ibis.memtable(daily()),
        meters(),
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 30),
        events=ibis.memtable(events),
    )
    out = con.execute(f).set_index("meter_id")
    assert set(FEATURE_COLUMNS) <= set(out.columns)
    assert list(out["month"].unique()) == [202504]
    # M2: 2 kWh/day in April vs 10 before
    assert_allclose(out.loc["M2", "mean_kwh"], 2.0)
    assert_allclose(out.loc["M2", "hist_mean_kwh"], 10.0)
    assert_allclose(out.loc["M2", "ratio_to_own"], 0.2)
    assert_allclose(out.loc["M2", "change_ratio"], 0.2)
    # event on 1 April; the 30 days before it are at 10 kWh/day -> post/pre = 0.2
    assert out.loc["M2", "theft_events_recent"] == 1
    assert out.loc["M2", "events_cover_opened"] == 1
    assert_allclose(out.loc["M2", "pre_event_mean_kwh"], 10.0)
    assert_allclose(out.loc["M2", "post_event_ratio"], 0.2)
    assert np.isnan(out.loc["M1", "post_event_ratio"])
    # M3: 15 of 30 days zero
    assert_allclose(out.loc["M3", "zero_share"], 0.5)
    # peers (area A, residential, April): levels 10, 2, 5 -> median 5; M1's ratio 2.0
    assert_allclose(out.loc["M1", "peer_ratio"], 10.0 / 5.0)
    # ratio_to_own: M1 1.0, M2 0.2, M3 0.5 -> median 0.5; M2 peer_own_ratio 0.4
    assert_allclose(out.loc["M2", "peer_own_ratio"], 0.2 / 0.5)
    # M4 is alone in its category: no peer ratio
    assert np.isnan(out.loc["M4", "peer_ratio"])
    # capacity: 100 kWh/day over 30 kVA x 24 h
    assert_allclose(out.loc["M4", "load_factor"], 100 / (30 * 24))
    # meter limit: 3 x 220 V x 6 A x 24 h / 1000 x 40 = 3801.6 kWh/day
    assert_allclose(out.loc["M4", "meter_limit_ratio"], 100 / 3801.6)
    # CT 40 x 5 A = 200 A primary; current at capacity 30 kVA / (3 x 220 V) = 45.45 A -> 22.7 %
    assert_allclose(out.loc["M4", "ct_load_percent"], 30000 / 660 / 200 * 100)
    assert np.isnan(out.loc["M1", "ct_load_percent"])
    # flat series: no trend, no spread
    assert_allclose(out.loc["M1", "trend_per_month"], 0.0, atol=1e-12)
    assert_allclose(out.loc["M1", "cv"], 0.0, atol=1e-12)


def test_area_loss_correlation(con):
    d = daily()
    d = d[d.meter_id.isin(["M1", "M2"])].copy()
    day = pd.to_datetime(d.reading_date).dt.day.to_numpy()
    d.loc[d.meter_id == "M1", "energy_kwh"] = 10.0 + day[d.meter_id == "M1"] % 3
    loss = pd.DataFrame({"reading_date": pd.date_range("2025-01-01", "2025-04-30").date})
    dd = pd.to_datetime(loss.reading_date).dt.day.to_numpy()
    loss["area_code"] = "A"
    loss["loss_kwh"] = 5.0 - dd % 3  # exactly opposite to M1's wiggle
    loss["supply_kwh"] = 100.0
    f = customer_month_features(
        ibis.memtable(d), meters(), dt.date(2025, 4, 1), dt.date(2025, 4, 30), area_loss=ibis.memtable(loss)
    )
    out = con.execute(f).set_index("meter_id")
    assert_allclose(out.loc["M1", "loss_corr"], -1.0)
    # April loss 5 - mean(day % 3) ... both months share the pattern; loss rate change is the month difference
    apr = loss[pd.to_datetime(loss.reading_date).dt.month == 4]
    mar = loss[pd.to_datetime(loss.reading_date).dt.month == 3]
    expected = (
        apr.loss_kwh.sum() / apr.supply_kwh.sum() * 100 - mar.loss_kwh.sum() / mar.supply_kwh.sum() * 100
    )
    assert_allclose(out.loc["M1", "area_loss_change_pp"], expected)
