"""Services of meter reading and billing: every change of a book, reading, bill or application.

Each service is keyword-only and atomic, checks the user's capability and scope, refuses with a Chinese
``ValidationError`` that names the customer and field, and logs the state change (``BillingEvent``).
The money itself is computed by ``gridcheck_analytics.billing.bill`` (and ``penalties.meter_error`` for
refunds), under the rule rows in force on the bill's reading date.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer, Meter
from gridcheck.archive.selectors import tariff_in_force
from gridcheck.archive.services import customer_tariff_change
from gridcheck.billing import selectors
from gridcheck.billing.choices import (
    SUSPICIOUS_ANOMALIES,
    AdjustmentKind,
    AnomalyKind,
    AnomalyStatus,
    BasicChargeBasis,
    BillStatus,
    ChangeStatus,
    CycleStatus,
    ReadingSource,
    ReviewFlag,
)
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BillingEvent,
    BillingTerms,
    BookArea,
    BookChange,
    CalculationLayout,
    CategoryChange,
    MeterExchange,
    MeterReading,
    ReaderAnomaly,
    ReadingBook,
    ReadingCycle,
)
from gridcheck.billing.signals import bill_adjusted, bills_issued
from gridcheck.core.bulk import update_rows
from gridcheck.core.periods import month_add
from gridcheck.core.roles import APPROVE_STATION, CHECK_BILLS, PREPARE_BILLS, READ_METERS, has_capability
from gridcheck.core.rules import rule_value
from gridcheck.core.scoping import scope_queryset, user_can_see
from gridcheck_analytics import penalties
from gridcheck_analytics.billing import bill as compute_bill
from gridcheck_analytics.billing.compact import Compactor
from gridcheck_analytics.memory import gc_paused
from gridcheck_analytics.penalties.inputs import CalcInputError
from gridcheck_analytics.regulations import RuleError

REGISTERS = ("total", "peak", "flat", "valley", "reactive")
TOU_REGISTERS = ("peak", "flat", "valley")
FIELD_NAMES = {
    "total": "总示数",
    "peak": "峰示数",
    "flat": "平示数",
    "valley": "谷示数",
    "reactive": "无功示数",
}


# --------------------------------------------------------------------------------------------- helpers
def _event(subject, *, to_status: str, from_status: str = "", actor=None, note: str = "") -> None:
    BillingEvent.objects.create(
        subject_type=type(subject).__name__,
        subject_id=subject.pk,
        from_status=from_status or "",
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note or "",
    )
    _handover(subject, to_status=to_status, actor=actor)


#: Who prepared each kind of request that a second person decides (the field), and who acts on it next
#: in each status: (capability, the people of the request who may not).
_REQUESTER = {BookChange: "requested_by", BillAdjustment: "prepared_by", CategoryChange: "applied_by"}
_NEXT = {
    (BookChange, ChangeStatus.PENDING): (APPROVE_STATION, ("requested_by",)),
    (BillAdjustment, ChangeStatus.PENDING): (APPROVE_STATION, ("prepared_by",)),
    (CategoryChange, ChangeStatus.PENDING): (CHECK_BILLS, ("applied_by",)),
    (CategoryChange, ChangeStatus.CHECKED): (APPROVE_STATION, ("applied_by", "checked_by")),
}


def _handover(subject, *, to_status: str, actor) -> None:
    """Tell the next person that a request waits for them, or its requester how it was decided."""
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    kind = type(subject)
    if kind not in _REQUESTER:
        return
    what = f"{kind._meta.verbose_name}{subject.pk}"
    url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    if (kind, to_status) in _NEXT:
        capability, not_them = _NEXT[(kind, to_status)]
        people = people_who_may(
            capability,
            station_id=subject.station_id,
            exclude=[actor, *(getattr(subject, f"{field}_id") for field in not_them)],
        )
        subject_line = _("%(what)s waits for you") % {"what": what}
    elif to_status in (ChangeStatus.APPROVED, ChangeStatus.REJECTED):
        people = [getattr(subject, _REQUESTER[kind])]
        subject_line = _("%(what)s: %(status)s") % {"what": what, "status": ChangeStatus(to_status).label}
    else:
        return
    notify_people(
        people,
        subject=subject_line,
        body=_("%(what)s (%(object)s). Page: %(url)s") % {"what": what, "object": subject, "url": url},
        key=f"billing:{kind.__name__}:{subject.pk}:{to_status}",
        related=subject,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _require(user, capability: str, message: str) -> None:
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(message)


def _require_scope(user, obj) -> None:
    if user is not None and not user_can_see(user, obj):
        raise PermissionDenied(_("This record lies outside your station or areas."))


def _require_status(obj, *allowed: str) -> None:
    if obj.status not in allowed:
        raise ValidationError(
            _("Not possible while the status is %(status)s.") % {"status": obj.get_status_display()}
        )


def _customer_error(customer: Customer, field_name: str, message: str) -> str:
    return _("Customer %(account)s %(name)s, %(field)s: %(message)s") % {
        "account": customer.account_number,
        "name": customer.name,
        "field": field_name,
        "message": message,
    }


def _copy(model, fields: list[str], rows) -> None:
    """PostgreSQL ``COPY`` of ``rows`` (tuples of the attributes ``fields``, JSON as text) into ``model``."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------ reading books
@transaction.atomic
def book_create(
    *, user, station, code: str, name: str, reading_day: int, cycle_months: int = 1, reader, areas=()
) -> ReadingBook:
    """A new reading book of ``station`` with its reader and areas (each area in one book only)."""
    _require(user, PREPARE_BILLS, _("Your role may not set up reading books."))
    if user is not None and user.station_id not in (None, station.pk):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    if reader.station_id not in (None, station.pk):
        raise ValidationError({"reader": _("The reader works at another station.")})
    if not has_capability(reader, READ_METERS):
        raise ValidationError({"reader": _("%(user)s may not read meters.") % {"user": reader}})
    book = ReadingBook(
        station=station,
        code=code,
        name=name,
        reading_day=reading_day,
        cycle_months=cycle_months,
        reader=reader,
    )
    book.full_clean()
    book._history_user = user
    book.save()
    book_assign_areas(user=user, book=book, areas=areas)
    return book


@transaction.atomic
def book_assign_areas(*, user, book: ReadingBook, areas) -> None:
    """Put ``areas`` into ``book``; an area already in another book is refused ("一人一区")."""
    _require(user, PREPARE_BILLS, _("Your role may not set up reading books."))
    for area in areas:
        if area.station_id != book.station_id:
            raise ValidationError(
                {"areas": _("Area %(code)s belongs to another station.") % {"code": area.code}}
            )
        entry = BookArea.objects.filter(area=area).select_related("book").first()
        if entry is not None and entry.book_id != book.pk:
            raise ValidationError(
                {
                    "areas": _("Area %(code)s is already in book %(book)s: one reader per area.")
                    % {"code": area.code, "book": entry.book.code}
                }
            )
        if entry is None:
            BookArea.objects.create(book=book, area=area)


@transaction.atomic
def book_change_request(
    *, user, book: ReadingBook, reading_day: int, cycle_months: int, reason: str
) -> BookChange:
    """Ask to change a book's reading day or cycle; nothing changes until the station head approves."""
    _require(user, PREPARE_BILLS, _("Your role may not ask for a book change."))
    _require_scope(user, book)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if (reading_day, cycle_months) == (book.reading_day, book.cycle_months):
        raise ValidationError(
            {"reading_day": _("The new reading day and cycle are the book's present ones.")}
        )
    change = BookChange(
        book=book,
        station_id=book.station_id,
        reading_day=reading_day,
        cycle_months=cycle_months,
        old_reading_day=book.reading_day,
        old_cycle_months=book.cycle_months,
        reason=reason.strip(),
        requested_by=user,
    )
    change.full_clean()
    change.save()
    _event(change, to_status=change.status, actor=user)
    return change


@transaction.atomic
def book_change_decide(*, user, change: BookChange, approve: bool, comment: str = "") -> BookChange:
    """The station head approves (the book changes, in its history) or rejects a book change."""
    _require(user, APPROVE_STATION, _("Only the station head approves a change of a reading book."))
    _require_scope(user, change)
    change = BookChange.objects.select_for_update().get(pk=change.pk)
    _require_status(change, ChangeStatus.PENDING)
    if user.pk == change.requested_by_id:
        raise PermissionDenied(_("Whoever asked for a change may not approve it."))
    before = change.status
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.comment = user, timezone.now(), comment
    change.save()
    if approve:
        book = change.book
        book.reading_day, book.cycle_months = change.reading_day, change.cycle_months
        book._history_user = user
        book._change_reason = _("Approved book change %(pk)s") % {"pk": change.pk}
        book.save()
    _event(change, from_status=before, to_status=change.status, actor=user, note=comment)
    return change


