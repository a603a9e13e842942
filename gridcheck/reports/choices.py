"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """A generated report: generated once, regenerated (files replaced) any number of times."""

    GENERATED = "generated", _("Generated")
    REGENERATED = "regenerated", _("Regenerated")


class PeriodStatus(models.TextChoices):
    """Where a report of the current period stands on the report centre."""

    GENERATED = "generated", _("Generated")
    DUE = "due", _("Due, not generated")
    LATE = "late", _("Late")
