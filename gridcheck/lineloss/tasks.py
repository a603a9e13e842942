"""Background task of the line-loss app (django-tasks): the monthly analysis."""

from django_tasks import task

from gridcheck.lineloss import services
from gridcheck.lineloss.models import AnalysisRun


@task()
def analysis_run_task(run_id: int) -> dict:
    """Execute a queued analysis run (``services.analysis_run_execute``); returns its status and counts."""
    run = AnalysisRun.objects.get(pk=run_id)
    run = services.analysis_run_execute(run=run)
    return {"run": run.pk, "status": run.status, "counts": run.counts, "error": run.error[:500]}
