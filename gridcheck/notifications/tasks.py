"""Background tasks of the notifications app (django-tasks)."""

from django_tasks import task

from gridcheck.notifications import services


@task()
def flush_outbox(limit: int = 100) -> dict:
    """Send the due messages of the outbox (see ``services.outbox_flush``); returns the ids by outcome."""
    return services.outbox_flush(limit=limit)
