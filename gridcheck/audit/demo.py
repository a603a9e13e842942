"""The demo county's marketing audit: the known anomalies injected (truth file apart), then every rule
run over the last billed month, so that the findings pages and ``gridcheck audit evaluate`` have data."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from gridcheck.audit import evaluation, services
from gridcheck.audit.models import AuditRun


def demo_audit_build(*, month: datetime.date, seed: int, truth_path=None) -> dict:
    """Inject, write the truth file (``truth_path``, by default ``<VAR_DIR>/demo/audit_truth.csv``), run
    every rule for ``month``; kept as is when a run exists."""
    started = time.monotonic()
    if AuditRun.objects.exists():
        return {"kept": True, "injected": 0, "findings": 0, "rules": 0, "failed": 0, "seconds": 0}
    services.rules_sync()
    today = timezone.localdate()
    rows = evaluation.anomalies_inject(month=month, on=today, seed=seed)
    evaluation.truth_write(rows, truth_path or evaluation.truth_path_default())
    run = services.audit_run_start(month=month, run_on=today, enqueue=False)
    run = services.audit_run_execute(run)
    counts = run.counts or {}
    return {
        "kept": False,
        "run": run.pk,
        "injected": len(rows),
        "findings": counts.get("new", 0),
        "rules": counts.get("rules", 0),
        "failed": counts.get("failed", 0),
        "seconds": round(time.monotonic() - started, 1),
    }
