"""Background tasks of the business census (django-tasks)."""

from django_tasks import task


@task()
def census_daily_task(period: str) -> dict:
    """The daily reminder of a census due (``services.census_due_remind``) for the day ``period``."""
    from gridcheck.census import services
    from gridcheck.core.periods import date_parse

    return {"due": services.census_due_remind(on=date_parse(period))}
