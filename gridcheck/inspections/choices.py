"""Choice sets of the inspections app: work orders, visits, tip-offs and plans (seals: ``gridcheck.seals``)."""

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
    READING = "reading", _("Reading anomaly")
    ARREARS = "arrears", _("Disconnection for arrears")
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
