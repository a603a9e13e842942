"""Background tasks of the reports (django-tasks)."""

from django_tasks import task


@task()
def reports_daily_task(period: str) -> dict:
    """The scheduled reports of the day ``period``: each report whose due day has come
    (``services.reports_generate_due``)."""
    from gridcheck.core.periods import date_parse
    from gridcheck.reports import services

    return services.reports_generate_due(today=date_parse(period))
