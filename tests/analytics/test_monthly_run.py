"""The monthly run in one pass (``gridcheck_analytics.monthly``): incremental months equal a full rebuild.

A small simulated county (about sixty customers, four areas, six months of daily readings with theft and
faults, meter events, 15-minute curves) is written to a meter store.  The *full rebuild* runs the last
month on an empty derived store (every month validated in that run); the *incremental* store receives the
raw months one at a time, each followed by its monthly run, which validates that month only and reads the
earlier ones from the stored monthly history.  Their results are equal (numbers to 1e-9 relative: DuckDB
adds in parallel, in no fixed order).
"""

import datetime as dt
import os
import shutil

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from gridcheck_analytics.backends import connect
from gridcheck_analytics.datasets import simulate_county
from gridcheck_analytics.features import customer_month_features
from gridcheck_analytics.monthly import BASE_FRAMES, DerivedStore, month_bounds
from gridcheck_analytics.monthly_job import monthly_run
from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings
from gridcheck_analytics.store import PART, STORED_FRAMES, MeterStore

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")

MONTHS = ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]
LAST = MONTHS[-1]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """(canonical meters, the full meter store: six months of readings, events and curves)."""
    meters = archive_frames_to_meters(
        simulate_county(n_customers=60, n_stations=2, n_lines=2, n_areas=4, seed=11)
    )
    store = MeterStore(tmp_path_factory.mktemp("full"))
    simulate_readings(
        meters,
        start=dt.date(2025, 3, 1),
        months=6,
        seed=5,
        theft_fraction=0.2,
        fault_fraction=0.05,
        curve_fraction=0.2,
        max_curve_meters=12,
        store=store,
    )
    return meters, store


def copy_months(source: MeterStore, target: MeterStore, months) -> None:
    """The raw partitions of ``months`` (every frame) copied into ``target``, as an import would add them."""
    for frame in STORED_FRAMES:
        for month in months:
            src = source.data_dir / frame / month / PART
            if src.is_file():
                (target.data_dir / frame / month).mkdir(parents=True, exist_ok=True)
                shutil.copy(src, target.data_dir / frame / month / PART)


