"""The analysis run on a Spark cluster (``GRIDCHECK_SPARK_MASTER``): a child process computes the month,
its Parquet results are loaded and saved as an in-process run's are.

No cluster is needed: the child runs on DuckDB (``services.CLUSTER_BACKEND``, as
``tests/analytics/test_spark_cluster.py`` runs the web app's child on DuckDB); the cluster itself is
tested there.
"""

import datetime as dt

import pytest

from gridcheck.core.runs import RunStatus
from gridcheck.lineloss import services
from gridcheck.lineloss.choices import Backend
from gridcheck.lineloss.models import AreaDayLoss, AreaMonthLoss, LineMonthLoss
from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute, loss_target_set
from gridcheck.readings.models import ReadingRate

pytestmark = pytest.mark.django_db

MASTER = "spark://spark-master.invalid:7077"
#: Bookkeeping fields, not results.
SKIP = {"id", "run", "created_at", "updated_at"}


@pytest.fixture
def cluster(settings, monkeypatch, tmp_path):
    """The setting points at a cluster; the child computes on DuckDB."""
    settings.GRIDCHECK_SPARK_MASTER = MASTER
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setattr(services, "CLUSTER_BACKEND", "duckdb")
    return tmp_path / "var" / "runs"


def _rows(model, order):
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in SKIP]
    return list(model.objects.order_by(*order).values(*fields))


def _results():
    return {
        "areas": _rows(AreaMonthLoss, ["area_id", "month"]),
        "lines": _rows(LineMonthLoss, ["line_id", "month"]),
        "days": _rows(AreaDayLoss, ["area_id", "reading_date"]),
        "rates": _rows(ReadingRate, ["area_id", "reading_date"]),
    }


def _run(backend):
    seen = []
    run = analysis_run_create(month="2026-10", backend=backend)
    run = analysis_run_execute(run=run, progress=lambda step, done, total: seen.append((step, done, total)))
    return run, seen


def test_a_cluster_run_saves_the_results_of_an_in_process_run(county, meter_data, cluster):
    loss_target_set(area=county.areas["east1"], max_loss_rate_percent=12, effective_from=dt.date(2026, 1, 1))
    local, _ = _run(Backend.DUCKDB)  # a DuckDB run stays in-process whatever the setting
    assert local.status == RunStatus.SUCCEEDED, local.error
    assert not cluster.exists()  # no child was started
    expected = _results()
    assert len(expected["areas"]) == 4 and len(expected["lines"]) == 2 and len(expected["days"]) == 4 * 31
    assert any(a["causes"] for a in expected["areas"])  # structured causes are compared too

    run, seen = _run(Backend.PYSPARK)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert [s[0] for s in seen] == ["connect", "vee", "supply", "loss", "flags", "save"]
    assert [s[1] for s in seen] == [1, 2, 3, 4, 5, 6] and {s[2] for s in seen} == {6}
    assert run.progress_step == "done" and run.progress_percent == 100
    assert set(run.timings) == {"connect", "vee", "supply", "loss", "flags", "save"}
    assert run.counts["areas"] == 4 and run.counts["lines"] == 2
    assert _results() == expected
    assert set(AreaMonthLoss.objects.values_list("run", flat=True)) == {run.pk}
    east1 = AreaMonthLoss.objects.get(area=county.areas["east1"], month=dt.date(2026, 10, 1))
    assert east1.target_percent == 12.0 and not east1.above_target  # the targets file reached the child
    assert list(cluster.iterdir()) == []  # the child's folder is removed


def test_a_failing_child_fails_the_run_with_one_line_and_writes_nothing(
    county, meter_data, cluster, settings
):
    first, _ = _run(Backend.DUCKDB)
    assert first.status == RunStatus.SUCCEEDED, first.error
    before = _results()

    settings.GRIDCHECK_DATA_DIR = str(cluster.parent / "no-store")  # the store is not there
    run, seen = _run(Backend.PYSPARK)
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    line = run.error.splitlines()[0]
    assert line.startswith(f"ClusterRunError: the Spark cluster run ({MASTER}) failed with exit code 1: ")
    assert "no daily readings in the store for 2026-10" in line
    assert "save" not in [s[0] for s in seen]
    # the month's earlier results are untouched, and the child's folder is removed
    assert _results() == before
    assert set(AreaMonthLoss.objects.values_list("run", flat=True)) == {first.pk}
    assert list(cluster.iterdir()) == []


def test_without_the_setting_a_pyspark_run_stays_in_process(county, meter_data, settings, monkeypatch):
    """Empty setting: ``run_monthly`` in the worker's process (Spark local mode), no child."""
    import gridcheck_analytics.pipeline

    settings.GRIDCHECK_SPARK_MASTER = ""
    calls = []

    def in_process(store, frames, month, backend, **kwargs):
        calls.append((month, backend))
        raise RuntimeError("in-process run reached")

    def child(*args, **kwargs):
        raise AssertionError("a child process without GRIDCHECK_SPARK_MASTER")

    monkeypatch.setattr(gridcheck_analytics.pipeline, "run_monthly", in_process)
    monkeypatch.setattr(services, "_run_on_cluster", child)
    run, _ = _run(Backend.PYSPARK)
    assert calls == [("2026-10", "pyspark")]
    assert run.status == RunStatus.FAILED and run.error.startswith("RuntimeError: in-process run reached")


def test_a_bad_master_url_fails_the_run_with_one_line_and_writes_nothing(
    county, meter_data, settings, tmp_path
):
    """The child's real backend (PySpark) with a master URL Spark cannot parse: it exits 1 at once."""
    settings.GRIDCHECK_SPARK_MASTER = "nowhere:7077"
    settings.VAR_DIR = tmp_path / "var"
    run, _ = _run(Backend.PYSPARK)
    assert run.status == RunStatus.FAILED
    line = run.error.splitlines()[0]
    assert line.startswith("ClusterRunError: the Spark cluster run (nowhere:7077) failed with exit code 1: ")
    assert len(line) < 700  # the child's one error line, not its log
    assert not AreaMonthLoss.objects.exists() and not LineMonthLoss.objects.exists()
    assert not AreaDayLoss.objects.exists() and not ReadingRate.objects.exists()
    assert list((tmp_path / "var" / "runs").iterdir()) == []
