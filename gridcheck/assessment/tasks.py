"""Background tasks of assessment (django-tasks)."""

from django_tasks import task


@task()
def assessment_monthly_task(period: str) -> dict:
    """The monthly computation of every station's scorecards for the month ``period`` (``YYYY-MM``)."""
    from gridcheck.assessment import services

    return services.scorecards_compute(month=period)
