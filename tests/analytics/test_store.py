"""MeterStore: month partitions, idempotent upserts, all-or-nothing writes."""

import os

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics import store as store_module
from gridcheck_analytics.backends import connect
from gridcheck_analytics.schema import CURVES, DAILY_READINGS, conform
from gridcheck_analytics.store import MeterStore


def daily(rows):
    return conform(
        pd.DataFrame(rows, columns=["meter_id", "reading_date", "register_total_kwh"]), DAILY_READINGS
    )


ROWS = [("m1", "2025-01-31", 10.0), ("m1", "2025-02-01", 12.0), ("m2", "2025-02-01", 5.0)]


def test_upsert_partitions_by_month_and_reads_back(tmp_path):
    st = MeterStore(tmp_path)
    counts = st.upsert("daily", daily(ROWS))
    assert counts["rows_created"] == 3 and counts["months"] == ["2025-01", "2025-02"]
    assert st.months("daily") == ["2025-01", "2025-02"]
    assert (tmp_path / "daily" / "2025-02" / "part-0.parquet").is_file()
    assert_allclose(st.read("daily", ["2025-02"])["register_total_kwh"], [12.0, 5.0])


def test_upsert_is_idempotent_and_replaces_by_key(tmp_path):
    st = MeterStore(tmp_path)
    st.upsert("daily", daily(ROWS))
    again = st.upsert("daily", daily(ROWS))
    assert (again["rows_created"], again["rows_updated"], again["rows_unchanged"]) == (0, 0, 3)
    changed = st.upsert("daily", daily([("m1", "2025-02-01", 13.0), ("m3", "2025-02-02", 1.0)]))
    assert (changed["rows_created"], changed["rows_updated"], changed["rows_unchanged"]) == (1, 1, 0)
    out = st.read("daily")
    assert len(out) == 4
    assert_allclose(out.set_index("meter_id").loc["m1", "register_total_kwh"], [10.0, 13.0])


def test_duplicate_keys_are_refused_and_nothing_written(tmp_path):
    st = MeterStore(tmp_path)
    with pytest.raises(ValueError, match="duplicate keys"):
        st.upsert("daily", daily([("m1", "2025-01-01", 1.0), ("m1", "2025-01-01", 2.0)]))
    assert st.months("daily") == []


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    st = MeterStore(tmp_path)
    st.upsert("daily", daily(ROWS))
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # after the first month was swapped in
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(store_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        st.upsert("daily", daily([("m1", "2025-01-31", 99.0), ("m1", "2025-02-01", 99.0)]))
    monkeypatch.setattr(store_module.os, "replace", real_replace)
    assert_allclose(st.read("daily")["register_total_kwh"], [10.0, 12.0, 5.0])
    assert [p.name for p in tmp_path.iterdir()] == ["daily"]  # no staging or trash left


def test_curves_keep_their_timezone_and_open_in_duckdb(tmp_path):
    st = MeterStore(tmp_path)
    ts = pd.to_datetime(["2025-03-31 23:45", "2025-04-01 00:00"]).tz_localize("Asia/Shanghai")
    st.upsert(
        "curves",
        conform(pd.DataFrame({"meter_id": ["m1", "m1"], "timestamp": ts, "energy_kwh": [1.0, 2.0]}), CURVES),
    )
    assert st.months("curves") == ["2025-03", "2025-04"]
    back = st.read("curves")
    assert list(back["timestamp"]) == list(ts)
    con = connect("duckdb")
    assert_allclose(con.execute(st.table(con, "curves").energy_kwh.sum()), 3.0)


def test_unknown_frame_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown frame"):
        MeterStore(tmp_path).upsert("meters", daily(ROWS))


# -- concurrent writers and partial columns ------------------------------------------------------------

WRITES_PER_WRITER = 25
DAYS_PER_WRITE = 3


def _writer(data_dir, writer, start):
    """One process: upsert WRITES_PER_WRITER batches of its own meters into March 2025."""
    st = MeterStore(data_dir)
    start.wait()
    for i in range(WRITES_PER_WRITER):
        rows = [
            (f"w{writer}-m{i:03d}", f"2025-03-{day + 1:02d}", float(i * 10 + day))
            for day in range(DAYS_PER_WRITE)
        ]
        st.upsert("daily", daily(rows))


def test_concurrent_writers_into_one_month_lose_nothing(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    writers = [ctx.Process(target=_writer, args=(str(tmp_path), w, start)) for w in (1, 2)]
    for p in writers:
        p.start()
    start.set()
    for p in writers:
        p.join(timeout=120)
    assert [p.exitcode for p in writers] == [0, 0], "a writer failed"
    out = MeterStore(tmp_path).read("daily")
    assert len(out) == 2 * WRITES_PER_WRITER * DAYS_PER_WRITE
    expected = {f"w{w}-m{i:03d}" for w in (1, 2) for i in range(WRITES_PER_WRITER)}
    assert set(out["meter_id"]) == expected
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".staging", ".trash"))]


