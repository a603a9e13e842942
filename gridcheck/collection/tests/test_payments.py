"""Posting payments: allocation oldest first, partial, overpayment and top-up to credit, late fees, idempotency,
bad amounts, closed months, scope."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.models import Account, MonthClose, Payment, PaymentAllocation, Receivable
from gridcheck.collection.services.payments import payment_post
from gridcheck.collection.tests.conftest import DUE

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


def pay(county, customer, amount, key, *, day="2025-04-20", user="reader_east", **kwargs):
    return payment_post(
        user=county.users[user],
        customer=customer,
        amount_yuan=amount,
        channel=kwargs.pop("channel", "counter"),
        idempotency_key=key,
        received_at=at(day),
        **kwargs,
    )


@pytest.fixture
def second_bill(county, issued):
    """A second (older) open receivable of east11: a copy of the March bill's receivable due earlier."""
    from gridcheck.billing.models import Bill

    bill = issued.bills["east11"]
    old = Bill.objects.get(pk=bill.pk)
    old.pk = None
    old.number = bill.number + "-02"
    old.period = datetime.date(2025, 2, 1)
    old.save()
    r = Receivable.objects.create(
        bill=old,
        customer=bill.customer,
        station_id=bill.station_id,
        area_id=bill.area_id,
        period=old.period,
        issued_on=datetime.date(2025, 3, 8),
        due_date=datetime.date(2025, 3, 23),
        residential=True,
        amount_yuan=Decimal("30.00"),
    )
    return r


def test_a_full_payment_on_time_settles_the_bill_without_fee(county, issued):
    r = issued.receivables["east11"]
    payment = pay(county, r.customer, r.amount_yuan, "k1")
    r.refresh_from_db()
    assert r.status == "paid" and r.paid_yuan == r.amount_yuan and r.settled_on == datetime.date(2025, 4, 20)
    assert payment.principal_yuan == r.amount_yuan and payment.late_fee_yuan == 0 and payment.credit_yuan == 0
    assert payment.number.startswith("JF20250420") and payment.receipt_number.startswith("DZ")
    assert payment.collector == county.users["reader_east"]
    assert payment.received_on == datetime.date(2025, 4, 20)


def test_a_partial_payment_leaves_the_balance_open(county, issued):
    r = issued.receivables["east12"]
    pay(county, r.customer, "10.00", "k1")
    r.refresh_from_db()
    assert r.status == "open" and r.paid_yuan == Decimal("10.00")
    assert r.balance_yuan == r.amount_yuan - Decimal("10.00")


def test_allocation_is_oldest_due_first(county, issued, second_bill):
    r = issued.receivables["east11"]
    payment = pay(county, r.customer, "40.00", "k1", day="2025-03-20")
    second_bill.refresh_from_db()
    r.refresh_from_db()
    assert second_bill.status == "paid"
    assert r.paid_yuan == Decimal("10.00")
    assert [a.receivable_id for a in payment.allocations.order_by("pk")] == [second_bill.pk, r.pk]


def test_an_overpayment_is_kept_as_credit(county, issued):
    r = issued.receivables["east11"]
    payment = pay(county, r.customer, r.amount_yuan + Decimal("20.50"), "k1")
    assert payment.credit_yuan == Decimal("20.50")
    assert Account.objects.get(customer=r.customer).credit_yuan == Decimal("20.50")


def test_late_fee_hand_computed_east11_paid_on_2025_05_03(county, issued):
    """Due 2025-04-23, paid 2025-05-03: overdue 04-24..05-02 = 9 days x 1 permille, 1 yuan minimum."""
    r = issued.receivables["east11"]
    expected = max(
        (r.amount_yuan * Decimal("0.001") * 9).quantize(Decimal("0.01"), ROUND_HALF_UP), Decimal("1")
    )
    payment = pay(county, r.customer, r.amount_yuan + expected, "k1", day="2025-05-03")
    r.refresh_from_db()
    assert payment.late_fee_yuan == expected
    assert payment.credit_yuan == 0
    assert r.status == "paid" and r.late_fee_paid_yuan == expected == r.late_fee_accrued_yuan
    allocation = PaymentAllocation.objects.get(payment=payment)
    assert allocation.late_fee_yuan == expected
    items = {i["key"]: i for i in allocation.late_fee_calculation["items"]}
    assert items["fee_1_yuan"]["inputs"]["days"] in (9, "9")
    assert DUE == datetime.date(2025, 4, 23)


