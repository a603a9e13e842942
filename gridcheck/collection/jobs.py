"""The nightly dunning and disconnection run (a periodic job: ``gridcheck.core.schedule``).

Registered in ``registrations`` as a daily job; the task ``collection_dunning_daily`` runs
``dunning_daily_run``: the late fees of every overdue bill brought up to the day (``accrual``), notices settled whose arrears are paid, proposals cancelled and reconnections
ordered for customers who paid, the notices the schedule says are due issued at every station (SMS to a
customer with a phone number, paper for the area's electrician otherwise), and the reminder before
cutting queued for the disconnections whose day has come.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django_tasks import task

from gridcheck.core.periods import date_parse


def dunning_daily_run(*, on: datetime.date | None = None) -> dict:
    """Run the day's dunning and disconnection work for every station; returns what was done."""
    from gridcheck.archive.models import Customer, Station
    from gridcheck.collection.choices import DunningStatus
    from gridcheck.collection.selectors.dunning import OPEN_DISCONNECTION
    from gridcheck.collection.services.accrual import late_fees_accrue
    from gridcheck.collection.services.common import local_day
    from gridcheck.collection.services.disconnections import (
        disconnection_reconnect_if_paid,
        disconnection_remind_due,
    )
    from gridcheck.collection.services.dunning import dunning_issue_due, dunning_settle_paid

    on = on or local_day()
    accrual = late_fees_accrue(on=on)
    result = {
        "late_fees_accrued": accrual["receivables"],
        "settled": 0,
        "cancelled_or_reconnected": 0,
        "issued": 0,
        "errors": [],
        "reminders": 0,
    }
    # Customers whose notices or disconnections may have become paid since the last run.
    candidates = Customer.objects.filter(
        Q(dunning_notices__status__in=[DunningStatus.ISSUED, DunningStatus.DELIVERED, DunningStatus.SENT])
        | Q(disconnections__status__in=OPEN_DISCONNECTION)
    ).distinct()
    for customer in candidates:
        result["settled"] += dunning_settle_paid(customer)
        if disconnection_reconnect_if_paid(customer) is not None:
            result["cancelled_or_reconnected"] += 1
    for station in Station.objects.order_by("code"):
        run = dunning_issue_due(user=None, station=station, on=on)
        result["issued"] += len(run["issued"])
        result["errors"] += run["errors"]
    result["reminders"] = disconnection_remind_due(on=on)
    return result


@task()
def collection_dunning_daily(today: str | None = None) -> dict:
    """The background task the scheduler enqueues once a day."""
    return dunning_daily_run(on=date_parse(today) if today else None)


def enqueue_dunning_daily(period: str):
    """``Job.enqueue`` of the daily job: ``period`` is the day (``2026-11-16``)."""
    return collection_dunning_daily.enqueue(today=period)