# --------------------------------------------------------------------------------------------- cycles
@transaction.atomic
def cycle_open(*, user, book: ReadingBook, period: datetime.date) -> ReadingCycle:
    """The book's cycle of ``period`` (a month); opening it twice returns the same cycle."""
    _require(user, PREPARE_BILLS, _("Your role may not open a reading cycle."))
    _require_scope(user, book)
    period = period.replace(day=1)
    cycle = ReadingCycle.objects.filter(book=book, period=period).first()
    if cycle is not None:
        return cycle
    cycle = ReadingCycle.objects.create(
        book=book,
        station_id=book.station_id,
        period=period,
        reading_date=selectors.reading_date(book.reading_day, period),
        previous_reading_date=selectors.reading_date(book.reading_day, month_add(period, -book.cycle_months)),
    )
    _event(cycle, to_status=cycle.status, actor=user)
    return cycle


def _store_registers(meter_ids: list[str], on: datetime.date) -> dict[str, dict]:
    """Register values of ``meter_ids`` frozen on ``on`` in the meter-data store (AMI daily registers)."""
    from gridcheck.readings.selectors import meter_store

    store = meter_store()
    month = f"{on:%Y-%m}"
    if not meter_ids or month not in store.months("daily"):
        return {}
    import pyarrow.dataset as ds

    wanted = set(meter_ids)
    table = ds.dataset(store.paths("daily", [month]), format="parquet").to_table(
        filter=(ds.field("reading_date") == on) & ds.field("meter_id").isin(list(wanted))
    )
    frame = table.to_pandas()
    out = {}
    for row in frame.itertuples(index=False):
        registers = {}
        for name in ("total", "peak", "flat", "valley"):
            value = getattr(row, f"register_{name}_kwh", None)
            if value is not None and value == value:  # not NaN
                registers[name] = Decimal(str(value))
        multiplier = getattr(row, "multiplier", None)
        out[row.meter_id] = {
            "registers": registers,
            "multiplier": Decimal(str(multiplier))
            if multiplier is not None and multiplier == multiplier
            else None,
        }
    return out


def _store_first_registers(meter_id: str, first: datetime.date, last: datetime.date) -> dict | None:
    """The registers of ``meter_id`` on the first day in ``[first, last]`` that the store holds."""
    from gridcheck.readings.selectors import meter_store

    store = meter_store()
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(f"{month:%Y-%m}")
        month = month_add(month, 1)
    paths = store.paths("daily", months)
    if not paths:
        return None
    import pyarrow.dataset as ds

    table = ds.dataset(paths, format="parquet").to_table(
        filter=(ds.field("meter_id") == meter_id)
        & (ds.field("reading_date") >= first)
        & (ds.field("reading_date") <= last)
        & ds.field("register_total_kwh").is_valid()
    )
    if table.num_rows == 0:
        return None
    row = table.sort_by("reading_date").slice(0, 1).to_pylist()[0]
    return {
        name: Decimal(str(row[f"register_{name}_kwh"]))
        for name in ("total", "peak", "flat", "valley")
        if row.get(f"register_{name}_kwh") is not None
    }


#: Register columns of an AMI reading, in the order the collection compares and writes them.
AMI_VALUES = ("total", "peak", "flat", "valley", "multiplier_read")


@transaction.atomic
@gc_paused()
def cycle_collect_ami(*, user, cycle: ReadingCycle) -> dict:
    """Take the cycle's readings from the meter-data store (AMI registers frozen on the reading date).

    Readings entered by hand are kept; AMI readings are refreshed (running it twice changes nothing). The
    book is read as values and the new readings written in bulk (``COPY`` on PostgreSQL).
    """
    _require(user, PREPARE_BILLS, _("Your role may not collect readings."))
    _require_scope(user, cycle)
    _require_status(cycle, CycleStatus.OPEN)
    meters = list(
        selectors.book_meters(cycle.book, cycle.reading_date).values_list(
            "pk",
            "asset_number",
            "metering_point__customer_id",
            "metering_point__customer__station_id",
            "metering_point__customer__area_id",
        )
    )
    existing = {
        row[0]: row[1:] for row in cycle.readings.values_list("meter_id", "pk", "source", *AMI_VALUES)
    }
    found = _store_registers([m[1] for m in meters], cycle.reading_date)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0, "missing": 0}
    creates, updates = [], []
    cent = Decimal("0.01")
    for meter_id, asset_number, customer_id, station_id, area_id in meters:
        row = found.get(asset_number)
        reading = existing.get(meter_id)
        if reading is not None and reading[1] != ReadingSource.AMI:
            counts["kept"] += 1
            continue
        if row is None or "total" not in row["registers"]:
            counts["missing"] += 1
            continue
        registers = row["registers"]
        values = tuple(
            registers[name].quantize(cent) if name in registers else None
            for name in ("total", "peak", "flat", "valley")
        ) + (row["multiplier"].quantize(cent) if row["multiplier"] is not None else None,)
        if reading is None:
            creates.append((cycle.pk, meter_id, customer_id, station_id, area_id, *values))
        elif reading[2:] != values:
            updates.append(MeterReading(pk=reading[0], **dict(zip(AMI_VALUES, values, strict=True))))
        else:
            counts["unchanged"] += 1
    fields = ["cycle_id", "meter_id", "customer_id", "station_id", "area_id", *AMI_VALUES]
    if creates and connection.vendor == "postgresql":
        now = timezone.now()
        tail = (cycle.reading_date, ReadingSource.AMI.value, "", now, now)
        _copy(
            MeterReading,
            [*fields, "read_on", "source", "photo", "created_at", "updated_at"],
            ((*row, *tail) for row in creates),
        )
    elif creates:
        MeterReading.objects.bulk_create(
            [
                MeterReading(
                    read_on=cycle.reading_date,
                    source=ReadingSource.AMI,
                    **dict(zip(fields, row, strict=True)),
                )
                for row in creates
            ],
            batch_size=2000,
        )
    now = timezone.now()
    for reading in updates:
        reading.updated_at = now
    MeterReading.objects.bulk_update(updates, [*AMI_VALUES, "updated_at"], batch_size=2000)
    counts["created"], counts["updated"] = len(creates), len(updates)
    counts["backwards"] = _report_backwards(user, cycle)
    return counts


def _report_backwards(user, cycle: ReadingCycle) -> int:
    """The validation of the collected readings: an AMI total register below the meter's reading of the
    previous cycle is a reading anomaly ("register went backwards"), reported once per cycle and meter."""
    previous = dict(
        MeterReading.objects.filter(cycle__book=cycle.book, read_on=cycle.previous_reading_date).values_list(
            "meter_id", "total"
        )
    )
    reported = set(cycle.anomalies.filter(kind=AnomalyKind.BACKWARDS).values_list("meter_id", flat=True))
    high = Decimal(str(rule_value("vee.rollover_high_fraction", cycle.reading_date)))
    low = Decimal(str(rule_value("vee.rollover_low_fraction", cycle.reading_date)))
    found = 0
    readings = cycle.readings.filter(source=ReadingSource.AMI).order_by("meter__asset_number")
    for meter_id, total, digits in readings.values_list("meter_id", "total", "meter__register_digits"):
        before = previous.get(meter_id)
        if before is None or total is None or total >= before or meter_id in reported:
            continue
        full = Decimal(10) ** digits
        if before >= high * full and total <= low * full:
            continue  # a rollover past full scale, billed as such
        anomaly_report(
            user=user,
            meter=Meter.objects.get(pk=meter_id),
            kind=AnomalyKind.BACKWARDS,
            note=_("Total register %(new)s below %(old)s of the previous reading (VEE).")
            % {"new": total, "old": before},
            cycle=cycle,
            by_vee=True,
        )
        found += 1
    return found


