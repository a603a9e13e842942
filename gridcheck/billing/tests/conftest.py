"""Billing fixtures: the small county's east station as one reading book, with two cycles read by hand."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from gridcheck.archive.models import Meter


@dataclass
class Book:
    book: object
    first: object  # cycle of 2025-02 (readings only: the start of the next)
    cycle: object  # cycle of 2025-03
    meters: dict = field(default_factory=dict)


#: Register totals of the east meters at the February and March readings.
FEBRUARY = {"east11": "1000.00", "east12": "200.00", "east21": "5000.00", "east22": "300.00"}
MARCH = {"east11": "1150.00", "east12": "212.50", "east21": "5100.00", "east22": "310.00"}


@pytest.fixture
def book(county) -> Book:
    from gridcheck.billing import services

    auditor = county.users["auditor_east"]
    book = services.book_create(
        user=auditor,
        station=county.stations["east"],
        code="E-01",
        name="东城一册",
        reading_day=5,
        reader=county.users["reader_east"],
        areas=[county.areas["east1"], county.areas["east2"]],
    )
    first = services.cycle_open(user=auditor, book=book, period=datetime.date(2025, 2, 1))
    cycle = services.cycle_open(user=auditor, book=book, period=datetime.date(2025, 3, 1))
    meters = {key: Meter.objects.get(metering_point__customer=county.customers[key]) for key in FEBRUARY}
    reader = county.users["reader_east"]
    for key, meter in meters.items():
        services.reading_enter(
            user=reader, cycle=first, meter=meter, source="manual", total=Decimal(FEBRUARY[key])
        )
    return Book(book=book, first=first, cycle=cycle, meters=meters)


@pytest.fixture
def read_march(county, book):
    """Enter the March readings (the reader's handheld)."""
    from gridcheck.billing import services

    def _read(**overrides):
        for key, meter in book.meters.items():
            services.reading_enter(
                user=county.users["reader_east"],
                cycle=book.cycle,
                meter=meter,
                total=Decimal(overrides.get(key, MARCH[key])),
            )

    return _read


def meter_exchanged(county, old, on: datetime.date, asset_number: str = "M-NEW-21"):
    """A new meter installed on ``on`` at ``old``'s metering point, and the recorded exchange that retires
    ``old`` (whose register ends at 5,060; the archive still says it is in service)."""
    from gridcheck.billing import services

    new = Meter.objects.create(
        metering_point=old.metering_point,
        asset_number=asset_number,
        phase="single",
        accuracy_class="2.0",
        rated_current_a=Decimal("5"),
        max_current_a=Decimal("60"),
        install_date=on,
    )
    services.meter_exchange_record(
        user=county.users["auditor_east"],
        old_meter=old,
        new_meter=new,
        changed_on=on,
        old_final={"total": "5060"},
        new_initial={"total": "0"},
    )
    return new
