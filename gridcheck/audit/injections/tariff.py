"""Demo injectors of this module's audit rules (see ``gridcheck.audit.engine.audit_injector``).

Each changes the demo county so that ``count`` facts of its rule exist and returns their keys. Subjects
are customers with ``pk % 8 == 1`` (this module's share of the demo county); the archive injectors split
that share further (``(pk // 8) % 4``) so that one customer carries one injected fact. An injector picks
only subjects its rule does not find yet and that the injectors run before it (in code order) left
fitting, and changes nothing another rule of this module reads about them.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import Mod
from django.utils import timezone

from gridcheck.archive.models import Customer
from gridcheck.audit.engine import audit_injector
from gridcheck.billing.models import Bill, BillAdjustment, BillingTerms, MeterExchange, MeterReading
from gridcheck.core.periods import month_add

RESIDUE = 1
HIGH_VOLTAGES = ("10kV", "35kV")
TOU_KEY = "time_of_use_prices_yuan_per_kwh"
PF_KEY = "power_factor_class"
LOSS_KEY = "transformer_loss"


def _ours(queryset, field: str = "pk", slot: int | None = None):
    """``queryset`` limited to this module's customers (by ``field``, a customer id), optionally one slot."""
    queryset = queryset.annotate(_r=Mod(F(field), 8)).filter(_r=RESIDUE)
    if slot is not None:
        queryset = queryset.annotate(_s=Mod((F(field) - RESIDUE) / 8, 4)).filter(_s=slot)
    return queryset


def _sample(rng: random.Random, pks, count: int) -> list:
    pks = sorted(set(pks))
    return sorted(rng.sample(pks, min(count, len(pks))))


def _bills(month: datetime.date, **filters):
    return _ours(Bill.objects.filter(period=month, **filters), "customer_id")


def _customers(slot: int | None = None, **filters):
    return _ours(Customer.objects.filter(status="active", **filters), slot=slot)


def _exchanged(first: datetime.date, last: datetime.date):
    """Customers whose meter was changed in the months ``first`` .. ``last`` (their bills have two parts)."""
    return MeterExchange.objects.filter(
        changed_on__gte=month_add(first, -1), changed_on__lte=month_add(last, 1)
    ).values("customer_id")


def _set_inputs(pks: list[int], change) -> None:
    bills = list(Bill.objects.filter(pk__in=pks).only("pk", "inputs"))
    for bill in bills:
        bill.inputs = change(dict(bill.inputs))
    Bill.objects.bulk_update(bills, ["inputs"], batch_size=500)


