"""``gridcheck analyse --month YYYY-MM``: the monthly line-loss analysis in the foreground, with a progress bar."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gridcheck.core.periods import last_complete_month, month_parse
from gridcheck.lineloss.choices import STEP_LABELS, Backend, RunStatus
from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute


class Command(BaseCommand):
    help = (
        "Run the monthly line-loss and reading-rate analysis for one month (default: the last complete one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", default=None, help="YYYY-MM (default: the last complete month)")
        parser.add_argument("--backend", default=Backend.DUCKDB, choices=[b.value for b in Backend])
        parser.add_argument(
            "--history-months", type=int, default=3, help="months before --month also analysed (default 3)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")
        # --- theft detection (gridcheck.detection) ---
        parser.add_argument("--no-detection", action="store_true", help="do not score the month for theft")
        # --- end theft detection ---

    def handle(self, *args, month, backend, no_progress, history_months, no_detection=False, **options):
        try:
            month = month_parse(month) if month else last_complete_month()
        except (ValueError, TypeError):
            raise CommandError(_("--month must be YYYY-MM")) from None
        run = analysis_run_create(month=month, backend=backend)
        self.stdout.write(
            _("Analysing %(month)s (run #%(run)s, %(backend)s)")
            % {"month": f"{month:%Y-%m}", "run": run.pk, "backend": backend}
        )
        if no_progress:
            run = analysis_run_execute(
                run=run,
                history_months=history_months,
                progress=lambda step, done, total: self.stdout.write(
                    f"  [{done}/{total}] {STEP_LABELS.get(step, step)}"
                ),
            )
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
            ) as bar:
                job = bar.add_task(str(STEP_LABELS["connect"]), total=run.progress_total)

                def progress(step, done, total):
                    bar.update(job, completed=done, total=total, description=str(STEP_LABELS.get(step, step)))

                run = analysis_run_execute(run=run, progress=progress, history_months=history_months)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(
                _("The analysis failed: %(error)s")
                % {"error": run.error.splitlines()[0] if run.error else ""}
            )
        c = run.counts
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Done in %(s).1f s: %(areas)s areas (%(flagged)s flagged), %(lines)s lines, %(rates)s area-day reading rates."
                )
                % {
                    "s": run.duration_s or 0,
                    "areas": c.get("areas", 0),
                    "flagged": c.get("flagged", 0),
                    "lines": c.get("lines", 0),
                    "rates": c.get("reading_rates", 0),
                }
            )
        )
        # --- theft detection (gridcheck.detection): score the month once its line loss is written ---
        if not no_detection and apps.is_installed("gridcheck.detection"):
            from gridcheck.detection.management.commands.detect import detect_after_analysis

            detect_after_analysis(self, run, no_progress=no_progress)
        # --- end theft detection ---
