"""Collection figures (issue 15 item 9): recovery rate, remittance rate, arrears ageing, late-fee income.

Every figure reads only the user's scope (``scoped``): a station's staff see their station, an area
manager (台区经理) their own areas, county-level users every station.

Definitions (written once here, shown on the pages):

- **Recovery rate** (电费回收率) of a billing month: of the receivables of that month's bills (应收电费,
  their amounts after approved adjustments), the principal paid by the **cut-off day** (实收电费), in
  per cent; the goal is 100 %. Bills of month M are issued and collected in month M+1 ("月结月清"), so the
  default cut-off is the last day of the month after the billing month (``recovery_cutoff``); any other
  day may be given. A receivable settled by the cut-off counts in full; otherwise what the allocations of
  payments dated on or before the cut-off (and not reversed) brought it; never more than it asks.
- **Remittance rate** (上缴率) of a month: of the cash taken in the month (counter, agent-point and rural
  electricians' payments, not reversed), the part whose bank deposits of collection days in the month were remitted
  upward by the day of reckoning. A station's staff see the station; an area manager (who collects as the
  area's electrician) sees their own collections and deposits.
- **Arrears** (欠费) as of a day: receivables past their due date (overdue from the day after it) whose
  principal was not paid by that day, aged by days overdue into the buckets ``AGEING_BUCKETS``.
- **Late-fee income** (电费违约金收入) of a year: the late fees actually paid in the year's payments (not
  reversed), per station, against the station's ``LateFeeTarget``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Station
from gridcheck.collection.choices import PaymentChannel, PaymentStatus, ReceivableStatus, RemittanceStatus
from gridcheck.collection.models import (
    ZERO,
    BankDeposit,
    LateFeeTarget,
    Payment,
    PaymentAllocation,
    Receivable,
)
from gridcheck.core.periods import month_add, month_end
from gridcheck.core.roles import Role
from gridcheck.core.scoping import scoped

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
MONEY = DecimalField(max_digits=16, decimal_places=2)

#: Payments that count as received: posted, or posted with a reversal still awaiting approval.
COUNTED = (PaymentStatus.POSTED, PaymentStatus.REVERSAL_PENDING)
#: Channels through which cash is taken in hand and must be deposited and remitted (as the cash report).
CASH_CHANNELS = (PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN, PaymentChannel.AGENT_POINT)
#: Months the trend of the recovery rate covers (this month and the twelve before).
TREND_MONTHS = 13


@dataclass(frozen=True)
class Bucket:
    """An ageing bucket of arrears: ``low``..``high`` days overdue (``high`` None: no upper end)."""

    key: str
    low: int
    high: int | None
    label: object

    def due_range(self, as_of: datetime.date) -> dict:
        """The ``due_date`` lookups of the receivables this many days overdue on ``as_of``."""
        lookups = {"due_date__lte": as_of - datetime.timedelta(days=self.low)}
        if self.high is not None:
            lookups["due_date__gte"] = as_of - datetime.timedelta(days=self.high)
        return lookups

    def holds(self, days: int) -> bool:
        return days >= self.low and (self.high is None or days <= self.high)


#: Ageing of arrears (账龄) by days overdue as of the day of reckoning. A bill is overdue from the day
#: after its due date (rule ``collection.payment_term_days``), so the first bucket starts at 1 day.
AGEING_BUCKETS = (
    Bucket("0_30", 1, 30, _("Up to 30 days")),
    Bucket("31_90", 31, 90, _("31–90 days")),
    Bucket("91_180", 91, 180, _("91–180 days")),
    Bucket("181_365", 181, 365, _("181–365 days")),
    Bucket("over_365", 366, None, _("Over 365 days")),
)
BUCKETS = {bucket.key: bucket for bucket in AGEING_BUCKETS}


def bucket_of(days_overdue: int) -> Bucket | None:
    """The ageing bucket of ``days_overdue`` (None when not overdue)."""
    return next((b for b in AGEING_BUCKETS if b.holds(days_overdue)), None)


def local_day() -> datetime.date:
    """Today in the deployment's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def percent(part, whole) -> Decimal | None:
    """``part / whole`` in per cent with two decimals (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(FEN, rounding=ROUND_HALF_UP)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(FEN)


def recovery_cutoff(month: datetime.date) -> datetime.date:
    """The default cut-off of the recovery rate of billing month ``month``: the end of the next month."""
    return month_end(month_add(month.replace(day=1), 1))


def owner_label(owner_id, names: dict) -> str:
    return names.get(owner_id) or str(_("No area manager"))


# ------------------------------------------------------------------------------- paid by the cut-off
def paid_by(cutoff: datetime.date, *, today: datetime.date | None = None):
    """An expression of ``Receivable``: its principal paid by ``cutoff`` (0..amount).

    A receivable settled on or before ``cutoff`` was paid in full by then. Otherwise, for a cut-off of
    today or later, what is paid of it now (``paid_yuan``, credit applied without a payment included);
    for an earlier cut-off, what the allocations of payments received on or before it (and not reversed)
    brought it.
    """
    today = today or local_day()

    def allocated(**lookups):
        return Coalesce(
            Subquery(
                PaymentAllocation.objects.filter(
                    receivable=OuterRef("pk"), payment__status__in=COUNTED, **lookups
                )
                .order_by()
                .values("receivable")
                .annotate(total=Sum("principal_yuan"))
                .values("total"),
                output_field=MONEY,
            ),
            Value(ZERO),
            output_field=MONEY,
        )

    # Up to today everything paid so far counts: the receivable's own paid amount, no subquery.
    by_cutoff = F("paid_yuan") if cutoff >= today else allocated(payment__received_on__lte=cutoff)
    paid = Case(
        When(Q(status=ReceivableStatus.PAID, settled_on__lte=cutoff), then=F("amount_yuan")),
        default=by_cutoff,
        output_field=MONEY,
    )
    # Never more than the receivable asks (money paid above a refunded bill went to credit), never < 0.
    return Case(
        When(amount_yuan__lte=0, then=Value(ZERO)),
        When(Q(amount_yuan__lt=paid), then=F("amount_yuan")),
        default=paid,
        output_field=MONEY,
    )


# ------------------------------------------------------------------------------------ recovery rate
@dataclass
class Recovery:
    """Recovery of one billing month in the user's scope, grouped four ways."""

    month: datetime.date
    cutoff: datetime.date
    total: dict
    by_area: list[dict]
    by_owner: list[dict]
    by_station: list[dict]


