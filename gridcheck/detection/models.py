"""Theft and anomaly detection (反窃电) in the relational database: runs, suspects and their reasons.

A detection run scores every customer meter of one month with
``gridcheck_analytics.suspects.score_month`` and keeps those that have at least one reason as suspects,
ranked per transformer area and per station. Re-running a month replaces its suspects; a decision taken
on a suspect (a work order, a dismissal) is carried over to the new suspect of the same customer meter.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Customer, Station
from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel
from gridcheck.core.runs import BackgroundRun
from gridcheck.detection.choices import STEP_LABELS, CandidateStatus, SuspectOutcome, SuspectStatus

#: Reasons shown in the suspect list (the detail page shows them all).
TOP_REASONS = 2


#: What scores a month when no trained model is installed: the rule detectors and the unsupervised
#: peer-group score of ``gridcheck_analytics.detection`` (the run's ``model_version``).
UNSUPERVISED_VERSION = "rules+peer"


class DetectionRun(BackgroundRun):
    """One scoring of a month for the whole county: status, progress, model version, timings, errors.

    ``model_version`` names what scored the month: a trained model's name and version, or the rules and
    the unsupervised peer-group score when no trained model is installed. County-wide like the line-loss
    runs: everyone who may view sees the runs (their suspects are scoped).
    """

    model_version = models.CharField(_("model version"), max_length=120, blank=True)
    analysis_run = models.ForeignKey(
        "lineloss.AnalysisRun",
        verbose_name=_("after line-loss run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The line-loss analysis run this detection followed, if any."),
    )

    STEP_LABELS = STEP_LABELS
    TASK = "gridcheck.detection.tasks.detection_run_task"
    ALREADY_ACTIVE = _("A detection run of this month is already queued or running.")

    class Meta(BackgroundRun.Meta):
        verbose_name = _("detection run")
        verbose_name_plural = _("detection runs")

    def get_absolute_url(self) -> str:
        return record_url("detection:run_detail", self.pk)

    def results_url(self) -> str:
        return reverse("detection:suspect_list") + f"?month={self.month:%Y-%m-%d}"

    @property
    def model_label(self) -> str:
        """What scored the month, for people: the trained model's name and version, or the rules and
        the peer-group score in words (not the stored key)."""
        if self.model_version == UNSUPERVISED_VERSION:
            return str(_("rules and peer-group score"))
        return self.model_version

    def progress_extra(self) -> dict:
        return {"model_version": self.model_version}


class Suspect(TimeStampedModel):
    """A customer meter whose month looks like theft or a metering fault, with the reasons why.

    ``score`` is 0-1 (higher is more suspect); ``rank_in_area`` and ``rank_in_station`` rank it among the
    month's suspects of its transformer area and station (1 = most suspect). ``reasons`` is the
    analytics' list, most important first: ``[{"code", "text" (Chinese, for an inspector), "method",
    "method_zh", "evidence": {...}, "source"}]``; a suspect always has at least one. Station and area
    are copied from the customer when the run writes it, so lists filter and rank without joins.
    """

    run = models.ForeignKey(
        DetectionRun, verbose_name=_("detection run"), on_delete=models.CASCADE, related_name="suspects"
    )
    month = models.DateField(_("month"))
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(
        _("suspicion score"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)], db_index=True
    )
    rank_in_area = models.PositiveIntegerField(_("rank in area"))
    rank_in_station = models.PositiveIntegerField(_("rank in station"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=SuspectStatus.choices, default=SuspectStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status_note = models.CharField(_("note"), max_length=300, blank=True)
    work_order = models.ForeignKey(
        "inspections.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The inspection work order raised for this suspect."),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=SuspectOutcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    # What the list is ordered by (issue 21): the calibrated probability that an inspection confirms
    # theft or a violation, the energy the month lacks against the customer's own baselines, what that is
    # worth at the customer's tariff, and the product of the two; ``priority`` is the position in the
    # station's list by that expected recovery, ``within_capacity`` the station's visits of the month.
    probability = models.FloatField(
        _("probability of a finding"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Calibrated on inspection outcomes; empty while no calibration is fitted."),
    )
    estimated_loss_kwh = models.FloatField(_("estimated unmetered energy [kWh]"), default=0.0)
    recoverable_yuan = models.DecimalField(
        _("estimated recoverable amount [yuan]"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_yuan = models.DecimalField(
        _("expected recovery [yuan]"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    priority = models.PositiveIntegerField(_("priority in station"), null=True, blank=True)
    within_capacity = models.BooleanField(_("on this month's inspection list"), default=False)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")
        ordering = ["-month", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "customer", "meter_number"], name="detection_suspect_month_meter_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0.0, score__lte=1.0), name="detection_suspect_score_range"
            ),
            models.CheckConstraint(
                condition=models.Q(rank_in_area__gte=1, rank_in_station__gte=1),
                name="detection_suspect_rank_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "station", "rank_in_station"], name="detection_suspect_m_st_rank"),
            models.Index(fields=["month", "area", "rank_in_area"], name="detection_suspect_m_area_rank"),
            # The suspect list: a month's (a station's) suspects, most suspect first.
            models.Index(fields=["month", "-score", "id"], name="detection_suspect_list"),
            models.Index(fields=["station", "month", "-score", "id"], name="detection_suspect_station_list"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m} ({self.score:.2f})"

    def get_absolute_url(self) -> str:
        return record_url("detection:suspect_detail", self.pk)

    def clean(self):
        super().clean()
        if not reasons_valid(self.reasons):
            raise ValidationError({"reasons": _("A suspect needs at least one reason with a text.")})

    @property
    def top_reasons(self) -> list[dict]:
        return list(self.reasons[:TOP_REASONS])

    @property
    def more_reasons(self) -> int:
        return max(len(self.reasons) - TOP_REASONS, 0)

    @property
    def score_percent(self) -> int:
        return int(round(self.score * 100))

    @property
    def probability_percent(self) -> int | None:
        return None if self.probability is None else int(round(self.probability * 100))

    @property
    def expected_yuan_rounded(self) -> int | None:
        return None if self.expected_yuan is None else int(self.expected_yuan.quantize(1))


def reasons_valid(reasons) -> bool:
    """At least one reason, each a dict with a non-empty ``text``."""
    return (
        isinstance(reasons, list)
        and len(reasons) > 0
        and all(isinstance(r, dict) and str(r.get("text") or "").strip() for r in reasons)
    )


class SuspectStatusChange(models.Model):
    """One change of a suspect's status: who, when, from what to what, and why.

    Kept by customer and month rather than by suspect row, so the record survives a re-run of the month
    (which replaces the suspect rows).
    """

    suspect = models.ForeignKey(
        Suspect,
        verbose_name=_("suspect"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    from_status = models.CharField(_("from"), max_length=20, choices=SuspectStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=SuspectStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    work_order = models.ForeignKey(
        "inspections.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("suspect status change")
        verbose_name_plural = _("suspect status changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["customer", "month"], name="detection_change_cust_month")]

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m}: {self.from_status} → {self.to_status}"


class ModelCandidate(TimeStampedModel):
    """A detection model trained by ``gridcheck detect train`` and what the quality gate made of it.

    The gate compares it with the model current at training time on the same labels and customer-grouped
    folds (``comparison``: both ROC-AUCs, their difference and 95 % bootstrap intervals). ``promoted``:
    not worse, made current at once; ``pending``: clearly worse, kept in the registry until a station head
    other than its trainer approves it (made current) or rejects it. The registry keeps every version.
    """

    name = models.CharField(_("model"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    path = models.CharField(_("registry path"), max_length=500)
    current_name = models.CharField(_("compared with"), max_length=80, blank=True)
    current_version = models.PositiveIntegerField(_("compared with version"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CandidateStatus.choices, db_index=True)
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("candidate model")
        verbose_name_plural = _("candidate models")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="detection_candidate_name_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.get_status_display()})"
