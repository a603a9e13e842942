"""The monthly run in one pass, month by month, with its shared intermediate results in the Parquet store.

VEE runs once per month; its validated series feed the line loss, the reading rates and the per-meter
monthly history, and (from those) the detection features.  Nothing validates a month twice: the
results of a month live in the derived part of the meter store with the fingerprint of their inputs,
and a later run (the next month, the detection run after the line-loss run, the training of the model)
reads them as long as the fingerprint holds.

Layout (beside the raw frames of :class:`~gridcheck_analytics.store.MeterStore`)::

    <data_dir>/derived/<YYYY-MM>/manifest.json          fingerprints, row counts
    <data_dir>/derived/<YYYY-MM>/vee_daily.parquet      validated daily energy per meter-day (meter_id,
                                                        reading_date, energy_kwh, quality_code); a big
                                                        month also has vee_daily.1.parquet (the files
                                                        written side by side: :meth:`DerivedStore.files`)
    <data_dir>/derived/<YYYY-MM>/meter_months.parquet   per meter: the month's aggregates (the history)
    <data_dir>/derived/<YYYY-MM>/loss_corr.parquet      per meter: the correlation of its daily energy
                                                        with its area's daily loss (a feature; DuckDB
                                                        only, from the kernel's matrix, and only in the
                                                        base of a month whose features the run made:
                                                        where absent, the features compute it by SQL)
    <data_dir>/derived/<YYYY-MM>/area_supply_daily.parquet, area_daily.parquet, area_monthly.parquet,
                                 line_monthly.parquet, quality.parquet    (loss, reading counts)
    <data_dir>/derived/<YYYY-MM>/readings_tail.<input>.npy   the raw readings of the month's last
                                                        ``vee.history_days`` + 1 days as the VEE kernel
                                                        took them (meters x days, DuckDB only): the next
                                                        month reads only its own days where they hold
                                                        (:meth:`MonthlyRun.known_readings`; kept for the
                                                        latest months only)
    <data_dir>/derived/<YYYY-MM>/features.parquet       the month's customer-month features
    <data_dir>/derived/<YYYY-MM>/suspects.parquet       the month's scored customers (last scoring)

A month's *base* (VEE and everything computed from its validated days) depends on the raw daily and
area-meter partitions its VEE reads (the month and the ``vee.history_days`` + 1 days before it: nothing
after the month's last day, so a month's results are final when computed and a new month never changes
an earlier one), the rules in force on its last day, the archive and :data:`VERSION`.  Its *features*
depend on the bases of the month and of the twelve months before it (:attr:`FeatureRules.trend_months`,
:attr:`FeatureRules.year_over_year_months`: the per-meter monthly rows, not the daily ones; the daily
rows only of the few meters with theft-type events, for the mean before the event), the month's events
and curves.  The fingerprint of a raw file is its size and modification time; of a derived month, the
digest of its base fingerprint.  A stale fingerprint (a raw partition re-imported, the rules or this
code changed) makes the next run recompute that month.  History months are reused whatever the archive
is now (a month is analysed with the archive of its time); the month a run is *for* is recomputed when
the archive changed, and always with ``force`` (re-running a month).

Each month is written into a staging folder and renamed into place as a whole (under a per-month lock,
as the raw store does): re-running a month replaces exactly that month's partition.  The run's own month
(DuckDB) is renamed once its features are computed: they read its tables from memory and from the staging
folder while its biggest file, ``vee_daily``, is still being written (:meth:`MonthlyRun.ensure_bases`'
``defer``); other processes see the month only once it is in place.

Entry points: :func:`gridcheck_analytics.monthly_job.monthly_run` (the whole run: loss, flags, features,
rules, scoring, suspects), :func:`run_month` (the same up to the features) and :func:`month_features` (a
month's features, computing what is missing); all take any Ibis connection (DuckDB or PySpark) and
return pandas frames.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gridcheck_analytics import kernels, lineloss, quality
from gridcheck_analytics.backends import connect, read_parquet, sibling
from gridcheck_analytics.schema import QualityCode
from gridcheck_analytics.thresholds import LineLossRules, VeeRules

#: Version of the derived frames' definitions: a month computed by another version is recomputed
#: (2: ``vee_daily`` without the area, line and station codes).
VERSION = 2
DERIVED = "derived"
MANIFEST = "manifest.json"
#: Frames of a month's base (VEE and what is computed from its validated days).
BASE_FRAMES = (
    "vee_daily",
    "meter_months",
    "area_supply_daily",
    "area_daily",
    "area_monthly",
    "line_monthly",
    "quality",
)
#: A base frame written on DuckDB only (from the kernel's matrix of the month's days): the features read
#: it where it is and compute the same values by SQL where not (Spark, or a month stored before it).
LOSS_CORR = "loss_corr"
#: Meters per bucket of the features' first stage in a month's run (one month, its history from the
#: stored monthly rows): at 1,000,000 meters one bucket peaks at 1.4 GB and costs 1.3 s less CPU than
#: the five of :data:`gridcheck_analytics.features.METERS_PER_BUCKET` (each bucket scans the month's
#: files again); a span of months (training, from the daily rows) keeps the smaller buckets.
MONTH_METERS_PER_BUCKET = 1_000_000
#: Rows per row group of the Parquet files written by Arrow's writer (DuckDB's own default).
ROW_GROUP_ROWS = 122_880
#: Files written side by side for the month's big tables (``vee_daily``, ``features``): Arrow's writer
#: encodes one file on one core.
WRITER_THREADS = 2
#: Version of the readings tail's layout (``readings_tail`` in a month's manifest).
TAIL_VERSION = 1
#: Readings tails written: those of the latest months of the raw store (the next month's run and a re-run
#: of the latest month take them from there; older ones are deleted); a month computed as history in a
#: run hands its tail to the next month in memory, and a month re-run later reads the days before it
#: from the raw store again.
TAILS_KEPT = 2
_NOT_READ = (QualityCode.MISSING.value, QualityCode.ESTIMATED.value)
_AREA_KEYS = ["area_code", "line_code", "station_code"]
#: ``area_supply_daily`` (:func:`lineloss.area_supply_daily`) of a month without area meters.
_SUPPLY_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("reading_date", pa.date32()),
        ("supply_kwh", pa.float64()),
        ("supply_quality_code", pa.string()),
        ("imbalance_rate", pa.float64()),
    ]
)


# -- months -------------------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``."""
    p = pd.Period(month, freq="M")
    return p.start_time.date(), p.end_time.date()


def _month_index(month: str) -> int:
    """``YYYY-MM`` as the monthly rows' ``month_index`` (year x 12 + month - 1)."""
    year, m = map(int, month.split("-"))
    return year * 12 + m - 1


def shift_month(month: str, k: int) -> str:
    """``month`` moved by ``k`` months."""
    return str(pd.Period(month, freq="M") + k)


def months_between(first: dt.date, last: dt.date) -> list[str]:
    """The months (``YYYY-MM``) that the days ``first``..``last`` touch."""
    return [str(p) for p in pd.period_range(first, last, freq="M")]


# -- fingerprints -------------------------------------------------------------------------------------


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def rules_print(*rules) -> dict:
    """The rule values as JSON-able dicts, by class."""
    return {type(r).__name__: dataclasses.asdict(r) for r in rules}


