"""Services of the outbox: enqueue, send (one attempt), flush, cancel, retry, mark read.

Every message goes through the outbox: ``message_enqueue`` writes it (status ``queued``), and
``outbox_flush`` (the ``gridcheck notify flush`` command, or the ``flush_outbox`` task) sends what is
due. A failed try puts the message back in the queue with an exponential backoff
(``GRIDCHECK_NOTIFY_RETRY_BASE_S * 2 ** (attempts - 1)``, at most ``GRIDCHECK_NOTIFY_RETRY_MAX_S``)
until ``GRIDCHECK_NOTIFY_MAX_ATTEMPTS`` tries have been made; then it is ``failed``. In-app messages are
delivered when they are enqueued (delivery is a row in our own database).

Transactions: the services that only write rows are ``@transaction.atomic``. Sending is not one
transaction, on purpose: a message is claimed (``queued`` → ``sending``) in one short transaction, the
mail server or SMS gateway is called outside any transaction, and the outcome is recorded in another.
A rollback can then never "un-send" a message that really went out, and no database lock is held while
waiting for a slow server. A sender that dies mid-attempt leaves the message ``sending``; the next flush
after ``GRIDCHECK_NOTIFY_SENDING_TIMEOUT_S`` queues it again (counted as an interrupted attempt).
"""

import datetime
import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.notifications.choices import (
    KIND_BY_KEY_PREFIX,
    AttemptOutcome,
    Channel,
    MessageStatus,
    NotificationKind,
)
from gridcheck.notifications.models import (
    Message,
    MessageAttachment,
    MessageAttempt,
    NotificationPreference,
)
from gridcheck.notifications.selectors import forget_unread_badge
from gridcheck.notifications.sms import get_sms_backend

logger = logging.getLogger("gridcheck.notifications")

# A mainland mobile number or an international one: digits, optionally a leading +.
PHONE_RE = re.compile(r"^\+?\d{5,20}$")
# The stored error of one try is cut to this many characters.
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message: its name, its bytes and its MIME type."""

    file_name: str
    content: bytes
    content_type: str = ""


AttachmentLike = Attachment | tuple[str, bytes] | tuple[str, bytes, str]


# -- helpers ----------------------------------------------------------------------------------------------


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failed try: base · 2^(attempts − 1), capped [s]."""
    base_s = settings.GRIDCHECK_NOTIFY_RETRY_BASE_S
    delay_s = min(base_s * 2 ** max(attempts - 1, 0), settings.GRIDCHECK_NOTIFY_RETRY_MAX_S)
    return datetime.timedelta(seconds=delay_s)


def _as_attachment(item: AttachmentLike) -> Attachment:
    if isinstance(item, Attachment):
        attachment = item
    else:
        attachment = Attachment(*item)
    content = attachment.content
    if isinstance(content, str):
        content = content.encode("utf-8")
    content_type = (
        attachment.content_type or mimetypes.guess_type(attachment.file_name)[0] or "application/octet-stream"
    )
    return Attachment(file_name=attachment.file_name, content=bytes(content), content_type=content_type)


def _normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s\-()]", "", value or "")
    if not PHONE_RE.match(phone):
        raise ValidationError({"recipient_address": _("Enter a valid mobile phone number.")})
    return phone


def _resolve_recipient(channel: str, recipient) -> tuple[Model | None, str]:
    """``(user, address)`` for ``recipient`` (a user, an email address or a phone number)."""
    user_model = get_user_model()
    user = recipient if isinstance(recipient, user_model) else None
    if channel == Channel.IN_APP:
        if user is None:
            raise ValidationError({"recipient_user": _("An in-app message goes to a user.")})
        return user, ""
    raw = (
        (getattr(user, "email", "") if channel == Channel.EMAIL else getattr(user, "phone", ""))
        if user
        else recipient
    )
    raw = (raw or "").strip() if isinstance(raw, str) else ""
    if not raw:
        raise ValidationError({"recipient_address": _("The recipient has no address for this channel.")})
    if channel == Channel.EMAIL:
        try:
            validate_email(raw)
        except ValidationError:
            raise ValidationError({"recipient_address": _("Enter a valid email address.")}) from None
        return user, raw
    return user, _normalise_phone(raw)


