"""``gridcheck detect --month YYYY-MM``: score one month for theft and anomalies, with a progress bar.

``gridcheck analyse`` runs this too once the month's line loss is written (``run_detection``).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gridcheck.detection.choices import STEP_LABELS, RunStatus
from gridcheck.detection.services import detection_run_create, detection_run_execute
from gridcheck.lineloss.selectors import month_parse
from gridcheck.readings.services import last_complete_month


def run_detection(command: BaseCommand, run, *, no_progress: bool = False):
    """Execute ``run`` in the foreground, reporting progress and the result on ``command.stdout``."""
    command.stdout.write(
        _("Scoring %(month)s for theft (detection run #%(run)s)")
        % {"month": f"{run.month:%Y-%m}", "run": run.pk}
    )
    if no_progress:
        run = detection_run_execute(
            run=run,
            progress=lambda step, done, total: command.stdout.write(
                f"  [{done}/{total}] {STEP_LABELS.get(step, step)}"
            ),
        )
    else:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        ) as bar:  # fmt: skip
            job = bar.add_task(str(STEP_LABELS["connect"]), total=run.progress_total)

            def progress(step, done, total):
                bar.update(job, completed=done, total=total, description=str(STEP_LABELS.get(step, step)))

            run = detection_run_execute(run=run, progress=progress)
    if run.status == RunStatus.SUCCEEDED:
        c = run.counts
        command.stdout.write(
            command.style.SUCCESS(
                _("Detection done in %(s).1f s: %(suspects)s suspects in %(areas)s areas (model: %(model)s).")
                % {
                    "s": run.duration_s or 0,
                    "suspects": c.get("suspects", 0),
                    "areas": c.get("areas", 0),
                    "model": run.model_version or "—",
                }
            )
        )
    return run


def detect_after_analysis(command: BaseCommand, analysis_run, *, no_progress: bool = False):
    """The hook of ``gridcheck analyse``: score the analysed month once its line loss is written.

    Off when ``GRIDCHECK_DETECTION_AFTER_ANALYSIS`` is false. Never fails the analysis: a failed
    detection is reported and recorded on its run.
    """
    if not settings.GRIDCHECK_DETECTION_AFTER_ANALYSIS or analysis_run.status != RunStatus.SUCCEEDED:
        return None
    run = detection_run_create(
        month=analysis_run.month, started_by=analysis_run.started_by, analysis_run=analysis_run
    )
    run = run_detection(command, run, no_progress=no_progress)
    if run.status != RunStatus.SUCCEEDED:
        command.stderr.write(
            command.style.WARNING(
                _("The detection failed: %(error)s")
                % {"error": run.error.splitlines()[0] if run.error else ""}
            )
        )
    return run


class Command(BaseCommand):
    help = "Score one month's customers for theft and anomalies (default: the last complete month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", default=None, help="YYYY-MM (default: the last complete month)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")

    def handle(self, *args, month, no_progress, **options):
        try:
            month = month_parse(month) if month else last_complete_month()
        except (ValueError, TypeError):
            raise CommandError(_("--month must be YYYY-MM")) from None
        run = run_detection(self, detection_run_create(month=month), no_progress=no_progress)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(
                _("The detection failed: %(error)s")
                % {"error": run.error.splitlines()[0] if run.error else ""}
            )
