"""The nightly late-fee accrual: each overdue receivable's fee to date, equal to the single-bill calculation."""

import datetime
from decimal import Decimal

import pytest

from gridcheck.collection.models import CollectionPolicy, Receivable
from gridcheck.collection.services.accrual import late_fees_accrue
from gridcheck.collection.tests.conftest import DUE

pytestmark = pytest.mark.django_db


def test_accrual_charges_each_overdue_bill_its_fee_to_date(issued):
    on = DUE + datetime.timedelta(days=11)  # 2025-05-04: overdue 04-24..05-03, 10 days
    result = late_fees_accrue(on=on)
    assert result["receivables"] == 4
    east11 = Receivable.objects.get(pk=issued.receivables["east11"].pk)  # residential: 1‰ a day
    expected = max((east11.amount_yuan * Decimal("0.001") * 10).quantize(Decimal("0.01")), Decimal("1.00"))
    assert east11.late_fee_accrued_yuan == expected
    assert east11.late_fee_accrued_on == on
    east12 = Receivable.objects.get(pk=issued.receivables["east12"].pk)  # commercial: 2‰ a day
    assert east12.late_fee_accrued_yuan == max(
        (east12.amount_yuan * Decimal("0.002") * 10).quantize(Decimal("0.01")), Decimal("1.00")
    )
    assert result["total_yuan"] == sum(r.late_fee_accrued_yuan for r in Receivable.objects.all())


def test_nothing_accrues_before_the_due_date_passes(issued):
    assert late_fees_accrue(on=DUE)["receivables"] == 0
    assert late_fees_accrue(on=DUE + datetime.timedelta(days=1))["receivables"] == 4
    assert set(Receivable.objects.values_list("late_fee_accrued_yuan", flat=True)) == {Decimal("0.00")}


def test_a_partly_paid_bill_accrues_on_its_balance_day_by_day(issued):
    receivable = Receivable.objects.get(pk=issued.receivables["east21"].pk)
    amount = receivable.amount_yuan
    # Half paid on 2025-04-29 (6 overdue days on the whole amount: 04-24..04-29 not incl. -> 5 days).
    from gridcheck.collection.models import Payment, PaymentAllocation

    half = (amount / 2).quantize(Decimal("0.01"))
    payment = Payment.objects.create(
        number="P1",
        idempotency_key="k1",
        customer=receivable.customer,
        station=receivable.station,
        area=receivable.area,
        channel="counter",
        amount_yuan=half,
        principal_yuan=half,
        received_at=datetime.datetime(2025, 4, 29, 9, tzinfo=datetime.UTC),
        received_on=datetime.date(2025, 4, 29),
    )
    PaymentAllocation.objects.create(payment=payment, receivable=receivable, principal_yuan=half)
    Receivable.objects.filter(pk=receivable.pk).update(paid_yuan=half)
    on = datetime.date(2025, 5, 4)
    late_fees_accrue(on=on)
    receivable.refresh_from_db()
    rate = Decimal("0.002")  # commercial, current year
    expected = (amount * rate * 5).quantize(Decimal("0.01")) + ((amount - half) * rate * 5).quantize(
        Decimal("0.01")
    )
    assert receivable.late_fee_accrued_yuan == max(expected, Decimal("1.00"))


def test_the_company_practice_decides_whether_the_payment_day_is_charged(county, issued):
    on = DUE + datetime.timedelta(days=11)
    CollectionPolicy.objects.create(company=county.company, count_payment_day=True)
    late_fees_accrue(on=on)
    east12 = Receivable.objects.get(pk=issued.receivables["east12"].pk)
    assert east12.late_fee_accrued_yuan == max(
        (east12.amount_yuan * Decimal("0.002") * 11).quantize(Decimal("0.01")), Decimal("1.00")
    )


def test_two_runs_in_one_transaction_give_the_same_figures(issued):
    on = DUE + datetime.timedelta(days=11)
    first = late_fees_accrue(on=on)
    second = late_fees_accrue(on=on)
    assert (second["receivables"], second["total_yuan"]) == (first["receivables"], first["total_yuan"])
