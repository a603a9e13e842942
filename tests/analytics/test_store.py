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
