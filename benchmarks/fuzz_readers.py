"""Fuzz benchmark of the input readers: N generated inputs, exceptions found, inputs per second.

Runs the targets of ``tests/fuzz/harness.py`` (the meter-data CSV and Parquet readers, the archive
import's CSV/XLSX reading layer and its value parsers) on inputs drawn with plain ``random`` (about a
hundred times cheaper per input than Hypothesis, which the CI test ``tests/fuzz/test_readers_fuzz.py``
uses).  Property: every input is read, or refused with the project's clear input error
(``ReaderError`` / the archive's ``_FileProblem`` and ``_CellProblem``); anything else is an exception
found, printed with the input that raised it (0 expected).

    .venv/bin/python benchmarks/fuzz_readers.py                          # 1,000,000 inputs in all
    .venv/bin/python benchmarks/fuzz_readers.py --examples 20000 --jobs 2
    nice -n 19 .venv/bin/python benchmarks/fuzz_readers.py --targets archive_csv,archive_values

``--examples`` inputs in all are split over the targets by ``WEIGHTS`` (``--split even``: evenly).  The
weights follow the cost of an input: the pandas readers of meter data take about 10 ms an input, an XLSX
file about 6 ms, the CSV reading layer under 1 ms and a value parser some microseconds, so an even split
would spend nine tenths of the time on the meter-data readers.  Work goes in units of ``--chunk`` inputs
to ``--jobs`` worker processes, each unit with its own seed (from ``--seed``), so a run is reproducible.
No database is used.  Exit status 1 when an exception was found.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Exceptions of one kind (type and place) kept with their input, to print.
KEEP_PER_KIND = 2
#: Share of the inputs per target (see the module docstring).
WEIGHTS = {
    "daily_csv": 6,
    "curves_csv": 6,
    "events_csv": 6,
    "area_meter_csv": 6,
    "meter_parquet": 4,
    "archive_csv": 25,
    "archive_xlsx": 12,
    "archive_values": 35,
}


def _work(job: dict) -> dict:
    """One worker: ``job["n"]`` inputs of target ``job["target"]`` with seed ``job["seed"]``."""
    sys.path.insert(0, str(ROOT))
    warnings.simplefilter("ignore")  # pandas' dateutil fallback, openpyxl's out-of-range dates
    from tests.fuzz import harness

    harness.setup_django()
    workdir = harness.Workdir()
    try:
        target = next(t for t in harness.targets(workdir) if t.name == job["target"])
        draw = harness.RandomDraw(job["seed"])
        done = refused = 0
        found: dict[str, dict] = {}
        harness_errors: dict[str, int] = {}
        started = time.perf_counter()
        for _ in range(job["n"]):
            try:
                value = target.generate(draw)
            except Exception as exc:  # noqa: BLE001 - a bug of the harness, not of a reader: counted apart
                kind = f"generator {type(exc).__name__}: {exc}"[:300]
                harness_errors[kind] = harness_errors.get(kind, 0) + 1
                continue
            try:
                target.run(value)
            except target.allowed:
                refused += 1
            except Exception as exc:  # noqa: BLE001 - what the fuzzing is looking for
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                kind = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
                entry = found.setdefault(kind, {"count": 0, "examples": []})
                entry["count"] += 1
                if len(entry["examples"]) < KEEP_PER_KIND:
                    entry["examples"].append(
                        {"error": f"{type(exc).__name__}: {exc}"[:500], "input": repr(value)[:1500]}
                    )
            done += 1
        return {
            "target": job["target"],
            "inputs": done,
            "refused": refused,
            "found": found,
            "harness_errors": harness_errors,
            "seconds": time.perf_counter() - started,
        }
    finally:
        workdir.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1_000_000, help="inputs in all (split over targets)")
    parser.add_argument("--targets", default="", help="comma-separated target names (default: all)")
    parser.add_argument("--split", choices=["weights", "even"], default="weights", help="inputs per target")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--chunk", type=int, default=5000, help="inputs per work unit (progress is printed per unit)"
    )
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from tests.fuzz import harness

    harness.setup_django()
    workdir = harness.Workdir()
    names = [t.name for t in harness.targets(workdir)]
    workdir.close()
    if args.targets:
        unknown = sorted(set(args.targets.split(",")) - set(names))
        if unknown:
            parser.error(f"unknown target(s) {unknown}; known: {', '.join(names)}")
        names = [n for n in names if n in args.targets.split(",")]
    weights = {n: (WEIGHTS[n] if args.split == "weights" else 1) for n in names}
    per_target = {n: args.examples * w // sum(weights.values()) for n, w in weights.items()}
    per_target[names[-1]] += args.examples - sum(per_target.values())
    jobs = []
    for i, name in enumerate(names):
        left = per_target[name]
        unit = 0
        while left > 0:
            n = min(args.chunk, left)
            units = -(-per_target[name] // args.chunk)
            jobs.append(
                {"target": name, "n": n, "seed": args.seed + 1_000_003 * i + unit, "at": unit / units}
            )
            left -= n
            unit += 1
    jobs.sort(key=lambda job: job["at"])  # the targets interleaved: progress shows every target early

    totals = {
        n: {"inputs": 0, "refused": 0, "exceptions": 0, "cpu_seconds": 0.0, "found": {}, "harness_errors": {}}
        for n in names
    }
    started = time.perf_counter()
    print(
        f"{args.examples:,} inputs over {len(names)} targets, {len(jobs)} units, {args.jobs} job(s)",
        flush=True,
    )
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.jobs, maxtasksperchild=20) as pool:
        for result in pool.imap_unordered(_work, jobs):
            t = totals[result["target"]]
            t["inputs"] += result["inputs"]
            t["refused"] += result["refused"]
            t["cpu_seconds"] += result["seconds"]
            for kind, count in result["harness_errors"].items():
                t["harness_errors"][kind] = t["harness_errors"].get(kind, 0) + count
            for kind, entry in result["found"].items():
                if kind not in t["found"]:  # a new kind: say so at once
                    print(f"  NEW {result['target']}: {kind}: {entry['examples'][0]}", flush=True)
                mine = t["found"].setdefault(kind, {"count": 0, "examples": []})
                mine["count"] += entry["count"]
                mine["examples"] = (mine["examples"] + entry["examples"])[:KEEP_PER_KIND]
                t["exceptions"] += entry["count"]
            done = sum(x["inputs"] for x in totals.values())
            elapsed = time.perf_counter() - started
            print(
                f"  {done:>9,} / {args.examples:,}  {result['target']:<15} "
                f"{result['inputs'] / result['seconds']:>8.0f}/s  exceptions so far: "
                f"{sum(x['exceptions'] for x in totals.values())}  [{elapsed:,.0f} s]",
                flush=True,
            )
    elapsed = time.perf_counter() - started

    inputs = sum(t["inputs"] for t in totals.values())
    exceptions = sum(t["exceptions"] for t in totals.values())
    print()
    print(f"{'target':<16}{'inputs':>11}{'refused':>11}{'exceptions':>12}{'inputs/s (1 core)':>20}")
    for name, t in totals.items():
        rate = t["inputs"] / t["cpu_seconds"] if t["cpu_seconds"] else 0.0
        print(f"{name:<16}{t['inputs']:>11,}{t['refused']:>11,}{t['exceptions']:>12,}{rate:>20,.0f}")
    print(
        f"{'all':<16}{inputs:>11,}{sum(t['refused'] for t in totals.values()):>11,}{exceptions:>12,}"
        f"{inputs / sum(t['cpu_seconds'] for t in totals.values()):>20,.0f}"
    )
    print(
        f"\n{inputs:,} inputs in {elapsed:,.0f} s wall ({inputs / elapsed:,.0f} inputs/s with {args.jobs} job(s)); "
        f"exceptions found: {exceptions}"
    )
    for name, t in totals.items():
        for kind, count in t["harness_errors"].items():
            print(f"\n{name}: {count} input(s) not generated (harness bug, not counted): {kind}")
        for kind, entry in t["found"].items():
            print(f"\n{name}: {entry['count']} x {kind}")
            for example in entry["examples"]:
                print(f"  {example['error']}\n  input: {example['input']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "inputs": inputs,
                    "exceptions": exceptions,
                    "seconds": elapsed,
                    "jobs": args.jobs,
                    "targets": totals,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 1 if exceptions else 0


if __name__ == "__main__":
    sys.exit(main())
