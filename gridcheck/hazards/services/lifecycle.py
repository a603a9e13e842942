"""A hazard's life: registered, edited, photographed, moved along its statuses, confirmed by the customer.

A hazard's status changes only through ``hazard_transition`` (directly or via the runs), which writes a
``HazardEvent`` (``gridcheck.core.events.record_transition``) and, through ``AuditedModel``, a history record.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.events import record_transition
from gridcheck.hazards.choices import TRANSITIONS, HazardStatus, PhotoStage
from gridcheck.hazards.models import Hazard, HazardEvent, HazardPhoto
from gridcheck.hazards.selectors import portal_customer_for
from gridcheck.hazards.services.common import photo_accept
from gridcheck.hazards.signals import hazard_registered


def _check_deadline(found_on, deadline) -> None:
    if found_on and deadline and deadline < found_on:
        raise ValidationError(
            {"deadline": _("The rectification deadline cannot be before the finding date.")}
        )


@transaction.atomic
def hazard_create(
    *,
    customer,
    category: str,
    severity: str,
    description: str,
    found_on: datetime.date,
    deadline: datetime.date,
    responsible_person: str,
    responsible_phone: str = "",
    responsible_staff=None,
    consequence: str = "",
    advice: str = "",
    found_by_inspection_ref: str = "",
    found_by=None,
    photos=(),
) -> Hazard:
    """Register a hazard found at ``customer``; its deadline may not lie before the day it was found."""
    hazard = Hazard(
        customer=customer,
        station_id=customer.station_id,
        category=category,
        severity=severity,
        description=description,
        found_on=found_on,
        deadline=deadline,
        responsible_person=responsible_person,
        responsible_phone=responsible_phone,
        responsible_staff=responsible_staff,
        consequence=consequence,
        advice=advice,
        found_by_inspection_ref=found_by_inspection_ref,
        found_by=found_by,
        status=HazardStatus.FOUND,
    )
    _check_deadline(found_on, deadline)
    hazard.full_clean()
    hazard.save()
    record_transition(
        HazardEvent, hazard, to_status=HazardStatus.FOUND, actor=found_by, note=_("Hazard registered")
    )
    for upload in photos:
        hazard_photo_add(hazard=hazard, stage=PhotoStage.BEFORE, image=upload, user=found_by)
    # After the month's notices: a supplementary notice at once, or a recorded note (``registrations``).
    hazard_registered.send(sender=Hazard, hazard=hazard, actor=found_by)
    return hazard


@transaction.atomic
def hazard_update(*, hazard: Hazard, user, **fields) -> Hazard:
    """Change a hazard's descriptive fields (not its status); the deadline rule still holds."""
    allowed = {
        "category",
        "severity",
        "description",
        "consequence",
        "advice",
        "deadline",
        "responsible_person",
        "responsible_phone",
        "responsible_staff",
        "found_by_inspection_ref",
    }
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(_("%(field)s cannot be changed here.") % {"field": name})
        setattr(hazard, name, value)
    _check_deadline(hazard.found_on, hazard.deadline)
    hazard.full_clean()
    hazard._change_reason = _("Hazard edited")
    hazard.save()
    return hazard


#: The descriptive fields a registered hazard may be corrected in (``hazard_correct``).
CORRECTABLE_FIELDS = (
    "category",
    "severity",
    "description",
    "consequence",
    "advice",
    "deadline",
    "responsible_person",
    "responsible_phone",
    "responsible_staff",
    "found_by_inspection_ref",
)


def hazard_told_to_government(hazard: Hazard) -> bool:
    """Whether a document addressed to the government (a monthly summary, a briefing: a notice with no
    customer) that lists ``hazard`` has been sent: from then on it is corrected only by re-inspection."""
    return hazard.notices.filter(customer__isnull=True, sent_at__isnull=False).exists()


def _require_correctable(hazard: Hazard, reason: str) -> None:
    from gridcheck.hazards.choices import OPEN_STATUSES

    if hazard.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A %(status)s hazard can no longer be corrected or cancelled.")
            % {"status": hazard.get_status_display()}
        )
    if hazard_told_to_government(hazard):
        raise ValidationError(
            _("The government has been told of this hazard: it can no longer be corrected or cancelled.")
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})


@transaction.atomic
def hazard_correct(*, hazard: Hazard, user, reason: str, **fields) -> Hazard:
    """Correct a registered hazard's descriptive fields, with a reason, until the government is told of
    it. The change is in the history (with the reason) and the event log (same status, what changed)."""
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    _require_correctable(hazard, reason)
    changed = []
    for name, value in fields.items():
        if name not in CORRECTABLE_FIELDS:
            raise ValidationError(_("%(field)s cannot be changed here.") % {"field": name})
        if getattr(hazard, name) != value:
            changed.append(str(Hazard._meta.get_field(name).verbose_name))
            setattr(hazard, name, value)
    if not changed:
        raise ValidationError(_("Nothing was changed."))
    _check_deadline(hazard.found_on, hazard.deadline)
    hazard.full_clean()
    note = _("Corrected (%(fields)s): %(reason)s") % {"fields": "、".join(changed), "reason": reason.strip()}
    hazard._change_reason = note[:100]
    hazard._history_user = user
    hazard.save()
    record_transition(
        HazardEvent, hazard, from_status=hazard.status, to_status=hazard.status, actor=user, note=note
    )
    return hazard


