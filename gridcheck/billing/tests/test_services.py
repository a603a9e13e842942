"""Reading books, readings, bill runs, checks, refunds and category changes through the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.billing import services
from gridcheck.billing.choices import BillStatus, ChangeStatus, ReviewFlag
from gridcheck.billing.models import Bill, BillingEvent, BookChange


def test_bill_run_computes_each_customer_and_is_idempotent(county, book, read_march):
    read_march()
    auditor = county.users["auditor_east"]
    counts = services.cycle_bill(user=auditor, cycle=book.cycle)
    assert counts["created"] == 4
    # Residential, flat 0.56: 150 kWh x 0.56 = 84.00.
    bill = Bill.objects.get(customer=county.customers["east11"])
    assert bill.energy_kwh == Decimal("150")
    assert bill.total_yuan == Decimal("84.00")
    # Commercial, CT 40: (212.50 - 200.00) x 40 = 500 kWh x 0.65 = 325.00; plus the renewable surcharge
    # 500 x 0.019 = 9.50 (general tariff): 334.50.
    bill = Bill.objects.get(customer=county.customers["east12"])
    assert bill.energy_kwh == Decimal("500")
    assert bill.energy_charge_yuan == Decimal("325.00")
    assert bill.funds_yuan == Decimal("9.50")
    assert bill.total_yuan == Decimal("334.50")
    again = services.cycle_bill(user=auditor, cycle=book.cycle)
    assert again == {"created": 0, "updated": 4, "kept": 0, "flagged": again["flagged"]}
    assert Bill.objects.count() == 4


def test_register_going_backwards_is_refused_with_the_customer_named(county, book):
    meter = book.meters["east11"]
    with pytest.raises(ValidationError) as info:
        services.reading_enter(
            user=county.users["reader_east"], cycle=book.cycle, meter=meter, total=Decimal("999")
        )
    message = str(info.value)
    assert county.customers["east11"].account_number in message
    assert "总示数" in message


def test_missing_reading_refuses_the_whole_run(county, book, read_march):
    read_march()
    book.cycle.readings.filter(meter=book.meters["east22"]).delete()
    with pytest.raises(services.BillRunError) as info:
        services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    assert any(county.customers["east22"].account_number in e for e in info.value.errors)
    assert not Bill.objects.exists()


def test_preparer_never_checks_and_flagged_bills_need_a_note(county, book, read_march):
    read_march(east21="5100.00")
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east11"])
    with pytest.raises(PermissionDenied):
        services.bill_check(user=auditor, bill=bill)
    services.bill_check(user=head, bill=bill)
    bill.refresh_from_db()
    assert bill.status == BillStatus.CHECKED and bill.checked_by == head
    assert BillingEvent.objects.filter(subject_type="Bill", subject_id=bill.pk, to_status="checked").exists()


def test_review_list_flags_a_large_change_against_last_month(county, book, read_march):
    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    for bill in Bill.objects.all():
        services.bill_check(user=head, bill=bill, note="核对无误")
    services.cycle_issue(user=head, cycle=book.cycle)
    april = services.cycle_open(user=auditor, book=book.book, period=datetime.date(2025, 4, 1))
    totals = {"east11": "1450.00", "east12": "225.00", "east21": "5200.00", "east22": "320.00"}
    for key, meter in book.meters.items():
        services.reading_enter(
            user=county.users["reader_east"], cycle=april, meter=meter, total=Decimal(totals[key])
        )
    services.cycle_bill(user=auditor, cycle=april)
    flagged = Bill.objects.get(customer=county.customers["east11"], period=datetime.date(2025, 4, 1))
    # 300 kWh against 150 kWh: +100 % > 50 %.
    assert ReviewFlag.CHANGE_LAST_MONTH in flagged.review_flags
    with pytest.raises(ValidationError):
        services.bill_check(user=head, bill=flagged)
    steady = Bill.objects.get(customer=county.customers["east21"], period=datetime.date(2025, 4, 1))
    assert steady.review_flags == []


def test_refund_approved_by_the_head_never_by_its_preparer(county, book, read_march):
    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    for bill in Bill.objects.all():
        services.bill_check(user=head, bill=bill, note="核对无误")
    services.cycle_issue(user=head, cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east11"])
    adjustment = services.adjustment_prepare(
        user=head,
        bill=bill,
        kind="correction",
        reason="抄表错误，实际示数1120",
        inputs={"energies": {"total": 120}},
    )
    # 120 kWh x 0.56 = 67.20; the bill was 84.00: refund 16.80.
    assert adjustment.amount_yuan == Decimal("-16.80")
    with pytest.raises(PermissionDenied):
        services.adjustment_decide(user=head, adjustment=adjustment, approve=True)
    with pytest.raises(PermissionDenied):
        services.adjustment_decide(user=auditor, adjustment=adjustment, approve=True)
    admin = county.users["admin"]
    services.adjustment_decide(user=admin, adjustment=adjustment, approve=True)
    bill.refresh_from_db()
    assert bill.status == BillStatus.ADJUSTED
    assert bill.adjusted_total_yuan == Decimal("67.20")


def test_category_change_goes_through_check_and_approval(county):
    customer = county.customers["east12"]
    auditor, head, admin = county.users["auditor_east"], county.users["head_east"], county.users["admin"]
    change = services.category_change_apply(
        user=auditor,
        customer=customer,
        new_tariff_code="RES-1",
        effective_on=datetime.date(2025, 5, 1),
        reason="改为居民自用",
    )
    with pytest.raises(PermissionDenied):
        services.category_change_check(user=auditor, change=change)
    services.category_change_check(user=head, change=change)
    with pytest.raises(PermissionDenied):
        services.category_change_decide(user=head, change=change, approve=True)
    services.category_change_decide(user=admin, change=change, approve=True)
    customer.refresh_from_db()
    assert customer.tariff_code == "RES-1"


def test_unknown_tariff_is_refused_for_a_category_change(county):
    with pytest.raises(ValidationError) as info:
        services.category_change_apply(
            user=county.users["auditor_east"],
            customer=county.customers["east12"],
            new_tariff_code="NOPE",
            effective_on=datetime.date(2025, 5, 1),
            reason="x",
        )
    assert county.customers["east12"].account_number in str(info.value)


def test_book_change_waits_for_the_head(county, book):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    change = services.book_change_request(
        user=auditor, book=book.book, reading_day=10, cycle_months=1, reason="合并抄表线路"
    )
    book.book.refresh_from_db()
    assert book.book.reading_day == 5
    with pytest.raises(PermissionDenied):
        services.book_change_decide(user=auditor, change=change, approve=True)
    services.book_change_decide(user=head, change=change, approve=True)
    book.book.refresh_from_db()
    assert book.book.reading_day == 10
    assert BookChange.objects.get().status == ChangeStatus.APPROVED


def test_an_area_has_one_reader(county, book):
    with pytest.raises(ValidationError):
        services.book_create(
            user=county.users["auditor_east"],
            station=county.stations["east"],
            code="E-02",
            name="东城二册",
            reading_day=8,
            reader=county.users["reader_east"],
            areas=[county.areas["east1"]],
        )


def test_stolen_meter_goes_to_the_theft_procedure(county, book):
    from gridcheck.inspections.models import WorkOrder

    anomaly = services.anomaly_report(
        user=county.users["reader_east"],
        meter=book.meters["east12"],
        kind="stolen",
        note="表箱空",
        cycle=book.cycle,
    )
    assert anomaly.suspected_theft
    order = WorkOrder.objects.get(pk=anomaly.work_order_id_ref)
    assert order.customer == county.customers["east12"]
    assert order.source == "reading"


def test_other_station_cannot_bill_this_book(county, book):
    with pytest.raises(PermissionDenied):
        services.cycle_bill(user=county.users["inspector_west"], cycle=book.cycle)


def test_issuing_closes_the_cycle_and_nothing_of_it_changes_after(county, book, read_march):
    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    with pytest.raises(ValidationError):
        services.cycle_close(user=auditor, cycle=book.cycle)  # drafts left
    for bill in Bill.objects.all():
        services.bill_check(user=head, bill=bill, note="核对无误")
    services.cycle_issue(user=head, cycle=book.cycle)
    book.cycle.refresh_from_db()
    assert book.cycle.status == "closed"
    with pytest.raises(ValidationError):
        services.reading_enter(
            user=county.users["reader_east"],
            cycle=book.cycle,
            meter=book.meters["east11"],
            total=Decimal("2000"),
        )
    with pytest.raises(ValidationError):
        services.cycle_bill(user=auditor, cycle=book.cycle)
    services.cycle_close(user=auditor, cycle=book.first)  # start readings only: no bills
    book.first.refresh_from_db()
    assert book.first.status == "closed"


def test_cycle_summary_finds_backwards_registers_in_a_fixed_number_of_queries(county, book):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridcheck.billing import selectors
    from gridcheck.billing.models import MeterReading

    def summary_queries():
        with CaptureQueriesContext(connection) as queries:
            summary = selectors.cycle_summary(book.cycle)
        return summary, len(queries)

    reader = county.users["reader_east"]
    services.reading_enter(user=reader, cycle=book.cycle, meter=book.meters["east11"], total=Decimal("1150"))
    _, few = summary_queries()
    for key in ("east12", "east21", "east22"):
        services.reading_enter(user=reader, cycle=book.cycle, meter=book.meters[key], total=Decimal("99999"))
    # A register below the previous reading, as a head-end could send it (the phone entry refuses it).
    MeterReading.objects.filter(cycle=book.cycle, meter=book.meters["east21"]).update(total=Decimal("4990"))
    summary, many = summary_queries()
    assert many == few  # not one query per meter
    assert [(r.meter_id, p.total) for r, p in summary["backwards"]] == [
        (book.meters["east21"].pk, Decimal("5000.00"))
    ]
    assert summary["read"] == 4 and summary["due"] == 4


def test_checking_a_cycle_writes_each_bill_its_check_history_and_event(
    county, book, read_march, django_assert_max_num_queries
):
    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    on_the_list = Bill.objects.filter(customer=county.customers["east21"])
    on_the_list.update(review_flags=[ReviewFlag.CHANGE_LAST_MONTH.value])
    flagged = {b.pk for b in on_the_list}
    assert services.cycle_check_unflagged(user=auditor, cycle=book.cycle) == 0  # the preparer checks none
    with django_assert_max_num_queries(12):  # not a few queries per bill
        checked = services.cycle_check_unflagged(user=head, cycle=book.cycle)
    assert checked == 4 - len(flagged)
    for bill in Bill.objects.all():
        if bill.pk in flagged:
            assert bill.status == BillStatus.DRAFT and bill.checked_by is None
            continue
        assert bill.status == BillStatus.CHECKED and bill.checked_by == head and bill.checked_at is not None
        assert bill.updated_at == bill.checked_at
        last = bill.history.order_by("-history_id").first()
        assert last.status == BillStatus.CHECKED and last.history_user == head and last.history_type == "~"
        event = BillingEvent.objects.get(subject_type="Bill", subject_id=bill.pk, to_status="checked")
        assert (event.from_status, event.actor) == ("draft", head)
    assert services.cycle_check_unflagged(user=head, cycle=book.cycle) == 0  # nothing left to check


def test_issuing_a_cycle_writes_each_bill_its_issue_history_and_event(county, book, read_march):
    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    assert services.cycle_check_unflagged(user=head, cycle=book.cycle) == 4
    issued_at = datetime.datetime(2025, 4, 2, 9, 30, tzinfo=datetime.UTC)
    assert services.cycle_issue(user=head, cycle=book.cycle, issued_at=issued_at) == 4
    for bill in Bill.objects.all():
        assert bill.status == BillStatus.ISSUED and bill.issued_at == issued_at
        last = bill.history.order_by("-history_id").first()
        assert last.status == BillStatus.ISSUED and last.history_user == head
        event = BillingEvent.objects.get(subject_type="Bill", subject_id=bill.pk, to_status="issued")
        assert (event.from_status, event.actor) == ("checked", head)
    book.cycle.refresh_from_db()
    assert book.cycle.status == "closed"


def test_update_rows_writes_the_listed_fields_of_each_row_as_a_save_would(county, book, read_march):
    from gridcheck.core.bulk import update_rows

    read_march()
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    bills = list(Bill.objects.order_by("pk"))
    totals = {b.pk: b.total_yuan for b in bills}
    at = datetime.datetime(2025, 4, 1, 8, 0, tzinfo=datetime.UTC)
    for n, bill in enumerate(bills):
        bill.energy_kwh = Decimal("123") + n
        bill.checked_by, bill.checked_at = head, at
        bill.review_flags = [ReviewFlag.CHANGE_LAST_MONTH.value] if n % 2 else []
        bill.total_yuan = Decimal("0.01")  # changed here, not listed: left as it was
    update_rows(Bill, bills, ["energy_kwh", "checked_by", "checked_at", "review_flags"])
    for n, bill in enumerate(Bill.objects.order_by("pk")):
        assert bill.energy_kwh == Decimal("123") + n
        assert (bill.checked_by, bill.checked_at) == (head, at)
        assert bill.review_flags == ([ReviewFlag.CHANGE_LAST_MONTH.value] if n % 2 else [])
        assert bill.total_yuan == totals[bill.pk]