def _station_id_for(*, station, related, created_by) -> int | None:
    if station is not None:
        return getattr(station, "pk", station)
    for source in (related, created_by):
        station_id = getattr(source, "station_id", None)
        if station_id:
            return station_id
    return None


def _save(message: Message, *, user=None) -> None:
    if user is not None:
        message._history_user = user
    message.full_clean()
    message.save()


# -- enqueue ----------------------------------------------------------------------------------------------


@transaction.atomic
def message_enqueue(
    *,
    channel: str,
    recipient,
    subject: str,
    body: str,
    attachments: Iterable[AttachmentLike] = (),
    dedup_key: str | None = None,
    related: Model | None = None,
    created_by=None,
    station=None,
) -> Message:
    """Put one message in the outbox and return it.

    ``recipient`` is a user (their email or phone is used; an in-app message needs a user), an email
    address or a mobile phone number. ``attachments`` are ``Attachment`` objects or
    ``(file_name, content[, content_type])`` tuples; they are stored under ``MEDIA_ROOT`` with their
    SHA-256. With a ``dedup_key`` already in the outbox, nothing is added and the existing message is
    returned: a job that runs twice sends nothing twice. ``station`` (for the outbox's scoping) defaults
    to the related object's station, then the creator's. In-app messages are delivered at once.
    """
    dedup_key = (dedup_key or "").strip()
    if dedup_key:
        existing = Message.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    files = [_as_attachment(item) for item in attachments]
    if files and channel == Channel.SMS:
        raise ValidationError({"channel": _("An SMS cannot carry attachments.")})
    user, address = _resolve_recipient(channel, recipient)
    now = timezone.now()
    message = Message(
        channel=channel,
        recipient_user=user,
        recipient_address=address,
        # A line break in a subject is refused by every mail server: keep the subject on one line.
        subject=" ".join((subject or "").split()),
        body=body,
        status=MessageStatus.QUEUED,
        next_attempt_at=now,
        dedup_key=dedup_key,
        station_id=_station_id_for(station=station, related=related, created_by=created_by),
        created_by=created_by,
    )
    if related is not None:
        message.related_content_type = ContentType.objects.get_for_model(related)
        message.related_object_id = related.pk
    if created_by is not None:
        message._history_user = created_by
    try:
        message.full_clean()
        with transaction.atomic():
            message.save()
    except (ValidationError, IntegrityError):
        # Another process enqueued the same key between our check and our insert.
        existing = Message.objects.filter(dedup_key=dedup_key).first() if dedup_key else None
        if existing is not None:
            return existing
        raise
    for item in files:
        attachment = MessageAttachment(
            message=message,
            file_name=item.file_name,
            content_type=item.content_type,
            size_bytes=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
        )
        attachment.file.save(item.file_name, ContentFile(item.content), save=False)
        attachment.full_clean()
        attachment.save()
    if channel == Channel.IN_APP:
        message = _record_outcome(message, started_at=now, error="", reference="")
    return message


# -- sending ----------------------------------------------------------------------------------------------


def _message_id_header(message: Message) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "gridcheck.local"
    return f"<gridcheck.{message.pk}.{int(message.created_at.timestamp())}@{domain}>"


