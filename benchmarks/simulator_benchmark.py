"""The county simulator (what ``gridcheck demo`` writes to the meter store): seconds and peak memory.

    .venv/bin/python benchmarks/simulator_benchmark.py                    # the demo county: 61,107 meters
    .venv/bin/python benchmarks/simulator_benchmark.py --meters 200000 --months 13

Simulates ``--months`` months of meter data for ``--meters`` meters of a simulated county
(:func:`gridcheck_analytics.detection.evaluate.sim_archive`) with
:func:`gridcheck_analytics.readings_sim.simulate_readings` into a fresh store, as the demo does (the daily
readings written a month at a time, ``keep_daily=False``), in a child process so that its peak RSS is its
own. Prints the rows of each frame, the seconds, the peak RSS and a digest of every stored month's frames
(the same seed gives the same digest: a change that should not change the data can be checked by it).
``--keep-daily`` keeps the whole period's daily readings in memory as well (what a caller that asks for
the frame pays). The target: the demo county under 4 GB (it peaked at 9.0 GB before 2026-12-07).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_METERS = 61_107
TARGET_PEAK_MB = 4 * 1024

CHILD = """
import hashlib, json, resource, sys, time
from pathlib import Path
import pandas as pd
from gridcheck_analytics.detection.evaluate import sim_archive
from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings
from gridcheck_analytics.store import MeterStore

meters_n, months, root, keep = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1"
meters = archive_frames_to_meters(sim_archive(meters_n, 0))
started = time.perf_counter()
result = simulate_readings(
    meters, start="2025-01-01", months=months, seed=7, store=MeterStore(root), keep_daily=keep
)
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
digest = hashlib.sha256()
for name in ("daily", "area_meter", "events", "curves"):
    for path in sorted((root / name).glob("*/part-0.parquet")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(pd.util.hash_pandas_object(pd.read_parquet(path), index=False).values.tobytes())
print(json.dumps({"rows": result["rows"], "seconds": seconds, "peak_mb": peak_mb, "digest": digest.hexdigest()[:16]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=DEMO_METERS)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--keep-daily", action="store_true", help="return the daily readings as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gridcheck-sim-") as root:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                str(args.meters),
                str(args.months),
                root,
                "1" if args.keep_daily else "0",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    rows = figures["rows"]
    print(f"simulator: {args.meters:,} meters x {args.months} months (keep_daily={args.keep_daily})")
    print(
        f"  rows: daily {rows['daily']:,}, area meters {rows['area_meter']:,}, events {rows['events']:,}, "
        f"curve points {rows['curves']:,}"
    )
    print(f"  time {figures['seconds']:.1f} s (the archive's simulation not counted)")
    if args.meters == DEMO_METERS:
        verdict = "met" if figures["peak_mb"] < TARGET_PEAK_MB else "NOT met"
        target = f"target < {TARGET_PEAK_MB:,} MB: {verdict}"
    else:
        target = f"the target (< {TARGET_PEAK_MB:,} MB) is for the demo county's {DEMO_METERS:,} meters"
    print(f"  peak memory {figures['peak_mb']:,.0f} MB; {target}")
    print(f"  digest of the stored frames: {figures['digest']}")


if __name__ == "__main__":
    main()