def _recovery_row(row: dict) -> dict:
    due, paid = _money(row.get("due_yuan")), _money(row.get("paid_yuan"))
    row.update(
        due_yuan=due,
        paid_yuan=paid,
        unpaid_yuan=_money(due - paid),
        rate_percent=percent(paid, due),
        receivables=row.get("receivables") or 0,
    )
    return row


def recovery_receivables(*, user, month: datetime.date, station: Station | None = None) -> QuerySet:
    """The receivables of billing month ``month`` in the user's scope (of ``station`` if given)."""
    queryset = scoped(Receivable, user).filter(period=month.replace(day=1))
    if station is not None:
        queryset = queryset.filter(station=station)
    return queryset


def recovery(
    *,
    user,
    month: datetime.date,
    cutoff: datetime.date | None = None,
    station: Station | None = None,
    today: datetime.date | None = None,
) -> Recovery:
    """The recovery rate of billing month ``month`` by ``cutoff`` per area, area owner, station and in all."""
    month = month.replace(day=1)
    cutoff = cutoff or recovery_cutoff(month)
    receivables = recovery_receivables(user=user, month=month, station=station).annotate(
        paid_by_cutoff=paid_by(cutoff, today=today)
    )
    sums = {"receivables": Count("pk"), "due_yuan": Sum("amount_yuan"), "paid_yuan": Sum("paid_by_cutoff")}
    total = _recovery_row(receivables.aggregate(**sums))
    by_area = [
        _recovery_row(row)
        for row in receivables.values(
            "area_id", "area__code", "area__name", "area__owner_id", "station_id", "station__name"
        )
        .annotate(**sums)
        .order_by("station__name", "area__code")
    ]
    owner_rows = {}
    for row in (
        receivables.values("station_id", "station__name", "area__owner_id")
        .annotate(**sums, areas=Count("area_id", distinct=True))
        .order_by()
    ):
        owner_rows[(row["station_id"], row["area__owner_id"])] = row
    names = _owner_names({owner for _station, owner in owner_rows})
    for row in owner_rows.values():
        row["owner"] = owner_label(row["area__owner_id"], names)
    for row in by_area:
        row["owner"] = owner_label(row["area__owner_id"], names)
    by_owner = sorted(
        (_recovery_row(row) for row in owner_rows.values()),
        key=lambda r: (r["station__name"], r["area__owner_id"] is None, r["owner"]),
    )
    by_station = [
        _recovery_row(row)
        for row in receivables.values("station_id", "station__code", "station__name")
        .annotate(**sums)
        .order_by("station__code")
    ]
    return Recovery(
        month=month, cutoff=cutoff, total=total, by_area=by_area, by_owner=by_owner, by_station=by_station
    )


