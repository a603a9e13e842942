"""Services of the seals app: every change of a seal or of the pliers goes through here.

Functions are named ``<entity>_<action>``, keyword-only, run in one transaction and validate with
``full_clean()`` before saving. Each save names the acting user and a reason on the history record
(django-simple-history), which is the audit trail shown on the seal's page.

A seal found broken opens an inspection work order. Seals may not import the inspections app (it sits
above seals): the report announces itself (``signals.seal_found_broken``) and the inspections app, which
subscribes, opens the work order.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.images import image_check as core_image_check
from gridcheck.core.rules import rule_int
from gridcheck.seals.choices import (
    PliersStatus,
    SealBreakKind,
    SealMovementKind,
    SealStatus,
    SealUseReason,
)
from gridcheck.seals.models import Pliers, PliersLoan, Seal, SealBatch, SealBreak, SealMovement, SealUse
from gridcheck.seals.signals import seal_found_broken

# A seal batch larger than this is refused (a typing error in the range, not a station rule) [seals].
MAX_SEAL_BATCH = 20_000


# --- helpers -------------------------------------------------------------------------------------


def _save(obj: Model, *, user=None, reason: str = "") -> Model:
    """Validate and save ``obj``, naming ``user`` and ``reason`` on its history record."""
    obj.full_clean()
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj._change_reason = reason[:100] if reason else None
    obj.save()
    return obj


def image_check(*, content: bytes, name: str) -> tuple[str, str]:
    """A seal photo: JPEG or PNG, at most ``GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES``."""
    return core_image_check(
        content=content, name=name, max_bytes=settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES
    )


def _require_station(seal: Seal, person) -> None:
    if person.station_id is not None and person.station_id != seal.station_id:
        raise ValidationError(_("%(who)s belongs to another station.") % {"who": person})


# --- seals ---------------------------------------------------------------------------------------


@transaction.atomic
def seal_batch_create(
    *,
    station,
    prefix: str,
    start_number: int,
    end_number: int,
    received_on: datetime.date,
    received_by,
    digits: int = 6,
) -> SealBatch:
    """Receive a batch of seals into the station's stock: one ``Seal`` per number of the range."""
    from simple_history.utils import bulk_create_with_history

    batch = SealBatch(
        station=station,
        prefix=prefix.strip(),
        start_number=start_number,
        end_number=end_number,
        digits=digits,
        received_on=received_on,
        received_by=received_by,
    )
    batch.full_clean()
    if batch.size > MAX_SEAL_BATCH:
        raise ValidationError(_("A batch holds at most %(n)s seals.") % {"n": MAX_SEAL_BATCH})
    numbers = [f"{batch.prefix}{n:0{digits}d}" for n in range(start_number, end_number + 1)]
    taken = list(Seal.objects.filter(number__in=numbers).values_list("number", flat=True)[:5])
    if taken:
        raise ValidationError(
            _("Seal numbers already registered: %(numbers)s.") % {"numbers": "、".join(taken)}
        )
    _save(batch, user=received_by, reason=_("Seal batch received"))
    seals = [Seal(batch=batch, station=station, number=n, status=SealStatus.IN_STOCK) for n in numbers]
    bulk_create_with_history(
        seals, Seal, batch_size=1000, default_user=received_by, default_change_reason=_("Seal batch received")
    )
    return batch


@transaction.atomic
def seal_issue(*, seals, staff, by) -> int:
    """Hand seals from stock (or returned) to a member of staff; returns how many."""
    n = 0
    for seal in seals:
        seal = Seal.objects.select_for_update().get(pk=seal.pk)
        _require_station(seal, staff)
        if seal.status not in (SealStatus.IN_STOCK, SealStatus.RETURNED):
            raise ValidationError(
                _("Seal %(number)s is %(status)s and cannot be issued.")
                % {"number": seal.number, "status": seal.get_status_display()}
            )
        seal.status, seal.holder = SealStatus.ISSUED, staff
        _save(seal, user=by, reason=_("Issued to %(who)s") % {"who": staff})
        SealMovement.objects.create(seal=seal, kind=SealMovementKind.ISSUE, staff=staff, by=by)
        n += 1
    return n


@transaction.atomic
def seal_return(*, seals, staff, by) -> int:
    """Take unused seals back from a member of staff; returns how many."""
    n = 0
    for seal in seals:
        seal = Seal.objects.select_for_update().get(pk=seal.pk)
        if seal.status != SealStatus.ISSUED or seal.holder_id != staff.pk:
            raise ValidationError(
                _("Seal %(number)s is not held by %(who)s.") % {"number": seal.number, "who": staff}
            )
        seal.status, seal.holder = SealStatus.RETURNED, None
        _save(seal, user=by, reason=_("Returned by %(who)s") % {"who": staff})
        SealMovement.objects.create(seal=seal, kind=SealMovementKind.RETURN, staff=staff, by=by)
        n += 1
    return n


@transaction.atomic
def seal_use(
    *,
    seal: Seal,
    meter,
    used_by,
    reason: str,
    photo=None,
    used_at: datetime.datetime | None = None,
    work_order=None,
) -> SealUse:
    """Put a seal issued to ``used_by`` on ``meter`` (who, when, why, photo)."""
    seal = Seal.objects.select_for_update().get(pk=seal.pk)
    if seal.status != SealStatus.ISSUED or seal.holder_id != used_by.pk:
        raise ValidationError(
            _("Seal %(number)s is not issued to %(who)s.") % {"number": seal.number, "who": used_by}
        )
    if meter.metering_point.customer.station_id != seal.station_id:
        raise ValidationError(_("The meter belongs to another station."))
    if reason not in SealUseReason.values:
        raise ValidationError({"reason": _("Unknown reason.")})
    if photo is not None:
        photo.seek(0)
        image_check(content=photo.read(), name=photo.name)
        photo.seek(0)
    use = SealUse(
        seal=seal,
        meter=meter,
        used_by=used_by,
        used_at=used_at or timezone.now(),
        reason=reason,
        work_order=work_order,
    )
    if photo is not None:
        use.photo = photo
    use.full_clean()
    use.save()
    seal.status, seal.holder, seal.meter = SealStatus.USED, None, meter
    _save(seal, user=used_by, reason=_("Sealed meter %(meter)s") % {"meter": meter})
    return use


