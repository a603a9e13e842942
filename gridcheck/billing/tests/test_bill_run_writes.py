"""What a bill run writes, on SQLite (bulk inserts) and PostgreSQL (COPY) alike: the bills with their
calculation stored compact and read back whole, one history row and one event per new bill, and a re-run
that updates the drafts without a second bill."""

from decimal import Decimal

from django.db import connection

from gridcheck.billing import services
from gridcheck.billing.choices import BillStatus
from gridcheck.billing.models import Bill, BillingEvent, CalculationLayout
from gridcheck_analytics.billing import bill as compute_bill


def _stored_calculation(bill: Bill) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT calculation FROM billing_bill WHERE id = %s", [bill.pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else str(value)


def test_bills_history_and_events_of_a_run(county, book, read_march):
    read_march()
    auditor = county.users["auditor_east"]
    counts = services.cycle_bill(user=auditor, cycle=book.cycle)
    assert counts["created"] == 4
    bills = list(Bill.objects.filter(cycle=book.cycle).order_by("number"))
    assert [b.number for b in bills] == sorted(
        f"B202503{c.account_number}" for c in (b.customer for b in bills)
    )
    for bill in bills:
        # Read back whole: exactly what the engine gives for the stored inputs, lines with formula,
        # inputs, value, unit and article (the bill page and the API show them).
        assert bill.calculation == compute_bill(**bill.inputs).to_dict()
        assert all(item["formula"] and item["unit"] and item["article"] for item in bill.calculation["items"])
        assert bill.status == BillStatus.DRAFT and bill.prepared_by == auditor
        assert (bill.period_start, bill.period_end) == (
            book.cycle.previous_reading_date,
            book.cycle.reading_date,
        )
        # Stored compact: the lines' fixed text lives in the layout, not in each bill.
        stored = _stored_calculation(bill)
        assert '"layout"' in stored and "formula" not in stored
        history = list(bill.history.all())
        assert [(h.history_type, h.history_user, h.total_yuan) for h in history] == [
            ("+", auditor, bill.total_yuan)
        ]
        events = BillingEvent.objects.filter(subject_type="Bill", subject_id=bill.pk)
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [("", BillStatus.DRAFT, auditor)]
    # Residential and commercial bills: each layout once, whoever uses it.
    assert 1 <= CalculationLayout.objects.count() <= 2
    assert Bill.objects.get(customer=county.customers["east12"]).total_yuan == Decimal("334.50")


def test_rerun_updates_the_drafts_with_history_and_keeps_one_bill_each(county, book, read_march):
    read_march()
    auditor = county.users["auditor_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    layouts = CalculationLayout.objects.count()
    read_march(east11="1160.00")  # the reader corrects a reading: 160 kWh instead of 150
    again = services.cycle_bill(user=auditor, cycle=book.cycle)
    assert (again["created"], again["updated"]) == (0, 4)
    bill = Bill.objects.get(customer=county.customers["east11"])
    assert bill.energy_kwh == Decimal("160") and bill.total_yuan == Decimal("89.60")
    assert bill.calculation == compute_bill(**bill.inputs).to_dict()
    assert [h.history_type for h in bill.history.order_by("history_date", "history_id")] == ["+", "~"]
    assert Bill.objects.count() == 4
    assert BillingEvent.objects.filter(subject_type="Bill").count() == 4
    assert CalculationLayout.objects.count() == layouts


def test_a_refused_run_writes_nothing(county, book, read_march):
    read_march()
    book.cycle.readings.filter(meter=book.meters["east22"]).delete()
    try:
        services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    except services.BillRunError as exc:
        assert len(exc.errors) == 1
    else:  # pragma: no cover
        raise AssertionError("the run was not refused")
    assert not Bill.objects.exists() and not Bill.history.exists()
    assert not BillingEvent.objects.filter(subject_type="Bill").exists()
    assert not CalculationLayout.objects.exists()


def test_a_whole_calculation_written_as_such_reads_back_as_it_is(county, book, read_march):
    read_march()
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east11"])
    whole = compute_bill(**bill.inputs).to_dict()
    Bill.objects.filter(pk=bill.pk).update(calculation=whole)
    assert '"formula"' in _stored_calculation(bill)
    bill.refresh_from_db()
    assert bill.calculation == whole


def test_an_engine_error_refuses_the_run_with_the_customer_named(county, book, read_march, monkeypatch):
    from gridcheck_analytics.penalties.inputs import CalcInputError

    read_march()
    account = county.customers["east21"].account_number

    def engine(**kwargs):
        if kwargs["meters"][0]["meter"] == book.meters["east21"].asset_number:
            raise CalcInputError("meters", "the period registers exceed the total by 5 kWh")
        return compute_bill(**kwargs)

    monkeypatch.setattr(services, "compute_bill", engine)
    try:
        services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    except services.BillRunError as exc:
        assert len(exc.errors) == 1 and account in exc.errors[0]
    else:  # pragma: no cover
        raise AssertionError("the run was not refused")
    assert not Bill.objects.exists() and not Bill.history.exists()
