"""Two flushes at the same time (two cron runs overlapping) send each message exactly once.

Needs real concurrent connections: PostgreSQL only (an in-memory SQLite test database is one file
shared by threads with table locks, not a model of the production database).
"""

import threading
import time

import pytest
from django.db import connection

from gridcheck.notifications.choices import Channel, MessageStatus
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import message_enqueue, outbox_flush
from gridcheck.notifications.sms import BaseSmsBackend, SmsSent


class SlowSmsBackend(BaseSmsBackend):
    """Takes 50 ms per text, so that two flushes overlap; records every reference it was given."""

    references: list[str] = []
    lock = threading.Lock()

    def send(self, *, phone: str, text: str, reference: str) -> SmsSent:
        time.sleep(0.05)
        with self.lock:
            type(self).references.append(reference)
        return SmsSent(phone=phone, text=text, reference=reference)


@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_send_each_message_once(settings):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent flushes are tested on PostgreSQL")
    settings.GRIDCHECK_SMS_BACKEND = f"{__name__}.SlowSmsBackend"
    SlowSmsBackend.references = []
    messages = [
        message_enqueue(channel=Channel.SMS, recipient=f"1380013800{n}", subject="", body=f"第{n}条")
        for n in range(8)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(outbox_flush())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2
    sent = [pk for result in results for pk in result["sent"]]
    assert sorted(sent) == sorted(m.pk for m in messages)  # each once, by one flush or the other
    assert sorted(SlowSmsBackend.references) == sorted(f"gridcheck-{m.pk}" for m in messages)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
