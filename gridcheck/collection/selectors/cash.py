"""Reading the station's cash: receipt stock and its numbers, the daily cash report (日报), reconciliation
"receipts = deposits = books" (票款账相符), and the rural electricians' collections.

Cash is what a collector takes in hand: payments of the channels in ``CASH_CHANNELS`` (counter, rural
electrician, agent point). A reversed payment is no cash; a payment whose reversal is still awaiting
approval is. Every money figure is a ``Decimal`` with two decimals.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gridcheck.collection.choices import (
    DecisionStatus,
    PaymentChannel,
    PaymentStatus,
    RemittanceStatus,
    StockStatus,
)
from gridcheck.collection.models import (
    BankDeposit,
    CollectionEvent,
    Payment,
    PaymentAllocation,
    ReceiptCancellation,
    ReceiptStock,
    Receivable,
)
from gridcheck.core.periods import month_add, month_bounds
from gridcheck.core.scoping import scoped

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
CASH_CHANNELS = (PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN, PaymentChannel.AGENT_POINT)
_TRAILING_DIGITS = re.compile(r"(\d+)\s*$")


def _money(value) -> Decimal:
    return (value or ZERO).quantize(FEN)


def receipt_number_value(text: str) -> int | None:
    """The number of a receipt as written on a payment (``"00000123"``, ``"A 00000123"``) -> ``123``."""
    match = _TRAILING_DIGITS.search(text or "")
    return int(match.group(1)) if match else None


def events_of(subject) -> list[CollectionEvent]:
    return list(
        CollectionEvent.objects.filter(subject_type=type(subject).__name__, subject_id=subject.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


# ------------------------------------------------------------------------------------------ stock
def used_numbers(stock: ReceiptStock) -> set[int]:
    """The numbers of ``stock`` printed on a payment (a reversed payment's receipt stays used)."""
    numbers = set()
    for text in Payment.objects.filter(receipt_stock=stock).values_list("receipt_number", flat=True):
        value = receipt_number_value(text)
        if value is not None and stock.first_number <= value <= stock.last_number:
            numbers.add(value)
    return numbers


def cancelled_numbers(stock: ReceiptStock) -> set[int]:
    """Numbers cancelled (awaiting the check or approved); a rejected cancellation gives the number back."""
    return set(stock.cancellations.exclude(status=DecisionStatus.REJECTED).values_list("number", flat=True))


def stock_usable_numbers(stock: ReceiptStock, limit: int | None = None) -> list[int]:
    """The numbers of issued ``stock`` neither used nor cancelled, lowest first (at most ``limit``)."""
    if stock.status != StockStatus.ISSUED:
        return []
    taken = used_numbers(stock) | cancelled_numbers(stock)
    numbers = []
    for number in range(stock.first_number, stock.last_number + 1):
        if number not in taken:
            numbers.append(number)
            if limit is not None and len(numbers) >= limit:
                break
    return numbers


def stock_counts(stock: ReceiptStock) -> dict:
    """``{"total", "used", "cancelled", "pending", "unused"}`` numbers of ``stock``."""
    used = used_numbers(stock)
    cancelled = cancelled_numbers(stock) - used
    total = stock.last_number - stock.first_number + 1
    pending = stock.cancellations.filter(status=DecisionStatus.PENDING).count()
    return {
        "total": total,
        "used": len(used),
        "cancelled": len(cancelled),
        "pending": pending,
        "unused": total - len(used) - len(cancelled),
    }


def collector_stock(user, collector) -> list[dict]:
    """The issued stock of ``collector`` (visible to ``user``), each with its next usable number."""
    rows = []
    stocks = scoped(ReceiptStock, user).filter(holder=collector, status=StockStatus.ISSUED)
    for stock in stocks.order_by("kind", "series", "first_number"):
        counts = stock_counts(stock)
        usable = stock_usable_numbers(stock, limit=1)
        rows.append({"stock": stock, "next_number": usable[0] if usable else None, **counts})
    return rows


def pending_cancellations(user):
    """Cancelled receipts awaiting a check, within ``user``'s scope."""
    return (
        scoped(ReceiptCancellation, user)
        .filter(status=DecisionStatus.PENDING)
        .select_related("stock", "stock__holder", "cancelled_by")
        .order_by("created_at")
    )


# ----------------------------------------------------------------------------------- daily report
@dataclass
class CollectorDay:
    """One collector's day: payments by channel, reversals, receipts, cancellations and deposits."""

    collector: object
    channels: list[dict] = field(default_factory=list)
    count: int = 0
    amount_yuan: Decimal = ZERO
    reversed_count: int = 0
    reversed_yuan: Decimal = ZERO
    reversal_pending_count: int = 0
    reversal_pending_yuan: Decimal = ZERO
    net_yuan: Decimal = ZERO
    cash_yuan: Decimal = ZERO
    receipts: list[str] = field(default_factory=list)
    cancellations: list = field(default_factory=list)
    deposits: list = field(default_factory=list)
    deposited_yuan: Decimal = ZERO

    @property
    def undeposited_yuan(self) -> Decimal:
        return _money(self.cash_yuan - self.deposited_yuan)


@dataclass
class DailyCash:
    day: datetime.date
    collectors: list[CollectorDay] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


def daily_cash(*, user, day: datetime.date, station=None, collector=None) -> DailyCash:
    """The daily cash report (收费日报) of ``day``: per collector, payments by channel (count and amount),
    reversals, the receipts used and cancelled and the day's deposits; scoped to ``user``."""
    payments = scoped(Payment, user).filter(received_on=day, collector__isnull=False)
    deposits = scoped(BankDeposit, user).filter(collection_day=day)
    cancellations = scoped(ReceiptCancellation, user).filter(created_at__date=day)
    if station is not None:
        payments = payments.filter(station=station)
        deposits = deposits.filter(station=station)
        cancellations = cancellations.filter(stock__station=station)
    if collector is not None:
        payments = payments.filter(collector=collector)
        deposits = deposits.filter(collector=collector)
        cancellations = cancellations.filter(cancelled_by=collector)
    labels = dict(PaymentChannel.choices)
    days: dict[int, CollectorDay] = {}

    def row(person) -> CollectorDay:
        if person.pk not in days:
            days[person.pk] = CollectorDay(collector=person)
        return days[person.pk]

    by_channel: dict[int, dict[str, dict]] = defaultdict(dict)
    for payment in payments.select_related("collector").order_by("received_at", "pk"):
        item = row(payment.collector)
        channel = by_channel[payment.collector_id].setdefault(
            payment.channel,
            {
                "channel": payment.channel,
                "label": str(labels.get(payment.channel, payment.channel)),
                "count": 0,
                "amount_yuan": ZERO,
            },
        )
        channel["count"] += 1
        channel["amount_yuan"] += payment.amount_yuan
        item.count += 1
        item.amount_yuan += payment.amount_yuan
        if payment.status == PaymentStatus.REVERSED:
            item.reversed_count += 1
            item.reversed_yuan += payment.amount_yuan
        else:
            if payment.status == PaymentStatus.REVERSAL_PENDING:
                item.reversal_pending_count += 1
                item.reversal_pending_yuan += payment.amount_yuan
            if payment.channel in CASH_CHANNELS:
                item.cash_yuan += payment.amount_yuan
        if payment.receipt_number:
            item.receipts.append(payment.receipt_number)
    for cancellation in cancellations.select_related("stock", "cancelled_by"):
        row(cancellation.cancelled_by).cancellations.append(cancellation)
    for deposit in deposits.select_related("collector").order_by("deposited_on", "pk"):
        item = row(deposit.collector)
        item.deposits.append(deposit)
        item.deposited_yuan += deposit.amount_yuan
    order = {value: index for index, value in enumerate(PaymentChannel.values)}
    for pk, item in days.items():
        item.channels = sorted(by_channel[pk].values(), key=lambda c: order.get(c["channel"], 99))
        item.net_yuan = _money(item.amount_yuan - item.reversed_yuan)
    collectors = sorted(days.values(), key=lambda c: c.collector.get_username())
    totals = {
        "count": sum(c.count for c in collectors),
        "amount_yuan": _money(sum((c.amount_yuan for c in collectors), ZERO)),
        "reversed_count": sum(c.reversed_count for c in collectors),
        "reversed_yuan": _money(sum((c.reversed_yuan for c in collectors), ZERO)),
        "net_yuan": _money(sum((c.net_yuan for c in collectors), ZERO)),
        "cash_yuan": _money(sum((c.cash_yuan for c in collectors), ZERO)),
        "receipts": sum(len(c.receipts) for c in collectors),
        "cancellations": sum(len(c.cancellations) for c in collectors),
        "deposited_yuan": _money(sum((c.deposited_yuan for c in collectors), ZERO)),
    }
    return DailyCash(day=day, collectors=collectors, totals=totals)


# ---------------------------------------------------------------------------------- reconciliation
@dataclass
class Reconciliation:
    station: object
    first_day: datetime.date
    last_day: datetime.date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    differences: list[dict] = field(default_factory=list)
    deposited_yuan: Decimal = ZERO
    remitted_yuan: Decimal = ZERO
    unremitted_yuan: Decimal = ZERO

    @property
    def balanced(self) -> bool:
        return not self.differences


#: (key, what is compared with the cash collected) of every check of a row.
CHECKS = (
    ("receipts_yuan", "Receipts issued"),
    ("deposits_yuan", "Deposited in the bank"),
    ("books_yuan", "Recorded in the books"),
)


def check_label(key: str) -> str:
    return {
        "receipts_yuan": _("Receipts issued"),
        "deposits_yuan": _("Deposited in the bank"),
        "books_yuan": _("Recorded in the books"),
    }[key]


def reconciliation(
    station, first_day: datetime.date, last_day: datetime.date, *, user=None
) -> Reconciliation:
    """Receipts = deposits = books (票款账相符) per day and collector of ``station``.

    For each collection day and collector: the **cash** they collected (payments of the cash channels,
    reversed ones excluded), the **receipts** issued for it (those payments with a receipt number), the
    **deposits** recorded for that collection day, and the **books** (what the receivables record as paid
    by those payments: allocations with their late fees, plus the credit kept). Each figure that differs
    from the cash is listed with its difference (figure − cash): a shortfall of deposits is what a
    diversion looks like. With ``user`` every figure is limited to their scope.
    """
    payments = Payment.objects.all() if user is None else scoped(Payment, user)
    deposits = BankDeposit.objects.all() if user is None else scoped(BankDeposit, user)
    payments = payments.filter(
        station=station,
        received_on__gte=first_day,
        received_on__lte=last_day,
        channel__in=CASH_CHANNELS,
    ).exclude(status=PaymentStatus.REVERSED)
    deposits = deposits.filter(station=station, collection_day__gte=first_day, collection_day__lte=last_day)
    rows: dict[tuple, dict] = {}

    def row(day, collector_id) -> dict:
        key = (day, collector_id)
        if key not in rows:
            rows[key] = {
                "day": day,
                "collector_id": collector_id,
                "collector": None,
                "payments": 0,
                "cash_yuan": ZERO,
                "receipts_yuan": ZERO,
                "deposits_yuan": ZERO,
                "books_yuan": ZERO,
            }
        return rows[key]

    for item in payments.values("received_on", "collector_id").annotate(
        n=Count("pk"),
        cash=Sum("amount_yuan"),
        receipts=Sum("amount_yuan", filter=~Q(receipt_number="")),
        credit=Sum("credit_yuan"),
    ):
        target = row(item["received_on"], item["collector_id"])
        target["payments"] = item["n"]
        target["cash_yuan"] = _money(item["cash"])
        target["receipts_yuan"] = _money(item["receipts"])
        target["books_yuan"] += _money(item["credit"])
    allocations = PaymentAllocation.objects.filter(payment__in=payments.values("pk"))
    for item in allocations.values("payment__received_on", "payment__collector_id").annotate(
        principal=Sum("principal_yuan"), fee=Sum("late_fee_yuan")
    ):
        target = row(item["payment__received_on"], item["payment__collector_id"])
        target["books_yuan"] += _money(item["principal"]) + _money(item["fee"])
    for item in deposits.values("collection_day", "collector_id").annotate(total=Sum("amount_yuan")):
        row(item["collection_day"], item["collector_id"])["deposits_yuan"] = _money(item["total"])

    from gridcheck.users.models import User

    people = User.objects.in_bulk({key[1] for key in rows if key[1] is not None})
    result = Reconciliation(station=station, first_day=first_day, last_day=last_day)
    for key in sorted(rows, key=lambda k: (k[0], people[k[1]].get_username() if k[1] in people else "")):
        item = rows[key]
        item["collector"] = people.get(item["collector_id"])
        item["differences"] = []
        for name, _label in CHECKS:
            item[name] = _money(item[name])
            gap = _money(item[name] - item["cash_yuan"])
            item[f"{name[:-5]}_difference_yuan"] = gap
            if gap:
                difference = {
                    "day": item["day"],
                    "collector": item["collector"],
                    "check": name,
                    "label": check_label(name),
                    "cash_yuan": item["cash_yuan"],
                    "figure_yuan": item[name],
                    "difference_yuan": gap,
                }
                item["differences"].append(difference)
                result.differences.append(difference)
        result.rows.append(item)
    result.totals = {
        "payments": sum(r["payments"] for r in result.rows),
        **{
            name: _money(sum((r[name] for r in result.rows), ZERO))
            for name in ("cash_yuan", "receipts_yuan", "deposits_yuan", "books_yuan")
        },
    }
    for name, _label in CHECKS:
        result.totals[f"{name[:-5]}_difference_yuan"] = _money(
            result.totals[name] - result.totals["cash_yuan"]
        )
    result.deposited_yuan = result.totals["deposits_yuan"]
    result.remitted_yuan = _money(
        deposits.filter(status=RemittanceStatus.REMITTED).aggregate(s=Sum("amount_yuan"))["s"]
    )
    result.unremitted_yuan = _money(result.deposited_yuan - result.remitted_yuan)
    return result


# ------------------------------------------------------------------------ rural electricians' collections
@dataclass
class RuralCollections:
    station: object
    period: datetime.date
    collection_month: datetime.date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


def rural_collections(*, user, station, period: datetime.date) -> RuralCollections:
    """Per rural electrician (the owner of transformer areas) of ``station``, for the bills of ``period``:

    - what the bills of their areas ask for (receivables of the billing month) and what is paid of them,
      by them (their payments of the rural-electrician channel) and through other channels;
    - the cash they collected in the collection month (the month after the billing month, when the bills
      fall due) against what they deposited for those days.
    """
    from gridcheck.archive.models import Area

    period = period.replace(day=1)
    collection_month = month_add(period, 1)
    first_day, last_day = month_bounds(collection_month)
    areas = scoped(Area, user).filter(station=station, owner__isnull=False).select_related("owner")
    by_owner: dict[int, dict] = {}
    for area in areas.order_by("code"):
        entry = by_owner.setdefault(area.owner_id, {"electrician": area.owner, "areas": []})
        entry["areas"].append(area)
    receivables = scoped(Receivable, user).filter(period=period)
    payments = (
        scoped(Payment, user)
        .filter(channel=PaymentChannel.RURAL_ELECTRICIAN)
        .exclude(status=PaymentStatus.REVERSED)
    )
    deposits = scoped(BankDeposit, user).filter(station=station)
    rows = []
    for owner_id, entry in by_owner.items():
        area_ids = [a.pk for a in entry["areas"]]
        bills = receivables.filter(area_id__in=area_ids).aggregate(
            n=Count("pk"), billed=Sum("amount_yuan"), paid=Sum("paid_yuan")
        )
        own = PaymentAllocation.objects.filter(
            receivable__in=receivables.filter(area_id__in=area_ids).values("pk"),
            payment__in=payments.filter(collector_id=owner_id).values("pk"),
        ).aggregate(principal=Sum("principal_yuan"), fee=Sum("late_fee_yuan"))
        billed, paid = _money(bills["billed"]), _money(bills["paid"])
        by_them = _money(own["principal"])
        collected = _money(
            payments.filter(
                collector_id=owner_id, received_on__gte=first_day, received_on__lte=last_day
            ).aggregate(s=Sum("amount_yuan"))["s"]
        )
        deposited = _money(
            deposits.filter(
                collector_id=owner_id, collection_day__gte=first_day, collection_day__lte=last_day
            ).aggregate(s=Sum("amount_yuan"))["s"]
        )
        rows.append(
            {
                "electrician": entry["electrician"],
                "areas": entry["areas"],
                "bills": bills["n"],
                "billed_yuan": billed,
                "paid_yuan": paid,
                "paid_by_them_yuan": by_them,
                "late_fee_by_them_yuan": _money(own["fee"]),
                "paid_by_others_yuan": _money(paid - by_them),
                "outstanding_yuan": _money(billed - paid) if billed > paid else ZERO,
                "recovery_percent": (paid / billed * 100).quantize(FEN) if billed else None,
                "collected_yuan": collected,
                "deposited_yuan": deposited,
                "undeposited_yuan": _money(collected - deposited),
            }
        )
    rows.sort(key=lambda r: r["electrician"].get_username())
    money_keys = (
        "billed_yuan",
        "paid_yuan",
        "paid_by_them_yuan",
        "late_fee_by_them_yuan",
        "paid_by_others_yuan",
        "outstanding_yuan",
        "collected_yuan",
        "deposited_yuan",
        "undeposited_yuan",
    )
    totals = {key: _money(sum((r[key] for r in rows), ZERO)) for key in money_keys}
    totals["bills"] = sum(r["bills"] for r in rows)
    totals["recovery_percent"] = (
        (totals["paid_yuan"] / totals["billed_yuan"] * 100).quantize(FEN) if totals["billed_yuan"] else None
    )
    return RuralCollections(
        station=station, period=period, collection_month=collection_month, rows=rows, totals=totals
    )
