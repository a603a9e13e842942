"""Services of the metering asset ledger (计量装置台账): every change of a device type, an asset, a fault,
an acceptance, a rectification notice or a meter change goes through here.

Functions are named ``<entity>_<action>``, keyword-only, atomic, and validate before saving. Each checks
that the acting user may manage metering (``manage_metering``) and that the object lies in their scope;
every status change of an asset is logged (``AssetEvent``) and every save is in its history.

The verification (rotation) due date is derived here and only here (:func:`due_date`): the last
verification (else the first) plus the rotation years of the rule table for the asset's kind and class
(``metering.rotation_years.*``, JJG 596-2012 and DL/T 448-2016).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.choices import MeterStatus
from gridcheck.archive.models import Meter, MeteringPoint
from gridcheck.core.events import record_transition
from gridcheck.core.numbering import next_number
from gridcheck.core.roles import MANAGE_METERING, ROLE_CAPABILITIES, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import user_can_see
from gridcheck.metering.choices import (
    ACCEPTANCE_CHECKLIST,
    AcceptanceResult,
    AssetKind,
    AssetStatus,
    ChangeReason,
    FaultKind,
    FaultOutcome,
    NoticeStatus,
)
from gridcheck.metering.models import (
    Acceptance,
    Asset,
    AssetEvent,
    AssetFault,
    DeviceType,
    MeterChange,
    RectificationNotice,
)
from gridcheck.metering.signals import meter_changed

#: Accuracy classes of meters that JJG 596-2012 verifies on the shorter period (the rest: 1 and 2).
PRECISION_CLASSES = ("0.2S", "0.5S", "0.2", "0.5")
#: Meter registers of a change: total and the three time-of-use registers.
REGISTERS = ("total", "peak", "flat", "valley")
#: Tolerance when the time-of-use registers are checked against the total [kWh] (display rounding).
REGISTER_SUM_TOLERANCE = Decimal("1")
#: Roles that manage metering (the recipients of the ledger's reminders).
MANAGING_ROLES = tuple(role for role, caps in ROLE_CAPABILITIES.items() if MANAGE_METERING in caps)


# --- rules -----------------------------------------------------------------------------------------


def rotation_rule_key(kind: str, accuracy_class: str) -> str:
    """The rule-table key of the rotation (verification) period of an asset of ``kind`` and class."""
    if kind == AssetKind.CT:
        return "metering.rotation_years.ct"
    if kind == AssetKind.PT:
        return "metering.rotation_years.pt"
    if str(accuracy_class or "").strip().upper() in PRECISION_CLASSES:
        return "metering.rotation_years.meter_precision"
    return "metering.rotation_years.meter"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole ``years`` (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def due_date(
    *, kind: str, accuracy_class: str, verified_on: datetime.date | None, cache: dict | None = None
) -> datetime.date | None:
    """The next verification / rotation date [date]: ``verified_on`` plus the rotation years in force on
    that day for the kind and class (``metering.rotation_years.*``); None without a verification date.

    References: JJG 596-2012 (meters: 0.2S/0.5S 6 years, 1/2 8 years); DL/T 448-2016 (CT, PT).
    """
    if verified_on is None:
        return None
    key = rotation_rule_key(kind, accuracy_class)
    if cache is None:
        return add_years(verified_on, rule_int(key, on=verified_on))
    years = cache.get((key, verified_on))
    if years is None:
        years = cache[(key, verified_on)] = rule_int(key, on=verified_on)
    return add_years(verified_on, years)


def _refresh_due(asset: Asset) -> None:
    asset.due_on = due_date(
        kind=asset.kind,
        accuracy_class=asset.accuracy_class,
        verified_on=asset.last_verified_on or asset.first_verified_on,
    )


# --- helpers ---------------------------------------------------------------------------------------


def _require(user, obj: Model | None = None) -> None:
    """``user`` may manage metering and, when ``obj`` is given, sees it (a system call: ``user=None``)."""
    if user is None:
        return
    if not has_capability(user, MANAGE_METERING):
        raise PermissionDenied(_("Your role may not manage metering assets."))
    if obj is not None and not user_can_see(user, obj):
        raise PermissionDenied(_("This is outside your station."))


def _require_station(user, station_id: int | None) -> None:
    if user is not None and user.station_id is not None and user.station_id != station_id:
        raise PermissionDenied(_("This is outside your station."))


def _second_person(by, second_person, message: str) -> None:
    if by is None:
        return
    if second_person is None or second_person.pk == by.pk:
        raise ValidationError(message)
    if by.station_id is not None and second_person.station_id not in (None, by.station_id):
        raise ValidationError(_("%(who)s belongs to another station.") % {"who": second_person})


def _save(obj: Model, *, user=None, reason: str = "") -> Model:
    obj.full_clean()
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj._change_reason = reason[:100] if reason else None
    obj.save()
    return obj


def _move(asset: Asset, *, to: str, user, note: str = "") -> Asset:
    """Set the asset's status to ``to``, save it and log the change."""
    before = asset.status
    asset.status = to
    _save(asset, user=user, reason=note)
    if before != to:
        record_transition(AssetEvent, asset, from_status=before, to_status=to, actor=user, note=note)
    return asset