def archive_digest(meters: pd.DataFrame) -> str:
    """Digest of the canonical meters frame: its columns, their types and its rows, in any row order.

    One hash per row (DuckDB's ``hash`` of every column's values, in its threads: a third of pandas'
    ``hash_pandas_object`` for 1,000,000 meters) and the sorted row hashes digested: the same frame in
    another row order has the same digest.  (Another DuckDB version may hash otherwise: the month a run
    is for is then computed again once.)
    """
    import duckdb

    if len(meters.columns):
        con = duckdb.connect()
        try:
            con.register("meters_frame", meters)
            values = ", ".join('"' + str(c).replace('"', '""') + '"' for c in meters.columns)
            hashed = con.execute(f"SELECT hash({values}) AS h FROM meters_frame ORDER BY h").fetchnumpy()["h"]
        finally:
            con.close()
    else:
        hashed = np.zeros(0, dtype=np.uint64)
    hashed = np.ascontiguousarray(hashed, dtype=np.uint64)
    columns = ",".join(f"{c}:{meters[c].dtype}" for c in meters.columns)
    return hashlib.sha256(hashed.tobytes() + columns.encode()).hexdigest()[:20]


class _StagedBase(NamedTuple):
    """A month's base in its staging folder, its ``vee_daily`` still being written (:meth:`MonthlyRun._defer`)."""

    folder: Path
    manifest: dict
    #: the tables being written, in memory: vee_daily (meter_id, reading_date, energy_kwh), meter_months
    #: and LOSS_CORR (where computed)
    tables: dict[str, pa.Table]


class _Deferred(NamedTuple):
    """The month whose base is being written while its features are computed (:meth:`MonthlyRun.settle`)."""

    month: str
    finish: Callable[[], None]
    lock: contextlib.ExitStack
    tables: dict[str, pa.Table]  # :attr:`_StagedBase.tables`


