"""The daily run: mark overdue hazards, remind the responsible staff, escalate major overdue hazards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.events import record_transition
from gridcheck.hazards import selectors
from gridcheck.hazards.choices import OPEN_STATUSES, HazardSeverity, HazardStatus
from gridcheck.hazards.models import Hazard, HazardEvent
from gridcheck.hazards.services.common import enqueue, staff_messages
from gridcheck.hazards.services.lifecycle import hazard_transition


@dataclass
class DailyResult:
    """What a daily run did."""

    marked_overdue: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    reminded: int = 0
    messages: int = 0


def _mark_overdue(today: datetime.date, result: DailyResult) -> None:
    late = (
        Hazard.objects.select_related("customer", "station", "responsible_staff", "found_by")
        .filter(deadline__lt=today, status__in=[s for s in OPEN_STATUSES if s != HazardStatus.OVERDUE])
        .order_by("pk")
    )
    for hazard in late:
        hazard = hazard_transition(
            hazard=hazard,
            to_status=HazardStatus.OVERDUE,
            note=_("Deadline %(date)s passed without rectification") % {"date": hazard.deadline.isoformat()},
            on=today,
        )
        result.marked_overdue.append(hazard.pk)


def _escalate(hazard: Hazard, body: str, result: DailyResult) -> None:
    """A major overdue hazard: every head of its station is told; the first time, it is marked escalated."""
    heads = selectors.station_heads(hazard.station_id)
    for head in heads:
        result.messages += staff_messages(
            user=head,
            subject=_("Escalation: major hazard overdue at %(customer)s")
            % {"customer": hazard.customer.name},
            body=body,
            dedup_key=f"hazard-escalation:{hazard.pk}:{head.pk}",
            related=hazard,
        )
    if heads and hazard.escalated_at is None:
        hazard.escalated_at = timezone.now()
        hazard._change_reason = _("Escalated to the station head")
        hazard.full_clean()
        hazard.save(update_fields=["escalated_at", "updated_at"])
        record_transition(
            HazardEvent,
            hazard,
            from_status=hazard.status,
            to_status=hazard.status,
            note=_("Major hazard overdue: escalated to %(names)s")
            % {"names": "、".join(str(h) for h in heads)},
        )
        result.escalated.append(hazard.pk)


def _remind_overdue(result: DailyResult) -> None:
    overdue = Hazard.objects.select_related("customer", "station", "responsible_staff", "found_by").filter(
        status=HazardStatus.OVERDUE
    )
    for hazard in overdue:
        staff = hazard.responsible_staff or hazard.found_by
        subject = _("Overdue hazard: %(customer)s") % {"customer": hazard.customer.name}
        body = _(
            'The hazard "%(category)s" at %(customer)s (severity %(severity)s) passed its rectification '
            "deadline %(deadline)s. Responsible person at the customer: %(person)s %(phone)s."
        ) % {
            "category": hazard.get_category_display(),
            "customer": hazard.customer.name,
            "severity": hazard.get_severity_display(),
            "deadline": hazard.deadline.isoformat(),
            "person": hazard.responsible_person,
            "phone": hazard.responsible_phone,
        }
        if staff is not None:
            result.messages += staff_messages(
                user=staff,
                subject=subject,
                body=body,
                dedup_key=f"hazard-overdue:{hazard.pk}:{staff.pk}",
                related=hazard,
            )
            result.reminded += 1
        if hazard.severity == HazardSeverity.MAJOR:
            _escalate(hazard, body, result)


def _remind_due_soon(today: datetime.date, result: DailyResult) -> None:
    soon = today + datetime.timedelta(days=selectors.remind_days_before(today))
    due_soon = Hazard.objects.select_related("customer", "responsible_staff", "found_by").filter(
        status__in=[HazardStatus.FOUND, HazardStatus.NOTIFIED, HazardStatus.RECTIFYING],
        deadline__gte=today,
        deadline__lte=soon,
    )
    for hazard in due_soon:
        staff = hazard.responsible_staff or hazard.found_by
        if staff is None:
            continue
        enqueue(
            channel="in_app",
            recipient=staff,
            subject=_("Hazard deadline on %(date)s: %(customer)s")
            % {"date": hazard.deadline.isoformat(), "customer": hazard.customer.name},
            body=_('Please follow up the rectification of "%(category)s".')
            % {"category": hazard.get_category_display()},
            dedup_key=f"hazard-due-soon:{hazard.pk}:{hazard.deadline.isoformat()}",
            related=hazard,
        )
        result.reminded += 1
        result.messages += 1


@transaction.atomic
def hazard_daily_run(*, today: datetime.date | None = None) -> DailyResult:
    """Mark overdue hazards, remind the responsible staff, escalate major overdue hazards to the head.

    Safe to run more than once a day: a hazard already overdue is not marked again and every message
    carries a dedup key.
    """
    today = today or timezone.localdate()
    result = DailyResult()
    _mark_overdue(today, result)
    _remind_overdue(result)
    _remind_due_soon(today, result)
    return result