def _locked(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset.pk)


def _expect(asset: Asset, *statuses: str) -> None:
    if asset.status not in statuses:
        raise ValidationError(
            _("Asset %(number)s is %(status)s.")
            % {"number": asset.asset_number, "status": asset.get_status_display()}
        )


# --- device types ----------------------------------------------------------------------------------


@transaction.atomic
def device_type_create(
    *,
    user,
    kind: str,
    manufacturer: str,
    model_number: str,
    accuracy_class: str = "",
    approval_number: str = "",
    approval_valid_until: datetime.date | None = None,
) -> DeviceType:
    """Add a make and type of meter, CT or PT to the catalogue."""
    _require(user)
    device_type = DeviceType(
        kind=kind,
        manufacturer=(manufacturer or "").strip(),
        model_number=(model_number or "").strip(),
        accuracy_class=(accuracy_class or "").strip(),
        approval_number=(approval_number or "").strip(),
        approval_valid_until=approval_valid_until,
    )
    return _save(device_type, user=user, reason=_("Device type added"))


@transaction.atomic
def device_type_obsolete(
    *, device_type: DeviceType, user, reason: str, on: datetime.date | None = None
) -> DeviceType:
    """Flag a type obsolete (淘汰): its assets in stock or in service are listed for replacement."""
    _require(user)
    if not (reason or "").strip():
        raise ValidationError({"obsolete_reason": _("Say why the type is obsolete.")})
    device_type = DeviceType.objects.select_for_update().get(pk=device_type.pk)
    device_type.obsolete = True
    device_type.obsolete_reason = reason.strip()
    device_type.obsolete_on = on or timezone.localdate()
    return _save(device_type, user=user, reason=_("Obsolete: %(r)s") % {"r": reason.strip()})


# --- assets ----------------------------------------------------------------------------------------


@transaction.atomic
def asset_receive(
    *,
    user,
    station,
    kind: str,
    asset_number: str,
    accuracy_class: str = "",
    device_type: DeviceType | None = None,
    serial_number: str = "",
    manufacturer: str = "",
    manufactured_on: datetime.date | None = None,
    first_verified_on: datetime.date | None = None,
    phase: str = "",
    rated_current_a: Decimal | None = None,
    max_current_a: Decimal | None = None,
    ratio: Decimal | None = None,
    rated_primary: str = "",
) -> Asset:
    """Receive a new meter, CT or PT into the station's stock (入库), with its verification date.

    A meter needs its phase and rated current (they go to the archive when it is installed); a CT or PT
    its ratio. Class and manufacturer default to the device type's.
    """
    _require(user)
    _require_station(user, station.pk)
    if device_type is not None and device_type.kind != kind:
        raise ValidationError({"device_type": _("The device type is of another kind.")})
    asset = Asset(
        kind=kind,
        asset_number=(asset_number or "").strip(),
        device_type=device_type,
        serial_number=(serial_number or "").strip(),
        manufacturer=(manufacturer or "").strip() or (device_type.manufacturer if device_type else ""),
        manufactured_on=manufactured_on,
        accuracy_class=(accuracy_class or "").strip() or (device_type.accuracy_class if device_type else ""),
        phase=phase or "",
        rated_current_a=rated_current_a,
        max_current_a=max_current_a,
        ratio=ratio,
        rated_primary=(rated_primary or "").strip(),
        first_verified_on=first_verified_on,
        last_verified_on=first_verified_on,
        station=station,
        status=AssetStatus.IN_STOCK,
    )
    _check_asset(asset)
    _refresh_due(asset)
    _save(asset, user=user, reason=_("Received into stock"))
    record_transition(
        AssetEvent, asset, to_status=AssetStatus.IN_STOCK, actor=user, note=_("Received into stock")
    )
    return asset


