"""The demo county's business census (营业普查): one campaign per station for the quarter of ``on``, its
teams of two (an inspector with an area manager, or two inspectors), and the records of a sample of
customers visited through the same service the phone page calls.

About one record in twenty shows something: a use category or capacity that differs from the archive, a
meter number or seal that does not match, a register below the last reading, unmetered load, favour
supply or irregular charges. Two discrepancies are proposed; one category discrepancy is approved by the
station head into a category-change application (billing), which waits there for its check.

Idempotent: a station whose campaign of the quarter exists is kept as it is.
"""

from __future__ import annotations

import base64
import datetime
import io
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridcheck.archive.choices import CustomerStatus, TariffCategory
from gridcheck.archive.models import Area, Customer, Meter, Station, Tariff
from gridcheck.census import services
from gridcheck.census.choices import DiscrepancyKind, Resolution
from gridcheck.census.models import CensusCampaign, Discrepancy
from gridcheck.core.periods import quarter_bounds, quarter_of
from gridcheck.core.roles import Role

TZ = ZoneInfo("Asia/Shanghai")
#: Customers visited at most, over the whole county [customers].
SAMPLE_MAX = 300
#: Share of visited customers with a discrepancy.
DISCREPANCY_SHARE = 0.05
ODD_KINDS = ["category", "capacity", "meter", "seal", "reading", "unmetered", "favour", "charge"]


