"""Background task of the detection app (django-tasks): a month's theft scoring."""

from django_tasks import task

from gridcheck.detection import services
from gridcheck.detection.models import DetectionRun


@task()
def detection_run_task(run_id: int) -> dict:
    """Execute a queued detection run (``services.detection_run_execute``); returns its status and counts."""
    run = DetectionRun.objects.get(pk=run_id)
    run = services.detection_run_execute(run=run, heartbeat=True)
    return {"run": run.pk, "status": run.status, "counts": run.counts, "error": run.error[:500]}
