"""Benchmark: the whole monthly run (VEE, daily and monthly loss, features, rules, model scoring, suspects
written), full year and incremental month; prints each stage, the total and the peak memory.

    .venv/bin/python benchmarks/monthly_run_benchmark.py --meters 100000
    .venv/bin/python benchmarks/monthly_run_benchmark.py --meters 1000000     # the target's size
    .venv/bin/python benchmarks/monthly_run_benchmark.py --meters 100000 --phases before

Data: ``lineloss_benchmark.generate`` (daily consumption with about 2 % missing, area-meter registers) for
13 months, 2025-01 .. 2026-01, in the store's Parquet layout (not timed).  ``--registers``: the meters'
daily registers instead of their consumption (what AMI collects: the 24:00 freeze), so that VEE computes
each day's energy from the register's steps (interpolating a missing register); keep its data in a
folder of its own.

Phases, each in its own process so that each one's peak memory (``ru_maxrss``) is its own; the scoring's
modules (scikit-learn, SciPy) are imported before the clock starts, as in a worker that runs month after
month:

* ``before`` -- what the monthly job did before the one-pass run: ``run_monthly(2025-12)`` (VEE over the
  month and its three history months, loss, flags) then ``score_month(2025-12)`` (VEE again over thirteen
  months, features, scoring).  Needs the old code: ``--code DIR`` imports ``gridcheck_analytics`` from
  DIR in that phase, e.g. ``git archive 477cd06 gridcheck_analytics | tar -x -C /tmp/before``.
* ``full`` -- ``monthly_job.monthly_run(2025-12)`` on an empty derived store: every month's VEE (twelve
  months, once each), their loss and monthly history, then the month's features, rules, scoring and
  suspects written: the whole run of a year.
* ``incremental`` -- then ``monthly_job.monthly_run(2026-01)``: only the new month is validated; the history
  is the stored per-meter monthly rows.

The targets (issue 22) are for 1,000,000 meters on 2 cores: whole run < 25 s, peak < 6 GB, incremental
month < 10 s.  At a smaller ``--meters`` the figures are also extrapolated linearly to 1,000,000 meters
(labelled so: the fixed costs make the extrapolation pessimistic, the memory of the in-memory blocks does
not grow past one bucket of meters).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_METERS = 1_000_000
TARGETS = {"full": 25.0, "incremental": 10.0}
TARGET_PEAK_MB = 6 * 1024
DAYS = 396  # 2025-01-01 .. 2026-01-31


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _connect():
    from gridcheck_analytics.backends import connect

    con = connect("duckdb", threads=os.cpu_count())
    con.raw_sql("SET preserve_insertion_order = false")
    con.raw_sql("SET memory_limit = '5GB'")
    return con


def _archive(data_dir: Path):
    import pandas as pd

    return {"meters": pd.read_parquet(data_dir / "archive" / "meters.parquet")}


def _import_untimed() -> None:
    """Import the scoring's modules before the clock starts (scikit-learn and SciPy take about 1.5 s):
    a worker process has them imported once, and the linear extrapolation would multiply a fixed cost."""
    import gridcheck_analytics.detection.combine  # noqa: F401
    import gridcheck_analytics.detection.estimators  # noqa: F401
    import gridcheck_analytics.suspects  # noqa: F401


def before_job(data_dir: Path) -> dict:
    """The old code path: ``run_monthly`` then ``score_month`` of 2025-12 (stages from their progress)."""
    from gridcheck_analytics.pipeline import run_monthly
    from gridcheck_analytics.store import MeterStore
    from gridcheck_analytics.suspects import score_month

    con = _connect()
    store = MeterStore(data_dir)
    archive = _archive(data_dir)
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(prefix):
        def cb(step, done, total):
            now = time.perf_counter()
            stages[f"{prefix}{step}"] = now - last[0]
            last[0] = now

        return cb

    _import_untimed()
    t0 = time.perf_counter()
    last[0] = t0
    run_monthly(store, archive, "2025-12", con=con, progress=progress("loss: "))
    last[0] = time.perf_counter()
    suspects = score_month(store, archive, "2025-12", con=con, progress=progress("detection: "))
    t = time.perf_counter()
    stages["suspects written"] = 0.0
    return {"stages": stages, "seconds": t - t0, "suspects": len(suspects), "peak_mb": peak_mb()}


def after_job(data_dir: Path, month: str) -> dict:
    """``monthly.monthly_run`` of ``month`` (the derived store as the previous phase left it)."""
    from gridcheck_analytics.monthly_job import monthly_run
    from gridcheck_analytics.store import MeterStore

    con = _connect()
    store = MeterStore(data_dir)
    archive = _archive(data_dir)
    _import_untimed()
    t0 = time.perf_counter()
    out = monthly_run(store, archive, month, con=con)
    seconds = time.perf_counter() - t0
    return {
        "stages": out["timings"],
        "seconds": seconds,
        "months_validated": out["months_validated"],
        "suspects": len(out["suspects"]),
        "peak_mb": peak_mb(),
    }


def child(phase: str, args) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--data-dir", str(args.data_dir)]
    cmd += ["--meters", str(args.meters)] + (["--registers"] if args.registers else [])
    env = dict(os.environ)
    if args.code and phase == "before":  # the old code for the old path only
        env["MONTHLY_BENCH_CODE"] = str(args.code)
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        return {"error": (out.stderr or out.stdout)[-3000:]}
    return json.loads(lines[-1])


def report(name: str, r: dict, meters: int, target: float | None) -> None:
    if "error" in r:
        print(f"{name}: FAILED\n{r['error']}")
        return
    scale = TARGET_METERS / meters
    print(f"{name}: measured at {meters:,} meters (2025-01..2025-12 history, 31-day months)")
    for stage, seconds in r["stages"].items():
        print(f"  {stage:<40} {seconds:7.2f} s")
    extra = f", months validated {r['months_validated']}" if "months_validated" in r else ""
    print(f"  {'total':<40} {r['seconds']:7.2f} s, peak memory {r['peak_mb']:.0f} MB{extra}")
    if scale != 1:
        line = f"  extrapolated x{scale:g} to {TARGET_METERS:,} meters (linear): {r['seconds'] * scale:.1f} s"
        print(line + (f" (target < {target:g} s)" if target else ""))
    else:
        ok = "met" if target and r["seconds"] < target else "NOT met"
        print(f"  target < {target:g} s: {ok}" if target else "")
    peak_ok = "met" if r["peak_mb"] < TARGET_PEAK_MB else "NOT met"
    print(f"  peak memory {r['peak_mb']:.0f} MB (target < {TARGET_PEAK_MB} MB at 1,000,000: {peak_ok} here)")


def main() -> None:
    from lineloss_benchmark import generate

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--meters", type=int, default=100_000)
    p.add_argument("--phases", default="full,incremental", help="comma list of before, full, incremental")
    p.add_argument(
        "--code", type=Path, default=None, help="phase before: import gridcheck_analytics from this folder"
    )
    p.add_argument("--data-dir", type=Path, default=None, help="keep (or reuse) the generated data here")
    p.add_argument(
        "--registers", action="store_true", help="the meters' daily registers instead of their consumption"
    )
    p.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.phase:
        jobs = {
            "generate": lambda: generate(args.data_dir, args.meters, DAYS, registers=args.registers),
            "before": lambda: before_job(args.data_dir),
            "full": lambda: after_job(args.data_dir, "2025-12"),
            "incremental": lambda: after_job(args.data_dir, "2026-01"),
        }
        print(json.dumps(jobs[args.phase]()))
        return

    with tempfile.TemporaryDirectory(prefix="gridcheck-monthly-") as tmp:
        args.data_dir = Path(args.data_dir or tmp)
        print(
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; meters {args.meters:,}"
            + (", daily registers" if args.registers else ", daily consumption")
        )
        if not (args.data_dir / "archive" / "meters.parquet").is_file():
            g = child("generate", args)
            print(f"generate (not timed in the run): {g}")
        phases = [x.strip() for x in args.phases.split(",") if x.strip()]
        if "full" in phases:
            import shutil

            shutil.rmtree(args.data_dir / "derived", ignore_errors=True)  # a whole run from scratch
        for phase in phases:
            target = TARGETS.get(phase)
            report(phase, child(phase, args), args.meters, target)


def _use_code(folder: str) -> None:
    """Import ``gridcheck_analytics`` from ``folder`` (the old code), ahead of the editable install."""
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
    sys.path.insert(0, folder)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if os.environ.get("MONTHLY_BENCH_CODE"):
        _use_code(os.environ["MONTHLY_BENCH_CODE"])
    main()
