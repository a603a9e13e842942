"""The periodic jobs of Gridcheck, enqueued as django-tasks background tasks by ``gridcheck scheduler``.

No extra server is needed: ``gridcheck scheduler`` ticks every 30 seconds (or once, with ``--once``, from
cron) and enqueues each job whose period has come; ``gridcheck db_worker`` runs them. A job is enqueued at
most once per period (``ScheduledJobRun`` holds one row per job and period), so several schedulers or a
restarted one never run a job twice.

| job | when | task |
|---|---|---|
| outbox flush | every minute | ``notifications.tasks.flush_outbox`` (retries included) |
| hazards daily | daily, from ``GRIDCHECK_DAILY_JOBS_HOUR`` | ``hazards.tasks.hazards_daily`` |
| monthly notices | from ``GRIDCHECK_HAZARD_MONTHLY_DUE_DAY`` - lead days, once a month | ``hazards.tasks.hazards_monthly`` |
| quarterly briefing | from ``GRIDCHECK_HAZARD_QUARTERLY_DUE_DAY`` - lead days, in the month after a quarter | ``hazards.tasks.hazards_quarterly`` |
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


def _every_minute(now: datetime.datetime) -> str:
    return f"{now:%Y-%m-%dT%H:%M}"


def _daily(now: datetime.datetime) -> str | None:
    return f"{now:%Y-%m-%d}" if now.hour >= settings.GRIDCHECK_DAILY_JOBS_HOUR else None


def _monthly_notices(now: datetime.datetime) -> str | None:
    start_day = max(1, settings.GRIDCHECK_HAZARD_MONTHLY_DUE_DAY - settings.GRIDCHECK_CALENDAR_LEAD_DAYS)
    return f"{now:%Y-%m}" if now.day >= start_day and now.hour >= settings.GRIDCHECK_DAILY_JOBS_HOUR else None


def _quarterly_briefing(now: datetime.datetime) -> str | None:
    if now.month not in (1, 4, 7, 10):  # the month after a quarter
        return None
    start_day = max(1, settings.GRIDCHECK_HAZARD_QUARTERLY_DUE_DAY - settings.GRIDCHECK_CALENDAR_LEAD_DAYS)
    if now.day < start_day or now.hour < settings.GRIDCHECK_DAILY_JOBS_HOUR:
        return None
    quarter = (now.month - 1) // 3 or 4
    year = now.year if now.month != 1 else now.year - 1
    return f"{year}Q{quarter}"


def _flush(period: str):
    from gridcheck.notifications.tasks import flush_outbox

    return flush_outbox.enqueue()


def _hazards_daily(period: str):
    from gridcheck.hazards.tasks import hazards_daily

    return hazards_daily.enqueue(today=period)


def _hazards_monthly(period: str):
    from gridcheck.hazards.tasks import hazards_monthly

    return hazards_monthly.enqueue(month=period)


def _hazards_quarterly(period: str):
    from gridcheck.hazards.tasks import hazards_quarterly

    return hazards_quarterly.enqueue(quarter=period)


JOBS = [
    Job("notifications.flush_outbox", _every_minute, _flush),
    Job("hazards.daily", _daily, _hazards_daily),
    Job("hazards.monthly_notices", _monthly_notices, _hazards_monthly),
    Job("hazards.quarterly_briefing", _quarterly_briefing, _hazards_quarterly),
]


def schedule_tick(*, now: datetime.datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job whose period has come and was not enqueued yet; return ``name@period`` of each."""
    from gridcheck.core.models import ScheduledJobRun

    now = timezone.localtime(now or timezone.now())
    enqueued = []
    for job in JOBS if jobs is None else jobs:
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