class DerivedStore:
    """The derived, per-month part of a :class:`~gridcheck_analytics.store.MeterStore` (module docstring)."""

    def __init__(self, store):
        self.store = store
        self.root = Path(store.data_dir) / DERIVED
        # months read from their staging folder, not yet in place ({month: (folder, manifest)}): the
        # month whose base is still being written while its features are computed (:meth:`MonthlyRun.settle`)
        self._staged: dict[str, tuple[Path, dict]] = {}

    def path(self, month: str, frame: str) -> Path:
        staged = self._staged.get(month)
        return (staged[0] if staged else self.root / month) / f"{frame}.parquet"

    def stage_month(self, month: str, folder: Path | None, manifest: dict | None = None) -> None:
        """Read ``month`` from its staging ``folder`` (its manifest ``manifest``) in this process, until
        called again with ``folder`` None (before the folder is renamed into place)."""
        if folder is None:
            self._staged.pop(month, None)
        else:
            self._staged[month] = (folder, manifest)

    def manifest(self, month: str) -> dict | None:
        staged = self._staged.get(month)
        if staged:
            return json.loads(json.dumps(staged[1], default=str))  # a copy, as read from a file
        try:
            return json.loads((self.root / month / MANIFEST).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def months(self) -> list[str]:
        """Months with a base, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / MANIFEST).is_file())

    def files(self, month: str, frame: str) -> list[Path]:
        """The frame's files of the month: :meth:`path`, and the parts written beside it in parallel
        (``<frame>.<n>.parquet``, :func:`_write_arrow_parts`); none where the month lacks the frame."""
        first = self.path(month, frame)
        if not first.is_file():
            return []
        return [first, *sorted(first.parent.glob(f"{frame}.[0-9]*.parquet"))]

    def table(self, con, frame: str, months):
        """The frame of ``months`` (those that have it) as one Ibis table on ``con``; ``None`` if none."""
        paths = [str(path) for m in months for path in self.files(m, frame)]
        return read_parquet(con, paths) if paths else None

    def raw_print(self, frame: str, months) -> dict:
        """Size and modification time of the raw partitions of ``months`` (the fingerprint of inputs)."""
        out = {}
        for p in self.store.paths(frame, months):
            st = os.stat(p)
            out[os.path.relpath(p, self.store.data_dir)] = [st.st_size, st.st_mtime_ns]
        return out

    @contextlib.contextmanager
    def locked(self, month: str) -> Iterator[None]:
        """The exclusive lock of a month's partition (held while it is computed and renamed into place)."""
        lock_dir = self.root / ".locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_dir / f"{month}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def staging(self) -> Path:
        path = self.root / f".staging-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        return path

    def replace_month(self, month: str, staged: Path) -> None:
        """Put the staged folder in place of the month's partition (the old one removed after)."""
        target = self.root / month
        trash = self.root / f".trash-{uuid.uuid4().hex}"
        if target.exists():
            os.replace(target, trash)
        try:
            os.replace(staged, target)
        except BaseException:
            if trash.exists():
                os.replace(trash, target)
            raise
        shutil.rmtree(trash, ignore_errors=True)

    def write_manifest(self, month: str, manifest: dict) -> None:
        tmp = self.root / month / f".{MANIFEST}.{uuid.uuid4().hex}"
        tmp.write_text(json.dumps(manifest, sort_keys=True, indent=1, default=str))
        os.replace(tmp, self.root / month / MANIFEST)


def write_frame(con, expr, path: Path) -> int:
    """Write an Ibis table to one Parquet file (DuckDB: its own writer; others: streamed Arrow batches)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if con.name == "duckdb":
        con.to_parquet(expr, path)
        return pq.ParquetFile(path).metadata.num_rows
    rows = 0
    batches = con.to_pyarrow_batches(expr)
    with pq.ParquetWriter(path, batches.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


# -- one month ----------------------------------------------------------------------------------------


class MonthlyRun:
    """The months of one run: which are fresh, computing those that are not, reading their frames.

    Parameters
    ----------
    store : MeterStore
        The meter-data store (raw frames; the derived ones go under it).
    meters : pandas.DataFrame
        Canonical meters.
    con : ibis connection
        DuckDB or PySpark.
    vee_rules : VeeRules, optional
        VEE thresholds for every month; by default the rows in force on each month's last day.
    """

    def __init__(self, store, meters: pd.DataFrame, con, *, vee_rules: VeeRules | None = None):
        self.store = store
        self.derived = DerivedStore(store)
        self.meters_pd = meters
        self.meters = ibis.memtable(meters)
        self.con = con
        self.vee_rules = vee_rules
        self.archive = archive_digest(meters)
        self.timings: dict[str, float] = {}
        self.validated: list[str] = []
        self._computed_features: dict[str, pd.DataFrame] = {}  # the features just written (DuckDB), by month
        # the readings tail of the month computed last (month, manifest entry, matrices): the next month
        # of the run takes it from memory (a history month's tail is not written: only the latest's are)
        self._tail_kept: tuple[str, dict, dict] | None = None
        self._keyed_meters: pa.Table | None = None
        self._id_lookup: tuple | None = None
        self._area_combos: tuple | None = None
        # the featured month's base computed last (DuckDB): its staging folder, manifest and the tables
        # being written, in memory, for ensure_bases(defer=True)
        self._staged_base: _StagedBase | None = None
        # the month whose base is being written while its features are computed; put in place by
        # settle(), which then calls the callbacks of when_settled()
        self._deferred: _Deferred | None = None
        self._on_settled: list[Callable[[], None]] = []

    def _combos(self, keys: pa.Table) -> tuple[np.ndarray, pa.Table]:
        """:func:`_area_combos` of ``keys``, the keys of :meth:`_keyed` (every month the same): once per
        run."""
        if self._area_combos is None:
            self._area_combos = _area_combos(keys)
        return self._area_combos

    def _keyed(self) -> pa.Table:
        """:func:`quality.keyed_meters` of the run's meters, once per run (every month the same)."""
        if self._keyed_meters is None:
            self._keyed_meters = quality.keyed_meters(self.meters, self.con)
        return self._keyed_meters

    def _meter_id_lookup(self):
        """:func:`quality.meter_id_lookup` of :meth:`_keyed`, once per run."""
        if self._id_lookup is None:
            self._id_lookup = (quality.meter_id_lookup(self._keyed()),)
        return self._id_lookup[0]

    def _time(self, stage: str, t0: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - t0
        return now

    # fingerprints
    def _rules(self, month: str):
        from gridcheck_analytics.features import FeatureRules

        end = month_bounds(month)[1]
        return self.vee_rules or VeeRules.in_force(end), FeatureRules.in_force(end)

    def _window(self, month: str) -> list[str]:
        vee_rules, _ = self._rules(month)
        start, end = month_bounds(month)
        return months_between(start - dt.timedelta(days=vee_rules.history_days + 1), end)

    def base_print(self, month: str) -> dict:
        window = self._window(month)
        return {
            "version": VERSION,
            "month": month,
            "rules": rules_print(*self._rules(month)),
            "daily": self.derived.raw_print("daily", window),
            "area_meter": self.derived.raw_print("area_meter", window),
        }

    def base_fresh(self, month: str, *, archive: bool) -> bool:
        m = self.derived.manifest(month)
        if m is None or m.get("base_digest") != _digest(self.base_print(month)):
            return False
        if archive and m.get("archive") != self.archive:
            return False
        return all(self.derived.path(month, f).is_file() for f in BASE_FRAMES)

    def history_months(self, month: str, back: int) -> list[str]:
        """The ``back`` months before ``month`` that the raw store has daily readings of."""
        stored = set(self.store.months("daily"))
        return [m for m in (shift_month(month, -k) for k in range(back, 0, -1)) if m in stored]

    def ensure_bases(
        self, months, *, force: str | None = None, archive_for: str | None = None, defer: bool = False
    ) -> None:
        """Compute the bases of ``months`` that are missing or stale (``force``: that month always).

        ``archive_for`` is the month whose features the run computes: its base (DuckDB) has the
        :data:`LOSS_CORR` table; a history month's has not (only the month's own features read it, and
        they compute it by SQL from ``vee_daily`` where a base lacks it).

        A month's finish (its files' writes, manifest and rename: :meth:`_compute_base`) runs in a thread
        while the next month is computed, one month behind at most, under the month's lock; all are
        finished when this returns.  The months' starts (the area meters, the readings' read) leave a
        core idle that the writers of the month before fill (a year of 1,000,000 meters on 2 cores:
        47 s to 42-44 s).

        ``defer`` (DuckDB): ``archive_for``'s finish is left to :meth:`settle`, its lock held until then;
        meanwhile this process reads the month's tables being written (``vee_daily``, ``meter_months``,
        :data:`LOSS_CORR`) from memory and the others from its staging folder
        (:meth:`_compute_features`), while the writers fill the core that the features leave idle."""
        with ThreadPoolExecutor(1) as finisher:
            pending: list = []  # (future, lock) of the finishes not waited for, in the months' order
            try:
                for m in months:
                    if self._is_deferred(m):
                        continue  # being written, read from its staging folder until settle()
                    if m != force and self.base_fresh(m, archive=m == archive_for):
                        continue
                    lock = contextlib.ExitStack()
                    with contextlib.ExitStack() as on_error:
                        on_error.callback(lock.close)
                        lock.enter_context(self.derived.locked(m))
                        if m != force and self.base_fresh(m, archive=m == archive_for):
                            continue  # another process computed it meanwhile (the lock released)
                        self._staged_base = None
                        finish = self._compute_base(m, loss_corr=m == archive_for)
                        staged, self._staged_base = self._staged_base, None
                        if defer and m == archive_for and staged is not None:
                            self._defer(m, finish, lock, staged)
                        else:
                            pending.append((finisher.submit(finish), lock))
                        on_error.pop_all()
                    self._finished(pending, keep=1)
            except BaseException:
                if self._is_deferred(archive_for):
                    self.settle(notify=False)
                raise
            finally:
                self._finished(pending)

    def _defer(self, month: str, finish: Callable[[], None], lock, staged: _StagedBase) -> None:
        """Leave ``month``'s finish to :meth:`settle` (:meth:`ensure_bases`' ``defer``)."""
        self.derived.stage_month(month, staged.folder, staged.manifest)
        self._deferred = _Deferred(month, finish, lock, staged.tables)

    def _is_deferred(self, month: str) -> bool:
        return self._deferred is not None and self._deferred.month == month

    def settle(self, *, notify: bool = True) -> None:
        """Put the deferred month's base in place (:meth:`ensure_bases`' ``defer``): wait for its files'
        writes, then its manifest and rename, its lock released; then (``notify``) call the callbacks
        of :meth:`when_settled`.  Nothing to do where no month is deferred."""
        deferred, self._deferred = self._deferred, None
        callbacks, self._on_settled = self._on_settled, []
        if deferred is not None:
            t0 = time.perf_counter()
            self.derived.stage_month(deferred.month, None)
            try:
                deferred.finish()
            finally:
                deferred.lock.close()
                self._time("monthly history (per meter)", t0)
        if notify:
            for callback in callbacks:
                callback()

    def when_settled(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the deferred month's base is in place (now where none is deferred)."""
        if self._deferred is None:
            callback()
        else:
            self._on_settled.append(callback)

    def _finished(self, pending: list, keep: int = 0) -> None:
        """Wait for the months' finishes in ``pending`` (:meth:`ensure_bases`) but the ``keep`` latest,
        each one's lock released; the first error raised once all those are waited for."""
        if len(pending) <= keep:
            return
        t0, error = time.perf_counter(), None
        while len(pending) > keep:
            future, lock = pending.pop(0)
            try:
                future.result()
            except BaseException as exc:  # noqa: BLE001 -- raised below, once every lock is released
                error = error or exc
            finally:
                lock.close()
        self._time("monthly history (per meter)", t0)
        if error is not None:
            raise error

    def _compute_base(self, month: str, loss_corr: bool = True) -> Callable[[], None]:
        """VEE of the month once, and what is computed from its validated days, into a staging folder;
        returns the month's *finish* (wait for the files its writers' threads write, then the manifest
        and the rename into place), which uses no connection: :meth:`ensure_bases` runs it while the next
        month is computed.  ``loss_corr``: with the :data:`LOSS_CORR` table (DuckDB)."""
        from gridcheck_analytics.features import monthly_consumption
        from gridcheck_analytics.features.meter_months import monthly_consumption_of_grid

        con, meters = self.con, self.meters
        vee_rules, feature_rules = self._rules(month)
        fingerprint = self.base_print(month)
        start, end = month_bounds(month)
        window = self._window(month)
        if month not in self.store.months("daily"):
            raise ValueError(f"no daily readings in the store for {month}")
        first = start - dt.timedelta(days=vee_rules.history_days + 1)  # the first day VEE reads
        known = self.known_readings(month, first) if con.name == "duckdb" else None
        # with the days before the month known, only the month's own partition is read
        read_months = [month] if known is not None else window
        daily = self.store.table(con, "daily", read_months)
        tail_first = end - dt.timedelta(days=vee_rules.history_days)
        tail = {
            "version": TAIL_VERSION,
            "first": tail_first.isoformat(),
            "days": vee_rules.history_days + 1,
            "archive": self.archive,
            "raw": self.derived.raw_print("daily", months_between(tail_first, end)),
        }
        stage = self.derived.staging()
        supply_path = stage / "area_supply_daily.parquet"
        areas = meters.select(*_AREA_KEYS).distinct()
        rows = {}

        def supply_written(c) -> pa.Table | None:
            """The month's supply per area and day (the area meters' VEE) on connection ``c``, written to
            the staging folder; on DuckDB its rows as Arrow (:func:`quality.validated_days`'
            ``area_supply``)."""
            area_readings = self.store.table(c, "area_meter", window)
            if area_readings is not None:
                expr = lineloss.area_supply_daily(
                    area_readings, start, end, areas=areas, rules=vee_rules, con=c
                )
            else:  # no area meters: the customers' VEE still runs, the loss is empty
                expr = ibis.memtable(_SUPPLY_SCHEMA.empty_table())
            try:
                rows["area_supply_daily"] = write_frame(c, expr, supply_path)
            finally:
                quality.release_series(c)
            if c.name != "duckdb":
                return None
            return pq.read_table(supply_path, columns=["area_code", "reading_date", "supply_kwh"])

        writer = meter_order = None
        try:
            t0 = time.perf_counter()
            if con.name != "duckdb":
                supply_written(con)
                supply = read_parquet(con, [str(supply_path)])
            # the meter-days without the meters' area, line and station codes (three strings a row cost
            # the Parquet writer more than the rest of the row); the counts per area join them per meter
            written = {}  # frame: its write in the writer's thread (DuckDB)
            if con.name == "duckdb":  # one Arrow table from the kernel's threads, kept for what follows
                # the supply on a connection of its own while the customers' readings are read (its
                # rows are first needed by the kernel's quality codes)
                supplier = ThreadPoolExecutor(1)
                supply_job = supplier.submit(supply_written, sibling(con))
                n_days = (end - start).days + 1
                combos = []

                def per_part(keys):
                    """In each kernel part's thread: its counts and its meters' monthly rows."""
                    combo, table = self._combos(keys)
                    combos.append(table)
                    ids = keys["meter_id"]

                    def each(lo, hi, energy, code):
                        rows = monthly_consumption_of_grid(
                            ids.slice(lo, hi - lo), energy, start, feature_rules
                        )
                        return _count_part(combo[lo:hi], code, energy), rows, energy

                    return each

                # the writers' threads: the readings tail (while the kernel runs), vee_daily, then the
                # per-meter tables (two threads: those need not wait for vee_daily's 31 million rows)
                writer = ThreadPoolExecutor(WRITER_THREADS + 1)
                tail_saved = []

                # the tail on disk only for the latest months of the raw store (the next run's)
                tail_on_disk = month in self.store.months("daily")[-TAILS_KEPT:]

                def on_readings(grids):
                    save = stage if tail_on_disk else None
                    tail_saved.append(writer.submit(_save_tail, grids, (tail_first - first).days, save))

                try:
                    days, keys, parts = quality.validated_days(
                        daily,
                        meters,
                        start,
                        end,
                        area_supply=supply_job,
                        rules=vee_rules,
                        con=con,
                        per_part=per_part,
                        known_readings=known,
                        on_readings=on_readings,
                        keyed=self._keyed(),
                        meters_per_block=quality.METERS_PER_BLOCK,
                        # the month's files read by Arrow, no join with the meters' keys
                        files=(self.store.paths("daily", read_months), self._meter_id_lookup()),
                    )
                finally:
                    supplier.shutdown(wait=True)
                supply_job.result()
                supply = read_parquet(con, [str(supply_path)])
                # written by Arrow's Parquet writer in a thread, while the counts and the loss are made
                # (half DuckDB's writer's CPU for these rows: 2.0 s for 1,000,000 meters' month); a row
                # group per block of meters, whose ids are one dictionary (a fifth less of the writer's
                # CPU than groups across blocks, and a third smaller); the date plain (its dictionary
                # hashes every value: Snappy packs the repeated days nearly as small); the min and max
                # only of the date, which readers filter a span of days on (the meter ids' cost a
                # quarter of the writer's CPU, and no reader filters on them by value: the features'
                # meters with events are a join); the key and the code marked never null (no definition
                # levels written for them). 42 % less of the writer's CPU than every column's
                # dictionary, nullable, and the ids' min and max, for a file 6 % bigger.
                written["vee_daily"] = _write_arrow_parts(
                    writer,
                    _required(days.select(list(VEE_COLUMNS)), ["meter_id", "reading_date", "quality_code"]),
                    stage / "vee_daily.parquet",
                    dictionary=["meter_id", "energy_kwh", "quality_code"],
                    row_group_rows=quality.METERS_PER_BLOCK * n_days,
                    statistics=["reading_date"],
                )
                t0 = self._time("VEE", t0)
                counts = _quality_counts([p[0] for p in parts], combos[0], start, n_days)
                rows["quality"] = write_frame(con, quality._table(con, counts), stage / "quality.parquet")
                month_rows = [p[1] for p in parts]
                # the month's energy, meters x days in key order (the parts are in key order)
                if loss_corr:
                    energy = np.concatenate([p[2] for p in parts]) if parts else np.zeros((0, n_days))
                del parts
            else:
                vee = quality.validate_daily(
                    daily, meters, start, end, area_supply=supply, rules=vee_rules, con=con
                )
                vee = vee.select("meter_id", "reading_date", "energy_kwh", "quality_code")
                rows["vee_daily"] = write_frame(con, vee, stage / "vee_daily.parquet")
                quality.release_series(con)
                v = read_parquet(con, [str(stage / "vee_daily.parquet")])
                va = v.inner_join(meters.select("meter_id", *_AREA_KEYS), "meter_id")
                t0 = self._time("VEE", t0)
                q = va.group_by([*_AREA_KEYS, "reading_date", "quality_code"]).aggregate(
                    readings=va.meter_id.count(), energy_kwh=va.energy_kwh.sum()
                )
                rows["quality"] = write_frame(con, q, stage / "quality.parquet")
            q = read_parquet(con, [str(stage / "quality.parquet")])
            daily_loss = lineloss.daily_area_loss_from_sales(sales_from_quality(q), supply)
            rows["area_daily"] = write_frame(con, daily_loss, stage / "area_daily.parquet")
            daily_loss = read_parquet(con, [str(stage / "area_daily.parquet")])
            rows["area_monthly"] = write_frame(
                con, lineloss.monthly_area_loss(daily_loss), stage / "area_monthly.parquet"
            )
            rows["line_monthly"] = write_frame(
                con, lineloss.monthly_line_loss(daily_loss), stage / "line_monthly.parquet"
            )
            if con.name == "duckdb" and loss_corr:  # from the month's matrix of days, while in memory
                corr = _loss_corr_of_grid(energy, keys, con.to_pyarrow(daily_loss), start)
                del energy
                # the per-meter tables by Arrow's writer in the writer's thread (DuckDB's COPY of an
                # in-memory table of 1,000,000 rows is the main thread's time)
                written[LOSS_CORR] = writer.submit(_write_arrow, corr, stage / f"{LOSS_CORR}.parquet")
            t0 = self._time("daily and monthly loss", t0)
            if con.name == "duckdb":
                empty = monthly_consumption_of_grid(pa.array([], pa.string()), np.zeros((0, 1)), start)
                mm = pa.concat_tables(month_rows) if month_rows else empty
                written["meter_months"] = writer.submit(_write_arrow, mm, stage / "meter_months.parquet")
                meter_order = ids_digest(mm["meter_id"])
                if loss_corr:  # the featured month: its tables in memory for ensure_bases(defer=True)
                    kept = {
                        "vee_daily": days.select(["meter_id", "reading_date", "energy_kwh"]),
                        "meter_months": mm,
                    }
                    if LOSS_CORR in written:
                        kept[LOSS_CORR] = corr
                del days, month_rows, mm
            else:
                mm = monthly_consumption(v.select("meter_id", "reading_date", "energy_kwh"), feature_rules)
                rows["meter_months"] = write_frame(con, mm, stage / "meter_months.parquet")
            quality.release_series(con)
            manifest = {
                "month": month,
                "base": fingerprint,
                "base_digest": _digest(fingerprint),
                "archive": self.archive,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            if con.name == "duckdb" and meter_order is not None:
                # the meter ids of meter_months in their rows' order (the features of a later month
                # read a month in the same order without its ids)
                manifest["meter_order"] = meter_order
            if con.name == "duckdb" and tail_saved:
                values = tail_saved[0].result()
                entry = {**tail, "inputs": sorted(values)}
                self._tail_kept = (month, entry, values)  # for the next month of this run
                if tail_on_disk:  # and the next run's
                    manifest["readings_tail"] = entry
            if con.name == "duckdb" and loss_corr:
                self._staged_base = _StagedBase(stage, manifest, kept)
        except BaseException:
            _drop_stage(writer, stage)
            quality.release_series(con)
            raise

        def finish() -> None:
            """The files written (their rows in the manifest), the month renamed into place; no DuckDB."""
            try:
                rows.update({frame: _rows_written(job) for frame, job in written.items()})
                (stage / MANIFEST).write_text(
                    json.dumps({**manifest, "rows": rows}, sort_keys=True, indent=1, default=str)
                )
                self.derived.replace_month(month, stage)
                self.validated.append(month)
                self._prune_tails(month)
            finally:
                _drop_stage(writer, stage)

        return finish

    def known_readings(self, month: str, first: dt.date):
        """``(k, {input: matrix})`` for :func:`quality.validated_days`' ``known_readings``: the raw
        readings of ``first`` .. the day before ``month`` from the month before's readings tail, or None
        where it does not hold (none kept, another archive or layout, a raw partition of those days
        changed since, not the days needed, a file gone)."""
        start = month_bounds(month)[0]
        before = shift_month(month, -1)
        kept = None
        if self._tail_kept is not None and self._tail_kept[0] == before:
            _, tail, kept = self._tail_kept
        else:
            tail = (self.derived.manifest(before) or {}).get("readings_tail")
        if not tail or tail.get("version") != TAIL_VERSION or tail.get("archive") != self.archive:
            return None
        tail_first = dt.date.fromisoformat(tail["first"])
        tail_last = tail_first + dt.timedelta(days=tail["days"] - 1)
        if tail_first > first or tail_last != start - dt.timedelta(days=1):
            return None
        if tail["raw"] != self.derived.raw_print("daily", months_between(tail_first, tail_last)):
            return None
        offset, k = (first - tail_first).days, (start - first).days
        prefix = {}
        try:
            for name in tail["inputs"]:
                if kept is not None:
                    values = kept[name]
                else:
                    path = self.derived.root / before / f"readings_tail.{name}.npy"
                    values = np.load(path, mmap_mode="r")
                prefix[name] = values[:, offset : offset + k]
        except (OSError, ValueError):
            return None
        return k, prefix

    def _prune_tails(self, month: str) -> None:
        """Delete the readings tails of all months but the :data:`TAILS_KEPT` latest of the raw store."""
        keep = set(self.store.months("daily")[-TAILS_KEPT:])
        for m in self.derived.months():
            if m not in keep:
                for path in (self.derived.root / m).glob("readings_tail.*.npy"):
                    path.unlink(missing_ok=True)

    # features
    def _feature_inputs(self, month: str):
        from gridcheck_analytics.features import FeatureRules

        rules = FeatureRules.in_force(month_bounds(month)[1])
        history = self.history_months(month, max(rules.trend_months, rules.year_over_year_months))
        start, end = month_bounds(month)
        event_first = end - dt.timedelta(days=rules.event_lookback_days + rules.pre_event_days)
        event_months = months_between(end - dt.timedelta(days=rules.event_lookback_days), end)
        return rules, history, [m for m in history if m >= f"{event_first:%Y-%m}"], event_months

    def features_print(self, month: str) -> dict:
        rules, history, _, event_months = self._feature_inputs(month)
        bases = {}
        for m in [*history, month]:
            manifest = self.derived.manifest(m) or {}
            bases[m] = manifest.get("base_digest")
        return {
            "version": VERSION,
            "rules": rules_print(rules),
            "archive": self.archive,
            "bases": bases,
            "events": self.derived.raw_print("events", event_months),
            "curves": self.derived.raw_print("curves", [month]),
        }

    def features_fresh(self, month: str) -> bool:
        m = self.derived.manifest(month)
        return (
            m is not None
            and m.get("features_digest") == _digest(self.features_print(month))
            and self.derived.path(month, "features").is_file()
        )

    def ensure_features(self, month: str, *, force: bool = False) -> None:
        """The month's features, from its base and the stored monthly history (bases computed first)."""
        rules, history, _, _ = self._feature_inputs(month)
        self.ensure_bases([*history, month], archive_for=month)
        if not force and self.features_fresh(month):
            return
        held = self._is_deferred(month)  # its lock held till settle()
        with contextlib.nullcontext() if held else self.derived.locked(month):
            if not force and self.features_fresh(month):
                return
            self._compute_features(month)

    def _compute_features(self, month: str) -> None:
        from gridcheck_analytics.features import customer_month_features, release_features

        con, d = self.con, self.derived
        t0 = time.perf_counter()
        rules, history, event_history, event_months = self._feature_inputs(month)
        start, end = month_bounds(month)
        day_columns = ("meter_id", "reading_date", "energy_kwh")
        energy = self._frame("vee_daily", [month]).select(*day_columns)
        monthly = self._frame("meter_months", [*history, month])
        events = self.store.table(con, "events", event_months)
        event_energy = None
        if events is not None and event_history:
            event_energy = self._frame("vee_daily", [*event_history, month]).select(*day_columns)
        loss_months = [m for m in history if m == shift_month(month, -1)] + [month]
        area_loss = d.table(con, "area_daily", loss_months).select(
            "area_code", "reading_date", "supply_kwh", "loss_kwh"
        )
        feats = customer_month_features(
            energy,
            self.meters,
            start,
            end,
            events=events,
            curves=self.store.table(con, "curves", [month]),
            area_loss=area_loss,
            rules=rules,
            con=con,
            monthly=monthly,
            event_energy=event_energy,
            meters_per_bucket=MONTH_METERS_PER_BUCKET,
            loss_corr=self._frame(LOSS_CORR, [month]),  # None where the base has none
            monthly_files={_month_index(m): self._frame_files("meter_months", m) for m in [*history, month]},
            monthly_orders={
                _month_index(m): (d.manifest(m) or {}).get("meter_order") for m in [*history, month]
            },
        )
        fingerprint = self.features_print(month)
        staged = []
        try:
            if con.name == "duckdb":  # kept as a frame for :meth:`features`: the files are not read back
                data = con.to_pyarrow(feats)
                self.settle()  # the month's base in place (ensure_bases' defer), the staged files read
                tmp = d.root / month / f".features-{uuid.uuid4().hex}.parquet"
                staged = [tmp]
                with ThreadPoolExecutor(WRITER_THREADS) as pool:
                    # no dictionary for the numbers (half the writer's time, and the file a tenth smaller)
                    jobs = _write_arrow_parts(pool, data, tmp)
                    staged = [_part_path(tmp, i) for i in range(len(jobs))]
                    frame = arrow_frame(data)  # while the files are written
                    del data
                    rows = _rows_written(jobs)
            else:
                tmp = d.root / month / f".features-{uuid.uuid4().hex}.parquet"
                staged = [tmp]
                rows = write_frame(con, feats, tmp)
            _replace_parts(staged, d.path(month, "features"))
            if con.name == "duckdb":
                self._computed_features[month] = frame
        finally:
            for path in staged:
                path.unlink(missing_ok=True)
            release_features(con, feats)
        manifest = d.manifest(month)
        manifest.update(features=fingerprint, features_digest=_digest(fingerprint))
        manifest["rows"]["features"] = rows
        d.write_manifest(month, manifest)
        self._time("features", t0)

    def _kept(self, frame: str, month: str) -> pa.Table | None:
        """The deferred month's ``frame`` in memory (:meth:`ensure_bases`' ``defer``), else None."""
        return self._deferred.tables.get(frame) if self._is_deferred(month) else None

    def _frame(self, frame: str, months):
        """``frame`` of ``months`` (those that have it) as one Ibis table, None if none: from the derived
        store, the deferred month's from memory where kept."""
        kept = [self._kept(frame, m) for m in months]
        stored = [m for m, k in zip(months, kept, strict=True) if k is None]
        parts = [ibis.memtable(k) for k in kept if k is not None]
        table = self.derived.table(self.con, frame, stored) if stored else None
        if table is not None:
            parts.insert(0, table.select(*parts[0].columns) if parts else table)
        return functools.reduce(lambda a, b: a.union(b), parts) if parts else None

    def _frame_files(self, frame: str, month: str) -> list:
        """The month's files of ``frame`` (:meth:`DerivedStore.files`), or its table in memory."""
        kept = self._kept(frame, month)
        return [kept] if kept is not None else [str(f) for f in self.derived.files(month, frame)]

    def features(self, month: str) -> pd.DataFrame:
        frame = self._computed_features.pop(month, None)
        if frame is not None:
            return frame
        return frame_of(self.con, self.derived.table(self.con, "features", [month]))


def _save_tail(grids: dict, column: int, folder: Path | None) -> dict[str, np.ndarray]:
    """The reading matrices' columns from ``column`` on (a copy), per input that has readings; saved as
    ``readings_tail.<input>.npy`` in ``folder`` unless it is None."""
    tail = {}
    for name, values in grids.items():
        if values is not None:
            # a contiguous copy: NumPy writes a strided view element block by element block
            tail[name] = np.ascontiguousarray(values[:, column:])
            if folder is not None:
                np.save(folder / f"readings_tail.{name}.npy", tail[name])
    return tail


def ids_digest(ids) -> str | None:
    """A digest of a column of meter ids in its rows' order (whatever its chunks); None with a null.

    The strings' lengths and their bytes, chunk by chunk (no copy of the column into one chunk)."""
    chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
    if any(c.null_count for c in chunks) or not all(
        pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks
    ):
        return None
    lengths, data = hashlib.sha256(), hashlib.sha256()
    for chunk in chunks:
        if not len(chunk):
            continue
        _, offsets, values = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        at = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        lengths.update(np.diff(at).astype(np.int64).tobytes())
        if values is not None:
            data.update(memoryview(values)[int(at[0]) : int(at[-1])])
    return hashlib.sha256(lengths.digest() + data.digest()).hexdigest()


def frame_of(con, table) -> pd.DataFrame:
    """``con.execute(table)``, the same frame, by Arrow on DuckDB: Ibis' own conversion turns every column
    with a null into Python objects first (3 s for the features of 1,000,000 meters, 1 s this way)."""
    if con.name != "duckdb":
        return con.execute(table)
    return arrow_frame(con.to_pyarrow(table))


def arrow_frame(data: pa.Table) -> pd.DataFrame:
    """An Arrow table from DuckDB as the frame Ibis' ``execute`` gives (dates as ``datetime64[s]``)."""
    for i, field in enumerate(data.schema):
        if pa.types.is_date(field.type):  # Ibis gives dates as datetime64[s]: cast by Arrow, not per date
            data = data.set_column(i, field.name, pc.cast(data.column(i), pa.timestamp("s")))
    # a block per column: no copy of the columns into one 2-D block (the first touch of that memory is
    # most of the conversion's time)
    return data.to_pandas(split_blocks=True)


#: The columns of ``vee_daily.parquet``.
VEE_COLUMNS = ("meter_id", "reading_date", "energy_kwh", "quality_code")


def _required(table: pa.Table, columns: list[str]) -> pa.Table:
    """``table`` with ``columns`` marked never null (the same arrays: the caller vouches that they hold
    no null), which Parquet's writer stores without definition levels."""
    fields = [f.with_nullable(f.name not in columns) for f in table.schema]
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields))


def _drop_stage(writer: ThreadPoolExecutor | None, stage: Path) -> None:
    """A month's writers' threads shut down (their files written, or failed) and its staging folder
    removed."""
    if writer is not None:
        writer.shutdown(wait=True)
    shutil.rmtree(stage, ignore_errors=True)


def _part_path(path: Path, i: int) -> Path:
    """The ``i``-th file of a table written in parts: ``path`` itself, then ``<stem>.<i>.parquet``."""
    return path if i == 0 else path.with_name(f"{path.stem}.{i}{path.suffix}")


def _write_arrow_parts(
    pool: ThreadPoolExecutor,
    table: pa.Table,
    path: Path,
    dictionary=None,
    row_group_rows: int | None = None,
    statistics=True,
) -> list:
    """``table`` by :func:`_write_arrow` in :data:`WRITER_THREADS` files written side by side in ``pool``:
    ``path`` and ``<stem>.<n>.parquet`` beside it (:meth:`DerivedStore.files` reads them as one table),
    each a range of whole row groups of ``row_group_rows`` (default :data:`ROW_GROUP_ROWS`); one file
    where the table is small (``dictionary``, ``statistics``: :func:`_write_arrow`'s).  The writes'
    futures (their rows), the ``i``-th writing :func:`_part_path` ``(path, i)``."""
    row_group_rows = row_group_rows or ROW_GROUP_ROWS
    n = table.num_rows
    parts = WRITER_THREADS if n >= WRITER_THREADS * row_group_rows else 1
    groups = -(-n // row_group_rows)
    bounds = [min(n, int(groups * i / parts + 0.5) * row_group_rows) for i in range(parts + 1)]
    return [
        pool.submit(
            _write_arrow,
            table.slice(lo, hi - lo),
            _part_path(path, i),
            dictionary,
            row_group_rows,
            statistics,
        )
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]


def _replace_parts(staged: list[Path], path: Path) -> None:
    """The files of :func:`_write_arrow_parts` (``staged``, in order) in place of the table at ``path``
    (its earlier parts removed)."""
    for old in path.parent.glob(f"{path.stem}.[0-9]*{path.suffix}"):
        old.unlink()
    for i, source in enumerate(staged):
        os.replace(source, _part_path(path, i))


def _rows_written(job) -> int:
    """The rows of a write in the writers' pool: one future, or the list of :func:`_write_arrow_parts`."""
    return sum(j.result() for j in job) if isinstance(job, list) else job.result()


def _write_arrow(
    table: pa.Table, path: Path, dictionary=None, row_group_rows: int | None = None, statistics=True
) -> int:
    """An Arrow table to one Parquet file by Arrow's writer; its rows.  ``dictionary``: Arrow's
    ``use_dictionary`` (every column, or the columns named); by default the text columns only (a
    dictionary of numbers costs half the writer's time and makes the file of a per-meter table bigger).
    ``statistics``: Arrow's ``write_statistics`` (every column, or the columns named: the min and max
    that let a reader skip the row groups its filter excludes)."""

    if dictionary is None:
        dictionary = [
            f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)
        ]
    # without Arrow's schema in the file: a dictionary column (the quality code) is read back as the
    # plain string column it is in Parquet, by every reader; row groups of DuckDB's own size by default,
    # so that its readers scan a per-meter table of 1,000,000 rows in parallel (Arrow's default: one group)
    rows = row_group_rows or ROW_GROUP_ROWS
    pq.write_table(
        table,
        path,
        store_schema=False,
        row_group_size=rows,
        use_dictionary=dictionary,
        write_statistics=statistics,
    )
    return table.num_rows


def _area_combos(keys: pa.Table) -> tuple[np.ndarray, pa.Table]:
    """(each meter's area, line and station combination as an integer, numbered in the order the
    combinations first appear; the combinations in that numbering) of the keyed meters (row = meter
    key).  A missing code is a value of its own, as pandas' ``groupby(dropna=False, sort=False).ngroup()``
    numbers them; by Arrow's hashing of the codes, not a Python string per meter."""
    key = np.zeros(keys.num_rows, np.int64)
    for k in _AREA_KEYS:
        codes = keys[k].combine_chunks().dictionary_encode(null_encoding="encode")
        index = codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        _, key = np.unique(key * len(codes.dictionary) + index, return_inverse=True)  # dense again
    _, first, key = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # the combinations in the order they first appear
    number = np.empty_like(order)
    number[order] = np.arange(len(order))
    return number[key], keys.select(list(_AREA_KEYS)).take(pa.array(first[order]))


def _count_part(combo: np.ndarray, code: np.ndarray, energy: np.ndarray):
    """The counts of :func:`_quality_counts` of one part of the meters (``combo``: their combinations;
    ``code``, ``energy``: their days as matrices): the cells (combination x day x code) that have
    readings, with their readings, energy total and readings with energy."""
    n_days = energy.shape[1]
    n_codes = len(quality.CODE_ORDER)
    used, local = np.unique(combo, return_inverse=True)
    readings, total, with_energy = kernels.cell_counts(local, len(used), code, energy, n_codes)
    (cells,) = np.nonzero(readings)
    c, rest = np.divmod(cells, n_days * n_codes)
    return used[c] * (n_days * n_codes) + rest, readings[cells], total[cells], with_energy[cells]


def _quality_counts(parts, combos: pa.Table, start: dt.date, n_days: int) -> pa.Table:
    """Readings and energy per area, line, station, day and quality code (``quality.parquet``) from the
    parts' counts (:func:`_count_part`, made in the kernel's threads): added by NumPy over integer keys
    (the meters' code combinations), not grouped by five text columns.  An energy sum with no energy in
    it is null, as SQL's."""
    n_codes = len(quality.CODE_ORDER)
    size = len(combos) * n_days * n_codes
    key = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)

    def added(i):
        values = np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
        return np.bincount(key, weights=values, minlength=size)

    readings = np.rint(added(1)).astype(np.int64)
    total, with_energy = added(2), added(3)
    (cells,) = np.nonzero(readings)
    c, rest = np.divmod(cells, n_days * n_codes)
    d, q = np.divmod(rest, n_codes)
    names = np.array([x.value for x in quality.CODE_ORDER], dtype=object)
    first = np.int32((start - dt.date(1970, 1, 1)).days)
    return pa.table(
        {
            # each combination's codes taken per cell by Arrow (not a Python string per cell)
            **{k: combos[k].take(pa.array(c)) for k in _AREA_KEYS},
            "reading_date": pa.array(d.astype(np.int32) + first).cast(pa.date32()),
            "quality_code": pa.array(names, pa.string()).take(pa.array(q)),
            "readings": pa.array(readings[cells], pa.int64()),
            "energy_kwh": pa.array(
                np.where(with_energy[cells] > 0, total[cells], np.nan), pa.float64(), from_pandas=True
            ),
        }
    )


def _loss_corr_of_grid(energy: np.ndarray, keys: pa.Table, area_daily: pa.Table, start: dt.date):
    """The month's ``loss_corr`` (:func:`features.meter_months.loss_correlation_of_grid`) from its days as
    the kernel gave them (``energy``: meters x days, NaN where none, row = meter key) and the month's
    ``area_daily``, in threads over slices of the meters."""
    from gridcheck_analytics.features.meter_months import loss_correlation_of_grid

    n, n_days = energy.shape
    areas = keys["area_code"].combine_chunks().dictionary_encode()
    area_of_meter = areas.indices.fill_null(len(areas.dictionary)).to_numpy(zero_copy_only=False)
    loss = np.full((len(areas.dictionary) + 1, n_days), np.nan)  # the last row: no area
    index = pc.index_in(area_daily["area_code"], value_set=areas.dictionary)
    day = area_daily["reading_date"].cast(pa.int32()).to_numpy(zero_copy_only=False)
    day = day - np.int32((start - dt.date(1970, 1, 1)).days)
    known = index.is_valid().to_numpy(zero_copy_only=False) & (day >= 0) & (day < n_days)
    a = index.to_numpy(zero_copy_only=False)[known].astype(np.int64)
    loss[a, day[known]] = area_daily["loss_kwh"].to_numpy(zero_copy_only=False).astype(np.float64)[known]
    ids = keys["meter_id"]
    step = 1 << 16

    def part(lo):
        hi = min(lo + step, n)
        return loss_correlation_of_grid(
            ids.slice(lo, hi - lo), energy[lo:hi], loss, start, area_of_meter[lo:hi]
        )

    with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, 8))) as pool:
        parts = list(pool.map(part, range(0, n, step)))
    empty = np.zeros((0, n_days))
    return pa.concat_tables(parts) if parts else loss_correlation_of_grid(ids, empty, empty, start)


