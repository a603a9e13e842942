"""Line loss per area and line, daily and monthly, with flags and causes; values computed by hand."""

import datetime as dt
import json

import ibis
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics import lineloss
from gridcheck_analytics.backends import connect
from gridcheck_analytics.quality import validate_daily
from gridcheck_analytics.schema import AREA_METER_READINGS, DAILY_READINGS, METERS, conform
from gridcheck_analytics.thresholds import LINELOSS

START, END = dt.date(2025, 1, 1), dt.date(2025, 1, 31)


def small_county():
    """Area A: m1 5 kWh/day, m2 1 kWh/day x 10; summary meter +0.4/day x 40 = 16 kWh/day.
    Area B: m3 2 kWh/day; summary meter +0.095/day x 20 = 1.9 kWh/day (negative loss).
    Both on line L1; readings from 2024-12-03 to 2025-02-28."""
    days = pd.date_range("2024-12-03", "2025-02-28").date
    k = np.arange(len(days))
    m = pd.DataFrame(
        {
            "meter_id": ["m1", "m2", "m3"],
            "area_code": ["A", "A", "B"],
            "line_code": "L1",
            "station_code": "S1",
            "multiplier": [1.0, 10.0, 1.0],
            "rated_voltage_v": 220.0,
            "max_current_a": 60.0,
            "register_digits": 6,
        }
    )
    daily = pd.concat(
        [
            pd.DataFrame({"meter_id": mid, "reading_date": days, "register_total_kwh": 100.0 + step * k})
            for mid, step in [("m1", 5.0), ("m2", 1.0), ("m3", 2.0)]
        ]
    )
    area = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_code": a,
                    "meter_id": f"AM-{a}",
                    "reading_date": days,
                    "register_total_kwh": 50.0 + step * k,
                    "multiplier": mult,
                    "current_a_a": ia,
                    "current_b_a": 8.0,
                    "current_c_a": 6.0,
                }
            )
            for a, step, mult, ia in [("A", 0.4, 40.0, 10.0), ("B", 0.095, 20.0, 7.0)]
        ]
    )
    return conform(m, METERS), conform(daily, DAILY_READINGS), conform(area, AREA_METER_READINGS)


def monthly_expressions(meters, daily, area, start=START, end=END):
    m = ibis.memtable(meters)
    areas = m.select("area_code", "line_code", "station_code").distinct()
    supply = lineloss.area_supply_daily(ibis.memtable(area), start, end, areas=areas)
    vee = validate_daily(ibis.memtable(daily), m, start, end, area_supply=supply)
    daily_loss = lineloss.daily_area_loss(vee, supply)
    return daily_loss, lineloss.monthly_area_loss(daily_loss), lineloss.monthly_line_loss(daily_loss)


@pytest.fixture(scope="module")
def results():
    con = connect("duckdb")
    daily_loss, area_m, line_m = monthly_expressions(*small_county())
    return (
        con.execute(daily_loss.order_by(["area_code", "reading_date"])),
        con.execute(area_m),
        con.execute(line_m),
    )


def test_daily_loss_supply_times_multiplier_minus_sales(results):
    daily, _, _ = results
    a = daily[daily["area_code"] == "A"]
    assert len(a) == 31
    assert_allclose(a["supply_kwh"], 0.4 * 40)  # 16 kWh
    assert_allclose(a["sales_kwh"], 5.0 + 1.0 * 10)  # 15 kWh
    assert_allclose(a["loss_rate_percent"], 1.0 / 16.0 * 100)


def test_monthly_area_loss_and_flags_inputs(results):
    _, monthly, _ = results
    m = monthly.set_index("area_code")
    assert list(m["month"]) == [202501, 202501]
    assert_allclose(m.loc["A", ["supply_kwh", "sales_kwh", "loss_kwh"]].astype(float), [496.0, 465.0, 31.0])
    assert_allclose(m.loc["A", "loss_rate_percent"], 6.25)
    assert_allclose(m.loc["B", ["supply_kwh", "sales_kwh"]].astype(float), [58.9, 62.0])
    assert_allclose(m.loc["B", "loss_rate_percent"], -3.1 / 58.9 * 100)
    assert_allclose(m.loc["A", "imbalance_rate"], (10 - 6) / 10)
    assert_allclose(m.loc["B", "imbalance_rate"], (8 - 6) / 8)
    assert_allclose(m["reading_rate_percent"], 100.0)
    assert list(m["readings_flagged"]) == [0, 0] and list(m["readings_estimated"]) == [0, 0]