def _check_asset(asset: Asset) -> None:
    errors = {}
    if not asset.accuracy_class:
        errors["accuracy_class"] = _("A value is required.")
    if asset.kind == AssetKind.METER:
        if asset.phase not in ("single", "three"):
            errors["phase"] = _("A meter is single- or three-phase.")
        if not asset.rated_current_a or asset.rated_current_a <= 0:
            errors["rated_current_a"] = _("A meter needs its rated current.")
    elif not asset.ratio or asset.ratio <= 0:
        errors["ratio"] = _("A CT or PT needs its ratio.")
    if asset.first_verified_on and asset.manufactured_on and asset.first_verified_on < asset.manufactured_on:
        errors["first_verified_on"] = _("Verified before it was made.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def asset_verify(*, asset: Asset, user, verified_on: datetime.date, note: str = "") -> Asset:
    """Record a verification (检定) of the asset: the due date is derived again from this day."""
    _require(user, asset)
    asset = _locked(asset)
    _expect(asset, AssetStatus.IN_STOCK, AssetStatus.INSTALLED, AssetStatus.REMOVED, AssetStatus.FAULTY)
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("A verification cannot be in the future.")})
    if asset.last_verified_on and verified_on < asset.last_verified_on:
        raise ValidationError({"verified_on": _("Earlier than the last verification.")})
    asset.first_verified_on = asset.first_verified_on or verified_on
    asset.last_verified_on = verified_on
    _refresh_due(asset)
    return _save(asset, user=user, reason=note or _("Verified on %(d)s") % {"d": f"{verified_on:%Y-%m-%d}"})


# --- acceptance and installation -------------------------------------------------------------------


@transaction.atomic
def acceptance_record(
    *,
    user,
    metering_point: MeteringPoint,
    assets,
    checklist: dict,
    second_person,
    accepted_on: datetime.date | None = None,
    note: str = "",
) -> Acceptance:
    """Accept new metering before energising (验收): two people check every item of the checklist; it
    passes only when every item holds. Names the assets it accepts (the meter, the CTs, the PTs)."""
    _require(user, metering_point)
    _second_person(user, second_person, _("An acceptance needs two people."))
    assets = list(assets)
    if not assets:
        raise ValidationError({"assets": _("Name the assets accepted.")})
    for asset in assets:
        if asset.station_id != metering_point.customer.station_id:
            raise ValidationError(
                {"assets": _("Asset %(n)s belongs to another station.") % {"n": asset.asset_number}}
            )
    items = {key: bool(checklist.get(key)) for key, _label in ACCEPTANCE_CHECKLIST}
    acceptance = Acceptance(
        metering_point=metering_point,
        accepted_on=accepted_on or timezone.localdate(),
        checklist=items,
        result=AcceptanceResult.PASSED if all(items.values()) else AcceptanceResult.FAILED,
        by=user,
        second_person=second_person,
        note=(note or "").strip(),
    )
    acceptance.full_clean()
    acceptance.save()
    acceptance.assets.set(assets)
    return acceptance


def acceptance_check(*, asset: Asset, metering_point: MeteringPoint) -> Acceptance:
    """The passed acceptance that lets ``asset`` go into service at ``metering_point``; a
    ``ValidationError`` when there is none (no energising without acceptance)."""
    acceptance = (
        Acceptance.objects.filter(metering_point=metering_point, assets=asset, result=AcceptanceResult.PASSED)
        .order_by("-accepted_on", "-pk")
        .first()
    )
    if acceptance is None:
        raise ValidationError(
            _("Asset %(n)s has no passed acceptance at metering point %(p)s: accept it before energising.")
            % {"n": asset.asset_number, "p": metering_point.code}
        )
    return acceptance


