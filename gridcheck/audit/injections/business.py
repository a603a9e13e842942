"""Demo injectors of the business acceptance and collection rules (YY-nn, see
``gridcheck.audit.engine.audit_injector``).

Subjects are customers with ``pk % 8`` in ``RESIDUES`` (this module's share of the demo county). The
rules that change a customer's state (its name, its bills, its account, its area) each take their own
part of them (``CUSTOMER_PARTS``: ``(pk // 8) % 7``), so that no injection undoes or doubles another;
the rules about single payments take payments of these customers by ``payment.pk % 4``
(``PAYMENT_PARTS``). Each injector makes ``count`` facts where the demo data allows (fewer only if the
demo county is too small) and returns the keys its rule will produce. The windows are the rules': events
from the first day of ``month`` to ``on``.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from gridcheck.archive.models import Area, Customer, Meter, MeteringPoint
from gridcheck.audit.engine import audit_injector
from gridcheck.audit.rules.business import (
    CANCELLATION_DAYS,
    FAVOUR_MONTHS,
    HANDED_CHANNELS,
    NEW_CONNECTION_DAYS,
    _receipt_matches,
    address_key,
    address_normalised_python,
)
from gridcheck.billing.models import Bill, BillAdjustment, BookArea
from gridcheck.collection.choices import DecisionStatus, DisconnectionStatus, PaymentChannel, PaymentStatus
from gridcheck.collection.models import (
    Account,
    CollectionPolicy,
    Disconnection,
    DunningNotice,
    MonthClose,
    Payment,
    ReceiptCancellation,
    ReceiptStock,
    Receivable,
    Reversal,
)
from gridcheck.core.periods import month_add, month_end
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int

RESIDUES = (4, 5)
CUSTOMER_PARTS = {"YY-02": 0, "YY-03": 1, "YY-04": 2, "YY-05": 3, "YY-08": 4, "YY-11": 5, "YY-13": 6}
PAYMENT_PARTS = {"YY-01": 0, "YY-06": 1, "YY-09": 2, "YY-10": 3}
ZERO = Decimal("0.00")


def _mine(pk: int) -> bool:
    return pk % 8 in RESIDUES


def _part(code: str, pks) -> list[int]:
    """The customers of ``pks`` that are this rule's share (sorted, distinct)."""
    part = CUSTOMER_PARTS[code]
    return sorted({pk for pk in pks if _mine(pk) and (pk // 8) % len(CUSTOMER_PARTS) == part})


def _payments_part(code: str, rows: list[dict], wanted: int = 20) -> list[dict]:
    """This rule's share of the payments ``rows`` (one per customer, the first by pk): payments of this
    module's customers first; where a month holds too few of them, payments of other customers too (each
    rule keeps its own ``pk % 4`` share of the payments, so two rules never take one payment)."""
    part, seen, chosen = PAYMENT_PARTS[code], set(), []
    ordered = sorted(rows, key=lambda r: r["pk"])
    for own_only in (True, False):
        for row in ordered:
            if len(chosen) >= wanted and not own_only:
                break
            if (
                (_mine(row["customer_id"]) or not own_only)
                and row["pk"] % len(PAYMENT_PARTS) == part
                and row["customer_id"] not in seen
            ):
                seen.add(row["customer_id"])
                chosen.append(row)
    return chosen


def _pick(rng: random.Random, items: list, count: int) -> list:
    return rng.sample(items, min(count, len(items)))


def _moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _end_day(month: datetime.date, on: datetime.date) -> datetime.date:
    return on if on >= month else month_end(month)


def _staff_of(station_id: int | None, role: str) -> int | None:
    from gridcheck.users.models import User

    return (
        User.objects.filter(station_id=station_id, role=role, is_active=True)
        .order_by("username")
        .values_list("pk", flat=True)
        .first()
    )


def _billed_customers(month: datetime.date | None = None) -> list[int]:
    bills = Bill.objects.all() if month is None else Bill.objects.filter(period=month)
    active = Customer.objects.filter(status="active").values("pk")
    return list(
        bills.filter(customer_id__in=active).order_by().values_list("customer_id", flat=True).distinct()
    )


# ------------------------------------------------------------------------------------------ YY-01
@audit_injector("YY-01")
def inject_yy01(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Reversals asked for 3 to 5 days after the payment (more than the rule table's 2)."""
    limit = rule_int("collection.reversal_suspicious_after_days", month)
    last = _end_day(month, on) - datetime.timedelta(days=limit + 3)
    rows = list(
        Payment.objects.filter(
            status=PaymentStatus.POSTED, received_on__gte=month, received_on__lte=last
        ).values("pk", "customer_id", "station_id", "area_id", "received_on", "collector_id")
    )
    keys = []
    for row in _pick(rng, _payments_part("YY-01", rows, count), count):
        days = limit + rng.randint(1, 3)
        requester = row["collector_id"] or _staff_of(row["station_id"], Role.METER_READER)
        reversal = Reversal.objects.create(
            payment_id=row["pk"],
            station_id=row["station_id"],
            area_id=row["area_id"],
            reason="客户称重复缴费，申请退回",
            requested_by_id=requester,
            days_after_receipt=days,
            suspicious=True,
        )
        asked = _moment(row["received_on"] + datetime.timedelta(days=days), 16)
        Reversal.objects.filter(pk=reversal.pk).update(created_at=asked, updated_at=asked)
        Payment.objects.filter(pk=row["pk"]).update(status=PaymentStatus.REVERSAL_PENDING)
        keys.append(f"reversal:{reversal.pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-02
@audit_injector("YY-02")
def inject_yy02(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Customers named like a staff member of their station (or with a staff member's phone) who used
    almost nothing in the audited month."""
    from gridcheck.users.models import User

    staff = list(
        User.objects.exclude(role=Role.CUSTOMER)
        .values("pk", "full_name", "phone", "station_id")
        .order_by("pk")
    )
    names = defaultdict(list)
    for person in staff:
        if person["full_name"]:
            names[person["station_id"]].append(person["full_name"])
    phones = [p["phone"] for p in staff if p["phone"]]
    chosen = _pick(rng, _part("YY-02", _billed_customers(month)), count)
    stations = dict(Customer.objects.filter(pk__in=chosen).values_list("pk", "station_id"))
    keys = []
    for n, pk in enumerate(chosen):
        same_station = names.get(stations[pk], []) + names.get(None, [])
        if n % 2 == 0 and same_station:
            Customer.objects.filter(pk=pk).update(name=rng.choice(same_station))
        elif phones:
            Customer.objects.filter(pk=pk).update(phone=rng.choice(phones))
        else:
            continue
        Bill.objects.filter(customer_id=pk, period=month).update(energy_kwh=rng.randint(0, 5))
        keys.append(f"customer:{pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-03
@audit_injector("YY-03")
def inject_yy03(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """An old bill of customers never dunned reopened: unpaid for more than three months."""
    cutoff = month_add(on, -FAVOUR_MONTHS).replace(day=min(on.day, 28)) - datetime.timedelta(days=3)
    dunned = DunningNotice.objects.filter(customer_id=OuterRef("customer_id"))
    old = Receivable.objects.filter(due_date__lt=cutoff, amount_yuan__gt=0, customer__status="active").filter(
        ~Exists(dunned)
    )
    chosen = _pick(rng, _part("YY-03", old.values_list("customer_id", flat=True).distinct()), count)
    keys = []
    for pk in chosen:
        receivable = old.filter(customer_id=pk).order_by("-due_date").values_list("pk", flat=True).first()
        Receivable.objects.filter(pk=receivable).update(
            status="open",
            paid_yuan=ZERO,
            settled_on=None,
            late_fee_paid_yuan=ZERO,
            late_fee_accrued_yuan=ZERO,
            late_fee_accrued_on=None,
        )
        keys.append(f"customer:{pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-04
def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@audit_injector("YY-04")
def inject_yy04(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Three residential accounts of one area given one address (written three ways)."""
    rows = Customer.objects.filter(status="active", category="residential").exclude(address="")
    by_area = defaultdict(list)
    mine = set(_part("YY-04", rows.values_list("pk", flat=True)))
    for pk, area_id in rows.filter(pk__in=mine).values_list("pk", "area_id").order_by("pk"):
        by_area[area_id].append(pk)
    areas = sorted(area for area, pks in by_area.items() if len(pks) >= 3)
    keys = []
    for area_id in _pick(rng, areas, count):
        first, second, third = rng.sample(by_area[area_id], 3)
        address = Customer.objects.filter(pk=first).values_list("address", flat=True).get()
        cut = min(3, len(address))
        Customer.objects.filter(pk=second).update(address=f"{address[:cut]} {address[cut:]}")
        Customer.objects.filter(pk=third).update(address=_full_width(address))
        keys.append(address_key(area_id, address_normalised_python(address)))
    return keys


# ------------------------------------------------------------------------------------------ YY-05
@audit_injector("YY-05")
def inject_yy05(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Bills settled late in the audited month with the late fee waived (none) or reduced (half)."""
    last = min(_end_day(month, on), month_end(month))
    approved = BillAdjustment.objects.filter(bill_id=OuterRef("bill_id"), status="approved")
    candidates = (
        Receivable.objects.filter(
            status="paid",
            amount_yuan__gt=0,
            due_date__lte=last - datetime.timedelta(days=2),
            due_date__gte=month - datetime.timedelta(days=75),
        )
        .filter(~Exists(approved))
        .values("pk", "customer_id", "due_date", "amount_yuan", "station__company_id")
    )
    latest = {}
    for row in candidates.order_by("due_date", "pk"):
        latest[row["customer_id"]] = row
    grace = dict(CollectionPolicy.objects.values_list("company_id", "grace_days"))
    keys = []
    for pk in _pick(rng, _part("YY-05", latest), count * 2):
        row = latest[pk]
        first = max(
            month, row["due_date"] + datetime.timedelta(days=2 + grace.get(row["station__company_id"], 0))
        )
        if first > last:
            continue
        settled = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
        days = (settled - row["due_date"]).days
        if len(keys) % 2 == 0:
            accrued = paid = ZERO
        else:
            accrued = max(
                Decimal("1.00"), (row["amount_yuan"] * Decimal("0.001") * days).quantize(Decimal("0.01"))
            )
            paid = (accrued / 2).quantize(Decimal("0.01"))
        Receivable.objects.filter(pk=row["pk"]).update(
            settled_on=settled,
            late_fee_accrued_yuan=accrued,
            late_fee_paid_yuan=paid,
            late_fee_accrued_on=settled,
        )
        keys.append(f"receivable:{row['pk']}")
        if len(keys) >= count:
            break
    return keys


# ------------------------------------------------------------------------------------------ YY-06
@audit_injector("YY-06")
def inject_yy06(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Receipts of the audited month given numbers outside every receipt book of their collector."""
    last = min(_end_day(month, on), month_end(month))
    rows = list(
        Payment.objects.filter(received_on__gte=month, received_on__lte=last).values(
            "pk", "customer_id", "station_id", "channel", "collector_id"
        )
    )
    pool = _payments_part("YY-06", rows, count)
    handed = [r for r in pool if r["channel"] in HANDED_CHANNELS and r["collector_id"]]
    others = [r for r in pool if r not in handed]
    chosen = _pick(rng, handed, count)
    chosen += _pick(rng, others, count - len(chosen))
    stocks = defaultdict(list)
    for stock in ReceiptStock.objects.filter(kind="receipt").values(
        "station_id", "holder_id", "series", "first_number", "last_number"
    ):
        stocks[(stock["station_id"], stock["holder_id"])].append(stock)
    keys = []
    for n, row in enumerate(chosen):
        collector = row["collector_id"] or _staff_of(row["station_id"], Role.METER_READER)
        own = stocks.get((row["station_id"], collector), [])
        series = own[0]["series"] if own else "BJ"
        receipt = f"{series}{90000000 + n * 7 + rng.randint(0, 6):08d}"
        if _receipt_matches(receipt, own):  # pragma: no cover - a book of ninety million numbers
            receipt = f"BJ{n:08d}"
        channel = row["channel"] if row["channel"] in HANDED_CHANNELS else PaymentChannel.COUNTER
        Payment.objects.filter(pk=row["pk"]).update(
            receipt_number=receipt, collector_id=collector, channel=channel
        )
        keys.append(f"payment:{row['pk']}")
    return keys


# ------------------------------------------------------------------------------------------ YY-07
@audit_injector("YY-07")
def inject_yy07(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Receipts cancelled by their collector more than a week before the run and never checked."""
    stocks = list(ReceiptStock.objects.values("pk", "station_id", "holder_id", "first_number", "last_number"))
    if not stocks:
        station_id = Customer.objects.order_by("pk").values_list("station_id", flat=True).first()
        holder = _staff_of(station_id, Role.METER_READER)
        if station_id is None or holder is None:
            return []
        stock = ReceiptStock.objects.create(
            station_id=station_id,
            kind="receipt",
            series="ZF",
            first_number=1,
            last_number=500,
            holder_id=holder,
        )
        stocks = [{"pk": stock.pk, "holder_id": holder, "first_number": 1, "last_number": 500}]
    taken = set(ReceiptCancellation.objects.values_list("stock_id", "number"))
    keys = []
    for n in range(count):
        stock = stocks[n % len(stocks)]
        for _attempt in range(50):
            number = rng.randint(stock["first_number"], stock["last_number"])
            if (stock["pk"], number) not in taken:
                break
        else:
            continue
        taken.add((stock["pk"], number))
        cancellation = ReceiptCancellation.objects.create(
            stock_id=stock["pk"],
            number=number,
            reason="金额填写错误，作废重开",
            cancelled_by_id=stock["holder_id"],
            status=DecisionStatus.PENDING,
        )
        made = _moment(on - datetime.timedelta(days=CANCELLATION_DAYS + rng.randint(2, 30)), 17)
        ReceiptCancellation.objects.filter(pk=cancellation.pk).update(created_at=made, updated_at=made)
        keys.append(f"cancellation:{cancellation.pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-08
@audit_injector("YY-08")
def inject_yy08(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Disconnections for arrears cut before the notice period ran out, or of a customer needing the
    county's approval without it."""
    first, last = month, min(_end_day(month, on), month_end(month))
    chosen = _pick(rng, _part("YY-08", _billed_customers()), count)
    customers = {
        row["pk"]: row
        for row in Customer.objects.filter(pk__in=chosen).values("pk", "station_id", "area_id", "category")
    }
    taken = set(Disconnection.objects.filter(number__startswith="JCTD").values_list("number", flat=True))
    keys = []
    for n, pk in enumerate(chosen):
        customer = customers[pk]
        kind = "residential" if customer["category"] == "residential" else "other"
        executed = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
        notice_days = rule_int(f"collection.disconnection_notice_days.{kind}", executed)
        county = n % 4 == 3
        served = executed - datetime.timedelta(
            days=notice_days + 1 if county else rng.randint(0, notice_days - 1)
        )
        number = f"JCTD{executed:%Y%m%d}{n:03d}"
        if number in taken:
            continue
        head = _staff_of(customer["station_id"], Role.STATION_HEAD)
        clerk = _staff_of(customer["station_id"], Role.AUDITOR)
        disconnection = Disconnection.objects.create(
            customer_id=pk,
            station_id=customer["station_id"],
            area_id=customer["area_id"],
            number=number,
            arrears_yuan=Decimal(rng.randint(200, 3000)),
            reason="逾期超过30日，经催交仍未交付电费",
            status=DisconnectionStatus.EXECUTED,
            needs_county=county,
            proposed_by_id=clerk,
            approved_by_id=head,
            approved_at=_moment(served, 9),
            notice_served_on=served,
            cut_not_before=served + datetime.timedelta(days=notice_days),
            reminder_on=served + datetime.timedelta(days=notice_days),
            executed_at=_moment(executed, 15),
            executed_by_id=clerk,
        )
        keys.append(f"disconnection:{disconnection.pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-09
@audit_injector("YY-09")
def inject_yy09(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Payments of a closed month posted after the close (as an import around the services would)."""
    closes = dict(
        ((s, m), at) for s, m, at in MonthClose.objects.values_list("station_id", "month", "closed_at")
    )
    if not closes:
        earlier = month_add(month, -1)
        now = timezone.now() - datetime.timedelta(minutes=5)
        for station_id in (
            Payment.objects.filter(received_on__gte=earlier, received_on__lt=month)
            .order_by()
            .values_list("station_id", flat=True)
            .distinct()
        ):
            closes[(station_id, earlier)] = MonthClose.objects.create(
                station_id=station_id, month=earlier, closed_at=now
            ).closed_at
    rows = []
    for close_station, close_month in closes:
        rows += list(
            Payment.objects.filter(
                station_id=close_station,
                received_on__gte=close_month,
                received_on__lt=month_add(close_month, 1),
            ).values("pk", "customer_id", "station_id", "received_on")
        )
    keys = []
    # posted within the run's day, which ends the rule's window (a payment posted after it is outside
    # the window by construction; the demo's test missed 2 of 20 once, in a run near local midnight)
    last = _moment(_end_day(month, on), 23, 59) + datetime.timedelta(seconds=59)
    for row in _pick(rng, _payments_part("YY-09", rows), count):
        closed_at = closes[(row["station_id"], row["received_on"].replace(day=1))]
        posted = max(closed_at, timezone.now() - datetime.timedelta(minutes=10)) + datetime.timedelta(
            seconds=rng.randint(1, 300)
        )
        posted = max(min(posted, last), closed_at + datetime.timedelta(seconds=1))
        Payment.objects.filter(pk=row["pk"]).update(created_at=posted, updated_at=posted)
        keys.append(f"payment:{row['pk']}")
    return keys


# ------------------------------------------------------------------------------------------ YY-10
@audit_injector("YY-10")
def inject_yy10(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Reversals of the audited month approved by whoever asked for them (on the payment's day)."""
    last = min(_end_day(month, on), month_end(month))
    rows = list(
        Payment.objects.filter(
            status=PaymentStatus.POSTED, received_on__gte=month, received_on__lte=last
        ).values("pk", "customer_id", "station_id", "area_id", "received_on", "collector_id")
    )
    keys = []
    for row in _pick(rng, _payments_part("YY-10", rows, count), count):
        requester = row["collector_id"] or _staff_of(row["station_id"], Role.STATION_HEAD)
        asked, decided = _moment(row["received_on"], 11), _moment(row["received_on"], 15)
        reversal = Reversal.objects.create(
            payment_id=row["pk"],
            station_id=row["station_id"],
            area_id=row["area_id"],
            reason="户号录错，冲正后重新收费",
            requested_by_id=requester,
            status=DecisionStatus.APPROVED,
            decided_by_id=requester,
            decided_at=decided,
            comment="同意",
        )
        Reversal.objects.filter(pk=reversal.pk).update(created_at=asked, updated_at=decided)
        Payment.objects.filter(pk=row["pk"]).update(status=PaymentStatus.REVERSED)
        keys.append(f"reversal:{reversal.pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-11
@audit_injector("YY-11")
def inject_yy11(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Customers made prepaid with no credit left and their latest bill unpaid."""
    issued = Receivable.objects.filter(issued_on__lte=on, amount_yuan__gt=0, customer__status="active")
    with_account = Account.objects.values_list("customer_id", flat=True)
    pool = _part("YY-11", set(issued.values_list("customer_id", flat=True)) & set(with_account))
    keys = []
    for pk in _pick(rng, pool, count):
        latest = (
            issued.filter(customer_id=pk).order_by("-issued_on", "-pk").values_list("pk", flat=True).first()
        )
        Receivable.objects.filter(pk=latest).update(
            status="open",
            paid_yuan=ZERO,
            settled_on=None,
            late_fee_paid_yuan=ZERO,
            late_fee_accrued_yuan=ZERO,
            late_fee_accrued_on=None,
        )
        Account.objects.filter(customer_id=pk).update(
            is_prepaid=True, credit_yuan=ZERO, low_balance_yuan=Decimal("20.00")
        )
        keys.append(f"customer:{pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-12
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建军", "秀英", "志强", "桂兰", "海燕", "国平", "春梅", "德明", "玉兰", "永红")


@audit_injector("YY-12")
def inject_yy12(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """New residential connections in areas of a reading book, connected months ago, never read."""
    billed_areas = set(Bill.objects.filter(period=month).values_list("area_id", flat=True).distinct())
    areas = sorted(set(BookArea.objects.values_list("area_id", flat=True)) & billed_areas)
    if not areas:
        return []
    taken = set(
        Customer.objects.filter(account_number__startswith="98").values_list("account_number", flat=True)
    )
    keys = []
    for n in range(count):
        area = Area.objects.filter(pk=rng.choice(areas)).values("pk", "station_id", "name").get()
        sample = (
            Customer.objects.filter(area_id=area["pk"], category="residential")
            .order_by("pk")
            .values("address", "tariff_code")
            .first()
        ) or {"address": area["name"], "tariff_code": "RES-1"}
        account = f"98{rng.randint(0, 99_999_999):08d}"
        while account in taken:
            account = f"98{rng.randint(0, 99_999_999):08d}"
        taken.add(account)
        connected = month_end(month) - datetime.timedelta(days=NEW_CONNECTION_DAYS + rng.randint(10, 200))
        base = sample["address"].rstrip("0123456789号")
        customer = Customer.objects.create(
            account_number=account,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            address=f"{base}{200 + n}号",
            area_id=area["pk"],
            station_id=area["station_id"],
            category="residential",
            voltage_level="220V",
            contracted_capacity_kva=Decimal("8"),
            tariff_code=sample["tariff_code"],
            inspection_class="C",
            status="active",
            connected_on=connected,
        )
        point = MeteringPoint.objects.create(customer=customer, code=f"MP{account}", ct_ratio=Decimal("1"))
        Meter.objects.create(
            metering_point=point,
            asset_number=f"XZ{account}",
            phase="single",
            accuracy_class="2.0",
            rated_current_a=Decimal("5"),
            max_current_a=Decimal("60"),
            install_date=connected,
        )
        keys.append(f"customer:{customer.pk}")
    return keys


# ------------------------------------------------------------------------------------------ YY-13
@audit_injector("YY-13")
def inject_yy13(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Billed customers moved to an area of their station that is in no reading book."""
    booked = set(BookArea.objects.values_list("area_id", flat=True))
    chosen = _pick(rng, _part("YY-13", _billed_customers()), count)
    customers = dict(Customer.objects.filter(pk__in=chosen).values_list("pk", "area_id"))
    unbooked = defaultdict(list)
    for area_id, station_id in (
        Area.objects.exclude(pk__in=booked).values_list("pk", "station_id").order_by("pk")
    ):
        unbooked[station_id].append(area_id)
    keys = []
    for pk in chosen:
        area = Area.objects.filter(pk=customers[pk]).values("station_id", "line_id", "code", "name").get()
        targets = unbooked.get(area["station_id"])
        if not targets:
            made = Area.objects.create(
                line_id=area["line_id"],
                station_id=area["station_id"],
                code=f"{area['code']}-X",
                name=f"{area['name']}（新建）",
                capacity_kva=Decimal("200"),
            )
            targets = unbooked[area["station_id"]] = [made.pk]
        Customer.objects.filter(pk=pk).update(area_id=rng.choice(targets))
        keys.append(f"customer:{pk}")
    return keys
