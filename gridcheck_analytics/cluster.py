"""The monthly run on a Spark standalone cluster, and a small cluster on this machine to try it.

:class:`StandaloneCluster` starts a Spark standalone master and workers as child processes (the JVMs of
PySpark's own ``bin/spark-class``, logs under ``log_dir``), each worker in its own process group so that
:meth:`StandaloneCluster.kill_worker` kills it with its executor as a dying machine would.

:func:`run_month` is the driver of a cluster run: it reads a province's store (or one county's) on the
cluster through the Ibis PySpark backend, runs :func:`gridcheck_analytics.pipeline.run_monthly` and writes
every result frame to Parquet under ``out`` -- all or nothing: the frames go to a staging folder that is
renamed into place when the last one is written, so a run that dies leaves no results, only its staging
folder (removed by the next run).  ``python -m gridcheck_analytics.cluster run --master spark://... --store
DIR --month YYYY-MM --out DIR`` runs it in its own process (its own JVM), which is how a background task
submits it.  :func:`read_results` loads the frames back; :func:`compare_results` checks two runs agree.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: Settings of a cluster run on small data: few partitions, no code generation (planning dominates).
SMALL_RUN = {
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
}
#: Marker file a complete result folder holds.
DONE = "_SUCCESS"


class ClusterError(RuntimeError):
    """The cluster could not be started (no Java, a process that exited, a timeout)."""


def spark_home() -> Path:
    """PySpark's installation: its ``bin/spark-class`` and ``jars`` are a complete Spark."""
    import pyspark

    return Path(pyspark.__file__).parent


def java() -> str:
    """The ``java`` Spark will run (``JAVA_HOME`` or ``PATH``); :class:`ClusterError` when there is none."""
    home = os.environ.get("JAVA_HOME")
    path = Path(home) / "bin" / "java" if home else shutil.which("java")
    if not path or not Path(path).exists():
        raise ClusterError(
            "Java is missing: Spark needs Java 17 (install openjdk-17-jre-headless or set JAVA_HOME); "
            "the Spark cluster run and its tests cannot run without it"
        )
    return str(path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandaloneCluster:
    """A Spark standalone master and ``workers`` workers on this machine (a context manager).

    Parameters
    ----------
    log_dir : path
        Logs (``master.log``, ``worker-<i>.log``) and the workers' work folders.
    workers, cores : int
        Workers, and cores each offers.
    memory : str
        Memory each worker offers to executors, e.g. ``'1g'``.
    host : str
        Address the master and workers bind to.
    timeout : float
        Seconds to wait for the master and each worker to be ready.
    """

    def __init__(
        self,
        log_dir,
        *,
        workers: int = 2,
        cores: int = 1,
        memory: str = "1g",
        host: str = "127.0.0.1",
        timeout: float = 90.0,
    ):
        self.log_dir = Path(log_dir)
        self.n_workers, self.cores, self.memory, self.host, self.timeout = (
            workers,
            cores,
            memory,
            host,
            timeout,
        )
        self.port = _free_port()
        self.master: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen | None] = []

    @property
    def url(self) -> str:
        """The master's URL, ``spark://host:port``."""
        return f"spark://{self.host}:{self.port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_LOCAL_IP=self.host,
            PYSPARK_PYTHON=sys.executable,
            SPARK_LOG_DIR=str(self.log_dir),
            # a lost worker is noticed by the master in 30 s (default 60 s); the driver sees its executor go
            # at once (the connection drops) and runs the lost tasks again elsewhere
            SPARK_MASTER_OPTS="-Dspark.worker.timeout=30",
            SPARK_DAEMON_MEMORY="256m",
        )
        if "JAVA_HOME" not in env:
            env["JAVA_HOME"] = str(Path(os.path.realpath(java())).parent.parent)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 -- the child writes it until it stops
        try:
            return subprocess.Popen(
                [str(spark_home() / "bin" / "spark-class"), *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._env(),
                start_new_session=True,  # its own process group: killed with its executors
            )
        finally:
            log.close()

    def _wait_for(self, proc: subprocess.Popen, name: str, text: str) -> None:
        deadline = time.monotonic() + self.timeout
        path = self.log_dir / f"{name}.log"
        while time.monotonic() < deadline:
            if text in path.read_text(errors="replace"):
                return
            if proc.poll() is not None:
                raise ClusterError(f"Spark {name} exited ({proc.returncode}); see {path}")
            time.sleep(0.25)
        raise ClusterError(f"Spark {name} not ready after {self.timeout:.0f} s; see {path}")

    def start(self) -> StandaloneCluster:
        """Start the master, then the workers; return when every worker is registered."""
        java()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.master = self._spawn(
                "master",
                [
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                    "--webui-port",
                    str(_free_port()),
                ],
            )
            self._wait_for(self.master, "master", "I have been elected leader")
            for i in range(self.n_workers):
                self.workers.append(self._start_worker(i))
            for i, proc in enumerate(self.workers):
                self._wait_for(proc, f"worker-{i}", "Successfully registered with master")
        except BaseException:
            self.stop()
            raise
        return self

    def _start_worker(self, i: int) -> subprocess.Popen:
        work = self.log_dir / f"work-{i}"
        work.mkdir(parents=True, exist_ok=True)
        return self._spawn(
            f"worker-{i}",
            [
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                self.host,
                "--cores",
                str(self.cores),
                "--memory",
                self.memory,
                "--work-dir",
                str(work),
                "--webui-port",
                str(_free_port()),
                self.url,
            ],
        )

    def kill_worker(self, i: int) -> None:
        """Kill worker ``i`` and its executor at once (``SIGKILL`` to its process group): a machine dying."""
        proc = self.workers[i]
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.workers[i] = None

    def executors_running(self, i: int) -> int:
        """Executors worker ``i`` has launched so far (from its log)."""
        path = self.log_dir / f"worker-{i}.log"
        return path.read_text(errors="replace").count("Asked to launch executor") if path.exists() else 0

    def stop(self) -> None:
        """Stop the workers (with their executors), then the master: ``SIGTERM``, ``SIGKILL`` after 10 s."""
        procs = [p for p in [*self.workers, self.master] if p is not None]
        for proc in procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.workers, self.master = [], None

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_NESTED = np.ndarray | list | tuple | dict


def _python(value):
    """Arrays as lists and NumPy scalars as Python ones, for JSON."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_python(v) for v in value]
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    return value.item() if isinstance(value, np.generic) else value


def _nested_columns(frame: pd.DataFrame) -> list[str]:
    """Columns holding lists or dicts (the areas' ``causes``)."""
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, _NESTED)).any()
    ]


