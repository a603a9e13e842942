"""The named figures that KPI formulas may use: each computes its value for every subject of a month at
once, with aggregate queries over the other apps' data (never one query per person).

A figure is ``Figure(code, subject, label, unit, compute)``; ``compute(month, station_ids)`` returns
``{subject id: Decimal}`` (the person's id for a person figure, the station's id for a station figure),
``station_ids`` limiting the stations (``None``: the whole county). A subject absent from the result has
no value that month (no readings, no areas, no work orders): its KPI line shows "no data" and scores
nothing.

Who a person figure belongs to:

* area manager: the areas they own (``Area.owner``);
* meter reader: the reading books they read (``ReadingBook.reader``) and the areas of those books;
* inspector: the work orders they were assigned to and the visits and cases they made (first or second
  inspector of the visit).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from gridcheck.assessment.choices import Subject, Unit
from gridcheck.core.periods import month_bounds
from gridcheck.core.rules import rule_int

Values = dict[int, Decimal]
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Figure:
    code: str
    subject: str  # a Subject value
    label: str
    unit: str
    compute: Callable[[datetime.date, list[int] | None], Values]
    #: A count of events (thefts, discrepancies): a subject without any has 0, not "no data".
    zero_when_missing: bool = False


FIGURES: dict[str, Figure] = {}


def figure(code: str, subject: str, label, unit: str, *, zero_when_missing: bool = False):
    def wrap(fn):
        FIGURES[code] = Figure(code, subject, label, unit, fn, zero_when_missing)
        return fn

    return wrap


# -- helpers ---------------------------------------------------------------------------------------------


def _stations(qs, station_ids, field="station_id"):
    return qs if station_ids is None else qs.filter(**{f"{field}__in": station_ids})


def _group(qs, key: str, **aggregates) -> dict[int, dict]:
    """``{key value: {aggregate: value}}`` of one GROUP BY query (rows with an empty key dropped)."""
    out = {}
    for row in qs.order_by().values(key).annotate(**aggregates):
        if row[key] is not None:
            out[row[key]] = row
    return out


def _dec(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _rate(numerators: dict[int, Decimal], denominators: dict[int, Decimal]) -> Values:
    """Per cent, for every key with a positive denominator."""
    return {
        key: (numerators.get(key, Decimal(0)) * HUNDRED / den).quantize(Decimal("0.0001"))
        for key, den in denominators.items()
        if den > 0
    }


def _merge(*parts: dict[int, Decimal]) -> dict[int, Decimal]:
    total: dict[int, Decimal] = defaultdict(Decimal)
    for part in parts:
        for key, value in part.items():
            total[key] += value
    return dict(total)


def _counts(qs, key: str, **filters) -> dict[int, Decimal]:
    if filters:
        qs = qs.filter(**filters)
    return {k: Decimal(r["n"]) for k, r in _group(qs, key, n=Count("pk")).items()}


# -- area manager ----------------------------------------------------------------------------------------


@figure("area_loss_rate", Subject.AREA_MANAGER, _("Loss rate of one's areas"), Unit.PERCENT)
def area_loss_rate(month, station_ids):
    from gridcheck.lineloss.models import AreaMonthLoss

    qs = _stations(AreaMonthLoss.objects.filter(month=month), station_ids)
    rows = _group(qs, "area__owner_id", loss=Sum("loss_kwh"), supply=Sum("supply_kwh"))
    return _rate(
        {k: _dec(r["loss"]) for k, r in rows.items()}, {k: _dec(r["supply"]) for k, r in rows.items()}
    )


@figure("areas_above_target", Subject.AREA_MANAGER, _("Areas above their loss target"), Unit.COUNT)
def areas_above_target(month, station_ids):
    from gridcheck.lineloss.models import AreaMonthLoss

    qs = _stations(AreaMonthLoss.objects.filter(month=month), station_ids)
    rows = _group(qs, "area__owner_id", n=Count("pk", filter=Q(above_target=True)))
    return {k: Decimal(r["n"]) for k, r in rows.items()}


@figure("area_recovery_rate", Subject.AREA_MANAGER, _("Recovery rate of one's areas"), Unit.PERCENT)
def area_recovery_rate(month, station_ids):
    from gridcheck.collection.models import Receivable

    qs = _stations(Receivable.objects.filter(period=month), station_ids)
    rows = _group(qs, "area__owner_id", paid=Sum("paid_yuan"), due=Sum("amount_yuan"))
    return _rate({k: _dec(r["paid"]) for k, r in rows.items()}, {k: _dec(r["due"]) for k, r in rows.items()})


def _actual_rate(month, station_ids, key):
    from gridcheck.billing.choices import ReadingSource
    from gridcheck.billing.models import MeterReading

    qs = _stations(MeterReading.objects.filter(cycle__period=month), station_ids)
    rows = _group(qs, key, n=Count("pk"), actual=Count("pk", filter=~Q(source=ReadingSource.ESTIMATED)))
    return _rate(
        {k: Decimal(r["actual"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


@figure(
    "area_actual_reading_rate", Subject.AREA_MANAGER, _("Actual-reading rate of one's areas"), Unit.PERCENT
)
def area_actual_reading_rate(month, station_ids):
    return _actual_rate(month, station_ids, "area__owner_id")


@figure(
    "area_census_discrepancies",
    Subject.AREA_MANAGER,
    _("Census discrepancies in one's areas"),
    Unit.COUNT,
    zero_when_missing=True,
)
def area_census_discrepancies(month, station_ids):
    from gridcheck.census.models import Discrepancy

    first, last = month_bounds(month)
    qs = _stations(Discrepancy.objects.filter(created_at__date__range=(first, last)), station_ids)
    return _counts(qs, "area__owner_id")


@figure(
    "key_customer_thefts",
    Subject.AREA_MANAGER,
    _("Thefts found at key customers of one's areas"),
    Unit.COUNT,
    zero_when_missing=True,
)
def key_customer_thefts(month, station_ids):
    from gridcheck.cases.choices import CaseKind, CaseStatus
    from gridcheck.cases.models import Case

    first, last = month_bounds(month)
    qs = _stations(
        Case.objects.filter(kind=CaseKind.THEFT, case_date__range=(first, last))
        .filter(Q(customer__is_important=True) | Q(customer__is_high_risk=True))
        .exclude(status=CaseStatus.CANCELLED),
        station_ids,
    )
    return _counts(qs, "customer__area__owner_id")


# -- meter reader ----------------------------------------------------------------------------------------


@figure(
    "reader_actual_reading_rate", Subject.METER_READER, _("Actual-reading rate of one's books"), Unit.PERCENT
)
def reader_actual_reading_rate(month, station_ids):
    return _actual_rate(month, station_ids, "cycle__book__reader_id")


@figure("reader_estimated_readings", Subject.METER_READER, _("Estimated readings"), Unit.COUNT)
def reader_estimated_readings(month, station_ids):
    from gridcheck.billing.choices import ReadingSource
    from gridcheck.billing.models import MeterReading

    qs = _stations(MeterReading.objects.filter(cycle__period=month), station_ids)
    rows = _group(qs, "cycle__book__reader_id", n=Count("pk", filter=Q(source=ReadingSource.ESTIMATED)))
    return {k: Decimal(r["n"]) for k, r in rows.items()}


@figure("reader_incomplete_cards", Subject.METER_READER, _("Incomplete reading cards"), Unit.COUNT)
def reader_incomplete_cards(month, station_ids):
    """Customers of the reader's books (active at the month's end) with no reading in the month's cycle:
    a reading card left incomplete."""
    from gridcheck.archive.choices import CustomerStatus
    from gridcheck.archive.models import Customer
    from gridcheck.billing.models import MeterReading

    read = MeterReading.objects.filter(cycle__period=month, customer_id=OuterRef("pk"))
    qs = _stations(
        Customer.objects.filter(area__book_entry__isnull=False).exclude(status=CustomerStatus.CLOSED),
        station_ids,
    )
    missing = _counts(qs.filter(~Exists(read)), "area__book_entry__book__reader_id")
    # Every reader with a book this month has a line, with 0 when nothing is missing.
    from gridcheck.billing.models import ReadingCycle

    readers = _stations(ReadingCycle.objects.filter(period=month), station_ids).values_list(
        "book__reader_id", flat=True
    )
    return {reader: missing.get(reader, Decimal(0)) for reader in set(readers) if reader} | missing


# -- inspector -------------------------------------------------------------------------------------------


@figure("orders_on_time_rate", Subject.INSPECTOR, _("Work orders done on time"), Unit.PERCENT)
def orders_on_time_rate(month, station_ids):
    """Of the work orders due in the month assigned to the inspector (not cancelled), the share visited by
    the due date."""
    from gridcheck.inspections.choices import WorkOrderStatus
    from gridcheck.inspections.models import Assignment, Visit

    first, last = month_bounds(month)
    on_time = Visit.objects.filter(
        work_order_id=OuterRef("work_order_id"), visited_at__date__lte=OuterRef("work_order__due_on")
    )
    qs = _stations(
        Assignment.objects.filter(work_order__due_on__range=(first, last)).exclude(
            work_order__status=WorkOrderStatus.CANCELLED
        ),
        station_ids,
        "work_order__station_id",
    )
    rows = _group(
        qs.annotate(done=Exists(on_time)),
        "inspector_id",
        n=Count("pk"),
        done=Count("pk", filter=Q(done=True)),
    )
    return _rate(
        {k: Decimal(r["done"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


def _by_inspectors(qs, prefix="visit__", **aggregates) -> dict[int, dict]:
    """Group ``qs`` by the visit's first and second inspector and add the two up."""
    out: dict[int, dict] = {}
    for key in (f"{prefix}inspector1_id", f"{prefix}inspector2_id"):
        for person, row in _group(qs, key, **aggregates).items():
            entry = out.setdefault(person, dict.fromkeys(aggregates, 0))
            for name in aggregates:
                entry[name] += row[name] or 0
    return out


