"""Two collectors paying the same bill at the same moment: one wins, the other is refused with who paid;
the balance is right. Real concurrency needs PostgreSQL (row locks); SQLite serialises whole transactions."""

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gridcheck.collection.models import Account, Payment, Receivable

pytestmark = pytest.mark.django_db(transaction=True)
ON_TIME = datetime.datetime(2025, 4, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # before the due date


@pytest.mark.skipif(
    "sqlite" in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="row locks (select_for_update) need PostgreSQL; SQLite locks the whole database",
)
def test_two_collectors_pay_the_same_bill_at_once(county, issued):
    from gridcheck.collection.services.payments import payment_post

    assert connection.vendor == "postgresql"
    r = issued.receivables["east11"]
    seen = r.balance_yuan
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def collect(username: str) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results[username] = payment_post(
                user=county.users[username],
                customer=r.customer,
                amount_yuan=seen,
                channel="counter",
                idempotency_key=f"counter-{username}",
                expected_balance_yuan=seen,
                received_at=ON_TIME,
            )
        except ValidationError as error:
            results[username] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=collect, args=(u,)) for u in ("reader_east", "manager_east")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    payments = [v for v in results.values() if isinstance(v, Payment)]
    errors = [v for v in results.values() if isinstance(v, ValidationError)]
    assert len(payments) == 1 and len(errors) == 1, results
    assert payments[0].collector.username in " ".join(errors[0].messages)
    r = Receivable.objects.get(pk=r.pk)
    assert r.status == "paid" and r.paid_yuan == r.amount_yuan
    assert Payment.objects.count() == 1
    assert Account.objects.get(customer=r.customer).credit_yuan == Decimal("0.00")
