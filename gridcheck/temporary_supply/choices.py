"""The choice sets of temporary supply (临时用电)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplyStatus(models.TextChoices):
    """Applied → approved → connected → (extension requested → extended) → ended → closed; or rejected."""

    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    CONNECTED = "connected", _("Connected")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENDED = "extended", _("Extended")
    ENDED = "ended", _("Ended (disconnected)")
    CLOSED = "closed", _("Closed and settled")
    REJECTED = "rejected", _("Rejected")


#: Supplied now: the customer takes power (the ledger's "active").
ACTIVE_STATUSES = (SupplyStatus.CONNECTED, SupplyStatus.EXTENSION_REQUESTED, SupplyStatus.EXTENDED)
#: Not yet connected, but the connection may follow.
PENDING_STATUSES = (SupplyStatus.APPLIED, SupplyStatus.APPROVED)
#: Nothing more happens.
FINAL_STATUSES = (SupplyStatus.CLOSED, SupplyStatus.REJECTED)


class MeteringMode(models.TextChoices):
    """A meter, or capacity × time where a meter cannot be fitted (1996 art. 87)."""

    METER = "meter", _("Meter")
    CAPACITY_TIME = "capacity_time", _("Capacity × time (no meter)")


class Completion(models.TextChoices):
    """What happens to the line and meter when the temporary supply is closed (消户)."""

    REMOVED = "removed", _("Line and meter removed")
    CONVERTED = "converted", _("Converted to permanent supply")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    LAPSED = "lapsed", _("Lapsed (the supply ended first)")


class ConnectedBy(models.TextChoices):
    """Who made an unauthorised temporary connection."""

    STAFF = "staff", _("A member of staff")
    CUSTOMER = "customer", _("The customer alone")


class Ledger(models.TextChoices):
    """The temporary-supply ledger's views (临时用电台账)."""

    ACTIVE = "active", _("Active")
    ENDING = "ending", _("Ending soon")
    OVERDUE = "overdue", _("Overdue (past the end, not ended)")
    UNPREPAID = "unprepaid", _("Without prepayment")