def test_line_loss_sums_its_areas(results):
    _, _, line = results
    assert_allclose(line[["supply_kwh", "sales_kwh", "loss_kwh"]].iloc[0].astype(float), [554.9, 527.0, 27.9])
    assert_allclose(line["loss_rate_percent"].iat[0], 27.9 / 554.9 * 100)


def test_missing_customer_reading_is_estimated_into_sales():
    meters, daily, area = small_county()
    daily = daily[~((daily["meter_id"] == "m1") & (daily["reading_date"].astype(str) == "2025-01-10"))]
    con = connect("duckdb")
    _, area_m, _ = monthly_expressions(meters, daily, area)
    m = con.execute(area_m).set_index("area_code")
    assert_allclose(m.loc["A", "sales_kwh"], 465.0)  # interpolation keeps the month's sales
    assert_allclose(m.loc["A", "reading_rate_percent"], 61 / 62 * 100)
    assert m.loc["A", "readings_estimated"] == 1


def flag_frame():
    rows = [
        ("X", 202501, 8.0, 98.0, 0.1),
        ("X", 202502, 8.0, 99.0, 0.1),
        ("X", 202503, 8.0, 90.0, 0.3),
        ("X", 202504, 5.0, 99.0, 0.1),
        ("Y", 202504, -2.0, 100.0, np.nan),
    ]
    f = pd.DataFrame(
        rows, columns=["area_code", "month", "loss_rate_percent", "reading_rate_percent", "imbalance_rate"]
    )
    f["supply_kwh"] = 1000.0
    f["loss_kwh"] = f["loss_rate_percent"] * 10
    f["sales_kwh"] = f["supply_kwh"] - f["loss_kwh"]
    return f


def test_area_flags():
    out = lineloss.area_flags(flag_frame(), targets={"X": 7.5})
    x = out[out["area_code"] == "X"].set_index("month")
    assert list(x["above_target"]) == [True, True, True, False]
    assert list(x["failing_months"]) == [1, 2, 3, 0]
    assert list(x["failing_three_months"]) == [False, False, True, False]
    assert list(x["swing"]) == [False, False, False, True]  # |5 - 8| / 8 = 37.5 % > 20 %
    assert list(x["imbalance"]) == [False, False, True, False]
    assert_allclose(x["target_percent"], 7.5)
    y = out[out["area_code"] == "Y"].iloc[0]
    assert y["negative_loss"] and y["flagged"] and y["target_percent"] == LINELOSS.default_target_percent
    assert not y["above_target"] and not y["swing"]  # no previous month


def test_swing_needs_consecutive_months():
    f = flag_frame().iloc[[0, 3]]  # January then April: no previous month for April
    out = lineloss.area_flags(f)
    assert not out["swing"].any() and np.isnan(out["previous_loss_rate_percent"].iat[1])


def test_causes_name_reading_rate_large_customer_drop_and_events():
    drops = pd.DataFrame(
        {
            "meter_id": ["c7"],
            "area_code": ["X"],
            "month": [202503],
            "energy_kwh": [300.0],
            "previous_energy_kwh": [2000.0],
        }
    )
    events = pd.DataFrame(
        {"area_code": ["X"], "month": [202503], "event_code": ["loss_of_current"], "events": [4]}
    )
    out = lineloss.area_flags(flag_frame(), targets={"X": 7.5}, drops=drops, events=events)
    causes = out.set_index(["area_code", "month"]).loc[("X", 202503), "causes"]
    assert causes == [
        {"code": "low_reading_rate", "rate": 90.0},
        {"code": "customer_drop", "meter": "c7", "before_kwh": 2000.0, "after_kwh": 300.0},
        {"code": "events", "event": "loss_of_current", "count": 4},
        {"code": "imbalance", "rate": 30.0},
    ]


