"""Choice sets of the metering asset ledger (计量装置台账): kinds, statuses, faults, acceptance."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssetKind(models.TextChoices):
    """What a metering asset is: an energy meter or an instrument transformer."""

    METER = "meter", _("Energy meter")
    CT = "ct", _("Current transformer")
    PT = "pt", _("Voltage transformer")


class AssetStatus(models.TextChoices):
    """Where an asset is in its life: in the station's stock, installed, removed, faulty, scrapped."""

    IN_STOCK = "in_stock", pgettext_lazy("metering asset", "In stock")
    INSTALLED = "installed", pgettext_lazy("metering asset", "Installed")
    REMOVED = "removed", pgettext_lazy("metering asset", "Removed")
    FAULTY = "faulty", pgettext_lazy("metering asset", "Faulty")
    SCRAPPED = "scrapped", pgettext_lazy("metering asset", "Scrapped")


#: Statuses of an asset that still counts for rotation (installed: in service).
IN_SERVICE_STATUSES = (AssetStatus.INSTALLED,)


class FaultKind(models.TextChoices):
    """What was wrong with a metering asset."""

    STOPPED = "stopped", _("Stopped or dead")
    ERROR = "error", _("Error over tolerance")
    DAMAGED = "damaged", _("Damaged or burnt")
    WIRING = "wiring", _("Wiring error")
    DISPLAY = "display", _("Display or register fault")
    OTHER = "other", _("Other fault")


class FaultOutcome(models.TextChoices):
    """What came of a fault record."""

    PENDING = "pending", pgettext_lazy("fault outcome", "Pending")
    REPAIRED = "repaired", _("Repaired on site")
    REPLACED = "replaced", _("Replaced")
    NO_FAULT = "no_fault", _("No fault found")


class AcceptanceResult(models.TextChoices):
    """The verdict of an acceptance before energising (新装计量验收)."""

    PASSED = "passed", _("Passed")
    FAILED = "failed", pgettext_lazy("acceptance result", "Failed")


class NoticeStatus(models.TextChoices):
    """A rectification notice (整改通知书) is open until the installation is put right."""

    OPEN = "open", pgettext_lazy("rectification notice", "Open")
    CLOSED = "closed", pgettext_lazy("rectification notice", "Closed")


class ChangeReason(models.TextChoices):
    """Why a meter was changed (换表原因)."""

    ROTATION = "rotation", _("Periodic rotation")
    FAULT = "fault", _("Fault")
    OBSOLETE = "obsolete", _("Obsolete type")
    CAPACITY = "capacity", _("Capacity change")
    OTHER = "other", _("Other reason")


#: The items checked when new metering is accepted before energising; every one must hold to pass.
ACCEPTANCE_CHECKLIST = (
    ("nameplate", _("Nameplate matches the archive (asset number, class, current)")),
    ("verification", _("Verification certificate within its period")),
    ("ratio", _("CT/PT ratio matches the archive and the load")),
    ("wiring", _("Wiring correct (phase sequence, polarity)")),
    ("terminal_box", _("Terminal box and meter box closed")),
    ("seals", _("Seals fitted on the meter, terminal box and CT")),
    ("register", _("Start registers recorded")),
)