def _clean_register(value, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: _("Not a number.")}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({name: _("A register value is a number of zero or more.")})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def reading_enter(
    *,
    user,
    cycle: ReadingCycle,
    meter: Meter,
    source: str = ReadingSource.HANDHELD,
    photo=None,
    multiplier_read=None,
    max_demand_kw=None,
    **registers,
) -> MeterReading:
    """Enter (or correct) the reading of ``meter`` in ``cycle``: register values total/peak/flat/valley/reactive.

    ``photo`` is an accepted upload (``core.uploads.upload_accept`` of kind photo); a register below the meter's previous reading is refused, whatever
    the source (report the meter instead: a changed or faulty meter, or correct the earlier estimate).
    A multiplier not given keeps the one already recorded (e.g. the head-end's).
    """
    if not selectors.can_read_meters(user, cycle.book):
        raise PermissionDenied(_("Only the book's reader (or billing staff) enters its readings."))
    _require_scope(user, cycle)
    _require_status(cycle, CycleStatus.OPEN)
    if source not in ReadingSource.values:
        raise ValidationError({"source": _("Unknown reading source.")})
    meter = Meter.objects.select_related("metering_point__customer").get(pk=meter.pk)
    customer = meter.metering_point.customer
    if not selectors.book_meters(cycle.book, cycle.reading_date).filter(pk=meter.pk).exists():
        raise ValidationError(
            {"meter": _("Meter %(meter)s is not in this book.") % {"meter": meter.asset_number}}
        )
    unknown = set(registers) - set(REGISTERS)
    if unknown:
        raise ValueError(f"unknown registers: {sorted(unknown)}")
    values = {name: _clean_register(registers.get(name), name) for name in REGISTERS}
    if values["total"] is None:
        raise ValidationError({"total": _customer_error(customer, FIELD_NAMES["total"], _("required."))})
    previous = selectors.previous_reading(meter.pk, cycle.reading_date)
    if previous is not None:
        for name in REGISTERS:
            old = getattr(previous, name)
            if values[name] is not None and old is not None and values[name] < old:
                raise ValidationError(
                    {
                        name: _customer_error(
                            customer,
                            FIELD_NAMES[name],
                            _(
                                "%(new)s is below the previous reading %(old)s of %(date)s; report the meter if it was changed or is faulty."
                            )
                            % {"new": values[name], "old": old, "date": previous.read_on},
                        )
                    }
                )
    reading, _created = MeterReading.objects.update_or_create(
        cycle=cycle,
        meter=meter,
        defaults={
            "customer": customer,
            "station_id": customer.station_id,
            "area_id": customer.area_id,
            "read_on": cycle.reading_date,
            "source": source,
            "multiplier_read": (
                _clean_register(multiplier_read, "multiplier_read")
                if multiplier_read not in (None, "")
                else MeterReading.objects.filter(cycle=cycle, meter=meter)
                .values_list("multiplier_read", flat=True)
                .first()
            ),
            "max_demand_kw": _clean_register(max_demand_kw, "max_demand_kw"),
            "entered_by": user,
            **values,
        },
    )
    if photo is not None:
        reading.photo.save(photo.file.name, photo.file, save=True)
    return reading


# ------------------------------------------------------------------------------------------ anomalies
@transaction.atomic
def anomaly_report(
    *, user, meter: Meter, kind: str, note: str = "", cycle: ReadingCycle | None = None, by_vee: bool = False
) -> ReaderAnomaly:
    """A reader (or the VEE run) reports something wrong at a meter; the station head is told.

    A meter burned, stolen or moved, or a broken seal, goes to the suspicious-theft procedure: a work order
    for an inspector and the metering staff together is opened at once.
    """
    if not by_vee:
        _require(user, READ_METERS, _("Your role may not report reading anomalies."))
    meter = Meter.objects.select_related("metering_point__customer").get(pk=meter.pk)
    _require_scope(user, meter)
    customer = meter.metering_point.customer
    anomaly = ReaderAnomaly(
        meter=meter,
        customer=customer,
        station_id=customer.station_id,
        area_id=customer.area_id,
        cycle=cycle,
        kind=kind,
        note=note,
        found_on=timezone.localdate(),
        reported_by=user if getattr(user, "is_authenticated", False) else None,
        by_vee=by_vee,
        suspected_theft=kind in SUSPICIOUS_ANOMALIES,
    )
    anomaly.full_clean()
    anomaly.save()
    _event(anomaly, to_status=anomaly.status, actor=user, note=note)
    _notify_head(anomaly)
    if anomaly.suspected_theft:
        anomaly_open_work_order(user=None, anomaly=anomaly)
    return anomaly


def _notify_head(anomaly: ReaderAnomaly) -> None:
    """An in-app message to each station head of the anomaly's station."""
    from gridcheck.notifications.services import message_enqueue
    from gridcheck.users.models import User

    heads = User.objects.filter(station_id=anomaly.station_id, role="station_head", is_active=True)
    for head in heads:
        message_enqueue(
            channel="in_app",
            recipient=head,
            subject=_("Reading anomaly: %(kind)s at %(account)s")
            % {"kind": anomaly.get_kind_display(), "account": anomaly.customer.account_number},
            body=_("Meter %(meter)s of %(customer)s: %(kind)s. %(note)s")
            % {
                "meter": anomaly.meter.asset_number,
                "customer": anomaly.customer,
                "kind": anomaly.get_kind_display(),
                "note": anomaly.note,
            },
            dedup_key=f"billing-anomaly-{anomaly.pk}-{head.pk}",
            related=anomaly,
            station=anomaly.station,
        )


@transaction.atomic
def anomaly_open_work_order(*, user, anomaly: ReaderAnomaly) -> ReaderAnomaly:
    """Open an inspection work order for the anomaly (once)."""
    from gridcheck.inspections.services.work_orders import work_order_create

    if user is not None:
        _require(user, PREPARE_BILLS, _("Your role may not open work orders from anomalies."))
        _require_scope(user, anomaly)
    if anomaly.work_order_id_ref:
        return anomaly
    reason = _("Reading anomaly: %(kind)s (meter %(meter)s). %(note)s") % {
        "kind": anomaly.get_kind_display(),
        "meter": anomaly.meter.asset_number,
        "note": anomaly.note,
    }
    if anomaly.suspected_theft:
        reason = _("Suspicious: %(reason)s Inspector and metering staff together.") % {"reason": reason}
    order = work_order_create(
        source="reading", customer=anomaly.customer, reason=reason.strip(), created_by=user, related=anomaly
    )
    before = anomaly.status
    anomaly.work_order_id_ref = order.pk
    anomaly.status = AnomalyStatus.WORK_ORDER
    anomaly.save()
    _event(anomaly, from_status=before, to_status=anomaly.status, actor=user, note=order.number)
    return anomaly


@transaction.atomic
def anomaly_resolve(*, user, anomaly: ReaderAnomaly, outcome: str) -> ReaderAnomaly:
    _require(user, PREPARE_BILLS, _("Your role may not close reading anomalies."))
    _require_scope(user, anomaly)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    before = anomaly.status
    anomaly.status, anomaly.outcome = AnomalyStatus.RESOLVED, outcome.strip()
    anomaly.save()
    _event(anomaly, from_status=before, to_status=anomaly.status, actor=user, note=outcome)
    return anomaly


@transaction.atomic
def meter_exchange_record(
    *,
    user,
    old_meter: Meter,
    new_meter: Meter,
    changed_on: datetime.date,
    old_final: dict,
    new_initial: dict,
    old_multiplier=None,
) -> MeterExchange:
    """Record a meter (or multiplier) change: the bill of its period has the old part and the new part."""
    _require(user, PREPARE_BILLS, _("Your role may not record meter changes."))
    _require_scope(user, old_meter)
    point = old_meter.metering_point
    if new_meter.metering_point_id != point.pk:
        raise ValidationError({"new_meter": _("The new meter is not at the old meter's metering point.")})
    clean_final = {
        k: str(_clean_register(v, f"old_final.{k}")) for k, v in old_final.items() if v not in (None, "")
    }
    clean_initial = {
        k: str(_clean_register(v, f"new_initial.{k}")) for k, v in new_initial.items() if v not in (None, "")
    }
    if "total" not in clean_final or "total" not in clean_initial:
        raise ValidationError({"old_final": _("The total register of both meters is required.")})
    exchange = MeterExchange.objects.create(
        metering_point=point,
        customer=point.customer,
        station_id=point.customer.station_id,
        changed_on=changed_on,
        old_meter=old_meter,
        new_meter=new_meter,
        old_multiplier=Decimal(old_multiplier) if old_multiplier is not None else point.multiplier,
        new_multiplier=point.multiplier,
        old_final=clean_final,
        new_initial=clean_initial,
        recorded_by=user,
    )
    return exchange


