"""The outbox: every message (email, SMS, in-app) Gridcheck sends, its attachments and each try.

A message is written to the outbox first (``services.message_enqueue``) and sent from there
(``services.outbox_flush``), so nothing is lost when a mail server or SMS gateway is down: the message
stays queued and is tried again later. Every status change is in the message's history
(django-simple-history); every try is a ``MessageAttempt``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck.notifications.choices import AttemptOutcome, Channel, MessageStatus, NotificationKind


class Message(AuditedModel):
    """One message to one recipient through one channel, with its delivery status.

    ``recipient_address`` is the email address (email) or the phone number (SMS); an in-app message goes
    to ``recipient_user`` and is shown in their inbox. ``dedup_key`` (when set) is unique: enqueuing the
    same key twice returns the first message, so a job that runs twice sends nothing twice.
    """

    Channel = Channel
    Status = MessageStatus

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_received",
    )
    recipient_address = models.CharField(
        _("recipient address"),
        max_length=254,
        blank=True,
        help_text=_("Email address or mobile phone number."),
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, blank=True, default="")
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    related_content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("related object type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    related_object_id = models.PositiveBigIntegerField(_("related object id"), null=True, blank=True)
    related = GenericForeignKey("related_content_type", "related_object_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_created",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=~Q(dedup_key=""),
                name="notifications_message_dedup_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(channel="in_app") | Q(recipient_user__isnull=False),
                name="notifications_message_in_app_has_user",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_message_due_idx"),
            models.Index(fields=["recipient_user", "channel", "read_at"], name="notif_message_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} → {self.recipient_display}"

    @property
    def recipient_display(self) -> str:
        """Who the message goes to, as a person reads it."""
        if self.recipient_user_id and self.recipient_address:
            return f"{self.recipient_user} <{self.recipient_address}>"
        if self.recipient_user_id:
            return str(self.recipient_user)
        return self.recipient_address

    @property
    def is_final(self) -> bool:
        return self.status in (MessageStatus.SENT, MessageStatus.CANCELLED)


class MessageAttachment(TimeStampedModel):
    """A file sent with a message (email), kept under ``MEDIA_ROOT`` with its SHA-256."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    file = models.FileField(_("file"), upload_to="notifications/%Y/%m/", max_length=300)
    size_bytes = models.PositiveBigIntegerField(_("size [bytes]"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    SCOPE_STATION = "message__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file_name


class MessageAttempt(TimeStampedModel):
    """One try to send a message: when, how long, what came of it and the error if any."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attempt_records"
    )
    number = models.PositiveIntegerField(_("attempt number"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AttemptOutcome.choices)
    error = models.TextField(_("error"), blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)

    SCOPE_STATION = "message__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message", "number", "pk"]

    def __str__(self) -> str:
        return f"#{self.message_id}/{self.number} {self.get_outcome_display()}"

    @property
    def duration_s(self) -> float | None:
        """How long the try took [s]."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class NotificationPreference(AuditedModel):
    """Whether a user also wants one kind of hand-over by e-mail and/or SMS (in-app is always sent).

    No row means in-app only. Changed on the user's own settings page (``notifications:preferences``);
    every change is in the row's history.
    """

    Kind = NotificationKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("notification kind"), max_length=20, choices=NotificationKind.choices)
    email = models.BooleanField(_("by e-mail"), default=False)
    sms = models.BooleanField(_("by SMS"), default=False)

    SCOPE_STATION = "user__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