@audit_injector("DF-01")
def inject_df01(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Residential customers put on the general commercial tariff."""
    pool = _customers(0, category="residential", tariff_code__in=["RES-1", "RES-TOU"])
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Customer.objects.filter(pk__in=chosen).update(tariff_code="GEN-1")
    return [f"customer:{pk}" for pk in chosen]


@audit_injector("DF-02")
def inject_df02(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Large industrial customers moved from the time-of-use large-industry tariff to the flat 10 kV one;
    if too few, time-of-use bills of the month priced flat."""
    pool = _customers(
        category="industrial",
        voltage_level__in=HIGH_VOLTAGES,
        contracted_capacity_kva__gte=315,
        tariff_code__in=["LI-10", "LI-35"],
    )
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Customer.objects.filter(pk__in=chosen).update(tariff_code="GEN-10")
    keys = [f"customer:{pk}" for pk in chosen]
    if len(keys) < count:
        bills = _bills(month, inputs__has_key=TOU_KEY).exclude(customer_id__in=chosen)
        more = _sample(rng, bills.values_list("pk", flat=True), count - len(keys))
        _set_inputs(more, lambda i: {k: v for k, v in i.items() if k != TOU_KEY})
        keys += [f"bill:{pk}" for pk in more]
    return keys


@audit_injector("DF-03")
def inject_df03(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Industrial customers under the time-of-use scope put on the large-industry time-of-use tariff; if
    too few, residential bills of the month priced by time of use."""
    pool = _customers(
        category="industrial", voltage_level="10kV", contracted_capacity_kva__lt=315, tariff_code="GEN-10"
    )
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Customer.objects.filter(pk__in=chosen).update(tariff_code="LI-10")
    keys = [f"customer:{pk}" for pk in chosen]
    if len(keys) < count:
        bills = _bills(month, tariff_code="RES-1").exclude(inputs__has_key=TOU_KEY)
        more = _sample(rng, bills.values_list("pk", flat=True), count - len(keys))
        prices = {"peak": "0.9093", "flat": "0.5683", "valley": "0.2557"}
        _set_inputs(more, lambda i: {**i, TOU_KEY: prices})
        keys += [f"bill:{pk}" for pk in more]
    return keys


@audit_injector("DF-04")
def inject_df04(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Bills of non-residential customers without the power-factor adjustment where it is due: the
    adjustment dropped from a due customer's bill, or a customer's capacity raised to 100 kVA."""
    bills = _bills(month, energy_kwh__gt=0).exclude(customer__category="residential")
    rows = list(bills.values_list("pk", "customer_id", "customer__contracted_capacity_kva", "inputs"))
    due = {r[0]: r for r in rows if r[2] >= 100 and PF_KEY in r[3]}
    small = {r[0]: r for r in rows if r[2] < 100 and PF_KEY not in r[3]}
    chosen = _sample(rng, list(due) + list(small), count)
    _set_inputs([pk for pk in chosen if pk in due], lambda i: {k: v for k, v in i.items() if k != PF_KEY})
    Bill.objects.filter(pk__in=[pk for pk in chosen if pk in due]).update(
        power_factor=None, power_factor_yuan=0
    )
    Customer.objects.filter(pk__in=[small[pk][1] for pk in chosen if pk in small]).update(
        contracted_capacity_kva=Decimal(100)
    )
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-05")
def inject_df05(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Residential bills given the power-factor adjustment."""
    bills = _bills(month, customer__category="residential").exclude(inputs__has_key=PF_KEY)
    chosen = _sample(rng, bills.values_list("pk", flat=True), count)
    _set_inputs(chosen, lambda i: {**i, PF_KEY: "non_industrial"})
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-06")
def inject_df06(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Residential customers switched between the tiered and the time-of-use residential tariff in the
    audited month with no application (a history row; the earlier rows dated before it)."""
    pool = _customers(1, category="residential", tariff_code__in=["RES-1", "RES-TOU"])
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    tz = timezone.get_current_timezone()
    when = datetime.datetime.combine(month.replace(day=15), datetime.time(10), tzinfo=tz)
    history = Customer.history.model
    history.objects.filter(id__in=chosen, history_date__gte=when).update(
        history_date=when - datetime.timedelta(days=30)
    )
    customers = list(Customer.objects.filter(pk__in=chosen))
    for customer in customers:
        customer.tariff_code = "RES-TOU" if customer.tariff_code == "RES-1" else "RES-1"
    Customer.objects.bulk_update(customers, ["tariff_code"])
    created = Customer.history.bulk_history_create(customers, update=True, default_date=when)
    return [f"customer-change:{row.history_id}" for row in sorted(created, key=lambda r: r.history_id)]


@audit_injector("DF-07")
def inject_df07(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Low-voltage commercial customers put on the cheaper 1-10 kV general tariff."""
    pool = _customers(2, category="commercial", voltage_level__in=["220V", "380V"], tariff_code="GEN-1")
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    Customer.objects.filter(pk__in=chosen).update(tariff_code="GEN-10")
    return [f"customer:{pk}" for pk in chosen]


LOSS = {"no_load_loss_kw": "0.1", "load_loss_kw": "0.6", "hours": "720", "capacity_kva": "50"}


@audit_injector("DF-08")
def inject_df08(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Transformer loss added to bills of low-voltage customers without low-side metering terms."""
    bills = _bills(
        month, customer__voltage_level__in=["220V", "380V"], customer__billing_terms__isnull=True
    ).exclude(inputs__has_key=LOSS_KEY)
    chosen = _sample(rng, bills.values_list("pk", flat=True), count)
    _set_inputs(chosen, lambda i: {**i, LOSS_KEY: LOSS})
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-09")
def inject_df09(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Low-side metering terms recorded for customers whose bill of the month has no transformer loss."""
    bills = _bills(month, customer__billing_terms__isnull=True).exclude(inputs__has_key=LOSS_KEY)
    rows = dict(bills.values_list("pk", "customer_id"))
    chosen = _sample(rng, rows, count)
    customers = Customer.objects.in_bulk([rows[pk] for pk in chosen])
    BillingTerms.objects.bulk_create(
        [
            BillingTerms(
                customer=c,
                station_id=c.station_id,
                area_id=c.area_id,
                low_side_metering=True,
                transformer_capacity_kva=Decimal(50),
                no_load_loss_kw=Decimal("0.1"),
                load_loss_kw=Decimal("0.6"),
            )
            for c in customers.values()
        ]
    )
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-10")
def inject_df10(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """The multiplier reported with a reading of the month set to twice the archive's."""
    readings = _ours(MeterReading.objects.filter(cycle__period=month), "customer_id").filter(
        Q(multiplier_read__isnull=True) | Q(multiplier_read=F("meter__metering_point__multiplier"))
    )
    rows = dict(readings.values_list("pk", "meter__metering_point__multiplier"))
    chosen = _sample(rng, rows, count)
    MeterReading.objects.bulk_update(
        [MeterReading(pk=pk, multiplier_read=rows[pk] * 2) for pk in chosen], ["multiplier_read"]
    )
    return [f"reading:{pk}" for pk in chosen]


@audit_injector("DF-11")
def inject_df11(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """The renewable-energy surcharge charged on residential bills (exempt)."""
    bills = _bills(month, tariff_code__in=["RES-1", "RES-TOU"], funds_yuan=0, energy_kwh__gte=10)
    rows = dict(bills.values_list("pk", "energy_kwh"))
    chosen = _sample(rng, rows, count)
    Bill.objects.bulk_update(
        [Bill(pk=pk, funds_yuan=(rows[pk] * Decimal("0.019")).quantize(Decimal("0.01"))) for pk in chosen],
        ["funds_yuan"],
    )
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-12")
def inject_df12(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Refunds of last month's issued bills approved by the clerk who prepared them."""
    bills = _bills(month_add(month, -1), status="issued", adjustments__isnull=True)
    rows = {b.pk: b for b in bills.exclude(prepared_by__isnull=True).defer("inputs", "calculation")}
    chosen = _sample(rng, rows, count)
    now = timezone.now()
    made = BillAdjustment.objects.bulk_create(
        [
            BillAdjustment(
                bill=rows[pk],
                station_id=rows[pk].station_id,
                area_id=rows[pk].area_id,
                kind="correction",
                reason="演示：抄表数据录入错误，按核实电量退费",
                amount_yuan=Decimal("-10.00"),
                status="approved",
                prepared_by_id=rows[pk].prepared_by_id,
                decided_by_id=rows[pk].prepared_by_id,
                decided_at=now,
            )
            for pk in chosen
        ]
    )
    return [f"adjustment:{a.pk}" for a in made]


@audit_injector("DF-13")
def inject_df13(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Meters read the last three months, their three readings turned into estimates."""
    first = month_add(month, -2)
    readings = _ours(
        MeterReading.objects.filter(cycle__period__gte=first, cycle__period__lte=month), "customer_id"
    )
    meters = (
        readings.values("meter_id")
        .annotate(n=Count("pk"), estimated=Count("pk", filter=Q(source="estimated")))
        .filter(n=3, estimated=0)
        .values_list("meter_id", flat=True)
    )
    chosen = _sample(rng, meters, count)
    readings.filter(meter_id__in=chosen).update(source="estimated")
    return [f"meter:{pk}" for pk in chosen]


@audit_injector("DF-14")
def inject_df14(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """One reading of an area's cycle turned into an estimate, in areas and months read 100 %."""
    first = month_add(month, -11)
    readings = MeterReading.objects.filter(cycle__period__gte=first, cycle__period__lte=month)
    clean = (
        readings.values("cycle_id", "area_id", "cycle__period")
        .annotate(estimated=Count("pk", filter=Q(source="estimated")))
        .filter(estimated=0)
    )
    cells = sorted((r["cycle_id"], r["area_id"], r["cycle__period"]) for r in clean)
    chosen = sorted(rng.sample(cells, min(count, len(cells))))
    estimated_meters = set(readings.filter(source="estimated").values_list("meter_id", flat=True))
    keys, turned = [], []
    for cycle_id, area_id, period in chosen:
        candidates = [
            (pk, meter_id)
            for pk, meter_id in readings.filter(cycle_id=cycle_id, area_id=area_id)
            .order_by("pk")
            .values_list("pk", "meter_id")
            if meter_id not in estimated_meters
        ]
        if not candidates:
            continue
        pk, meter_id = rng.choice(candidates)
        estimated_meters.add(meter_id)  # one estimate per meter: never several in a row
        turned.append(pk)
        keys.append(f"area-cycle:{area_id}:{period:%Y-%m}")
    MeterReading.objects.filter(pk__in=turned).update(source="estimated")
    return keys


@audit_injector("DF-15")
def inject_df15(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Residential customers whose last three months read no energy: their readings of those months set
    to the registers of the month before, their bills to zero."""
    first, before = month_add(month, -2), month_add(month, -3)
    bills = _ours(
        Bill.objects.filter(
            period__gte=first, period__lte=month, customer__category="residential", customer__status="active"
        ),
        "customer_id",
    )
    customers = (
        bills.exclude(customer_id__in=_exchanged(first, month))
        .values("customer_id")
        # Not a bill another injector charged a fund on (DF-11): zeroing it would undo that fact.
        .annotate(n=Count("pk"), low=Count("pk", filter=Q(energy_kwh__lte=0) | Q(funds_yuan__gt=0)))
        .filter(n=3, low=0)
        .values_list("customer_id", flat=True)
    )
    readings = MeterReading.objects.filter(cycle__period__gte=before, cycle__period__lte=month)
    start = {
        r.meter_id: r
        for r in readings.filter(cycle__period=before, customer_id__in=list(customers), total__isnull=False)
    }
    later = readings.filter(cycle__period__gte=first, meter_id__in=list(start))
    per_customer = later.values("customer_id").annotate(n=Count("pk")).filter(n=3)
    chosen = _sample(rng, per_customer.values_list("customer_id", flat=True), count)
    updates = []
    for reading in later.filter(customer_id__in=chosen):
        origin = start[reading.meter_id]
        for name in ("total", "peak", "flat", "valley", "reactive"):
            setattr(reading, name, getattr(origin, name))
        updates.append(reading)
    MeterReading.objects.bulk_update(updates, ["total", "peak", "flat", "valley", "reactive"], batch_size=500)
    Bill.objects.filter(customer_id__in=chosen, period__gte=first, period__lte=month).update(
        energy_kwh=0, energy_charge_yuan=0, funds_yuan=0, total_yuan=0
    )
    return [f"customer:{pk}" for pk in chosen]


@audit_injector("DF-16")
def inject_df16(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Last month's issued bills recorded as checked by the clerk who prepared them."""
    bills = _bills(month_add(month, -1), status="issued", prepared_by__isnull=False).exclude(
        checked_by_id=F("prepared_by_id")
    )
    chosen = _sample(rng, bills.values_list("pk", flat=True), count)
    Bill.objects.filter(pk__in=chosen).update(checked_by_id=F("prepared_by_id"))
    return [f"bill:{pk}" for pk in chosen]


@audit_injector("DF-17")
def inject_df17(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Residential bills of the month whose energy is doubled (the readings kept)."""
    bills = _bills(month, customer__category="residential", energy_kwh__gte=50).exclude(
        inputs__has_key=LOSS_KEY
    )
    rows = dict(bills.values_list("pk", "energy_kwh"))
    chosen = _sample(rng, rows, count)
    Bill.objects.bulk_update([Bill(pk=pk, energy_kwh=rows[pk] * 2) for pk in chosen], ["energy_kwh"])
    return [f"bill:{pk}" for pk in chosen]