# -------------------------------------------------------------------------------------------- billing
class BillRunError(ValidationError):
    """The cycle could not be billed; ``errors`` name each customer and field. Nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors)


@dataclass
class _Inputs:
    kwargs: dict
    flags: list[str] = field(default_factory=list)
    tariff: object = None


class _Customer:
    """A customer as the bill run reads it (values, not a model instance: a run reads whole books)."""

    __slots__ = (
        "pk",
        "account_number",
        "name",
        "station_id",
        "area_id",
        "category",
        "contracted_capacity_kva",
        "voltage_level",
        "status",
        "tariff_code",
    )
    FIELDS = (
        "pk",
        "account_number",
        "name",
        "station_id",
        "area_id",
        "category",
        "contracted_capacity_kva",
        "voltage_level",
        "status",
        "tariff_code",
    )

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


class _Point:
    __slots__ = ("ct_ratio", "pt_ratio", "multiplier", "customer_id")

    def __init__(self, ct_ratio, pt_ratio, multiplier, customer_id):
        self.ct_ratio, self.pt_ratio, self.multiplier, self.customer_id = (
            ct_ratio,
            pt_ratio,
            multiplier,
            customer_id,
        )


class _Meter:
    """A meter in service with its metering point (CT, PT, multiplier), as the bill run reads it."""

    __slots__ = ("pk", "asset_number", "register_digits", "install_date", "metering_point")
    FIELDS = (
        "pk",
        "asset_number",
        "register_digits",
        "install_date",
        "metering_point__ct_ratio",
        "metering_point__pt_ratio",
        "metering_point__multiplier",
        "metering_point__customer_id",
    )

    def __init__(self, pk, asset_number, register_digits, install_date, ct, pt, multiplier, customer_id):
        self.pk, self.asset_number, self.register_digits, self.install_date = (
            pk,
            asset_number,
            register_digits,
            install_date,
        )
        self.metering_point = _Point(ct, pt, multiplier, customer_id)


class _Reading:
    """A meter reading's registers and source, as the bill run reads them."""

    __slots__ = (
        "meter_id",
        "source",
        "total",
        "peak",
        "flat",
        "valley",
        "reactive",
        "multiplier_read",
        "max_demand_kw",
    )

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def _readings(queryset) -> dict[int, _Reading]:
    return {row[0]: _Reading(*row) for row in queryset.values_list(*_Reading.__slots__)}


class _Run:
    """What one bill run reads, fetched in a few queries for the whole cycle (not per customer)."""

    def __init__(self, cycle: ReadingCycle):
        self.cycle = cycle
        on = cycle.reading_date
        self.on = on
        self.meters_by_customer: dict[int, list[_Meter]] = {}
        for row in selectors.book_meters(cycle.book, on).values_list(*_Meter.FIELDS):
            self.meters_by_customer.setdefault(row[-1], []).append(_Meter(*row))
        self.customers = [
            _Customer(*row)
            for row in selectors.book_customers(cycle.book)
            .order_by("account_number")
            .values_list(*_Customer.FIELDS)
            if row[0] in self.meters_by_customer
        ]
        self.readings = _readings(cycle.readings.all())
        area_ids = list(cycle.book.areas.values_list("area_id", flat=True))
        # Start readings: the previous cycle's readings of the book, then any earlier reading, then the store.
        self.previous: dict[int, _Reading] = _readings(
            MeterReading.objects.filter(
                cycle__book=cycle.book, read_on=cycle.previous_reading_date, area_id__in=area_ids
            )
        )
        self.exchanges = {
            x.new_meter_id: x
            for x in MeterExchange.objects.filter(
                customer__area_id__in=area_ids, changed_on__gt=cycle.previous_reading_date, changed_on__lte=on
            ).select_related("old_meter")
        }
        self.tariffs: dict[str, object] = {}
        bills = Bill.objects.filter(area_id__in=area_ids)
        self.earlier_in_year = dict(
            bills.filter(period__gte=cycle.period.replace(month=1), period__lt=cycle.period)
            .values("customer_id")
            .annotate(s=Sum("energy_kwh"))
            .values_list("customer_id", "s")
        )
        self.last_month = dict(
            bills.filter(period=month_add(cycle.period, -1)).values_list("customer_id", "energy_kwh")
        )
        self.last_year = dict(
            bills.filter(period=month_add(cycle.period, -12)).values_list("customer_id", "energy_kwh")
        )
        self.change_percent, self.min_kwh = selectors.review_thresholds(on)
        self.rollover_high = Decimal(str(rule_value("vee.rollover_high_fraction", on)))
        self.rollover_low = Decimal(str(rule_value("vee.rollover_low_fraction", on)))
        self.pf_min_kva = Decimal(str(rule_value("billing.power_factor.min_capacity_kva", on)))
        self.pf_hv_industrial_kva = Decimal(
            str(rule_value("billing.power_factor.high_voltage_industrial_min_kva", on))
        )
        self.fund_exempt = set(str(rule_value("billing.funds.exempt_categories", on)).split(","))
        self.recheck_months = int(rule_value("billing.mixed_use.recheck_months", on))
        self.terms = {t.customer_id: t for t in BillingTerms.objects.filter(area_id__in=area_ids)}
        self.hours = Decimal((on - cycle.previous_reading_date).days * 24)
        self._store_starts: dict[str, dict] | None = None

    def tariff(self, code: str):
        if code not in self.tariffs:
            self.tariffs[code] = tariff_in_force(code, self.on)
        return self.tariffs[code]

    def start_of(self, meter: Meter):
        """The reading a meter's part starts from: the previous cycle's, an earlier one, or the store's."""
        start = self.previous.get(meter.pk) or selectors.previous_reading(meter.pk, self.on)
        if start is not None:
            return start
        if self._store_starts is None:
            missing = [
                m.asset_number
                for ms in self.meters_by_customer.values()
                for m in ms
                if m.pk not in self.previous
            ]
            self._store_starts = _store_registers(missing, self.cycle.previous_reading_date)
        found = self._store_starts.get(meter.asset_number)
        if found:
            return found["registers"]
        installed = meter.install_date
        if installed is not None and self.cycle.previous_reading_date < installed <= self.on:
            # Connected during the period: it starts from its register on the day it was installed (the
            # first one the head-end sent after, when that day is missing).
            return _store_first_registers(meter.asset_number, installed, self.on)
        return None


def _registers_part(start: MeterReading | dict, end: MeterReading | dict, *, names, ct, pt, digits) -> dict:
    def get(obj, name):
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name)
        return None if value in (None, "") else Decimal(str(value))

    registers = {}
    for name in names:
        a, b = get(start, name), get(end, name)
        if a is None or b is None:
            continue
        registers[name] = {"start": str(a), "end": str(b)}
    return {"ct_ratio": str(ct), "pt_ratio": str(pt), "register_digits": digits, "registers": registers}


def _mark_rollovers(run: _Run, part: dict, customer: Customer, errors: list[str]) -> None:
    """A register below its start is a rollover when it wrapped past its full scale, else an error."""
    full = Decimal(10) ** int(part["register_digits"] or 6)
    for name, pair in part["registers"].items():
        start, end = Decimal(pair["start"]), Decimal(pair["end"])
        if end >= start:
            continue
        if start >= run.rollover_high * full and end <= run.rollover_low * full:
            pair["rollover"] = True
        else:
            errors.append(
                _customer_error(
                    customer,
                    FIELD_NAMES[name],
                    _("the register went backwards (%(start)s to %(end)s) without a meter change")
                    % {"start": start, "end": end},
                )
            )


def _power_factor_class(run: _Run, customer: Customer) -> str | None:
    """Which standard of the 1983 rules applies to ``customer`` (``None``: not adjusted).

    Scope rows ``billing.power_factor.*``: customers of 100 kVA and more, not residential; 0.90 for
    high-voltage industrial customers above 160 kVA, 0.80 for agriculture, 0.85 for the others.
    """
    if customer.category == "residential" or customer.contracted_capacity_kva < run.pf_min_kva:
        return None
    if customer.category == "agricultural":
        return "agricultural"
    if customer.category == "industrial":
        high_voltage = customer.voltage_level in ("10kV", "35kV")
        above = customer.contracted_capacity_kva > run.pf_hv_industrial_kva
        return "high_voltage_industrial" if high_voltage and above else "other_industrial"
    return "non_industrial"