@transaction.atomic
def hazard_cancel(*, hazard: Hazard, user, reason: str) -> Hazard:
    """Cancel a hazard registered by mistake, with a reason, until the government is told of it."""
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    _require_correctable(hazard, reason)
    from_status = hazard.status
    hazard.status = HazardStatus.CANCELLED
    note = _("Cancelled as registered by mistake: %(reason)s") % {"reason": reason.strip()}
    hazard._change_reason = note[:100]
    hazard._history_user = user
    hazard.save()
    record_transition(
        HazardEvent, hazard, from_status=from_status, to_status=HazardStatus.CANCELLED, actor=user, note=note
    )
    return hazard


@transaction.atomic
def hazard_photo_add(*, hazard: Hazard, stage: str, image, user=None, caption: str = "") -> HazardPhoto:
    """Attach a before/after photo to a hazard: checked, re-encoded and stored under a generated name."""
    accepted = image if hasattr(image, "content_type") and hasattr(image, "sha256") else photo_accept(image)
    photo = HazardPhoto(hazard=hazard, stage=stage, image=accepted.file, uploaded_by=user, caption=caption)
    photo.full_clean()
    photo.save()
    return photo


@transaction.atomic
def hazard_transition(
    *,
    hazard: Hazard,
    to_status: str,
    actor=None,
    note: str = "",
    on: datetime.date | None = None,
    photos=(),
) -> Hazard:
    """Move ``hazard`` to ``to_status`` if the lifecycle allows it; record who, when and why.

    ``photos`` (uploads) are attached as "after" photos when the move is to rectified or verified, else
    as "before" photos, only once the move is allowed: a refused move stores nothing.

    found > notified > rectifying > rectified > verified, with overdue reachable from any open status
    and a failed re-inspection sending a rectified hazard back to rectifying.
    """
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    from_status = hazard.status
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            _("A hazard cannot go from %(from)s to %(to)s.")
            % {"from": HazardStatus(from_status).label, "to": HazardStatus(to_status).label}
        )
    on = on or timezone.localdate()
    accepted = [photo_accept(upload) for upload in photos]
    stage = (
        PhotoStage.AFTER
        if to_status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED)
        else PhotoStage.BEFORE
    )
    for photo in accepted:
        hazard_photo_add(hazard=hazard, stage=stage, image=photo, user=actor)
    hazard.status = to_status
    if to_status == HazardStatus.RECTIFIED:
        hazard.rectified_on = on
    elif to_status == HazardStatus.VERIFIED:
        hazard.verified_on = on
    elif to_status == HazardStatus.RECTIFYING and from_status == HazardStatus.RECTIFIED:
        hazard.rectified_on = None
    hazard.full_clean()
    hazard._change_reason = note[:100] if note else ""
    hazard._history_user = actor
    hazard.save()
    record_transition(
        HazardEvent, hazard, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    return hazard


@transaction.atomic
def hazard_rectification_confirm(*, hazard: Hazard, user, photos, note: str = "") -> Hazard:
    """A customer portal user confirms that their hazard is rectified, with at least one photo."""
    customer = portal_customer_for(user)
    if customer is None or customer.pk != hazard.customer_id:
        raise PermissionDenied(_("You may only confirm your own hazards."))
    if HazardStatus.RECTIFIED not in TRANSITIONS.get(hazard.status, ()):
        raise ValidationError(_("This hazard cannot be confirmed as rectified now."))
    photos = list(photos)
    if not photos:
        raise ValidationError(_("Add at least one photo of the rectified installation."))
    text = _("Rectification confirmed by the customer")
    if note:
        text = f"{text}: {note}"
    hazard = hazard_transition(
        hazard=hazard, to_status=HazardStatus.RECTIFIED, actor=user, note=text, photos=photos
    )
    _tell_staff_rectified(hazard, user=user)
    return hazard


def _tell_staff_rectified(hazard: Hazard, *, user) -> None:
    """The hand-over: the station's staff who answer for the hazard (its responsible staff member and
    whoever found it; else everyone who manages the station's hazards) are told it waits for
    re-inspection."""
    from gridcheck.core.roles import MANAGE_HAZARDS
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    people = {p.pk: p for p in (hazard.responsible_staff, hazard.found_by) if p is not None and p.is_active}
    if not people:
        people = {p.pk: p for p in people_who_may(MANAGE_HAZARDS, station_id=hazard.customer.station_id)}
    notify_people(
        people.values(),
        subject=_("A hazard was rectified by the customer: re-inspect it"),
        body=_("%(customer)s: %(description)s Page: %(url)s")
        % {"customer": hazard.customer, "description": hazard.description, "url": hazard.get_absolute_url()},
        key=f"hazards:hazard:{hazard.pk}:customer-rectified:{timezone.now():%Y%m%d%H%M%S%f}",
        related=hazard,
        created_by=user,
        station=hazard.customer.station,
    )
