"""Choice sets of the seals app: seals (封印) and the anti-pry sealing pliers (防撬封钳)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SealStatus(models.TextChoices):
    """Where a seal (封印) is: in the station's stock, issued to staff, used on a meter, returned, broken."""

    IN_STOCK = "in_stock", _("In stock")
    ISSUED = "issued", pgettext_lazy("seal status", "Issued")
    USED = "used", pgettext_lazy("seal status", "Used")
    RETURNED = "returned", pgettext_lazy("seal status", "Returned")
    BROKEN = "broken", pgettext_lazy("seal status", "Broken")


class SealMovementKind(models.TextChoices):
    """A seal handed to a member of staff or handed back."""

    ISSUE = "issue", _("Issue to staff")
    RETURN = "return", _("Return from staff")


class SealUseReason(models.TextChoices):
    """Why a seal was put on a meter."""

    NEW_CONNECTION = "new_connection", _("New connection")
    METER_CHANGE = "meter_change", _("Meter change")
    INSPECTION = "inspection", _("Inspection")
    CENSUS = "census", _("Business census")
    RESEAL = "reseal", _("Reseal after work")


class SealBreakKind(models.TextChoices):
    """A seal opened on purpose by two people, or found broken (which opens a work order)."""

    UNSEALED = "unsealed", _("Unsealed for work")
    FOUND_BROKEN = "found_broken", _("Found broken")


class PliersStatus(models.TextChoices):
    """Whether the sealing pliers (封钳) are in the store or signed out."""

    IN_STORE = "in_store", _("In store")
    ISSUED = "issued", pgettext_lazy("pliers status", "Signed out")
    RETIRED = "retired", _("Retired")
