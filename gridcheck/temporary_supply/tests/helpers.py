"""Helpers of temporary supply's tests: an application, its approval, the prepayment, the connection."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gridcheck.collection.choices import PaymentChannel, PaymentKind
from gridcheck.collection.services.payments import payment_post
from gridcheck.temporary_supply import services


def today() -> datetime.date:
    return timezone.localdate()


def apply(county, *, key="east", user="auditor_east", mode="capacity_time", start=None, end=None, **extra):
    start = start or today()
    end = end or start + datetime.timedelta(days=59)
    fields = dict(
        user=county.users[user],
        area=county.areas[f"{key}1"],
        applicant_name="某建筑公司",
        applicant_phone="13800000001",
        applied_on=today(),
        purpose="工地施工",
        address="示范县某镇工地",
        capacity_kva=Decimal("10"),
        tariff_code="GEN-1",
        start_on=start,
        end_on=end,
        metering_mode=mode,
        hours_per_day=Decimal("8") if mode == "capacity_time" else None,
    )
    fields.update(extra)
    return services.temporary_supply_apply(**fields)


def prepay(county, supply, amount=None, *, user="reader_east"):
    return payment_post(
        user=county.users[user],
        customer=supply.customer,
        amount_yuan=amount if amount is not None else supply.prepayment_yuan,
        channel=PaymentChannel.COUNTER,
        idempotency_key=f"ts-{supply.pk}-{amount}",
        kind=PaymentKind.TOP_UP,
    )


def connected(county, *, key="east", mode="capacity_time", **extra):
    """An application approved by the head, prepaid and connected today."""
    supply = apply(county, key=key, mode=mode, **extra)
    head = county.users["head_east"] if key == "east" else county.users["admin"]
    supply = services.temporary_supply_approve(user=head, supply=supply)
    prepay(county, supply, user="reader_east" if key == "east" else "admin")
    kwargs = {"initial_reading_kwh": "100", "meter_asset_number": "TM-1"} if mode == "meter" else {}
    return services.temporary_supply_connect(
        user=county.users["auditor_east"] if key == "east" else county.users["admin"], supply=supply, **kwargs
    )