def write_results(result: dict[str, pd.DataFrame], out) -> Path:
    """Write the frames of a run to ``out/<name>.parquet``, all or nothing (see the module docstring).

    Columns of lists or dicts (the areas' structured ``causes``) are written as JSON text, named in the
    ``_SUCCESS`` marker: Parquet would make every cause a struct with every cause's fields (absent ones
    null, integers as floats), and :func:`read_results` gives them back exactly as ``run_monthly`` made them.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{uuid.uuid4().hex}"
    staging.mkdir()
    json_columns = {}
    for name, frame in result.items():
        if isinstance(frame, pd.DataFrame):
            nested = _nested_columns(frame)
            if nested:
                json_columns[name] = nested
                frame = frame.assign(
                    **{
                        c: frame[c].map(lambda v: json.dumps(_python(v)) if isinstance(v, _NESTED) else None)
                        for c in nested
                    }
                )
            frame.to_parquet(staging / f"{name}.parquet", index=False)
    (staging / DONE).write_text(json.dumps({"json_columns": json_columns}))
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex}"
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
    return out


def read_results(out) -> dict[str, pd.DataFrame]:
    """The frames :func:`write_results` wrote; :class:`FileNotFoundError` if the run did not complete."""
    out = Path(out)
    if not (out / DONE).is_file():
        raise FileNotFoundError(f"no complete results under {out}")
    marker = (out / DONE).read_text()
    json_columns = json.loads(marker)["json_columns"] if marker.strip() else {}
    frames = {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))}
    for name, columns in json_columns.items():
        for c in columns:
            frames[name][c] = frames[name][c].map(lambda s: json.loads(s) if isinstance(s, str) else None)
    return frames


def _plain(value):
    """Arrays, lists and dicts (Parquet's lists and structs) as plain Python values, for ``repr``."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Nested values (lists, structs) as their text, rows sorted by every column that is not a float."""
    frame = frame.copy()
    for c in frame.columns:
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, list | np.ndarray | dict)).any():
            frame[c] = frame[c].map(lambda v: repr(_plain(v)) if v is not None else None)
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    return frame.sort_values(keys).reset_index(drop=True) if keys else frame


