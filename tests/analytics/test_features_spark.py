"""The customer-month features are the same on DuckDB and on PySpark (local mode).

A small simulated county (about sixty customers in two areas, CT-metered shops, six months of daily
readings, meter events, 15-minute curves for a dozen meters) is written to a meter store. The features are
computed twice on each backend: by ``customer_month_features`` from the same inputs (the features alone),
and by ``suspects.month_features`` from the store (Parquet, VEE, area loss, features: what a detection run
computes). Spark and DuckDB add floating-point numbers in different orders: equality is to 1e-9 relative.

Hand-made events at 01:30 on the first of a month and at 23:30 on its last day (Asia/Shanghai) fall in
that month on both backends: the store keeps UTC instants, and the month is the local one.
"""

import datetime as dt
import shutil

import ibis
import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics import lineloss, quality
from gridcheck_analytics.backends import connect
from gridcheck_analytics.datasets import simulate_county
from gridcheck_analytics.features import FEATURE_COLUMNS, customer_month_features
from gridcheck_analytics.monthly import DerivedStore
from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings
from gridcheck_analytics.schema import EVENTS, conform
from gridcheck_analytics.store import MeterStore
from gridcheck_analytics.suspects import month_features

# The simulator's curves of a stopped meter are 0/0 (NaN) on its zero days: missing values the features
# must skip alike on both backends.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")

HISTORY_START, START, END = dt.date(2025, 3, 1), dt.date(2025, 6, 1), dt.date(2025, 8, 31)
KEY = ["meter_id", "month"]
MONTHS = [str(p) for p in pd.period_range(HISTORY_START, END, freq="M")]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """(canonical meters, meter store, hand-made events) of the small simulated county."""
    meters = archive_frames_to_meters(
        simulate_county(n_customers=60, n_stations=2, n_lines=2, n_areas=4, seed=11)
    )
    # the shops are CT-metered (200/5 A, three-phase): ct_load_percent needs a CT
    shops = meters["category"] != "residential"
    meters.loc[shops, ["multiplier", "max_current_a", "phases"]] = [40.0, 6.0, 3]
    store = MeterStore(tmp_path_factory.mktemp("store"))
    simulate_readings(
        meters,
        start=HISTORY_START,
        months=6,
        seed=5,
        theft_fraction=0.2,
        fault_fraction=0.05,
        curve_fraction=0.2,
        max_curve_meters=12,
        store=store,
    )
    first, last = sorted(meters["meter_id"])[:2]
    local = pd.to_datetime(["2025-07-01 01:30", "2025-07-31 23:30", "2025-08-01 00:15"])
    extra = conform(
        pd.DataFrame(
            {
                "meter_id": [first, first, last],
                "timestamp": local.tz_localize("Asia/Shanghai"),
                "event_code": ["cover_opened", "loss_of_current", "phase_failure"],
            }
        ),
        EVENTS,
    )
    store.upsert("events", extra)
    return meters, store, extra


def _inputs(meters, store):
    """The features' inputs as pandas frames, computed once on DuckDB: VEE energy and the area loss."""
    con = connect("duckdb")
    months = [str(p) for p in pd.period_range(HISTORY_START, END, freq="M")]
    m = ibis.memtable(meters)
    areas = m.select("area_code", "line_code", "station_code").distinct()
    supply = lineloss.area_supply_daily(
        store.table(con, "area_meter", months), HISTORY_START, END, areas=areas, con=con
    )
    vee = quality.validate_daily(
        store.table(con, "daily", months), m, HISTORY_START, END, area_supply=supply, con=con
    )
    return {
        "energy": con.execute(vee.select("meter_id", "reading_date", "energy_kwh")),
        "area_loss": con.execute(lineloss.daily_area_loss(vee, supply)),
        "events": store.read("events"),
        "curves": store.read("curves"),
    }


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEY).reset_index(drop=True)


def assert_same_features(duck: pd.DataFrame, spk: pd.DataFrame) -> None:
    """Same rows, columns and values: numbers to 1e-9 relative (nulls equal), the rest exactly."""
    assert list(spk.columns) == list(duck.columns)
    duck, spk = _sorted(duck), _sorted(spk)
    pd.testing.assert_frame_equal(duck[KEY], spk[KEY], check_dtype=False)
    numbers = [c for c in duck.columns if pd.api.types.is_numeric_dtype(duck[c]) and c not in KEY]
    for column in numbers:
        np.testing.assert_allclose(
            spk[column].to_numpy(float),
            duck[column].to_numpy(float),
            rtol=1e-9,
            atol=1e-9,
            err_msg=f"{column} differs between PySpark and DuckDB",
        )
    for column in (c for c in duck.columns if c not in numbers and c not in KEY):
        left = [None if pd.isna(v) else str(v)[:10] for v in duck[column]]
        right = [None if pd.isna(v) else str(v)[:10] for v in spk[column]]
        assert right == left, f"{column} differs between PySpark and DuckDB"


