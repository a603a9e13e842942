"""Choice sets of the notifications app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message reaches its recipient."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In-app")


class MessageStatus(models.TextChoices):
    """Where a message is in the outbox.

    ``queued`` → ``sending`` → ``sent``; a failed try goes back to ``queued`` with a later
    ``next_attempt_at`` until the attempts run out (``failed``). ``cancelled`` is final.
    """

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class AttemptOutcome(models.TextChoices):
    """What came of one try to send a message."""

    SENT = "sent", _("Sent")
    ERROR = "error", _("Error")
    INTERRUPTED = "interrupted", _("Interrupted")


class NotificationKind(models.TextChoices):
    """The groups of hand-over notifications a user chooses e-mail or SMS for (in-app is always on).

    ``services.notify_people`` files each hand-over under one of these by its key's prefix
    (``KIND_BY_KEY_PREFIX``) unless the caller names the kind.
    """

    APPROVALS = "approvals", _("Approvals and their decisions")
    WORK_ORDERS = "work_orders", _("Work orders assigned or overdue")
    TIPOFFS = "tipoffs", _("Tip-offs received")
    FINDINGS = "findings", _("Audit findings")
    HAZARDS = "hazards", _("Hazards rectified or escalated")
    OTHER = "other", _("Other hand-overs")


#: The kind of a hand-over by the start of its key (the longest prefix that matches wins).
KIND_BY_KEY_PREFIX: dict[str, str] = {
    "case:": NotificationKind.APPROVALS,
    "billing:": NotificationKind.APPROVALS,
    "collection:": NotificationKind.APPROVALS,
    "inspections:tipoff:": NotificationKind.TIPOFFS,
    "inspections:workorder:": NotificationKind.WORK_ORDERS,
    "inspections:assign:": NotificationKind.WORK_ORDERS,
    "audit:": NotificationKind.FINDINGS,
    "hazards:": NotificationKind.HAZARDS,
}
