"""Reading meter reading and billing: cycles and their reading rate, review lists, bills, reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from gridcheck.archive.models import Customer, Meter
from gridcheck.billing.choices import ReadingSource
from gridcheck.billing.models import (
    Bill,
    BillingEvent,
    MeterExchange,
    MeterReading,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.core.roles import CHECK_BILLS, PREPARE_BILLS, READ_METERS, has_capability
from gridcheck.core.rules import rule_value

#: The customer categories each tariff category is meant for (a mismatch goes on the review list).
TARIFF_CATEGORY_CUSTOMERS = {
    "residential": {"residential"},
    "general": {"commercial", "industrial", "other"},
    "large_industry": {"industrial"},
    "agricultural": {"agricultural"},
}


def reading_date(reading_day: int, period: datetime.date) -> datetime.date:
    """The reading date of a book read on ``reading_day`` for the month ``period``."""
    return datetime.date(period.year, period.month, reading_day)


def book_customers(book: ReadingBook) -> QuerySet[Customer]:
    """The customers of the book's areas."""
    return Customer.objects.filter(area__book_entry__book=book)


def _meters_due(book, on, on_one_level_down) -> QuerySet[Meter]:
    """The one rule of which meters a book reads on a date: the meters of the book's customers in service
    on ``on``, installed by then, and not exchanged out by then (a recorded meter change retires the old
    meter before the archive says so).

    ``book`` and ``on`` are values or expressions; ``on_one_level_down`` is ``on`` as seen from the
    exchange subquery inside (the same value, or an ``OuterRef`` one level deeper).
    """
    return (
        Meter.objects.filter(metering_point__customer__area__book_entry__book=book, status="in_service")
        .filter(Q(install_date__isnull=True) | Q(install_date__lte=on))
        .exclude(
            pk__in=MeterExchange.objects.filter(changed_on__lte=on_one_level_down).values("old_meter_id")
        )
    )


def _meters_due_in_cycle() -> QuerySet[Meter]:
    """:func:`_meters_due` of the outer query's cycle (its book, on its reading date)."""
    return _meters_due(OuterRef("book"), OuterRef("reading_date"), OuterRef(OuterRef("reading_date")))


def book_meters(book: ReadingBook, on: datetime.date) -> QuerySet[Meter]:
    """Meters the book reads on ``on`` (:func:`_meters_due`)."""
    return _meters_due(book, on, on).select_related("metering_point__customer")


#: The order in which a reader walks a book: by account number, then meter number.
READER_ORDER = ("metering_point__customer__account_number", "asset_number")


def next_unread_meter(cycle: ReadingCycle, after: Meter) -> Meter | None:
    """The cycle's next meter due without a reading, in :data:`READER_ORDER` after ``after`` and round
    to the start of the book again; None when every meter due is read."""
    unread = (
        book_meters(cycle.book, cycle.reading_date)
        .exclude(pk__in=cycle.readings.values("meter_id"))
        .exclude(pk=after.pk)
        .order_by(*READER_ORDER)
    )
    account = after.metering_point.customer.account_number
    later = unread.filter(
        Q(metering_point__customer__account_number__gt=account)
        | Q(metering_point__customer__account_number=account, asset_number__gt=after.asset_number)
    )
    return later.first() or unread.first()


def with_meters_unread(cycles: QuerySet[ReadingCycle]) -> QuerySet[ReadingCycle]:
    """Those of ``cycles`` with a meter due (:func:`book_meters` on the cycle's reading date) that has no
    reading in the cycle yet: one query, which a to-do list counts together with its other lines."""
    return cycles.filter(Exists(_meters_unread_in_cycle()))


def _meters_unread_in_cycle() -> QuerySet[Meter]:
    """:func:`_meters_due_in_cycle` that have no reading in the outer query's cycle yet."""
    return _meters_due_in_cycle().exclude(
        Exists(MeterReading.objects.filter(cycle=OuterRef(OuterRef("pk")), meter=OuterRef("pk")))
    )