def _meter_parts(
    run: _Run, customer: Customer, meters: list[Meter], flags: list[str], errors: list[str]
) -> list:
    parts = []
    for meter in meters:
        point = meter.metering_point
        end = run.readings.get(meter.pk)
        if end is None:
            errors.append(
                _customer_error(
                    customer,
                    FIELD_NAMES["total"],
                    _("meter %(meter)s has no reading in this cycle") % {"meter": meter.asset_number},
                )
            )
            continue
        if end.source == ReadingSource.ESTIMATED:
            flags.append(ReviewFlag.ESTIMATED)
        if end.multiplier_read is not None and end.multiplier_read != point.multiplier:
            flags.append(ReviewFlag.MULTIPLIER_MISMATCH)
        exchange = run.exchanges.get(meter.pk)
        if exchange is not None:
            old_start = selectors.previous_reading(
                exchange.old_meter_id, exchange.changed_on + datetime.timedelta(days=1)
            )
            if old_start is None:
                errors.append(
                    _customer_error(
                        customer,
                        FIELD_NAMES["total"],
                        _("old meter %(meter)s has no reading before its change")
                        % {"meter": exchange.old_meter.asset_number},
                    )
                )
                continue
            old = _registers_part(
                old_start,
                exchange.old_final,
                names=REGISTERS,
                ct=exchange.old_multiplier / point.pt_ratio,
                pt=point.pt_ratio,
                digits=exchange.old_meter.register_digits,
            )
            old["meter"] = exchange.old_meter.asset_number
            new = _registers_part(
                exchange.new_initial,
                end,
                names=REGISTERS,
                ct=point.ct_ratio,
                pt=point.pt_ratio,
                digits=meter.register_digits,
            )
            new["meter"] = meter.asset_number
            for part in (old, new):
                _mark_rollovers(run, part, customer, errors)
                parts.append(part)
            continue
        start = run.start_of(meter)
        if start is None:
            errors.append(
                _customer_error(
                    customer,
                    FIELD_NAMES["total"],
                    _("meter %(meter)s has no reading of %(date)s to start from")
                    % {"meter": meter.asset_number, "date": run.cycle.previous_reading_date},
                )
            )
            continue
        part = _registers_part(
            start, end, names=REGISTERS, ct=point.ct_ratio, pt=point.pt_ratio, digits=meter.register_digits
        )
        part["meter"] = meter.asset_number
        _mark_rollovers(run, part, customer, errors)
        parts.append(part)
    return parts


def _metered_total(parts: list[dict]) -> Decimal:
    """The parts' total register advance × CT × PT (rollovers past full scale counted) [kWh]."""
    total = Decimal(0)
    for part in parts:
        pair = part["registers"].get("total")
        if pair is None:
            continue
        advance = Decimal(pair["end"]) - Decimal(pair["start"])
        if pair.get("rollover"):
            advance += Decimal(10) ** int(part["register_digits"] or 6)
        total += advance * Decimal(part["ct_ratio"]) * Decimal(part["pt_ratio"])
    return total


def _bill_inputs(run: _Run, customer: Customer, errors: list[str]) -> _Inputs | None:
    """The engine's keyword arguments for one customer's bill, and the review flags the inputs raise."""
    flags: list[str] = []
    tariff = run.tariff(customer.tariff_code)
    if tariff is None:
        errors.append(
            _customer_error(
                customer,
                "电价",
                _("no version of tariff %(code)s is in force on %(date)s")
                % {"code": customer.tariff_code, "date": run.on},
            )
        )
        return None
    parts = _meter_parts(run, customer, run.meters_by_customer[customer.pk], flags, errors)
    if not parts:
        return None
    kwargs: dict = {"bill_period": run.on.isoformat(), "meters": parts}
    has_tou = all(all(r in p["registers"] for r in ("peak", "valley")) for p in parts)
    if tariff.is_tiered:
        kwargs["tiers"] = "demo_residential"
        kwargs["energy_billed_earlier_in_year_kwh"] = str(run.earlier_in_year.get(customer.pk, Decimal(0)))
    elif tariff.is_time_of_use and tariff.peak_price_yuan_per_kwh and tariff.valley_price_yuan_per_kwh:
        if has_tou:
            prices = {
                "peak": str(tariff.peak_price_yuan_per_kwh),
                "flat": str(tariff.price_yuan_per_kwh),
                "valley": str(tariff.valley_price_yuan_per_kwh),
            }
            if tariff.sharp_price_yuan_per_kwh and all("sharp" in p["registers"] for p in parts):
                prices["sharp"] = str(tariff.sharp_price_yuan_per_kwh)
            kwargs["time_of_use_prices_yuan_per_kwh"] = prices
        else:
            flags.append(ReviewFlag.TOU_NOT_APPLIED)
            kwargs["flat_price_yuan_per_kwh"] = str(tariff.price_yuan_per_kwh)
    else:
        kwargs["flat_price_yuan_per_kwh"] = str(tariff.price_yuan_per_kwh)
    if "time_of_use_prices_yuan_per_kwh" not in kwargs:
        # Flat and tiered pricing bill the total register only.
        for part in parts:
            part["registers"] = {k: v for k, v in part["registers"].items() if k in ("total", "reactive")}
    # Every part reads the same registers: a register one meter lacks is left out of all of them.
    common = set.intersection(*(set(p["registers"]) for p in parts))
    for part in parts:
        part["registers"] = {k: v for k, v in part["registers"].items() if k in common}
    terms = run.terms.get(customer.pk)
    if not _terms_inputs(run, customer, terms, tariff, kwargs, flags, errors):
        return None
    pf_class = _power_factor_class(run, customer)
    if pf_class is not None and _metered_total(parts) == 0:
        pf_class = None  # nothing consumed, no average power factor: the zero bill is reviewed instead
    if pf_class is not None:
        if all("reactive" in p["registers"] for p in parts):
            kwargs["power_factor_class"] = pf_class
        else:
            flags.append(ReviewFlag.PF_NOT_APPLIED)
    if tariff.category not in run.fund_exempt:
        kwargs["funds"] = ["renewable_energy_surcharge"]
    if customer.category not in selectors.TARIFF_CATEGORY_CUSTOMERS.get(tariff.category, set()):
        flags.append(ReviewFlag.CATEGORY_MISMATCH)
    return _Inputs(kwargs=kwargs, flags=flags, tariff=tariff)


def _terms_inputs(
    run: _Run, customer: Customer, terms, tariff, kwargs: dict, flags: list, errors: list
) -> bool:
    """Basic charge, transformer loss and mixed use from the tariff and the customer's billing terms.

    Returns ``False`` (errors listed) when the terms cannot be applied.
    """
    by_demand = terms is not None and terms.basic_charge_basis == BasicChargeBasis.DEMAND
    if by_demand and tariff.basic_price_yuan_per_kw_month:
        demands = [
            run.readings[m.pk].max_demand_kw
            for m in run.meters_by_customer[customer.pk]
            if m.pk in run.readings and run.readings[m.pk].max_demand_kw is not None
        ]
        if not demands:
            errors.append(
                _customer_error(customer, "最大需量", _("billed by demand but no maximum demand was read"))
            )
            return False
        kwargs["basic_charge"] = {
            "max_demand_kw": str(max(demands)),
            "price_yuan_per_kw_month": str(tariff.basic_price_yuan_per_kw_month),
        }
    elif tariff.basic_price_yuan_per_kva_month:
        kwargs["basic_charge"] = {
            "capacity_kva": str(customer.contracted_capacity_kva),
            "price_yuan_per_kva_month": str(tariff.basic_price_yuan_per_kva_month),
        }
    if terms is None:
        return True
    if terms.low_side_metering:
        loss = {
            "no_load_loss_kw": str(terms.no_load_loss_kw),
            "load_loss_kw": str(terms.load_loss_kw),
            "hours": str(run.hours),
            "capacity_kva": str(terms.transformer_capacity_kva),
        }
        if terms.no_load_current_percent is not None and terms.impedance_voltage_percent is not None:
            loss["no_load_current_percent"] = str(terms.no_load_current_percent)
            loss["impedance_voltage_percent"] = str(terms.impedance_voltage_percent)
        kwargs["transformer_loss"] = loss
    if terms.mixed_use_share:
        second = run.tariff(terms.mixed_use_tariff_code)
        if second is None:
            errors.append(
                _customer_error(
                    customer,
                    "混合用电电价",
                    _("no version of tariff %(code)s is in force on %(date)s")
                    % {"code": terms.mixed_use_tariff_code, "date": run.on},
                )
            )
            return False
        kwargs["mixed_use"] = {
            "share": str(terms.mixed_use_share),
            "price_yuan_per_kwh": str(second.price_yuan_per_kwh),
            "category": second.name,
        }
        checked = terms.mixed_use_checked_on or terms.mixed_use_signed_on
        if checked is None or month_add(checked.replace(day=1), run.recheck_months) < run.on.replace(day=1):
            flags.append(ReviewFlag.MIXED_USE_RECHECK)
    return True