def sales_from_quality(q):
    """:func:`lineloss.area_sales_daily` from the counts and energy per area, day and quality code."""
    read = ~q.quality_code.isin(list(_NOT_READ))
    flagged = ~q.quality_code.isin([QualityCode.VALID.value, *_NOT_READ])
    zero = ibis.literal(0).cast("int64")
    return q.group_by([*_AREA_KEYS, "reading_date"]).aggregate(
        sales_kwh=q.energy_kwh.sum(),
        meters=q.readings.sum(),
        meters_read=ibis.ifelse(read, q.readings, zero).sum(),
        readings_estimated=ibis.ifelse(q.quality_code == QualityCode.ESTIMATED.value, q.readings, zero).sum(),
        readings_flagged=ibis.ifelse(flagged, q.readings, zero).sum(),
    )


def _reading_rate(q, level: str):
    read = ~q.quality_code.isin(list(_NOT_READ))
    zero = ibis.literal(0).cast("int64")
    g = q.group_by([level, "reading_date"]).aggregate(
        meters=q.readings.sum(), meters_read=ibis.ifelse(read, q.readings, zero).sum()
    )
    return g.mutate(
        reading_rate_percent=g.meters_read.cast("float64") * 100.0 / g.meters.cast("float64")
    ).order_by([level, "reading_date"])


