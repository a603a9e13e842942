"""Background tasks of the inspections app (django-tasks)."""

from django_tasks import task


@task()
def inspections_daily_task(period: str) -> dict:
    """The daily job of the day ``period``: overdue work orders told to their people
    (``services.work_orders_overdue_notify``)."""
    from gridcheck.core.periods import date_parse
    from gridcheck.inspections.services import work_orders_overdue_notify

    return work_orders_overdue_notify(today=date_parse(period))
