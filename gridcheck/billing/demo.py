"""The demo county's reading and billing (item 9): books, a year of bills, a review list to work.

``demo_billing_build`` runs after the demo meter data exists (``readings.services.demo_meter_data_load``)
and goes through the same services as people do:

- reading books of the demo station (the station of the demo logins), ten areas each, read on the 5th
  by the station's meter reader; whole areas are taken until ``max_customers`` (the bill run is per
  customer through the ORM, see the billing benchmark);
- 13 monthly cycles per book in order, the last ending in the last month of meter data: the first only
  gives the starting readings, the other 12 are billed. Each cycle: AMI readings collected
  (``cycle_collect_ami``); a meter the store has no register for is entered as an estimate (previous
  reading + the previous month's use, source ``estimated``); customers of 100 kVA and more (not
  residential) get a simulated reactive register (cos φ 0.80–0.95, fixed per customer) entered through
  ``reading_enter``, so their bills carry the power-factor adjustment;
- bills prepared by the billing clerk (auditor), checked by the station head (the flagged ones with a
  note) and issued, except the last month, whose review list is left for the user;
- one meter change in the middle of the last month, three refunds awaiting approval and one category
  change awaiting its check.

Idempotent: what exists is kept, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from gridcheck.archive.models import Area, Customer, Meter, Station
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.billing import selectors, services
from gridcheck.billing.choices import BillStatus, ChangeStatus, CycleStatus, ReadingSource
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    CategoryChange,
    MeterExchange,
    MeterReading,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.core.periods import month_add
from gridcheck.core.roles import Role

AREAS_PER_BOOK = 10
READING_DAY = 5
CYCLES = 13
PF_MIN_KVA = Decimal(100)


def _staff(station: Station, role: str):
    from gridcheck.users.models import User

    return User.objects.filter(role=role, station=station, is_active=True).order_by("username").first()


def _areas(station: Station, max_customers: int) -> list[Area]:
    """Whole areas of ``station`` by code up to ``max_customers`` customers, one with a large customer."""
    areas, total = [], 0
    sized = Area.objects.filter(station=station).order_by("code")
    for area in sized:
        n = Customer.objects.filter(area=area).count()
        if areas and total + n > max_customers:
            break
        areas.append(area)
        total += n
    big = (
        Customer.objects.filter(station=station, contracted_capacity_kva__gte=PF_MIN_KVA)
        .exclude(category="residential")
        .exclude(area__in=areas)
        .order_by("account_number")
        .first()
    )
    if (
        big is not None
        and not Customer.objects.filter(area__in=areas, contracted_capacity_kva__gte=PF_MIN_KVA)
        .exclude(category="residential")
        .exists()
    ):
        areas.append(big.area)
    return areas


def _store_near(meter_ids: list[str], on: datetime.date) -> dict[str, dict]:
    """The registers of each meter on the nearest day after ``on`` in the same month (a cap for estimates)."""
    from gridcheck.readings.selectors import meter_store

    store = meter_store()
    month = f"{on:%Y-%m}"
    if not meter_ids or month not in store.months("daily"):
        return {}
    import pyarrow.dataset as ds

    table = ds.dataset(store.paths("daily", [month]), format="parquet").to_table(
        filter=(ds.field("reading_date") > on) & ds.field("meter_id").isin(meter_ids)
    )
    frame = table.to_pandas().sort_values("reading_date")
    out = {}
    for row in frame.itertuples(index=False):
        if row.meter_id in out or row.register_total_kwh != row.register_total_kwh:
            continue
        out[row.meter_id] = {
            name: Decimal(str(getattr(row, f"register_{name}_kwh")))
            for name in ("total", "peak", "flat", "valley")
            if getattr(row, f"register_{name}_kwh") == getattr(row, f"register_{name}_kwh")
        }
    return out


def _estimate_missing(cycle: ReadingCycle, clerk) -> int:
    """Enter an estimate for each meter of the cycle without a reading: previous + last month's use."""
    meters = list(selectors.book_meters(cycle.book, cycle.reading_date))
    read = set(cycle.readings.values_list("meter_id", flat=True))
    missing = [m for m in meters if m.pk not in read]
    if not missing:
        return 0
    caps = _store_near([m.asset_number for m in missing], cycle.reading_date)
    entered = 0
    for meter in missing:
        previous = selectors.previous_reading(meter.pk, cycle.reading_date)
        before = previous and selectors.previous_reading(meter.pk, previous.read_on)
        cap = caps.get(meter.asset_number, {})
        values = {}
        for name in ("total", "peak", "flat", "valley", "reactive"):
            old = getattr(previous, name, None) if previous else None
            if old is None:
                if name in cap:
                    values[name] = cap[name]
                continue
            use = Decimal(0)
            older = getattr(before, name, None) if before else None
            if older is not None and old >= older:
                use = old - older
            value = old + use
            if name in cap and cap[name] >= old:
                value = min(value, cap[name])
            values[name] = value
        if "total" not in values:
            continue  # no reading to start from: the bill run names the meter
        services.reading_enter(user=clerk, cycle=cycle, meter=meter, source=ReadingSource.ESTIMATED, **values)
        entered += 1
    return entered