def test_flags_without_a_cause_in_the_data_get_the_field_explanation():
    out = lineloss.area_flags(flag_frame(), targets={"X": 7.5}).set_index(["area_code", "month"])
    # above target with full readings and nothing else: theft or unmetered supply
    assert out.loc[("X", 202501), "causes"] == [{"code": "unexplained_loss"}]
    # above target, explained by the low reading rate: no unexplained loss
    assert [c["code"] for c in out.loc[("X", 202503), "causes"]] == ["low_reading_rate", "imbalance"]
    assert out.loc[("X", 202504), "causes"] == []  # flagged by the swing only: no cause in the data
    assert out.loc[("Y", 202504), "causes"] == [{"code": "negative_loss"}]


def test_causes_are_plain_json_with_the_codes_listed():
    drops = pd.DataFrame(
        {
            "meter_id": ["c7"],
            "area_code": ["X"],
            "month": [202503],
            "energy_kwh": [300.4],
            "previous_energy_kwh": [2000.6],
        }
    )
    out = lineloss.area_flags(flag_frame(), targets={"X": 7.5}, drops=drops)
    for causes in out["causes"]:
        assert json.loads(json.dumps(causes)) == causes
        for cause in causes:
            assert set(cause) == {"code", *lineloss.CAUSE_CODES[cause["code"]]}
    drop = out.set_index(["area_code", "month"]).loc[("X", 202503), "causes"][1]
    assert (drop["before_kwh"], drop["after_kwh"]) == (2001.0, 300.0)  # whole kWh, as stated


def test_customer_drops_finds_large_customer_falling_by_half():
    con = connect("duckdb")
    dates = pd.date_range("2025-01-01", "2025-02-28").date
    energy = np.where(pd.to_datetime(dates).month == 1, 50.0, 10.0)  # 1550 kWh in Jan, 280 in Feb
    vee = pd.DataFrame({"meter_id": "big", "area_code": "A", "reading_date": dates, "energy_kwh": energy})
    vee["reading_date"] = vee["reading_date"].astype("date32[pyarrow]")
    out = con.execute(lineloss.customer_drops(ibis.memtable(vee)))
    assert list(out["month"]) == [202502]
    assert_allclose(out[["energy_kwh", "previous_energy_kwh"]].iloc[0].astype(float), [280.0, 1550.0])


@pytest.mark.parametrize("meters_per_bucket", [1, 2])
def test_area_loss_in_buckets_equals_one_pass(meters_per_bucket):
    from gridcheck_analytics.pipeline import area_loss

    con = connect("duckdb")
    meters, daily, area = small_county()
    meters = pd.concat(  # area A gets a third customer, so that an area spans buckets
        [meters, meters.iloc[[0]].assign(meter_id="m4", multiplier=2.0)], ignore_index=True
    )
    daily = pd.concat([daily, daily[daily["meter_id"] == "m1"].assign(meter_id="m4")], ignore_index=True)
    daily = daily.drop(index=daily.index[[40, 138]])  # two missing readings in January, estimated
    start, end = dt.date(2025, 1, 1), dt.date(2025, 2, 28)
    daily_loss, area_m, line_m = monthly_expressions(meters, daily, area, start, end)
    args = (ibis.memtable(daily), ibis.memtable(meters), ibis.memtable(area), start, end)
    one = area_loss(con, *args, meters_per_bucket=None)
    split = area_loss(con, *args, meters_per_bucket=meters_per_bucket)
    assert one["buckets"] == 1 and split["buckets"] == -(-4 // meters_per_bucket)
    keys = ["area_code", "line_code", "station_code", "month"]
    for name, expected in [("area_monthly", con.execute(area_m)), ("line_monthly", con.execute(line_m))]:
        by = [k for k in keys if k in expected.columns]
        for got in (one[name], split[name]):
            a = expected.sort_values(by).reset_index(drop=True)
            b = got.sort_values(by).reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12)
    assert split["area_monthly"]["readings_estimated"].sum() == 2
    daily_expected = con.execute(daily_loss).sort_values(["area_code", "line_code", "reading_date"])
    daily_got = split["area_daily"].sort_values(["area_code", "line_code", "reading_date"])
    pd.testing.assert_frame_equal(
        daily_expected.reset_index(drop=True), daily_got.reset_index(drop=True), check_dtype=False, rtol=1e-12
    )