def customer_drops_from_months(meter_months, meters, rules: LineLossRules):
    """:func:`lineloss.customer_drops` from the stored per-meter monthly rows (sum of the month's energy).

    Only the meters with a month of at least ``large_customer_min_kwh`` can drop (the month before a
    drop is one): their rows alone go through the window (at 1,000,000 meters the window over every
    meter's months took 2.3 s; the rows of the few large customers are found by a filter).
    """
    large = meter_months.filter(meter_months.sum_kwh >= rules.large_customer_min_kwh)
    meter_months = meter_months.filter(
        meter_months.meter_id.isin(large.select("meter_id").distinct().meter_id)
    )
    m = meter_months.select("meter_id", "month", energy_kwh=meter_months.sum_kwh).inner_join(
        meters.select("meter_id", "area_code"), "meter_id"
    )
    m = m.select("meter_id", "area_code", "month", "energy_kwh")
    m = m.mutate(
        previous_energy_kwh=m.energy_kwh.lag().over(ibis.window(group_by="meter_id", order_by="month"))
    )
    return m.filter(
        (m.previous_energy_kwh >= rules.large_customer_min_kwh)
        & (m.energy_kwh < rules.large_customer_drop_fraction * m.previous_energy_kwh)
    )


# -- the run ------------------------------------------------------------------------------------------


