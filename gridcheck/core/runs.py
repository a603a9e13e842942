"""Background runs of monthly batch jobs (the line-loss analysis, theft detection, and every later one):
one abstract model, its service helpers and its run page.

A run is created queued, handed to the django-tasks worker, executed by ``run_execute`` (which times each
step, records progress and a heartbeat, and ends the run succeeded or failed, never half-way), and
watched on its page, which polls ``progress.json``.

One run per month at a time is a database constraint (``one_active_per_month``), not a check that two
requests can both pass. A run whose worker died (killed, machine restarted) is recognised by its
heartbeat: a running run that has not beaten for ``GRIDCHECK_RUN_STALE_S`` seconds is marked failed
(``runs_mark_stale``) before a new run of its month is created.
"""

import datetime
import logging
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.core.models import TimeStampedModel
from gridcheck.core.periods import month_parse

logger = logging.getLogger(__name__)


class RunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("background run", "Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)

#: Sent by the worker task or the command that executed a run, once it succeeded, so that a job of a
#: higher layer can follow it without the lower one knowing (theft detection follows the line-loss
#: analysis). Arguments: ``run``; ``command``, the management command running in the foreground (the
#: follower then runs in the foreground and reports there) or ``None`` (the follower is enqueued);
#: ``no_progress``. A receiver returns the run it started, or ``None``.
run_succeeded = Signal()


class BackgroundRun(TimeStampedModel):
    """One run of a monthly job for the whole county: status, progress, heartbeat, timings and errors.

    ``progress_done`` of ``progress_total`` steps are finished; ``progress_step`` names the last one.
    Subclasses set ``STEP_LABELS`` (step -> label), ``ALREADY_ACTIVE`` (the message when the month is
    taken) and ``results_url()``.
    """

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    progress_step = models.CharField(_("step"), max_length=30, default="queued")
    progress_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveSmallIntegerField(_("steps"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True)
    counts = models.JSONField(_("result counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    STEP_LABELS: dict = {}
    #: The django-tasks task that executes a run, as a dotted path.
    TASK = ""
    ALREADY_ACTIVE = _("A run of this month is already queued or running.")
    # County-wide: everyone who may view sees the runs (their results are scoped).
    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(status__in=["queued", "running"]),
                name="%(app_label)s_%(class)s_one_active_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.SUCCEEDED:
            return 100
        return int(round(100 * self.progress_done / self.progress_total)) if self.progress_total else 0

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def step_label(self) -> str:
        return str(self.STEP_LABELS.get(self.progress_step, self.progress_step))

    def results_url(self) -> str:
        return ""

    def progress_extra(self) -> dict:
        """What a subclass adds to the progress JSON."""
        return {}


# ------------------------------------------------------------------------------------------- selectors


def runs_active(model: type[BackgroundRun]):
    """Runs of ``model`` queued or running (stale ones are marked failed first)."""
    runs_mark_stale(model)
    return model.objects.filter(status__in=ACTIVE)


def runs_mark_stale(model: type[BackgroundRun], *, now: datetime.datetime | None = None) -> int:
    """Mark failed every running run without a heartbeat for ``GRIDCHECK_RUN_STALE_S`` seconds, and every
    queued run no worker took for ``GRIDCHECK_RUN_QUEUED_MAX_S``; return how many."""
    now = now or timezone.now()
    running_before = now - datetime.timedelta(seconds=settings.GRIDCHECK_RUN_STALE_S)
    queued_before = now - datetime.timedelta(seconds=settings.GRIDCHECK_RUN_QUEUED_MAX_S)
    stale = model.objects.filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=running_before)
        | Q(status=RunStatus.RUNNING, heartbeat_at__isnull=True, updated_at__lt=running_before)
        | Q(status=RunStatus.QUEUED, updated_at__lt=queued_before)
    )
    return stale.update(
        status=RunStatus.FAILED,
        finished_at=now,
        error=str(_("The worker stopped answering (no heartbeat); the run was abandoned.")),
    )


# -------------------------------------------------------------------------------------------- services


def run_create(model: type[BackgroundRun], *, month, started_by=None, **fields) -> BackgroundRun:
    """Record a queued run of ``model`` for ``month``; refused while another run of the month is active."""
    runs_mark_stale(model)
    run = model(month=month_parse(month), started_by=started_by, **fields)
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        raise ValidationError(model.ALREADY_ACTIVE, code="run_active") from None
    return run


def run_enqueue(run: BackgroundRun) -> BackgroundRun:
    """Hand ``run`` to the background worker once the transaction commits: the django-tasks task named by
    the model's ``TASK`` (a dotted path, so that services and tasks do not import each other) is
    enqueued with ``run_id``."""
    model = type(run)

    def enqueue():
        result = import_string(model.TASK).enqueue(run_id=run.pk)
        model.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return run


def run_heartbeat(run: BackgroundRun) -> None:
    type(run).objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


class _Heartbeat:
    """Beats every ``GRIDCHECK_RUN_HEARTBEAT_S`` seconds in a thread while a long step computes."""

    def __init__(self, run: BackgroundRun):
        self.run, self.stop = run, threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{run.pk}", daemon=True)

    def _beat(self):
        try:
            while not self.stop.wait(settings.GRIDCHECK_RUN_HEARTBEAT_S):
                try:
                    run_heartbeat(self.run)
                except Exception:  # noqa: BLE001 - a missed beat (a locked database) is retried
                    logger.warning("heartbeat of run %s missed", self.run.pk, exc_info=True)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


def run_execute(
    run: BackgroundRun,
    body: Callable[[Callable[[str, int], None]], dict],
    *,
    steps: int,
    progress: Callable[[str, int, int], None] | None = None,
    heartbeat: bool = False,
) -> BackgroundRun:
    """Execute ``body(step_done)`` as ``run``: ``step_done(step, done)`` records progress, timing and a
    heartbeat; ``body`` returns the result counts. The run ends succeeded, or failed with the error (the
    error is recorded, not raised). ``heartbeat`` also beats from a thread (for the worker and the CLI).
    """
    model = type(run)
    started = timezone.now()
    run.status, run.started_at, run.progress_total, run.error = RunStatus.RUNNING, started, steps, ""
    model.objects.filter(pk=run.pk).update(
        status=run.status,
        started_at=started,
        heartbeat_at=started,
        progress_total=steps,
        progress_done=0,
        error="",
        updated_at=started,
    )
    timings: dict[str, float] = {}
    clock = [time.monotonic()]

    def step_done(step: str, done: int) -> None:
        now = time.monotonic()
        timings[step] = round(now - clock[0], 3)
        clock[0] = now
        run.progress_step, run.progress_done = step, done
        stamp = timezone.now()
        model.objects.filter(pk=run.pk).update(
            progress_step=step, progress_done=done, heartbeat_at=stamp, updated_at=stamp
        )
        if progress:
            progress(step, done, steps)

    try:
        if heartbeat:
            with _Heartbeat(run):
                counts = body(step_done)
        else:
            counts = body(step_done)
    except Exception as exc:  # noqa: BLE001 - any failure ends the run as failed, with its message
        logger.exception("%s %s failed", model.__name__, run.pk)
        model.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000] + "\n" + traceback.format_exc()[-4000:],
            finished_at=timezone.now(),
            timings=timings,
        )
        run.refresh_from_db()
        return run
    model.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        timings=timings,
        counts=counts,
        progress_step="done",
    )
    run.refresh_from_db()
    return run


def run_progress_data(run: BackgroundRun) -> dict:
    """What the run page polls: status, step, percent, error's first line, duration and counts."""
    return {
        "id": run.pk,
        "month": f"{run.month:%Y-%m}",
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "step": run.progress_step,
        "step_label": run.step_label(),
        "done": run.progress_done,
        "total": run.progress_total,
        "percent": run.progress_percent,
        "finished": not run.is_active,
        "error": run.error.splitlines()[0] if run.error else "",
        "duration_s": run.duration_s,
        "counts": run.counts,
        "results_url": run.results_url(),
        **run.progress_extra(),
    }