def _archive_meter_in_service(asset: Asset, point: MeteringPoint, on: datetime.date, user) -> Meter:
    """Put the meter asset's archive meter in service at ``point`` (created when the archive lacks it)."""
    meter = asset.meter or Meter.objects.filter(asset_number=asset.asset_number).first()
    if meter is None:
        meter = Meter(asset_number=asset.asset_number)
    meter.metering_point = point
    meter.phase = asset.phase
    meter.accuracy_class = asset.accuracy_class
    meter.rated_current_a = asset.rated_current_a
    meter.max_current_a = asset.max_current_a
    meter.manufacturer = asset.manufacturer
    meter.install_date = on
    meter.status = MeterStatus.IN_SERVICE
    _save(meter, user=user, reason=_("Put in service (metering ledger)"))
    asset.meter = meter
    return meter


def _archive_meter_removed(asset: Asset, user, reason: str) -> None:
    meter = asset.meter or Meter.objects.filter(asset_number=asset.asset_number).first()
    if meter is not None and meter.status != MeterStatus.REMOVED:
        meter.status = MeterStatus.REMOVED
        _save(meter, user=user, reason=reason)
        asset.meter = meter


@transaction.atomic
def asset_install(
    *, asset: Asset, metering_point: MeteringPoint, user, installed_on: datetime.date | None = None
) -> Asset:
    """Install an asset from stock at a metering point (装表): only with a passed acceptance naming it
    there. A meter goes into the archive in service; a point keeps one meter in service (another meter
    is a meter change)."""
    _require(user, asset)
    _require(user, metering_point)
    asset = _locked(asset)
    _expect(asset, AssetStatus.IN_STOCK)
    if asset.station_id != metering_point.customer.station_id:
        raise ValidationError(_("The metering point belongs to another station."))
    acceptance_check(asset=asset, metering_point=metering_point)
    on = installed_on or timezone.localdate()
    if asset.kind == AssetKind.METER:
        busy = Meter.objects.filter(metering_point=metering_point, status=MeterStatus.IN_SERVICE).exclude(
            asset_number=asset.asset_number
        )
        if busy.exists():
            raise ValidationError(
                _("Metering point %(p)s already has a meter in service: record a meter change.")
                % {"p": metering_point.code}
            )
        _archive_meter_in_service(asset, metering_point, on, user)
    asset.metering_point = metering_point
    asset.installed_on, asset.removed_on = on, None
    if not (asset.last_verified_on or asset.first_verified_on):
        asset.first_verified_on = asset.last_verified_on = on
    _refresh_due(asset)
    return _move(
        asset, to=AssetStatus.INSTALLED, user=user, note=_("Installed at %(p)s") % {"p": metering_point.code}
    )


@transaction.atomic
def asset_remove(
    *, asset: Asset, user, removed_on: datetime.date | None = None, note: str = "", to_stock: bool = False
) -> Asset:
    """Take an installed asset off its point (拆除); a meter leaves the archive's service. ``to_stock``
    puts a sound asset back in the stock."""
    _require(user, asset)
    asset = _locked(asset)
    _expect(asset, AssetStatus.INSTALLED, AssetStatus.FAULTY)
    if asset.kind == AssetKind.METER:
        _archive_meter_removed(asset, user, _("Removed (metering ledger)"))
    asset.removed_on = removed_on or timezone.localdate()
    to = AssetStatus.IN_STOCK if to_stock else AssetStatus.REMOVED
    if to_stock:
        asset.metering_point = None
    return _move(asset, to=to, user=user, note=note or _("Removed"))


@transaction.atomic
def asset_scrap(*, asset: Asset, user, note: str = "") -> Asset:
    """Scrap an asset that is not installed (报废)."""
    _require(user, asset)
    asset = _locked(asset)
    _expect(asset, AssetStatus.IN_STOCK, AssetStatus.REMOVED, AssetStatus.FAULTY)
    if asset.kind == AssetKind.METER and asset.meter and asset.meter.status == MeterStatus.IN_SERVICE:
        raise ValidationError(_("The meter is still in service: remove it first."))
    return _move(asset, to=AssetStatus.SCRAPPED, user=user, note=note or _("Scrapped"))