def _owner_names(owner_ids) -> dict:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=[i for i in owner_ids if i is not None])
    return {u.pk: str(u) for u in users}


def recovery_total(
    *,
    user,
    month: datetime.date,
    cutoff: datetime.date | None = None,
    station: Station | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Only the total of ``recovery`` (one query): due, paid, unpaid, rate."""
    month = month.replace(day=1)
    cutoff = cutoff or recovery_cutoff(month)
    receivables = recovery_receivables(user=user, month=month, station=station)
    row = receivables.annotate(paid_by_cutoff=paid_by(cutoff, today=today)).aggregate(
        receivables=Count("pk"), due_yuan=Sum("amount_yuan"), paid_yuan=Sum("paid_by_cutoff")
    )
    return {**_recovery_row(row), "month": month, "cutoff": cutoff}


def recovery_trend(
    *,
    user,
    month: datetime.date,
    months: int = TREND_MONTHS,
    station: Station | None = None,
    today: datetime.date | None = None,
) -> list[dict]:
    """The recovery rate of ``months`` billing months up to ``month``, each by its default cut-off.

    One grouped query: each receivable's paid amount is taken by its own month's cut-off (the rows equal
    ``recovery_total`` of each month).
    """
    last = month.replace(day=1)
    periods = [month_add(last, -back) for back in range(months - 1, -1, -1)]
    queryset = scoped(Receivable, user).filter(period__in=periods)
    if station is not None:
        queryset = queryset.filter(station=station)
    paid = Case(
        *(When(period=period, then=paid_by(recovery_cutoff(period), today=today)) for period in periods),
        default=Value(ZERO),
        output_field=MONEY,
    )
    by_period = {
        row.pop("period"): row
        for row in queryset.values("period")
        .annotate(receivables=Count("pk"), due_yuan=Sum("amount_yuan"), paid_yuan=Sum(paid))
        .order_by()
    }
    return [
        {
            **_recovery_row(by_period.get(period, {"receivables": 0})),
            "month": period,
            "cutoff": recovery_cutoff(period),
        }
        for period in periods
    ]


def billing_months(*, user, limit: int = 36) -> list[datetime.date]:
    """The billing months with receivables in the user's scope, newest first."""
    return list(
        scoped(Receivable, user).order_by("-period").values_list("period", flat=True).distinct()[:limit]
    )


# --------------------------------------------------------------------------------- remittance rate
def remittance(
    *,
    user,
    month: datetime.date,
    as_of: datetime.date | None = None,
    station: Station | None = None,
) -> dict:
    """The remittance rate of the cash taken in ``month``, by station and in all, reckoned on ``as_of``.

    Returns ``{"month", "as_of", "by_station": [...], "total": {...}}``; each row has ``cash_yuan``,
    ``deposited_yuan``, ``remitted_yuan``, ``unremitted_yuan`` and ``rate_percent``.
    """
    month = month.replace(day=1)
    last = month_end(month)
    as_of = as_of or local_day()
    payments = scoped(Payment, user).filter(
        received_on__gte=month, received_on__lte=last, channel__in=CASH_CHANNELS, status__in=COUNTED
    )
    deposits = scoped(BankDeposit, user).filter(
        collection_day__gte=month, collection_day__lte=last, deposited_on__lte=as_of
    )
    if user is not None and getattr(user, "role", None) == Role.AREA_MANAGER and not user.is_superuser:
        payments, deposits = payments.filter(collector=user), deposits.filter(collector=user)
    if station is not None:
        payments, deposits = payments.filter(station=station), deposits.filter(station=station)
    remitted = Q(status=RemittanceStatus.REMITTED, remitted_on__lte=as_of)
    cash = dict(payments.values("station_id").annotate(s=Sum("amount_yuan")).values_list("station_id", "s"))
    deposit_rows = {
        row["station_id"]: row
        for row in deposits.values("station_id").annotate(
            deposited=Sum("amount_yuan"), remitted=Sum("amount_yuan", filter=remitted)
        )
    }
    stations = Station.objects.filter(pk__in=set(cash) | set(deposit_rows)).order_by("code")
    by_station = []
    for s in stations:
        row = deposit_rows.get(s.pk, {})
        by_station.append(
            _remittance_row(
                {"station_id": s.pk, "station__code": s.code, "station__name": s.name},
                cash.get(s.pk),
                row.get("deposited"),
                row.get("remitted"),
            )
        )
    total = _remittance_row(
        {},
        sum((r["cash_yuan"] for r in by_station), ZERO),
        sum((r["deposited_yuan"] for r in by_station), ZERO),
        sum((r["remitted_yuan"] for r in by_station), ZERO),
    )
    return {"month": month, "as_of": as_of, "by_station": by_station, "total": total}


def _remittance_row(row: dict, cash, deposited, remitted) -> dict:
    cash, deposited, remitted = _money(cash), _money(deposited), _money(remitted)
    row.update(
        cash_yuan=cash,
        deposited_yuan=deposited,
        remitted_yuan=remitted,
        unremitted_yuan=_money(max(cash - remitted, ZERO)),
        rate_percent=percent(remitted, cash),
    )
    return row


# ------------------------------------------------------------------------------------------ arrears
def arrears(*, user, as_of: datetime.date | None = None, station: Station | None = None) -> QuerySet:
    """Receivables in arrears on ``as_of`` (default today), oldest due first, annotated with
    ``paid_as_of`` and ``arrears_yuan`` (the principal unpaid on that day)."""
    as_of = as_of or local_day()
    queryset = scoped(Receivable, user).filter(due_date__lt=as_of, issued_on__lte=as_of)
    if as_of >= local_day():
        queryset = queryset.filter(status=ReceivableStatus.OPEN)  # settled ones owe nothing today
    if station is not None:
        queryset = queryset.filter(station=station)
    return (
        queryset.annotate(paid_as_of=paid_by(as_of))
        .annotate(arrears_yuan=F("amount_yuan") - F("paid_as_of"))
        .filter(arrears_yuan__gt=0)
        .order_by("due_date", "pk")
    )


def _bucket_sums(prefix: str, as_of: datetime.date, *, counts: bool = False) -> dict:
    sums = {}
    for bucket in AGEING_BUCKETS:
        within = Q(**bucket.due_range(as_of))
        sums[f"{prefix}{bucket.key}"] = Sum("arrears_yuan", filter=within)
        if counts:
            sums[f"c_{bucket.key}"] = Count("customer_id", distinct=True, filter=within)
            sums[f"r_{bucket.key}"] = Count("pk", filter=within)
    return sums


def _ageing_row(row: dict, as_of: datetime.date) -> dict:
    row["buckets"] = [_money(row.pop(f"b_{bucket.key}", None)) for bucket in AGEING_BUCKETS]
    row["arrears_yuan"] = _money(row.pop("owed_yuan", None))
    row["customers"] = row.get("customers") or 0
    row["receivables"] = row.get("receivables") or 0
    return row


def _arrears_sums(as_of: datetime.date) -> dict:
    return {
        "owed_yuan": Sum("arrears_yuan"),
        "customers": Count("customer_id", distinct=True),
        "receivables": Count("pk"),
        **_bucket_sums("b_", as_of),
    }


def arrears_total(*, user, as_of: datetime.date | None = None, station: Station | None = None, queryset=None):
    """``(total, counts)``: the arrears on ``as_of`` in all, a row as ``arrears_summary``'s (one query),
    and ``{bucket key: (customers, receivables)}``. What the home page's tile shows."""
    as_of = as_of or local_day()
    rows = queryset if queryset is not None else arrears(user=user, as_of=as_of, station=station)
    total = rows.order_by().aggregate(**{**_arrears_sums(as_of), **_bucket_sums("b_", as_of, counts=True)})
    counts = {b.key: (total.pop(f"c_{b.key}") or 0, total.pop(f"r_{b.key}") or 0) for b in AGEING_BUCKETS}
    return _ageing_row(total, as_of), counts


def arrears_summary(
    *, user, as_of: datetime.date | None = None, station: Station | None = None, queryset=None
) -> dict:
    """Arrears on ``as_of`` by ageing bucket: in all, per area and per area owner.

    Returns ``{"as_of", "buckets": [Bucket...], "total": row, "by_bucket": [...], "by_area": [...],
    "by_owner": [...]}``; a row has ``arrears_yuan``, ``customers``, ``receivables`` and ``buckets``
    (the amount in each bucket, in the order of ``AGEING_BUCKETS``). ``queryset`` narrows the arrears
    (the list page's filters).
    """
    as_of = as_of or local_day()
    rows = queryset if queryset is not None else arrears(user=user, as_of=as_of, station=station)
    rows = rows.order_by()
    sums = _arrears_sums(as_of)
    total, counts = arrears_total(user=user, as_of=as_of, queryset=rows)
    by_bucket = [
        {
            "key": bucket.key,
            "label": bucket.label,
            "arrears_yuan": amount,
            "share_percent": percent(amount, total["arrears_yuan"]),
            "customers": counts[bucket.key][0],
            "receivables": counts[bucket.key][1],
        }
        for bucket, amount in zip(AGEING_BUCKETS, total["buckets"], strict=True)
    ]
    by_area = [
        _ageing_row(row, as_of)
        for row in rows.values("area_id", "area__code", "area__name", "area__owner_id", "station__name")
        .annotate(**sums)
        .order_by("station__name", "area__code")
    ]
    by_owner = [
        _ageing_row(row, as_of)
        for row in rows.values("station_id", "station__name", "area__owner_id").annotate(
            **sums, areas=Count("area_id", distinct=True)
        )
    ]
    names = _owner_names({r["area__owner_id"] for r in by_area})
    for row in by_area + by_owner:
        row["owner"] = owner_label(row["area__owner_id"], names)
    by_owner.sort(key=lambda r: (r["station__name"], r["area__owner_id"] is None, r["owner"]))
    return {
        "as_of": as_of,
        "buckets": AGEING_BUCKETS,
        "total": total,
        "by_bucket": by_bucket,
        "by_area": by_area,
        "by_owner": by_owner,
    }


# ---------------------------------------------------------------------------------- late-fee income
def late_fee_income(*, user, year: int, station: Station | None = None, upto: datetime.date | None = None):
    """Late fees actually paid in ``year`` (by ``upto`` when given) per station, against its target.

    Returns ``{"year", "by_station": [...], "total": {...}}``; a row has ``income_yuan``, ``target_yuan``
    (None without a target), ``reached_percent`` and ``target`` (the ``LateFeeTarget`` or None).
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if upto is not None:
        last = min(last, upto)
    payments = scoped(Payment, user).filter(received_on__gte=first, received_on__lte=last, status__in=COUNTED)
    stations = scoped(Station, user).order_by("code")
    if station is not None:
        payments, stations = payments.filter(station=station), stations.filter(pk=station.pk)
    income = dict(
        payments.values("station_id").annotate(s=Sum("late_fee_yuan")).values_list("station_id", "s")
    )
    targets = {
        t.station_id: t for t in scoped(LateFeeTarget, user).filter(year=year).select_related("set_by")
    }
    by_station = []
    for s in stations:
        target = targets.get(s.pk)
        amount = _money(income.get(s.pk))
        by_station.append(
            {
                "station": s,
                "station_id": s.pk,
                "station__code": s.code,
                "station__name": s.name,
                "income_yuan": amount,
                "target": target,
                "target_yuan": target.target_yuan if target else None,
                "reached_percent": percent(amount, target.target_yuan) if target else None,
            }
        )
    income_total = sum((r["income_yuan"] for r in by_station), ZERO)
    with_target = [r for r in by_station if r["target_yuan"] is not None]
    target_total = sum((r["target_yuan"] for r in with_target), ZERO) if with_target else None
    total = {
        "income_yuan": _money(income_total),
        "target_yuan": target_total,
        "reached_percent": percent(income_total, target_total) if target_total else None,
    }
    return {"year": year, "by_station": by_station, "total": total}


def late_fee_months(*, user, year: int, station: Station | None = None) -> list[Decimal]:
    """The late fees paid in each month of ``year`` (twelve amounts)."""
    payments = scoped(Payment, user).filter(received_on__year=year, status__in=COUNTED)
    if station is not None:
        payments = payments.filter(station=station)
    by_month = {month: ZERO for month in range(1, 13)}
    for day, fee in payments.values_list("received_on", "late_fee_yuan").iterator():
        by_month[day.month] += fee
    return [_money(by_month[m]) for m in range(1, 13)]


# ----------------------------------------------------------------------------------------- dashboard
def month_figures(
    *, user, month: datetime.date, station: Station | None = None, today: datetime.date | None = None
) -> dict:
    """The figures of billing month ``month`` for the dashboard: recovery (by its default cut-off, or
    today when sooner), arrears today, remittance of the collection month, and the late-fee income of
    the month's year against its target."""
    today = today or local_day()
    month = month.replace(day=1)
    cutoff = max(min(recovery_cutoff(month), today), month)
    collection_month = month_add(month, 1)
    arrears_rows = arrears(user=user, as_of=today, station=station).order_by()
    owed = arrears_rows.aggregate(amount=Sum("arrears_yuan"), customers=Count("customer_id", distinct=True))
    return {
        "month": month,
        "cutoff": cutoff,
        "recovery": recovery_total(user=user, month=month, cutoff=cutoff, station=station, today=today),
        "arrears_yuan": _money(owed["amount"]),
        "arrears_customers": owed["customers"] or 0,
        "remittance": remittance(user=user, month=collection_month, as_of=today, station=station)["total"],
        "remittance_month": collection_month,
        "late_fees": late_fee_income(user=user, year=month.year, station=station, upto=today)["total"],
        "year": month.year,
    }