def _review_flags(run: _Run, customer: Customer, energy: Decimal, flags: list[str]) -> list[str]:
    flags = list(flags)
    if energy == 0 and customer.status == "active":
        flags.append(ReviewFlag.ZERO_ACTIVE)
    if energy < 0:
        flags.append(ReviewFlag.NEGATIVE_ENERGY)
    for before, flag in (
        (run.last_month.get(customer.pk), ReviewFlag.CHANGE_LAST_MONTH),
        (run.last_year.get(customer.pk), ReviewFlag.CHANGE_LAST_YEAR),
    ):
        if before is None or max(before, energy) < run.min_kwh or before == 0:
            continue
        if abs(energy - before) * 100 / before > run.change_percent:
            flags.append(flag)
    return sorted(set(flags))


def _line(calculation: dict, key: str) -> Decimal:
    """The value of the calculation line ``key`` (0 when the calculation has no such line)."""
    for item in calculation["items"]:
        if item["key"] == key:
            return Decimal(item["value"])
    return Decimal(0)


def _bill_figures(calculation) -> dict:
    """The columns of a bill from its calculation lines (a ``Calculation`` of the engine)."""
    values = {
        item.key: item.value if type(item.value) is Decimal else Decimal(str(item.value))
        for item in calculation.items
    }
    if "billed_kwh" in values:  # with the transformer loss
        energy = values["billed_kwh"]
    elif "total_kwh" in values:
        energy = values["total_kwh"]
    else:  # one meter part: its total is the bill's
        energy = sum(
            (v for k, v in values.items() if k.startswith("meter_") and k.endswith("_total_kwh")), Decimal(0)
        )
    return {
        "energy_kwh": energy,
        "energy_charge_yuan": values.get("energy_charge_yuan", Decimal(0)),
        "basic_charge_yuan": values.get("basic_charge_yuan", Decimal(0)),
        "power_factor": values.get("power_factor"),
        "power_factor_yuan": values.get("power_factor_adjustment_yuan", Decimal(0)),
        "funds_yuan": sum((v for k, v in values.items() if k.startswith("fund_")), Decimal(0)),
        "total_yuan": values.get("total_yuan", Decimal(0)),
    }


#: Bill columns the run writes (a re-run updates exactly these on a draft).
RUN_FIELDS = (
    "station_id",
    "area_id",
    "cycle",
    "period",
    "period_start",
    "period_end",
    "tariff_code",
    "tariff_name",
    "energy_kwh",
    "energy_charge_yuan",
    "basic_charge_yuan",
    "power_factor",
    "power_factor_yuan",
    "funds_yuan",
    "total_yuan",
    "inputs",
    "calculation",
    "review_flags",
    "prepared_by",
)


#: The columns a bill run writes for a new bill, in the order of ``_bill_row``.
NEW_BILL_FIELDS = (
    "number",
    "customer_id",
    *(f for f in RUN_FIELDS if f not in ("cycle", "prepared_by")),
    "cycle_id",
    "prepared_by_id",
    "status",
)


def _write_new_bills(rows: list[tuple], *, actor, cycle_id: int, existing_ids) -> None:
    """Insert the run's new bills (tuples of ``NEW_BILL_FIELDS``), their history and their events.

    PostgreSQL: ``COPY`` of the bills, then their history rows and their ``BillingEvent`` rows copied
    from them by the server (the cycle's bills not in ``existing_ids``). Elsewhere: ``bulk_create`` with
    history.
    """
    actor_id = actor.pk if actor is not None else None
    json_at = [i for i, f in enumerate(NEW_BILL_FIELDS) if f in ("inputs", "calculation", "review_flags")]
    if connection.vendor != "postgresql":
        from simple_history.utils import bulk_create_with_history

        bills = [Bill(**dict(zip(NEW_BILL_FIELDS, row, strict=True))) for row in rows]
        created = bulk_create_with_history(bills, Bill, batch_size=1000, default_user=actor)
        BillingEvent.objects.bulk_create(
            [
                BillingEvent(subject_type="Bill", subject_id=b.pk, to_status=BillStatus.DRAFT, actor=actor)
                for b in created
            ],
            batch_size=2000,
        )
        return
    now = timezone.now()
    rows = ((*(_dumps(v) if i in json_at else v for i, v in enumerate(row)), now, now) for row in rows)
    _copy(Bill, [*NEW_BILL_FIELDS, "created_at", "updated_at"], rows)
    # The history and the events of the new bills, from the bills just written (the run holds the cycle).
    quote = connection.ops.quote_name
    history = Bill.history.model
    columns = [quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    new = f"FROM {quote(Bill._meta.db_table)} WHERE cycle_id = %s AND NOT (id = ANY(%s)) ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}, history_date, "
            f"history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join(columns)}, %s, '', '+', %s {new}",
            [now, actor_id, cycle_id, list(existing_ids)],
        )
        cursor.execute(
            f"INSERT INTO {quote(BillingEvent._meta.db_table)} "
            "(subject_type, subject_id, from_status, to_status, actor_id, note, at) "
            f"SELECT 'Bill', id, '', %s, %s, '', %s {new}",
            [BillStatus.DRAFT.value, actor_id, now, cycle_id, list(existing_ids)],
        )


@transaction.atomic
@gc_paused()
def cycle_bill(*, user, cycle: ReadingCycle) -> dict:
    """Bill every customer of the cycle: one draft bill each, computed by the engine, with its review flags.

    All or nothing: any customer that cannot be billed (a missing reading, a register going backwards, a
    tariff missing for the date) refuses the whole run with every error listed (``BillRunError``). Running
    it again recomputes the drafts; checked and issued bills are kept as they are (no second bill). The
    run reads the cycle in a few queries, keeps each calculation compact (the lines' fixed text once per
    layout) and writes its bills, their history and their events in bulk (``COPY`` on PostgreSQL).
    """
    from simple_history.utils import bulk_update_with_history

    _require(user, PREPARE_BILLS, _("Your role may not bill a cycle."))
    _require_scope(user, cycle)
    cycle = ReadingCycle.objects.select_for_update().get(pk=cycle.pk)
    _require_status(cycle, CycleStatus.OPEN, CycleStatus.BILLED)
    run = _Run(cycle)
    existing = {b.customer_id: b for b in cycle.bills.defer("inputs", "calculation")}
    errors: list[str] = []
    counts = {"created": 0, "updated": 0, "kept": 0, "flagged": 0}
    creates: list[tuple] = []
    updates = []
    compactor = Compactor()
    actor = user if getattr(user, "is_authenticated", False) else None
    prepared_by_id = getattr(user, "pk", None)
    period, start, end = cycle.period, cycle.previous_reading_date, cycle.reading_date
    for customer in run.customers:
        bill = existing.get(customer.pk)
        if bill is not None and bill.status != BillStatus.DRAFT:
            counts["kept"] += 1
            continue
        known = len(errors)
        inputs = _bill_inputs(run, customer, errors)
        if inputs is None or len(errors) > known:
            continue  # the customer's errors are listed once, not again by the engine
        try:
            result = compute_bill(**inputs.kwargs)
        except (CalcInputError, RuleError) as exc:
            errors.append(_customer_error(customer, getattr(exc, "field", "计算"), str(exc)))
            continue
        if errors:
            continue  # the run is refused: no need to build what will not be written
        figures = _bill_figures(result)
        flags = _review_flags(run, customer, figures["energy_kwh"], inputs.flags)
        counts["flagged"] += bool(flags)
        calculation = compactor.compact(result)
        if bill is None:
            creates.append(
                (
                    f"B{period:%Y%m}{customer.account_number}",
                    customer.pk,
                    customer.station_id,
                    customer.area_id,
                    period,
                    start,
                    end,
                    inputs.tariff.code,
                    inputs.tariff.name,
                    figures["energy_kwh"],
                    figures["energy_charge_yuan"],
                    figures["basic_charge_yuan"],
                    figures["power_factor"],
                    figures["power_factor_yuan"],
                    figures["funds_yuan"],
                    figures["total_yuan"],
                    inputs.kwargs,
                    calculation,
                    flags,
                    cycle.pk,
                    prepared_by_id,
                    BillStatus.DRAFT.value,
                )
            )
        else:
            fields = {
                "station_id": customer.station_id,
                "area_id": customer.area_id,
                "cycle": cycle,
                "period": period,
                "period_start": start,
                "period_end": end,
                "tariff_code": inputs.tariff.code,
                "tariff_name": inputs.tariff.name,
                **figures,
                "inputs": inputs.kwargs,
                "calculation": calculation,
                "review_flags": flags,
                "prepared_by_id": prepared_by_id,
            }
            for name, value in fields.items():
                setattr(bill, name, value)
            updates.append(bill)
    if errors:
        raise BillRunError(errors)
    if compactor.layouts:
        CalculationLayout.objects.bulk_create(
            [CalculationLayout(digest=d, content=c) for d, c in compactor.layouts.items()],
            ignore_conflicts=True,
        )
    if creates:
        _write_new_bills(
            creates, actor=actor, cycle_id=cycle.pk, existing_ids=[b.pk for b in existing.values()]
        )
    if updates:
        names = [f.removesuffix("_id") if f.endswith("_id") else f for f in RUN_FIELDS]
        bulk_update_with_history(updates, Bill, [*names, "updated_at"], batch_size=1000, default_user=actor)
    counts["created"], counts["updated"] = len(creates), len(updates)
    if cycle.status == CycleStatus.OPEN:
        cycle.status = CycleStatus.BILLED
        cycle.save(update_fields=["status", "updated_at"])
        _event(cycle, from_status=CycleStatus.OPEN, to_status=cycle.status, actor=user)
    return counts


