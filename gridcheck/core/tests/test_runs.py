"""Background runs: one active run per month (a database constraint), stale runs by heartbeat."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from gridcheck.core.runs import RunStatus, run_create, run_execute, runs_active, runs_mark_stale
from gridcheck.lineloss.models import AnalysisRun

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def test_the_database_refuses_a_second_active_run_of_a_month():
    AnalysisRun.objects.create(month=MONTH, status=RunStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalysisRun.objects.create(month=MONTH, status=RunStatus.QUEUED)
    # Finished runs of the month do not count, nor active runs of another month.
    AnalysisRun.objects.create(month=MONTH, status=RunStatus.FAILED)
    AnalysisRun.objects.create(month=MONTH, status=RunStatus.SUCCEEDED)
    AnalysisRun.objects.create(month=dt.date(2026, 9, 1), status=RunStatus.QUEUED)


def test_run_create_says_the_month_is_taken():
    run_create(AnalysisRun, month="2026-10")
    with pytest.raises(ValidationError) as refused:
        run_create(AnalysisRun, month="2026-10")
    assert refused.value.code == "run_active"


def test_a_running_run_without_heartbeat_is_marked_failed_and_frees_its_month(settings):
    now = timezone.now()
    silent = AnalysisRun.objects.create(
        month=MONTH,
        status=RunStatus.RUNNING,
        heartbeat_at=now - dt.timedelta(seconds=settings.GRIDCHECK_RUN_STALE_S + 5),
    )
    beating = AnalysisRun.objects.create(
        month=dt.date(2026, 9, 1), status=RunStatus.RUNNING, heartbeat_at=now - dt.timedelta(seconds=5)
    )
    with translation.override("en"):
        assert runs_mark_stale(AnalysisRun, now=now) == 1
    silent.refresh_from_db()
    beating.refresh_from_db()
    assert silent.status == RunStatus.FAILED and "heartbeat" in silent.error
    assert beating.status == RunStatus.RUNNING
    assert list(runs_active(AnalysisRun)) == [beating]
    assert run_create(AnalysisRun, month=MONTH).status == RunStatus.QUEUED


def test_run_execute_records_progress_heartbeat_and_failure():
    run = run_create(AnalysisRun, month="2026-10")
    seen = []

    def body(step_done):
        step_done("connect", 1)
        step_done("vee", 2)
        return {"areas": 3}

    run = run_execute(run, body, steps=2, progress=lambda *a: seen.append(a))
    assert run.status == RunStatus.SUCCEEDED and run.counts == {"areas": 3}
    assert run.heartbeat_at is not None and set(run.timings) == {"connect", "vee"}
    assert seen == [("connect", 1, 2), ("vee", 2, 2)]

    failing = run_create(AnalysisRun, month="2026-09")

    def broken(step_done):
        raise RuntimeError("store unreadable")

    failing = run_execute(failing, broken, steps=2, heartbeat=True)
    assert failing.status == RunStatus.FAILED and failing.error.startswith("RuntimeError: store unreadable")
    assert failing.finished_at is not None
