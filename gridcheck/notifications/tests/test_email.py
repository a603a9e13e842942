"""Email through a real SMTP server (aiosmtpd on 127.0.0.1): delivery, server down, server refusing."""

import datetime
import email
import email.policy
import hashlib

import pytest
from django.utils import timezone

from gridcheck.notifications.choices import AttemptOutcome, Channel, MessageStatus
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import message_enqueue, outbox_flush, retry_delay

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BODY = "贵单位存在以下用电安全隐患：配电室无防小动物措施。请于本月30日前整改。"
SUBJECT = "2026年11月用电安全隐患告知书"


def _parse(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def _enqueue(**kwargs) -> Message:
    defaults = dict(
        channel=Channel.EMAIL,
        recipient="anquan@kehu.example",
        subject=SUBJECT,
        body=BODY,
        attachments=[("隐患告知书.pdf", PDF, "application/pdf")],
    )
    defaults.update(kwargs)
    return message_enqueue(**defaults)


def test_email_with_chinese_body_and_pdf_arrives(smtp_server, county):
    message = _enqueue(created_by=county.users["head_east"])
    attachment = message.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size_bytes == len(PDF)

    result = outbox_flush()

    assert result["sent"] == [message.pk]
    assert len(smtp_server.handler.envelopes) == 1
    envelope = smtp_server.handler.envelopes[0]
    assert envelope.rcpt_tos == ["anquan@kehu.example"]
    assert envelope.mail_from == "gridcheck@gongdian.example"
    parsed = _parse(envelope)
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"] == "anquan@kehu.example"
    assert parsed["X-Gridcheck-Message"] == str(message.pk)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert BODY in text
    attachments = list(parsed.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_filename() == "隐患告知书.pdf"
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == PDF

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.station == county.stations["east"]  # from the creator
    attempt = message.attempt_records.get()
    assert attempt.outcome == AttemptOutcome.SENT and attempt.error == ""
    # Every status change is in the history: queued → sending → sent.
    statuses = list(message.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses == ["queued", "sending", "sent"]


def test_server_down_keeps_message_queued_then_sends_when_up(smtp_settings, smtp_port):
    message = _enqueue()
    before = timezone.now()

    result = outbox_flush()

    assert result["retrying"] == [message.pk] and result["sent"] == []
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at >= before + retry_delay(attempts=1)
    attempt = message.attempt_records.get()
    assert attempt.outcome == AttemptOutcome.ERROR and attempt.error == message.last_error

    # Not due yet: a second flush right away tries nothing.
    assert outbox_flush() == {"sent": [], "retrying": [], "failed": [], "requeued": []}

    from gridcheck.notifications.tests.conftest import SmtpServer

    server = SmtpServer(smtp_port)
    server.start()
    try:
        result = outbox_flush(now=message.next_attempt_at + datetime.timedelta(seconds=1))
    finally:
        server.stop()
    assert result["sent"] == [message.pk]
    assert len(server.handler.envelopes) == 1
    assert _parse(server.handler.envelopes[0])["Subject"] == SUBJECT
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert list(message.attempt_records.values_list("outcome", flat=True)) == ["error", "sent"]


def test_server_refusing_is_retried_with_backoff_then_failed(smtp_server, settings):
    settings.GRIDCHECK_NOTIFY_MAX_ATTEMPTS = 3
    smtp_server.handler.refuse = "550 Mailbox unavailable"
    message = _enqueue()
    now = timezone.now()
    waits = []
    for expected in ("retrying", "retrying", "failed"):
        result = outbox_flush(now=now)
        assert result[expected] == [message.pk]
        message.refresh_from_db()
        if message.next_attempt_at:
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at + datetime.timedelta(seconds=1)
    assert smtp_server.handler.tries == 3
    assert smtp_server.handler.envelopes == []
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert message.next_attempt_at is None
    assert "550" in message.last_error
    # Exponential backoff: the second wait is twice the first (both measured from the flush's clock).
    assert waits[1] >= 2 * waits[0] - datetime.timedelta(seconds=2)
    assert message.attempt_records.count() == 3
    # A failed message is not tried again by later flushes.
    assert outbox_flush(now=now + datetime.timedelta(days=1))["sent"] == []
    assert smtp_server.handler.tries == 3


def test_retry_delay_doubles_and_is_capped(settings):
    settings.GRIDCHECK_NOTIFY_RETRY_BASE_S = 60
    settings.GRIDCHECK_NOTIFY_RETRY_MAX_S = 300
    assert [retry_delay(attempts=n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_user_recipient_uses_their_email(smtp_server, county):
    user = county.users["head_east"]
    user.email = "zhan.zhang@gongdian.example"
    user.save()
    message = message_enqueue(channel=Channel.EMAIL, recipient=user, subject="周报", body="本周工作")
    outbox_flush()
    assert smtp_server.handler.envelopes[0].rcpt_tos == ["zhan.zhang@gongdian.example"]
    message.refresh_from_db()
    assert message.recipient_user == user and message.status == MessageStatus.SENT


def test_subject_is_kept_on_one_line(smtp_server):
    message = _enqueue(subject="隐患告知\n第二行", attachments=())
    assert message.subject == "隐患告知 第二行"
    assert outbox_flush()["sent"] == [message.pk]
    assert _parse(smtp_server.handler.envelopes[0])["Subject"] == "隐患告知 第二行"
