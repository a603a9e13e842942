"""Choice sets of the inspections app: work orders, visits, seals, pliers, tip-offs and plans."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkOrderSource(models.TextChoices):
    """Where a work order (工单) came from."""

    PLAN = "plan", _("Inspection plan")
    SUSPECT = "suspect", _("Detection suspect")
    LINELOSS = "lineloss", _("Line-loss alert")
    TIPOFF = "tipoff", _("Tip-off")
    AUDIT = "audit", _("Audit finding")
    HAZARD = "hazard", _("Hazard follow-up")
    SEAL = "seal", _("Broken seal")
    MANUAL = "manual", _("Manual")


class WorkOrderStatus(models.TextChoices):
    """Where a work order stands: created > assigned > in progress > visited > closed, or cancelled."""

    CREATED = "created", pgettext_lazy("work order status", "Created")
    ASSIGNED = "assigned", pgettext_lazy("work order status", "Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("work order status", "In progress")
    VISITED = "visited", pgettext_lazy("work order status", "Visited")
    CLOSED = "closed", pgettext_lazy("work order status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("work order status", "Cancelled")


# A work order still to be done (its due date still matters).
OPEN_STATUSES = (
    WorkOrderStatus.CREATED,
    WorkOrderStatus.ASSIGNED,
    WorkOrderStatus.IN_PROGRESS,
)

# The transitions a work order may make: from -> allowed targets.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    WorkOrderStatus.CREATED: (WorkOrderStatus.ASSIGNED, WorkOrderStatus.CANCELLED),
    WorkOrderStatus.ASSIGNED: (
        WorkOrderStatus.ASSIGNED,
        WorkOrderStatus.IN_PROGRESS,
        WorkOrderStatus.VISITED,
        WorkOrderStatus.CANCELLED,
    ),
    WorkOrderStatus.IN_PROGRESS: (WorkOrderStatus.VISITED, WorkOrderStatus.CANCELLED),
    WorkOrderStatus.VISITED: (WorkOrderStatus.CLOSED, WorkOrderStatus.ASSIGNED),
    WorkOrderStatus.CLOSED: (),
    WorkOrderStatus.CANCELLED: (),
}


class PlanStatus(models.TextChoices):
    """A monthly inspection plan: draft, then published (its work orders go out), then closed."""

    DRAFT = "draft", pgettext_lazy("plan status", "Draft")
    PUBLISHED = "published", pgettext_lazy("plan status", "Published")
    CLOSED = "closed", pgettext_lazy("plan status", "Closed")


class CampaignStatus(models.TextChoices):
    """A campaign (专项行动): planned, running, finished."""

    PLANNED = "planned", pgettext_lazy("campaign status", "Planned")
    RUNNING = "running", pgettext_lazy("campaign status", "Running")
    FINISHED = "finished", pgettext_lazy("campaign status", "Finished")


class ChecklistResult(models.TextChoices):
    """The answer to one checklist item of a visit."""

    OK = "ok", _("Normal")
    PROBLEM = "problem", _("Problem")
    NOT_APPLICABLE = "na", _("Not applicable")


class FindingKind(models.TextChoices):
    """What a visit found. ``hazard`` opens a hazard record; theft and violation go to the cases app."""

    HAZARD = "hazard", _("Safety hazard")
    THEFT = "theft", _("Suspected theft")
    VIOLATION = "violation", _("Contract violation")
    METER_FAULT = "meter_fault", _("Meter fault")
    SEAL_BROKEN = "seal_broken", _("Seal broken")
    ARCHIVE_MISMATCH = "archive_mismatch", _("Archive does not match the site")


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


class TipOffChannel(models.TextChoices):
    """How a tip-off (举报) came in."""

    HOTLINE = "hotline", _("Hotline")
    BOX = "box", _("Report box")
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class TipOffStatus(models.TextChoices):
    """Where a tip-off stands."""

    RECEIVED = "received", pgettext_lazy("tip-off status", "Received")
    VISITED = "visited", pgettext_lazy("tip-off status", "Site visited")
    PROVEN = "proven", pgettext_lazy("tip-off status", "Proven")
    UNFOUNDED = "unfounded", pgettext_lazy("tip-off status", "Unfounded")
    CLOSED = "closed", pgettext_lazy("tip-off status", "Closed")
