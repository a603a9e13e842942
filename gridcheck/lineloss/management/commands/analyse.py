"""``gridcheck analyse --month YYYY-MM``: the monthly line-loss analysis in the foreground, with a progress bar."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gridcheck.core.periods import last_complete_month, month_parse
from gridcheck.core.runs import RunStatus, run_succeeded
from gridcheck.lineloss.choices import STEP_LABELS, Backend
from gridcheck.lineloss.models import AnalysisRun
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
        parser.add_argument(
            "--no-follow-up",
            "--no-detection",
            dest="no_follow_up",
            action="store_true",
            help="do not run the jobs that follow the analysis (theft detection)",
        )

    def handle(self, *args, month, backend, no_progress, history_months, no_follow_up=False, **options):
        try:
            month = month_parse(month) if month else last_complete_month()
        except (ValueError, TypeError):
            raise CommandError(_("--month must be YYYY-MM")) from None
        try:
            run = analysis_run_create(month=month, backend=backend)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Analysing %(month)s (run #%(run)s, %(backend)s)")
            % {"month": f"{month:%Y-%m}", "run": run.pk, "backend": backend}
        )
        if no_progress:
            run = analysis_run_execute(
                run=run,
                history_months=history_months,
                heartbeat=True,
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

                run = analysis_run_execute(
                    run=run, progress=progress, history_months=history_months, heartbeat=True
                )
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
        if no_follow_up:
            return
        # The jobs that follow the analysis (theft detection) run here in the foreground; a failed one
        # fails the command (its results are recorded on its own run; the line loss stands).
        for _receiver, follower in run_succeeded.send(
            sender=AnalysisRun, run=run, command=self, no_progress=no_progress
        ):
            if follower is not None and follower.status != RunStatus.SUCCEEDED:
                raise CommandError(
                    _("The analysis succeeded, but %(job)s #%(run)s failed: %(error)s")
                    % {
                        "job": follower._meta.verbose_name,
                        "run": follower.pk,
                        "error": follower.error.splitlines()[0] if follower.error else "",
                    }
                )
