"""Background tasks of the service desk (django-tasks)."""

from django_tasks import task


@task()
def servicedesk_daily_task(period: str) -> dict:
    """The daily job of ``period``: escalate the questions past their answer time limit (once each)."""
    from gridcheck.servicedesk.services import consultations_escalate

    return {"escalated": consultations_escalate()}
