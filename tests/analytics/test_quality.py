"""VEE of daily readings: every (meter, day) gets one quality code; estimates never overwrite readings."""

import datetime as dt
import tempfile

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.backends import connect
from gridcheck_analytics.quality import (
    _file_groups,
    curves_to_daily,
    keyed_meters,
    meter_id_lookup,
    reading_rate,
    validate_daily,
    validated_days,
)
from gridcheck_analytics.schema import CURVES, DAILY_READINGS, METERS, conform
from gridcheck_analytics.store import MeterStore

D0 = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def con():
    return connect("duckdb")


def meters(**over):
    base = {
        "meter_id": "m1",
        "area_code": "A",
        "line_code": "L",
        "station_code": "S",
        "multiplier": 1.0,
        "rated_voltage_v": 220.0,
        "max_current_a": 60.0,
        "phases": 1,
        "register_digits": 6,
    }
    return conform(pd.DataFrame([base | over]), METERS)


def run(con, registers=None, energy=None, meter=None, days=None, area_supply=None, use_registers=True, **kw):
    n = len(registers if registers is not None else energy)
    dates = [D0 + dt.timedelta(days=i) for i in range(n)]
    frame = pd.DataFrame({"meter_id": "m1", "reading_date": dates})
    if registers is not None:
        frame["register_total_kwh"] = registers
    if energy is not None:
        frame["energy_kwh"] = energy
    for k, v in kw.items():
        frame[k] = v
    frame = conform(frame, DAILY_READINGS)
    frame = frame[frame[["register_total_kwh", "energy_kwh"]].notna().any(axis=1)]
    expr = validate_daily(
        ibis.memtable(frame),
        ibis.memtable(meter if meter is not None else meters()),
        days[0] if days else D0 + dt.timedelta(days=1),
        days[1] if days else dates[-1],
        area_supply=area_supply,
        registers=use_registers,
    )
    out = con.execute(expr.order_by("reading_date")).reset_index(drop=True)
    days_asked = days
    # the monthly run's DuckDB path (the codes in NumPy from the kernel's output) gives the same days
    days, _, _ = validated_days(
        ibis.memtable(frame),
        ibis.memtable(meter if meter is not None else meters()),
        days[0] if days else D0 + dt.timedelta(days=1),
        days[1] if days else dates[-1],
        area_supply=area_supply,
        registers=use_registers,
        con=con,
    )
    assert days.column_names[0] == "meter_id" and days["meter_id"].type == pa.dictionary(
        pa.int32(), pa.string()
    )
    # and the same from the store's Parquet files read by Arrow (no join with the meters' keys)
    with tempfile.TemporaryDirectory() as folder:
        store = MeterStore(folder)
        store.upsert("daily", frame)
        archive = ibis.memtable(meter if meter is not None else meters())
        keyed = keyed_meters(archive, con)
        files = (store.paths("daily"), meter_id_lookup(keyed))
        assert files[1] is not None and _file_groups(files[0]) is not None
        by_files, _, _ = validated_days(
            store.table(con, "daily"),
            archive,
            days_asked[0] if days_asked else D0 + dt.timedelta(days=1),
            days_asked[1] if days_asked else dates[-1],
            area_supply=area_supply,
            registers=use_registers,
            con=con,
            keyed=keyed,
            files=files,
        )
    assert by_files.equals(days)
    days = days.to_pandas().sort_values("reading_date").reset_index(drop=True)
    assert days["meter_id"].astype(str).tolist() == out["meter_id"].tolist()
    assert days["quality_code"].tolist() == out["quality_code"].tolist()
    assert days["reading_date"].tolist() == out["reading_date"].dt.date.tolist()
    assert_allclose(days["energy_kwh"].to_numpy(float), out["energy_kwh"].to_numpy(float), rtol=0, atol=0)
    return out


def test_missing_registers_are_interpolated_and_flagged_original_kept(con):
    out = run(con, registers=[100.0, 105.0, np.nan, np.nan, 135.0, 140.0])
    assert list(out["quality_code"]) == ["valid", "estimated", "estimated", "valid", "valid"]
    # 105 -> 135 over three days: 115, 125
    assert_allclose(out["register_estimated_kwh"].iloc[1:3], [115.0, 125.0])
    assert out["register_total_kwh"].iloc[1:3].isna().all()  # the original stays missing
    assert_allclose(out["energy_kwh"], [5.0, 10.0, 10.0, 10.0, 5.0])
    assert list(out["is_read"]) == [True, False, False, True, True]