def _count(queryset: QuerySet) -> Subquery:
    """``queryset``'s row count as a scalar subquery (an aggregate with no grouping: one row)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def with_reading_counts(cycles: QuerySet[ReadingCycle]) -> QuerySet[ReadingCycle]:
    """``cycles`` with ``meters_due`` (:func:`book_meters` on the reading date), ``meters_unread`` (of
    those, the ones without a reading yet), ``meters_read`` and ``meters_read_actual`` (the cycle's
    readings, and those that are not estimates, as :func:`cycle_summary` counts them) annotated: a list
    of cycles shows its reading rates in one query, not two per row."""
    readings = MeterReading.objects.filter(cycle=OuterRef("pk"))
    return cycles.annotate(
        meters_due=_count(_meters_due_in_cycle()),
        meters_unread=_count(_meters_unread_in_cycle()),
        meters_read=_count(readings),
        meters_read_actual=_count(readings.exclude(source=ReadingSource.ESTIMATED)),
    )


def previous_reading(meter_id: int, before: datetime.date) -> MeterReading | None:
    """The last reading of a meter before ``before`` (in any cycle)."""
    return MeterReading.objects.filter(meter_id=meter_id, read_on__lt=before).order_by("-read_on").first()


def previous_readings(meters: QuerySet[Meter], before: datetime.date) -> dict[int, MeterReading]:
    """The last reading before ``before`` of each of ``meters`` (in any cycle), by meter id: two queries
    for the whole book, not one per meter."""
    latest = (
        MeterReading.objects.filter(meter_id=OuterRef("pk"), read_on__lt=before)
        .order_by("-read_on")
        .values("pk")[:1]
    )
    pks = [
        pk for pk in meters.annotate(previous_pk=Subquery(latest)).values_list("previous_pk", flat=True) if pk
    ]
    return {r.meter_id: r for r in MeterReading.objects.filter(pk__in=pks)}


def cycle_summary(cycle: ReadingCycle) -> dict:
    """Reading figures of a cycle: meters due, read, actual-reading rate, by source, backwards, mismatches.

    ``actual_rate_percent`` counts readings that are not estimates (the goal is 100 %).
    """
    meters = book_meters(cycle.book, cycle.reading_date)
    due = meters.count()
    readings = cycle.readings.all()
    by_source = dict(readings.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    read = sum(by_source.values())
    actual = read - by_source.get(ReadingSource.ESTIMATED, 0)
    unread = meters.exclude(pk__in=readings.values("meter_id"))
    backwards = []
    mismatched = []
    previous = previous_readings(Meter.objects.filter(pk__in=readings.values("meter_id")), cycle.reading_date)
    for reading in readings.select_related("meter__metering_point", "customer"):
        prev = previous.get(reading.meter_id)
        if (
            prev is not None
            and prev.total is not None
            and reading.total is not None
            and reading.total < prev.total
        ):
            backwards.append((reading, prev))
        archive = reading.meter.metering_point.multiplier
        if reading.multiplier_read is not None and reading.multiplier_read != archive:
            mismatched.append((reading, archive))
    return {
        "due": due,
        "read": read,
        "actual": actual,
        "estimated": by_source.get(ReadingSource.ESTIMATED, 0),
        "by_source": {s: by_source.get(s, 0) for s in ReadingSource.values},
        "actual_rate_percent": (Decimal(actual * 100) / due).quantize(Decimal("0.01")) if due else None,
        "unread": unread,
        "backwards": backwards,
        "multiplier_mismatch": mismatched,
    }


def review_list(cycle: ReadingCycle) -> QuerySet[Bill]:
    """The cycle's bills that the checker must look at before issue (any review flag), drafts first."""
    return cycle.bills.exclude(review_flags=[]).select_related("customer").order_by("status", "number")


def review_thresholds(on: datetime.date) -> tuple[Decimal, Decimal]:
    """The review list's change threshold [%] and the energy below which changes are ignored [kWh]."""
    return Decimal(str(rule_value("billing.review.change_percent", on))), Decimal(
        str(rule_value("billing.review.min_kwh", on))
    )


def events_of(subject) -> QuerySet[BillingEvent]:
    """The state changes of a bill, adjustment, category change, book change or anomaly, oldest first."""
    return BillingEvent.objects.filter(
        subject_type=type(subject).__name__, subject_id=subject.pk
    ).select_related("actor")


def can_read_meters(user, book: ReadingBook) -> bool:
    """The book's reader, or anyone who may prepare bills (entering a reading the reader phoned in)."""
    return (has_capability(user, READ_METERS) and book.reader_id == user.pk) or has_capability(
        user, PREPARE_BILLS
    )


def can_check(user, prepared_by_id: int | None) -> bool:
    return has_capability(user, CHECK_BILLS) and user.pk != prepared_by_id
