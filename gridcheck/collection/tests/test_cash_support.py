"""Helpers of the cash tests (no tests here): payments written as the payment service leaves them."""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridcheck.collection.models import Payment, PaymentAllocation

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2025, 4, 10)
_serial = itertools.count(1)


def pay(
    customer,
    collector,
    amount,
    *,
    day=DAY,
    channel="counter",
    receivable=None,
    stock=None,
    number=None,
    status="posted",
    book=True,
):
    """A posted payment of ``amount`` yuan by ``collector``; with ``book`` its allocation (or credit)."""
    n = next(_serial)
    amount = Decimal(amount)
    payment = Payment.objects.create(
        number=f"JFT{n:08d}",
        idempotency_key=f"test-cash-{n}",
        customer=customer,
        station_id=customer.station_id,
        area_id=customer.area_id,
        channel=channel,
        amount_yuan=amount,
        principal_yuan=amount if (book and receivable is not None) else Decimal("0.00"),
        credit_yuan=amount if (book and receivable is None) else Decimal("0.00"),
        received_at=datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SHANGHAI),
        received_on=day,
        collector=collector,
        receipt_stock=stock,
        receipt_number=f"{number:08d}" if number is not None else "",
        status=status,
    )
    if book and receivable is not None:
        PaymentAllocation.objects.create(payment=payment, receivable=receivable, principal_yuan=amount)
        if status != "reversed":
            receivable.paid_yuan += amount
            receivable.save(update_fields=["paid_yuan"])
    return payment