def test_no_neighbour_means_missing(con):
    out = run(con, registers=[100.0, 105.0, np.nan])
    assert list(out["quality_code"]) == ["valid", "missing"]
    assert np.isnan(out["energy_kwh"].iat[1])


def test_multiplier_applied_once_and_rollover_crossed(con):
    out = run(
        con,
        registers=[9990.0, 9995.0, 3.0],
        meter=meters(multiplier=40.0, register_digits=4, max_current_a=6.0, phases=3),
    )
    # (9995 - 9990) x 40 = 200; (10000 - 9995 + 3) x 40 = 320
    assert_allclose(out["energy_kwh"], [200.0, 320.0])
    assert list(out["quality_code"]) == ["valid", "valid"]


def test_register_going_backwards(con):
    out = run(con, registers=[100.0, 105.0, 103.0, 110.0])
    assert list(out["quality_code"]) == ["valid", "register_backwards", "valid"]
    assert_allclose(out["energy_kwh"], [5.0, -2.0, 7.0])


def test_runaway_beyond_rated_current_and_voltage(con):
    # single phase 220 V x 60 A x 24 h = 316.8 kWh/day at most
    out = run(con, registers=[0.0, 316.0, 316.0 + 317.0])
    assert list(out["quality_code"]) == ["valid", "runaway"]


def test_multiplier_mismatch_against_the_archive(con):
    out = run(con, registers=[0.0, 1.0, 2.0], multiplier=[40.0, 40.0, 30.0], meter=meters(multiplier=40.0))
    assert list(out["quality_code"]) == ["valid", "multiplier_mismatch"]


def history(n, kwh):
    return list(np.arange(n + 1) * kwh)


def test_stopped_while_area_loaded_versus_low_user_long_zero_run(con):
    regs = history(10, 5.0) + [50.0] * 3  # 5 kWh/day then three zero days
    supply = ibis.memtable(
        pd.DataFrame(
            {
                "area_code": "A",
                "reading_date": [D0 + dt.timedelta(days=i) for i in range(14)],
                "supply_kwh": 100.0,
            }
        ).astype({"reading_date": "date32[pyarrow]"})
    )
    out = run(con, registers=regs, area_supply=supply)
    assert list(out["quality_code"].iloc[-3:]) == ["stopped"] * 3
    low = history(10, 0.2) + [2.0] * 8  # 0.2 kWh/day then eight zero days
    out = run(con, registers=low)
    assert list(out["quality_code"].iloc[-8:]) == ["long_zero_run"] * 8  # 0.2 < 1 kWh/day: not "stopped"


@pytest.mark.parametrize(("zero_days", "code"), [(7, "long_zero_run"), (6, "valid")])
def test_zero_run_of_seven_days_is_long(con, zero_days, code):
    out = run(con, registers=history(10, 0.2) + [2.0] * zero_days)
    assert list(out["quality_code"].iloc[-zero_days:]) == [code] * zero_days


@pytest.mark.parametrize(("last_kwh", "code"), [(16.0, "sudden_rise"), (1.0, "sudden_drop"), (5.0, "valid")])
def test_sudden_change_against_own_history(con, last_kwh, code):
    regs = history(10, 5.0)
    out = run(con, registers=regs + [regs[-1] + last_kwh])
    assert out["quality_code"].iat[-1] == code  # rise above 3 x 5, drop below 0.3 x 5


@pytest.mark.parametrize("registers", [True, False])
def test_energy_only_source_estimates_from_neighbours(con, registers):
    out = run(con, energy=[4.0, 6.0, np.nan, 8.0], use_registers=registers)
    assert list(out["quality_code"]) == ["valid", "estimated", "valid"]
    assert_allclose(out["energy_kwh"], [6.0, 6.0, 8.0])  # mean of 4, 6, 8