# --- faults and rectification ----------------------------------------------------------------------


@transaction.atomic
def asset_fault_record(
    *,
    asset: Asset,
    user,
    found_on: datetime.date,
    kind: str,
    description: str = "",
    found_by=None,
) -> AssetFault:
    """Record a fault of an asset (故障记录); the asset becomes faulty until the fault is closed."""
    _require(user, asset)
    asset = _locked(asset)
    _expect(asset, AssetStatus.IN_STOCK, AssetStatus.INSTALLED, AssetStatus.REMOVED, AssetStatus.FAULTY)
    if kind not in FaultKind.values:
        raise ValidationError({"kind": _("Unknown fault.")})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("A fault cannot be found in the future.")})
    fault = AssetFault(
        asset=asset,
        found_on=found_on,
        kind=kind,
        description=(description or "").strip(),
        found_by=found_by or user,
    )
    _save(fault, user=user, reason=_("Fault recorded"))
    _move(asset, to=AssetStatus.FAULTY, user=user, note=fault.get_kind_display())
    return fault


@transaction.atomic
def asset_fault_close(
    *, fault: AssetFault, user, outcome: str, note: str = "", closed_on: datetime.date | None = None
) -> AssetFault:
    """Close a fault: repaired or no fault puts the asset back where it was (installed or in stock);
    replaced leaves it faulty for removal (the meter change records the replacement)."""
    _require(user, fault)
    fault = AssetFault.objects.select_for_update().get(pk=fault.pk)
    if fault.outcome != FaultOutcome.PENDING:
        raise ValidationError(_("The fault is already closed."))
    if outcome not in FaultOutcome.values or outcome == FaultOutcome.PENDING:
        raise ValidationError({"outcome": _("Choose what came of the fault.")})
    fault.outcome, fault.outcome_note = outcome, (note or "").strip()
    fault.closed_on = closed_on or timezone.localdate()
    _save(fault, user=user, reason=fault.get_outcome_display())
    asset = _locked(fault.asset)
    pending = asset.faults.filter(outcome=FaultOutcome.PENDING).exists()
    if asset.status == AssetStatus.FAULTY and not pending and outcome != FaultOutcome.REPLACED:
        before = (
            asset.events.filter(to_status=AssetStatus.FAULTY)
            .order_by("-at", "-pk")
            .values_list("from_status", flat=True)
            .first()
        )
        back = before if before and before != AssetStatus.FAULTY else AssetStatus.IN_STOCK
        _move(asset, to=back, user=user, note=fault.get_outcome_display())
    return fault


def _notice_number(on: datetime.date) -> str:
    prefix = f"ZG{on:%Y%m}"
    return next_number(RectificationNotice, "number", prefix, 4)


@transaction.atomic
def notice_issue(
    *,
    user,
    metering_point: MeteringPoint,
    problem: str,
    asset: Asset | None = None,
    fault: AssetFault | None = None,
    issued_on: datetime.date | None = None,
) -> RectificationNotice:
    """Issue a rectification notice (整改通知书) for a faulty installation; the deadline is the issue day
    plus ``metering.rectification_days``."""
    _require(user, metering_point)
    if not (problem or "").strip():
        raise ValidationError({"problem": _("Say what is to be put right.")})
    if asset is not None and asset.metering_point_id != metering_point.pk:
        raise ValidationError({"asset": _("The asset is not at this metering point.")})
    on = issued_on or timezone.localdate()
    notice = RectificationNotice(
        number=_notice_number(on),
        metering_point=metering_point,
        asset=asset,
        fault=fault,
        problem=problem.strip(),
        issued_on=on,
        deadline=on + datetime.timedelta(days=rule_int("metering.rectification_days", on=on)),
        issued_by=user,
    )
    return _save(notice, user=user, reason=_("Notice issued"))


@transaction.atomic
def notice_close(
    *, notice: RectificationNotice, user, outcome: str, closed_on: datetime.date | None = None
) -> RectificationNotice:
    """Close a rectification notice once the installation is put right (what was done is required)."""
    _require(user, notice)
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.OPEN:
        raise ValidationError(_("The notice is already closed."))
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("Say what was done.")})
    notice.status = NoticeStatus.CLOSED
    notice.outcome = outcome.strip()
    notice.closed_on = closed_on or timezone.localdate()
    notice.closed_by = user
    return _save(notice, user=user, reason=_("Notice closed"))