def compare_results(
    left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame], *, rtol: float = 1e-9, atol: float = 1e-9
) -> list[str]:
    """Differences between two runs' frames (empty: equal), floats to ``rtol``/``atol``, nulls equal.

    Spark and DuckDB add floating-point numbers in different orders: exact equality is not expected.
    """
    problems = []
    for name in sorted(set(left) | set(right)):
        if name not in left or name not in right:
            problems.append(f"{name}: only in one run")
            continue
        a, b = _comparable(left[name]), _comparable(right[name])
        if list(a.columns) != list(b.columns):
            problems.append(f"{name}: columns differ {list(a.columns)} / {list(b.columns)}")
            continue
        if len(a) != len(b):
            problems.append(f"{name}: {len(a)} rows / {len(b)} rows")
            continue
        for c in a.columns:
            x, y = a[c], b[c]
            if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
                xv, yv = x.to_numpy(float, na_value=np.nan), y.to_numpy(float, na_value=np.nan)
                same = np.isclose(xv, yv, rtol=rtol, atol=atol, equal_nan=True)
            else:
                xs, ys = x.astype(object).where(x.notna(), None), y.astype(object).where(y.notna(), None)
                same = np.array([str(p) == str(q) for p, q in zip(xs, ys, strict=True)])
            if not same.all():
                i = int(np.flatnonzero(~same)[0])
                problems.append(
                    f"{name}.{c}: {int((~same).sum())} rows differ, e.g. {x.iat[i]!r} / {y.iat[i]!r}"
                )
    return problems


def run_month(
    store_root,
    month: str,
    out,
    *,
    backend: str = "duckdb",
    master: str | None = None,
    cores: int | None = None,
    counties: Sequence[str] | None = None,
    history_months: int = 0,
    spark_conf: dict[str, str] | None = None,
    meters_path=None,
    targets_path=None,
    progress=None,
) -> dict:
    """Run the month of a province store (:class:`~gridcheck_analytics.province_sim.ProvinceStore`), or of
    one meter store with its meters in a file, and write its results to ``out`` (:func:`write_results`).

    Parameters
    ----------
    store_root : path
        The province's folder (one folder per county); with ``meters_path``, one
        :class:`~gridcheck_analytics.store.MeterStore` folder (the web app's ``GRIDCHECK_DATA_DIR``).
    month : str
        ``YYYY-MM``.
    out : path
        Result folder (replaced when the run completes).
    backend : {'duckdb', 'pyspark'}
        ``pyspark`` with ``master``: on that cluster.
    master : str, optional
        Spark master URL (``spark://host:port``); Spark local mode without it.
    cores : int, optional
        DuckDB threads, or the cluster cores the run may take.
    counties : sequence of str, optional
        Only these counties.
    history_months : int
        Months before ``month`` analysed too (as :func:`run_monthly`).
    spark_conf : dict, optional
        Extra Spark settings.
    meters_path : path, optional
        Parquet file of the canonical meters (the archive's, written by the caller): ``store_root`` is
        then one meter store.
    targets_path : path, optional
        JSON object ``{area_code: target loss rate [%]}`` (``run_monthly``'s ``targets``).

    Returns
    -------
    dict
        ``seconds``, ``meters``, ``out``, ``frames`` (rows per frame).
    """
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.pipeline import run_monthly
    from gridcheck_analytics.province_sim import ProvinceStore
    from gridcheck_analytics.store import MeterStore

    t0 = time.perf_counter()
    if meters_path is not None:
        store, meters = MeterStore(store_root), pd.read_parquet(meters_path)
    else:
        store = ProvinceStore(store_root, counties)
        meters = store.meters()
    targets = json.loads(Path(targets_path).read_text()) if targets_path else None
    if backend == "pyspark":
        if master and "//127.0.0.1:" in master:  # executors on this machine call the driver back there
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        con = connect("pyspark", master=master, threads=cores, spark_conf=spark_conf)
    else:
        con = connect("duckdb", threads=cores)
    try:
        result = run_monthly(
            store,
            {"meters": meters},
            month,
            con=con,
            targets=targets,
            history_months=history_months,
            progress=progress,
        )
        write_results(result, out)
    finally:
        if backend == "pyspark":
            con._session.stop()
    return {
        "seconds": time.perf_counter() - t0,
        "meters": len(meters),
        "out": str(out),
        "frames": {k: len(v) for k, v in result.items() if isinstance(v, pd.DataFrame)},
    }