def test_reading_rate_per_area_and_day(con):
    frame = conform(
        pd.DataFrame(
            {
                "meter_id": ["m1", "m2", "m1", "m1"],
                "reading_date": [D0, D0, D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=2)],
                "register_total_kwh": [1.0, 1.0, 2.0, 3.0],
            }
        ),
        DAILY_READINGS,
    )
    m = pd.concat([meters(), meters(meter_id="m2")], ignore_index=True)
    vee = validate_daily(ibis.memtable(frame), ibis.memtable(m), D0, D0 + dt.timedelta(days=2))
    out = con.execute(reading_rate(vee))
    assert_allclose(out["reading_rate_percent"], [100.0, 50.0, 50.0])


def test_curves_to_daily_leaves_incomplete_days_empty(con):
    ts = pd.date_range("2025-01-01", periods=96 + 10, freq="15min", tz="Asia/Shanghai")
    curves = conform(pd.DataFrame({"meter_id": "m1", "timestamp": ts, "energy_kwh": 0.25}), CURVES)
    out = con.execute(curves_to_daily(ibis.memtable(curves)).order_by("reading_date"))
    assert_allclose(out["energy_kwh"].iat[0], 24.0)
    assert np.isnan(out["energy_kwh"].iat[1]) and out["intervals"].iat[1] == 10


def test_look_ahead_interpolates_the_last_day(con):
    regs = [100.0, 105.0, np.nan, 115.0]
    without = run(con, registers=regs, days=(D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=2)))
    assert list(without["quality_code"]) == ["valid", "missing"]
    frame = conform(
        pd.DataFrame(
            {
                "meter_id": "m1",
                "reading_date": [D0 + dt.timedelta(days=i) for i in (0, 1, 3)],
                "register_total_kwh": [100.0, 105.0, 115.0],
            }
        ),
        DAILY_READINGS,
    )
    expr = validate_daily(
        ibis.memtable(frame),
        ibis.memtable(meters()),
        D0 + dt.timedelta(days=1),
        D0 + dt.timedelta(days=2),
        lookahead_end=D0 + dt.timedelta(days=3),
    )
    out = con.execute(expr.order_by("reading_date"))
    assert list(out["quality_code"]) == ["valid", "estimated"] and len(out) == 2
    assert_allclose(out["register_estimated_kwh"].iat[1], 110.0)


def test_zero_runs_and_stopped_match_the_run_by_run_definition(con):
    """zero_run_days and 'stopped' per run of zeros, checked against the definition written per run: a
    run's group is the non-zero day before it plus the run (or the leading zeros of the period);
    zero_run_days counts the group's zeros; stopped needs a history mean >= 1 kWh/day somewhere in it."""
    rng = np.random.default_rng(11)
    n_days, rows = 120, []
    for i in range(12):
        use = rng.gamma(2.0, [0.4, 2.0, 6.0][i % 3], n_days).round(3)
        for _ in range(rng.integers(1, 6)):  # zero runs, some at the start and at the end
            s = [0, n_days - 5, *rng.integers(0, n_days, 3)][rng.integers(0, 5)]
            use[s : s + rng.integers(1, 14)] = 0.0
        use[rng.random(n_days) < 0.05] = np.nan  # missing days are estimated (or stay missing)
        rows.append(pd.DataFrame({"meter_id": f"m{i:02d}", "energy_kwh": use, "day": np.arange(n_days)}))
    frame = pd.concat(rows, ignore_index=True)
    frame["reading_date"] = [D0 + dt.timedelta(days=int(d)) for d in frame["day"]]
    frame = conform(frame.dropna(subset=["energy_kwh"]), DAILY_READINGS)
    m = pd.concat([meters(meter_id=f"m{i:02d}") for i in range(12)], ignore_index=True)
    last = D0 + dt.timedelta(days=n_days - 1)
    expr = validate_daily(ibis.memtable(frame), ibis.memtable(m), D0, last, history_start=D0, registers=False)
    out = con.execute(expr).sort_values(["meter_id", "reading_date"]).reset_index(drop=True)
    assert len(out) == 12 * n_days
    zero = (out["energy_kwh"].notna() & (out["energy_kwh"] <= 0.0005)).to_numpy()
    group = pd.Series(~zero).groupby(out["meter_id"]).cumsum()
    keys = [out["meter_id"], group]
    expected_days = pd.Series(zero.astype(int)).groupby(keys).transform("sum")
    group_max = out["history_mean_kwh"].groupby(keys).transform("max")
    np.testing.assert_array_equal(out["zero_run_days"].to_numpy(), expected_days.to_numpy())
    stopped = zero & out["is_read"].to_numpy() & (group_max >= 1.0).to_numpy()
    np.testing.assert_array_equal((out["quality_code"] == "stopped").to_numpy(), stopped)
    assert 0 < stopped.sum() < zero.sum()  # the data hold both kinds of zero runs
    long_run = zero & out["is_read"].to_numpy() & ~stopped & (expected_days >= 7).to_numpy()
    np.testing.assert_array_equal((out["quality_code"] == "long_zero_run").to_numpy(), long_run)
    assert long_run.sum() > 0


