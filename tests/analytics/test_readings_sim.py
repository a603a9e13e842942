"""Meter-data simulator: deterministic, realistic loss, missing readings, theft kept in a separate truth."""

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.pipeline import run_monthly
from gridcheck_analytics.readings_sim import THEFT_KINDS, archive_frames_to_meters, simulate_readings
from gridcheck_analytics.store import MeterStore


def archive():
    """Hand-made archive frames in the demo county's spelling."""
    n = 250
    areas = pd.DataFrame({"code": ["A1", "A2", "A3"], "line_code": ["L1", "L1", "L2"], "station_code": "S1"})
    customers = pd.DataFrame(
        {
            "account_number": [f"C{i:04d}" for i in range(n)],
            "area_code": [areas["code"].iat[i % 3] for i in range(n)],
            "category": ["residential" if i % 10 else "general_commercial" for i in range(n)],
            "contracted_capacity_kva": [8.0 if i % 10 else 50.0 for i in range(n)],
        }
    )
    metering_points = pd.DataFrame(
        {
            "account_number": customers["account_number"],
            "code": [f"MP{i:04d}" for i in range(n)],
            "ct_ratio": ["" if i % 10 else "200/5" for i in range(n)],
        }
    )
    meters = pd.DataFrame(
        {
            "metering_point_code": metering_points["code"],
            "asset_number": [f"E{i:06d}" for i in range(n)],
            "phase": ["single" if i % 10 else "three" for i in range(n)],
            "rated_current": ["5(60)A" if i % 10 else "1.5(6)A" for i in range(n)],
        }
    )
    return {"areas": areas, "customers": customers, "metering_points": metering_points, "meters": meters}


@pytest.fixture(scope="module")
def meters():
    return archive_frames_to_meters(archive())


@pytest.fixture(scope="module")
def sim(meters):
    return simulate_readings(meters, start="2025-01-01", months=13, seed=3, theft_fraction=0.04)


def test_adapter_reads_ratios_and_ratings(meters):
    m = meters.set_index("meter_id")
    assert len(m) == 250
    assert_allclose(m.loc["E000000", ["multiplier", "max_current_a", "phases"]].astype(float), [40.0, 6.0, 3])
    assert_allclose(m.loc["E000001", ["multiplier", "max_current_a", "phases"]].astype(float), [1.0, 60.0, 1])
    assert m.loc["E000004", "area_code"] == "A2" and m.loc["E000004", "line_code"] == "L1"


def test_deterministic_for_a_seed(meters, sim):
    again = simulate_readings(meters, start="2025-01-01", months=13, seed=3, theft_fraction=0.04)
    pd.testing.assert_frame_equal(sim["daily"], again["daily"])
    other = simulate_readings(meters, start="2025-01-01", months=13, seed=4, theft_fraction=0.04)
    assert not sim["daily"]["register_total_kwh"].equals(other["daily"]["register_total_kwh"])


def test_thirteen_months_with_about_two_percent_missing(sim):
    days = pd.date_range("2025-01-01", "2026-01-31").size
    assert sim["daily"]["reading_date"].nunique() == days
    missing = 1 - len(sim["daily"]) / (250 * days)
    assert 0.015 < missing < 0.025


def test_theft_of_every_kind_in_a_separate_truth(sim):
    truth = sim["truth"]
    assert set(truth.loc[truth["truth"] == "theft", "kind"]) == set(THEFT_KINDS)
    assert (truth.loc[truth["truth"] == "theft", "unmetered_kwh"] > 0).all()
    assert "kind" not in sim["daily"].columns and "truth" not in sim["daily"].columns


def test_curves_for_a_subset_have_96_points_a_day(sim):
    curves = sim["curves"]
    per_day = curves.groupby([curves["meter_id"], curves["timestamp"].dt.date]).size()
    assert 0 < curves["meter_id"].nunique() < 250
    assert set(per_day) == {96}


def test_written_store_gives_realistic_loss(tmp_path, meters):
    store = MeterStore(tmp_path / "store")
    simulate_readings(
        meters,
        start="2025-01-01",
        months=4,
        seed=5,
        theft_fraction=0.0,
        fault_fraction=0.0,
        store=store,
        truth_path=tmp_path / "truth" / "truth.parquet",
    )
    assert store.months("daily") == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert (tmp_path / "truth" / "truth.parquet").is_file() and not (tmp_path / "store" / "truth").exists()
    steps = []
    out = run_monthly(store, {"meters": meters}, "2025-04", progress=lambda s, d, t: steps.append((s, d, t)))
    assert [s for s, _, _ in steps] == ["connect", "vee", "supply", "loss", "flags"] and steps[-1][1:] == (
        5,
        5,
    )
    rates = out["area_monthly"]["loss_rate_percent"]
    assert len(rates) == 3 and rates.between(2.0, 8.0).all()  # technical loss 3-7 %, no theft


def test_month_by_month_write_stores_what_the_whole_frames_hold(tmp_path, meters, sim):
    """keep_daily=False writes the daily readings a month at a time and returns only their count;
    the store then holds exactly the frames a simulation with the same seed returns."""
    store = MeterStore(tmp_path / "store")
    written = simulate_readings(
        meters, start="2025-01-01", months=13, seed=3, theft_fraction=0.04, store=store, keep_daily=False
    )
    assert "daily" not in written
    assert written["rows"] == {k: len(sim[k]) for k in ("daily", "area_meter", "events", "curves")}
    assert len(store.months("daily")) == 13 and len(store.months("curves")) == 13
    for name, key in (("daily", ["meter_id", "reading_date"]), ("curves", ["meter_id", "timestamp"])):
        stored = store.read(name).sort_values(key, ignore_index=True)
        expected = sim[name].sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(stored[expected.columns], expected, check_dtype=False)


def test_a_stopped_meters_curve_reads_zero_not_missing(meters):
    sim = simulate_readings(
        meters,
        start="2025-01-01",
        months=4,
        seed=11,
        theft_fraction=0.0,
        fault_fraction=0.1,
        curve_fraction=1.0,
        max_curve_meters=250,
    )
    curves, truth = sim["curves"], sim["truth"]
    stopped = truth[truth["kind"] == "stopped"]
    assert len(stopped) > 0 and curves["energy_kwh"].notna().all()
    for row in stopped.itertuples():
        points = curves[curves["meter_id"] == row.meter_id]
        day = points["timestamp"].dt.date
        during = points[(day >= row.start_date) & (day <= row.end_date)]
        assert len(during) == 96 * ((row.end_date - row.start_date).days + 1)
        assert (during["energy_kwh"] == 0).all() and (during["current_a_a"] == 0).all()
