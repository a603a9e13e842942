"""Reversals: nothing happens without the head's approval, never by the requester, late ones flagged,
credit already used refused; the month close stops posting and reversing."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.models import Account, CollectionEvent, MonthClose, Payment
from gridcheck.collection.services.payments import payment_post
from gridcheck.collection.services.reversals import month_close, reversal_decide, reversal_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the msgids), whatever translations are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield


TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=TZ)


@pytest.fixture
def paid(county, issued):
    r = issued.receivables["east11"]
    payment = payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan=r.amount_yuan + Decimal("5.00"),
        channel="counter",
        idempotency_key="k1",
        received_at=at("2025-04-20"),
    )
    return payment, r


def _request(county, payment, day="2025-04-21", user="reader_east"):
    with mock.patch("django.utils.timezone.now", return_value=at(day)):
        return reversal_request(user=county.users[user], payment=payment, reason="收错户")


def test_a_request_alone_changes_no_balance(county, paid):
    payment, r = paid
    reversal = _request(county, payment)
    r.refresh_from_db()
    assert r.status == "paid"
    payment.refresh_from_db()
    assert payment.status == "reversal_pending"
    assert reversal.status == "pending" and not reversal.suspicious and reversal.days_after_receipt == 1
    assert Account.objects.get(customer=r.customer).credit_yuan == Decimal("5.00")


def test_a_reason_is_required(county, paid):
    with pytest.raises(ValidationError):
        reversal_request(user=county.users["reader_east"], payment=paid[0], reason="  ")


def test_requested_more_than_two_days_after_is_suspicious(county, paid):
    reversal = _request(county, paid[0], day="2025-04-23")
    assert reversal.suspicious and reversal.days_after_receipt == 3


def test_the_requester_cannot_approve(county, paid):
    reversal = _request(county, paid[0], user="head_east")
    with pytest.raises(PermissionDenied):
        reversal_decide(user=county.users["head_east"], reversal=reversal, approve=True, comment="")


def test_a_collector_cannot_approve(county, paid):
    reversal = _request(county, paid[0])
    with pytest.raises(PermissionDenied):
        reversal_decide(user=county.users["manager_east"], reversal=reversal, approve=True, comment="")


def test_approval_reopens_the_bill_and_takes_the_credit_back(county, paid):
    payment, r = paid
    reversal = _request(county, payment)
    reversal_decide(user=county.users["head_east"], reversal=reversal, approve=True, comment="核实")
    r.refresh_from_db()
    payment.refresh_from_db()
    assert r.status == "open" and r.paid_yuan == 0 and r.settled_on is None
    assert payment.status == "reversed"
    assert Account.objects.get(customer=r.customer).credit_yuan == 0
    kinds = set(CollectionEvent.objects.values_list("subject_type", "to_status"))
    assert (
        ("Reversal", "approved") in kinds
        and ("Payment", "reversed") in kinds
        and ("Receivable", "open") in kinds
    )


def test_rejection_needs_a_comment_and_restores_the_payment(county, paid):
    payment, _r = paid
    reversal = _request(county, payment)
    with pytest.raises(ValidationError):
        reversal_decide(user=county.users["head_east"], reversal=reversal, approve=False, comment="")
    reversal_decide(user=county.users["head_east"], reversal=reversal, approve=False, comment="理由不足")
    payment.refresh_from_db()
    assert payment.status == "posted"


def test_used_credit_refuses_the_reversal(county, paid):
    payment, r = paid
    reversal = _request(county, payment)
    Account.objects.filter(customer=r.customer).update(credit_yuan=Decimal("1.00"))
    with pytest.raises(ValidationError, match="already used"):
        reversal_decide(user=county.users["head_east"], reversal=reversal, approve=True, comment="")
    r.refresh_from_db()
    assert r.status == "paid"


def test_month_close_stops_posting_and_reversing(county, paid):
    payment, r = paid
    with mock.patch("django.utils.timezone.now", return_value=at("2025-05-02")):
        closed = month_close(
            user=county.users["auditor_east"],
            station=county.stations["east"],
            month=datetime.date(2025, 4, 1),
        )
        assert closed.month == datetime.date(2025, 4, 1)
        with pytest.raises(ValidationError, match="2025-04"):
            reversal_request(user=county.users["reader_east"], payment=payment, reason="错")
        with pytest.raises(ValidationError, match="2025-04"):
            payment_post(
                user=county.users["reader_east"],
                customer=issued_customer(county),
                amount_yuan="1.00",
                channel="counter",
                idempotency_key="late",
                received_at=at("2025-04-30"),
            )
        with pytest.raises(ValidationError):
            month_close(
                user=county.users["auditor_east"],
                station=county.stations["east"],
                month=datetime.date(2025, 4, 1),
            )
        with pytest.raises(ValidationError):
            month_close(
                user=county.users["auditor_east"],
                station=county.stations["east"],
                month=datetime.date(2025, 5, 1),
            )
    assert MonthClose.objects.count() == 1


def test_a_pending_reversal_in_the_month_blocks_the_close_and_a_closed_month_blocks_the_decision(
    county, paid
):
    payment, _r = paid
    reversal = _request(county, payment)
    with mock.patch("django.utils.timezone.now", return_value=at("2025-05-02")):
        with pytest.raises(ValidationError, match="await"):
            month_close(
                user=county.users["auditor_east"],
                station=county.stations["east"],
                month=datetime.date(2025, 4, 1),
            )
    MonthClose.objects.create(
        station=county.stations["east"], month=datetime.date(2025, 4, 1), closed_at=at("2025-05-02")
    )
    with pytest.raises(ValidationError, match="2025-04"):
        reversal_decide(user=county.users["head_east"], reversal=reversal, approve=True, comment="")
    assert Payment.objects.get(pk=payment.pk).status == "reversal_pending"


def test_a_collector_cannot_close_a_month(county, issued):
    with pytest.raises(PermissionDenied):
        month_close(
            user=county.users["reader_east"], station=county.stations["east"], month=datetime.date(2025, 4, 1)
        )


def issued_customer(county):
    return county.customers["east12"]
