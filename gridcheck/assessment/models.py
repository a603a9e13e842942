"""Assessment (绩效考核): KPI definitions as versioned data, monthly scorecards with their lines, manual
adjustments approved by the station head, and the inspectors' yearly evaluation.

Scoping: ``SCOPE_STATION`` / ``SCOPE_AREA`` (see ``gridcheck.core.scoping``); a person's own scorecards are
added by ``selectors.scorecards_visible``. Every state change of a scorecard or an adjustment is an
``AssessmentEvent`` row (``services``).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.assessment.choices import (
    AdjustmentKind,
    AdjustmentStatus,
    Direction,
    ScorecardStatus,
    Scoring,
    Subject,
    Unit,
)
from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL
POINTS = {"max_digits": 10, "decimal_places": 2}
VALUE = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}


class KpiDefinition(TimeStampedModel):
    """One version of a KPI: from ``effective_from`` until the next version of the same code.

    ``formula`` is an expression over the figure names of ``figures.FIGURES`` (checked at save by the
    service); a version is never edited after a scorecard used it: a change is a new version.
    """

    code = models.SlugField(_("KPI code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("KPI"), max_length=100)
    subject = models.CharField(_("assessed"), max_length=20, choices=Subject.choices)
    formula = models.CharField(_("formula"), max_length=500)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    weight = models.DecimalField(_("points"), **POINTS)
    scoring = models.CharField(_("scoring"), max_length=20, choices=Scoring.choices)
    fine_rule = models.CharField(
        _("fine per unit (rule)"),
        max_length=100,
        blank=True,
        help_text=_("Key of the rule row whose value in yuan is charged per unit of the value."),
    )
    active = models.BooleanField(_("in use"), default=True)
    effective_from = models.DateField(_("effective from"))
    changed_by = models.ForeignKey(
        USER, verbose_name=_("changed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)

    SCOPE_STATION = None
    SCOPE_AREA = None
    #: What a version defines (a new version copies the latest one's and changes some); the code, the
    #: version number, the date and the reason belong to the version itself.
    DEFINED_FIELDS = (
        "name",
        "subject",
        "formula",
        "unit",
        "direction",
        "target",
        "weight",
        "scoring",
        "fine_rule",
        "active",
    )

    class Meta:
        verbose_name = _("KPI definition")
        verbose_name_plural = _("KPI definitions")
        ordering = ["subject", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="assessment_kpi_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def formula_text(self) -> str:
        """The formula for people: each figure's code replaced by its label (``figures.FIGURES``)."""
        from gridcheck.assessment.figures import FIGURES

        def label(match):
            figure = FIGURES.get(match.group(0))
            return str(figure.label) if figure else match.group(0)

        return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", label, self.formula)

    @property
    def fine_rule_text(self) -> str:
        """The fine per unit for people: the rule row's value [yuan] and description in force today (the
        key where the rule table has no row in force)."""
        from gridcheck.core.rules import rule_row

        if not self.fine_rule:
            return ""
        try:
            row = rule_row(self.fine_rule)
        except LookupError:  # RuleError: unknown, or not in force today
            return self.fine_rule
        return f"{row.value:f} {_('yuan')}（{row.description}）"


class KpiTarget(TimeStampedModel):
    """A target for one period, more specific than the definition's: a station's or a person's.

    The annual late-fee target of a station is a row covering the year; the line of each month compares
    the year to date with it.
    """

    code = models.SlugField(_("KPI code"), max_length=40)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        USER,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    set_by = models.ForeignKey(
        USER, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["code", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="assessment_target_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}: {self.target}"


class Scorecard(TimeStampedModel):
    """The month's scorecard of one person (``person`` set) or one station (``person`` empty)."""

    month = models.DateField(_("month"), help_text=_("First day of the month assessed."))
    subject = models.CharField(_("assessed"), max_length=20, choices=Subject.choices)
    person = models.ForeignKey(
        USER,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scorecards",
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    base_points = models.DecimalField(_("base points"), **POINTS)
    kpi_points = models.DecimalField(_("KPI points"), default=Decimal(0), **POINTS)
    adjustment_points = models.DecimalField(_("adjustments"), default=Decimal(0), **POINTS)
    total_points = models.DecimalField(pgettext_lazy("points", "total"), default=Decimal(0), **POINTS)
    fine_yuan = models.DecimalField(_("fines [yuan]"), max_digits=12, decimal_places=2, default=Decimal(0))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ScorecardStatus.choices, default=ScorecardStatus.COMPUTED
    )
    computed_at = models.DateTimeField(_("computed at"))
    signed_by = models.ForeignKey(
        USER,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-month", "station_id", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "person"],
                condition=models.Q(person__isnull=False),
                name="assessment_scorecard_person_month",
            ),
            models.UniqueConstraint(
                fields=["month", "station"],
                condition=models.Q(person__isnull=True),
                name="assessment_scorecard_station_month",
            ),
        ]
        indexes = [models.Index(fields=["station", "month", "subject"], name="assessment_card_station_month")]

    def __str__(self) -> str:
        who = self.person if self.person_id else self.station
        return f"{who} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return record_url("assessment:scorecard_detail", self.pk)


class ScorecardLine(models.Model):
    """One KPI on a scorecard: the figure's value, the target, whether it was met, the points, the fine."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="lines"
    )
    kpi = models.ForeignKey(KpiDefinition, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), **VALUE)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    met = models.BooleanField(_("met"), null=True)
    points = models.DecimalField(_("points"), **POINTS)
    fine_yuan = models.DecimalField(_("fine [yuan]"), max_digits=12, decimal_places=2, default=Decimal(0))

    SCOPE_STATION = "scorecard__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        ordering = ["scorecard_id", "kpi__code"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "kpi"], name="assessment_line_unique")]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.value}"


class Adjustment(TimeStampedModel):
    """A manual deduction or bonus with its reason and evidence; counts once the station head approves it
    (never the person scored, never whoever proposed it)."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(_("points"), **POINTS)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = models.FileField(_("evidence"), upload_to="assessment/evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("evidence file"), max_length=200, blank=True)
    evidence_type = models.CharField(_("content type"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    SCOPE_STATION = "scorecard__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gt=0), name="assessment_adjustment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"

    @property
    def signed_points(self) -> Decimal:
        return -self.points if self.kind == AdjustmentKind.DEDUCTION else self.points


class AssessmentEvent(models.Model):
    """A state change of a scorecard or an adjustment (who, when, from, to, note)."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True)
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="events"
    )
    adjustment = models.ForeignKey(
        Adjustment,
        verbose_name=_("adjustment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)

    SCOPE_STATION = "scorecard__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.scorecard_id}: {self.from_status or '-'} -> {self.to_status}"


class YearlyEvaluation(TimeStampedModel):
    """An inspector's year: the average of the monthly totals against the pass mark of the rule table."""

    person = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    months = models.PositiveSmallIntegerField(_("months scored"))
    average_points = models.DecimalField(_("average points"), **POINTS)
    pass_points = models.DecimalField(_("pass mark"), **POINTS)
    passed = models.BooleanField(_("passed"))
    disqualified_until = models.DateField(_("may not inspect until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations")
        ordering = ["-year", "station_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="assessment_evaluation_year")]