def test_late_fee_of_a_commercial_bill_2_permille(county, issued):
    r = issued.receivables["east12"]
    days = 9
    expected = max(
        (r.amount_yuan * Decimal("0.002") * days).quantize(Decimal("0.01"), ROUND_HALF_UP), Decimal("1")
    )
    payment = pay(county, r.customer, r.amount_yuan + expected + 5, "k1", day="2025-05-03")
    assert payment.late_fee_yuan == expected
    assert payment.credit_yuan == Decimal("5.00")


def test_a_late_partial_payment_carries_no_fee_the_clearing_one_does(county, issued):
    r = issued.receivables["east12"]
    first = pay(county, r.customer, "100.00", "k1", day="2025-04-28")
    assert first.late_fee_yuan == 0
    rest = r.amount_yuan - Decimal("100.00")
    # 04-24..04-27 on the whole amount, 04-28..05-02 on the rest: 2 permille a day.
    fee = (r.amount_yuan * Decimal("0.002") * 4).quantize(Decimal("0.01"), ROUND_HALF_UP) + (
        rest * Decimal("0.002") * 5
    ).quantize(Decimal("0.01"), ROUND_HALF_UP)
    fee = max(fee, Decimal("1.00"))
    second = pay(county, r.customer, rest + fee, "k2", day="2025-05-03")
    assert second.late_fee_yuan == fee
    r.refresh_from_db()
    assert r.status == "paid"


def test_money_short_of_the_fee_pays_the_principal_and_the_fee_stays_owed(county, issued):
    r = issued.receivables["east12"]
    first = pay(county, r.customer, r.amount_yuan, "k1", day="2025-05-03")
    r.refresh_from_db()
    assert first.principal_yuan == r.amount_yuan and first.late_fee_yuan == 0
    assert r.status == "open" and r.balance_yuan == 0 and r.late_fee_accrued_yuan > 0
    owed = r.late_fee_accrued_yuan
    second = pay(county, r.customer, owed, "k2", day="2025-05-10")
    r.refresh_from_db()
    assert second.late_fee_yuan == owed and second.principal_yuan == 0
    assert r.status == "paid"


def test_the_same_key_twice_pays_once(county, issued):
    r = issued.receivables["east11"]
    one = pay(county, r.customer, "10.00", "same-key")
    two = pay(county, r.customer, "10.00", "same-key")
    assert one.pk == two.pk
    assert Payment.objects.count() == 1
    r.refresh_from_db()
    assert r.paid_yuan == Decimal("10.00")


def test_the_same_key_with_another_amount_is_refused(county, issued):
    r = issued.receivables["east11"]
    pay(county, r.customer, "10.00", "same-key")
    with pytest.raises(ValidationError) as error:
        pay(county, r.customer, "11.00", "same-key")
    assert "same-key" not in str(error.value) and "10.00" in str(error.value)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["-5", "0", "10.001", "abc"])
def test_bad_amounts_are_refused(county, issued, amount):
    r = issued.receivables["east11"]
    with pytest.raises(ValidationError) as error:
        pay(county, r.customer, amount, "k1")
    assert "amount_yuan" in error.value.message_dict
    assert Payment.objects.count() == 0


def test_a_closed_month_is_refused(county, issued):
    r = issued.receivables["east11"]
    MonthClose.objects.create(
        station=county.stations["east"], month=datetime.date(2025, 4, 1), closed_at=at("2025-05-01")
    )
    with pytest.raises(ValidationError, match="2025-04"):
        pay(county, r.customer, "10.00", "k1")
    assert Payment.objects.count() == 0


def test_a_payment_is_written_once_with_its_figures_and_the_bill_it_settles(county, issued):
    from gridcheck.collection.models import CollectionEvent

    r = issued.receivables["east11"]
    payment = pay(county, r.customer, r.amount_yuan + Decimal("3.00"), "k1")
    history = list(payment.history.all())
    assert len(history) == 1 and history[0].history_type == "+"
    assert (history[0].principal_yuan, history[0].credit_yuan) == (r.amount_yuan, Decimal("3.00"))
    assert payment.receipt_number == "DZ" + payment.number[2:] == history[0].receipt_number
    settled = CollectionEvent.objects.get(subject_type="Receivable", subject_id=r.pk)
    assert (settled.from_status, settled.to_status, settled.note) == ("open", "paid", payment.number)
    allocation = PaymentAllocation.objects.get(payment=payment)
    assert (allocation.receivable_id, allocation.principal_yuan) == (r.pk, r.amount_yuan)


def test_a_key_sent_again_after_its_month_closed_returns_its_payment(county, issued):
    r = issued.receivables["east11"]
    first = pay(county, r.customer, "10.00", "k1")
    MonthClose.objects.create(
        station=county.stations["east"], month=datetime.date(2025, 4, 1), closed_at=at("2025-05-01")
    )
    assert pay(county, r.customer, "10.00", "k1") == first
    with pytest.raises(ValidationError, match="2025-04"):
        pay(county, r.customer, "10.00", "k2")
    assert Payment.objects.count() == 1


