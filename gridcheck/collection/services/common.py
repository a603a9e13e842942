"""Helpers of every collection service: the event log, the checks, sequence numbers, months, money."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.collection.models import CollectionEvent, MonthClose
from gridcheck.core import numbering
from gridcheck.core.roles import has_capability
from gridcheck.core.scoping import user_can_see

FEN = Decimal("0.01")


def event(subject, *, to_status: str, from_status: str = "", actor=None, note: str = "") -> CollectionEvent:
    """Record one state change of ``subject`` (who, when, from, to, why)."""
    recorded = CollectionEvent.objects.create(
        subject_type=type(subject).__name__,
        subject_id=subject.pk,
        from_status=from_status or "",
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=(note or "")[:2000],
    )
    _handover(subject, to_status=to_status, actor=actor)
    return recorded


def _handover(subject, *, to_status: str, actor) -> None:
    """Tell the next person that a request waits for their decision, or its requester the decision."""
    from gridcheck.collection.models import Disconnection, ReceiptCancellation, Reversal
    from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, MANAGE_COLLECTION
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    requester = {Reversal: "requested_by", Disconnection: "proposed_by", ReceiptCancellation: "cancelled_by"}
    waiting = {
        (Reversal, "pending"): APPROVE_STATION,
        (Disconnection, "proposed"): APPROVE_STATION,
        (Disconnection, "county_pending"): APPROVE_COUNTY,
        (ReceiptCancellation, "pending"): MANAGE_COLLECTION,
    }
    kind = type(subject)
    if kind not in requester:
        return
    asked_by_id = getattr(subject, f"{requester[kind]}_id")
    what = f"{kind._meta.verbose_name}{subject.pk}"
    if (kind, to_status) in waiting:
        capability = waiting[(kind, to_status)]
        station_id = getattr(subject, "station_id", None) or getattr(subject.stock, "station_id", None)
        people = people_who_may(capability, station_id=station_id, exclude=[actor, asked_by_id])
        if capability == APPROVE_COUNTY:
            people = [person for person in people if person.station_id is None]
        line = _("%(what)s waits for you") % {"what": what}
    elif to_status in ("approved", "rejected") and asked_by_id:
        people = [getattr(subject, requester[kind])]
        line = _("%(what)s: %(status)s") % {"what": what, "status": subject.get_status_display()}
    else:
        return
    url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    notify_people(
        people,
        subject=line,
        body=_("%(what)s (%(object)s). Page: %(url)s") % {"what": what, "object": subject, "url": url},
        key=f"collection:{kind.__name__}:{subject.pk}:{to_status}",
        related=subject,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def require(user, capability: str, message: str) -> None:
    """Refuse ``user`` without ``capability`` (``user=None`` is the system: jobs, the demo, signals)."""
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(message)


def require_scope(user, obj) -> None:
    """Refuse a record outside the user's station or areas (writes are scoped like reads)."""
    if user is not None and not user_can_see(user, obj):
        raise PermissionDenied(_("This record lies outside your station or areas."))


def require_status(obj, *allowed: str) -> None:
    if obj.status not in allowed:
        raise ValidationError(
            _("Not possible while the status is %(status)s.") % {"status": obj.get_status_display()}
        )


def money(value, field: str = "amount_yuan", *, positive: bool = True) -> Decimal:
    """A money amount from user input: a number with at most two decimals (fen), > 0 when ``positive``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Not an amount of money.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Not an amount of money.")})
    if amount != amount.quantize(FEN):
        raise ValidationError({field: _("An amount has at most two decimals (fen).")})
    if positive and amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def local_day(moment: datetime.datetime | None = None) -> datetime.date:
    """The calendar day of ``moment`` (default: now) in the deployment's time zone (Asia/Shanghai)."""
    return timezone.localdate(moment or timezone.now())


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_closed(station_id: int, day: datetime.date) -> bool:
    """Whether the station's collection month holding ``day`` is closed."""
    return MonthClose.objects.filter(station_id=station_id, month=month_of(day)).exists()


def require_month_open(station_id: int, day: datetime.date) -> None:
    if month_closed(station_id, day):
        raise ValidationError(
            _("The collection month %(month)s is closed: nothing dated in it can be posted or changed.")
            % {"month": f"{day:%Y-%m}"}
        )


def next_number(model, field: str, prefix: str, width: int = 6) -> str:
    """The next free ``prefix`` + sequence number of ``model.field`` (six digits unless given)."""
    return numbering.next_number(model, field, prefix, width)
