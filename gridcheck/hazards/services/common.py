"""What the services of the hazards app share: messages through the outbox, document numbers, photo checks."""

from __future__ import annotations

from django.conf import settings

from gridcheck.core.images import image_check
from gridcheck.hazards.choices import NoticeKind
from gridcheck.notifications.services import message_enqueue


def enqueue(**kwargs):
    """Hand one message to the notifications app's outbox (always with a ``dedup_key``)."""
    return message_enqueue(**kwargs)


def staff_messages(*, user, subject: str, body: str, dedup_key: str, related) -> int:
    """An in-app message to ``user`` and, where they have an email, an email; returns how many."""
    n = 0
    enqueue(
        channel="in_app",
        recipient=user,
        subject=subject,
        body=body,
        dedup_key=f"{dedup_key}:in_app",
        related=related,
    )
    n += 1
    if user.email:
        enqueue(
            channel="email",
            recipient=user.email,
            subject=subject,
            body=body,
            dedup_key=f"{dedup_key}:email",
            related=related,
        )
        n += 1
    return n


def document_number(kind: str, year: int, seq: str) -> str:
    """The number of a document of the network, e.g. 供电安通〔2026〕11-003号."""
    prefix = settings.GRIDCHECK_HAZARD_DOCUMENT_PREFIX
    word = {
        NoticeKind.CUSTOMER_MONTHLY: "通",
        NoticeKind.GOVERNMENT_MONTHLY: "报",
        NoticeKind.QUARTERLY_BRIEFING: "简",
    }
    return f"{prefix}{word.get(kind, '')}〔{year}〕{seq}号"


def photo_validate(upload) -> None:
    """Refuse a photo that is too large or not a JPEG/PNG image (checked by decoding it, not its name)."""
    upload.seek(0)
    try:
        image_check(
            content=upload.read(), name=upload.name, max_bytes=settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES
        )
    finally:
        upload.seek(0)
