"""Line loss (线损) in the relational database: analysis runs, their results, and loss targets.

The monthly analysis (``gridcheck_analytics.pipeline.run_monthly``) reads the meter store and the archive
and returns frames; ``services.analysis_run_execute`` writes them here in one transaction. Re-running a
month replaces that month's results. Energies in kWh, rates in percent.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.models import Area, Line, Station
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel
from gridcheck.core.runs import BackgroundRun
from gridcheck.lineloss.choices import (
    STEP_LABELS,
    AnalysisCause,
    Backend,
    LossFlag,
    PlanStatus,
    TargetSource,
    TheoreticalMethod,
)

FLAG_FIELDS = [f.value for f in LossFlag]


class AnalysisRun(BackgroundRun):
    """One run of the monthly analysis for the whole county: status, progress, timings and errors.

    County-wide: every user who may view sees the runs (their results are scoped).
    """

    backend = models.CharField(_("backend"), max_length=20, choices=Backend.choices, default=Backend.DUCKDB)

    STEP_LABELS = STEP_LABELS
    TASK = "gridcheck.lineloss.tasks.analysis_run_task"
    ALREADY_ACTIVE = _("An analysis of this month is already queued or running.")

    class Meta(BackgroundRun.Meta):
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")

    def get_absolute_url(self) -> str:
        return record_url("lineloss:run_detail", self.pk)

    def results_url(self) -> str:
        return reverse("lineloss:dashboard") + f"?month={self.month:%Y-%m}"


class LossResult(models.Model):
    """Energies and rates shared by the loss results (computed, never entered)."""

    supply_kwh = models.FloatField(_("supply [kWh]"))
    sales_kwh = models.FloatField(_("sales [kWh]"))
    loss_kwh = models.FloatField(_("loss [kWh]"))
    loss_rate_percent = models.FloatField(_("loss rate [%]"), null=True, blank=True)

    class Meta:
        abstract = True


#: The flags of an area month that come from its loss (``services.area_flags``); material suspects flag an
#: area too (``suspects_material``, set by detection).
LOSS_FLAGS = ("negative_loss", "above_target", "swing", "failing_three_months", "imbalance")


class AreaMonthLoss(LossResult):
    """Line loss of one transformer area in one month, with its flags and likely causes.

    ``causes`` are the analysis' structured causes (``[{"code": ..., ...}]``); ``causes_text`` the same in
    Chinese for people (rendered when the results are written).
    """

    run = models.ForeignKey(
        AnalysisRun, verbose_name=_("analysis run"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    reading_rate_percent = models.FloatField(_("reading rate [%]"), null=True, blank=True)
    imbalance_rate_percent = models.FloatField(_("three-phase imbalance [%]"), null=True, blank=True)
    target_percent = models.FloatField(_("target loss rate [%]"))
    previous_loss_rate_percent = models.FloatField(_("previous month's loss rate [%]"), null=True, blank=True)
    negative_loss = models.BooleanField(_("negative loss"), default=False)
    above_target = models.BooleanField(_("above target"), default=False)
    swing = models.BooleanField(_("swing above 20 %"), default=False)
    failing_months = models.PositiveSmallIntegerField(_("months above target in a row"), default=0)
    failing_three_months = models.BooleanField(_("above target three months running"), default=False)
    imbalance = models.BooleanField(_("three-phase imbalance"), default=False)
    theft_suspects = models.PositiveIntegerField(
        _("customers suspected of theft"),
        default=0,
        help_text=_("Customers of the area on the month's theft-detection list (set by the detection run)."),
    )
    suspects_explained_kwh = models.FloatField(
        _("loss explained by suspects [kWh]"),
        default=0.0,
        help_text=_(
            "Estimated unmetered energy of the area's suspects and metering faults in the month, "
            "set by the detection run."
        ),
    )
    suspects_expected_yuan = models.DecimalField(
        _("expected recovery [yuan]"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The explained loss weighted by each suspect's calibrated probability, at the area's "
            "average tariff."
        ),
    )
    suspects_material = models.BooleanField(
        _("suspects explain a material part of the loss"),
        default=False,
        help_text=_(
            "Set by the detection run: the suspects' estimated unmetered energy reaches the minimum in "
            "kWh and the share of the area's loss that the rule table sets."
        ),
    )
    flagged = models.BooleanField(_("flagged"), default=False, db_index=True)
    causes = models.JSONField(_("causes (structured)"), default=list, blank=True)
    causes_text = models.TextField(_("likely causes"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("area monthly loss")
        verbose_name_plural = _("area monthly losses")
        ordering = ["-month", "area"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="lineloss_areamonth_area_month_unique")
        ]
        indexes = [
            models.Index(fields=["month", "station"], name="lineloss_areamonth_month_st"),
            models.Index(fields=["month", "line"], name="lineloss_areamonth_month_line"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m}"

    def flag_on(self, flag: str) -> bool:
        """Whether the flag ``flag`` (a ``LossFlag`` value) is raised: suspects flag the area only when
        what they explain is material against its loss (``suspects_material``), not by their number."""
        if flag == LossFlag.THEFT_SUSPECTS:
            return self.suspects_material
        return bool(getattr(self, flag))

    @property
    def flag_labels(self) -> list[str]:
        return [str(f.label) for f in LossFlag if self.flag_on(f.value)]

    @property
    def expected_yuan_rounded(self) -> int | None:
        v = self.suspects_expected_yuan
        return None if v is None else int(v.quantize(1))

    @property
    def cause_list(self) -> list[str]:
        """The causes in the active language (rendered from ``causes`` when shown)."""
        from gridcheck.lineloss.causes import cause_text

        return (
            [cause_text(c) for c in self.causes]
            if self.causes
            else [c for c in self.causes_text.split("\n") if c]
        )


class LineMonthLoss(LossResult):
    """Line loss of one 10 kV line in one month: the sums over its areas (no feeder-head meter is read)."""

    run = models.ForeignKey(
        AnalysisRun, verbose_name=_("analysis run"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    reading_rate_percent = models.FloatField(_("reading rate [%]"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("line monthly loss")
        verbose_name_plural = _("line monthly losses")
        ordering = ["-month", "line"]
        constraints = [
            models.UniqueConstraint(fields=["line", "month"], name="lineloss_linemonth_line_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.month:%Y-%m}"


class AreaDayLoss(LossResult):
    """Same-period (同期) line loss of one transformer area on one day of an analysed month."""

    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    reading_date = models.DateField(_("date"))
    meters = models.PositiveIntegerField(_("meters"), default=0)
    meters_read = models.PositiveIntegerField(_("meters read"), default=0)
    imbalance_rate_percent = models.FloatField(_("three-phase imbalance [%]"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("area daily loss")
        verbose_name_plural = _("area daily losses")
        ordering = ["reading_date", "area"]
        constraints = [
            models.UniqueConstraint(fields=["area", "reading_date"], name="lineloss_areaday_area_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.reading_date:%Y-%m-%d}"


class LossTarget(AuditedModel):
    """A loss-rate target (线损率指标) for one area, or for every area of one area owner, from a date on.

    The target of an area in a month is the newest area target in force, else the newest target of its
    owner in force, else the rule table's ``lineloss.default_target_percent``.
    """

    area = models.ForeignKey(
        Area,
        verbose_name=_("transformer area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("area manager"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    max_loss_rate_percent = models.DecimalField(
        _("maximum loss rate [%]"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=TargetSource.choices, default=TargetSource.ENTERED
    )
    indicator = models.ForeignKey(
        "StationLossIndicator",
        verbose_name=_("station loss indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="area_targets",
    )

    SCOPE_STATION = "area__station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("loss target")
        verbose_name_plural = _("loss targets")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(area__isnull=False, owner__isnull=True)
                    | models.Q(area__isnull=True, owner__isnull=False)
                ),
                name="lineloss_target_area_xor_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(max_loss_rate_percent__gte=0, max_loss_rate_percent__lte=100),
                name="lineloss_target_percent_range",
            ),
        ]

    def __str__(self) -> str:
        who = self.area or self.owner
        return f"{who} ≤ {self.max_loss_rate_percent}% ({self.effective_from:%Y-%m-%d})"


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class StationLossIndicator(AuditedModel):
    """The station's loss-rate indicator (供电所线损率指标) for one month, set by the station head and
    decomposed into area and line targets of that month (``services.station_indicator_set``)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    max_loss_rate_percent = models.DecimalField(
        _("maximum loss rate [%]"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("station loss indicator")
        verbose_name_plural = _("station loss indicators")
        ordering = ["-month", "station"]
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="lineloss_indicator_station_month"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.month:%Y-%m} ≤ {self.max_loss_rate_percent}%"


class LineLossTarget(AuditedModel):
    """A 10 kV line's loss-rate target for one month (the supply-weighted mean of its areas' targets)."""

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    max_loss_rate_percent = models.DecimalField(
        _("maximum loss rate [%]"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    indicator = models.ForeignKey(
        StationLossIndicator,
        verbose_name=_("station loss indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="line_targets",
    )

    SCOPE_STATION = "station_id"

    class Meta:
        verbose_name = _("line loss target")
        verbose_name_plural = _("line loss targets")
        ordering = ["-month", "line"]
        constraints = [models.UniqueConstraint(fields=["line", "month"], name="lineloss_linetarget_month")]

    def __str__(self) -> str:
        return f"{self.line} {self.month:%Y-%m} ≤ {self.max_loss_rate_percent}%"


class LossAnalysis(AuditedModel):
    """The analysis of a flagged area-month (线损异常分析): the cause found, the measures, who and when.

    Keyed by area and month (not by the result row, which a re-run of the month replaces).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    flags = models.JSONField(_("flags"), default=list, blank=True)
    loss_rate_percent = models.FloatField(_("loss rate [%]"), null=True, blank=True)
    cause = models.CharField(_("cause identified"), max_length=20, choices=AnalysisCause.choices)
    cause_detail = models.TextField(_("cause in detail"))
    measures = models.TextField(_("measures"))
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("analysed by"), on_delete=models.PROTECT, related_name="+"
    )
    analysed_on = models.DateField(_("analysed on"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("loss analysis")
        verbose_name_plural = _("loss analyses")
        ordering = ["-month", "area"]
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="lineloss_analysis_area_month")]

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return record_url("lineloss:analysis_detail", self.pk)

    @property
    def flag_labels(self) -> list[str]:
        labels = {f.value: str(f.label) for f in LossFlag}
        return [labels.get(f, f) for f in self.flags]


class RectificationPlan(AuditedModel):
    """The rectification plan (整改计划) of an area above its target three months running: measures, the
    person responsible and a deadline from the rule table; open until closed with its result."""

    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    analysis = models.OneToOneField(
        LossAnalysis, verbose_name=_("loss analysis"), on_delete=models.PROTECT, related_name="plan"
    )
    month = models.DateField(_("month"))
    measures = models.TextField(_("measures"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("opened on"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    closed_on = models.DateField(pgettext_lazy("rectification", "closed on"), null=True, blank=True)
    result = models.TextField(_("rectification result"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["deadline", "area"]
        indexes = [models.Index(fields=["status", "deadline"], name="lineloss_plan_status_deadline")]

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("lineloss:analysis_detail", args=[self.analysis_id])


class RectificationPlanEvent(StateChangeEvent):
    plan = models.ForeignKey(
        RectificationPlan,
        verbose_name=_("rectification plan"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    from_status = status_field(_("from"), PlanStatus, blank=True)
    to_status = status_field(_("to"), PlanStatus)

    subject_field = "plan"

    class Meta:
        verbose_name = _("rectification plan event")
        verbose_name_plural = _("rectification plan events")
        ordering = ["at", "pk"]


class TheoreticalLoss(AuditedModel):
    """The theoretical loss rate (理论线损率) of an area on a date: entered from a calculation report, or
    computed from the area's parameters (``gridcheck.lineloss.theory``). Due again after the rule table's
    years or when the area's transformer or line changes (the parameters below are kept to tell)."""

    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    calculated_on = models.DateField(_("calculated on"))
    method = models.CharField(_("method"), max_length=10, choices=TheoreticalMethod.choices)
    loss_rate_percent = models.DecimalField(
        _("theoretical loss rate [%]"), max_digits=6, decimal_places=3, validators=PERCENT
    )
    capacity_kva = models.DecimalField(_("transformer capacity [kVA]"), max_digits=10, decimal_places=2)
    line = models.ForeignKey(
        Line, verbose_name=_("line"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("theoretical loss")
        verbose_name_plural = _("theoretical losses")
        ordering = ["-calculated_on", "area"]
        indexes = [models.Index(fields=["area", "calculated_on"], name="lineloss_theory_area_date")]

    def __str__(self) -> str:
        return f"{self.area} {self.calculated_on:%Y-%m-%d} {self.loss_rate_percent}%"
