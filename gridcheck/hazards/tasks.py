"""Background tasks (django-tasks) of the hazards app.

Schedule ``hazards_daily`` once a day (e.g. cron: ``gridcheck hazards daily``, or enqueue this task);
``hazards_monthly`` before the monthly due day and ``hazards_quarterly`` before the quarterly one.
"""

from django_tasks import task

from gridcheck.core.periods import date_parse, month_parse, quarter_parse
from gridcheck.hazards import services


@task()
def hazards_daily(today: str | None = None) -> dict:
    """Mark overdue hazards, remind the responsible staff and escalate major ones."""
    result = services.hazard_daily_run(today=date_parse(today) if today else None)
    return {"overdue": result.marked_overdue, "escalated": result.escalated, "messages": result.messages}


@task()
def hazards_monthly(month: str) -> dict:
    """Produce and send the notices of ``month`` (``YYYY-MM``)."""
    result = services.hazard_monthly_run(month=month_parse(month))
    return {
        "period": result.period,
        "created": result.created,
        "emails": result.emails,
        "paper": result.paper,
    }


@task()
def hazards_quarterly(quarter: str) -> dict:
    """Produce and send the briefing of ``quarter`` (``2026Q3``)."""
    year, q = quarter_parse(quarter)
    result = services.hazard_briefing_run(year=year, quarter=q)
    return {"period": result.period, "created": result.created, "emails": result.emails}
