"""Receipt and invoice stock: issue without overlaps, cancellation checked by another, return, destruction
approved from above only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.models import CollectionEvent, ReceiptStock
from gridcheck.collection.selectors.cash import collector_stock, stock_counts, stock_usable_numbers
from gridcheck.collection.services import cash
from gridcheck.collection.tests.test_cash_support import pay

pytestmark = pytest.mark.django_db


def _issue(county, first=1, last=50, series="A", holder="reader_east", kind="receipt"):
    return cash.stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind=kind,
        series=series,
        first_number=first,
        last_number=last,
        holder=county.users[holder],
    )


def test_issue_records_who_and_refuses_overlapping_ranges_of_the_same_kind_and_series(county):
    stock = _issue(county)
    assert stock.holder == county.users["reader_east"] and stock.issued_by == county.users["auditor_east"]
    assert CollectionEvent.objects.filter(subject_type="ReceiptStock", subject_id=stock.pk).exists()
    with pytest.raises(ValidationError) as error:
        _issue(county, first=40, last=60)
    assert "overlap" in str(error.value) or "重叠" in str(error.value)
    with pytest.raises(ValidationError):
        _issue(county, first=50, last=50)
    # Another series, another kind, or the numbers after: fine.
    _issue(county, first=40, last=60, series="B")
    _issue(county, first=40, last=60, kind="invoice")
    _issue(county, first=51, last=100)
    assert ReceiptStock.objects.count() == 4


def test_issue_is_for_managers_and_collectors_of_the_station(county):
    with pytest.raises(PermissionDenied):
        cash.stock_issue(
            user=county.users["reader_east"],
            station=county.stations["east"],
            kind="receipt",
            series="A",
            first_number=1,
            last_number=10,
            holder=county.users["reader_east"],
        )
    with pytest.raises(ValidationError) as error:
        _issue(county, holder="inspector_east")
    assert "holder" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _issue(county, first=10, last=5)
    assert "last_number" in error.value.message_dict


def test_next_number_skips_used_and_cancelled_numbers(county, issued):
    stock = _issue(county, first=1, last=5)
    reader = county.users["reader_east"]
    assert cash.stock_next_number(stock) == 1
    pay(county.customers["east11"], reader, "10.00", stock=stock, number=1)
    cash.receipt_cancel(user=reader, stock=stock, number=2, reason="打印错位")
    assert cash.stock_next_number(stock) == 3
    assert stock_usable_numbers(stock) == [3, 4, 5]
    assert stock_counts(stock) == {"total": 5, "used": 1, "cancelled": 1, "pending": 1, "unused": 3}
    [row] = collector_stock(reader, reader)
    assert row["next_number"] == 3


def test_cancellation_by_the_holder_stays_pending_until_someone_else_checks_it(county, issued):
    stock = _issue(county)
    reader = county.users["reader_east"]
    with pytest.raises(ValidationError) as error:
        cash.receipt_cancel(user=reader, stock=stock, number=3, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):  # not the holder
        cash.receipt_cancel(user=county.users["manager_east"], stock=stock, number=3, reason="污损")
    pay(county.customers["east11"], reader, "10.00", stock=stock, number=4)
    with pytest.raises(ValidationError):  # on a payment
        cash.receipt_cancel(user=reader, stock=stock, number=4, reason="污损")
    with pytest.raises(ValidationError):  # not in the stock
        cash.receipt_cancel(user=reader, stock=stock, number=99, reason="污损")
    cancellation = cash.receipt_cancel(user=reader, stock=stock, number=3, reason="污损")
    assert cancellation.status == "pending"
    with pytest.raises(ValidationError):
        cash.receipt_cancel(user=reader, stock=stock, number=3, reason="again")
    # The collector cannot check it (no right, and never their own even with one).
    with pytest.raises(PermissionDenied):
        cash.receipt_cancellation_check(user=reader, cancellation=cancellation, approve=True)
    cancellation.refresh_from_db()
    assert cancellation.status == "pending" and cancellation.checked_by is None
    # A rejection needs a comment; then the auditor approves.
    with pytest.raises(ValidationError):
        cash.receipt_cancellation_check(
            user=county.users["auditor_east"], cancellation=cancellation, approve=False
        )
    cash.receipt_cancellation_check(
        user=county.users["auditor_east"], cancellation=cancellation, approve=True, comment="原件两联齐全"
    )
    cancellation.refresh_from_db()
    assert cancellation.status == "approved" and cancellation.checked_by == county.users["auditor_east"]


def test_a_manager_holding_stock_never_checks_their_own_cancellation(county):
    stock = _issue(county, holder="head_east")
    cancellation = cash.receipt_cancel(user=county.users["head_east"], stock=stock, number=1, reason="污损")
    with pytest.raises(PermissionDenied):
        cash.receipt_cancellation_check(
            user=county.users["head_east"], cancellation=cancellation, approve=True
        )
    assert cancellation.status == "pending"


def test_return_is_checked_by_another_and_counts_the_numbers(county, issued):
    stock = _issue(county, first=1, last=10)
    reader, auditor = county.users["reader_east"], county.users["auditor_east"]
    pay(county.customers["east11"], reader, "10.00", stock=stock, number=1)
    pay(county.customers["east12"], reader, "20.00", stock=stock, number=2)
    cancellation = cash.receipt_cancel(user=reader, stock=stock, number=3, reason="污损")
    with pytest.raises(ValidationError):  # pending cancellation first
        cash.stock_return(user=auditor, stock=stock)
    cash.receipt_cancellation_check(user=auditor, cancellation=cancellation, approve=True)
    held = _issue(county, first=1, last=10, series="H", holder="head_east")
    with pytest.raises(PermissionDenied):
        cash.stock_return(user=county.users["head_east"], stock=held)
    counts = cash.stock_return(user=auditor, stock=stock)
    assert counts == {"total": 10, "used": 2, "cancelled": 1, "pending": 0, "unused": 7}
    stock.refresh_from_db()
    assert stock.status == "returned" and stock.checked_by == auditor
    assert cash.stock_next_number(stock) is None


def test_destruction_only_with_approval_from_above_never_by_the_requester(county):
    stock = _issue(county)
    auditor, head, admin = county.users["auditor_east"], county.users["head_east"], county.users["admin"]
    with pytest.raises(ValidationError):  # not returned yet
        cash.stock_destroy_request(user=auditor, stock=stock, reason="保管期满")
    cash.stock_return(user=auditor, stock=stock)
    cash.stock_destroy_request(user=auditor, stock=stock, reason="保管期满")
    stock.refresh_from_db()
    assert stock.status == "destroy_pending"
    # The station head is not "above": approve_county is for county-level users only.
    with pytest.raises(PermissionDenied):
        cash.stock_destroy_approve(user=head, stock=stock)
    with pytest.raises(PermissionDenied):
        cash.stock_destroy_approve(user=auditor, stock=stock)
    stock.refresh_from_db()
    assert stock.status == "destroy_pending"
    cash.stock_destroy_approve(user=admin, stock=stock, comment="同意销毁")
    stock.refresh_from_db()
    assert stock.status == "destroyed" and stock.destroy_approved_by == admin and stock.destroyed_at


def test_county_requester_cannot_approve_their_own_destruction(county):
    from gridcheck.users.models import User

    stock = _issue(county)
    admin = county.users["admin"]
    cash.stock_return(user=county.users["auditor_east"], stock=stock)
    cash.stock_destroy_request(user=admin, stock=stock, reason="保管期满")
    with pytest.raises(PermissionDenied):
        cash.stock_destroy_approve(user=admin, stock=stock)
    other = User.objects.create_user(username="admin2", password="x", role="administrator")
    with pytest.raises(ValidationError):
        cash.stock_destroy_approve(user=other, stock=stock, approve=False)
    cash.stock_destroy_approve(user=other, stock=stock, approve=False, comment="尚在保管期")
    stock.refresh_from_db()
    assert stock.status == "returned" and stock.destroy_requested_by is None


def test_west_cannot_touch_east_stock(county):
    from gridcheck.users.models import User

    stock = _issue(county)
    west_auditor = User.objects.create_user(
        username="auditor_west", password="x", role="auditor", station=county.stations["west"]
    )
    with pytest.raises(PermissionDenied):
        cash.stock_return(user=west_auditor, stock=stock)
    with pytest.raises(PermissionDenied):
        cash.stock_issue(
            user=west_auditor,
            station=county.stations["east"],
            kind="receipt",
            series="Z",
            first_number=1,
            last_number=5,
            holder=county.users["reader_east"],
        )
