"""The outbox's guarantees: a duplicate run sends nothing twice; cancel, retry, stuck messages, tasks."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from gridcheck.notifications.choices import AttemptOutcome, Channel, MessageStatus
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import (
    message_cancel,
    message_enqueue,
    message_retry_now,
    outbox_flush,
)

pytestmark = pytest.mark.django_db


def _sms(**kwargs) -> Message:
    defaults = dict(channel=Channel.SMS, recipient="13800138000", subject="", body="风险预警")
    defaults.update(kwargs)
    return message_enqueue(**defaults)


def test_dedup_key_enqueues_once_and_flush_sends_once(logging_sms, county):
    customer = county.customers["east11"]
    first = _sms(dedup_key="hazard-notice:2026-11:east11", related=customer)
    second = _sms(dedup_key="hazard-notice:2026-11:east11", related=customer, body="另一段文字")

    assert second.pk == first.pk
    assert second.body == "风险预警"
    assert Message.objects.count() == 1
    assert first.related == customer
    assert first.station == county.stations["east"]  # from the related customer

    assert outbox_flush()["sent"] == [first.pk]
    assert outbox_flush()["sent"] == []  # a second run finds nothing to do
    # Enqueuing the same key after it was sent still adds nothing.
    assert _sms(dedup_key="hazard-notice:2026-11:east11").pk == first.pk
    assert outbox_flush()["sent"] == []
    assert len(logging_sms) == 1


def test_messages_without_key_are_not_deduplicated(logging_sms):
    _sms()
    _sms()
    assert Message.objects.count() == 2
    assert len(outbox_flush()["sent"]) == 2


def test_flush_respects_limit_and_order(logging_sms):
    messages = [_sms(body=f"第{n}条") for n in range(3)]
    assert outbox_flush(limit=2)["sent"] == [messages[0].pk, messages[1].pk]
    assert outbox_flush(limit=2)["sent"] == [messages[2].pk]


def test_cancel_stops_sending(logging_sms, county):
    message = _sms()
    message = message_cancel(message=message, user=county.users["admin"])
    assert message.status == MessageStatus.CANCELLED
    assert outbox_flush()["sent"] == []
    assert logging_sms == []
    assert message.history.first().history_user == county.users["admin"]
    with pytest.raises(ValidationError):
        message_cancel(message=message)


def test_retry_now_sends_a_failed_message(sms_gateway, settings):
    settings.GRIDCHECK_NOTIFY_MAX_ATTEMPTS = 1
    sms_gateway.status = 503
    message = _sms()
    assert outbox_flush()["failed"] == [message.pk]
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED

    sms_gateway.status = 200
    message = message_retry_now(message=message)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert len(sms_gateway.requests) == 2
    with pytest.raises(ValidationError):
        message_retry_now(message=message)


def test_stuck_sending_message_is_requeued_and_counted(logging_sms, settings):
    message = _sms()
    stuck_since = timezone.now() - datetime.timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, sending_started_at=stuck_since)

    result = outbox_flush()
    assert result["requeued"] == [message.pk]
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.attempt_records.get().outcome == AttemptOutcome.INTERRUPTED

    assert outbox_flush(now=message.next_attempt_at)["sent"] == [message.pk]
    assert len(logging_sms) == 1


def test_recent_sending_message_is_left_alone(logging_sms):
    message = _sms()
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, sending_started_at=timezone.now()
    )
    assert outbox_flush() == {"sent": [], "retrying": [], "failed": [], "requeued": []}
    assert logging_sms == []


def test_flush_outbox_task(logging_sms, settings):
    from gridcheck.notifications.tasks import flush_outbox

    # Whatever backend the project configures, the task runs the same flush; here it runs at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    first, second = _sms(), _sms(body="第二条")
    result = flush_outbox.enqueue(limit=1)
    assert result.return_value["sent"] == [first.pk]
    assert flush_outbox.call()["sent"] == [second.pk]
    assert len(logging_sms) == 2


def test_notify_flush_command_prints_outcomes(sms_gateway, capsys):
    sms_gateway.status = 500
    message = _sms()
    call_command("notify", "flush")
    out = capsys.readouterr().out
    assert f"#{message.pk}" in out
    assert "HTTP 500" in out

    sms_gateway.status = 200
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    call_command("notify", "flush")
    out = capsys.readouterr().out
    assert f"#{message.pk}" in out
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT

    call_command("notify", "status")
    out = capsys.readouterr().out
    assert f"{MessageStatus.SENT.label}: 1" in out
    assert f"{MessageStatus.QUEUED.label}: 0" in out


def test_enqueue_validates_recipients(county):
    with pytest.raises(ValidationError):
        message_enqueue(channel=Channel.EMAIL, recipient="not an address", subject="s", body="b")
    with pytest.raises(ValidationError):
        message_enqueue(channel=Channel.IN_APP, recipient="someone@example.com", subject="s", body="b")
    with pytest.raises(ValidationError):  # the user has no email address
        message_enqueue(channel=Channel.EMAIL, recipient=county.users["liaison"], subject="s", body="b")
    with pytest.raises(ValidationError):
        message_enqueue(channel="fax", recipient="x@example.com", subject="s", body="b")
    assert Message.objects.count() == 0
