"""Background tasks of the metering asset ledger (django-tasks)."""

from django_tasks import task


@task()
def metering_daily_task(period: str) -> dict:
    """The daily reminders of the day ``period`` (``services.metering_reminders``)."""
    from gridcheck.core.periods import date_parse
    from gridcheck.metering import services

    return services.metering_reminders(on=date_parse(period))