@pytest.mark.parametrize("registers", [True, False])
def test_blocks_of_meters_do_not_change_the_result(con, monkeypatch, registers):
    """VEE runs its time series per block of meters and per kernel call; any split gives the same rows."""
    import gridcheck_analytics.quality as quality

    rng = np.random.default_rng(5)
    n_days, rows = 90, []
    for i in range(9):
        use = rng.gamma(2.0, 3.0, n_days).round(3)
        use[rng.integers(0, n_days - 10) :][:8] = 0.0  # a zero run
        reg = (999_000.0 + i * 150 + np.cumsum(use)).round(2) % 1_000_000.0  # some roll over
        frame = pd.DataFrame({"meter_id": f"m{i:02d}", "day": np.arange(n_days)})
        frame["register_total_kwh" if registers else "energy_kwh"] = reg if registers else use
        rows.append(frame[rng.random(n_days) >= 0.06])  # missing days
    frame = pd.concat(rows, ignore_index=True)
    frame["reading_date"] = [D0 + dt.timedelta(days=int(d)) for d in frame["day"]]
    frame = conform(frame, DAILY_READINGS)
    m = pd.concat([meters(meter_id=f"m{i:02d}") for i in range(9)], ignore_index=True)
    start, last = D0 + dt.timedelta(days=35), D0 + dt.timedelta(days=n_days - 1)

    def run_with(per_block, per_call):
        monkeypatch.setattr(quality, "METERS_PER_KERNEL_CALL", per_call)
        expr = validate_daily(
            ibis.memtable(frame),
            ibis.memtable(m),
            start,
            last,
            registers=registers,
            meters_per_block=per_block,
        )
        return con.execute(expr).sort_values(["meter_id", "reading_date"]).reset_index(drop=True)

    whole = run_with(1000, 1000)
    assert len(whole) == 9 * (n_days - 35)
    codes = set(whole["quality_code"])
    assert {"estimated", "valid"} <= codes and codes & {"stopped", "long_zero_run"}
    for per_block, per_call in [(1, 1), (2, 1), (4, 3), (9, 2)]:
        pd.testing.assert_frame_equal(run_with(per_block, per_call), whole)


