"""Customer-month features on DuckDB, values computed by hand."""

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.backends import connect
from gridcheck_analytics.features import (
    FEATURE_COLUMNS,
    FEATURES,
    TEMP_PREFIX,
    customer_month_features,
    monthly_consumption,
    release_features,
)


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


def gappy_daily(seed=7, n_meters=23):
    """Daily energy of meters over 14 months with whole months missing, zero months and missing days."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-11-01", "2025-12-31", freq="D")
    frames = []
    for i in range(n_meters):
        level = rng.uniform(1, 30)
        e = level * rng.uniform(0.5, 1.5, len(days)) * (1 + 0.3 * np.sin(np.arange(len(days)) / 40 + i))
        month = days.year * 12 + days.month
        keep = np.ones(len(days), bool)
        for m in rng.choice(np.unique(month), size=i % 4, replace=False):  # 0-3 whole months missing
            keep &= month != m
        if i % 5 == 1:  # a month of zeros: the next month's change ratio has no base
            e[month == month[200]] = 0.0
        e[rng.random(len(days)) < 0.03] = np.nan  # missing days
        frames.append(
            pd.DataFrame({"meter_id": f"G{i:03d}", "reading_date": days.date, "energy_kwh": e})[keep]
        )
    return pd.concat(frames, ignore_index=True)


def gappy_meters(ids):
    n = len(ids)
    return pd.DataFrame(
        {
            "meter_id": ids,
            "area_code": ["A1" if i % 2 else "A2" for i in range(n)],
            "station_code": ["S"] * n,
            "account_number": [f"C{i}" for i in range(n)],
            "category": ["residential"] * n,
            "multiplier": [1.0] * n,
            "rated_voltage_v": [220.0] * n,
            "max_current_a": [60.0] * n,
            "phases": [1] * n,
            "contracted_capacity_kva": [8.0] * n,
        }
    )


def history_by_month_frames(mon: pd.DataFrame) -> pd.DataFrame:
    """The history features by their definition: month-range frames over each meter's monthly rows."""
    rows = []
    for meter, g in mon.groupby("meter_id"):
        idx = g["month_index"].to_numpy()
        y = g["mean_kwh"].to_numpy()
        by_month = dict(zip(idx, y, strict=True))
        change = {}
        for m in idx:
            prev = by_month.get(m - 1)
            change[m] = by_month[m] / prev if prev not in (None, 0.0) else np.nan
        for m, month in zip(idx, g["month"], strict=True):
            hist = [by_month[k] for k in range(m - 3, m) if k in by_month]
            hist_mean = np.mean(hist) if hist else np.nan
            steps = [change[k] for k in range(m - 2, m + 1) if k in change and not np.isnan(change[k])]
            ks = [k for k in range(m - 5, m + 1) if k in by_month]
            trend = np.nan
            if len(ks) >= 3:
                x, v = np.array(ks, float), np.array([by_month[k] for k in ks])
                slope = np.polyfit(x, v, 1)[0]
                trend = slope / v.mean() if v.mean() != 0 else np.nan
            rows.append(
                {
                    "meter_id": meter,
                    "month": month,
                    "hist_mean_kwh": hist_mean,
                    "ratio_to_own": by_month[m] / hist_mean if hist_mean != 0 else np.nan,
                    "change_ratio": change[m],
                    "min_change_ratio": min(steps) if steps else np.nan,
                    "trend_per_month": trend,
                }
            )
    return pd.DataFrame(rows).set_index(["meter_id", "month"]).sort_index()


