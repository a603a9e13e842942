"""Fixtures of the analytics tests shared by several modules."""

import shutil

import pytest

from gridcheck_analytics.backends import SPARK_SMALL_JOBS, connect


@pytest.fixture(scope="session")
def spark():
    """One small PySpark (local mode) connection for the whole test run; skipped without PySpark or Java."""
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Java is not on PATH: PySpark needs Java 17")
    con = connect("pyspark", threads=1, memory="512m", spark_conf=SPARK_SMALL_JOBS)
    yield con
    con._session.stop()
