"""The demo county's metering asset ledger (计量装置台账).

``demo_metering_build`` runs after the archive is imported (any size; bulk work, so 60,000 meters take
seconds) and is idempotent: a second call keeps what exists and adds nothing.

- a small catalogue of device types, one of them obsolete (a mechanical meter type);
- a meter asset for every archive meter (``services.assets_sync_from_archive``: verified on its install
  date, the due date from the rule table), typed by phase; about one single-phase meter in 37 is of the
  obsolete type;
- three CTs (A, B, C) at every CT-metered point (CT ratio above 1);
- a dozen meters due for rotation within the reminder window and a dozen overdue (verification dates
  set back; the rest follow the archive);
- each station's stock: five new meters and three CTs;
- at the first station with two metering staff: one passed acceptance, one meter change (registers,
  seals through the seals app, archive updated), two faults (one repaired) and one open rectification
  notice already past its deadline.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Mod
from django.utils import timezone

from gridcheck.archive.models import MeteringPoint, Station
from gridcheck.core.rules import rule_int
from gridcheck.metering import services
from gridcheck.metering.choices import ACCEPTANCE_CHECKLIST, AssetKind, AssetStatus
from gridcheck.metering.models import Asset, DeviceType, MeterChange

TYPES = [
    # kind, manufacturer, type, class, approval, obsolete reason
    ("meter", "华立科技股份有限公司", "DDZY285-Z", "2", "CMC-2019-F321", ""),
    ("meter", "威胜集团有限公司", "DTZY341", "1", "CMC-2018-F112", ""),
    ("meter", "某电表厂", "DD862-4", "2", "", "感应式机械表，已列入淘汰目录，到期或故障即更换为智能表"),
    ("ct", "大连第一互感器有限责任公司", "LMZJ1-0.66", "0.5S", "CMC-2017-T045", ""),
    ("pt", "江苏靖江互感器股份有限公司", "JDZ10-10", "0.5", "CMC-2016-T201", ""),
]
OBSOLETE_EVERY = 37  # about one single-phase meter in 37 is of the obsolete type
SAMPLE = 12  # meters set due soon, and as many overdue
CT_PHASES = ("A", "B", "C")


def _types() -> dict[str, DeviceType]:
    out = {}
    for kind, manufacturer, model, klass, approval, obsolete in TYPES:
        device_type, _created = DeviceType.objects.get_or_create(
            kind=kind,
            manufacturer=manufacturer,
            model_number=model,
            defaults={
                "accuracy_class": klass,
                "approval_number": approval,
                "obsolete": bool(obsolete),
                "obsolete_reason": obsolete,
                "obsolete_on": datetime.date(2020, 1, 1) if obsolete else None,
            },
        )
        out[model] = device_type
    return out


def _type_meters(types: dict[str, DeviceType]) -> None:
    untyped = Asset.objects.filter(kind=AssetKind.METER, device_type__isnull=True)
    obsolete = untyped.filter(phase="single").annotate(m=Mod(F("pk"), OBSOLETE_EVERY)).filter(m=0)
    Asset.objects.filter(pk__in=obsolete.values("pk")).update(device_type=types["DD862-4"])
    untyped.filter(phase="single").update(device_type=types["DDZY285-Z"])
    untyped.filter(phase="three").update(device_type=types["DTZY341"])


def _cts(types: dict[str, DeviceType], on: datetime.date) -> int:
    from simple_history.utils import bulk_create_with_history

    points = (
        MeteringPoint.objects.filter(ct_ratio__gt=1)
        .exclude(metering_assets__kind=AssetKind.CT)
        .values("pk", "code", "ct_ratio", "ct_primary_a", "customer__station_id", "customer__connected_on")
    )
    cache: dict = {}
    ct_type = types["LMZJ1-0.66"]
    created = 0
    batch = []
    for point in points.iterator(chunk_size=2000):
        verified = point["customer__connected_on"] or services.add_years(on, -3)
        primary = point["ct_primary_a"]
        for phase in CT_PHASES:
            batch.append(
                Asset(
                    kind=AssetKind.CT,
                    asset_number=f"CT-{point['code']}-{phase}",
                    device_type=ct_type,
                    manufacturer=ct_type.manufacturer,
                    accuracy_class=ct_type.accuracy_class,
                    ratio=point["ct_ratio"],
                    rated_primary=f"{primary.normalize():f}/5" if primary else "",
                    first_verified_on=verified,
                    last_verified_on=verified,
                    due_on=services.due_date(
                        kind=AssetKind.CT,
                        accuracy_class=ct_type.accuracy_class,
                        verified_on=verified,
                        cache=cache,
                    ),
                    status=AssetStatus.INSTALLED,
                    station_id=point["customer__station_id"],
                    metering_point_id=point["pk"],
                    installed_on=verified,
                )
            )
        if len(batch) >= 3000:
            bulk_create_with_history(batch, Asset, batch_size=1000, default_change_reason="演示数据")
            created += len(batch)
            batch = []
    if batch:
        bulk_create_with_history(batch, Asset, batch_size=1000, default_change_reason="演示数据")
        created += len(batch)
    return created


def _due_dates(on: datetime.date) -> int:
    """A dozen meters due within the reminder window, a dozen overdue: picked evenly among the archive's
    meters by id (not the stock), so that a second call picks the same ones."""
    ids = list(
        Asset.objects.filter(kind=AssetKind.METER, meter__isnull=False)
        .exclude(asset_number__startswith="KC")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    step = max(len(ids) // (2 * SAMPLE), 1)
    picked = ids[::step][: 2 * SAMPLE]
    window = rule_int("metering.due_reminder_days", on=on)
    assets = Asset.objects.in_bulk(picked)
    changed = []
    for n, pk in enumerate(picked):
        asset = assets[pk]
        if n % 2 == 0:
            target = on + datetime.timedelta(days=1 + (n * 7) % max(window - 1, 1))
        else:
            target = on - datetime.timedelta(days=15 + n * 11)
        years = rule_int(services.rotation_rule_key(asset.kind, asset.accuracy_class), on=on)
        verified = services.add_years(target, -years)
        asset.last_verified_on = verified
        asset.first_verified_on = min(asset.first_verified_on or verified, verified)
        asset.due_on = services.due_date(
            kind=asset.kind, accuracy_class=asset.accuracy_class, verified_on=verified
        )
        changed.append(asset)
    Asset.objects.bulk_update(changed, ["last_verified_on", "first_verified_on", "due_on"])
    return len(changed)


def _stock(station: Station, types: dict[str, DeviceType], on: datetime.date) -> int:
    made = 0
    verified = on - datetime.timedelta(days=30)
    for i in range(1, 6):
        number = f"KC{station.code}{i:03d}"
        if not Asset.objects.filter(kind=AssetKind.METER, asset_number=number).exists():
            services.asset_receive(
                user=None,
                station=station,
                kind=AssetKind.METER,
                asset_number=number,
                device_type=types["DDZY285-Z"],
                serial_number=f"2026{i:05d}",
                manufactured_on=verified - datetime.timedelta(days=60),
                first_verified_on=verified,
                phase="single",
                rated_current_a=Decimal("5"),
                max_current_a=Decimal("60"),
            )
            made += 1
    for i in range(1, 4):
        number = f"KCCT{station.code}{i:03d}"
        if not Asset.objects.filter(kind=AssetKind.CT, asset_number=number).exists():
            services.asset_receive(
                user=None,
                station=station,
                kind=AssetKind.CT,
                asset_number=number,
                device_type=types["LMZJ1-0.66"],
                first_verified_on=verified,
                ratio=Decimal("40"),
                rated_primary="200/5",
            )
            made += 1
    return made


def _two_people(station: Station):
    from gridcheck.metering.services import MANAGING_ROLES
    from gridcheck.users.models import User

    staff = list(
        User.objects.filter(station=station, is_active=True, role__in=MANAGING_ROLES).order_by(
            "role", "username"
        )
    )
    return (staff[0], staff[1]) if len(staff) >= 2 else None


def _field_work(station: Station, people, on: datetime.date) -> dict:
    """Acceptance, meter change, faults and a notice at one station (once)."""
    from gridcheck.seals import services as seal_services

    user, second = people
    counts = {"changes": 0, "faults": 0, "notices": 0}
    installed = Asset.objects.filter(station=station, kind=AssetKind.METER, status=AssetStatus.INSTALLED)
    old = (
        installed.filter(device_type__obsolete=True).order_by("pk").first()
        or installed.order_by("pk").first()
    )
    new = Asset.objects.filter(asset_number=f"KC{station.code}001", status=AssetStatus.IN_STOCK).first()
    if old is None or new is None:
        return counts
    day = min(on, timezone.localdate())
    services.acceptance_record(
        user=user,
        metering_point=old.metering_point,
        assets=[new],
        checklist={key: True for key, _label in ACCEPTANCE_CHECKLIST},
        second_person=second,
        accepted_on=day - datetime.timedelta(days=8),
        note="换表前新表验收",
    )
    batch = seal_services.seal_batch_create(
        station=station,
        prefix=f"JL{station.code}",
        start_number=1,
        end_number=4,
        received_on=day - datetime.timedelta(days=20),
        received_by=user,
    )
    seals = list(batch.seals.order_by("number"))
    seal_services.seal_issue(seals=seals, staff=user, by=user)
    services.meter_change(
        user=user,
        old_asset=old,
        new_asset=new,
        changed_on=day - datetime.timedelta(days=7),
        reason="obsolete" if old.device_type and old.device_type.obsolete else "rotation",
        old_registers={"total": "3456.78", "peak": "1200.00", "flat": "1500.00", "valley": "756.78"},
        new_registers={"total": "0", "peak": "0", "flat": "0", "valley": "0"},
        second_person=second,
        seals_used=seals[:2],
        note="演示：换表",
    )
    counts["changes"] = 1
    others = list(installed.exclude(pk=old.pk).order_by("-pk")[:2])
    if len(others) == 2:
        repaired = services.asset_fault_record(
            asset=others[0],
            user=user,
            found_on=day - datetime.timedelta(days=40),
            kind="display",
            description="液晶屏显示缺段",
        )
        services.asset_fault_close(fault=repaired, user=user, outcome="repaired", note="现场更换显示模块")
        pending = services.asset_fault_record(
            asset=others[1],
            user=user,
            found_on=day - datetime.timedelta(days=25),
            kind="wiring",
            description="计量箱内接线松动、相序错误",
        )
        services.notice_issue(
            user=user,
            metering_point=others[1].metering_point,
            asset=others[1],
            fault=pending,
            problem="计量装置接线错误，请于期限内配合整改并重新加封",
            issued_on=day - datetime.timedelta(days=24),
        )
        counts["faults"], counts["notices"] = 2, 1
    return counts


def demo_metering_build(*, on: datetime.date, seed: int = 7) -> dict:
    """Build (or complete) the demo county's metering ledger; returns counts of what was added.

    ``seed`` is accepted for the demo's common signature: the choices here are fixed by asset id, so that
    a second call changes nothing.
    """
    types = _types()
    counts = {"types": len(types)}
    counts.update(services.assets_sync_from_archive())
    with transaction.atomic():
        _type_meters(types)
        counts["cts"] = _cts(types, on)
        counts["due_set"] = _due_dates(on)
    stock = 0
    stations = list(Station.objects.order_by("code"))
    for station in stations:
        stock += _stock(station, types, on)
    counts["stock"] = stock
    counts.update(changes=0, faults=0, notices=0)
    if not MeterChange.objects.exists():
        for station in stations:
            people = _two_people(station)
            if people:
                with transaction.atomic():
                    counts.update(_field_work(station, people, on))
                break
    return counts
