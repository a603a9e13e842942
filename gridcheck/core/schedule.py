"""Periodic jobs, enqueued as django-tasks background tasks by ``gridcheck scheduler``.

No extra server is needed: ``gridcheck scheduler`` ticks every 30 seconds (or once, with ``--once``, from
cron) and enqueues each job whose period has come; ``gridcheck db_worker`` runs them. A job is enqueued at
most once per period (``ScheduledJobRun`` holds one row per job and period), so several schedulers or a
restarted one never run a job twice.

The jobs are registered by the apps (``gridcheck.core.registries.jobs``): the outbox flush every minute
(notifications), the daily hazard run, the monthly notices and the quarterly briefing (hazards).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    """A periodic job: ``period(now)`` names the current period, or None when the job is not due yet."""

    name: str
    period: Callable[[datetime.datetime], str | None]
    enqueue: Callable[[str], object]


def every_minute(now: datetime.datetime) -> str:
    """The period of a job run every minute: ``2026-11-16T07:00``."""
    return f"{now:%Y-%m-%dT%H:%M}"


def daily(now: datetime.datetime) -> str | None:
    """The period of a daily job, due from ``GRIDCHECK_DAILY_JOBS_HOUR`` local time: ``2026-11-16``."""
    return f"{now:%Y-%m-%d}" if now.hour >= settings.GRIDCHECK_DAILY_JOBS_HOUR else None


def registered_jobs() -> list[Job]:
    """The jobs the apps registered, in registration order."""
    from gridcheck.core.registries import jobs

    return list(jobs.values())


def schedule_tick(*, now: datetime.datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job whose period has come and was not enqueued yet; return ``name@period`` of each."""
    from gridcheck.core.models import ScheduledJobRun

    now = timezone.localtime(now or timezone.now())
    enqueued = []
    for job in registered_jobs() if jobs is None else jobs:
        period = job.period(now)
        if period is None:
            continue
        try:
            with transaction.atomic():
                run = ScheduledJobRun.objects.create(name=job.name, period=period)
                result = job.enqueue(period)
                run.task_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # enqueued already for this period
        enqueued.append(f"{job.name}@{period}")
    return enqueued
