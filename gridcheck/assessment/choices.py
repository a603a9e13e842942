"""Choices of assessment: whom a KPI judges, how it scores, and the states of scorecards and adjustments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subject(models.TextChoices):
    """Whom a KPI judges: a person of one role, or a station."""

    AREA_MANAGER = "area_manager", _("Area manager")
    METER_READER = "meter_reader", _("Meter reader")
    INSPECTOR = "inspector", _("Inspector")
    STATION = "station", pgettext_lazy("assessment subject", "Station")


#: Subjects that are people (their value is the role of the person scored).
PERSON_SUBJECTS = (Subject.AREA_MANAGER, Subject.METER_READER, Subject.INSPECTOR)


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    COUNT = "count", _("count")
    YUAN = "yuan", _("yuan")
    KWH = "kwh", _("kWh")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Scoring(models.TextChoices):
    """How a KPI's value becomes points (around the scorecard's base points)."""

    ALL_OR_NOTHING = "all_or_nothing", _("Full reward or full penalty (全奖全罚)")
    PROPORTIONAL = "proportional", _("Deduction in proportion to the shortfall")
    PER_UNIT = "per_unit", _("Points per unit")


class ScorecardStatus(models.TextChoices):
    COMPUTED = "computed", pgettext_lazy("scorecard status", "Computed")
    SIGNED = "signed", pgettext_lazy("scorecard status", "Signed off")


class AdjustmentKind(models.TextChoices):
    DEDUCTION = "deduction", _("Deduction")
    BONUS = "bonus", _("Bonus")


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("adjustment status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("adjustment status", "Approved")
    REJECTED = "rejected", pgettext_lazy("adjustment status", "Rejected")
