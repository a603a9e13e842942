"""Issued bills become receivables (once), due by the rule; approved refunds and back-bills follow."""

from decimal import Decimal

import pytest

from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401
from gridcheck.collection.models import Account, Receivable
from gridcheck.collection.tests.conftest import DUE

pytestmark = pytest.mark.django_db


def test_each_issued_bill_is_one_open_receivable_due_by_the_rule(issued):
    assert set(issued.receivables) == set(issued.bills)
    for key, receivable in issued.receivables.items():
        bill = issued.bills[key]
        assert receivable.amount_yuan == bill.total_yuan > 0
        assert receivable.due_date == DUE
        assert receivable.status == "open"
        assert receivable.balance_yuan == bill.total_yuan
        assert receivable.residential == (key.endswith("1"))
    assert Account.objects.count() == len(issued.bills)


def test_creating_receivables_twice_creates_none_more(issued):
    from gridcheck.collection.services.receivables import receivables_create

    assert receivables_create(bill_ids=[b.pk for b in issued.bills.values()]) == 0
    assert Receivable.objects.count() == len(issued.bills)


def test_an_approved_refund_lowers_the_receivable(county, issued):
    from gridcheck.billing import services as billing

    bill = issued.bills["east11"]
    adjustment = billing.adjustment_prepare(
        user=county.users["auditor_east"],
        bill=bill,
        kind="correction",
        reason="抄表错误",
        inputs={"energies": {"total": "100"}},
    )
    assert adjustment.amount_yuan < 0
    billing.adjustment_decide(user=county.users["head_east"], adjustment=adjustment, approve=True)
    receivable = Receivable.objects.get(bill=bill)
    assert receivable.amount_yuan == bill.total_yuan + adjustment.amount_yuan
    assert receivable.amount_yuan == Decimal("56.00")


def test_bills_cannot_be_issued_in_the_future(county, book, read_march):  # noqa: F811
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from gridcheck.billing import services as billing

    read_march()
    billing.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    for bill in book.cycle.bills.all():
        billing.bill_check(user=county.users["head_east"], bill=bill)
    with pytest.raises(ValidationError):
        billing.cycle_issue(
            user=county.users["head_east"],
            cycle=book.cycle,
            issued_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert not Receivable.objects.exists()