def _tan_phi(customer_id: int) -> Decimal:
    cos_phi = random.Random(customer_id).uniform(0.80, 0.95)
    return Decimal(str(round(math.tan(math.acos(cos_phi)), 4)))


def _enter_reactive(cycle: ReadingCycle, reader) -> int:
    """A reactive register for the meters of customers of 100 kVA and more (not residential)."""
    readings = (
        cycle.readings.filter(
            reactive__isnull=True, customer__contracted_capacity_kva__gte=PF_MIN_KVA, total__isnull=False
        )
        .exclude(customer__category="residential")
        .select_related("meter")
    )
    n = 0
    for reading in readings:
        services.reading_enter(
            user=reader,
            cycle=cycle,
            meter=reading.meter,
            source=reading.source,
            multiplier_read=reading.multiplier_read,
            total=reading.total,
            peak=reading.peak,
            flat=reading.flat,
            valley=reading.valley,
            reactive=(reading.total * _tan_phi(reading.customer_id)).quantize(Decimal("0.01")),
        )
        n += 1
    return n


def _meter_change(cycle: ReadingCycle, clerk, reader) -> bool:
    """One residential meter changed mid-month in ``cycle``'s period (before it is collected)."""
    if MeterExchange.objects.filter(station_id=cycle.station_id).exists():
        return False
    meter = (
        selectors.book_meters(cycle.book, cycle.reading_date)
        .filter(metering_point__customer__category="residential")
        .order_by("asset_number")
        .first()
    )
    previous = meter and selectors.previous_reading(meter.pk, cycle.reading_date)
    if previous is None:
        return False
    changed_on = cycle.previous_reading_date + datetime.timedelta(days=15)
    used = Decimal("48.00")  # the old meter's use from the previous reading to its removal
    new_meter = Meter.objects.create(
        metering_point=meter.metering_point,
        asset_number=f"{meter.asset_number}N",
        phase=meter.phase,
        accuracy_class=meter.accuracy_class,
        rated_current_a=meter.rated_current_a,
        max_current_a=meter.max_current_a,
        install_date=changed_on,
    )
    services.meter_exchange_record(
        user=clerk,
        old_meter=meter,
        new_meter=new_meter,
        changed_on=changed_on,
        old_final={"total": previous.total + used},
        new_initial={"total": Decimal(0)},
    )
    services.reading_enter(
        user=reader, cycle=cycle, meter=new_meter, source=ReadingSource.HANDHELD, total=Decimal("52.00")
    )
    return True


