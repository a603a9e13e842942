"""Background tasks of temporary supply (django-tasks)."""

from django_tasks import task


@task()
def temporary_supply_daily_task(period: str) -> dict:
    """The daily job of ``period``: reminders before the end, the end of supplies not extended."""
    from gridcheck.core.periods import date_parse
    from gridcheck.temporary_supply.services import temporary_supply_daily

    return temporary_supply_daily(on=date_parse(period))
