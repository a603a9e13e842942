"""Ibis connections: DuckDB (embedded, the default) or PySpark, in local mode or on a standalone cluster.

``connect("pyspark", master="spark://host:7077")`` runs the same Ibis code on a Spark standalone cluster
(:mod:`gridcheck_analytics.cluster` starts one on this machine); the executors run this interpreter
(``spark.pyspark.python``), so every machine of the cluster needs the same virtual environment at the same
path, and every path read must be readable by every executor (a shared file system).

The analytics in :mod:`gridcheck_analytics.quality` and :mod:`gridcheck_analytics.lineloss` are Ibis
expressions; the same code runs unchanged on either backend.  Both run with the session time zone
Asia/Shanghai so that dates and months agree.
"""

from __future__ import annotations

import os
import sys
import uuid

import ibis

from gridcheck_analytics.schema import TIMEZONE

BACKENDS = ("duckdb", "pyspark")

#: Spark settings for many small queries (tests): planning and code generation dominate there.
SPARK_SMALL_JOBS = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
}


def connect(
    backend: str = "duckdb",
    *,
    threads: int | None = None,
    memory: str = "1g",
    spark_conf: dict[str, str] | None = None,
    master: str | None = None,
    executor_memory: str = "768m",
    **options,
):
    """Open an Ibis connection.

    Parameters
    ----------
    backend : {'duckdb', 'pyspark'}
        DuckDB in-process (default), or Spark: local mode ``local[threads or 2]`` unless ``master`` is given.
    threads : int, optional
        Worker threads; DuckDB's default is all cores.  On a cluster: the cores the run may take
        (``spark.cores.max``), which also sizes the shuffle partitions (two per core).
    memory : str
        Spark driver memory (Spark only), e.g. ``'1g'``.
    spark_conf : dict, optional
        Extra Spark settings (Spark only), e.g. :data:`SPARK_SMALL_JOBS` for tests.
    master : str, optional
        Spark only: a cluster's master URL, e.g. ``'spark://10.0.0.5:7077'`` (a standalone master) instead
        of local mode.  A Spark session already running in this process is reused as it is: one process
        drives one cluster.
    executor_memory : str
        Spark on a cluster only: memory of each executor (``spark.executor.memory``), at most what a
        worker offers.
    **options
        DuckDB: passed to ``ibis.duckdb.connect`` (e.g. ``database``, ``memory_limit``).

    Returns
    -------
    ibis.BaseBackend
    """
    if backend == "duckdb":
        con = ibis.duckdb.connect(**options)
        con.raw_sql(f"SET TimeZone = '{TIMEZONE}'")
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if backend == "pyspark":
        from pyspark.sql import SparkSession

        # Python workers (for any UDF Ibis needs) must be this interpreter, with pandas and pyarrow
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = SparkSession.builder.master(master or f"local[{threads or 2}]")
        if master:
            builder = builder.config("spark.pyspark.python", sys.executable).config(
                "spark.executor.memory", executor_memory
            )
            if threads:
                builder = builder.config("spark.cores.max", str(int(threads)))
        builder = (
            builder.appName("gridcheck-analytics")
            .config("spark.driver.memory", memory)
            .config("spark.sql.shuffle.partitions", str(2 * (threads or 2)))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", TIMEZONE)
            .config("spark.sql.ansi.enabled", "false")
        )
        for key, value in (spark_conf or {}).items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        for key, value in (spark_conf or {}).items():  # also on a session that was already running
            if key.startswith("spark.sql."):  # the others are fixed when the session starts
                session.conf.set(key, value)
        session.sparkContext.setLogLevel("ERROR")
        # ibis.pyspark.connect sets the session time zone to UTC; its keyword settings are applied after
        # that, so pass ours again: otherwise dates and hours of timestamps (events, curves) come out in
        # UTC on Spark and in Asia/Shanghai on DuckDB.
        return ibis.pyspark.connect(session, **{"spark.sql.session.timeZone": TIMEZONE})
    raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")


def sibling(con):
    """A second connection to ``con``'s DuckDB database, for a thread of its own (a DuckDB connection runs
    one query at a time; the database's tables and settings are shared, the session's time zone is set
    again); ``con`` itself on other backends."""
    if con.name != "duckdb":
        return con
    other = ibis.duckdb.from_connection(con.con.cursor())
    other.raw_sql(f"SET TimeZone = '{TIMEZONE}'")
    return other


def read_parquet(con, paths: list[str]):
    """Read Parquet files as one Ibis table on either backend.

    On Spark many files (a province's counties) are one scan, split over the executors; a few are unioned.
    """
    paths = [str(p) for p in paths]
    if con.name == "duckdb":
        return con.read_parquet(paths)
    if len(paths) > 4:
        name = f"parquet_{uuid.uuid4().hex}"
        con._session.read.parquet(*paths).createOrReplaceTempView(name)
        return con.table(name)
    tables = [con.read_parquet(p) for p in paths]
    table = tables[0]
    for t in tables[1:]:
        table = table.union(t)
    return table