def frames_equal(left: pd.DataFrame, right: pd.DataFrame, keys, what: str) -> None:
    assert list(left.columns) == list(right.columns), what
    assert len(left) == len(right), what
    left = left.sort_values(keys).reset_index(drop=True)
    right = right.sort_values(keys).reset_index(drop=True)
    for column in left.columns:
        a, b = left[column], right[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(
                b.to_numpy(float), a.to_numpy(float), rtol=1e-9, atol=1e-9, err_msg=f"{what}: {column}"
            )
        else:
            assert [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in a] == [
                None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in b
            ], f"{what}: {column}"


KEYS = {
    "vee_daily": ["meter_id", "reading_date"],
    "meter_months": ["meter_id", "month"],
    "area_supply_daily": ["area_code", "reading_date"],
    "area_daily": ["area_code", "reading_date"],
    "area_monthly": ["area_code", "month"],
    "line_monthly": ["line_code", "station_code", "month"],
    "quality": ["area_code", "reading_date", "quality_code"],
    "loss_corr": ["meter_id", "month"],
    "features": ["meter_id", "month"],
}


@pytest.fixture(scope="module")
def runs(county, tmp_path_factory):
    """(full rebuild's result, incremental store, the incremental runs' results by month)."""
    meters, store = county
    archive = {"meters": meters}
    full = monthly_run(store, archive, LAST, con=connect("duckdb"))
    inc = MeterStore(tmp_path_factory.mktemp("incremental"))
    results = {}
    for month in MONTHS:
        copy_months(store, inc, [month])
        results[month] = monthly_run(inc, archive, month, con=connect("duckdb"))
    return full, inc, results


def test_the_full_rebuild_validates_every_month_once_and_a_new_month_only_itself(runs):
    full, _, results = runs
    assert full["months_validated"] == MONTHS
    for month in MONTHS:
        assert results[month]["months_validated"] == [month]


def test_incremental_months_equal_a_full_rebuild(county, runs):
    meters, store = county
    full, inc, results = runs
    con = connect("duckdb")
    a, b = DerivedStore(store), DerivedStore(inc)
    for month in MONTHS:
        # the per-meter loss correlation only in the base of a month whose features a run made: the full
        # rebuild's last month (and every incremental month)
        frames = (*BASE_FRAMES, "loss_corr") if month == LAST else BASE_FRAMES
        assert a.path(month, "loss_corr").is_file() == (month == LAST), month
        assert b.path(month, "loss_corr").is_file(), month
        for frame in frames:
            left = con.execute(a.table(con, frame, [month]))
            right = con.execute(b.table(con, frame, [month]))
            assert len(left) > 0, f"{frame} {month} is empty: the test data miss a case"
            frames_equal(left, right, KEYS[frame], f"{frame} {month}")
    last = results[LAST]
    frames_equal(full["features"], last["features"], KEYS["features"], "features")
    for name in ("area_monthly_history", "line_monthly", "area_daily", "reading_rate_area", "customer_drops"):
        keys = [
            c
            for c in ("area_code", "line_code", "station_code", "meter_id", "month", "reading_date")
            if c in full[name].columns
        ]
        frames_equal(
            full[name].drop(columns=["causes"], errors="ignore"),
            last[name].drop(columns=["causes"], errors="ignore"),
            keys,
            name,
        )
    assert (
        full["area_monthly"]["causes"].map(len).tolist() == last["area_monthly"]["causes"].map(len).tolist()
    )
    suspects = ["meter_id", "score", "rule_score", "model_score", "rank_in_area"]
    frames_equal(full["suspects"][suspects], last["suspects"][suspects], ["meter_id"], "suspects")
    # the data exercise the run: flags, drops or events, estimated and flagged readings, history features
    assert full["area_monthly_history"]["flagged"].any()
    assert full["area_monthly"]["readings_estimated"].sum() > 0
    assert full["features"]["trend_per_month"].notna().any()
    assert full["features"]["theft_events_recent"].gt(0).any()


def test_features_from_the_monthly_history_equal_those_from_every_validated_day(county, runs):
    """The compact per-meter monthly rows give the features the daily rows of the whole history give."""
    meters, store = county
    full, _, _ = runs
    con = connect("duckdb")
    d = DerivedStore(store)
    energy = d.table(con, "vee_daily", MONTHS).select("meter_id", "reading_date", "energy_kwh")
    area_loss = d.table(con, "area_daily", MONTHS).select(
        "area_code", "reading_date", "supply_kwh", "loss_kwh"
    )
    start, end = month_bounds(LAST)
    from_days = customer_month_features(
        energy,
        ibis.memtable(meters),
        start,
        end,
        events=store.table(con, "events", MONTHS),
        curves=store.table(con, "curves", [LAST]),
        area_loss=area_loss,
        con=con,
    )
    frames_equal(con.execute(from_days), full["features"], KEYS["features"], "features from the days")


def test_fingerprints_reuse_fresh_months_and_recompute_stale_ones(county, tmp_path):
    meters, store = county
    archive = {"meters": meters}
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    con = connect("duckdb")
    first = monthly_run(mine, archive, LAST, con=con)
    assert first["months_validated"] == MONTHS
    d = DerivedStore(mine)
    stamps = {m: os.stat(d.path(m, "vee_daily")).st_mtime_ns for m in MONTHS}
    manifest = d.manifest("2025-05")
    assert set(manifest["base"]["daily"]) == {"daily/2025-04/part-0.parquet", "daily/2025-05/part-0.parquet"}

    # nothing changed, not forced: nothing validated again
    assert monthly_run(mine, archive, LAST, con=con, force=False)["months_validated"] == []
    # re-running the month replaces exactly its partition
    again = monthly_run(mine, archive, LAST, con=con)
    assert again["months_validated"] == [LAST]
    assert all(os.stat(d.path(m, "vee_daily")).st_mtime_ns == stamps[m] for m in MONTHS[:-1])
    assert os.stat(d.path(LAST, "vee_daily")).st_mtime_ns != stamps[LAST]

    # a raw partition re-imported (new size and time): that month's base is stale and recomputed, and
    # so is the month after it, whose VEE reads it as history; the others are reused
    daily = mine.read("daily", ["2025-05"])
    daily.loc[daily.index[:5], "register_total_kwh"] += 1.0
    mine.upsert("daily", daily)
    out = monthly_run(mine, archive, LAST, con=con, force=False)
    assert out["months_validated"] == ["2025-05", "2025-06"]
    # an archive change makes the month's own run recompute it; history months are kept
    changed = meters.assign(multiplier=meters["multiplier"] * 1.0 + (meters.index == 0))
    out = monthly_run(mine, {"meters": changed}, LAST, con=con, force=False)
    assert out["months_validated"] == [LAST]


def test_the_days_before_a_month_from_the_readings_tail_equal_those_read_again(county, tmp_path):
    """A month's VEE takes the days before it from the month before's readings tail (its own partition
    alone read): the same base as reading both months' raw partitions; a changed raw partition of those
    days, or a tail gone, makes it read them again; only the latest months keep a tail."""
    from gridcheck_analytics.monthly import TAILS_KEPT, MonthlyRun, canonical_meters

    meters, store = county
    archive = {"meters": meters}
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    con = connect("duckdb")
    monthly_run(mine, archive, LAST, con=con)
    d = DerivedStore(mine)
    tails = sorted(p.parent.name for p in d.root.glob("*/readings_tail.*.npy"))
    assert sorted(set(tails)) == MONTHS[-TAILS_KEPT:], tails  # the older ones pruned
    run = MonthlyRun(mine, canonical_meters(archive), con)
    days_before = run._rules(LAST)[0].history_days + 1  # the days VEE reads before the month
    first = month_bounds(LAST)[0] - dt.timedelta(days=days_before)
    k, prefix = run.known_readings(LAST, first)
    assert k == days_before and prefix and all(v.shape == (len(meters), k) for v in prefix.values())
    assert any(np.isfinite(v).any() for v in prefix.values())
    with_tail = {f: con.execute(d.table(con, f, [LAST])) for f in (*BASE_FRAMES, "loss_corr")}

    for path in d.root.glob(f"{MONTHS[-2]}/readings_tail.*.npy"):
        path.unlink()
    assert run.known_readings(LAST, first) is None
    assert monthly_run(mine, archive, LAST, con=con)["months_validated"] == [LAST]
    for frame, left in with_tail.items():
        right = con.execute(d.table(con, frame, [LAST]))
        assert len(left) > 0
        frames_equal(left, right, KEYS[frame], f"{frame} with and without the tail")
    assert list(d.root.glob(f"{LAST}/readings_tail.*.npy"))

    # the month before re-run: its tail again; then its raw partition changed: the tail no longer holds
    monthly_run(mine, archive, MONTHS[-2], con=con)
    assert run.known_readings(LAST, first) is not None
    daily = mine.read("daily", [MONTHS[-2]])
    daily.loc[daily.index[:5], "register_total_kwh"] += 1.0
    mine.upsert("daily", daily)
    assert run.known_readings(LAST, first) is None


def test_a_month_finishes_while_the_next_one_is_computed(county, tmp_path, monkeypatch):
    """``MonthlyRun.ensure_bases`` runs a month's finish (its files' writes, manifest and rename) in a
    thread while the next month is computed: here each history month's finish waits until the next month
    has started, which a run that finished each month before the next would never reach."""
    import threading

    from gridcheck_analytics.monthly import MonthlyRun, shift_month

    meters, store = county
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    started: dict[str, threading.Event] = {m: threading.Event() for m in MONTHS}
    compute = MonthlyRun._compute_base

    def overlapped(self, month, **kw):
        started[month].set()
        finish = compute(self, month, **kw)

        def later():
            following = shift_month(month, 1)
            if following in MONTHS[:-1]:  # the history months: computed in one ensure_bases call
                assert started[following].wait(60), f"{following} not started while {month} finished"
            finish()

        return later

    monkeypatch.setattr(MonthlyRun, "_compute_base", overlapped)
    out = monthly_run(mine, {"meters": meters}, LAST, con=connect("duckdb"))
    assert out["months_validated"] == MONTHS
    assert DerivedStore(mine).months() == MONTHS


def test_a_failed_month_finish_is_raised_with_every_lock_released(county, tmp_path, monkeypatch):
    """A month whose finish fails (its rename into place, here) while the next month is computed: the run
    raises that error, the month is not in place, no staging folder is left, every month's lock is
    released, and the next run computes the month."""
    import fcntl

    meters, store = county
    archive = {"meters": meters}
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    failing = MONTHS[2]
    replace = DerivedStore.replace_month

    def broken(self, month, staged):
        if month == failing:
            raise OSError("disk full")
        replace(self, month, staged)

    monkeypatch.setattr(DerivedStore, "replace_month", broken)
    con = connect("duckdb")
    with pytest.raises(OSError, match="disk full"):
        monthly_run(mine, archive, LAST, con=con)
    d = DerivedStore(mine)
    assert failing not in d.months() and set(MONTHS[:2]) <= set(d.months())
    assert not list(d.root.glob(".staging-*"))
    for month in MONTHS:  # the lock taken at once: no run holds it
        with open(d.root / ".locks" / f"{month}.lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    monkeypatch.undo()
    out = monthly_run(mine, archive, LAST, con=con, force=False)
    assert failing in out["months_validated"] and d.months() == MONTHS
    assert len(out["features"]) == meters["meter_id"].nunique()


def test_the_months_files_are_written_while_its_features_are_computed(county, tmp_path, monkeypatch):
    """The run's month (DuckDB) is put in place only after its features are computed: they read its
    validated days, monthly rows and loss correlation from memory, and its other tables from the staging
    folder.  Here the month's finish waits until its features have started, which a run that put the
    month in place before its features would never reach; the results equal those of a run that does not
    wait, and the loss results are read only once the month is in place."""
    import threading

    from gridcheck_analytics import monthly
    from gridcheck_analytics.monthly import MonthlyRun

    meters, store = county
    archive = {"meters": meters}
    plain = MeterStore(tmp_path / "plain")
    copy_months(store, plain, MONTHS)
    expected = monthly_run(plain, archive, LAST, con=connect("duckdb"))

    mine = MeterStore(tmp_path / "mine")
    copy_months(store, mine, MONTHS)
    featured = threading.Event()
    seen = {}
    compute_base, compute_features = MonthlyRun._compute_base, MonthlyRun._compute_features
    loss_results = monthly.loss_results

    def base(self, month, **kw):
        finish = compute_base(self, month, **kw)

        def later():
            if month == LAST:
                assert featured.wait(60), "the month's features not computed before it was put in place"
            finish()

        return later

    def features(self, month):
        seen["staged"] = self.derived.path(month, "area_daily").parent.name
        seen["in place"] = month in DerivedStore(mine).months()
        featured.set()
        compute_features(self, month)  # puts the month in place once its features are read

    def losses(run, month, **kw):
        seen["losses after"] = month in DerivedStore(mine).months()
        return loss_results(run, month, **kw)

    monkeypatch.setattr(MonthlyRun, "_compute_base", base)
    monkeypatch.setattr(MonthlyRun, "_compute_features", features)
    monkeypatch.setattr(monthly, "loss_results", losses)
    out = monthly_run(mine, archive, LAST, con=connect("duckdb"))
    assert seen == {"staged": seen["staged"], "in place": False, "losses after": True}
    assert seen["staged"].startswith(".staging-")
    assert DerivedStore(mine).months() == MONTHS and not list(DerivedStore(mine).root.glob(".staging-*"))
    key = ["meter_id", "month"]
    pd.testing.assert_frame_equal(
        out["features"].sort_values(key).reset_index(drop=True),
        expected["features"].sort_values(key).reset_index(drop=True),
        check_exact=False,
        rtol=1e-9,
    )
    for name in ("area_monthly", "line_monthly"):
        assert len(out[name]) == len(expected[name])
    manifest = DerivedStore(mine).manifest(LAST)
    assert manifest["rows"]["vee_daily"] == DerivedStore(plain).manifest(LAST)["rows"]["vee_daily"]
    assert manifest["rows"]["features"] == len(out["features"])


def test_a_month_whose_features_fail_is_still_put_in_place(county, tmp_path, monkeypatch):
    """The features of the run's month fail while its files are being written: the month's base is put
    in place all the same (its lock released, no staging folder left), no loss results are read, and the
    next run (not forced) computes only the features."""
    import fcntl

    from gridcheck_analytics import monthly
    from gridcheck_analytics.monthly import MonthlyRun

    meters, store = county
    archive = {"meters": meters}
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    called = []

    def broken(self, month):
        raise RuntimeError("features failed")

    monkeypatch.setattr(MonthlyRun, "_compute_features", broken)
    monkeypatch.setattr(monthly, "loss_results", lambda *a, **kw: called.append(a))
    with pytest.raises(RuntimeError, match="features failed"):
        monthly_run(mine, archive, LAST, con=connect("duckdb"))
    d = DerivedStore(mine)
    assert d.months() == MONTHS and not list(d.root.glob(".staging-*")) and not called
    assert all(d.path(LAST, frame).is_file() for frame in BASE_FRAMES)
    with open(d.root / ".locks" / f"{LAST}.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    monkeypatch.undo()
    out = monthly_run(mine, archive, LAST, con=connect("duckdb"), force=False)
    assert out["months_validated"] == []
    assert len(out["features"]) == meters["meter_id"].nunique()


def test_a_month_without_readings_is_refused(county, tmp_path):
    meters, store = county
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS[:2])
    with pytest.raises(ValueError, match="no daily readings"):
        monthly_run(mine, {"meters": meters}, "2025-09", con=connect("duckdb"))


def test_the_line_loss_run_is_the_same_on_pyspark(county, spark, tmp_path):
    """``run_monthly`` (the Django analysis' call) on Spark equals DuckDB: each computes its own derived
    store (VEE, loss, per-meter monthly rows of the month and its three months before)."""
    from gridcheck_analytics.pipeline import run_monthly

    meters, store = county
    results = {}
    for name, con in (("duckdb", connect("duckdb")), ("pyspark", spark)):
        mine = MeterStore(tmp_path / name)
        copy_months(store, mine, MONTHS)
        results[name] = run_monthly(mine, {"meters": meters}, LAST, con=con)
        assert DerivedStore(mine).months() == MONTHS[-4:]
    duck, spk = results["duckdb"], results["pyspark"]
    for name in (
        "area_monthly_history",
        "line_monthly",
        "area_daily",
        "reading_rate_area",
        "quality_summary",
    ):
        keys = [
            c
            for c in ("area_code", "line_code", "station_code", "month", "reading_date", "quality_code")
            if c in duck[name].columns
        ]
        frames_equal(
            duck[name].drop(columns=["causes"], errors="ignore"),
            spk[name].drop(columns=["causes"], errors="ignore"),
            keys,
            name,
        )
    assert duck["area_monthly"]["causes"].tolist() == spk["area_monthly"]["causes"].tolist()
    assert len(duck["area_monthly_history"]) == 4 * duck["area_monthly"]["area_code"].nunique()


def test_features_without_area_meters_have_no_area_loss(county, tmp_path):
    from gridcheck_analytics.month_features import month_features

    meters, store = county
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    shutil.rmtree(tmp_path / "area_meter")
    features = month_features(mine, {"meters": meters}, LAST, con=connect("duckdb"))
    assert len(features) == meters["meter_id"].nunique()
    assert features["area_loss_rate_percent"].isna().all() and features["mean_kwh"].notna().all()
    assert DerivedStore(mine).manifest(LAST)["base"]["area_meter"] == {}


def test_the_detection_features_after_the_line_loss_run_validate_no_month_again(
    county, tmp_path, monkeypatch
):
    """The Django analysis (``run_monthly``) then detection (``score_month`` → ``month_features``): each
    month's VEE runs once; the features validate only the history months the loss run did not need."""
    from gridcheck_analytics.month_features import month_features
    from gridcheck_analytics.monthly import MonthlyRun
    from gridcheck_analytics.pipeline import run_monthly

    meters, store = county
    mine = MeterStore(tmp_path)
    copy_months(store, mine, MONTHS)
    validated = []
    compute = MonthlyRun._compute_base
    monkeypatch.setattr(
        MonthlyRun,
        "_compute_base",
        lambda self, month, **kw: (validated.append(month), compute(self, month, **kw))[1],
    )
    con = connect("duckdb")
    run_monthly(mine, {"meters": meters}, LAST, con=con)
    assert validated == MONTHS[-4:]  # the month and its three history months
    features = month_features(mine, {"meters": meters}, LAST, con=con)
    assert validated == MONTHS[-4:] + MONTHS[:2]  # then only the older months the features read
    assert len(features) == meters["meter_id"].nunique()
    month_features(mine, {"meters": meters}, LAST, con=con)
    assert len(validated) == len(MONTHS)


def test_the_features_frame_by_arrow_equals_ibis_execute(county, runs):
    """``monthly.frame_of`` (the features read back by Arrow) gives the frame ``con.execute`` gives: the
    same columns, dtypes (dates as datetime64), values and nulls; so does the run's own frame (the Arrow
    table it wrote the file from)."""
    from gridcheck_analytics.monthly import frame_of

    _, store = county
    con = connect("duckdb")
    table = DerivedStore(store).table(con, "features", [LAST])
    want, got = con.execute(table), frame_of(con, table)
    assert want["last_event_date"].notna().any() and want.isna().any().any()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # the run's frame, from the Arrow table it wrote (not read back), is the stored file's
    pd.testing.assert_frame_equal(runs[0]["features"], want, check_exact=True)


def test_validated_days_equal_validate_daily(county, runs):
    """The month's VEE on DuckDB (``quality.validated_days``: the codes in NumPy, one Arrow table) gives
    the rows of ``quality.validate_daily`` (the Ibis CASE after the kernel, as on Spark), every month of
    the county: the same energy and quality codes, the codes of theft, faults and missing days among them."""
    from gridcheck_analytics.quality import validate_daily, validated_days

    meters, store = county
    con = connect("duckdb")
    d = DerivedStore(store)
    m = ibis.memtable(meters)
    codes = set()
    for month in MONTHS:
        start, end = month_bounds(month)
        daily = store.table(con, "daily", [x for x in MONTHS if x <= month])
        supply = d.table(con, "area_supply_daily", [month])
        days, keys, _ = validated_days(daily, m, start, end, area_supply=supply, con=con)
        days = days.set_column(0, "meter_id", days["meter_id"].cast(pa.string()))
        assert days.column_names == ["meter_id", "reading_date", "energy_kwh", "quality_code"]
        got = days.to_pandas()
        # every keyed meter's days in the keys' order, each meter's days together and in date order
        n_days = (end - start).days + 1
        assert got["meter_id"].tolist() == [x for x in keys["meter_id"].to_pylist() for _ in range(n_days)]
        assert got["reading_date"].tolist() == [start + dt.timedelta(days=i) for i in range(n_days)] * len(
            keys
        )
        want = validate_daily(daily, m, start, end, area_supply=supply, con=con)
        want = con.execute(want.select("meter_id", "reading_date", "energy_kwh", "quality_code"))
        want["reading_date"] = want["reading_date"].dt.date
        frames_equal(want, got, KEYS["vee_daily"], f"validated days {month}")
        codes |= set(got["quality_code"])
    assert {"valid", "missing", "estimated", "stopped", "sudden_rise", "sudden_drop"} <= codes, codes


def test_the_monthly_rows_of_the_grid_equal_monthly_consumption(county, runs):
    """``meter_months`` in NumPy from the month's days as a matrix (the DuckDB run) equals
    ``features.monthly_consumption`` over the stored validated days (as on Spark), every month."""
    from gridcheck_analytics.features import monthly_consumption
    from gridcheck_analytics.features.meter_months import monthly_consumption_of_grid

    _, store = county
    con = connect("duckdb")
    d = DerivedStore(store)
    zero_days = 0
    for month in MONTHS:
        days = con.execute(d.table(con, "vee_daily", [month]))
        want = con.execute(monthly_consumption(ibis.memtable(days)))
        grid = days.pivot(index="meter_id", columns="reading_date", values="energy_kwh").sort_index(axis=1)
        ids = pa.array(grid.index.to_numpy(object), pa.string())
        got = monthly_consumption_of_grid(ids, grid.to_numpy(float), month_bounds(month)[0]).to_pandas()
        assert list(got.columns) == list(want.columns)
        frames_equal(want, got, KEYS["meter_months"], f"meter months {month}")
        assert want["weekend_mean_kwh"].notna().all() and want["std_kwh"].gt(0).any()
        zero_days += int(want["zero_days"].sum())
    assert zero_days > 0


def test_the_loss_correlation_of_the_grid_equals_the_sql_definition(county, runs):
    """``loss_corr`` in NumPy from the month's days as a matrix (the DuckDB base) equals the SQL
    definition (``features.meter_months._loss_correlation``, as on Spark) every month of the county, and
    on made-up days: a constant series (NaN, as DuckDB's ``corr`` of a zero deviation), fewer than 7 days
    (null), a meter without an area or whose area has no loss (no row)."""
    from gridcheck_analytics.features.meter_months import _loss_correlation, loss_correlation_of_grid

    meters, store = county
    con = connect("duckdb")
    d = DerivedStore(store)
    m = ibis.memtable(meters)
    area_of = dict(zip(meters["meter_id"], meters["area_code"], strict=True))

    def both(days: pd.DataFrame, area_daily: pd.DataFrame, month: str):
        start, end = month_bounds(month)
        want = con.to_pyarrow(
            _loss_correlation(ibis.memtable(area_daily), ibis.memtable(days), m, start, end)
        )
        grid = days.pivot(index="meter_id", columns="reading_date", values="energy_kwh")
        grid = grid.reindex(columns=pd.date_range(start, end).date)
        loss = area_daily.pivot(index="area_code", columns="reading_date", values="loss_kwh")
        loss = loss.reindex(columns=grid.columns)
        loss = loss.reindex([area_of.get(i) for i in grid.index]).to_numpy(float)
        ids = pa.array(grid.index.to_numpy(object), pa.string())
        got = loss_correlation_of_grid(ids, grid.to_numpy(float), loss, start)
        frames_equal(want.to_pandas(), got.to_pandas(), ["meter_id", "month"], f"loss correlation {month}")

        def null_and_nan(t):  # which meters have a null, which a NaN (DuckDB keeps them apart)
            c = t["loss_corr"]
            ids = t["meter_id"].to_pylist()
            nan = pc.fill_null(pc.is_nan(c), False).to_pylist()
            return {i for i, v in zip(ids, c.is_null().to_pylist(), strict=True) if v}, {
                i for i, v in zip(ids, nan, strict=True) if v
            }

        assert null_and_nan(want) == null_and_nan(got)
        return want.to_pandas(), null_and_nan(want)

    for month in MONTHS:
        days = con.execute(d.table(con, "vee_daily", [month]))
        days["reading_date"] = days["reading_date"].dt.date
        area_daily = con.execute(d.table(con, "area_daily", [month]))
        area_daily["reading_date"] = area_daily["reading_date"].dt.date
        want, _ = both(days, area_daily, month)
        assert want["loss_corr"].notna().sum() > 10

    # made-up days: four meters of the county's first area, one of an area with no loss rows
    ids = meters["meter_id"].tolist()
    first_area = meters["area_code"].iloc[0]
    same = [i for i in ids if area_of[i] == first_area][:4]
    other = next(i for i in ids if area_of[i] != first_area)
    dates = pd.date_range("2025-06-01", "2025-06-30").date
    rng = np.random.default_rng(3)
    rows = []
    for k, meter in enumerate([*same, other]):
        for j, day in enumerate(dates):
            energy = {0: 5.0, 1: rng.uniform(1, 9), 2: rng.uniform(1, 9) if j < 6 else np.nan}.get(k, j * 0.5)
            rows.append((meter, day, energy))
    days = pd.DataFrame(rows, columns=["meter_id", "reading_date", "energy_kwh"])
    area_daily = pd.DataFrame(
        {
            "area_code": first_area,
            "reading_date": dates,
            "supply_kwh": 100.0,
            "loss_kwh": [np.nan if j % 5 == 0 else 10.0 + np.sin(j) for j in range(len(dates))],
        }
    )
    want, (null, nan) = both(days, area_daily, "2025-06")
    want = want.set_index("meter_id")["loss_corr"]
    assert other not in want.index  # its area has no loss
    assert nan == {same[0]} and null == {same[2]}  # constant: NaN; 6 days (5 with loss): null
    assert want[[same[1], same[3]]].abs().gt(0).all()


def test_customer_drops_from_the_large_customers_equal_the_window_over_every_meter():
    """``customer_drops_from_months`` sends only the meters with a large month through the window: the
    drops of the window over every meter's months (the definition), a drop after a gap, a large month
    last (no drop), a meter outside the archive and small customers' falls (no drops) among them."""
    from gridcheck_analytics.monthly import customer_drops_from_months
    from gridcheck_analytics.thresholds import LineLossRules

    rules = LineLossRules.in_force(dt.date(2025, 8, 31))
    low, fraction = rules.large_customer_min_kwh, rules.large_customer_drop_fraction
    rows = []
    for i in range(40):  # small customers falling to almost nothing: no drops
        rows += [
            (f"S{i:03d}", month, low * 0.5 if month < 202506 else 1.0) for month in (202504, 202505, 202506)
        ]
    rows += [("L1", 202504, low * 2), ("L1", 202505, low * 2 * fraction * 0.5), ("L1", 202506, low * 3)]
    rows += [("L2", 202504, low * 4), ("L2", 202506, 1.0)]  # a drop after a month without readings
    rows += [("L3", 202504, 1.0), ("L3", 202506, low * 5)]  # large last: no drop
    rows += [("X9", 202504, low * 9), ("X9", 202505, 0.0)]  # not in the archive
    mm = pd.DataFrame(rows, columns=["meter_id", "month", "sum_kwh"])
    meters = pd.DataFrame({"meter_id": sorted(set(mm.meter_id) - {"X9"})}).assign(area_code="A1")
    con = connect("duckdb")
    got = con.execute(customer_drops_from_months(ibis.memtable(mm), ibis.memtable(meters), rules))
    m = ibis.memtable(mm).select("meter_id", "month", energy_kwh="sum_kwh")
    m = m.inner_join(ibis.memtable(meters), "meter_id").select("meter_id", "area_code", "month", "energy_kwh")
    m = m.mutate(
        previous_energy_kwh=m.energy_kwh.lag().over(ibis.window(group_by="meter_id", order_by="month"))
    )
    want = con.execute(
        m.filter((m.previous_energy_kwh >= low) & (m.energy_kwh < fraction * m.previous_energy_kwh))
    )
    frames_equal(want, got, ["meter_id", "month"], "customer drops")
    assert sorted(got["meter_id"]) == ["L1", "L2"]


def test_the_archive_digest_is_the_rows_in_any_order(county):
    from gridcheck_analytics.monthly import archive_digest

    meters, _ = county
    digest = archive_digest(meters)
    assert archive_digest(meters.sample(frac=1.0, random_state=3).reset_index(drop=True)) == digest
    changed = meters.copy()
    changed.loc[changed.index[7], "multiplier"] = changed["multiplier"].iloc[7] + 1.0
    assert archive_digest(changed) != digest
    assert archive_digest(meters.iloc[1:]) != digest
    assert archive_digest(meters.assign(phases=meters["phases"].astype("float64"))) != digest
    assert archive_digest(meters.iloc[:0]) != digest and archive_digest(meters.iloc[:, :0]) == archive_digest(
        meters.iloc[:, :0]
    )


def test_the_big_tables_written_in_parts_read_as_one(county, runs, tmp_path, monkeypatch):
    """``vee_daily`` and ``features`` written as files side by side (Arrow's writer, one core each) read
    back as the one table; a month re-run in one file each leaves no part of the earlier run behind."""
    import gridcheck_analytics.monthly as monthly
    import gridcheck_analytics.quality as quality

    meters, store = county
    full, _, _ = runs
    target = MeterStore(tmp_path / "parts")
    copy_months(store, target, MONTHS)
    monkeypatch.setattr(monthly, "ROW_GROUP_ROWS", 10)  # the test's tables count as big
    # vee_daily: a row group per block of meters, each block's ids one dictionary
    monkeypatch.setattr(quality, "METERS_PER_BLOCK", 3)
    got = monthly_run(target, {"meters": meters}, LAST, con=connect("duckdb"))
    con = connect("duckdb")
    a, d = DerivedStore(store), DerivedStore(target)
    for frame in ("vee_daily", "features"):
        files = d.files(LAST, frame)
        assert len(files) == monthly.WRITER_THREADS > 1, frame
        assert all(pq.ParquetFile(f).metadata.num_rows > 0 for f in files), frame
        left = con.execute(a.table(con, frame, [LAST]))
        frames_equal(left, con.execute(d.table(con, frame, [LAST])), KEYS[frame], frame)
    days = month_bounds(LAST)[1].day
    groups = [pq.ParquetFile(f).metadata for f in d.files(LAST, "vee_daily")]
    sizes = [m.row_group(i).num_rows for m in groups for i in range(m.num_row_groups)]
    assert sizes[:-1] == [3 * days] * (len(sizes) - 1) and 0 < sizes[-1] <= 3 * days
    # the min and max of the column that readers filter on (a span of days) only; the date plain, the
    # others dictionary-encoded; only the energy may be null (no definition levels for the others)
    columns = [groups[0].row_group(0).column(i) for i in range(4)]
    stats = {c.path_in_schema: c.is_stats_set for c in columns}
    assert stats == {"meter_id": False, "reading_date": True, "energy_kwh": False, "quality_code": False}
    dictionary = {c.path_in_schema: "RLE_DICTIONARY" in c.encodings for c in columns}
    assert dictionary == {"meter_id": True, "reading_date": False, "energy_kwh": True, "quality_code": True}
    schema = groups[0].schema
    required = {schema.column(i).name: schema.column(i).max_definition_level == 0 for i in range(4)}
    assert required == {"meter_id": True, "reading_date": True, "energy_kwh": False, "quality_code": True}
    frames_equal(full["features"], got["features"], KEYS["features"], "features")
    suspects = ["meter_id", "score", "estimated_loss_kwh", "rank_in_area"]
    frames_equal(full["suspects"][suspects], got["suspects"][suspects], ["meter_id"], "suspects")
    monkeypatch.setattr(monthly, "ROW_GROUP_ROWS", 122_880)
    monkeypatch.setattr(quality, "METERS_PER_BLOCK", 25_000)
    monthly_run(target, {"meters": meters}, LAST, con=connect("duckdb"))  # the month again (forced)
    for frame in ("vee_daily", "features"):
        assert d.files(LAST, frame) == [d.path(LAST, frame)], frame
        assert len(con.execute(d.table(con, frame, [LAST]))) == len(con.execute(a.table(con, frame, [LAST])))


def test_the_meter_order_digest_of_a_month(county, runs):
    """Each base records the digest of its monthly rows' meter ids in order (the same for the months of
    one archive); the digest is of the ids in order, whatever their chunks."""
    from gridcheck_analytics.monthly import ids_digest

    _, store = county
    d = DerivedStore(store)
    orders = {m: d.manifest(m)["meter_order"] for m in MONTHS}
    assert len(set(orders.values())) == 1, orders
    ids = pq.read_table(d.path(LAST, "meter_months"), columns=["meter_id"])["meter_id"]
    assert ids_digest(ids) == orders[LAST]
    flat = ids.combine_chunks()
    assert ids_digest(pa.chunked_array([flat.slice(0, 7), flat.slice(7)])) == orders[LAST]
    assert ids_digest(flat.slice(1)) != orders[LAST]
    assert ids_digest(pc.take(flat, pa.array(np.r_[1, 0, 2 : len(flat)]))) != orders[LAST]
    assert ids_digest(pa.array(["M1", None])) is None


@pytest.mark.parametrize("rows", [0, 1, 9])
def test_the_suspects_file_is_the_frame_with_its_reasons_as_json(tmp_path, rows):
    """``suspects.parquet`` written in pieces (JSON made while the piece before is written) reads back as
    the frame with each row's reasons as JSON text; a piece of nulls keeps the column's type."""
    import json

    from gridcheck_analytics.monthly_job import _write_suspects

    ranked = pd.DataFrame(
        {
            "account_number": pd.array([None] * min(rows, 3) + [f"C{i}" for i in range(3, rows)], "string"),
            "meter_id": pd.array([f"M{i}" for i in range(rows)], "string"),
            "score": np.linspace(1, 0, rows),
            "rank_in_area": np.arange(1, rows + 1, dtype=np.int64),
            "reasons": [
                [{"code": "x", "text": "用电异常", "value": i}] if i % 2 else [] for i in range(rows)
            ],
        }
    )
    _write_suspects(ranked, tmp_path / "s.parquet", pieces=3)
    got = pd.read_parquet(tmp_path / "s.parquet")
    want = ranked.assign(
        reasons=[json.dumps(r, ensure_ascii=False) if r else "[]" for r in ranked["reasons"]]
    )
    assert got["reasons"].tolist() == want["reasons"].tolist()
    assert got["meter_id"].tolist() == want["meter_id"].tolist()
    assert got["account_number"].isna().tolist() == want["account_number"].isna().tolist()
    assert got["score"].tolist() == want["score"].tolist()
    assert pq.read_schema(tmp_path / "s.parquet").field("account_number").type in (
        pa.string(),
        pa.large_string(),
    )


def test_a_history_month_scored_later_computes_its_loss_correlation_by_sql(county, runs, tmp_path):
    """A month validated as history (its base without ``loss_corr``) and then scored without a forced
    base: the features compute the correlation by SQL, the same as a base that has it."""
    meters, store = county
    _, _, results = runs
    month = MONTHS[-2]
    mine = MeterStore(tmp_path / "copy")
    shutil.copytree(store.data_dir, mine.data_dir)
    assert not DerivedStore(mine).path(month, "loss_corr").is_file()
    got = monthly_run(mine, {"meters": meters}, month, con=connect("duckdb"), force=False)
    assert got["months_validated"] == []
    assert got["features"]["loss_corr"].notna().any()
    frames_equal(results[month]["features"], got["features"], KEYS["features"], "features")
