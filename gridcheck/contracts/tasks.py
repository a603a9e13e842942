"""Background tasks of supply contracts (django-tasks)."""

from django_tasks import task


@task()
def contracts_daily_task(period: str) -> dict:
    """The daily contract job of the day ``period`` (``services.contracts_daily``)."""
    from gridcheck.contracts import services
    from gridcheck.core.periods import date_parse

    return services.contracts_daily(on=date_parse(period))