def run_month_subprocess(
    store_root,
    month: str,
    out,
    *,
    master: str | None,
    cores: int | None = None,
    counties=None,
    small: bool = False,
    backend: str = "pyspark",
    meters_path=None,
    targets_path=None,
    history_months: int = 0,
) -> subprocess.Popen:
    """Start :func:`run_month` (on the cluster ``master``) in its own process (its own JVM); return it.

    Its standard output has one line ``step <name>`` per step of the run, then ``done <seconds>``; on
    failure it exits 1 with one line ``error: ...`` on its standard error.  This is how a background task
    of the web app submits a cluster run (docs/scale-out.md).
    """
    cmd = [sys.executable, "-m", "gridcheck_analytics.cluster", "run", "--backend", backend]
    cmd += ["--store", str(store_root), "--month", month, "--out", str(out)]
    cmd += ["--history-months", str(history_months)]
    if master:
        cmd += ["--master", master]
    if meters_path:
        cmd += ["--meters", str(meters_path)]
    if targets_path:
        cmd += ["--targets", str(targets_path)]
    if cores:
        cmd += ["--cores", str(cores)]
    if counties:
        cmd += ["--counties", ",".join(counties)]
    if small:
        cmd += ["--small"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gridcheck_analytics.cluster run ...``: one month of a province store, results to Parquet."""
    parser = argparse.ArgumentParser(prog="python -m gridcheck_analytics.cluster")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one month of a province store and write its results")
    run.add_argument("--store", required=True, help="the province's folder")
    run.add_argument("--month", required=True, help="YYYY-MM")
    run.add_argument("--out", required=True, help="result folder")
    run.add_argument("--backend", choices=("duckdb", "pyspark"), default="pyspark")
    run.add_argument("--master", default=None, help="spark://host:port (Spark local mode without it)")
    run.add_argument("--cores", type=int, default=None, help="cores the run may take")
    run.add_argument("--counties", default=None, help="comma-separated county codes (default all)")
    run.add_argument("--history-months", type=int, default=0)
    run.add_argument("--small", action="store_true", help="settings for small data (few partitions)")
    run.add_argument("--meters", default=None, help="Parquet file of the meters: --store is one meter store")
    run.add_argument("--targets", default=None, help="JSON file {area_code: target loss rate %%}")
    args = parser.parse_args(argv)

    def progress(step, done, total):
        print(f"step {step}", flush=True)

    try:
        stats = run_month(
            args.store,
            args.month,
            args.out,
            backend=args.backend,
            master=args.master,
            cores=args.cores,
            counties=args.counties.split(",") if args.counties else None,
            history_months=args.history_months,
            spark_conf=SMALL_RUN if args.small else None,
            meters_path=args.meters,
            targets_path=args.targets,
            progress=progress,
        )
    except Exception as exc:  # one line for the caller's log; the exit status says it failed
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:500]}", file=sys.stderr, flush=True)
        return 1
    print(f"done {stats['seconds']:.1f}", flush=True)
    return 0


def cores_for(meters: int, meter_days_per_core_second: float, minutes: float, days: int = 31) -> int:
    """Cores that run ``meters`` x ``days`` in ``minutes`` at the measured per-core throughput."""
    return max(1, math.ceil(meters * days / (meter_days_per_core_second * minutes * 60.0)))


if __name__ == "__main__":
    sys.exit(main())
