"""SMS: the logging backend, and the HTTP gateway backend against a tiny gateway on 127.0.0.1."""

import json

import pytest
from django.core.exceptions import ValidationError

from gridcheck.notifications.choices import Channel, MessageStatus
from gridcheck.notifications.services import message_enqueue, message_send, outbox_flush
from gridcheck.notifications.sms import HttpGatewaySmsBackend, SmsError

pytestmark = pytest.mark.django_db

TEXT = "【示范县供电公司】风险预警：明日10时至14时东城台区计划停电检修，请提前做好准备。"


def test_logging_backend_records_the_text(logging_sms):
    message = message_enqueue(channel=Channel.SMS, recipient="138 0013 8000", subject="", body=TEXT)
    assert message.recipient_address == "13800138000"  # spaces removed

    result = outbox_flush()

    assert result["sent"] == [message.pk]
    assert len(logging_sms) == 1
    assert logging_sms[0].phone == "13800138000"
    assert logging_sms[0].text == TEXT
    assert logging_sms[0].reference == f"gridcheck-{message.pk}"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_gateway_success_posts_json_with_token(sms_gateway):
    message = message_enqueue(channel=Channel.SMS, recipient="+8613900139000", subject="", body=TEXT)

    result = outbox_flush()

    assert result["sent"] == [message.pk]
    assert len(sms_gateway.requests) == 1
    request = sms_gateway.requests[0]
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer test-token-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"].decode("utf-8")) == {
        "phone": "+8613900139000",
        "text": TEXT,
        "reference": f"gridcheck-{message.pk}",
    }
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_reference == "GW-0001"
    assert message.attempt_records.get().provider_reference == "GW-0001"


def test_gateway_error_keeps_message_queued(sms_gateway):
    sms_gateway.status = 500
    sms_gateway.answer = {"error": "upstream carrier unavailable"}
    message = message_enqueue(channel=Channel.SMS, recipient="13900139000", subject="", body=TEXT)

    result = outbox_flush()

    assert result["retrying"] == [message.pk]
    assert len(sms_gateway.requests) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert "HTTP 500" in message.last_error
    assert "upstream carrier unavailable" in message.last_error

    # The gateway recovers: the next due flush sends it.
    sms_gateway.status = 200
    result = outbox_flush(now=message.next_attempt_at)
    assert result["sent"] == [message.pk]
    assert len(sms_gateway.requests) == 2


def test_gateway_timeout_raises(sms_gateway):
    sms_gateway.delay_s = 1.0
    backend = HttpGatewaySmsBackend(timeout_s=0.2)
    with pytest.raises(SmsError, match="unreachable"):
        backend.send(phone="13900139000", text=TEXT, reference="x")


def test_gateway_unreachable_raises(settings):
    from gridcheck.notifications.tests.conftest import free_port

    backend = HttpGatewaySmsBackend(url=f"http://127.0.0.1:{free_port()}/sms", token="t", timeout_s=1)
    with pytest.raises(SmsError):
        backend.send(phone="13900139000", text=TEXT, reference="x")


def test_gateway_without_url_is_an_error(settings):
    settings.GRIDCHECK_SMS_GATEWAY_URL = ""
    with pytest.raises(SmsError, match="GRIDCHECK_SMS_GATEWAY_URL"):
        HttpGatewaySmsBackend().send(phone="13900139000", text=TEXT, reference="x")


def test_sms_refuses_bad_number_and_attachments(logging_sms):
    with pytest.raises(ValidationError):
        message_enqueue(channel=Channel.SMS, recipient="not-a-phone", subject="", body=TEXT)
    with pytest.raises(ValidationError):
        message_enqueue(
            channel=Channel.SMS, recipient="13900139000", subject="", body=TEXT, attachments=[("a.pdf", b"x")]
        )


def test_message_send_is_one_attempt_and_never_twice(logging_sms):
    message = message_enqueue(channel=Channel.SMS, recipient="13900139000", subject="", body=TEXT)
    message = message_send(message=message)
    assert message.status == MessageStatus.SENT
    with pytest.raises(ValidationError):
        message_send(message=message)
    assert len(logging_sms) == 1
