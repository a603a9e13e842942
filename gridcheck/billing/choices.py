"""Choices of meter reading and billing (抄、核)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReadingSource(models.TextChoices):
    """Where a reading came from (抄表方式)."""

    AMI = "ami", _("AMI (remote)")
    HANDHELD = "handheld", _("Handheld (on site)")
    MANUAL = "manual", _("Manual entry")
    ESTIMATED = "estimated", _("Estimated")


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Reading")
    BILLED = "billed", _("Billed")
    CLOSED = "closed", pgettext_lazy("reading cycle", "Closed")


class ChangeStatus(models.TextChoices):
    """An application that needs a decision: book changes, refunds, category changes."""

    PENDING = "pending", _("Awaiting approval")
    CHECKED = "checked", _("Checked, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AnomalyKind(models.TextChoices):
    """What a reader (or the VEE run) found at a meter (抄表异常)."""

    BURNED = "burned", _("Meter burned")
    STOPPED = "stopped", _("Meter stopped")
    STUCK_DIGITS = "stuck_digits", _("Stuck register digits")
    STOLEN = "stolen", _("Meter stolen")
    MOVED = "moved", _("Meter moved")
    SEAL_BROKEN = "seal_broken", _("Seal broken")
    DISPLAY_DARK = "display_dark", _("Display dark")
    BACKWARDS = "backwards", _("Register went backwards")


#: Kinds that, found just before a reading, go to the suspicious-theft procedure (inspector and metering
#: staff together): a meter damaged or lost, a broken seal.
SUSPICIOUS_ANOMALIES = frozenset(
    {AnomalyKind.BURNED, AnomalyKind.STOLEN, AnomalyKind.MOVED, AnomalyKind.SEAL_BROKEN}
)


class AnomalyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("reader anomaly", "Open")
    WORK_ORDER = "work_order", _("Work order opened")
    RESOLVED = "resolved", _("Resolved")


class BillStatus(models.TextChoices):
    """A bill's life: draft > checked > issued > adjusted."""

    DRAFT = "draft", _("Draft")
    CHECKED = "checked", _("Checked")
    ISSUED = "issued", _("Issued")
    ADJUSTED = "adjusted", _("Adjusted")


class AdjustmentKind(models.TextChoices):
    """A refund or back-bill (退补)."""

    METER_ERROR = "meter_error", _("Meter error (arts. 80-81)")
    CORRECTION = "correction", _("Correction of a bill")


class ReviewFlag(models.TextChoices):
    """What the review list (电费审核) looks at before a bill is issued."""

    ZERO_ACTIVE = "zero_active", _("Zero bill of an active customer")
    CHANGE_LAST_MONTH = "change_last_month", _("Large change against last month")
    CHANGE_LAST_YEAR = "change_last_year", _("Large change against the same month last year")
    NEGATIVE_ENERGY = "negative_energy", _("Negative energy")
    MULTIPLIER_MISMATCH = "multiplier_mismatch", _("Multiplier differs from the archive")
    CATEGORY_MISMATCH = "category_mismatch", _("Category does not match the tariff")
    TOU_NOT_APPLIED = "tou_not_applied", _("Time-of-use pricing not applied")
    PF_NOT_APPLIED = "pf_not_applied", _("Power-factor adjustment not applied")
    ESTIMATED = "estimated", _("Estimated reading")
    MIXED_USE_RECHECK = "mixed_use_recheck", _("Mixed-use shares not re-checked this year")


class BasicChargeBasis(models.TextChoices):
    """How a two-part tariff's basic charge is reckoned (the customer's choice in its contract)."""

    CAPACITY = "capacity", _("By capacity (kVA)")
    DEMAND = "demand", _("By maximum demand (kW)")