# --- meter change ----------------------------------------------------------------------------------


def _registers(values: dict, prefix: str, label: str) -> dict:
    out, errors = {}, {}
    for name in REGISTERS:
        value = values.get(name)
        if value in (None, ""):
            if name == "total":
                errors[f"{prefix}_total"] = _("%(which)s: the total register is required.") % {"which": label}
            out[f"{prefix}_{name}"] = None
            continue
        try:
            number = Decimal(str(value))
        except Exception:  # noqa: BLE001 - any unreadable number
            errors[f"{prefix}_{name}"] = _("%(which)s: not a number.") % {"which": label}
            continue
        if number < 0:
            errors[f"{prefix}_{name}"] = _("%(which)s: a register is not negative.") % {"which": label}
        out[f"{prefix}_{name}"] = number
    parts = [out.get(f"{prefix}_{n}") for n in ("peak", "flat", "valley")]
    total = out.get(f"{prefix}_total")
    if not errors and total is not None and all(p is not None for p in parts):
        if abs(sum(parts) - total) > REGISTER_SUM_TOLERANCE:
            errors[f"{prefix}_total"] = _(
                "%(which)s: peak, flat and valley (%(sum)s) do not add up to the total (%(total)s)."
            ) % {"which": label, "sum": sum(parts), "total": total}
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def meter_change(
    *,
    user,
    old_asset: Asset,
    new_asset: Asset,
    changed_on: datetime.date,
    reason: str,
    old_registers: dict,
    new_registers: dict,
    second_person,
    seals_removed=(),
    seals_used=(),
    note: str = "",
) -> MeterChange:
    """Change a meter (换表) in one transaction: the seals on the old meter are opened by two people and
    the new meter sealed with seals issued to ``user`` (through the seals app); the old meter's final
    registers and the new meter's start registers are recorded; the archive's old meter is removed and
    the new one put in service; both assets change status. Sends ``signals.meter_changed``."""
    from gridcheck.seals import services as seal_services
    from gridcheck.seals.choices import SealStatus, SealUseReason
    from gridcheck.seals.models import Seal

    _require(user, old_asset)
    _require(user, new_asset)
    old_asset, new_asset = _locked(old_asset), _locked(new_asset)
    if old_asset.pk == new_asset.pk:
        raise ValidationError(_("The new meter is the old one."))
    if old_asset.kind != AssetKind.METER or new_asset.kind != AssetKind.METER:
        raise ValidationError(_("A meter change replaces a meter by a meter."))
    _expect(old_asset, AssetStatus.INSTALLED, AssetStatus.FAULTY)
    _expect(new_asset, AssetStatus.IN_STOCK)
    point = old_asset.metering_point
    if point is None or old_asset.removed_on:
        raise ValidationError(_("Asset %(n)s is not installed.") % {"n": old_asset.asset_number})
    if new_asset.station_id != point.customer.station_id:
        raise ValidationError(_("The new meter is in another station's stock."))
    if reason not in ChangeReason.values:
        raise ValidationError({"reason": _("Choose why the meter is changed.")})
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": _("A meter change cannot be in the future.")})
    _second_person(user, second_person, _("A meter change needs two people."))
    registers = {
        **_registers(old_registers, "old", _("Old meter")),
        **_registers(new_registers, "new", _("New meter")),
    }
    seals_removed, seals_used = list(seals_removed), list(seals_used)
    if not seals_used:
        raise ValidationError({"seals_used": _("Every meter is sealed: name the seals fitted.")})
    old_meter = old_asset.meter or Meter.objects.filter(asset_number=old_asset.asset_number).first()
    for seal in seals_removed:
        if seal.status != SealStatus.USED or old_meter is None or seal.meter_id != old_meter.pk:
            raise ValidationError(
                {"seals_removed": _("Seal %(n)s is not on the old meter.") % {"n": seal.number}}
            )
        seal_services.seal_unseal(
            seal=seal,
            by=user,
            second_person=second_person,
            reason=_("Meter change %(old)s → %(new)s")
            % {"old": old_asset.asset_number, "new": new_asset.asset_number},
        )
    note_text = _("Meter change %(old)s → %(new)s") % {
        "old": old_asset.asset_number,
        "new": new_asset.asset_number,
    }
    _archive_meter_removed(old_asset, user, note_text)
    old_asset.removed_on = changed_on
    _move(old_asset, to=AssetStatus.REMOVED, user=user, note=note_text)
    new_meter = _archive_meter_in_service(new_asset, point, changed_on, user)
    for seal in seals_used:
        seal_services.seal_use(
            seal=Seal.objects.get(pk=seal.pk),
            meter=new_meter,
            used_by=user,
            reason=SealUseReason.METER_CHANGE,
            used_at=timezone.now(),
        )
    new_asset.metering_point, new_asset.installed_on, new_asset.removed_on = point, changed_on, None
    if not (new_asset.last_verified_on or new_asset.first_verified_on):
        new_asset.first_verified_on = new_asset.last_verified_on = changed_on
    _refresh_due(new_asset)
    _move(new_asset, to=AssetStatus.INSTALLED, user=user, note=note_text)
    change = MeterChange(
        metering_point=point,
        old_asset=old_asset,
        new_asset=new_asset,
        changed_on=changed_on,
        reason=reason,
        by=user,
        second_person=second_person,
        note=(note or "").strip(),
        **registers,
    )
    change.full_clean()
    change.save()
    change.seals_removed.set(seals_removed)
    change.seals_used.set(seals_used)
    meter_changed.send(sender=MeterChange, change=change, user=user)
    return change