def _deliver(message: Message) -> str:
    """Hand the message to its channel; return the provider's reference. Raises on any failure."""
    if message.channel == Channel.EMAIL:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient_address],
            # The same Message-ID on every retry lets a mail server or client drop a duplicate.
            headers={"Message-ID": _message_id_header(message), "X-Gridcheck-Message": str(message.pk)},
        )
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as handle:
                content = handle.read()
            if hashlib.sha256(content).hexdigest() != attachment.sha256:
                raise ValueError(f"attachment {attachment.file_name} does not match its SHA-256")
            email.attach(attachment.file_name, content, attachment.content_type)
        if email.send(fail_silently=False) != 1:
            raise RuntimeError("the email backend accepted no message")
        return ""
    if message.channel == Channel.SMS:
        sent = get_sms_backend().send(
            phone=message.recipient_address, text=message.body, reference=f"gridcheck-{message.pk}"
        )
        return sent.reference
    return ""  # in-app: the row in our database is the delivery


@transaction.atomic
def _record_outcome(
    message: Message,
    *,
    started_at: datetime.datetime,
    error: str,
    reference: str,
    outcome: str | None = None,
    clock: datetime.datetime | None = None,
) -> Message:
    """Write one attempt and move the message on: sent, back to the queue with a backoff, or failed."""
    finished_at = timezone.now()
    message.attempts += 1
    if error:
        outcome = outcome or AttemptOutcome.ERROR
        message.last_error = error[:MAX_ERROR_CHARS]
        if message.attempts >= settings.GRIDCHECK_NOTIFY_MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
        else:
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = max(clock or finished_at, finished_at) + retry_delay(
                attempts=message.attempts
            )
    else:
        outcome = AttemptOutcome.SENT
        message.status = MessageStatus.SENT
        message.sent_at = finished_at
        message.next_attempt_at = None
        message.last_error = ""
        message.provider_reference = (reference or "")[:100]
        if message.channel == Channel.IN_APP:
            forget_unread_badge(message.recipient_user_id)
    message.sending_started_at = None
    _save(message)
    attempt = MessageAttempt(
        message=message,
        number=message.attempts,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        error=message.last_error if error else "",
        provider_reference=message.provider_reference if not error else "",
    )
    attempt.full_clean()
    attempt.save()
    return message


def _attempt(message: Message, *, clock: datetime.datetime | None = None) -> Message:
    """One try of a message already claimed (``sending``); records and returns the outcome."""
    started_at = timezone.now()
    try:
        reference = _deliver(message)
    except Exception as exc:  # noqa: BLE001 - any failure of the transport is a failed try, retried later
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("Message %s (%s) not sent: %s", message.pk, message.channel, error)
        return _record_outcome(message, started_at=started_at, error=error, reference="", clock=clock)
    return _record_outcome(message, started_at=started_at, error="", reference=reference, clock=clock)


def _transition(
    pk: int, *, from_statuses: tuple[str, ...], user=None, extra_filter: dict | None = None, **changes
) -> Message | None:
    """Move message ``pk`` out of one of ``from_statuses`` with ``changes``, if nobody else did first.

    The move is one conditional ``UPDATE ... WHERE status IN (...)``: of two processes racing for the
    same message (two flushes, a flush and a cancel), exactly one sees one row changed, on SQLite and
    PostgreSQL alike, without holding a lock while sending. The winner then saves the row once more
    (after ``full_clean``) so that the change is in the message's history. ``None`` when it lost.
    """
    with transaction.atomic():
        moved = Message.objects.filter(pk=pk, status__in=from_statuses, **(extra_filter or {})).update(
            **changes, updated_at=timezone.now()
        )
        if moved != 1:
            return None
        message = Message.objects.get(pk=pk)
        _save(message, user=user)
    return message


def _status_error(text: str, message: Message) -> ValidationError:
    current = Message.objects.filter(pk=message.pk).first() or message
    return ValidationError(text % {"status": current.get_status_display()})


def message_send(*, message: Message) -> Message:
    """Make one attempt to send a queued message now (whatever its ``next_attempt_at``).

    Raises ``ValidationError`` when the message is not queued (already sent, being sent by another
    process, failed or cancelled): a message is never sent twice. Not one transaction: see the module.
    """
    claimed = _transition(
        message.pk,
        from_statuses=(MessageStatus.QUEUED,),
        status=MessageStatus.SENDING,
        sending_started_at=timezone.now(),
    )
    if claimed is None:
        raise _status_error(_("Only a queued message can be sent; this one is %(status)s."), message)
    return _attempt(claimed)


