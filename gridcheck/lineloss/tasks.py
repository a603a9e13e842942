"""Background task of the line-loss app (django-tasks): the monthly analysis."""

from django.apps import apps
from django_tasks import task

from gridcheck.lineloss import services
from gridcheck.lineloss.models import AnalysisRun


@task()
def analysis_run_task(run_id: int) -> dict:
    """Execute a queued analysis run (``services.analysis_run_execute``); returns its status and counts."""
    run = AnalysisRun.objects.get(pk=run_id)
    run = services.analysis_run_execute(run=run)
    # --- theft detection (gridcheck.detection): queue the month's scoring once its line loss is written ---
    if apps.is_installed("gridcheck.detection"):
        from gridcheck.detection.services import detection_after_analysis

        detection_after_analysis(analysis_run=run, enqueue=True)
    # --- end theft detection ---
    return {"run": run.pk, "status": run.status, "counts": run.counts, "error": run.error[:500]}
