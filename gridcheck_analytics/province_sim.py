"""A province's month of meter data, streamed straight to Parquet (memory flat at any size).

:func:`gridcheck_analytics.readings_sim.simulate_readings` holds a county's meters x days in NumPy arrays;
a province (10,000,000 meters, 36 counties) does not fit that way.  :func:`write_province` makes the same
kind of data (daily register readings with about 2 % missing, some meters under-registering from a day of
the month on, the areas' summary meters with 3-7 % technical loss) one chunk of whole transformer areas at
a time and appends each chunk to the county's Parquet files as row groups, so the memory held is that of
one chunk whatever the number of meters.

Layout (one :class:`~gridcheck_analytics.store.MeterStore` per county, partitioned by month)::

    <root>/<county>/meters.parquet                         canonical meters of the county
    <root>/<county>/daily/<YYYY-MM>/part-0.parquet         daily readings, sorted by meter id
    <root>/<county>/area_meter/<YYYY-MM>/part-0.parquet    the areas' summary meters
    <root>/<county>/truth.parquet                          injected under-registration (never analysed)

The month's readings are preceded by the last day of the month before (in that month's partition), so that
the first day's energy is a difference of two registers.  :class:`ProvinceStore` reads some or all
counties as one store for :func:`gridcheck_analytics.pipeline.run_monthly` on DuckDB or Spark.

``python -m gridcheck_analytics.province_sim --meters 10000000 --out DIR`` writes a province;
``gridcheck demo --province-month DIR --meters N`` does the same from the demo command.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import resource
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gridcheck_analytics.schema import METERS, conform
from gridcheck_analytics.store import PART

#: A province: 10,000,000 meters in 36 counties.
PROVINCE_METERS = 10_000_000
PROVINCE_COUNTIES = 36
#: Mean customers per transformer area; areas per 10 kV line; lines per supply station.
METERS_PER_AREA = 250
AREAS_PER_LINE = 12
LINES_PER_STATION = 15
#: Meters simulated at once (whole areas): about 20 bytes x 32 days x 6 arrays per meter.
CHUNK_METERS = 100_000
#: Fraction of the true energy an under-registering meter (theft) still records.
THEFT_FACTOR = 0.3

DAILY_SCHEMA = pa.schema(
    [
        ("meter_id", pa.string()),
        ("reading_date", pa.date32()),
        ("register_total_kwh", pa.float64()),
        ("register_peak_kwh", pa.float64()),
        ("register_flat_kwh", pa.float64()),
        ("register_valley_kwh", pa.float64()),
        ("energy_kwh", pa.float64()),
        ("multiplier", pa.float64()),
    ]
)
AREA_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("meter_id", pa.string()),
        ("reading_date", pa.date32()),
        ("register_total_kwh", pa.float64()),
        ("multiplier", pa.float64()),
        ("current_a_a", pa.float64()),
        ("current_b_a", pa.float64()),
        ("current_c_a", pa.float64()),
    ]
)


def county_codes(counties: int) -> list[str]:
    """``C01``, ``C02``, ... (sortable)."""
    return [f"C{i + 1:02d}" for i in range(counties)]


def split_meters(meters: int, counties: int) -> list[int]:
    """Meters per county, as even as integers allow."""
    base, extra = divmod(int(meters), int(counties))
    return [base + (1 if i < extra else 0) for i in range(counties)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far [MiB] (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _area_sizes(n: int, rng: np.random.Generator) -> np.ndarray:
    """Customers per area, 100..400 around :data:`METERS_PER_AREA`, summing to ``n``."""
    sizes = []
    left = n
    while left > 0:
        size = int(min(left, rng.integers(100, 2 * METERS_PER_AREA - 99)))
        sizes.append(size)
        left -= size
    return np.array(sizes, dtype=np.int64)


def _meters_chunk(county: str, first: int, sizes: np.ndarray, first_area: int, rng) -> pd.DataFrame:
    """Canonical meters of the areas ``first_area ..`` of ``sizes`` customers, ids from ``first``."""
    n = int(sizes.sum())
    area_no = np.repeat(np.arange(first_area, first_area + len(sizes)), sizes)
    line_no = area_no // AREAS_PER_LINE
    station_no = line_no // LINES_PER_STATION
    ids = np.arange(first, first + n)
    residential = rng.random(n) < 0.9
    three = ~residential & (rng.random(n) < 0.5)
    ct = ~residential & (rng.random(n) < 0.2)
    frame = pd.DataFrame(
        {
            "meter_id": np.char.add(f"{county}M", np.char.zfill(ids.astype(str), 8)),
            "area_code": np.char.add(f"{county}-A", np.char.zfill(area_no.astype(str), 5)),
            "line_code": np.char.add(f"{county}-L", np.char.zfill(line_no.astype(str), 4)),
            "station_code": np.char.add(f"{county}-S", np.char.zfill(station_no.astype(str), 3)),
            "category": np.where(residential, "residential", "commercial"),
            "multiplier": np.where(ct, 40.0, 1.0),
            "rated_voltage_v": 220.0,
            "max_current_a": np.where(ct, 6.0, 60.0),
            "phases": np.where(three, 3, 1),
            "contracted_capacity_kva": np.where(residential, 8.0, np.where(three, 50.0, 15.0)),
            "register_digits": 6,
        }
    )
    return conform(frame, METERS)


def _chunk_data(meters: pd.DataFrame, days: pd.DatetimeIndex, rng, missing_fraction, theft_fraction):
    """Daily readings, area-meter readings and truth of one chunk of whole areas (Arrow tables)."""
    n, nd = len(meters), len(days)
    residential = (meters["category"] == "residential").to_numpy()
    mult = meters["multiplier"].to_numpy(float)
    base = np.where(residential, 6.0, 40.0) * rng.lognormal(0.0, 0.5, n)  # kWh a day
    weekend = days.day_of_week.to_numpy() >= 5
    week = np.where(residential[:, None], np.where(weekend, 1.1, 1.0), np.where(weekend, 0.6, 1.0))
    true = (base[:, None] * week * rng.lognormal(0.0, 0.2, (n, nd))).astype(np.float64)
    metered = true
    thieves = np.flatnonzero(rng.random(n) < theft_fraction)
    from_day = rng.integers(1, max(2, nd - 5), len(thieves))
    if len(thieves):
        metered = true.copy()
        cols = np.arange(nd)[None, :] >= from_day[:, None]
        metered[thieves] = np.where(cols, true[thieves] * THEFT_FACTOR, true[thieves])
    registers = np.round(
        rng.uniform(1000.0, 50000.0, n)[:, None] + np.cumsum(metered / mult[:, None], axis=1), 2
    )
    del metered
    present = rng.random((n, nd)) >= missing_fraction
    present[:, 0] = True  # the lead-in day: every meter has a register to start from
    mi, di = np.nonzero(present)
    rows = len(mi)
    nulls = pa.nulls(rows, pa.float64())
    ids = pa.array(meters["meter_id"].to_numpy(object), pa.string())
    day_numbers = pa.array((days.values.astype("datetime64[D]").astype(np.int64)).astype(np.int32))
    daily = pa.table(
        [
            ids.take(pa.array(mi)),
            day_numbers.take(pa.array(di)).cast(pa.date32()),
            pa.array(registers[mi, di], pa.float64()),
            nulls,
            nulls,
            nulls,
            nulls,
            nulls,
        ],
        schema=DAILY_SCHEMA,
    )
    # the areas' summary meters: supply = customers' true energy / (1 - technical loss)
    codes, area_idx = np.unique(meters["area_code"].to_numpy(object), return_inverse=True)
    na = len(codes)
    sales = np.zeros((na, nd))
    np.add.at(sales, area_idx, true)
    supply = sales / (1.0 - rng.uniform(0.03, 0.07, na))[:, None]
    area_mult = np.where(supply.mean(axis=1) > 2000.0, 80.0, 40.0)
    area_reg = np.round(
        rng.uniform(1000.0, 20000.0, na)[:, None] + np.cumsum(supply / area_mult[:, None], axis=1), 2
    )
    imbalance = rng.uniform(0.02, 0.12, na)
    mean_i = supply / 24.0 / (3 * 0.22)
    ai, adi = np.divmod(np.arange(na * nd), nd)
    area = pa.table(
        [
            pa.array(codes[ai], pa.string()),
            pa.array(np.char.add("AM-", codes.astype(str))[ai], pa.string()),
            day_numbers.take(pa.array(adi)).cast(pa.date32()),
            pa.array(area_reg[ai, adi], pa.float64()),
            pa.array(area_mult[ai], pa.float64()),
            pa.array(np.round(mean_i[ai, adi], 2), pa.float64()),
            pa.array(np.round(mean_i[ai, adi] * (1 - imbalance[ai] / 2), 2), pa.float64()),
            pa.array(np.round(mean_i[ai, adi] * (1 - imbalance[ai]), 2), pa.float64()),
        ],
        schema=AREA_SCHEMA,
    )
    truth = pa.table(
        {
            "meter_id": ids.take(pa.array(thieves)),
            "kind": pa.array(["under_registering"] * len(thieves), pa.string()),
            "start_date": pa.array(days.date[from_day], pa.date32()),
        }
    )
    return daily, area, truth


def _split_by_month(table: pa.Table, lead_in: dt.date) -> tuple[pa.Table, pa.Table]:
    """(rows of the lead-in day, rows of the month)."""
    import pyarrow.compute as pc

    is_lead = pc.equal(table["reading_date"], pa.scalar(lead_in, pa.date32()))
    return table.filter(is_lead), table.filter(pc.invert(is_lead))


def write_province(
    root,
    *,
    meters: int = PROVINCE_METERS,
    counties: int = PROVINCE_COUNTIES,
    month: str = "2025-01",
    seed: int = 0,
    chunk_meters: int = CHUNK_METERS,
    missing_fraction: float = 0.02,
    theft_fraction: float = 0.01,
    only_counties: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Write a province's month of meter data under ``root`` (see the module docstring for the layout).

    Parameters
    ----------
    root : path
        Output folder; each county's folder is replaced.
    meters, counties : int
        Meters in the province and counties they are split over (evenly).
    month : str
        ``YYYY-MM`` simulated (all its days), plus the last day of the month before.
    seed : int
        Seed; a county's data depend only on the seed and the county's number and size.
    chunk_meters : int
        Meters simulated at once (rounded to whole areas): the memory held.
    missing_fraction, theft_fraction : float
        Share of readings missing; share of meters under-registering (:data:`THEFT_FACTOR`).
    only_counties : sequence of str, optional
        Write only these counties (codes of :func:`county_codes`).
    progress : callable, optional
        ``progress(county, meters_done, meters_total)`` after each chunk.

    Returns
    -------
    dict
        ``meters``, ``counties``, ``daily_rows``, ``area_rows``, ``seconds``, ``peak_rss_mb``,
        ``bytes`` (on disk), ``month``, ``lead_in_month``.
    """
    t0 = time.perf_counter()
    root = Path(root)
    y, m = (int(x) for x in month.split("-"))
    first_day = dt.date(y, m, 1)
    last_day = dt.date(y, m, calendar.monthrange(y, m)[1])
    lead_in = first_day - dt.timedelta(days=1)
    lead_month = lead_in.strftime("%Y-%m")
    days = pd.date_range(lead_in, last_day, freq="D")
    codes = county_codes(counties)
    wanted = set(only_counties) if only_counties is not None else set(codes)
    unknown = wanted - set(codes)
    if unknown:
        raise ValueError(f"unknown counties {sorted(unknown)}; the province has {codes[0]}..{codes[-1]}")
    totals = {"daily_rows": 0, "area_rows": 0}
    done = 0
    total = sum(n for c, n in zip(codes, split_meters(meters, counties), strict=True) if c in wanted)
    for number, (county, n_county) in enumerate(zip(codes, split_meters(meters, counties), strict=True)):
        if county not in wanted:
            continue
        rng = np.random.default_rng([seed, number, n_county])
        sizes = _area_sizes(n_county, rng)
        folder = root / county
        shutil.rmtree(folder, ignore_errors=True)
        paths = {
            ("daily", lead_month): folder / "daily" / lead_month / PART,
            ("daily", month): folder / "daily" / month / PART,
            ("area_meter", lead_month): folder / "area_meter" / lead_month / PART,
            ("area_meter", month): folder / "area_meter" / month / PART,
        }
        for p in paths.values():
            p.parent.mkdir(parents=True, exist_ok=True)
        writers = {
            key: pq.ParquetWriter(p, DAILY_SCHEMA if key[0] == "daily" else AREA_SCHEMA, compression="zstd")
            for key, p in paths.items()
        }
        meter_writer = truth_writer = None
        try:
            area_at, meter_at = 0, 0
            while area_at < len(sizes):
                cum = np.cumsum(sizes[area_at:])
                take = max(1, int(np.searchsorted(cum, chunk_meters, side="right")))
                chunk_sizes = sizes[area_at : area_at + take]
                chunk = _meters_chunk(county, meter_at, chunk_sizes, area_at, rng)
                daily, area, truth = _chunk_data(chunk, days, rng, missing_fraction, theft_fraction)
                for frame, table in (("daily", daily), ("area_meter", area)):
                    lead, rest = _split_by_month(table, lead_in)
                    writers[(frame, lead_month)].write_table(lead)
                    writers[(frame, month)].write_table(rest)
                totals["daily_rows"] += daily.num_rows
                totals["area_rows"] += area.num_rows
                meters_table = pa.Table.from_pandas(chunk, preserve_index=False)
                if meter_writer is None:
                    meter_writer = pq.ParquetWriter(folder / "meters.parquet", meters_table.schema)
                    truth_writer = pq.ParquetWriter(folder / "truth.parquet", truth.schema)
                meter_writer.write_table(meters_table)
                truth_writer.write_table(truth)
                del daily, area, truth, chunk, meters_table
                area_at += take
                meter_at += int(chunk_sizes.sum())
                done += int(chunk_sizes.sum())
                if progress:
                    progress(county, done, total)
        finally:
            for w in [*writers.values(), meter_writer, truth_writer]:
                if w is not None:
                    w.close()
    size = sum(p.stat().st_size for c in wanted for p in (root / c).rglob("*.parquet"))
    return {
        "meters": total,
        "counties": len(wanted),
        "month": month,
        "lead_in_month": lead_month,
        **totals,
        "bytes": size,
        "seconds": time.perf_counter() - t0,
        "peak_rss_mb": peak_rss_mb(),
    }