def _check_and_issue(cycle: ReadingCycle, head, *, issue: bool) -> None:
    services.cycle_check_unflagged(user=head, cycle=cycle)
    if not issue:
        return
    for bill in cycle.bills.filter(status=BillStatus.DRAFT):
        services.bill_check(user=head, bill=bill, note="演示：已核对")
    # Issued three days after the reading, at 10:00 (due dates and late fees count from it).
    issued_on = cycle.reading_date + datetime.timedelta(days=3)
    issued_at = datetime.datetime.combine(issued_on, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    services.cycle_issue(user=head, cycle=cycle, issued_at=min(issued_at, timezone.now()))


def _applications(station: Station, clerk, last_issued: ReadingCycle | None) -> dict:
    counts = {"refunds": 0, "category_changes": 0}
    if last_issued is not None and not BillAdjustment.objects.filter(station=station).exists():
        bills = last_issued.bills.filter(status=BillStatus.ISSUED, energy_kwh__gt=20).filter(review_flags=[])
        simple = [
            b for b in bills.order_by("number")[:50] if "time_of_use_prices_yuan_per_kwh" not in b.inputs
        ]
        for bill in simple[:3]:
            energy = (bill.energy_kwh - 10).quantize(Decimal(1))
            services.adjustment_prepare(
                user=clerk,
                bill=bill,
                kind="correction",
                reason="演示：抄表数据录入错误，按核实电量退费",
                inputs={"energies": {"total": str(energy)}},
            )
            counts["refunds"] += 1
    if not CategoryChange.objects.filter(station=station).exists():
        customer = (
            Customer.objects.filter(station=station, tariff_code="RES-1", area__book_entry__isnull=False)
            .order_by("account_number")
            .first()
        )
        if customer is not None and tariff_in_force("RES-TOU", datetime.date.today()):
            services.category_change_apply(
                user=clerk,
                customer=customer,
                new_tariff_code="RES-TOU",
                effective_on=datetime.date.today(),
                reason="演示：客户申请改为居民峰谷分时电价",
            )
            counts["category_changes"] += 1
    return counts


def demo_billing_build(
    *, end_month: datetime.date, max_customers: int = 2000, station: Station | None = None
) -> dict:
    """Build the demo station's books, cycles and bills up to ``end_month`` (the last month of meter data).

    Returns counts and ``seconds``; nothing is changed when everything exists already.
    """
    started = time.monotonic()
    station = station or Station.objects.order_by("code").first()
    clerk, head, reader = (_staff(station, r) for r in (Role.AUDITOR, Role.STATION_HEAD, Role.METER_READER))
    if None in (clerk, head, reader):
        raise ValueError("the demo station needs a billing clerk, a station head and a meter reader")
    counts = {"books": 0, "cycles_billed": 0, "bills": 0, "estimated": 0, "reactive": 0, "meter_changes": 0}
    if not ReadingBook.objects.filter(station=station).exists():
        areas = _areas(station, max_customers)
        for n in range(0, len(areas), AREAS_PER_BOOK):
            services.book_create(
                user=clerk,
                station=station,
                code=f"{station.code}-{n // AREAS_PER_BOOK + 1:02d}",
                name=f"{station.name}第{n // AREAS_PER_BOOK + 1}抄表册",
                reading_day=READING_DAY,
                reader=reader,
                areas=areas[n : n + AREAS_PER_BOOK],
            )
            counts["books"] += 1
    end_month = end_month.replace(day=1)
    periods = [month_add(end_month, k - CYCLES + 1) for k in range(CYCLES)]
    last_issued = None
    for book in ReadingBook.objects.filter(station=station).order_by("code"):
        for index, period in enumerate(periods):
            cycle = services.cycle_open(user=clerk, book=book, period=period)
            last = index == len(periods) - 1
            started_only = index == 0 and cycle.readings.exists()
            if cycle.status == CycleStatus.OPEN and not started_only:
                with transaction.atomic():
                    if last and book.code.endswith("-01"):
                        counts["meter_changes"] += _meter_change(cycle, clerk, reader)
                    services.cycle_collect_ami(user=clerk, cycle=cycle)
                    counts["estimated"] += _estimate_missing(cycle, clerk)
                    counts["reactive"] += _enter_reactive(cycle, reader)
                    if index > 0:
                        result = services.cycle_bill(user=clerk, cycle=cycle)
                        counts["bills"] += result["created"]
                        counts["cycles_billed"] += 1
                        _check_and_issue(cycle, head, issue=not last)
            if not last and index > 0:
                last_issued = cycle
        # The first cycle only gave the start readings; the next month's is open for the reader's phone.
        first = book.cycles.filter(period=periods[0]).first()
        if first is not None and first.status == CycleStatus.OPEN:
            services.cycle_close(user=clerk, cycle=first)
        services.cycle_open(user=clerk, book=book, period=month_add(end_month, 1))
    counts.update(_applications(station, clerk, last_issued))
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["customers"] = Bill.objects.filter(station=station).values("customer_id").distinct().count()
    counts["readings"] = MeterReading.objects.filter(station=station).count()
    counts["pending_refunds"] = BillAdjustment.objects.filter(
        station=station, status=ChangeStatus.PENDING
    ).count()
    return counts
