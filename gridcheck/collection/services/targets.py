"""The yearly late-fee income target of a station (违约金回收目标), set by the county."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridcheck.collection.models import LateFeeTarget
from gridcheck.collection.services.common import event, money, require_scope
from gridcheck.core.periods import MAX_YEAR, MIN_YEAR
from gridcheck.core.roles import APPROVE_COUNTY, RUN_COUNTY, has_capability


def may_set_targets(user) -> bool:
    """County-level staff who approve or run county work set the stations' targets."""
    return has_capability(user, APPROVE_COUNTY) or has_capability(user, RUN_COUNTY)


@transaction.atomic
def late_fee_target_set(*, user, station, year, target_yuan) -> LateFeeTarget:
    """Set (or change) ``station``'s late-fee income target of ``year``; every change is an event."""
    if user is not None and not may_set_targets(user):
        raise PermissionDenied(_("Only county-level staff set the late-fee income targets."))
    require_scope(user, station)
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            {
                "year": _("%(station)s: the year must be a whole number, e.g. 2026.")
                % {"station": station.name}
            }
        ) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                "year": _("%(station)s: the year must lie between %(low)s and %(high)s.")
                % {"station": station.name, "low": MIN_YEAR, "high": MAX_YEAR}
            }
        )
    try:
        amount = money(target_yuan, "target_yuan", positive=False)
    except ValidationError as error:
        messages = error.message_dict.get("target_yuan", error.messages)
        raise ValidationError(
            {
                "target_yuan": [
                    _("%(station)s, target: %(error)s") % {"station": station.name, "error": m}
                    for m in messages
                ]
            }
        ) from None
    if amount < 0:
        raise ValidationError(
            {
                "target_yuan": _("%(station)s, target: the target cannot be negative.")
                % {"station": station.name}
            }
        )
    target = LateFeeTarget.objects.select_for_update().filter(station=station, year=year).first()
    before = None if target is None else target.target_yuan
    if target is None:
        target = LateFeeTarget(station=station, year=year)
    target.target_yuan = amount
    target.set_by = user if getattr(user, "is_authenticated", False) else None
    target.save()
    note = _("Late-fee income target of %(station)s for %(year)s: %(before)s → %(after)s yuan") % {
        "station": station.name,
        "year": year,
        "before": "—" if before is None else f"{before:,.2f}",
        "after": f"{amount:,.2f}",
    }
    event(target, from_status="" if before is None else "set", to_status="set", actor=user, note=note)
    return target