@transaction.atomic
def bill_check(*, user, bill: Bill, note: str = "") -> Bill:
    """The checker (电费审核) passes a draft bill; never its preparer. A flagged bill needs a note."""
    _require(user, CHECK_BILLS, _("Your role may not check bills."))
    _require_scope(user, bill)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    _require_status(bill, BillStatus.DRAFT)
    if user.pk == bill.prepared_by_id:
        raise PermissionDenied(_("Whoever prepared a bill may not check it."))
    if bill.review_flags and not (note or "").strip():
        raise ValidationError({"note": _("This bill is on the review list: say what you checked.")})
    bill.status, bill.checked_by, bill.checked_at = BillStatus.CHECKED, user, timezone.now()
    bill._history_user = user
    bill.save()
    _event(bill, from_status=BillStatus.DRAFT, to_status=bill.status, actor=user, note=note)
    return bill


@transaction.atomic
def cycle_check_unflagged(*, user, cycle: ReadingCycle) -> int:
    """Check every draft bill of the cycle that is not on the review list (the others one by one).

    The rules of ``bill_check`` for each bill (never its preparer, within the checker's scope), written
    in bulk: the bills, their history rows and their events.
    """
    _require(user, CHECK_BILLS, _("Your role may not check bills."))
    _require_scope(user, cycle)
    ReadingCycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one check of the cycle at a time
    selected = cycle.bills.filter(status=BillStatus.DRAFT, review_flags=[]).exclude(prepared_by=user)
    bills = list(selected.select_for_update().defer("inputs", "calculation").order_by("pk"))
    now = timezone.now()
    for bill in bills:
        bill.status, bill.checked_by, bill.checked_at, bill.updated_at = BillStatus.CHECKED, user, now, now
    _bulk_status(
        selected, bills, ["status", "checked_by", "checked_at"], user=user, from_status=BillStatus.DRAFT
    )
    return len(bills)


def _bulk_status(selected, bills: list[Bill], fields: list[str], *, user, from_status: str) -> None:
    """Write a status change of many bills at once (``bills``, read from the queryset ``selected``): the
    fields, a history row each (by ``user``) and an event each, as ``bill_check`` writes them one by one.
    Every bill must be in the user's scope (``PermissionDenied`` otherwise: nothing is written)."""
    if not bills:
        return
    if user is not None and scope_queryset(selected, user).count() != len(bills):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    actor = user if getattr(user, "is_authenticated", False) else None
    update_rows(Bill, bills, [*fields, "updated_at"])
    Bill.history.bulk_history_create(bills, batch_size=1000, update=True, default_user=actor)
    BillingEvent.objects.bulk_create(
        [
            BillingEvent(
                subject_type="Bill", subject_id=b.pk, from_status=from_status, to_status=b.status, actor=actor
            )
            for b in bills
        ],
        batch_size=2000,
    )


@transaction.atomic
def cycle_issue(*, user, cycle: ReadingCycle, issued_at: datetime.datetime | None = None) -> int:
    """Issue the cycle's checked bills; refused while any bill is still a draft.

    ``issued_at`` (default now) is the issue time the bills carry and collection's due dates count from;
    the demo issues past months on their own dates. It cannot lie in the future.
    """
    _require(user, CHECK_BILLS, _("Your role may not issue bills."))
    _require_scope(user, cycle)
    drafts = cycle.bills.filter(status=BillStatus.DRAFT).count()
    if drafts:
        raise ValidationError(
            _("%(n)s bills of this cycle are not checked yet; check them before issue.") % {"n": drafts}
        )
    issued: list[int] = []
    now = timezone.now()
    if issued_at is not None:
        if issued_at > now:
            raise ValidationError({"issued_at": _("Bills cannot be issued in the future.")})
        now = issued_at
    selected = cycle.bills.filter(status=BillStatus.CHECKED)
    bills = list(selected.select_for_update().defer("inputs", "calculation").order_by("pk"))
    written = timezone.now()
    for bill in bills:
        bill.status, bill.issued_at, bill.updated_at = BillStatus.ISSUED, now, written
        issued.append(bill.pk)
    _bulk_status(selected, bills, ["status", "issued_at"], user=user, from_status=BillStatus.CHECKED)
    _close(cycle, user)
    if issued:
        bills_issued.send(sender=Bill, cycle=cycle, bill_ids=issued, user=user)
    return len(issued)


def _close(cycle: ReadingCycle, user) -> None:
    if cycle.status != CycleStatus.CLOSED:
        before = cycle.status
        cycle.status = CycleStatus.CLOSED
        cycle.save(update_fields=["status", "updated_at"])
        _event(cycle, from_status=before, to_status=cycle.status, actor=user)


@transaction.atomic
def cycle_close(*, user, cycle: ReadingCycle) -> ReadingCycle:
    """Close a cycle whose bills are all issued (or that only gave the next cycle its start readings):
    nothing of it can be read or billed again. Issuing a cycle closes it too."""
    _require(user, PREPARE_BILLS, _("Your role may not close a reading cycle."))
    _require_scope(user, cycle)
    if cycle.bills.exclude(status__in=[BillStatus.ISSUED, BillStatus.ADJUSTED]).exists():
        raise ValidationError(_("Bills of this cycle are not issued yet."))
    _close(cycle, user)
    return cycle


