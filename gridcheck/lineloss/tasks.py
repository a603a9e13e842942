"""Background task of the line-loss app (django-tasks): the monthly analysis."""

from django_tasks import task

from gridcheck.core.runs import RunStatus, run_succeeded
from gridcheck.lineloss import services
from gridcheck.lineloss.models import AnalysisRun


@task()
def analysis_run_task(run_id: int) -> dict:
    """Execute a queued analysis run (``services.analysis_run_execute``); returns its status and counts.

    A succeeded run is announced (``run_succeeded``): theft detection queues the month's scoring.
    """
    run = AnalysisRun.objects.get(pk=run_id)
    run = services.analysis_run_execute(run=run, heartbeat=True)
    if run.status == RunStatus.SUCCEEDED:
        run_succeeded.send(sender=AnalysisRun, run=run, command=None, no_progress=True)
    return {"run": run.pk, "status": run.status, "counts": run.counts, "error": run.error[:500]}
