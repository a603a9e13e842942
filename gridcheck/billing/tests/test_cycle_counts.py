"""A list of cycles shows each cycle's reading rate from counts annotated in one query; the meters due are
:func:`book_meters`' (installed by the reading date, not exchanged out by then)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcheck.archive.models import Meter
from gridcheck.billing import selectors, services
from gridcheck.billing.models import ReadingCycle
from gridcheck.billing.tests.conftest import meter_exchanged

pytestmark = pytest.mark.django_db


def test_counts_agree_with_the_meters_each_cycle_reads(county, book):
    # Between the February and March reading days: the old east21 is retired, its successor installed, and
    # east22's meter is recorded as installed after February's reading (due in March only).
    meter_exchanged(county, book.meters["east21"], datetime.date(2025, 2, 20))
    Meter.objects.filter(pk=book.meters["east22"].pk).update(install_date=datetime.date(2025, 2, 10))
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=book.meters["east11"],
        source="estimated",
        total=Decimal("1100"),
    )
    services.reading_enter(
        user=county.users["reader_east"], cycle=book.cycle, meter=book.meters["east12"], total=Decimal("210")
    )
    counted = {c.pk: c for c in selectors.with_reading_counts(ReadingCycle.objects.all())}
    for cycle in (book.first, book.cycle):
        due = selectors.book_meters(cycle.book, cycle.reading_date).count()
        assert counted[cycle.pk].meters_due == due
        assert counted[cycle.pk].meters_read == cycle.readings.count()
        assert counted[cycle.pk].meters_read_actual == cycle.readings.exclude(source="estimated").count()
    assert counted[book.first.pk].meters_due == 3  # east22's meter not yet installed; the old east21 in
    assert counted[book.cycle.pk].meters_due == 4  # the new east21 instead of the old, and east22's
    assert (counted[book.cycle.pk].meters_read, counted[book.cycle.pk].meters_read_actual) == (2, 1)
    for cycle in (book.first, book.cycle):
        due = selectors.book_meters(cycle.book, cycle.reading_date)
        assert (
            counted[cycle.pk].meters_unread == due.exclude(pk__in=cycle.readings.values("meter_id")).count()
        )
    # February read east22's meter before its recorded installation: four readings, three meters due, all read.
    assert (counted[book.first.pk].meters_read, counted[book.first.pk].meters_unread) == (4, 0)
    assert counted[book.cycle.pk].meters_unread == 2


def test_the_cycle_list_shows_rates_in_a_fixed_number_of_queries(county, book, client):
    client.force_login(county.users["auditor_east"])
    url = reverse("billing:cycle_list")
    with CaptureQueriesContext(connection) as two_cycles:
        page = client.get(url)
    assert page.status_code == 200
    assert "100.00 %" in page.content.decode()  # February: all four read by hand
    for month in (4, 5, 6):
        services.cycle_open(
            user=county.users["auditor_east"], book=book.book, period=datetime.date(2025, month, 1)
        )
    with CaptureQueriesContext(connection) as five_cycles:
        assert client.get(url).status_code == 200
    assert len(five_cycles) == len(two_cycles)


def test_the_readers_phone_page_shows_read_and_due(county, book, client):
    client.force_login(county.users["reader_east"])
    services.reading_enter(
        user=county.users["reader_east"], cycle=book.cycle, meter=book.meters["east11"], total=Decimal("1150")
    )
    page = client.get(reverse("billing:reader_home")).content.decode()
    assert "1 / 4" in page
