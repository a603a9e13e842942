"""Choice sets of the meter-data app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    """What a meter-data file holds; each kind goes to one frame of the meter store."""

    DAILY = "daily", _("Daily readings")
    CURVE = "curve", _("Load curves")
    EVENTS = "events", _("Meter events")
    AREA_METER = "area_meter", _("Area summary meter readings")


#: The meter-store frame each kind is written to.
STORE_FRAME = {
    ImportKind.DAILY: "daily",
    ImportKind.CURVE: "curves",
    ImportKind.EVENTS: "events",
    ImportKind.AREA_METER: "area_meter",
}


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class QualityCode(models.TextChoices):
    """Labels of the VEE quality codes (values from ``gridcheck_analytics.schema.QualityCode``)."""

    VALID = "valid", _("Valid")
    MISSING = "missing", _("Missing")
    ESTIMATED = "estimated", _("Estimated")
    REGISTER_BACKWARDS = "register_backwards", _("Register backwards")
    RUNAWAY = "runaway", _("Runaway")
    STOPPED = "stopped", _("Stopped")
    LONG_ZERO_RUN = "long_zero_run", _("Long zero run")
    SUDDEN_RISE = "sudden_rise", _("Sudden rise")
    SUDDEN_DROP = "sudden_drop", _("Sudden drop")
    MULTIPLIER_MISMATCH = "multiplier_mismatch", _("Multiplier mismatch")


class EventCode(models.TextChoices):
    """Labels of meter events (values from ``gridcheck_analytics.schema.EventCode``)."""

    LOSS_OF_VOLTAGE = "loss_of_voltage", _("Loss of voltage")
    LOSS_OF_CURRENT = "loss_of_current", _("Loss of current")
    PHASE_FAILURE = "phase_failure", _("Phase failure")
    COVER_OPENED = "cover_opened", _("Meter cover opened")
    VOLTAGE_IMBALANCE = "voltage_imbalance", _("Voltage imbalance")
    CURRENT_IMBALANCE = "current_imbalance", _("Current imbalance")
    CLOCK_ERROR = "clock_error", _("Clock error")
    STOPPED = "stopped", _("Meter stopped")
    RUNAWAY = "runaway", _("Meter running away")
    REVERSED = "reversed", _("Meter running backwards")