def _features(con, meters, inputs):
    table = customer_month_features(
        ibis.memtable(inputs["energy"]),
        meters,
        START,
        END,
        events=ibis.memtable(inputs["events"]),
        curves=ibis.memtable(inputs["curves"]),
        area_loss=ibis.memtable(inputs["area_loss"]),
    )
    return con.execute(table)


def test_customer_month_features_equal_on_duckdb_and_pyspark(county, spark):
    meters, store, extra = county
    inputs = _inputs(meters, store)
    duck = _features(connect("duckdb"), meters, inputs)
    spk = _features(spark, meters, inputs)

    # the data exercise the features: three months of every meter, peers, CT, events, curves, area loss
    assert set(duck["month"]) == {202506, 202507, 202508}
    assert len(duck) == 3 * meters["meter_id"].nunique()
    for column in FEATURE_COLUMNS:
        if column.startswith("events_") and column not in ("events_cover_opened", "events_loss_of_current"):
            continue
        assert duck[column].notna().any(), f"{column} is never computed: the test data miss a case"
    assert duck["theft_events_recent"].gt(0).sum() >= 5 and duck["night_share"].notna().sum() >= 12
    assert_same_features(duck, spk)

    # by hand: the events at 01:30 on 1 July and 23:30 on 31 July are July's, the one at 00:15 on
    # 1 August is August's (UTC: 30 June, 31 July and 31 July)
    first, last = extra["meter_id"].iloc[0], extra["meter_id"].iloc[2]
    for out in (duck, spk):
        rows = out.set_index(KEY)
        assert rows.loc[(first, 202507), ["events_cover_opened", "events_loss_of_current"]].tolist() == [1, 1]
        assert rows.loc[(first, 202506), "events_cover_opened"] == 0
        assert rows.loc[(last, 202508), "events_phase_failure"] == 1
        assert rows.loc[(last, 202507), "events_phase_failure"] == 0
        assert str(rows.loc[(first, 202507), "last_event_date"])[:10] == "2025-07-31"


def test_month_features_from_the_store_equal_on_duckdb_and_pyspark(county, spark, tmp_path):
    """What a detection run computes (``score_month``'s features), from the Parquet store, on each backend.

    Each backend gets its own copy of the raw store, so that each computes the whole derived store (every
    month's VEE, loss and per-meter monthly rows, then the features) rather than reading the other's.
    """
    meters, store, _ = county
    archive = {"meters": meters}
    stores = {}
    for name in ("duckdb", "pyspark"):
        shutil.copytree(store.data_dir, tmp_path / name, ignore=shutil.ignore_patterns("derived"))
        stores[name] = MeterStore(tmp_path / name)
    duck = month_features(stores["duckdb"], archive, "2025-08", con=connect("duckdb"))
    spk = month_features(stores["pyspark"], archive, "2025-08", con=spark)
    assert set(duck["month"]) == {202508} and len(duck) == meters["meter_id"].nunique()
    assert duck["area_loss_rate_percent"].notna().all() and duck["loss_corr"].notna().any()
    # the loss correlation: NumPy from the kernel's matrix on DuckDB (stored in the base), SQL on Spark
    assert DerivedStore(stores["duckdb"]).path("2025-08", "loss_corr").is_file()
    assert not DerivedStore(stores["pyspark"]).path("2025-08", "loss_corr").is_file()
    assert_same_features(duck, spk)
    # the intermediate results each backend stored: loss per area and month, per-meter monthly rows
    con = connect("duckdb")
    for frame, key in (("area_monthly", ["area_code", "month"]), ("meter_months", KEY)):
        d, s = (
            con.execute(DerivedStore(stores[n]).table(con, frame, MONTHS))
            .sort_values(key)
            .reset_index(drop=True)
            for n in ("duckdb", "pyspark")
        )
        assert len(d) > 0 and list(d.columns) == list(s.columns)
        pd.testing.assert_frame_equal(d[key], s[key], check_dtype=False)
        numbers = [c for c in d.columns if pd.api.types.is_numeric_dtype(d[c]) and c not in key]
        for column in numbers:
            np.testing.assert_allclose(
                s[column].to_numpy(float), d[column].to_numpy(float), rtol=1e-9, atol=1e-9, err_msg=column
            )