def _claim_due(*, now: datetime.datetime, limit: int) -> list[Message]:
    """Mark up to ``limit`` due messages ``sending``, oldest first; those another flush took are skipped."""
    due = Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    claimed = []
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        message = _transition(
            pk,
            from_statuses=(MessageStatus.QUEUED,),
            status=MessageStatus.SENDING,
            sending_started_at=timezone.now(),
        )
        if message is not None:
            claimed.append(message)
    return claimed


def _requeue_stale(*, now: datetime.datetime) -> list[int]:
    """Queue again the messages left ``sending`` by a sender that died; each counts as an attempt."""
    cutoff = now - datetime.timedelta(seconds=settings.GRIDCHECK_NOTIFY_SENDING_TIMEOUT_S)
    ids = []
    stale = Message.objects.filter(status=MessageStatus.SENDING, sending_started_at__lt=cutoff)
    for pk, started_at in list(stale.values_list("pk", "sending_started_at")):
        # Claim it by moving its start time, so that two flushes do not both count the interruption.
        message = _transition(
            pk,
            from_statuses=(MessageStatus.SENDING,),
            extra_filter={"sending_started_at": started_at},
            sending_started_at=now,
        )
        if message is None:
            continue
        _record_outcome(
            message,
            started_at=started_at,
            error=_("Interrupted: the sender stopped during the attempt."),
            reference="",
            outcome=AttemptOutcome.INTERRUPTED,
            clock=now,
        )
        ids.append(pk)
    return ids


def outbox_flush(*, now: datetime.datetime | None = None, limit: int = 100) -> dict:
    """Send the queued messages that are due (at most ``limit``), oldest first.

    Returns ``{"sent": [ids], "retrying": [ids], "failed": [ids], "requeued": [ids]}``: sent now,
    failed now and queued again with a backoff, failed for good (attempts exhausted), and found stuck in
    ``sending`` and queued again. Running it twice, even at the same time, sends nothing twice: only
    ``queued`` messages are claimed, each by one conditional update (see ``_transition``).
    """
    now = now or timezone.now()
    result = {"sent": [], "retrying": [], "failed": [], "requeued": _requeue_stale(now=now)}
    for message in _claim_due(now=now, limit=limit):
        message = _attempt(message, clock=now)
        if message.status == MessageStatus.SENT:
            result["sent"].append(message.pk)
        elif message.status == MessageStatus.FAILED:
            result["failed"].append(message.pk)
        else:
            result["retrying"].append(message.pk)
    return result


# -- by hand ----------------------------------------------------------------------------------------------


def message_cancel(*, message: Message, user=None) -> Message:
    """Cancel a queued or failed message: it will not be sent.

    One conditional update (see ``_transition``), so a flush that claimed the message first wins.
    """
    cancelled = _transition(
        message.pk,
        from_statuses=(MessageStatus.QUEUED, MessageStatus.FAILED),
        user=user,
        status=MessageStatus.CANCELLED,
        next_attempt_at=None,
    )
    if cancelled is None:
        raise _status_error(
            _("Only a queued or failed message can be cancelled; this one is %(status)s."), message
        )
    return cancelled


def message_retry_now(*, message: Message, user=None) -> Message:
    """Try a queued or failed message again now: one more attempt, whatever the backoff or the count.

    A failed message that fails again stays failed. Not one transaction: see the module.
    """
    claimed = _transition(
        message.pk,
        from_statuses=(MessageStatus.QUEUED, MessageStatus.FAILED),
        user=user,
        status=MessageStatus.SENDING,
        sending_started_at=timezone.now(),
    )
    if claimed is None:
        raise _status_error(
            _("Only a queued or failed message can be retried; this one is %(status)s."), message
        )
    return _attempt(claimed)


