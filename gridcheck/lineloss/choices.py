"""Choice sets of the line-loss app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backend(models.TextChoices):
    DUCKDB = "duckdb", _("DuckDB (embedded)")
    PYSPARK = "pyspark", _("PySpark (local)")


class LossFlag(models.TextChoices):
    """Why an area-month is flagged (the boolean fields of ``AreaMonthLoss``)."""

    NEGATIVE_LOSS = "negative_loss", _("Negative loss")
    ABOVE_TARGET = "above_target", _("Above target")
    SWING = "swing", _("Month-over-month swing above 20 %")
    FAILING_THREE_MONTHS = "failing_three_months", _("Above target three months running")
    IMBALANCE = "imbalance", _("Three-phase imbalance above 20 %")
    THEFT_SUSPECTS = "theft_suspects", _("Customers suspected of theft")


#: Steps of a run as shown in the progress bar: the pipeline's steps, then writing the results.
STEP_LABELS = {
    "queued": _("Waiting for a worker"),
    "connect": _("Reading the archive and the meter store"),
    "vee": _("Validating readings (VEE)"),
    "supply": _("Computing area supply"),
    "loss": _("Computing line loss and reading rates"),
    "flags": _("Flagging areas and naming causes"),
    "save": _("Saving the results"),
    "done": _("Done"),
}


class TargetSource(models.TextChoices):
    """Where a loss target came from."""

    ENTERED = "entered", _("Set by hand")
    DECOMPOSED = "decomposed", _("Decomposed from the station indicator")


class AnalysisCause(models.TextChoices):
    """The cause an area's analysis found: the analysis' own cause codes (``causes.py``) and the usual
    findings on site."""

    LOW_READING_RATE = "low_reading_rate", _("Low reading rate (missing readings)")
    CUSTOMER_DROP = "customer_drop", _("Large customer's consumption fell")
    EVENTS = "events", _("Meter events (fault, tampering)")
    IMBALANCE = "imbalance", _("Three-phase imbalance")
    THEFT = "theft_suspects", _("Theft or unmetered supply")
    WRONG_AREA_LINK = "negative_loss", _("Customers linked to the wrong area or wrong multiplier")
    UNEXPLAINED = "unexplained_loss", _("Loss above target with no anomaly in the data")
    GRID = "grid", _("Grid condition (long low-voltage lines, overloaded transformer)")
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    """Life of a rectification plan (整改计划)."""

    OPEN = "open", _("In rectification")
    CLOSED = "closed", _("Rectified")


class TheoreticalMethod(models.TextChoices):
    ENTERED = "entered", _("Entered (from a calculation report)")
    COMPUTED = "computed", _("Computed from the area's parameters")
