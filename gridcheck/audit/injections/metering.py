"""Demo injectors of the metering rules (JL-01..JL-09, see ``gridcheck.audit.engine.audit_injector``).

Each changes the demo county so that ``count`` facts of its rule exist and returns their keys. Subjects
are customers with ``pk % 8 == 2`` (this module's share of the demo county), split further by
``(pk // 8) % 8`` so that one customer carries one injected fact; the seal and pliers rules have no
customer and create their records at stations chosen with ``rng``. An injector picks only subjects its
rule does not find yet, and changes nothing that another rule of this module reads about them.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

import pandas as pd
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Mod
from django.utils import timezone

from gridcheck.archive.choices import MeterStatus
from gridcheck.archive.models import Customer, Meter, MeteringPoint, Station
from gridcheck.audit.engine import RULES, RuleContext, audit_injector
from gridcheck.audit.rules.metering import PRECISION_CLASSES, USUAL_CLASSES, ct_load_rows, three_wire_meters
from gridcheck.billing.models import MeterExchange, MeterReading
from gridcheck.core.periods import month_end
from gridcheck.core.rules import rule_value
from gridcheck.seals.choices import PliersStatus, SealMovementKind, SealStatus
from gridcheck.seals.models import Pliers, PliersLoan, Seal, SealBatch, SealMovement

RESIDUE = 2
SLOTS = 8
#: Tariffs without a demand charge: a maximum demand on their reading changes no bill.
FLAT_TARIFFS = ("RES-1", "RES-TOU", "GEN-1", "AGR-1")


def _ours(queryset, field: str = "pk", slot: int | None = None):
    """``queryset`` limited to this module's customers (by ``field``, a customer id), optionally one slot."""
    queryset = queryset.annotate(_r=Mod(F(field), 8)).filter(_r=RESIDUE)
    if slot is not None:
        queryset = queryset.annotate(_s=Mod((F(field) - RESIDUE) / 8, SLOTS)).filter(_s=slot)
    return queryset


def _sample(rng: random.Random, pks, count: int) -> list:
    pks = sorted(set(pks))
    return sorted(rng.sample(pks, min(count, len(pks))))


def _context(month: datetime.date, on: datetime.date, code: str) -> RuleContext:
    params = {name: Decimal(value) for name, value in RULES[code].default_params().items()}
    return RuleContext(on=on, month=month, params=params)


def _meters(slot: int):
    """In-service meters of this module's active customers in ``slot``."""
    return _ours(
        Meter.objects.filter(status=MeterStatus.IN_SERVICE, metering_point__customer__status="active"),
        "metering_point__customer_id",
        slot,
    )


def _staff(station_id: int):
    from gridcheck.users.models import User

    return list(User.objects.filter(station_id=station_id, is_active=True).order_by("username")[:2])