@transaction.atomic
def message_mark_read(*, message: Message, user) -> Message:
    """Mark an in-app message read by its recipient (once; later calls change nothing)."""
    if message.channel != Channel.IN_APP or message.recipient_user_id != user.pk:
        raise ValidationError(_("Only the recipient can mark this message read."))
    if message.read_at is None:
        message.read_at = timezone.now()
        _save(message, user=user)
        forget_unread_badge(user.pk)
    return message


@transaction.atomic
def inbox_mark_all_read(*, user) -> int:
    """Mark every unread in-app message of ``user`` read; returns how many.

    One UPDATE: reading is not a delivery status, so no history row is written for it.
    """
    forget_unread_badge(user.pk)
    return Message.objects.filter(
        channel=Channel.IN_APP, recipient_user=user, status=MessageStatus.SENT, read_at__isnull=True
    ).update(read_at=timezone.now())


def kind_of_key(key: str) -> str:
    """The ``NotificationKind`` of a hand-over key: the longest prefix of ``KIND_BY_KEY_PREFIX`` it
    starts with, else ``other``."""
    matches = [prefix for prefix in KIND_BY_KEY_PREFIX if key.startswith(prefix)]
    if not matches:
        return NotificationKind.OTHER
    return KIND_BY_KEY_PREFIX[max(matches, key=len)]


def notify_people(
    people: Iterable,
    *,
    subject: str,
    body: str,
    key: str,
    related: Model | None = None,
    created_by=None,
    station=None,
    kind: str | None = None,
) -> int:
    """A message to each of ``people`` about one hand-over (待办提醒): something waits for them, or what
    they handed over was decided. ``key`` names the hand-over (its object and step); each person gets it
    once. In-app always; by e-mail and/or SMS too where the person chose it for the hand-over's ``kind``
    (default: by the key, ``kind_of_key``) and has an address for it. Returns how many were told."""
    kind = kind or kind_of_key(key)
    people = [p for p in people if p is not None and getattr(p, "pk", None) is not None]
    wanted = {
        pref.user_id: pref
        for pref in NotificationPreference.objects.filter(user__in=[p.pk for p in people], kind=kind)
    }
    told = 0
    for person in people:
        common = {
            "recipient": person,
            "subject": subject,
            "body": body,
            "related": related,
            "created_by": created_by,
            "station": station,
        }
        message_enqueue(channel=Channel.IN_APP, dedup_key=f"handover:{key}:{person.pk}", **common)
        pref = wanted.get(person.pk)
        if pref is not None:
            for channel, on, address in (
                (Channel.EMAIL, pref.email, person.email),
                (Channel.SMS, pref.sms, getattr(person, "phone", "")),
            ):
                if not on or not (address or "").strip():
                    continue
                try:
                    message_enqueue(
                        channel=channel, dedup_key=f"handover:{key}:{person.pk}:{channel}", **common
                    )
                except ValidationError:
                    # A malformed address on the staff record must not stop the hand-over itself.
                    logger.warning("handover %s: no %s to user %s", key, channel, person.pk)
        told += 1
    return told


@transaction.atomic
def preferences_save(*, user, choices: dict[str, dict[str, bool]], changed_by=None) -> list:
    """Save ``user``'s e-mail/SMS choice per kind: ``{kind: {"email": bool, "sms": bool}}``.

    Unknown kinds are refused; kinds left out are unchanged. A change is recorded in the history.
    """
    unknown = set(choices) - set(NotificationKind.values)
    if unknown:
        raise ValidationError(_("Unknown notification kind: %(k)s.") % {"k": ", ".join(sorted(unknown))})
    saved = []
    for kind, wanted in choices.items():
        pref, created = NotificationPreference.objects.get_or_create(user=user, kind=kind)
        email, sms = bool(wanted.get("email")), bool(wanted.get("sms"))
        if (pref.email, pref.sms) != (email, sms) or created:
            pref.email, pref.sms = email, sms
            pref._history_user = changed_by or user
            pref.save()
        saved.append(pref)
    return saved