def test_a_receipt_number_is_used_once_per_station_until_its_payment_is_reversed(county, issued):
    r = issued.receivables["east11"]
    first = pay(county, r.customer, "10.00", "k1", receipt_number="A00000001")
    with pytest.raises(ValidationError, match="A00000001") as error:
        pay(county, r.customer, "10.00", "k2", receipt_number="A00000001")
    assert "receipt_number" in error.value.message_dict
    assert pay(county, r.customer, "10.00", "k3", receipt_number="A00000002").receipt_number == "A00000002"
    Payment.objects.filter(pk=first.pk).update(status="reversed")
    assert pay(county, r.customer, "10.00", "k4", receipt_number="A00000001").receipt_number == "A00000001"


def test_the_company_practice_counts_the_payment_day_of_a_late_payment(county, issued):
    """Paid 2025-05-03 on a bill due 2025-04-23: 9 days by the rule table, 10 when the company counts the
    payment day too (``CollectionPolicy.count_payment_day``)."""
    from gridcheck.collection.models import CollectionPolicy

    CollectionPolicy.objects.create(company=county.company, count_payment_day=True)
    r = issued.receivables["east11"]
    expected = max(
        (r.amount_yuan * Decimal("0.001") * 10).quantize(Decimal("0.01"), ROUND_HALF_UP), Decimal("1")
    )
    payment = pay(county, r.customer, r.amount_yuan + 50, "k1", day="2025-05-03")
    assert payment.late_fee_yuan == expected
    assert payment.credit_yuan == Decimal(50) - expected


def test_a_west_collector_cannot_pay_an_east_customer(county, issued, reader_west):
    r = issued.receivables["east11"]
    with pytest.raises(PermissionDenied):
        payment_post(
            user=reader_west,
            customer=r.customer,
            amount_yuan="10",
            channel="counter",
            idempotency_key="k1",
            received_at=at("2025-04-20"),
        )
    assert Payment.objects.count() == 0


def test_an_inspector_cannot_take_payments(county, issued):
    r = issued.receivables["east11"]
    with pytest.raises(PermissionDenied):
        pay(county, r.customer, "10", "k1", user="inspector_east")


def test_a_changed_balance_is_refused_with_who_paid(county, issued):
    r = issued.receivables["east11"]
    seen = r.balance_yuan
    pay(county, r.customer, r.amount_yuan, "k1", expected_balance_yuan=seen)
    with pytest.raises(ValidationError, match="reader_east") as error:
        pay(county, r.customer, r.amount_yuan, "k2", user="manager_east", expected_balance_yuan=seen)
    assert "0.00" in str(error.value)
    assert Payment.objects.count() == 1


def test_a_top_up_goes_to_credit_and_pays_the_next_bill(county, book, read_march):
    from gridcheck.billing import services as billing
    from gridcheck.collection.services.receivables import accounts_ensure

    customer = county.customers["east11"]
    accounts_ensure([customer])
    Account.objects.filter(customer=customer).update(is_prepaid=True)
    with mock.patch("django.utils.timezone.now", return_value=at("2025-04-01")):
        top_up = payment_post(
            user=county.users["reader_east"],
            customer=customer,
            amount_yuan="500.00",
            channel="counter",
            idempotency_key="top",
            kind="top_up",
        )
    assert top_up.credit_yuan == Decimal("500.00")
    assert Account.objects.get(customer=customer).credit_yuan == Decimal("500.00")
    read_march()
    billing.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    for bill in book.cycle.bills.all():
        billing.bill_check(user=county.users["head_east"], bill=bill)
    with mock.patch("django.utils.timezone.now", return_value=at("2025-04-08")):
        billing.cycle_issue(user=county.users["head_east"], cycle=book.cycle)
    r = Receivable.objects.get(customer=customer)
    assert r.status == "paid" and r.paid_yuan == r.amount_yuan
    top_up.refresh_from_db()
    assert top_up.principal_yuan == r.amount_yuan
    assert top_up.credit_yuan == Decimal("500.00") - r.amount_yuan
    assert Account.objects.get(customer=customer).credit_yuan == top_up.credit_yuan
    assert PaymentAllocation.objects.filter(payment=top_up, receivable=r).exists()


@pytest.fixture
def reader_west(county):
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    return User.objects.create_user(
        username="reader_west",
        password="x-pw-12345!",
        role=Role.METER_READER,
        station=county.stations["west"],
    )
