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