def test_the_kernel_on_reading_matrices_equals_the_kernel_on_readings():
    """DuckDB's VEE scatters the readings into meters x days matrices once and runs the kernel on row
    slices of them (``quality._run_grids``); Spark's runs it on each block's readings
    (``vee_series.block_series``): the same series, part by part, whether a part has registers, only
    reported consumption or a reported multiplier, and with readings out of order."""
    import numpy as np

    from gridcheck_analytics.quality import _run_grids
    from gridcheck_analytics.thresholds import VEE as VEE_RULES
    from gridcheck_analytics.vee_series import block_series

    rng = np.random.default_rng(7)
    n_meters, first, last = 24, dt.date(2025, 1, 1), dt.date(2025, 2, 9)
    start, end = dt.date(2025, 1, 12), last
    n_days = (last - first).days + 1
    mk = np.repeat(np.arange(n_meters), n_days)
    day = np.tile(np.arange(n_days), n_meters)
    register = np.cumsum(rng.uniform(0, 9, (n_meters, n_days)), axis=1).ravel()
    register[rng.random(len(register)) < 0.1] = np.nan
    register[mk < 8] = np.nan  # the first part: no registers at all
    reported = np.where(rng.random(len(mk)) < 0.15, np.nan, rng.uniform(0, 9, len(mk)))
    reported[(mk >= 16) & (day % 3 == 0)] = 0.0
    multiplier = np.where(mk % 5 == 0, 2.0, np.nan)
    keep = rng.random(len(mk)) > 0.05
    order = rng.permutation(int(keep.sum()))  # readings in no order
    mk, day, register, reported, multiplier = (
        a[keep][order] for a in (mk, day, register, reported, multiplier)
    )
    grids = {}
    for name, values in (("register", register), ("reported", reported), ("reported_multiplier", multiplier)):
        grids[name] = np.full((n_meters, n_days), np.nan)
        grids[name].ravel()[mk * n_days + day] = values
    archive_multiplier, capacity = np.ones(n_meters), np.full(n_meters, 1e6)
    for lo, hi in ((0, 8), (8, 16), (16, 24), (4, 20)):
        rows = (mk >= lo) & (mk < hi)
        want = block_series(
            mk[rows] - lo,
            day[rows],
            register[rows],
            reported[rows],
            multiplier[rows],
            n_meters=hi - lo,
            n_days=n_days,
            multiplier=archive_multiplier[lo:hi],
            capacity_kwh=capacity[lo:hi],
            out_first=(start - first).days,
            out_last=(end - first).days,
        )
        args = (archive_multiplier[lo:hi], capacity[lo:hi], first, last, start, end, True, VEE_RULES)
        got = _run_grids(grids, lo, hi, *args)
        assert (got.pop("_mk") - lo).tolist() == want.pop("meter_index").tolist()
        got_day = got.pop("day_index") - np.int32((first - dt.date(1970, 1, 1)).days)
        assert got_day.tolist() == want.pop("day").tolist()
        assert set(got) == set(want)
        for name, values in want.items():
            if values is None:
                assert got[name] is None, name
            else:
                np.testing.assert_array_equal(got[name], values, err_msg=name)


def test_the_files_read_by_arrow_are_those_of_the_stored_types(tmp_path):
    """Arrow reads a file's row groups without a join only where it holds the stored types; a file with
    numeric meter ids or text dates goes to DuckDB's join (None), and a file without any input column
    gives no row group."""
    import pyarrow.parquet as pq

    from gridcheck_analytics.quality import _file_groups

    stored = pa.table(
        {
            "meter_id": ["m1", "m2", "m3"],
            "reading_date": pa.array([D0, D0, D0], pa.date32()),
            "register_total_kwh": [1.0, 2.0, 3.0],
            "energy_kwh": [None, None, 1.5],
        }
    )
    pq.write_table(stored, tmp_path / "stored.parquet", row_group_size=2)
    groups = _file_groups([tmp_path / "stored.parquet"])
    assert [(g[2], g[3]) for g in groups] == [
        (0, [("register", "register_total_kwh"), ("reported", "energy_kwh")]),
        (1, [("register", "register_total_kwh"), ("reported", "energy_kwh")]),
    ]
    pq.write_table(stored.select(["meter_id", "reading_date"]), tmp_path / "no_input.parquet")
    assert _file_groups([tmp_path / "no_input.parquet"]) == []
    numeric_ids = stored.set_column(0, "meter_id", pa.array([1, 2, 3]))
    pq.write_table(numeric_ids, tmp_path / "numeric_ids.parquet")
    assert _file_groups([tmp_path / "stored.parquet", tmp_path / "numeric_ids.parquet"]) is None
    text_dates = stored.set_column(1, "reading_date", pa.array(["2025-01-01"] * 3))
    pq.write_table(text_dates, tmp_path / "text_dates.parquet")
    assert _file_groups([tmp_path / "text_dates.parquet"]) is None
    integer_register = stored.set_column(2, "register_total_kwh", pa.array([1, 2, 3]))
    pq.write_table(integer_register, tmp_path / "integer_register.parquet")
    assert _file_groups([tmp_path / "integer_register.parquet"]) is None