def canonical_meters(archive_frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The canonical meters frame from the archive frames (already canonical, or via the adapter)."""
    from gridcheck_analytics.readings_sim import archive_frames_to_meters
    from gridcheck_analytics.schema import METERS, conform

    meters = archive_frames["meters"]
    if not set(METERS.required) <= set(meters.columns):
        meters = archive_frames_to_meters(archive_frames)
    return conform(meters, METERS)


def loss_results(
    run: MonthlyRun,
    month: str,
    *,
    history_months: int = 3,
    targets: dict[str, float] | None = None,
    loss_rules: LineLossRules | None = None,
    con=None,
) -> dict[str, pd.DataFrame]:
    """The month's line-loss results (as :func:`gridcheck_analytics.pipeline.run_monthly` returns them)
    from the stored bases of the month and its ``history_months`` months before (computed if missing).
    ``con``: read them on this connection (:func:`backends.sibling` of the run's, in a thread of its
    own, with those bases computed already) instead of the run's."""
    con, d = con or run.con, run.derived
    end = month_bounds(month)[1]
    loss_rules = loss_rules or LineLossRules.in_force(end)
    months = [*run.history_months(month, history_months), month]
    run.ensure_bases(months[:-1])
    t0 = time.perf_counter()
    # by Arrow (:func:`frame_of`): the same frames as Ibis' ``execute`` in a third of the time
    area_monthly = frame_of(con, d.table(con, "area_monthly", months))
    line_monthly = frame_of(con, d.table(con, "line_monthly", [month]))
    area_daily = frame_of(con, d.table(con, "area_daily", [month]).order_by(["area_code", "reading_date"]))
    supply = frame_of(con, d.table(con, "area_supply_daily", months).order_by(["area_code", "reading_date"]))
    q = d.table(con, "quality", [month])
    rates = {level: frame_of(con, _reading_rate(q, f"{level}_code")) for level in ("area", "line", "station")}
    qsum = q.group_by(["area_code", "reading_date", "quality_code"]).aggregate(readings=q.readings.sum())
    qsum = frame_of(con, qsum)
    drops = frame_of(
        con, customer_drops_from_months(d.table(con, "meter_months", months), run.meters, loss_rules)
    )
    events_t = run.store.table(con, "events", months)
    events = frame_of(con, lineloss.events_per_area(events_t, run.meters)) if events_t is not None else None
    flagged = lineloss.area_flags(area_monthly, targets=targets, drops=drops, events=events, rules=loss_rules)
    this = int(month.replace("-", ""))
    run._time("flags", t0)
    return {
        "area_monthly": flagged[flagged["month"] == this].reset_index(drop=True),
        "area_monthly_history": flagged,
        "line_monthly": line_monthly.sort_values(["line_code", "station_code"]).reset_index(drop=True),
        "area_daily": area_daily,
        "area_supply_daily": supply,
        "reading_rate_area": rates["area"],
        "reading_rate_line": rates["line"],
        "reading_rate_station": rates["station"],
        "quality_summary": qsum,
        "customer_drops": drops,
    }


def run_month(
    store,
    archive_frames: dict[str, pd.DataFrame],
    month: str,
    *,
    con=None,
    backend: str = "duckdb",
    targets: dict[str, float] | None = None,
    history_months: int = 3,
    force: bool = True,
    features: bool = True,
    vee_rules: VeeRules | None = None,
    loss_rules: LineLossRules | None = None,
    progress: Callable[[str], None] | None = None,
    after_features: Callable[[MonthlyRun, pd.DataFrame], object] | None = None,
) -> tuple[MonthlyRun, dict]:
    """The month's VEE (once), loss and flags, and its features: the monthly run up to the scoring.

    See :func:`gridcheck_analytics.monthly_job.monthly_run` for the parameters; ``progress(step)`` is
    called after ``connect``, ``vee``, ``features``, ``loss`` (and ``after_features``' step).  Returns
    the run (its timings, the months validated) and the line-loss frames of :func:`loss_results`, plus
    ``features`` when computed and ``after`` (what ``after_features(run, features)`` returned: the
    scoring) when given.

    On DuckDB the month's ``vee_daily`` is written while its features are computed, which read its
    validated days from memory and its other tables from the staging folder (:meth:`MonthlyRun.ensure_bases`'
    ``defer``); once the month is in place, the loss results are read in a thread of their own
    (:func:`backends.sibling`) while ``after_features`` runs.  The features and the scoring leave a core
    idle about a third of their time (1,000,000 meters: the writer's 1.5 s of CPU and the flags' 0.7 s
    within their 5 s).
    """
    from gridcheck_analytics.features import FeatureRules

    def step(name):
        if progress:
            progress(name)

    con = con or connect(backend)
    run = MonthlyRun(store, canonical_meters(archive_frames), con, vee_rules=vee_rules)
    step("connect")
    rules = FeatureRules.in_force(month_bounds(month)[1])
    back = max([history_months, *((rules.trend_months, rules.year_over_year_months) if features else ())])
    run.ensure_bases(run.history_months(month, back))
    # DuckDB: the month's vee_daily written while its features are computed (defer), then its loss
    # results read while the scoring runs
    defer = features and con.name == "duckdb"
    run.ensure_bases([month], force=month if force else None, archive_for=month, defer=defer)
    step("vee")
    args = dict(history_months=history_months, targets=targets, loss_rules=loss_rules)
    if not features:
        out = loss_results(run, month, **args)
        step("loss")
        return run, out
    with ThreadPoolExecutor(1) as pool:
        losses = []
        try:
            if con.name == "duckdb":
                run.when_settled(
                    lambda: losses.append(pool.submit(loss_results, run, month, **args, con=sibling(con)))
                )
            run.ensure_features(month, force=force)
            run.settle()  # where the features were fresh (none computed), the month is put in place here
        except BaseException:
            run.settle(notify=False)
            raise
        t0 = time.perf_counter()
        frame = run.features(month)
        run._time("features", t0)
        step("features")
        after = after_features(run, frame) if after_features is not None else None
        out = losses[0].result() if losses else loss_results(run, month, **args)
    step("loss")
    out["features"] = frame
    if after_features is not None:
        out["after"] = after
    return run, out


def month_features(
    store, archive_frames: dict[str, pd.DataFrame], month: str, *, con=None, backend: str = "duckdb"
) -> pd.DataFrame:
    """The customer-month features of ``month`` from the derived store (computed where missing or stale:
    the month's base, its history months' bases, then the features)."""
    con = con or connect(backend)
    run = MonthlyRun(store, canonical_meters(archive_frames), con)
    run.ensure_features(month)
    return run.features(month)
