"""Fixtures of the analytics tests shared by several modules."""

import shutil

import pytest

from gridcheck_analytics.backends import SPARK_SMALL_JOBS, connect

#: The tests' JVMs compile with the JIT's first tier only (C1). Their Spark jobs are many small ones, on
#: small data, where the optimising compiler (C2) costs more CPU than it saves: a third less JVM CPU for
#: test_features_spark and test_backends_equal (92 s -> 62 s), the same results. Tests only: the app's
#: own Spark sessions keep the JVM's defaults.
JIT_FIRST_TIER_ONLY = "-XX:TieredStopAtLevel=1"


@pytest.fixture(scope="session")
def spark():
    """One small PySpark (local mode) connection for the whole test run; skipped without PySpark or Java."""
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Java is not on PATH: PySpark needs Java 17")
    conf = {**SPARK_SMALL_JOBS, "spark.driver.extraJavaOptions": JIT_FIRST_TIER_ONLY}
    con = connect("pyspark", threads=1, memory="512m", spark_conf=conf)
    yield con
    con._session.stop()


@pytest.fixture(scope="session")
def input_names_seen() -> set[str]:
    """Every input name a calculation line was given during this run (``test_zz_input_labels``)."""
    return set()


@pytest.fixture(autouse=True)
def _record_input_names(monkeypatch, input_names_seen):
    """Record the input names of every calculation line the analytics tests compute."""
    from gridcheck_analytics.penalties.builder import CaseBuilder

    original = CaseBuilder.add

    def add(self, key, name, formula, inputs, *args, **kwargs):
        input_names_seen.update(inputs or {})
        for value in (inputs or {}).values():
            if isinstance(value, dict):
                input_names_seen.update(value)
        return original(self, key, name, formula, inputs, *args, **kwargs)

    monkeypatch.setattr(CaseBuilder, "add", add)