@figure("case_correctness_rate", Subject.INSPECTOR, _("Cases approved as filed"), Unit.PERCENT)
def case_correctness_rate(month, station_ids):
    """Of the inspector's cases decided in the month, the share approved (not rejected)."""
    from gridcheck.cases.choices import ApprovalDecision
    from gridcheck.cases.models import CaseApproval

    first, last = month_bounds(month)
    qs = _stations(
        CaseApproval.objects.filter(decided_at__date__range=(first, last)), station_ids, "case__station_id"
    )
    rows = _by_inspectors(
        qs, "case__visit__", n=Count("pk"), ok=Count("pk", filter=Q(decision=ApprovalDecision.APPROVE))
    )
    return _rate(
        {k: Decimal(r["ok"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


@figure("case_closure_rate", Subject.INSPECTOR, _("Cases closed"), Unit.PERCENT)
def case_closure_rate(month, station_ids):
    """Of the inspector's cases open at some time in the month (filed by its end, not closed before it
    began, not cancelled or rejected), the share closed by the month's end."""
    from gridcheck.cases.choices import CaseStatus
    from gridcheck.cases.models import Case

    first, last = month_bounds(month)
    qs = _stations(
        Case.objects.filter(case_date__lte=last, visit__isnull=False)
        .exclude(status__in=(CaseStatus.CANCELLED, CaseStatus.REJECTED))
        .exclude(closed_on__lt=first),
        station_ids,
    )
    rows = _by_inspectors(qs, n=Count("pk"), closed=Count("pk", filter=Q(closed_on__lte=last)))
    return _rate(
        {k: Decimal(r["closed"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


@figure("evidence_complete_rate", Subject.INSPECTOR, _("Visits with complete evidence"), Unit.PERCENT)
def evidence_complete_rate(month, station_ids):
    """Of the inspector's visits in the month, the share with a photo and the customer's signature or a
    recorded refusal."""
    from gridcheck.inspections.models import Visit, VisitPhoto

    first, last = month_bounds(month)
    photo = VisitPhoto.objects.filter(visit_id=OuterRef("pk"))
    signed = ~Q(customer_signer="") | (Q(customer_refused=True) & ~Q(refusal_note=""))
    qs = _stations(Visit.objects.filter(visited_at__date__range=(first, last)), station_ids)
    qs = qs.annotate(has_photo=Exists(photo))
    complete = Q(has_photo=True) & signed
    out: dict[int, list[Decimal]] = {}
    for key in ("inspector1_id", "inspector2_id"):
        for person, row in _group(qs, key, n=Count("pk"), ok=Count("pk", filter=complete)).items():
            entry = out.setdefault(person, [Decimal(0), Decimal(0)])
            entry[0] += row["ok"]
            entry[1] += row["n"]
    return _rate({k: v[0] for k, v in out.items()}, {k: v[1] for k, v in out.items()})


@figure("tipoffs_in_time_rate", Subject.INSPECTOR, _("Tip-offs reached in time"), Unit.PERCENT)
def tipoffs_in_time_rate(month, station_ids):
    """Of the tip-offs whose site-visit deadline fell in the month, assigned to the inspector through their
    work order, the share visited by the deadline."""
    from gridcheck.inspections.models import Assignment

    first, last = month_bounds(month)
    qs = _stations(
        Assignment.objects.filter(work_order__tipoff__visit_deadline__date__range=(first, last)),
        station_ids,
        "work_order__station_id",
    )
    in_time = Q(work_order__tipoff__visited_at__lte=F("work_order__tipoff__visit_deadline"))
    rows = _group(qs, "inspector_id", n=Count("pk"), ok=Count("pk", filter=in_time))
    return _rate(
        {k: Decimal(r["ok"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


# -- station ---------------------------------------------------------------------------------------------


@figure("late_fee_income_ytd", Subject.STATION, _("Late-fee income this year to date"), Unit.YUAN)
def late_fee_income_ytd(month, station_ids):
    from gridcheck.collection.choices import PaymentStatus
    from gridcheck.collection.models import Payment

    _, last = month_bounds(month)
    qs = _stations(
        Payment.objects.filter(received_on__range=(month.replace(month=1), last)).exclude(
            status=PaymentStatus.REVERSED
        ),
        station_ids,
    )
    return {k: _dec(r["fee"]) for k, r in _group(qs, "station_id", fee=Sum("late_fee_yuan")).items()}


@figure(
    "audit_findings_closed_rate", Subject.STATION, _("Audit findings closed by their deadline"), Unit.PERCENT
)
def audit_findings_closed_rate(month, station_ids):
    from gridcheck.audit.choices import FindingStatus
    from gridcheck.audit.models import Finding

    first, last = month_bounds(month)
    qs = _stations(Finding.objects.filter(deadline__range=(first, last)), station_ids)
    done = Q(status__in=(FindingStatus.CLOSED, FindingStatus.VERIFIED, FindingStatus.DISMISSED)) & Q(
        closed_at__date__lte=F("deadline")
    )
    rows = _group(qs, "station_id", n=Count("pk"), ok=Count("pk", filter=done))
    return _rate(
        {k: Decimal(r["ok"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


@figure("hazards_closed_rate", Subject.STATION, _("Hazards rectified by their deadline"), Unit.PERCENT)
def hazards_closed_rate(month, station_ids):
    from gridcheck.hazards.models import Hazard

    first, last = month_bounds(month)
    qs = _stations(Hazard.objects.filter(deadline__range=(first, last)), station_ids)
    rows = _group(qs, "station_id", n=Count("pk"), ok=Count("pk", filter=Q(rectified_on__lte=F("deadline"))))
    return _rate(
        {k: Decimal(r["ok"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


@figure("notices_on_time_rate", Subject.STATION, _("Monthly hazard notices sent on time"), Unit.PERCENT)
def notices_on_time_rate(month, station_ids):
    """Of the month's customer hazard notices, the share sent by the due day (rule
    ``hazards.monthly_notice_due_day``)."""
    from gridcheck.hazards.choices import NoticeKind
    from gridcheck.hazards.models import Notice

    due = month.replace(day=rule_int("hazards.monthly_notice_due_day", on=month))
    qs = _stations(
        Notice.objects.filter(kind=NoticeKind.CUSTOMER_MONTHLY, period=f"{month:%Y-%m}"), station_ids
    )
    rows = _group(qs, "station_id", n=Count("pk"), ok=Count("pk", filter=Q(sent_at__date__lte=due)))
    return _rate(
        {k: Decimal(r["ok"]) for k, r in rows.items()}, {k: Decimal(r["n"]) for k, r in rows.items()}
    )


def figures_for(subject: str) -> list[Figure]:
    return [f for f in FIGURES.values() if f.subject == subject]