def _image() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), (90, 120, 160)).save(buffer, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def _staff(station, role):
    from gridcheck.users.models import User

    return list(User.objects.filter(station=station, role=role, is_active=True).order_by("username"))


def _teams(station, areas) -> list[dict]:
    inspectors = _staff(station, Role.INSPECTOR)
    managers = _staff(station, Role.AREA_MANAGER)
    teams = []
    for n, inspector in enumerate(inspectors):
        partner = (
            managers[n] if n < len(managers) else (inspectors[n + 1] if n + 1 < len(inspectors) else None)
        )
        if partner is None and teams:
            break
        if partner is None:
            return []
        teams.append(
            {"name": f"普查{n + 1}组", "members": [inspector, partner], "areas": [], "recorder": inspector}
        )
    for i, area in enumerate(areas):
        teams[i % len(teams)]["areas"].append(area)
    return [t for t in teams if t["areas"]]


def _last_readings(meter_ids) -> dict:
    from gridcheck.billing.models import MeterReading

    last = {}
    for meter_id, total, read_on in (
        MeterReading.objects.filter(meter_id__in=meter_ids)
        .order_by("read_on")
        .values_list("meter_id", "total", "read_on")
    ):
        last[meter_id] = (total, read_on)
    return last


def _last_daily_energy(customer_ids) -> dict:
    from gridcheck.billing.models import Bill

    daily = {}
    rows = Bill.objects.filter(customer_id__in=customer_ids).order_by("period")
    for customer_id, energy, start, end in rows.values_list(
        "customer_id", "energy_kwh", "period_start", "period_end"
    ):
        days = (end - start).days
        if days > 0:
            daily[customer_id] = Decimal(energy) / days
    return daily


def demo_census_build(*, on: datetime.date, seed: int = 7) -> dict:
    """Build (or keep) the census of the quarter of ``on`` at every station; returns counts."""
    from gridcheck.seals.models import Seal

    started = time.monotonic()
    rng = random.Random(seed)
    year, q = quarter_of(on)
    first, last = quarter_bounds(year, q)
    stations = list(Station.objects.order_by("code"))
    counts = {
        "campaigns": 0,
        "kept": 0,
        "records": 0,
        "discrepancies": 0,
        "proposed": 0,
        "category_changes": 0,
    }
    per_station = max(1, SAMPLE_MAX // max(len(stations), 1))
    photo = _image()
    commercial = (
        Tariff.objects.filter(category=TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL, effective_from__lte=on)
        .order_by("code")
        .first()
    )
    for station in stations:
        if CensusCampaign.objects.filter(station=station, year=year, quarter=q).exists():
            counts["kept"] += 1
            continue
        heads = _staff(station, Role.STATION_HEAD)
        areas = list(Area.objects.filter(station=station).order_by("code"))
        teams = _teams(station, areas)
        if not heads or not teams:
            continue
        head = heads[0]
        campaign = services.campaign_create(
            user=head,
            station=station,
            quarter=f"{year}Q{q}",
            areas=areas,
            starts_on=first,
            ends_on=max(first, min(last, on)),
            teams=[{k: t[k] for k in ("name", "members", "areas")} for t in teams],
        )
        counts["campaigns"] += 1
        recorder_of = {a.pk: t["recorder"] for t in teams for a in t["areas"]}
        customers = list(
            Customer.objects.filter(station=station, area_id__in=list(recorder_of))
            .exclude(status=CustomerStatus.CLOSED)
            .order_by("account_number")
            .values_list("pk", flat=True)
        )
        sample = sorted(rng.sample(customers, min(per_station, len(customers))))
        meters = {}
        for meter in (
            Meter.objects.filter(metering_point__customer_id__in=sample, status="in_service")
            .select_related("metering_point")
            .order_by("asset_number")
        ):
            meters.setdefault(meter.metering_point.customer_id, meter)
        readings = _last_readings([m.pk for m in meters.values()])
        daily = _last_daily_energy(sample)
        seals: dict[int, list[str]] = {}
        for meter_id, number in Seal.objects.filter(
            meter_id__in=[m.pk for m in meters.values()], status="used"
        ).values_list("meter_id", "number"):
            seals.setdefault(meter_id, []).append(number)
        odd = set(rng.sample(sample, max(1, round(len(sample) * DISCREPANCY_SHARE)))) if sample else set()
        days = max((min(last, on) - first).days, 0)
        for n, customer_id in enumerate(sample):
            customer = Customer.objects.select_related("area", "station").get(pk=customer_id)
            meter = meters.get(customer_id)
            day = first + datetime.timedelta(days=rng.randint(0, days))
            visited = datetime.datetime.combine(
                day, datetime.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=TZ
            )
            data = {
                "certificate_shown": True,
                "consent_given": True,
                "meter_asset_number_seen": meter.asset_number if meter else "",
                "seals_present": True,
                "seal_numbers_seen": sorted(seals.get(meter.pk, [])) if meter else [],
                "category_seen": customer.category,
                "capacity_seen_kva": str(customer.contracted_capacity_kva or ""),
                "load_seen_kw": str(
                    round((customer.contracted_capacity_kva or Decimal(1)) * Decimal("0.4"), 1)
                ),
                "safety_checked": True,
                "publicity_given": True,
                "customer_signer": customer.name[:10],
                "visited_at": visited.isoformat(),
            }
            if meter and meter.pk in readings:
                total, read_on = readings[meter.pk]
                elapsed = max((day - read_on).days, 0)
                per_day = daily.get(customer_id, Decimal(0)) / (meter.metering_point.multiplier or 1)
                data["reading_seen_kwh"] = str(
                    round(total + per_day * elapsed * Decimal(rng.uniform(0.9, 1.1)), 2)
                )
            if customer_id in odd:
                kind = ODD_KINDS[n % len(ODD_KINDS)] if n % 3 else "category"
                data.update(_odd(kind, customer, data))
                data["photos"] = [{"name": "现场.jpg", "data_url": photo}]
                data["customer_signature"] = None
            services.record_save(
                user=recorder_of[customer.area_id], campaign=campaign, customer=customer, data=data
            )
            counts["records"] += 1
        counts.update(_proposals(campaign, head, commercial, counts))
    counts["discrepancies"] = Discrepancy.objects.count()
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _odd(kind: str, customer, data: dict) -> dict:
    if kind == "category":
        return {"category_seen": "commercial" if customer.category == "residential" else "industrial"}
    if kind == "capacity":
        return {"capacity_seen_kva": str((customer.contracted_capacity_kva or Decimal(10)) * 2)}
    if kind == "meter":
        return {"meter_asset_number_seen": "X" + (data["meter_asset_number_seen"] or "0000")[1:]}
    if kind == "seal":
        return {"seals_present": False, "seal_numbers_seen": []}
    if kind == "reading" and data.get("reading_seen_kwh"):
        return {"reading_seen_kwh": "0"}
    if kind == "unmetered":
        return {"unmetered_load_kw": "3.5"}
    if kind == "favour":
        return {"favour_supply": "relationship"}
    return {"irregular_charge": "fees"}


def _proposals(campaign, head, commercial, counts) -> dict:
    """One category discrepancy proposed as a category-change application and approved by the head;
    one other discrepancy proposed as an audit finding and left for the head."""
    discrepancies = Discrepancy.objects.filter(campaign=campaign).select_related(
        "record__recorded_by", "customer"
    )
    category = next(
        (
            d
            for d in discrepancies.filter(kind=DiscrepancyKind.CATEGORY).order_by("pk")
            if commercial
            and d.record.category_seen == "commercial"
            and d.customer.tariff_code != commercial.code
        ),
        None,
    )
    if category is not None:
        proposer = category.record.recorded_by
        category = services.discrepancy_propose(
            user=proposer,
            discrepancy=category,
            resolution=Resolution.CATEGORY_CHANGE,
            note="现场为经营性商铺，按一般工商业电价执行",
            new_tariff_code=commercial.code,
        )
        services.discrepancy_decide(user=head, discrepancy=category, approve=True, note="同意改类")
        counts["proposed"] += 1
        counts["category_changes"] += 1
    other = discrepancies.exclude(kind=DiscrepancyKind.CATEGORY).order_by("pk").first()
    if other is not None:
        services.discrepancy_propose(
            user=other.record.recorded_by,
            discrepancy=other,
            resolution=Resolution.AUDIT_FINDING,
            note="转稽查核实",
        )
        counts["proposed"] += 1
    return counts
