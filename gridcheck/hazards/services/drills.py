"""The yearly anti-accident drills at high-risk and important customers: planned, held or cancelled."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.hazards.choices import DrillStatus
from gridcheck.hazards.models import Drill


@transaction.atomic
def drill_schedule(*, customer, scenario: str, scheduled_on: datetime.date) -> Drill:
    """Plan a yearly anti-accident drill at a customer."""
    drill = Drill(
        customer=customer, station_id=customer.station_id, scenario=scenario, scheduled_on=scheduled_on
    )
    drill.full_clean()
    drill.save()
    return drill


@transaction.atomic
def drill_record(
    *, drill: Drill, held_on: datetime.date, participants: str, findings: str, actor=None
) -> Drill:
    """Record that a drill was held: when, who took part and what it found."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A drill cannot be recorded before it is held.")})
    if not participants.strip():
        raise ValidationError({"participants": _("List who took part.")})
    drill.held_on = held_on
    drill.participants = participants.strip()
    drill.findings = findings.strip()
    drill.status = DrillStatus.HELD
    drill._history_user = actor
    drill.full_clean()
    drill.save()
    return drill


@transaction.atomic
def drill_cancel(*, drill: Drill, actor=None, reason: str = "") -> Drill:
    """Cancel a planned drill (it stays on record, with the reason in its findings)."""
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError(_("Only a planned drill can be cancelled."))
    drill.status = DrillStatus.CANCELLED
    if reason:
        drill.findings = reason
    drill._history_user = actor
    drill.full_clean()
    drill.save()
    return drill