@audit_injector("JL-01")
def inject_jl01(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """CT-metered points whose CT is replaced in the archive by one so large that the load sits below 20 %."""
    from gridcheck_analytics.datasets.parameters import CT_PRIMARIES_A

    ctx = _context(month, on, "JL-01")
    low = float(rule_value("detection.ct_min_percent", ctx.month_end))
    high = float(rule_value("detection.ct_max_percent", ctx.month_end))
    pool_customers = _ours(Customer.objects.filter(status="active"), slot=0).values_list("pk", flat=True)
    rows = {
        r["pk"]: r
        for r in ct_load_rows(ctx, customer_ids=list(pool_customers))
        if low <= r["load_percent"] <= high
    }
    chosen = _sample(rng, rows, count)
    series = sorted(float(a) for a in CT_PRIMARIES_A)
    for pk in chosen:
        needed = rows[pk]["current_a"] * 5  # the load at 20 % of the rating
        primary = next((a for a in series if a >= needed), math.ceil(needed / 100) * 100)
        MeteringPoint.objects.filter(pk=pk).update(ct_primary_a=Decimal(str(primary)))
    return [f"metering-point:{pk}" for pk in chosen]


@audit_injector("JL-02")
def inject_jl02(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Three-phase three-wire meters that report current-imbalance events in the month (meter store)."""
    from gridcheck.readings.selectors import meter_store

    ctx = _context(month, on, "JL-02")
    found = {h.key for h in RULES["JL-02"].function(ctx)}
    pool = _ours(three_wire_meters(ctx), "metering_point__customer_id").values_list("pk", "asset_number")
    candidates = {pk: asset for pk, asset in pool if f"meter:{pk}" not in found}
    chosen = _sample(rng, candidates, count)
    if chosen:
        stamps = [
            pd.Timestamp(
                datetime.datetime.combine(month.replace(day=1 + rng.randrange(27)), datetime.time(9))
            ).tz_localize("Asia/Shanghai")
            for _ in chosen
        ]
        frame = pd.DataFrame(
            {
                "meter_id": [candidates[pk] for pk in chosen],
                "timestamp": stamps,
                "event_code": ["current_imbalance"] * len(chosen),
            }
        )
        meter_store().upsert("events", frame, columns=["meter_id", "timestamp", "event_code"])
    return [f"meter:{pk}" for pk in chosen]


@audit_injector("JL-03")
def inject_jl03(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Meters whose nameplate in the archive becomes a narrow-range one (maximum current twice the basic)."""
    pool = _meters(2).filter(
        accuracy_class__in=USUAL_CLASSES,
        install_date__gte=datetime.date(2009, 1, 1),
        max_current_a__gte=F("rated_current_a") * 4,
    )
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Meter.objects.filter(pk__in=chosen).update(max_current_a=F("rated_current_a") * 2)
    return [f"meter:{pk}" for pk in chosen]


@audit_injector("JL-04")
def inject_jl04(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Young meters whose install date in the archive is moved ten years back (past either period)."""
    end = month_end(month)
    young = end.replace(year=end.year - 5, day=1)
    pool = _meters(3).filter(install_date__gte=young).exclude(accuracy_class__in=PRECISION_CLASSES)
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Meter.objects.filter(pk__in=chosen).update(install_date=end.replace(year=end.year - 10, day=1))
    return [f"meter:{pk}" for pk in chosen]


@audit_injector("JL-05")
def inject_jl05(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Meter changes recorded in the middle of the month at points that keep their replaced meter; no seal
    is recorded on the meter put in."""
    removed = Meter.objects.filter(metering_point=OuterRef("metering_point_id"), status=MeterStatus.REMOVED)
    exchanged = MeterExchange.objects.filter(customer_id=OuterRef("metering_point__customer_id"))
    pool = _meters(4).filter(Exists(removed)).exclude(Exists(exchanged))
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    changed_on = month.replace(day=15)
    keys = []
    for meter in Meter.objects.filter(pk__in=chosen).select_related("metering_point__customer"):
        point = meter.metering_point
        old = (
            Meter.objects.filter(metering_point=point, status=MeterStatus.REMOVED)
            .order_by("-install_date")
            .first()
        )
        exchange = MeterExchange.objects.create(
            metering_point=point,
            customer=point.customer,
            station_id=point.customer.station_id,
            changed_on=changed_on,
            old_meter=old,
            new_meter=meter,
            old_multiplier=point.multiplier,
            new_multiplier=point.multiplier,
        )
        keys.append(f"exchange:{exchange.pk}")
    return keys


@audit_injector("JL-06")
def inject_jl06(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Sealing pliers signed out to a member of staff ten to forty days before the run and not returned."""
    stations = [s for s in Station.objects.order_by("pk") if _staff(s.pk)]
    keys = []
    for n in range(count if stations else 0):
        station = rng.choice(stations)
        staff = _staff(station.pk)
        code = f"FQ-{station.code}-{n + 1:03d}"
        while Pliers.objects.filter(code=code).exists():
            code += "A"
        pliers = Pliers.objects.create(
            station=station, code=code, description="防撬封钳", status=PliersStatus.ISSUED, holder=staff[0]
        )
        issued = timezone.make_aware(
            datetime.datetime.combine(on - datetime.timedelta(days=rng.randint(10, 40)), datetime.time(9))
        )
        loan = PliersLoan.objects.create(
            pliers=pliers,
            issued_to=staff[0],
            issued_by=staff[-1],
            issued_at=issued,
            purpose=rng.choice(["换表", "新装接电", "营业普查", "用电检查"]),
        )
        keys.append(f"pliers-loan:{loan.pk}")
    return keys


@audit_injector("JL-07")
def inject_jl07(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """A batch of seals received by a station, ``count`` of them issued to staff 45 to 120 days before the
    run and never used, broken or returned."""
    stations = [s for s in Station.objects.order_by("pk") if _staff(s.pk)]
    if not stations:
        return []
    station = rng.choice(stations)
    staff = _staff(station.pk)
    prefix = f"F{station.code}"
    start = (
        max(SealBatch.objects.filter(prefix=prefix).values_list("end_number", flat=True), default=900000) + 1
    )
    received = on - datetime.timedelta(days=150)
    batch = SealBatch.objects.create(
        station=station, prefix=prefix, start_number=start, end_number=start + count - 1, received_on=received
    )
    keys = []
    for n in range(count):
        seal = Seal.objects.create(
            batch=batch,
            station=station,
            number=f"{prefix}{start + n:06d}",
            status=SealStatus.ISSUED,
            holder=staff[0],
        )
        issued = timezone.make_aware(
            datetime.datetime.combine(on - datetime.timedelta(days=rng.randint(45, 120)), datetime.time(9))
        )
        SealMovement.objects.create(
            seal=seal, kind=SealMovementKind.ISSUE, staff=staff[0], by=staff[-1], at=issued
        )
        keys.append(f"seal:{seal.pk}")
    return keys


@audit_injector("JL-08")
def inject_jl08(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Active customers whose meters are all recorded as removed (supply goes on, unmetered)."""
    pool = _ours(Customer.objects.filter(status="active", connected_on__lte=month_end(month)), slot=5)
    pool = pool.filter(
        Exists(Meter.objects.filter(metering_point__customer=OuterRef("pk"), status=MeterStatus.IN_SERVICE))
    )
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Meter.objects.filter(metering_point__customer_id__in=chosen).update(status=MeterStatus.REMOVED)
    return [f"customer:{pk}" for pk in chosen]


@audit_injector("JL-09")
def inject_jl09(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Customers on a tariff without a demand charge whose reading of the month records a maximum demand
    of 1.3 to 2 times their contracted capacity."""
    ctx = _context(month, on, "JL-09")
    found = {h.key for h in RULES["JL-09"].function(ctx)}
    ct_points = MeteringPoint.objects.filter(customer_id=OuterRef("customer_id"), ct_primary_a__isnull=False)
    readings = _ours(
        MeterReading.objects.filter(
            cycle__period=month, customer__status="active", customer__tariff_code__in=FLAT_TARIFFS
        ),
        "customer_id",
        6,
    ).exclude(Exists(ct_points))
    by_customer = {}
    for pk, customer_id in readings.order_by("pk").values_list("pk", "customer_id"):
        if f"customer:{customer_id}" not in found:
            by_customer.setdefault(customer_id, pk)
    chosen = _sample(rng, by_customer, count)
    capacity = dict(Customer.objects.filter(pk__in=chosen).values_list("pk", "contracted_capacity_kva"))
    for customer_id in chosen:
        demand = (capacity[customer_id] * Decimal(str(round(rng.uniform(1.3, 2.0), 2)))).quantize(
            Decimal("0.01")
        )
        MeterReading.objects.filter(pk=by_customer[customer_id]).update(max_demand_kw=demand)
    return [f"customer:{pk}" for pk in chosen]
