"""``gridcheck detect --month YYYY-MM``: score one month for theft and anomalies, with a progress bar.

``gridcheck analyse`` runs this too once the month's line loss is written (``run_detection``).

``gridcheck detect train [--trees N] [--seed N] [--min-labels N] [--user NAME]``: retrain the supervised
model on the closed inspection cases (``services.detection_model_train``); the quality gate compares it
with the current model on the same labels and folds: not worse, the new version becomes the registry's
current model, which the next detection run uses; clearly worse, it waits for a station head's approval
(the page "候选模型").
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gridcheck.core.periods import last_complete_month, month_parse
from gridcheck.core.runs import RunStatus
from gridcheck.detection.choices import STEP_LABELS, CandidateStatus
from gridcheck.detection.services import (
    detection_model_train,
    detection_run_create,
    detection_run_execute,
)


def run_detection(command: BaseCommand, run, *, no_progress: bool = False):
    """Execute ``run`` in the foreground, reporting progress and the result on ``command.stdout``."""
    command.stdout.write(
        _("Scoring %(month)s for theft (detection run #%(run)s)")
        % {"month": f"{run.month:%Y-%m}", "run": run.pk}
    )
    if no_progress:
        run = detection_run_execute(
            run=run,
            heartbeat=True,
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

            run = detection_run_execute(run=run, progress=progress, heartbeat=True)
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

    Off when ``GRIDCHECK_DETECTION_AFTER_ANALYSIS`` is false. Returns the detection run; a failed one is
    recorded on its run and fails ``gridcheck analyse`` (the line-loss results stand).
    """
    if not settings.GRIDCHECK_DETECTION_AFTER_ANALYSIS or analysis_run.status != RunStatus.SUCCEEDED:
        return None
    try:
        run = detection_run_create(
            month=analysis_run.month, started_by=analysis_run.started_by, analysis_run=analysis_run
        )
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    return run_detection(command, run, no_progress=no_progress)


def _too_few_labels(error) -> str:
    """The refusal of ``detect train``, naming the class (or classes) that is short."""
    values = {"theft": error.counts[1], "normal": error.counts[0], "minimum": error.minimum}
    if error.short == [1, 0]:
        text = _(
            "Too few labels to train the model: %(theft)s theft labels (closed theft cases) and "
            "%(normal)s normal labels (inspections without theft); at least %(minimum)s of each are needed."
        )
    elif error.short == [1]:
        text = _(
            "Too few labels to train the model: %(theft)s theft labels (closed theft cases); at least "
            "%(minimum)s are needed."
        )
    else:
        text = _(
            "Too few labels to train the model: %(normal)s normal labels (inspections without theft); at "
            "least %(minimum)s are needed."
        )
    text %= values
    if error.unmatched:
        text += " " + _("%(n)s labels were left out: no meter data for the month before the case date.") % {
            "n": error.unmatched
        }
    return text


def _metric(value) -> str:
    return "—" if value is None or value != value else f"{value:.3f}"  # NaN != NaN


