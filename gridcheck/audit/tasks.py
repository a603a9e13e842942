"""Background tasks of marketing audit (django-tasks)."""

from django_tasks import task


@task()
def audit_run_task(run_id: int) -> dict:
    """Execute a queued audit run (``services.audit_run_execute``); returns its status and counts."""
    from gridcheck.audit import services
    from gridcheck.audit.models import AuditRun

    run = AuditRun.objects.get(pk=run_id)
    run = services.audit_run_execute(run, heartbeat=True)
    return {"status": run.status, "counts": run.counts}


@task()
def audit_daily_task(period: str) -> dict:
    """The scheduled audit of the day ``period`` (``services.audit_daily``)."""
    from gridcheck.audit import services
    from gridcheck.core.periods import date_parse

    return services.audit_daily(on=date_parse(period))
