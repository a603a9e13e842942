"""The monthly run on a Spark standalone cluster gives DuckDB's results, also when a worker dies mid-run.

A master and two workers (1 core, 1 GiB each) run on this machine (``StandaloneCluster``); the run is
submitted from its own driver process with ``master="spark://127.0.0.1:<port>"`` -- not local mode: both
workers launch an executor for it -- and writes its result frames to Parquet, which are compared with
the same run on DuckDB (floats to 1e-9 relative: the two add in different orders).

No skip: Spark needs Java 17, which CI has; without it the cluster fixture fails with a message saying so.
"""

import time

import pytest

from gridcheck_analytics.cluster import (
    DONE,
    StandaloneCluster,
    compare_results,
    java,
    read_results,
    run_month,
    run_month_subprocess,
    write_results,
)
from gridcheck_analytics.province_sim import write_province

MONTH = "2025-01"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """(store folder, DuckDB's results) of a small province: two counties, 600 meters."""
    root = tmp_path_factory.mktemp("province")
    write_province(root, meters=600, counties=2, month=MONTH, seed=4, theft_fraction=0.05)
    out = tmp_path_factory.mktemp("duckdb") / "results"
    run_month(root, MONTH, out, backend="duckdb", cores=1)
    return root, read_results(out)


@pytest.fixture(scope="module", autouse=True)
def _jit_first_tier_only():
    """Every JVM this module starts (master, workers, executors, the runs' drivers) inherits the
    environment: the JIT's first tier only, as the tests' Spark session (tests/analytics/conftest.py).
    Six JVMs on a machine's few cores: 156 s -> 84 s for the module, the same results."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1")
        yield


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    java()  # no Java: ClusterError "Java is missing: Spark needs Java 17 ..." (a failure, not a skip)
    with StandaloneCluster(tmp_path_factory.mktemp("spark"), workers=2, cores=1, memory="1g") as c:
        yield c


def _launched(cluster) -> list[int]:
    return [cluster.executors_running(i) for i in range(2)]


def test_a_worker_killed_mid_run_finishes_or_fails_cleanly_and_a_rerun_equals_duckdb(
    province, cluster, tmp_path
):
    """The run goes to the cluster (each worker launches an executor for it). Worker 1 and its executor
    killed during the VEE jobs: the run finishes on worker 0 with DuckDB's results, or fails with one
    error line and no results, and then a re-run gives DuckDB's results. (A run left alone gives DuckDB's
    results as the finished or re-run one does: no test of its own, a cluster run takes a minute.)"""
    root, duck = province
    assert len(duck["area_monthly"]) > 0 and duck["area_monthly"]["loss_rate_percent"].notna().all()
    before = _launched(cluster)
    out_dir = tmp_path / "spark"
    proc = run_month_subprocess(root, MONTH, out_dir, master=cluster.url, cores=2, small=True)
    lines = []
    while not any(line.startswith("step connect") for line in lines):  # the session runs, no job yet
        line = proc.stdout.readline()
        assert line, f"the driver stopped before its first step: {proc.stderr.read()[-3000:]}"
        lines.append(line)
    deadline = time.monotonic() + 120
    while [a > b for a, b in zip(_launched(cluster), before, strict=True)] != [True, True]:
        assert time.monotonic() < deadline, f"the workers launched {_launched(cluster)} executors"
        time.sleep(0.2)
    time.sleep(2.0)  # into the VEE jobs
    assert proc.poll() is None, "the run ended before the worker could be killed"
    cluster.kill_worker(1)  # the worker and its executor, at once
    out, err = proc.communicate(timeout=900)
    out = "".join(lines) + out
    if proc.returncode == 0:  # Spark ran the lost tasks again on worker 0: DuckDB's results
        assert "step flags" in out and "done" in out
        assert compare_results(duck, read_results(out_dir)) == []
        return
    # a clean failure: one error line, no results (not even partial ones) ...
    assert any(line.startswith("error: ") for line in err.splitlines()), err[-3000:]
    assert not (out_dir / DONE).exists()
    with pytest.raises(FileNotFoundError):
        read_results(out_dir)
    # ... and a re-run on what is left of the cluster gives DuckDB's results
    proc = run_month_subprocess(root, MONTH, out_dir, master=cluster.url, cores=2, small=True)
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    assert compare_results(duck, read_results(out_dir)) == []


def test_compare_results_sees_a_changed_value_a_missing_row_and_nested_lists(tmp_path):
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"area_code": ["A", "B"], "loss_kwh": [1.0, np.nan], "causes": [["x"], []]})
    write_results({"area_monthly": frame}, tmp_path / "a")
    same = read_results(tmp_path / "a")
    assert compare_results({"area_monthly": frame}, same) == []
    shuffled = frame.iloc[::-1].assign(loss_kwh=[np.nan, 1.0 + 1e-12])
    assert compare_results({"area_monthly": frame}, {"area_monthly": shuffled}) == []
    changed = frame.assign(loss_kwh=[1.001, np.nan])
    assert compare_results({"area_monthly": frame}, {"area_monthly": changed}) != []
    assert compare_results({"area_monthly": frame}, {"area_monthly": frame.iloc[:1]}) != []
    assert compare_results({"area_monthly": frame}, {"area_monthly": frame, "line_monthly": frame}) != []
    # a second write replaces the folder whole; a folder without the marker is not results
    write_results({"line_monthly": frame}, tmp_path / "a")
    assert sorted(read_results(tmp_path / "a")) == ["line_monthly"]
    (tmp_path / "a" / DONE).unlink()
    with pytest.raises(FileNotFoundError):
        read_results(tmp_path / "a")


def test_a_background_task_submits_a_run_of_one_meter_store_and_loads_its_results(province, tmp_path):
    """The web app's way (docs/scale-out.md): its meter store and the archive's meters in a file, a child
    process for the run, ``step`` lines for the progress, the results loaded from Parquet."""
    import json

    root, _ = province
    county = root / "C01"  # a county of the province is one meter store, its meters beside it
    whole = tmp_path / "whole"
    run_month(root, MONTH, whole, backend="duckdb", counties=["C01"])
    targets = tmp_path / "targets.json"
    codes = sorted(set(read_results(whole)["area_monthly"]["area_code"]))
    targets.write_text(json.dumps(dict.fromkeys(codes, 1.0)))
    proc = run_month_subprocess(
        county,
        MONTH,
        tmp_path / "task",
        master=None,
        backend="duckdb",
        meters_path=county / "meters.parquet",
        targets_path=targets,
    )
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert [line.split()[1] for line in out.splitlines() if line.startswith("step ")] == [
        "connect",
        "vee",
        "supply",
        "loss",
        "flags",
    ]
    task = read_results(tmp_path / "task")
    assert (task["area_monthly"]["target_percent"] == 1.0).all() and task["area_monthly"][
        "above_target"
    ].all()
    same = {k: v for k, v in task.items() if k not in ("area_monthly", "area_monthly_history")}
    assert compare_results({k: read_results(whole)[k] for k in same}, same) == []
    # a store that is not there: exit 1 and one error line, no results
    proc = run_month_subprocess(tmp_path / "nowhere", MONTH, tmp_path / "bad", master=None, backend="duckdb")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1 and err.strip().splitlines()[-1].startswith("error: ")
    assert not (tmp_path / "bad").exists()