class Command(BaseCommand):
    help = (
        "Score one month's customers for theft and anomalies (default: the last complete month); "
        "`detect train` retrains the supervised model on the closed inspection cases."
    )

    def add_arguments(self, parser):
        from gridcheck_analytics.detection.supervised import MIN_LABELS_PER_CLASS

        parser.add_argument("--month", default=None, help="YYYY-MM (default: the last complete month)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")
        sub = parser.add_subparsers(dest="action")
        train = sub.add_parser(
            "train",
            help="train the supervised model on the closed inspection cases and make it current",
        )
        train.add_argument("--trees", type=int, default=300, help="LightGBM trees (default 300)")
        train.add_argument("--seed", type=int, default=0)
        train.add_argument(
            "--user", default=None, help="who trains (recorded; may not approve the model if it is held)"
        )
        train.add_argument(
            "--min-labels",
            type=int,
            default=MIN_LABELS_PER_CLASS,
            help=f"labels of each class needed (default {MIN_LABELS_PER_CLASS})",
        )

        calibrate = sub.add_parser(
            "calibrate",
            help="calibrate the score on the closed inspections (and a simulator's truth) and save it",
        )
        calibrate.add_argument(
            "--truth", default=None, help="a simulator's truth (Parquet: meter_id, month, is_thief …)"
        )
        calibrate.add_argument("--truth-month", default=None, help="YYYY-MM of the truth to use")

    def handle(self, *args, month, no_progress, action=None, **options):
        if action == "train":
            return self._train(**options)
        if action == "calibrate":
            return self._calibrate(**options)
        try:
            month = month_parse(month) if month else last_complete_month()
        except (ValueError, TypeError):
            raise CommandError(_("--month must be YYYY-MM")) from None
        try:
            run = detection_run_create(month=month)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        run = run_detection(self, run, no_progress=no_progress)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(
                _("The detection failed: %(error)s")
                % {"error": run.error.splitlines()[0] if run.error else ""}
            )

    def _calibrate(self, *, truth=None, truth_month=None, **options):
        """Fit the calibration (``detection_calibration_fit``); too few outcomes is one line, no traceback."""
        import pandas as pd

        from gridcheck.detection.services import detection_calibration_fit

        frame = pd.read_parquet(truth) if truth else None
        try:
            when = month_parse(truth_month) if truth_month else None
        except (ValueError, TypeError):
            raise CommandError(_("--truth-month must be YYYY-MM")) from None
        try:
            cal = detection_calibration_fit(truth=frame, truth_month=when)
        except ValueError as error:
            raise CommandError(_("No score calibration: %(error)s") % {"error": error}) from None
        self.stdout.write(
            _("Score calibrated on %(n)s suspects of %(month)s (%(pos)s thieves among them).")
            % {"n": cal["n"], "month": truth_month or "—", "pos": cal["n_positive"]}
        )

    def _train(self, *, trees, seed, min_labels, user=None, **options):
        from django.contrib.auth import get_user_model

        from gridcheck_analytics.detection.supervised import TooFewLabels

        trainer = None
        if user:
            try:
                trainer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("No user %(name)s.") % {"name": user}) from None

        self.stdout.write(_("Training the detection model on the closed inspection cases ..."))
        try:
            result = detection_model_train(
                n_estimators=trees,
                seed=seed,
                min_per_class=min_labels,
                trained_by=trainer,
                progress=lambda month, done, total: self.stdout.write(
                    "  "
                    + _("[%(done)s/%(total)s] features of %(month)s")
                    % {"done": done, "total": total, "month": month}
                ),
            )
        except TooFewLabels as error:
            raise CommandError(_too_few_labels(error)) from None
        meta = result.metadata
        labels = meta.get("labels", {})
        cv = meta["metrics"].get("cv")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Model %(name)s version %(version)s trained on %(samples)s labelled meter-months "
                    "(%(theft)s theft, %(normal)s normal; %(left_out)s labels without meter data) and saved in %(path)s."
                )
                % {
                    "name": meta["name"],
                    "version": meta["version"],
                    "samples": meta["n_samples"],
                    "theft": meta["n_positive"],
                    "normal": meta["n_samples"] - meta["n_positive"],
                    "left_out": labels.get("without_meter_data", 0),
                    "path": result.path,
                }
            )
        )
        if cv:
            self.stdout.write(
                _("Cross-validated (%(k)s folds): ROC-AUC %(roc)s, PR-AUC %(pr)s.")
                % {
                    "k": meta["metrics"]["cv_folds"],
                    "roc": _metric(cv["roc_auc"]),
                    "pr": _metric(cv["pr_auc"]),
                }
            )
        else:
            self.stdout.write(_("Not cross-validated: too few labels of a class."))
        candidate = getattr(result, "candidate", None)
        if candidate is not None:
            self._gate(candidate)
            if candidate.status != CandidateStatus.PROMOTED:
                return
        if settings.GRIDCHECK_DETECTION_MODEL:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "GRIDCHECK_DETECTION_MODEL names %(model)s: the detection runs keep using it until "
                        "it is unset."
                    )
                    % {"model": settings.GRIDCHECK_DETECTION_MODEL}
                )
            )
        else:
            self.stdout.write(_("The next detection run uses this model."))

    def _gate(self, candidate) -> None:
        """Print the quality gate's comparison and decision."""
        c = candidate.comparison or {}
        if c.get("reason") in ("no_current_model", "too_few_labels"):
            self.stdout.write(
                _("Quality gate: nothing to compare with (%(why)s); the model becomes current.")
                % {
                    "why": _("no current model")
                    if c["reason"] == "no_current_model"
                    else _("too few labels to cross-validate")
                }
            )
            return
        if "difference_ci" in c:
            self.stdout.write(
                _(
                    "Quality gate on the same labels and %(k)s customer-grouped folds: ROC-AUC new %(new)s "
                    "[%(new_lo)s, %(new_hi)s], current %(cur)s [%(cur_lo)s, %(cur_hi)s] (%(current)s); "
                    "difference %(diff)s [%(lo)s, %(hi)s] (95 %% bootstrap, %(n)s resamples, seed %(seed)s)."
                )
                % {
                    "k": c["folds"],
                    "new": _metric(c["new_auc"]),
                    "new_lo": _metric(c["new_ci"][0]),
                    "new_hi": _metric(c["new_ci"][1]),
                    "cur": _metric(c["current_auc"]),
                    "cur_lo": _metric(c["current_ci"][0]),
                    "cur_hi": _metric(c["current_ci"][1]),
                    "current": f"{candidate.current_name} {candidate.current_version}",
                    "diff": _metric(c["difference"]),
                    "lo": _metric(c["difference_ci"][0]),
                    "hi": _metric(c["difference_ci"][1]),
                    "n": c["n_boot"],
                    "seed": c["seed"],
                }
            )
        if candidate.status == CandidateStatus.PROMOTED:
            self.stdout.write(_("Not worse than the current model: the new model becomes current."))
        else:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "The new model is worse than the current one beyond the interval (or cannot be "
                        "compared): it is kept in the registry and waits for a station head's approval; "
                        "the current model stays."
                    )
                )
            )
