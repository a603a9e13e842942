"""Bank deposits, remittance, the daily cash report, reconciliation "receipts = deposits = books" and the
rural electricians' collections."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.models import BankDeposit
from gridcheck.collection.selectors.cash import daily_cash, reconciliation, rural_collections
from gridcheck.collection.services import cash
from gridcheck.collection.tests.test_cash_support import DAY, pay

pytestmark = pytest.mark.django_db


def _deposit(county, amount="200.00", slip="JK-0001", user="reader_east", collector="reader_east", day=DAY):
    return cash.deposit_record(
        user=county.users[user],
        collector=county.users[collector],
        collection_day=day,
        deposited_on=day,
        amount_yuan=amount,
        bank="农业银行示范县支行",
        slip_number=slip,
    )


def test_deposit_is_validated_and_a_slip_number_is_recorded_once(county):
    deposit = _deposit(county)
    assert deposit.station == county.stations["east"] and deposit.amount_yuan == Decimal("200.00")
    for amount in ("0", "-5.00", "12.345", "abc"):
        with pytest.raises(ValidationError) as error:
            _deposit(county, amount=amount, slip=f"JK-{amount}")
        assert "amount_yuan" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _deposit(county, slip="JK-0001")
    assert "JK-0001" in error.value.message_dict["slip_number"][0]
    with pytest.raises(ValidationError) as error:
        cash.deposit_record(
            user=county.users["reader_east"],
            collector=county.users["reader_east"],
            collection_day=DAY,
            deposited_on=DAY - datetime.timedelta(days=1),
            amount_yuan="1.00",
            bank="",
            slip_number="JK-9",
        )
    assert {"deposited_on", "bank"} <= set(error.value.message_dict)
    assert BankDeposit.objects.count() == 1


def test_a_collector_records_only_their_own_deposits_a_manager_anyones(county):
    with pytest.raises(PermissionDenied):
        _deposit(county, user="reader_east", collector="manager_east")
    _deposit(county, user="auditor_east", collector="manager_east", slip="JK-2")
    with pytest.raises(PermissionDenied):
        _deposit(county, user="inspector_west", collector="inspector_west", slip="JK-3")


def test_remittance_marks_deposits_once_by_a_manager(county):
    first, second = _deposit(county, slip="JK-1"), _deposit(county, slip="JK-2", amount="50.00")
    with pytest.raises(PermissionDenied):
        cash.deposits_remit(
            user=county.users["reader_east"], deposits=[first], remitted_on=DAY, reference="SJ-1"
        )
    with pytest.raises(ValidationError):
        cash.deposits_remit(
            user=county.users["auditor_east"], deposits=[first], remitted_on=DAY, reference=" "
        )
    assert (
        cash.deposits_remit(
            user=county.users["auditor_east"], deposits=[first, second], remitted_on=DAY, reference="SJ-1"
        )
        == 2
    )
    first.refresh_from_db()
    assert first.status == "remitted" and first.remittance_reference == "SJ-1"
    with pytest.raises(ValidationError):
        cash.deposits_remit(
            user=county.users["auditor_east"], deposits=[first], remitted_on=DAY, reference="SJ-2"
        )


def test_reconciliation_finds_a_collector_who_deposited_less_than_they_collected(county, issued):
    reader = county.users["reader_east"]
    r11, r12 = issued.receivables["east11"], issued.receivables["east12"]
    stock = cash.stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="A",
        first_number=1,
        last_number=50,
        holder=reader,
    )
    pay(county.customers["east11"], reader, "100.00", receivable=r11, stock=stock, number=1)
    pay(county.customers["east12"], reader, "200.00", receivable=r12, stock=stock, number=2)
    # Reversed and bank payments are no cash.
    pay(county.customers["east12"], reader, "999.00", status="reversed", stock=stock, number=3)
    pay(county.customers["east12"], None, "77.00", channel="bank_withholding")
    _deposit(county, amount="200.00")
    result = reconciliation(county.stations["east"], DAY, DAY)
    [row] = result.rows
    assert row["collector"] == reader and row["day"] == DAY
    assert (row["cash_yuan"], row["receipts_yuan"], row["books_yuan"], row["deposits_yuan"]) == (
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("200.00"),
    )
    [difference] = result.differences
    assert difference["check"] == "deposits_yuan"
    assert difference["difference_yuan"] == Decimal("-100.00")
    assert difference["collector"] == reader and difference["day"] == DAY
    assert not result.balanced

    # The missing 100.00 is deposited: no difference left.
    _deposit(county, amount="100.00", slip="JK-0002")
    result = reconciliation(county.stations["east"], DAY, DAY)
    assert result.balanced and result.differences == []
    assert result.totals["cash_yuan"] == result.totals["deposits_yuan"] == Decimal("300.00")
    assert result.unremitted_yuan == Decimal("300.00") and result.remitted_yuan == Decimal("0.00")


def test_reconciliation_lists_cash_without_receipt_and_books_that_differ(county, issued):
    reader = county.users["reader_east"]
    pay(county.customers["east11"], reader, "50.00", receivable=issued.receivables["east11"])
    pay(county.customers["east12"], reader, "30.00", book=False)  # nothing in the books
    _deposit(county, amount="80.00")
    result = reconciliation(county.stations["east"], DAY, DAY)
    gaps = {d["check"]: d["difference_yuan"] for d in result.differences}
    assert gaps == {"receipts_yuan": Decimal("-80.00"), "books_yuan": Decimal("-30.00")}


def test_reconciliation_of_a_west_user_shows_nothing_of_east(county, issued):
    reader = county.users["reader_east"]
    pay(county.customers["east11"], reader, "50.00", receivable=issued.receivables["east11"])
    result = reconciliation(county.stations["east"], DAY, DAY, user=county.users["inspector_west"])
    assert result.rows == []


def test_daily_cash_report_by_collector_and_channel(county, issued):
    reader, manager = county.users["reader_east"], county.users["manager_east"]
    stock = cash.stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="A",
        first_number=1,
        last_number=50,
        holder=reader,
    )
    pay(county.customers["east11"], reader, "100.00", stock=stock, number=1)
    pay(county.customers["east12"], reader, "20.00", stock=stock, number=2, status="reversed")
    pay(county.customers["east11"], manager, "35.50", channel="rural_electrician")
    pay(county.customers["east11"], reader, "5.00", day=DAY + datetime.timedelta(days=1))
    _deposit(county, amount="100.00")
    report = daily_cash(user=county.users["head_east"], day=DAY)
    rows = {r.collector.username: r for r in report.collectors}
    assert set(rows) == {"reader_east", "manager_east"}
    r = rows["reader_east"]
    assert [(c["channel"], c["count"], c["amount_yuan"]) for c in r.channels] == [
        ("counter", 2, Decimal("120.00"))
    ]
    assert (r.reversed_count, r.reversed_yuan, r.net_yuan) == (1, Decimal("20.00"), Decimal("100.00"))
    assert r.receipts == ["00000001", "00000002"] and r.deposited_yuan == Decimal("100.00")
    assert report.totals["net_yuan"] == Decimal("135.50")
    # The area manager sees only payments in their areas.
    mine = daily_cash(user=manager, day=DAY)
    assert {r.collector.username for r in mine.collectors} >= {"manager_east"}


def test_rural_electrician_collections_against_bills_and_deposits(county, issued):
    manager = county.users["manager_east"]
    r11, r12 = issued.receivables["east11"], issued.receivables["east12"]
    billed = r11.amount_yuan + r12.amount_yuan
    pay(
        county.customers["east11"], manager, str(r11.amount_yuan), receivable=r11, channel="rural_electrician"
    )
    pay(county.customers["east12"], county.users["reader_east"], "10.00", receivable=r12)
    _deposit(county, user="manager_east", collector="manager_east", amount="20.00", slip="JK-RE")
    report = rural_collections(
        user=county.users["head_east"], station=county.stations["east"], period=issued.cycle.period
    )
    [row] = report.rows
    assert row["electrician"] == manager
    assert [a.code for a in row["areas"]] == ["S01-A1"]
    assert row["billed_yuan"] == billed
    assert row["paid_by_them_yuan"] == r11.amount_yuan
    assert row["paid_by_others_yuan"] == Decimal("10.00")
    assert row["outstanding_yuan"] == billed - r11.amount_yuan - Decimal("10.00")
    assert row["collected_yuan"] == r11.amount_yuan
    assert row["deposited_yuan"] == Decimal("20.00")
    assert row["undeposited_yuan"] == r11.amount_yuan - Decimal("20.00")
    assert report.totals["billed_yuan"] == billed
    west = rural_collections(
        user=county.users["inspector_west"], station=county.stations["east"], period=issued.cycle.period
    )
    assert west.rows == []
