"""What the services of the hazards app share: messages through the outbox, document numbers, uploads."""

from __future__ import annotations

from django.conf import settings

from gridcheck.core.uploads import upload_accept
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
        NoticeKind.CUSTOMER_SUPPLEMENTARY: "补",
        NoticeKind.GOVERNMENT_MONTHLY: "报",
        NoticeKind.QUARTERLY_BRIEFING: "简",
    }
    return f"{prefix}{word.get(kind, '')}〔{year}〕{seq}号"


def photo_accept(upload):
    """Check a hazard photo through core's one upload path: a JPEG or PNG by its content and name, at most
    ``GRIDCHECK_HAZARD_PHOTO_MAX_BYTES``, re-encoded and stored under a generated name."""
    return upload_accept(upload, kind="photo", max_bytes=settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES)


def receipt_accept(upload):
    """Check a scanned delivery receipt: a PDF, or a photo of the signed paper (re-encoded)."""
    name = str(getattr(upload, "name", "")).lower()
    kind = "pdf" if name.endswith(".pdf") else "photo"
    return upload_accept(upload, kind=kind, max_bytes=settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES)
