"""The demo county's billing step: books, a year of bills, the review list, idempotent.

Checked on the demo that `gridcheck/demo/tests/test_demo_command.py` builds (one build for both: a demo
build and its second run took 40 to 55 s a database)."""

from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BillingEvent,
    CategoryChange,
    MeterExchange,
    MeterReading,
    ReadingBook,
    ReadingCycle,
)

MODELS = (
    ReadingBook,
    ReadingCycle,
    MeterReading,
    Bill,
    BillAdjustment,
    CategoryChange,
    MeterExchange,
    BillingEvent,
)


def billing_state() -> dict:
    """What a second run of the demo must leave as it is."""
    state = {m.__name__: m.objects.count() for m in MODELS}
    state["bill_history"] = Bill.history.count()
    state["reading_updates"] = sorted(MeterReading.objects.values_list("updated_at", flat=True))
    return state


def assert_demo_billing(output: str) -> None:
    """The demo station's books, cycles and year of bills, as ``gridcheck demo`` leaves them."""
    assert "reading cycles" in output or "抄表" in output
    cycles = ReadingCycle.objects.all()
    # 13 months of meter data give 13 cycles; the 14th, next month's, is open for the reader's phone.
    assert cycles.values("period").distinct().count() == 14
    periods = sorted(cycles.values_list("period", flat=True).distinct())
    assert set(cycles.filter(period=periods[-1]).values_list("status", flat=True)) == {"open"}
    assert not Bill.objects.filter(period=periods[-1]).exists()
    assert (
        Bill.objects.filter(period=periods[-2]).exclude(status="draft").count()
        < Bill.objects.filter(period=periods[-2]).count()
    )  # the last month's review list is left to work
    assert Bill.objects.filter(period=periods[-3], status="issued").exists()
    assert set(cycles.filter(period=periods[-3]).values_list("status", flat=True)) == {"closed"}
    assert not Bill.objects.filter(period=periods[0]).exists()  # the first cycle gives the start only
    assert set(cycles.filter(period=periods[0]).values_list("status", flat=True)) == {"closed"}
    assert Bill.objects.filter(period__in=periods[1:]).values("period").distinct().count() == 12
    assert MeterExchange.objects.count() == 1
    assert BillAdjustment.objects.filter(status="pending").count() >= 1
    # One from billing's demo; the census's demo adds those its approved discrepancies applied for.
    from gridcheck.census.models import Discrepancy

    census_changes = Discrepancy.objects.exclude(category_change=None).values("category_change")
    assert CategoryChange.objects.filter(status="pending").exclude(pk__in=census_changes).count() == 1
    large = Bill.objects.filter(customer__contracted_capacity_kva__gte=100).exclude(
        customer__category="residential"
    )
    if large.exists():  # customers of 100 kVA and more get a simulated reactive register
        assert Bill.objects.filter(power_factor__isnull=False).exists()
