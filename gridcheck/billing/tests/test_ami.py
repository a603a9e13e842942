"""Readings taken from the meter-data store (AMI registers frozen on the reading date)."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from gridcheck.billing import services
from gridcheck.billing.choices import AnomalyKind, ReadingSource
from gridcheck.billing.models import Bill, MeterReading, ReaderAnomaly
from gridcheck_analytics.schema import DAILY_READINGS, conform
from gridcheck_analytics.store import MeterStore


@pytest.fixture
def store(tmp_path, settings):
    settings.GRIDCHECK_DATA_DIR = str(tmp_path / "data")
    return MeterStore(tmp_path / "data")


def daily(rows):
    frame = pd.DataFrame(rows, columns=["meter_id", "reading_date", "register_total_kwh", "multiplier"])
    return conform(frame, DAILY_READINGS)


def test_collect_bills_and_reports_a_register_going_backwards(county, book, store):
    reading_date = book.cycle.reading_date  # 2025-03-05
    store.upsert(
        "daily",
        daily(
            [
                ("M1100000001", reading_date, 1150.0, 1.0),
                ("M1100000002", reading_date, 212.5, 40.0),
                ("M1200000001", reading_date, 4990.0, 1.0),  # below February's 5,000: backwards
                ("M1200000002", reading_date - datetime.timedelta(days=1), 310.0, 40.0),  # not on the day
                ("M1100000001", reading_date + datetime.timedelta(days=1), 1160.0, 1.0),
            ]
        ),
    )
    auditor = county.users["auditor_east"]
    counts = services.cycle_collect_ami(user=auditor, cycle=book.cycle)
    assert (counts["created"], counts["missing"], counts["backwards"]) == (3, 1, 1)
    reading = MeterReading.objects.get(cycle=book.cycle, meter=book.meters["east12"])
    assert (reading.total, reading.source, reading.multiplier_read) == (
        Decimal("212.50"),
        ReadingSource.AMI,
        Decimal("40.00"),
    )
    anomaly = ReaderAnomaly.objects.get()
    assert anomaly.kind == AnomalyKind.BACKWARDS and anomaly.by_vee
    assert anomaly.customer == county.customers["east21"]

    again = services.cycle_collect_ami(user=auditor, cycle=book.cycle)
    assert (again["created"], again["updated"], again["unchanged"], again["backwards"]) == (0, 0, 3, 0)
    assert ReaderAnomaly.objects.count() == 1

    # The reader's entry for the missing meter is kept by a later collection; the backwards one refuses
    # the run until it is corrected.
    services.reading_enter(
        user=county.users["reader_east"], cycle=book.cycle, meter=book.meters["east22"], total=Decimal("310")
    )
    assert services.cycle_collect_ami(user=auditor, cycle=book.cycle)["kept"] == 1
    with pytest.raises(services.BillRunError) as info:
        services.cycle_bill(user=auditor, cycle=book.cycle)
    assert len(info.value.errors) == 1 and county.customers["east21"].account_number in info.value.errors[0]
    services.reading_enter(
        user=county.users["head_east"],
        cycle=book.cycle,
        meter=book.meters["east21"],
        source="manual",
        total=Decimal("5100"),
    )
    services.cycle_bill(user=auditor, cycle=book.cycle)
    assert Bill.objects.get(customer=county.customers["east12"]).energy_kwh == Decimal("500")


def test_meter_connected_during_the_period_starts_from_its_register_on_installation(county, book, store):
    from gridcheck.archive.models import Meter

    old = book.meters["east21"]
    Meter.objects.filter(pk=old.pk).update(status="removed")
    new = Meter.objects.create(
        metering_point=old.metering_point,
        asset_number="M-NEW",
        phase="single",
        accuracy_class="2.0",
        rated_current_a=Decimal("5"),
        install_date=datetime.date(2025, 2, 20),
    )
    store.upsert(
        "daily",
        daily(
            [
                ("M-NEW", datetime.date(2025, 2, 21), 3.0, 1.0),  # the day it was installed is missing
                ("M-NEW", book.cycle.reading_date, 43.0, 1.0),
                ("M1100000001", book.cycle.reading_date, 1150.0, 1.0),
                ("M1100000002", book.cycle.reading_date, 212.5, 40.0),
                ("M1200000002", book.cycle.reading_date, 310.0, 40.0),
            ]
        ),
    )
    auditor = county.users["auditor_east"]
    services.cycle_collect_ami(user=auditor, cycle=book.cycle)
    services.cycle_bill(user=auditor, cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east21"])
    # 43 − 3 (the first register after its installation) = 40 kWh × 0.56 = 22.40.
    assert (bill.energy_kwh, bill.total_yuan) == (Decimal("40"), Decimal("22.40"))
    assert new.pk in {r.meter_id for r in book.cycle.readings.all()}
