"""A province's month: the streamed simulator and the DuckDB monthly run on it, with figures.

    .venv/bin/python benchmarks/province_benchmark.py                      # 1,000,000 meters (measured here)
    .venv/bin/python benchmarks/province_benchmark.py --meters 10000000    # the province itself

1. Simulates ``--meters`` meters x the month's days (plus the day before) in ``--counties`` counties
   straight to Parquet (:func:`gridcheck_analytics.province_sim.write_province`), chunk by chunk; prints
   rows, bytes, seconds and the peak RSS (flat: the RSS of one chunk, not of the province).  The simulator
   runs in a child process so that its peak RSS is its own.
2. Runs the DuckDB monthly run (:func:`gridcheck_analytics.pipeline.run_monthly`: VEE, daily and monthly
   loss per area and line, reading rates, flags) over all counties at once -- or county by county
   (``--by-county``, the default above 2,000,000 meters: a whole province at once holds about 6 GB per
   1,000,000 meters) -- and prints each step's time, meter-days per second and per core, and the peak RSS.
3. Prints the figures extrapolated to 10,000,000 meters (linear in meters) when ``--meters`` is smaller,
   labelled as such.

``--skip-simulate`` reuses the data already under ``--data-dir``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gridcheck_analytics.province_sim import PROVINCE_COUNTIES, PROVINCE_METERS, format_stats  # noqa: E402

SIMULATE = """
import json, sys
from gridcheck_analytics.province_sim import write_province
stats = write_province(sys.argv[1], meters=int(sys.argv[2]), counties=int(sys.argv[3]), month=sys.argv[4])
print(json.dumps(stats))
"""


def simulate(data_dir: Path, meters: int, counties: int, month: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SIMULATE, str(data_dir), str(meters), str(counties), month],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def monthly_run(data_dir: Path, month: str, threads: int, by_county: bool = False) -> dict:
    """The DuckDB monthly run over all counties at once, or county by county (memory of one county)."""
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.pipeline import run_monthly
    from gridcheck_analytics.province_sim import ProvinceStore, peak_rss_mb

    t0 = time.perf_counter()
    groups = [[c] for c in ProvinceStore(data_dir).counties] if by_county else [None]
    steps: dict[str, float] = {}
    n_meters = areas = flagged = 0
    for counties in groups:
        t1 = time.perf_counter()
        store = ProvinceStore(data_dir, counties)
        meters = store.meters()
        steps["read meters"] = steps.get("read meters", 0.0) + time.perf_counter() - t1
        last = [time.perf_counter()]

        def progress(step, done, total, last=last):
            now = time.perf_counter()
            steps[step] = steps.get(step, 0.0) + now - last[0]
            last[0] = now

        con = connect("duckdb", threads=threads)
        result = run_monthly(store, {"meters": meters}, month, con=con, history_months=0, progress=progress)
        con.disconnect()
        n_meters += len(meters)
        areas += len(result["area_monthly"])
        flagged += int(result["area_monthly"]["flagged"].sum())
        del result, meters
    return {
        "seconds": time.perf_counter() - t0,
        "steps": steps,
        "meters": n_meters,
        "areas": areas,
        "flagged": flagged,
        "runs": len(groups),
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meters", type=int, default=1_000_000, help="meters (the province: 10,000,000)")
    parser.add_argument("--counties", type=int, default=PROVINCE_COUNTIES)
    parser.add_argument("--month", default="2025-01")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-province"))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="DuckDB threads")
    parser.add_argument("--skip-simulate", action="store_true", help="reuse the data under --data-dir")
    parser.add_argument(
        "--by-county",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="one DuckDB run per county (default above 2,000,000 meters: the memory of one county)",
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    days = 31
    scale = PROVINCE_METERS / args.meters
    label = "measured" if args.meters >= PROVINCE_METERS else f"measured at {args.meters:,} meters"
    print(
        f"province benchmark: {args.meters:,} meters, {args.counties} counties, {args.month}, {os.cpu_count()} CPUs"
    )

    if not args.skip_simulate:
        sim = simulate(data_dir, args.meters, args.counties, args.month)
        print(f"simulate ({label}): {format_stats(sim)}")
        if scale > 1:
            print(
                f"simulate (extrapolated to {PROVINCE_METERS:,} meters, linear): "
                f"{sim['seconds'] * scale:,.0f} s, {sim['bytes'] * scale / 2**30:,.1f} GiB of Parquet, "
                f"peak RSS that of one chunk (min(meters per county, 100,000) meters; {sim['peak_rss_mb']:,.0f} MiB here)"
            )

    by_county = args.by_county if args.by_county is not None else args.meters > 2_000_000
    run = monthly_run(data_dir, args.month, args.threads, by_county)
    meter_days = run["meters"] * days
    per_core = meter_days / run["seconds"] / args.threads
    how = f"{run['runs']} county runs" if by_county else "all counties in one run"
    print(
        f"DuckDB monthly run ({label}, {args.threads} threads, {how}): {run['seconds']:.1f} s, "
        f"peak RSS {run['peak_rss_mb']:,.0f} MiB"
    )
    for step, seconds in run["steps"].items():
        print(f"  {step:<12} {seconds:7.1f} s")
    print(
        f"  {run['meters']:,} meters, {run['areas']:,} areas ({run['flagged']:,} flagged): "
        f"{meter_days / run['seconds']:,.0f} meter-days/s, {per_core:,.0f} meter-days/s per core"
    )
    if scale > 1:
        print(
            f"DuckDB monthly run (extrapolated to {PROVINCE_METERS:,} meters, linear, one machine of "
            f"{args.threads} cores): {run['seconds'] * scale:,.0f} s; by county (36 runs of "
            f"{PROVINCE_METERS // PROVINCE_COUNTIES:,} meters): {run['seconds'] * scale / PROVINCE_COUNTIES:,.0f} s each"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