def _full(rows):
    cols = ["meter_id", "reading_date", "register_total_kwh", "register_peak_kwh", "register_valley_kwh"]
    return conform(pd.DataFrame(rows, columns=cols), DAILY_READINGS)


def test_an_upsert_without_some_columns_keeps_their_stored_values(tmp_path):
    st = MeterStore(tmp_path)
    st.upsert("daily", _full([("m1", "2025-01-01", 10.0, 4.0, 6.0), ("m2", "2025-01-01", 20.0, 8.0, 12.0)]))
    # A file of total registers only: the frame lacks the peak and valley columns.
    partial = pd.DataFrame(
        {
            "meter_id": ["m1", "m3"],
            "reading_date": ["2025-01-01", "2025-01-01"],
            "register_total_kwh": [11.0, 5.0],
        }
    )
    counts = st.upsert("daily", partial)
    assert (counts["rows_created"], counts["rows_updated"], counts["rows_unchanged"]) == (1, 1, 0)
    out = st.read("daily").set_index("meter_id")
    assert out.loc["m1", "register_total_kwh"] == 11.0
    assert (out.loc["m1", "register_peak_kwh"], out.loc["m1", "register_valley_kwh"]) == (4.0, 6.0)
    assert (out.loc["m2", "register_peak_kwh"], out.loc["m2", "register_total_kwh"]) == (8.0, 20.0)
    assert pd.isna(out.loc["m3", "register_peak_kwh"])  # a new row has nothing to keep
    # The same through a conformed frame (every column present, the absent ones null): say which.
    conformed = conform(partial.assign(register_total_kwh=[12.0, 5.0]), DAILY_READINGS)
    st.upsert("daily", conformed, columns=["meter_id", "reading_date", "register_total_kwh"])
    out = st.read("daily").set_index("meter_id")
    assert (out.loc["m1", "register_total_kwh"], out.loc["m1", "register_peak_kwh"]) == (12.0, 4.0)
    # Unchanged when the given columns equal what is stored.
    again = st.upsert("daily", partial.assign(register_total_kwh=[12.0, 5.0]))
    assert (again["rows_created"], again["rows_updated"], again["rows_unchanged"]) == (0, 0, 2)


def test_a_column_given_but_empty_replaces_the_stored_value(tmp_path):
    st = MeterStore(tmp_path)
    st.upsert("daily", _full([("m1", "2025-01-01", 10.0, 4.0, 6.0)]))
    st.upsert("daily", _full([("m1", "2025-01-01", 10.0, None, 6.0)]))
    out = st.read("daily")
    assert pd.isna(out.loc[0, "register_peak_kwh"]) and out.loc[0, "register_valley_kwh"] == 6.0


def test_upsert_refuses_unknown_columns(tmp_path):
    with pytest.raises(ValueError, match="unknown column"):
        MeterStore(tmp_path).upsert("daily", daily(ROWS), columns=["meter_id", "reading_date", "kwh"])
