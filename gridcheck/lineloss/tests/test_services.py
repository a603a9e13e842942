import datetime as dt

import pytest
from django.test import override_settings

from gridcheck.core.runs import RunStatus
from gridcheck.lineloss.models import AnalysisRun, AreaDayLoss, AreaMonthLoss, LineMonthLoss
from gridcheck.lineloss.services import (
    analysis_run_create,
    analysis_run_execute,
    analysis_run_start,
    loss_target_set,
)
from gridcheck.lineloss.tests.conftest import MONTH
from gridcheck.readings.models import ReadingRate

pytestmark = pytest.mark.django_db

# Hand-computed: sales per area-day = 5 kWh (residential) + 1 x 40 (commercial) = 45 kWh; 31 days.
SALES = 45.0 * 31
SUPPLY = {"S01-A1": 50.0 * 31, "S01-A2": 46.0 * 31, "S02-A1": 45.0 * 31, "S02-A2": 45.0 * 31}


def test_run_writes_area_and_line_results(county, meter_data):
    run = analysis_run_create(month="2026-10", started_by=county.users["admin"])
    seen = []
    run = analysis_run_execute(run=run, progress=lambda step, done, total: seen.append((step, done, total)))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert seen[-1] == ("save", 6, 6) and [s[0] for s in seen][:5] == [
        "connect",
        "vee",
        "supply",
        "loss",
        "flags",
    ]
    assert run.progress_percent == 100 and run.duration_s is not None

    a1 = AreaMonthLoss.objects.get(area=county.areas["east1"], month=MONTH)
    assert a1.supply_kwh == pytest.approx(1550.0)
    assert a1.sales_kwh == pytest.approx(SALES)
    assert a1.loss_kwh == pytest.approx(155.0)
    assert a1.loss_rate_percent == pytest.approx(10.0)
    assert a1.reading_rate_percent == pytest.approx(100.0)
    assert a1.days == 31
    assert a1.target_percent == pytest.approx(7.0)
    assert a1.above_target and a1.flagged and not a1.negative_loss
    assert a1.causes_text  # names a likely cause

    a2 = AreaMonthLoss.objects.get(area=county.areas["east2"], month=MONTH)
    assert a2.loss_rate_percent == pytest.approx(100 * (46 - 45) / 46, abs=1e-4)
    assert not a2.flagged

    w2 = AreaMonthLoss.objects.get(area=county.areas["west2"], month=MONTH)
    assert w2.loss_kwh == pytest.approx(0.0, abs=1e-6)
    assert w2.imbalance and w2.flagged  # (100 - 60) / 100 = 40 % > 20 %
    assert w2.imbalance_rate_percent == pytest.approx(40.0)

    east_line = LineMonthLoss.objects.get(line=county.lines["east"], month=MONTH)
    assert east_line.supply_kwh == pytest.approx(SUPPLY["S01-A1"] + SUPPLY["S01-A2"])
    assert east_line.sales_kwh == pytest.approx(2 * SALES)
    assert east_line.loss_rate_percent == pytest.approx(100 * (96 - 90) / 96, abs=1e-4)

    assert AreaDayLoss.objects.filter(area=county.areas["east1"]).count() == 31
    day = AreaDayLoss.objects.get(area=county.areas["east1"], reading_date=dt.date(2026, 10, 15))
    assert day.supply_kwh == pytest.approx(50.0) and day.sales_kwh == pytest.approx(45.0)
    assert ReadingRate.objects.filter(reading_date__month=10).count() == 4 * 31
    assert set(ReadingRate.objects.values_list("reading_rate_percent", flat=True)) == {100.0}


def test_rerun_replaces_results(county, meter_data):
    for _ in range(2):
        run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
        assert run.status == RunStatus.SUCCEEDED, run.error
    assert AreaMonthLoss.objects.filter(month=MONTH).count() == 4
    assert LineMonthLoss.objects.filter(month=MONTH).count() == 2
    assert AreaDayLoss.objects.count() == 4 * 31
    assert ReadingRate.objects.count() == 4 * 31
    assert set(AreaMonthLoss.objects.values_list("run", flat=True)) == {run.pk}


def test_area_target_changes_the_flag(county, meter_data):
    loss_target_set(area=county.areas["east1"], max_loss_rate_percent=12, effective_from=dt.date(2026, 1, 1))
    loss_target_set(
        owner=county.users["manager_east"], max_loss_rate_percent=3, effective_from=dt.date(2026, 1, 1)
    )
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    a1 = AreaMonthLoss.objects.get(area=county.areas["east1"], month=MONTH)
    assert run.status == RunStatus.SUCCEEDED
    assert a1.target_percent == 12.0 and not a1.above_target  # the area's own target wins over its owner's


def test_run_without_data_fails_cleanly(county, data_dir):
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    assert run.status == RunStatus.FAILED
    assert "no daily readings" in run.error
    assert not AreaMonthLoss.objects.exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_task_path_with_immediate_backend(county, meter_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_run_start(month="2026-10", started_by=county.users["admin"])
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.task_id
    assert AreaMonthLoss.objects.filter(month=MONTH).count() == 4
    assert AnalysisRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}})
def test_database_backend_and_db_worker(county, meter_data):
    from django.core.management import call_command

    run = analysis_run_start(month="2026-10", started_by=county.users["admin"])  # autocommit: enqueued now
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.task_id
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert AreaMonthLoss.objects.filter(month=MONTH).count() == 4


def test_a_month_runs_once_at_a_time_unless_the_run_is_stale(county, settings):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    first = analysis_run_create(month="2026-10")
    with pytest.raises(ValidationError):
        analysis_run_start(month="2026-10")
    AnalysisRun.objects.filter(pk=first.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=settings.GRIDCHECK_RUN_QUEUED_MAX_S + 1)
    )
    assert analysis_run_start(month="2026-10").pk != first.pk