# ------------------------------------------------------------------------------ refunds and back-bills
@transaction.atomic
def adjustment_prepare(*, user, bill: Bill, kind: str, reason: str, inputs: dict) -> BillAdjustment:
    """Compute a refund or back-bill of an issued bill; it waits for the station head's approval.

    ``meter_error``: the arguments of ``gridcheck_analytics.penalties.meter_error`` (arts. 80–81), the
    bill's reading date and price filled in when absent. ``correction``: ``{"energies": {...}}`` or
    ``{"meters": [...]}`` replacing the bill's metered inputs; the bill is recomputed and the difference
    is the adjustment.
    """
    _require(user, PREPARE_BILLS, _("Your role may not prepare refunds or back-bills."))
    _require_scope(user, bill)
    _require_status(bill, BillStatus.ISSUED, BillStatus.ADJUSTED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the refund or back-bill.")})
    if kind == AdjustmentKind.METER_ERROR:
        arguments = {"case_date": bill.period_end.isoformat(), **inputs}
        if "price_yuan_per_kwh" not in arguments:
            tariff = tariff_in_force(bill.tariff_code, bill.period_end)
            arguments["price_yuan_per_kwh"] = str(tariff.price_yuan_per_kwh)
        calculate = penalties.meter_error
        total_key = "money_yuan"
    elif kind == AdjustmentKind.CORRECTION:
        replaced = set(inputs) - {"energies", "meters"}
        if replaced or not inputs:
            raise ValidationError({"inputs": _("A correction replaces the bill's meters or energies only.")})
        arguments = {k: v for k, v in bill.inputs.items() if k not in ("meters", "energies")}
        arguments.update(inputs)
        energies = inputs.get("energies") or {}
        if "energies" in inputs and "time_of_use_prices_yuan_per_kwh" in arguments:
            if not {"peak", "valley"} <= set(energies):
                raise ValidationError(
                    {"inputs": _("A time-of-use bill is corrected with its peak and valley energies too.")}
                )
        if "energies" in inputs and "power_factor_class" in arguments and "reactive" not in energies:
            raise ValidationError(
                {
                    "inputs": _(
                        "A bill with the power-factor adjustment is corrected with its reactive energy too."
                    )
                }
            )
        calculate = compute_bill
        total_key = "total_yuan"
    else:
        raise ValidationError({"kind": _("Unknown kind of adjustment.")})
    try:
        calculation = calculate(**arguments).to_dict()
    except (CalcInputError, RuleError, TypeError) as exc:
        raise ValidationError(
            {"inputs": _customer_error(bill.customer, getattr(exc, "field", "inputs"), str(exc))}
        ) from None
    value = _line(calculation, total_key)
    amount = value if kind == AdjustmentKind.METER_ERROR else value - bill.total_yuan
    adjustment = BillAdjustment.objects.create(
        bill=bill,
        station_id=bill.station_id,
        area_id=bill.area_id,
        kind=kind,
        reason=reason.strip(),
        inputs=arguments,
        calculation=calculation,
        amount_yuan=amount,
        prepared_by=user,
    )
    _event(adjustment, to_status=adjustment.status, actor=user, note=reason)
    return adjustment


@transaction.atomic
def adjustment_decide(
    *, user, adjustment: BillAdjustment, approve: bool, comment: str = ""
) -> BillAdjustment:
    """The station head (or above) approves or rejects a refund or back-bill; never its preparer."""
    _require(user, APPROVE_STATION, _("Only the station head or above approves refunds and back-bills."))
    _require_scope(user, adjustment)
    adjustment = BillAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    _require_status(adjustment, ChangeStatus.PENDING)
    if user.pk == adjustment.prepared_by_id:
        raise PermissionDenied(_("Whoever prepared a refund or back-bill may not approve it."))
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": _("Say why it is rejected.")})
    adjustment.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    adjustment.decided_by, adjustment.decided_at, adjustment.comment = user, timezone.now(), comment
    adjustment.save()
    _event(
        adjustment, from_status=ChangeStatus.PENDING, to_status=adjustment.status, actor=user, note=comment
    )
    if approve:
        bill = Bill.objects.select_for_update().get(pk=adjustment.bill_id)
        before = bill.status
        bill.adjusted_total_yuan = bill.amount_due_yuan + adjustment.amount_yuan
        bill.status = BillStatus.ADJUSTED
        bill._history_user = user
        bill._change_reason = _("Adjustment %(pk)s approved") % {"pk": adjustment.pk}
        bill.save()
        _event(bill, from_status=before, to_status=bill.status, actor=user, note=adjustment.reason)
        bill_adjusted.send(sender=Bill, bill=bill, adjustment=adjustment, user=user)
    return adjustment


# ------------------------------------------------------------------------------- category changes
@transaction.atomic
def category_change_apply(
    *, user, customer: Customer, new_tariff_code: str, effective_on: datetime.date, reason: str
) -> CategoryChange:
    """Enter a customer's application to change its tariff category (更改用电申请)."""
    _require(user, PREPARE_BILLS, _("Your role may not enter category changes."))
    _require_scope(user, customer)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if new_tariff_code == customer.tariff_code:
        raise ValidationError({"new_tariff_code": _("This is the customer's present tariff.")})
    if tariff_in_force(new_tariff_code, effective_on) is None:
        raise ValidationError(
            {
                "new_tariff_code": _customer_error(
                    customer,
                    "新电价",
                    _("tariff %(code)s has no price in force on %(date)s")
                    % {"code": new_tariff_code, "date": effective_on},
                )
            }
        )
    change = CategoryChange.objects.create(
        customer=customer,
        station_id=customer.station_id,
        area_id=customer.area_id,
        old_tariff_code=customer.tariff_code,
        new_tariff_code=new_tariff_code,
        effective_on=effective_on,
        reason=reason.strip(),
        applied_by=user,
    )
    _event(change, to_status=change.status, actor=user, note=reason)
    return change


@transaction.atomic
def category_change_check(*, user, change: CategoryChange, comment: str = "") -> CategoryChange:
    """The billing checker confirms the application (not whoever entered it)."""
    _require(user, CHECK_BILLS, _("Your role may not check category changes."))
    _require_scope(user, change)
    change = CategoryChange.objects.select_for_update().get(pk=change.pk)
    _require_status(change, ChangeStatus.PENDING)
    if user.pk == change.applied_by_id:
        raise PermissionDenied(_("Whoever entered an application may not check it."))
    change.status, change.checked_by = ChangeStatus.CHECKED, user
    change.save()
    _event(change, from_status=ChangeStatus.PENDING, to_status=change.status, actor=user, note=comment)
    return change


@transaction.atomic
def category_change_decide(
    *, user, change: CategoryChange, approve: bool, comment: str = ""
) -> CategoryChange:
    """The station head approves (the customer's tariff changes) or rejects a checked application."""
    _require(user, APPROVE_STATION, _("Only the station head approves a category change."))
    _require_scope(user, change)
    change = CategoryChange.objects.select_for_update().get(pk=change.pk)
    _require_status(change, ChangeStatus.CHECKED)
    if user.pk in (change.applied_by_id, change.checked_by_id):
        raise PermissionDenied(_("Whoever entered or checked an application may not approve it."))
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.comment = user, timezone.now(), comment
    change.save()
    _event(change, from_status=ChangeStatus.CHECKED, to_status=change.status, actor=user, note=comment)
    if approve:
        customer_tariff_change(
            customer=change.customer,
            tariff_code=change.new_tariff_code,
            user=user,
            reason=_("Category change %(pk)s approved") % {"pk": change.pk},
        )
    return change


# ------------------------------------------------------------------------------------- withdrawal
def _withdraw(subject, *, user, reason: str, preparer_field: str, allowed: tuple[str, ...]):
    """Withdraw a request awaiting a decision: only whoever prepared it, with a reason; recorded."""
    model = type(subject)
    _require_scope(user, subject)
    subject = model.objects.select_for_update().get(pk=subject.pk)
    if user.pk != getattr(subject, f"{preparer_field}_id"):
        raise PermissionDenied(_("Only whoever prepared it may withdraw it."))
    _require_status(subject, *allowed)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why it is withdrawn.")})
    before = subject.status
    subject.status = ChangeStatus.WITHDRAWN
    subject.comment = reason.strip()  # when and by whom: the event
    subject.save()
    _event(subject, from_status=before, to_status=subject.status, actor=user, note=reason.strip())
    return subject


@transaction.atomic
def adjustment_withdraw(*, user, adjustment: BillAdjustment, reason: str) -> BillAdjustment:
    """Its preparer withdraws a refund or back-bill still awaiting approval (撤回), with a reason."""
    return _withdraw(
        adjustment, user=user, reason=reason, preparer_field="prepared_by", allowed=(ChangeStatus.PENDING,)
    )


@transaction.atomic
def category_change_withdraw(*, user, change: CategoryChange, reason: str) -> CategoryChange:
    """Whoever entered a category change withdraws it before the decision (pending or checked)."""
    return _withdraw(
        change,
        user=user,
        reason=reason,
        preparer_field="applied_by",
        allowed=(ChangeStatus.PENDING, ChangeStatus.CHECKED),
    )


TERMS_FIELDS = (
    "basic_charge_basis",
    "low_side_metering",
    "transformer_capacity_kva",
    "no_load_loss_kw",
    "load_loss_kw",
    "no_load_current_percent",
    "impedance_voltage_percent",
    "mixed_use_share",
    "mixed_use_tariff_code",
    "mixed_use_signed_on",
    "mixed_use_checked_on",
)


@transaction.atomic
def billing_terms_save(*, user, customer: Customer, **fields) -> BillingTerms:
    """Record what the customer's contract says about its bill (basic charge basis, low-side metering,
    mixed-use shares); every change is in the terms' history. Bills computed before keep their inputs."""
    _require(user, PREPARE_BILLS, _("Your role may not change billing terms."))
    _require_scope(user, customer)
    unknown = set(fields) - set(TERMS_FIELDS)
    if unknown:
        raise ValueError(f"unknown billing terms: {sorted(unknown)}")
    code = fields.get("mixed_use_tariff_code")
    if code and tariff_in_force(code, timezone.localdate()) is None:
        raise ValidationError({"mixed_use_tariff_code": _("Unknown tariff code.")})
    terms = BillingTerms.objects.filter(customer=customer).first() or BillingTerms(
        customer=customer, station_id=customer.station_id, area_id=customer.area_id
    )
    for name, value in fields.items():
        setattr(terms, name, value)
    terms.station_id, terms.area_id = customer.station_id, customer.area_id
    terms.full_clean()
    terms._history_user = user
    terms.save()
    return terms
