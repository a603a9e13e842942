"""The demo county's collection (收): a year of payments on the bills the billing step issued.

``demo_collection_build`` runs after ``gridcheck.billing.demo.demo_billing_build`` and goes through the
same services as people do, on the dates things happened (the bills were issued three days after their
reading, due 15 days later):

- the company's late-fee practice (the rule table's defaults) and this year's late-fee income target;
- a receipt book for the meter reader (the counter) and one for each area manager (rural electricians);
- customers drawn once (fixed seed): most pay by **bank withholding** (one result file per month, with
  one row of an unknown account in the last file: the unmatched row), the others at the **counter**, to
  the **area's electrician** or **online**, on time; about one in ten pays **late** (a late fee charged
  with the payment); a dozen stop paying three months before the end (**arrears**);
- **dunning**: two paper notices for every customer in arrears, delivered by the area's electrician;
- **disconnection**: three of them proposed by the billing clerk, approved by the station head, ordered
  after the notice period and cut; two pay today at the counter (the reconnection is ordered at once),
  one is reconnected;
- a mistaken counter payment reversed with the head's approval, and one reversal request left pending;
- **bank deposits** of each collector's cash the day after, every day but one (a 100.00 yuan shortfall:
  the reconciliation's difference), remitted upward month by month;
- months closed up to two months ago; the late fees of every overdue bill accrued to today.

Idempotent: nothing is done when the station has payments already.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from gridcheck.archive.models import Station
from gridcheck.collection.choices import PaymentChannel, ReceivableStatus
from gridcheck.collection.models import BankDeposit, CollectionPolicy, Payment, Receivable
from gridcheck.collection.services import (
    accrual,
    bankfiles,
    cash,
    disconnections,
    dunning,
    payments,
    reversals,
    targets,
)
from gridcheck.collection.services.common import local_day, month_of
from gridcheck.core.roles import Role

TZ = ZoneInfo("Asia/Shanghai")
BANK = "中国农业银行"
ARREARS_MONTHS = 3
ARREARS_CUSTOMERS = 12


def _staff(station: Station, role: str):
    from gridcheck.users.models import User

    return User.objects.filter(role=role, station=station, is_active=True).order_by("username").first()


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def _bank_file(clerk, period: datetime.date, rows: list[tuple], unknown: bool) -> None:
    lines = ["户号,金额,银行流水号,扣款日期"]
    for account_number, amount, serial, day in rows:
        lines.append(f"{account_number},{amount:.2f},{serial},{day:%Y-%m-%d}")
    if unknown and rows:
        lines.append(f"9900000000,88.50,{period:%Y%m}X0001,{rows[-1][3]:%Y-%m-%d}")
    bankfiles.bank_file_import(
        user=clerk,
        upload=(f"农行代扣回盘_{period:%Y%m}.csv", ("\n".join(lines) + "\n").encode("utf-8")),
        bank=BANK,
        channel=PaymentChannel.BANK_WITHHOLDING,
    )


def _plan(receivables: list[Receivable], rng: random.Random, today: datetime.date):
    """Who pays how: (bank rows per period, other payments as (day, customer, amount, channel)), the
    customers in arrears."""
    customers = sorted({r.customer_id for r in receivables})
    periods = sorted({r.period for r in receivables})
    kind = {}
    for customer_id in customers:
        draw = rng.random()
        kind[customer_id] = (
            "bank"
            if draw < 0.55
            else "counter"
            if draw < 0.75
            else "rural"
            if draw < 0.82
            else "online"
            if draw < 0.88
            else "late"
        )
    unpaid_periods = set(periods[-ARREARS_MONTHS:])
    in_arrears = set(
        rng.sample(
            [c for c in customers if kind[c] != "bank"], k=min(ARREARS_CUSTOMERS, len(customers) // 10)
        )
    )
    bank_rows: dict[datetime.date, list] = defaultdict(list)
    others = []
    for r in receivables:
        if r.amount_yuan <= 0 or r.status != ReceivableStatus.OPEN:
            continue
        how = kind[r.customer_id]
        if r.customer_id in in_arrears and r.period in unpaid_periods:
            continue
        if how == "bank":
            day = r.due_date - datetime.timedelta(days=5)
            bank_rows[r.period].append((r, day))
            continue
        if how == "late":
            day = r.due_date + datetime.timedelta(days=rng.randint(3, 40))
        else:
            day = r.issued_on + datetime.timedelta(days=rng.randint(1, (r.due_date - r.issued_on).days))
        if day >= today:
            continue
        channel = {
            "counter": PaymentChannel.COUNTER,
            "late": PaymentChannel.COUNTER,
            "rural": PaymentChannel.RURAL_ELECTRICIAN,
            "online": PaymentChannel.ONLINE,
        }[how]
        others.append((day, r, channel))
    return bank_rows, sorted(others, key=lambda x: (x[0], x[1].pk)), in_arrears


def demo_collection_build(
    *, station: Station | None = None, today: datetime.date | None = None, seed: int = 15
) -> dict:
    """Build the demo station's year of collection; returns counts and ``seconds``."""
    started = time.monotonic()
    station = station or Station.objects.order_by("code").first()
    today = today or local_day()
    counts = {"payments": 0, "bank_files": 0, "notices": 0, "disconnections": 0, "deposits": 0}
    if Payment.objects.filter(station=station).exists():
        counts["seconds"] = 0.0
        return counts
    clerk, head, reader = (_staff(station, r) for r in (Role.AUDITOR, Role.STATION_HEAD, Role.METER_READER))
    if None in (clerk, head, reader):
        raise ValueError("the demo station needs a billing clerk, a station head and a meter reader")
    from gridcheck.users.models import User

    county_admin = (
        User.objects.filter(role=Role.ADMINISTRATOR, station=None, is_active=True).order_by("pk").first()
    )
    rng = random.Random(seed)
    receivables = list(
        Receivable.objects.filter(station=station)
        .select_related("customer", "area__owner")
        .order_by("period", "pk")
    )
    if not receivables:
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts
    CollectionPolicy.objects.get_or_create(company_id=station.company_id)
    if county_admin is not None:
        targets.late_fee_target_set(
            user=county_admin, station=station, year=today.year, target_yuan=Decimal("80000.00")
        )
    owners = sorted({r.area.owner for r in receivables if r.area.owner_id}, key=lambda u: u.pk)
    series = {reader.pk: f"{station.code}A"} | {
        owner.pk: f"{station.code}N{n:02d}" for n, owner in enumerate(owners, start=1)
    }
    holders = {reader.pk: reader} | {owner.pk: owner for owner in owners}
    with transaction.atomic():
        for holder_id, name in series.items():
            cash.stock_issue(
                user=clerk,
                station=station,
                kind="receipt",
                series=name,
                first_number=1,
                # A year of counter receipts: the reader writes several thousand, each electrician hundreds.
                last_number=20000 if holder_id == reader.pk else 5000,
                holder=holders[holder_id],
            )

    bank_rows, others, in_arrears = _plan(receivables, rng, today)
    # Payments in the order they happened: the bank's file of each month on its deduction day, the others
    # one by one (oldest bill first, as the allocation does).
    events = [(rows[0][1], "bank", period, rows) for period, rows in bank_rows.items() if rows]
    events += [(day, "one", r, channel) for day, r, channel in others]
    events.sort(key=lambda e: (e[0], 0 if e[1] == "bank" else 1))
    last_bank = max(bank_rows) if bank_rows else None
    receipt_numbers = defaultdict(int)
    for day, what, subject, detail in events:
        if what == "bank":
            rows = [
                (r.customer.account_number, r.amount_yuan, f"{subject:%Y%m}{i:06d}", d)
                for i, (r, d) in enumerate(detail, start=1)
            ]
            _bank_file(clerk, subject, rows, unknown=subject == last_bank)
            counts["bank_files"] += 1
            counts["payments"] += len(rows)
            continue
        r, channel = subject, detail
        collector = reader
        if channel == PaymentChannel.RURAL_ELECTRICIAN:
            collector = r.area.owner or reader
            if collector is reader:
                channel = PaymentChannel.COUNTER
        user = None if channel == PaymentChannel.ONLINE else collector
        receipt = ""
        if channel in (PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN):
            receipt_numbers[collector.pk] += 1
            receipt = f"{series[collector.pk]}{receipt_numbers[collector.pk]:08d}"
        payments.payment_post(
            user=user,
            customer=r.customer,
            amount_yuan=r.amount_yuan,
            channel=channel,
            idempotency_key=f"demo:{r.pk}",
            received_at=_at(day, 9 + r.pk % 8, r.pk % 60),
            collector=collector if user is not None else None,
            receipt_number=receipt,
        )
        counts["payments"] += 1

    # Dunning: two paper notices for every customer in arrears, delivered by the area's electrician.
    overdue = defaultdict(list)
    for r in Receivable.objects.filter(customer_id__in=in_arrears, status=ReceivableStatus.OPEN).order_by(
        "due_date"
    ):
        overdue[r.customer_id].append(r)
    arrears_customers = [rs[0].customer for _, rs in sorted(overdue.items()) if rs]
    for customer in arrears_customers:
        first_due = min(r.due_date for r in overdue[customer.pk])
        for offset in (2, 12):
            on = first_due + datetime.timedelta(days=offset)
            if on >= today:
                continue
            notice = dunning.dunning_issue(user=clerk, customer=customer, channel="paper", on=on)
            deliverer = customer.area.owner or reader
            dunning.dunning_deliver(user=deliverer, notice=notice, note="户主本人签收")
            counts["notices"] += 1

    # Disconnection of three customers in arrears (not important, not high-risk).
    candidates = [c for c in arrears_customers if not (c.is_important or c.is_high_risk)][:3]
    cut = []
    for customer in candidates:
        first_due = min(r.due_date for r in overdue[customer.pk])
        proposed_on = first_due + datetime.timedelta(days=35)
        if proposed_on >= today - datetime.timedelta(days=10):
            continue
        proposal = disconnections.disconnection_propose(
            user=clerk, customer=customer, reason="逾期超过30日，经两次催交仍未交付电费", on=proposed_on
        )
        approved = disconnections.disconnection_approve(
            user=head,
            disconnection=proposal,
            approve=True,
            comment="同意，按程序送达停电通知",
            on=proposed_on + datetime.timedelta(days=1),
        )
        disconnections.disconnection_order(user=clerk, disconnection=approved, on=approved.cut_not_before)
        disconnections.disconnection_execute(user=clerk, disconnection=approved, note="已在表箱处断开")
        cut.append((customer, approved))
        counts["disconnections"] += 1
    # Two of them pay today at the counter: the reconnection is ordered at once; the first is reconnected.
    for n, (customer, disconnection) in enumerate(cut[:2]):
        owed = sum(
            (
                r.balance_yuan
                for r in Receivable.objects.filter(customer=customer, status=ReceivableStatus.OPEN)
            ),
            Decimal(0),
        )
        fee = sum(
            (
                r.late_fee_accrued_yuan
                for r in Receivable.objects.filter(customer=customer, status=ReceivableStatus.OPEN)
            ),
            Decimal(0),
        )
        payments.payment_post(
            user=reader,
            customer=customer,
            amount_yuan=owed + fee + Decimal("50.00"),
            channel=PaymentChannel.COUNTER,
            idempotency_key=f"demo:reconnect:{customer.pk}",
        )
        counts["payments"] += 1
        disconnection.refresh_from_db()
        if n == 0 and disconnection.status == "reconnect_ordered":
            disconnections.disconnection_reconnected(
                user=clerk, disconnection=disconnection, note="已恢复供电"
            )

    # A mistaken counter payment today, reversed with the head's approval; another request left pending.
    paid_up = [r.customer for r in receivables[-40:] if r.customer_id not in in_arrears]
    if len(paid_up) >= 2:
        wrong = payments.payment_post(
            user=reader,
            customer=paid_up[0],
            amount_yuan=Decimal("100.00"),
            channel=PaymentChannel.COUNTER,
            idempotency_key="demo:mistake:1",
            note="收错户号",
        )
        request = reversals.reversal_request(user=reader, payment=wrong, reason="户号录错，款项应记入邻户")
        reversals.reversal_decide(user=head, reversal=request, approve=True, comment="核实无误，同意冲正")
        second = payments.payment_post(
            user=reader,
            customer=paid_up[1],
            amount_yuan=Decimal("60.00"),
            channel=PaymentChannel.COUNTER,
            idempotency_key="demo:mistake:2",
        )
        reversals.reversal_request(user=reader, payment=second, reason="客户重复缴费，申请退回")
        counts["payments"] += 2

    # Bank deposits of each collector's cash the next day (one day short by 100.00 yuan), remitted monthly.
    cash_days = defaultdict(Decimal)
    for collector_id, day, amount in Payment.objects.filter(
        station=station,
        channel__in=[PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN],
        status__in=["posted", "reversal_pending"],
        collector__isnull=False,
    ).values_list("collector_id", "received_on", "amount_yuan"):
        cash_days[(collector_id, day)] += amount
    collectors = {u.pk: u for u in User.objects.filter(pk__in={c for c, _ in cash_days})}
    keys = sorted(cash_days, key=lambda k: (k[1], k[0]))
    large = [k for k in keys if cash_days[k] >= Decimal("200.00")]
    short = large[len(large) // 2] if large else None
    for collector_id, day in keys:
        deposited_on = min(day + datetime.timedelta(days=1), today)
        amount = cash_days[(collector_id, day)] - (Decimal("100.00") if (collector_id, day) == short else 0)
        if amount <= 0:
            continue
        collector = collectors[collector_id]
        cash.deposit_record(
            user=collector,
            collector=collector,
            collection_day=day,
            deposited_on=deposited_on,
            amount_yuan=amount,
            bank=BANK,
            slip_number=f"JK{day:%Y%m%d}{collector_id:04d}",
        )
        counts["deposits"] += 1
    this_month = month_of(today)
    by_month = defaultdict(list)
    for deposit in BankDeposit.objects.filter(station=station, deposited_on__lt=this_month):
        by_month[month_of(deposit.deposited_on)].append(deposit)
    for month, deposits in sorted(by_month.items()):
        last = max(d.deposited_on for d in deposits)
        cash.deposits_remit(user=clerk, deposits=deposits, remitted_on=last, reference=f"SJ{month:%Y%m}")

    # Months closed up to two months ago; late fees to today.
    months = sorted(
        {month_of(d) for d in Payment.objects.filter(station=station).values_list("received_on", flat=True)}
    )
    for month in months:
        if month < month_of(month_of(today) - datetime.timedelta(days=1)):
            reversals.month_close(user=clerk, station=station, month=month)
    accrual.late_fees_accrue(on=today, station_id=station.pk)
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["receivables"] = len(receivables)
    counts["arrears_customers"] = len(arrears_customers)
    return counts