@transaction.atomic
def seal_unseal(
    *, seal: Seal, by, second_person, reason: str, at: datetime.datetime | None = None, photo=None
) -> SealBreak:
    """Open a seal for work on the meter: two people of the station must be present; the meter is resealed
    with a new seal (``seal_use`` with reason ``reseal``) when the work ends."""
    seal = Seal.objects.select_for_update().get(pk=seal.pk)
    if second_person is None or second_person.pk == by.pk:
        raise ValidationError(_("Unsealing needs two people."))
    for person in (by, second_person):
        _require_station(seal, person)
    if seal.status != SealStatus.USED:
        raise ValidationError(_("Seal %(number)s is not on a meter.") % {"number": seal.number})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the seal is opened.")})
    event = SealBreak(
        seal=seal,
        kind=SealBreakKind.UNSEALED,
        at=at or timezone.now(),
        by=by,
        second_person=second_person,
        reason=reason.strip(),
    )
    if photo is not None:
        event.photo = photo
    event.full_clean()
    event.save()
    seal.status = SealStatus.BROKEN
    _save(seal, user=by, reason=_("Unsealed by %(a)s and %(b)s") % {"a": by, "b": second_person})
    return event


@transaction.atomic
def seal_broken_report(
    *, seal: Seal, reported_by, reason: str, at: datetime.datetime | None = None, photo=None
) -> SealBreak:
    """A seal found broken: record it and have a work order opened to inspect the meter's customer.

    Sends ``signals.seal_found_broken``; the inspections app opens the work order (due the rule
    ``seals.broken_seal.work_order_due_days``, two days, after the report) and sets ``work_order``.
    """
    seal = (
        Seal.objects.select_for_update(of=("self",))
        .select_related("meter__metering_point__customer")
        .get(pk=seal.pk)
    )
    if seal.status != SealStatus.USED or seal.meter is None:
        raise ValidationError(_("Seal %(number)s is not on a meter.") % {"number": seal.number})
    at = at or timezone.now()
    reported_on = timezone.localtime(at).date()
    due_days = rule_int("seals.broken_seal.work_order_due_days", on=reported_on)
    event = SealBreak(
        seal=seal,
        kind=SealBreakKind.FOUND_BROKEN,
        at=at,
        by=reported_by,
        reason=(reason or "").strip() or _("Found broken"),
    )
    if photo is not None:
        event.photo = photo
    event.full_clean()
    event.save()
    seal_found_broken.send(
        sender=SealBreak,
        seal_break=event,
        customer=seal.meter.metering_point.customer,
        reason=_("Seal %(number)s on meter %(meter)s found broken: %(reason)s")
        % {"number": seal.number, "meter": seal.meter, "reason": reason},
        due_on=reported_on + datetime.timedelta(days=due_days),
        reported_by=reported_by,
    )
    seal.status = SealStatus.BROKEN
    if event.work_order_id:
        history_reason = _("Found broken; work order %(n)s") % {"n": event.work_order.number}
    else:
        history_reason = _("Found broken")
    _save(seal, user=reported_by, reason=history_reason)
    return event


# --- pliers --------------------------------------------------------------------------------------


@transaction.atomic
def pliers_create(*, station, code: str, description: str = "", user=None) -> Pliers:
    """Register a pair of sealing pliers of the station."""
    return _save(
        Pliers(station=station, code=code.strip(), description=description),
        user=user,
        reason=_("Pliers registered"),
    )


@transaction.atomic
def pliers_issue(*, pliers: Pliers, issued_to, issued_by, purpose: str) -> PliersLoan:
    """Sign the pliers out to a work leader for a census, inspection, meter change or new connection."""
    pliers = Pliers.objects.select_for_update().get(pk=pliers.pk)
    if pliers.status != PliersStatus.IN_STORE:
        raise ValidationError(_("The pliers %(code)s are not in the store.") % {"code": pliers.code})
    if issued_to.station_id is not None and issued_to.station_id != pliers.station_id:
        raise ValidationError(_("%(who)s belongs to another station.") % {"who": issued_to})
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Say what the pliers are signed out for.")})
    loan = PliersLoan(
        pliers=pliers,
        issued_to=issued_to,
        issued_by=issued_by,
        issued_at=timezone.now(),
        purpose=purpose.strip(),
    )
    loan.full_clean()
    loan.save()
    pliers.status, pliers.holder = PliersStatus.ISSUED, issued_to
    _save(pliers, user=issued_by, reason=_("Signed out to %(who)s") % {"who": issued_to})
    return loan


@transaction.atomic
def pliers_return(*, pliers: Pliers, returned_to) -> PliersLoan:
    """The pliers come back to the store."""
    pliers = Pliers.objects.select_for_update().get(pk=pliers.pk)
    loan = pliers.loans.filter(returned_at__isnull=True).first()
    if loan is None or pliers.status != PliersStatus.ISSUED:
        raise ValidationError(_("The pliers %(code)s are not signed out.") % {"code": pliers.code})
    loan.returned_at, loan.returned_to = timezone.now(), returned_to
    loan.save()
    pliers.status, pliers.holder = PliersStatus.IN_STORE, None
    _save(pliers, user=returned_to, reason=_("Pliers returned"))
    return loan
