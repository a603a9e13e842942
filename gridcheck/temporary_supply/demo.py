"""The demo county's temporary supplies (临时用电), built through the same services people use.

About a dozen supplies spread over the stations (areas drawn with a fixed seed): most connected and
active, two ending within the reminder days, one past its end and not yet ended (overdue: the next
daily job ends it), one approved but without its prepayment, one waiting for approval, one with an
extension waiting for approval, one metered, one closed early with its settlement and refund; and
one unauthorised connection made by a member of staff (the station's fine, for the assessment).

Idempotent: nothing is added when temporary supplies exist already.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from gridcheck.core.roles import Role

DAY = datetime.timedelta(days=1)
PURPOSES = ("工地施工", "农田抗旱排灌", "集镇庙会", "道路施工", "房屋修建", "临时展销")

#: (kind, start offset [days from ``on``], length [days], metering) of each demo supply.
PLAN = (
    ("active", -30, 120, "capacity_time"),
    ("active", -20, 150, "capacity_time"),
    ("active", -45, 170, "meter"),
    ("active", -10, 90, "capacity_time"),
    ("ending", -150, 157, "capacity_time"),
    ("ending", -120, 132, "meter"),
    ("overdue", -100, 98, "capacity_time"),
    ("unprepaid", 0, 60, "capacity_time"),
    ("applied", 5, 90, "capacity_time"),
    ("extension", -60, 70, "capacity_time"),
    ("closed", -60, 90, "capacity_time"),
    ("active", -15, 100, "meter"),
)


def _people(station):
    from gridcheck.users.models import User

    staff = User.objects.filter(is_active=True)

    def first(**filters):
        return staff.filter(**filters).order_by("pk").first()

    admin = first(role=Role.ADMINISTRATOR, station=None)
    head = first(role=Role.STATION_HEAD, station=station)
    auditor = first(role=Role.AUDITOR, station=station)
    preparer = auditor or head or admin
    approver = next((p for p in (head, admin) if p is not None and p != preparer), None)
    collector = first(role=Role.METER_READER, station=station) or admin
    return preparer, approver, collector, first(role=Role.METER_READER, station=station) or auditor


@contextlib.contextmanager
def _as_of(day: datetime.date):
    """Run a step of the demo's history on ``day``: "today" is ``day`` for the services inside.

    The demo compresses months into one call. A supply connected in the past whose contract has ended
    since (the overdue one) could not be connected today (no supply without a contract in force
    *today*); it is connected as it was, on its start day. Used by the demo only.
    """
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None and timezone is None else real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def _tariff_code(on: datetime.date) -> str | None:
    from gridcheck.archive.models import Tariff

    tariff = (
        Tariff.objects.filter(category="general", effective_from__lte=on).order_by("code").first()
        or Tariff.objects.filter(effective_from__lte=on).order_by("code").first()
    )
    return tariff.code if tariff else None


def demo_temporary_supply_build(*, on: datetime.date, seed: int = 7) -> dict:
    """Build the demo temporary supplies as of ``on`` (not after today); returns counts by kind."""
    from gridcheck.archive.models import Area, Station
    from gridcheck.collection.choices import PaymentChannel, PaymentKind
    from gridcheck.collection.services.payments import payment_post
    from gridcheck.temporary_supply import services
    from gridcheck.temporary_supply.models import TemporarySupply, UnauthorisedConnection

    counts = {kind: 0 for kind, *_ in PLAN} | {"supplies": 0, "unauthorised": 0}
    if TemporarySupply.objects.exists():
        counts["supplies"] = TemporarySupply.objects.count()
        counts["unauthorised"] = UnauthorisedConnection.objects.count()
        return counts
    code = _tariff_code(on)
    stations = list(Station.objects.order_by("code"))
    if code is None or not stations:
        return counts
    rng = random.Random(seed)
    areas = {s.pk: list(Area.objects.filter(station=s).order_by("code")) for s in stations}
    # Stations with areas and two people (one prepares, another approves).
    stations = [s for s in stations if areas[s.pk] and None not in _people(s)[:2]]
    if not stations:
        return counts
    with transaction.atomic():
        for n, (kind, offset, length, mode) in enumerate(PLAN):
            station = stations[n % len(stations)]
            preparer, approver, collector, _staff = _people(station)
            if preparer is None or approver is None:
                continue
            area = rng.choice(areas[station.pk])
            start = on + offset * DAY
            supply = services.temporary_supply_apply(
                user=preparer,
                area=area,
                applicant_name=f"{rng.choice('张王李赵刘陈杨黄')}某（{rng.choice(PURPOSES)}）",
                applicant_phone=f"139{rng.randrange(10**8):08d}",
                applied_on=min(start, on) - 3 * DAY,
                purpose=rng.choice(PURPOSES),
                address=f"{area.name}附近{n + 1}号地块",
                capacity_kva=Decimal(rng.choice((10, 16, 20, 30, 50))),
                tariff_code=code,
                start_on=start,
                end_on=start + (length - 1) * DAY,
                metering_mode=mode,
                hours_per_day=Decimal("8") if mode == "capacity_time" else None,
                meter_asset_number=f"LSM{station.code}{n:03d}" if mode == "meter" else "",
            )
            counts["supplies"] += 1
            counts[kind] += 1
            if kind == "applied":
                continue
            supply = services.temporary_supply_approve(
                user=approver, supply=supply, on=min(start, on), prepayment_yuan=None
            )
            if kind == "unprepaid":
                continue
            payment_post(
                user=collector,
                customer=supply.customer,
                amount_yuan=supply.prepayment_yuan,
                channel=PaymentChannel.COUNTER,
                idempotency_key=f"demo-temporary-supply-{supply.number}",
                kind=PaymentKind.TOP_UP,
                note=str(supply.number),
            )
            reading = {"initial_reading_kwh": Decimal("0")} if mode == "meter" else {}
            with _as_of(start):
                supply = services.temporary_supply_connect(user=preparer, supply=supply, on=start, **reading)
            if kind == "extension":
                services.temporary_supply_extension_request(
                    user=preparer,
                    supply=supply,
                    new_end_on=supply.end_on + 60 * DAY,
                    reason="工期延长",
                    requested_on=on - 2 * DAY,
                )
            elif kind == "closed":  # the work finished early: closed, settled and refunded
                services.temporary_supply_close(
                    user=preparer, supply=supply, completion="removed", closed_on=on - 2 * DAY
                )
        station = stations[0]
        preparer, _approver, _collector, staff = _people(station)
        if staff is not None and preparer is not None:
            services.unauthorised_connection_record(
                user=preparer,
                area=areas[station.pk][0],
                found_on=on - 5 * DAY,
                address=f"{areas[station.pk][0].name}村口晒场",
                connected_by="staff",
                staff=staff,
                facts="未办理临时用电手续、未预交电费即私自搭接临时电源供农户脱粒机使用",
            )
            counts["unauthorised"] += 1
    return counts
