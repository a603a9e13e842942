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
