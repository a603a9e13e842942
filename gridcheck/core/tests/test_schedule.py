import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings

from gridcheck.core.models import ScheduledJobRun
from gridcheck.core.schedule import Job, registered_jobs, schedule_tick

SHANGHAI = ZoneInfo("Asia/Shanghai")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def recording_jobs(calls):
    """The real schedule, with each job's enqueue replaced by a recorder."""
    return [
        Job(job.name, job.period, lambda period, name=job.name: calls.append((name, period)))
        for job in registered_jobs()
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now, expected",
    [
        # 05:00: before the daily hour, only the outbox flush.
        (at(2026, 11, 16, 5, 0), {("notifications.flush_outbox", "2026-11-16T05:00")}),
        # 07:00 on the 16th: daily jobs, and the monthly notices (due the 20th, produced from the 15th).
        (
            at(2026, 11, 16, 7, 0),
            {
                ("notifications.flush_outbox", "2026-11-16T07:00"),
                ("hazards.daily", "2026-11-16"),
                ("collection.daily", "2026-11-16"),
                ("inspections.daily", "2026-11-16"),
                ("audit.daily", "2026-11-16"),
                ("contracts.daily", "2026-11-16"),
                ("temporary_supply.daily", "2026-11-16"),
                ("metering.daily", "2026-11-16"),
                ("census.daily", "2026-11-16"),
                ("reports.daily", "2026-11-16"),
                ("servicedesk.daily", "2026-11-16"),
                ("hazards.monthly_notices", "2026-11"),
                # The scorecards of the month before, from the assessment day (the 5th) on.
                ("assessment.monthly", "2026-10"),
            },
        ),
        # The 3rd: too early for the monthly notices.
        (
            at(2026, 11, 3, 7, 0),
            {
                ("notifications.flush_outbox", "2026-11-03T07:00"),
                ("hazards.daily", "2026-11-03"),
                ("collection.daily", "2026-11-03"),
                ("inspections.daily", "2026-11-03"),
                ("audit.daily", "2026-11-03"),
                ("contracts.daily", "2026-11-03"),
                ("temporary_supply.daily", "2026-11-03"),
                ("metering.daily", "2026-11-03"),
                ("census.daily", "2026-11-03"),
                ("reports.daily", "2026-11-03"),
                ("servicedesk.daily", "2026-11-03"),
            },
        ),
        # 6 October: the third quarter's briefing (due the 10th, produced from the 5th).
        (
            at(2026, 10, 6, 8, 30),
            {
                ("notifications.flush_outbox", "2026-10-06T08:30"),
                ("hazards.daily", "2026-10-06"),
                ("collection.daily", "2026-10-06"),
                ("inspections.daily", "2026-10-06"),
                ("audit.daily", "2026-10-06"),
                ("contracts.daily", "2026-10-06"),
                ("temporary_supply.daily", "2026-10-06"),
                ("metering.daily", "2026-10-06"),
                ("census.daily", "2026-10-06"),
                ("reports.daily", "2026-10-06"),
                ("servicedesk.daily", "2026-10-06"),
                ("hazards.quarterly_briefing", "2026Q3"),
                ("assessment.monthly", "2026-09"),
            },
        ),
        # 7 January: last year's fourth quarter.
        (
            at(2027, 1, 7, 9, 0),
            {
                ("notifications.flush_outbox", "2027-01-07T09:00"),
                ("hazards.daily", "2027-01-07"),
                ("collection.daily", "2027-01-07"),
                ("inspections.daily", "2027-01-07"),
                ("audit.daily", "2027-01-07"),
                ("contracts.daily", "2027-01-07"),
                ("temporary_supply.daily", "2027-01-07"),
                ("metering.daily", "2027-01-07"),
                ("census.daily", "2027-01-07"),
                ("reports.daily", "2027-01-07"),
                ("servicedesk.daily", "2027-01-07"),
                ("hazards.quarterly_briefing", "2026Q4"),
                ("assessment.monthly", "2026-12"),
            },
        ),
    ],
)
def test_jobs_come_due_in_their_period(now, expected):
    calls = []
    schedule_tick(now=now, jobs=recording_jobs(calls))
    assert set(calls) == expected


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_period():
    calls = []
    jobs = recording_jobs(calls)
    first = schedule_tick(now=at(2026, 11, 16, 7, 0, 10), jobs=jobs)
    again = schedule_tick(now=at(2026, 11, 16, 7, 0, 40), jobs=jobs)
    later = schedule_tick(now=at(2026, 11, 16, 7, 1, 5), jobs=jobs)
    assert len(first) == 13
    assert again == []
    assert later == ["notifications.flush_outbox@2026-11-16T07:01"]
    assert ScheduledJobRun.objects.count() == 14


@pytest.mark.django_db
@override_settings(TASKS=IMMEDIATE, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_flush_job_sends_queued_mail(county):
    from gridcheck.notifications.services import message_enqueue

    message_enqueue(channel="email", recipient="gov@example.cn", subject="隐患通报", body="本月隐患清单")
    assert mail.outbox == []
    flush = [job for job in registered_jobs() if job.name == "notifications.flush_outbox"]
    assert schedule_tick(now=at(2026, 11, 16, 5, 0), jobs=flush) == [
        "notifications.flush_outbox@2026-11-16T05:00"
    ]
    assert [m.subject for m in mail.outbox] == ["隐患通报"]
