#!/usr/bin/env python
"""A Spark standalone cluster on this machine runs the monthly run; its results are compared with DuckDB's.

Starts a master and two workers (1 core, 1 GiB each; logs under ``var/spark/``), simulates a small
province (or takes ``--store``), runs the month on DuckDB, submits the same run to the cluster (a driver
process with ``SparkSession.builder.master("spark://...")``, through the Ibis PySpark backend), compares
every result frame (floats to 1e-9 relative), prints the timings and the per-core throughput, and stops
the cluster.  Exit status 0 when the results agree, 1 when they differ or the run fails.

    .venv/bin/python scripts/spark_cluster.py                       # 4,000 meters, 2 counties
    .venv/bin/python scripts/spark_cluster.py --meters 20000 --counties 4 --kill-worker-after 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gridcheck_analytics.cluster import (  # noqa: E402
    ClusterError,
    StandaloneCluster,
    compare_results,
    read_results,
    run_month,
    run_month_subprocess,
)
from gridcheck_analytics.province_sim import write_province  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", default=None, help="an existing province folder (default: simulate one)")
    parser.add_argument("--meters", type=int, default=4000, help="meters to simulate")
    parser.add_argument("--counties", type=int, default=2, help="counties to simulate")
    parser.add_argument("--month", default="2025-01")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="1g")
    parser.add_argument("--var", default=str(ROOT / "var" / "spark"), help="logs and results")
    parser.add_argument(
        "--kill-worker-after", type=float, default=None, help="kill worker 1 this many seconds into the run"
    )
    parser.add_argument("--small", action="store_true", help="settings for small data (few partitions)")
    args = parser.parse_args(argv)
    var = Path(args.var)
    store = Path(args.store) if args.store else var / "province"
    t0 = time.perf_counter()
    if not args.store:
        stats = write_province(store, meters=args.meters, counties=args.counties, month=args.month)
        print(f"simulated {stats['meters']:,} meters x {args.month}: {stats['daily_rows']:,} daily rows")
    duck = run_month(store, args.month, var / "results-duckdb", backend="duckdb", cores=1)
    meter_days = duck["meters"] * 31
    print(
        f"DuckDB, 1 thread: {duck['seconds']:.1f} s, "
        f"{meter_days / duck['seconds']:,.0f} meter-days/s per core"
    )
    try:
        with StandaloneCluster(var, workers=args.workers, memory=args.worker_memory) as cluster:
            print(
                f"cluster {cluster.url}: master + {args.workers} workers up in {time.perf_counter() - t0:.0f} s"
            )
            t1 = time.perf_counter()
            proc = run_month_subprocess(
                store,
                args.month,
                var / "results-spark",
                master=cluster.url,
                cores=args.workers,
                small=args.small,
            )
            if args.kill_worker_after is not None:
                time.sleep(args.kill_worker_after)
                cluster.kill_worker(1)
                print(f"killed worker 1 at {time.perf_counter() - t1:.0f} s into the run")
            out, err = proc.communicate()
            seconds = time.perf_counter() - t1
            if proc.returncode != 0:
                print(f"the cluster run failed ({proc.returncode}) after {seconds:.0f} s:")
                print("\n".join(line for line in err.splitlines() if line.startswith("error:")))
                return 1
            print(
                f"Spark cluster, {args.workers} cores: {seconds:.1f} s (driver start included), "
                f"{meter_days / seconds / args.workers:,.0f} meter-days/s per core"
            )
    except ClusterError as exc:
        print(f"error: {exc}")
        return 1
    problems = compare_results(read_results(var / "results-duckdb"), read_results(var / "results-spark"))
    for p in problems:
        print("DIFFERS:", p)
    print("results equal to DuckDB's" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