def test_history_follows_month_frames_with_gaps(con):
    """Months without readings are not rows: the lag-based history must count only months in each frame."""
    d = gappy_daily()
    mon = con.execute(monthly_consumption(ibis.memtable(d)))
    expected = history_by_month_frames(mon.sort_values(["meter_id", "month_index"]))
    f = customer_month_features(
        ibis.memtable(d),
        gappy_meters(sorted(d.meter_id.unique())),
        dt.date(2024, 11, 1),
        dt.date(2025, 12, 31),
    )
    out = con.execute(f).set_index(["meter_id", "month"]).sort_index()
    assert out.index.equals(expected.index)
    # the data have what the frames must handle: months missing inside the history, zero months
    gaps = mon.sort_values(["meter_id", "month_index"]).groupby("meter_id")["month_index"].diff()
    assert (gaps > 1).sum() >= 10
    assert (mon["mean_kwh"] == 0).sum() >= 3
    for column in expected.columns:
        assert_allclose(out[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-9, atol=1e-12)


def test_history_of_one_month_follows_the_same_frames(con):
    """A single month (the monthly run's case) takes the aggregation path: each month alone equals the
    month frames, gaps and zero months included."""
    d = gappy_daily()
    mon = con.execute(monthly_consumption(ibis.memtable(d)))
    expected = history_by_month_frames(mon.sort_values(["meter_id", "month_index"]))
    meters_ = gappy_meters(sorted(d.meter_id.unique()))
    months = sorted(expected.index.get_level_values("month").unique())
    assert len(months) >= 12
    for month in months:
        first = dt.date(month // 100, month % 100, 1)
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        out = con.execute(customer_month_features(ibis.memtable(d), meters_, first, last))
        out = out.set_index(["meter_id", "month"]).sort_index()
        want = expected.xs(month, level="month", drop_level=False)
        assert out.index.equals(want.index), month
        for column in want.columns:
            assert_allclose(
                out[column].to_numpy(float),
                want[column].to_numpy(float),
                rtol=1e-9,
                atol=1e-12,
                err_msg=column,
            )


def temp_tables(con):
    rows = con.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return [name for (name,) in rows if name.startswith(TEMP_PREFIX)]


def test_buckets_give_the_same_features(con):
    """With a DuckDB connection the per-meter stage runs in buckets of meter ids: the same features."""
    d = gappy_daily(seed=3)
    ids = sorted(d.meter_id.unique())
    events = pd.DataFrame(
        {
            "meter_id": [ids[1], ids[5], ids[5], ids[17]],
            "timestamp": pd.to_datetime(
                ["2025-06-03 10:00", "2025-03-01 01:00", "2025-09-30 23:00", "2025-12-01 08:00"]
            ).tz_localize("Asia/Shanghai"),
            "event_code": ["cover_opened", "reversed", "loss_of_current", "phase_failure"],
        }
    )
    curve_days = pd.date_range("2025-12-01", "2025-12-03 23:45", freq="15min", tz="Asia/Shanghai")
    curves = pd.DataFrame(
        {
            "meter_id": np.repeat([ids[2], ids[9]], len(curve_days)),
            "timestamp": np.tile(curve_days, 2),
            "energy_kwh": np.tile(np.linspace(0.1, 0.5, len(curve_days)), 2),
            "voltage_a_v": np.tile(np.where(np.arange(len(curve_days)) % 7 == 0, 150.0, 221.0), 2),
        }
    )
    loss = pd.DataFrame({"reading_date": pd.date_range("2024-11-01", "2025-12-31").date})
    loss = pd.concat([loss.assign(area_code="A1"), loss.assign(area_code="A2")], ignore_index=True)
    loss["supply_kwh"] = 1000.0
    loss["loss_kwh"] = 50.0 + 10 * np.sin(np.arange(len(loss)) / 5)
    kw = dict(
        events=ibis.memtable(events),
        curves=ibis.memtable(curves),
        area_loss=ibis.memtable(loss),
    )
    args = (ibis.memtable(d), gappy_meters(ids), dt.date(2025, 5, 1), dt.date(2025, 12, 31))
    one = con.execute(customer_month_features(*args, **kw)).sort_values(["meter_id", "month"])
    table = customer_month_features(*args, **kw, con=con, meters_per_bucket=5)
    assert len(temp_tables(con)) == 2  # the monthly rows and the pre-event means
    bucketed = con.execute(table).sort_values(["meter_id", "month"])
    assert one["theft_events_recent"].gt(0).any() and one["night_share"].notna().any()
    assert one["loss_corr"].notna().any() and one["peer_ratio"].notna().any()
    assert list(bucketed.columns) == list(one.columns) and len(bucketed) == len(one) > 6 * len(ids)
    for column in one.columns:
        if pd.api.types.is_numeric_dtype(one[column]):
            assert_allclose(bucketed[column].to_numpy(float), one[column].to_numpy(float), rtol=1e-12)
        else:
            assert bucketed[column].astype(str).tolist() == one[column].astype(str).tolist(), column
    release_features(con, table)
    assert not temp_tables(con)
    # the optimizer turned off for the buckets is on again
    assert (
        "partitioned_execution"
        not in con.con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    )


def test_same_month_a_year_before(con):
    """yoy_ratio compares the month with the same month a year earlier, when the energy reaches back."""
    days = pd.date_range("2024-04-01", "2025-04-30", freq="D")
    f = pd.DataFrame(
        [
            (
                m,
                d.date(),
                level * (1.0 + 0.3 * (d.month in (7, 8))) * (0.6 if m == "M2" and d.year == 2025 else 1),
            )
            for m, level in (("M1", 10.0), ("M2", 8.0), ("M3", 5.0), ("M4", 100.0))
            for d in days
        ],
        columns=["meter_id", "reading_date", "energy_kwh"],
    )
    april = dict(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30))
    out = con.execute(customer_month_features(ibis.memtable(f), meters(), **april)).set_index("meter_id")
    assert_allclose(out.loc["M1", ["last_year_mean_kwh", "yoy_ratio"]].to_numpy(float), [10.0, 1.0])
    assert_allclose(out.loc["M2", ["last_year_mean_kwh", "yoy_ratio"]].to_numpy(float), [8.0, 0.6])
    # without the year before in the energy there is nothing to compare with
    recent = f[pd.to_datetime(f["reading_date"]) >= "2025-01-01"]
    out = con.execute(customer_month_features(ibis.memtable(recent), meters(), **april))
    assert out["yoy_ratio"].isna().all() and out["last_year_mean_kwh"].isna().all()


def test_the_history_of_one_month_in_numpy_equals_the_aggregation(con):
    """``history_of_one_month`` (NumPy, the monthly run on DuckDB) gives ``_history_of_months``' rows
    exactly (the same sums in the same order): every month of the gappy data, gaps, zero months and the
    year before included; it declines (None) a month that has a meter twice."""
    from gridcheck_analytics.features.meter_months import _history_of_months, history_of_one_month

    d = gappy_daily()
    monthly = con.to_pyarrow(monthly_consumption(ibis.memtable(d)))
    indices = sorted(set(monthly["month_index"].to_pylist()))
    checked = {"last_year_mean_kwh": 0, "trend_per_month": 0, "min_change_ratio": 0}
    for index in indices:
        want = con.to_pyarrow(_history_of_months(ibis.memtable(monthly), index, index, FEATURES))
        here = monthly.filter(pc.equal(monthly["month_index"], index))
        back = monthly.filter(pc.not_equal(monthly["month_index"], index))
        got = history_of_one_month(
            here, back.select(["meter_id", "month_index", "mean_kwh"]), index, FEATURES
        )
        assert got.column_names == want.column_names
        got = got.to_pandas().sort_values("meter_id").reset_index(drop=True)
        want = want.to_pandas().sort_values("meter_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=True)
        for column in checked:
            checked[column] += int(want[column].notna().sum())
    assert all(checked.values()), checked
    index = indices[-1]
    back = monthly.filter(pc.equal(monthly["month_index"], index - 1))
    back = back.select(["meter_id", "month_index", "mean_kwh"])
    here = monthly.filter(pc.equal(monthly["month_index"], index))
    assert history_of_one_month(here, back, index, FEATURES) is not None
    # A meter of the month twice in a month before: declined. (A row of a meter not in the month is
    # dropped, twice or not; DuckDB returns the rows in any order, so pick each kind by its meter.)
    in_month = pc.is_in(back["meter_id"], value_set=here["meter_id"].combine_chunks())
    twice = back.filter(in_month).slice(0, 1)
    gone = back.filter(pc.invert(in_month)).slice(0, 1)
    assert twice.num_rows == gone.num_rows == 1
    assert history_of_one_month(here, pa.concat_tables([back, twice]), index, FEATURES) is None
    assert history_of_one_month(here, pa.concat_tables([back, gone]), index, FEATURES) is not None


def test_the_history_of_one_month_from_month_tables_in_the_month_order_or_not(con):
    """``history_of_one_month`` with the months before as one table each: a month in the month's meter
    order (placed by row, no lookup) and a month shuffled (looked up) give the rows of the one table."""
    from gridcheck_analytics.features.meter_months import history_of_one_month

    rng = np.random.default_rng(3)
    n, index = 50, 2025 * 12 + 5
    ids = pa.array([f"M{i:02d}" for i in range(n)])

    def month(j, order):
        return pa.table(
            {
                "meter_id": ids.take(pa.array(order)),
                "month_index": pa.array(np.full(n, index - j), pa.int64()),
                "mean_kwh": pa.array(rng.uniform(0, 20, n)),
            }
        )

    here = month(0, np.arange(n)).append_column("days", pa.array(np.full(n, 30), pa.int64()))
    same = [month(j, np.arange(n)) for j in (1, 2, 3)]
    shuffled = month(4, rng.permutation(n))
    fewer = month(12, np.arange(n)).slice(5)  # the year before, five meters short
    backs = [*same, shuffled, fewer]
    want = history_of_one_month(here, pa.concat_tables(backs), index, FEATURES)
    got = history_of_one_month(here, backs, index, FEATURES)
    assert got.equals(want)
    assert got["last_year_mean_kwh"].null_count == 5
    assert got["trend_per_month"].null_count < n