# --- archive sync ----------------------------------------------------------------------------------

SYNC_FIELDS = (
    "pk",
    "asset_number",
    "accuracy_class",
    "phase",
    "rated_current_a",
    "max_current_a",
    "manufacturer",
    "install_date",
    "status",
    "metering_point_id",
    "metering_point__customer__station_id",
)


def assets_sync_from_archive(*, user=None, chunk: int = 5000, station_id: int | None = None) -> dict:
    """A meter asset for every archive meter that has none: linked to an existing meter asset of the same
    number, else created in bulk (installed or removed as the archive says, verified on its install
    date). Returns ``{"created": n, "linked": n}``; a second call finds nothing to do."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    _require(user)
    if user is not None and user.station_id is not None:
        station_id = user.station_id
    meters = Meter.objects.filter(metering_asset__isnull=True)
    if station_id is not None:
        meters = meters.filter(metering_point__customer__station_id=station_id)
    cache: dict = {}
    created = linked = 0
    last = 0
    reason = _("Synchronised from the archive")
    while True:
        rows = list(meters.filter(pk__gt=last).order_by("pk").values(*SYNC_FIELDS)[:chunk])
        if not rows:
            break
        last = rows[-1]["pk"]
        with transaction.atomic():
            unlinked = {
                a.asset_number: a
                for a in Asset.objects.filter(
                    kind=AssetKind.METER,
                    asset_number__in=[r["asset_number"] for r in rows],
                    meter__isnull=True,
                )
            }
            links, creates = [], []
            for row in rows:
                asset = unlinked.get(row["asset_number"])
                if asset is not None:
                    asset.meter_id = row["pk"]
                    links.append(asset)
                    continue
                installed = row["status"] == MeterStatus.IN_SERVICE
                verified = row["install_date"]
                creates.append(
                    Asset(
                        kind=AssetKind.METER,
                        asset_number=row["asset_number"],
                        accuracy_class=row["accuracy_class"],
                        phase=row["phase"],
                        rated_current_a=row["rated_current_a"],
                        max_current_a=row["max_current_a"],
                        manufacturer=row["manufacturer"],
                        first_verified_on=verified,
                        last_verified_on=verified,
                        due_on=due_date(
                            kind=AssetKind.METER,
                            accuracy_class=row["accuracy_class"],
                            verified_on=verified,
                            cache=cache,
                        ),
                        status=AssetStatus.INSTALLED if installed else AssetStatus.REMOVED,
                        station_id=row["metering_point__customer__station_id"],
                        metering_point_id=row["metering_point_id"],
                        installed_on=row["install_date"],
                        meter_id=row["pk"],
                    )
                )
            if links:
                bulk_update_with_history(
                    links, Asset, ["meter"], batch_size=1000, default_user=user, default_change_reason=reason
                )
            if creates:
                bulk_create_with_history(
                    creates, Asset, batch_size=1000, default_user=user, default_change_reason=reason
                )
            created += len(creates)
            linked += len(links)
    return {"created": created, "linked": linked}


# --- reminders -------------------------------------------------------------------------------------


def _recipients(station_id: int):
    from gridcheck.users.models import User

    return list(
        User.objects.filter(station_id=station_id, is_active=True, role__in=MANAGING_ROLES).order_by("pk")
    )


def _listing(lines: list[str], total: int) -> str:
    more = total - len(lines)
    return "\n".join(lines) + (f"\n……另有 {more} 条" if more > 0 else "")


def metering_reminders(*, on: datetime.date | None = None) -> dict:
    """The daily reminders of the ledger, in-app to each station's metering staff (through the outbox):
    assets due for verification / rotation within ``metering.due_reminder_days`` or overdue, and
    rectification notices past their deadline. Each asset is announced once per due date, each notice
    once; a second run the same day sends nothing. Returns ``{"assets": n, "notices": n, "messages": n}``."""
    from gridcheck.archive.models import Station
    from gridcheck.notifications.choices import Channel
    from gridcheck.notifications.services import message_enqueue

    on = on or timezone.localdate()
    horizon = on + datetime.timedelta(days=rule_int("metering.due_reminder_days", on=on))
    due = Asset.objects.filter(status=AssetStatus.INSTALLED, due_on__lte=horizon).filter(
        Q(rotation_reminded_for__isnull=True) | ~Q(rotation_reminded_for=F("due_on"))
    )
    notices = RectificationNotice.objects.filter(
        status=NoticeStatus.OPEN, deadline__lt=on, overdue_reminded_at__isnull=True
    )
    counts = {"assets": 0, "notices": 0, "messages": 0}
    station_ids = set(due.values_list("station_id", flat=True).distinct()) | set(
        notices.values_list("metering_point__customer__station_id", flat=True).distinct()
    )
    for station in Station.objects.filter(pk__in=station_ids).order_by("pk"):
        recipients = _recipients(station.pk)
        station_due = due.filter(station=station)
        station_notices = notices.filter(metering_point__customer__station=station)
        n_due = station_due.count()
        n_overdue = station_due.filter(due_on__lt=on).count()
        n_notices = station_notices.count()
        with transaction.atomic():
            if n_due and recipients:
                lines = [
                    f"{a.get_kind_display()} {a.asset_number}（{a.metering_point or '—'}）"
                    f" 到期 {a.due_on:%Y-%m-%d}"
                    for a in station_due.select_related("metering_point").order_by("due_on", "pk")[:20]
                ]
                for user in recipients:
                    message_enqueue(
                        channel=Channel.IN_APP,
                        recipient=user,
                        subject=_("%(n)s metering assets due for rotation (%(o)s overdue)")
                        % {"n": n_due, "o": n_overdue},
                        body=_listing(lines, n_due),
                        dedup_key=f"metering-due:{station.pk}:{user.pk}:{on:%Y-%m-%d}",
                        station=station,
                    )
                    counts["messages"] += 1
                station_due.update(rotation_reminded_for=F("due_on"))
                counts["assets"] += n_due
            if n_notices and recipients:
                lines = [
                    f"{n.number} {n.metering_point} 期限 {n.deadline:%Y-%m-%d}：{n.problem[:40]}"
                    for n in station_notices.select_related("metering_point").order_by("deadline")[:20]
                ]
                for user in recipients:
                    message_enqueue(
                        channel=Channel.IN_APP,
                        recipient=user,
                        subject=_("%(n)s rectification notices are overdue") % {"n": n_notices},
                        body=_listing(lines, n_notices),
                        dedup_key=f"metering-notices:{station.pk}:{user.pk}:{on:%Y-%m-%d}",
                        station=station,
                    )
                    counts["messages"] += 1
                station_notices.update(overdue_reminded_at=timezone.now())
                counts["notices"] += n_notices
    return counts