class ProvinceStore:
    """Some or all counties of a province written by :func:`write_province`, read as one meter store.

    Offers what :func:`gridcheck_analytics.pipeline.run_monthly` reads of a
    :class:`~gridcheck_analytics.store.MeterStore` (``months``, ``paths``, ``table``) over the counties'
    month partitions, and :meth:`meters`, the canonical meters of the counties.
    """

    def __init__(self, root, counties: Sequence[str] | None = None):
        self.root = Path(root)
        found = sorted(p.name for p in self.root.iterdir() if (p / "meters.parquet").is_file())
        self.counties = list(counties) if counties is not None else found
        missing = set(self.counties) - set(found)
        if missing:
            raise ValueError(f"counties {sorted(missing)} are not under {self.root}")
        # Where the monthly run keeps its derived results (gridcheck_analytics.monthly.DerivedStore): one
        # folder per choice of counties, so that a run over some counties never reads another's results.
        chosen = hashlib.sha256(",".join(sorted(self.counties)).encode()).hexdigest()[:12]
        self.data_dir = self.root / f"_runs-{chosen}"

    def months(self, frame_name: str) -> list[str]:
        """Months stored for a frame in any of the counties, sorted."""
        months = set()
        for c in self.counties:
            folder = self.root / c / frame_name
            if folder.is_dir():
                months.update(p.name for p in folder.iterdir() if (p / PART).is_file())
        return sorted(months)

    def paths(self, frame_name: str, months=None) -> list[str]:
        """Parquet files of a frame over the counties (county by county, month by month)."""
        out = []
        for c in self.counties:
            for m in sorted(months) if months is not None else self.months(frame_name):
                p = self.root / c / frame_name / m / PART
                if p.is_file():
                    out.append(str(p))
        return out

    def table(self, con, frame_name: str, months=None):
        """The frame as one Ibis table on ``con`` (DuckDB or PySpark); ``None`` when empty."""
        from gridcheck_analytics.backends import read_parquet

        paths = self.paths(frame_name, months)
        return read_parquet(con, paths) if paths else None

    def meters(self) -> pd.DataFrame:
        """Canonical meters of the counties."""
        frames = [pd.read_parquet(self.root / c / "meters.parquet") for c in self.counties]
        return conform(pd.concat(frames, ignore_index=True), METERS)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gridcheck_analytics.province_sim --meters N --out DIR``: write a province's month."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="output folder (one folder per county)")
    parser.add_argument("--meters", type=int, default=PROVINCE_METERS, help="meters in the province")
    parser.add_argument("--counties", type=int, default=PROVINCE_COUNTIES, help="counties")
    parser.add_argument("--month", default="2025-01", help="month simulated, YYYY-MM")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-meters", type=int, default=CHUNK_METERS, help="meters simulated at once")
    args = parser.parse_args(argv)

    def progress(county, done, total):
        print(f"\r{county}: {done:,}/{total:,} meters, peak RSS {peak_rss_mb():,.0f} MiB", end="", flush=True)

    stats = write_province(
        args.out,
        meters=args.meters,
        counties=args.counties,
        month=args.month,
        seed=args.seed,
        chunk_meters=args.chunk_meters,
        progress=progress,
    )
    print()
    print(format_stats(stats))
    return 0


def format_stats(stats: dict) -> str:
    """One line of figures of :func:`write_province`."""
    return (
        f"{stats['meters']:,} meters x {stats['month']} in {stats['counties']} counties: "
        f"{stats['daily_rows']:,} daily rows, {stats['area_rows']:,} area-meter rows, "
        f"{stats['bytes'] / 2**20:,.0f} MiB of Parquet in {stats['seconds']:.1f} s "
        f"({stats['daily_rows'] / max(stats['seconds'], 1e-9):,.0f} rows/s), peak RSS {stats['peak_rss_mb']:,.0f} MiB"
    )


if __name__ == "__main__":
    sys.exit(main())
