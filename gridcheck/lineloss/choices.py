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
