"""Tip-offs (举报): the confidential register, its work order, conclusion and reward."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.rules import rule_int
from gridcheck.inspections.choices import TipOffStatus, WorkOrderSource
from gridcheck.inspections.models import TipOff, WorkOrder
from gridcheck.inspections.services.common import next_number, save
from gridcheck.inspections.services.work_orders import work_order_create


@transaction.atomic
def tipoff_create(
    *,
    station,
    channel: str,
    description: str,
    received_by,
    reporter_name: str = "",
    reporter_phone: str = "",
    customer=None,
    address: str = "",
    received_at: datetime.datetime | None = None,
) -> TipOff:
    """Register a tip-off; with the customer known, a work order due by the visit deadline is opened.

    The deadline is the rule ``inspections.tipoff.visit_hours`` (24 h) after ``received_at``. The work order's reason
    never names the reporter.
    """
    if customer is not None and customer.station_id != station.pk:
        raise ValidationError({"customer": _("The customer belongs to another station.")})
    received_at = received_at or timezone.now()
    tipoff = TipOff(
        station=station,
        channel=channel,
        description=(description or "").strip(),
        received_by=received_by,
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        customer=customer,
        address=address.strip() or (customer.address if customer else ""),
        received_at=received_at,
        visit_deadline=received_at
        + datetime.timedelta(
            hours=rule_int("inspections.tipoff.visit_hours", on=timezone.localtime(received_at).date())
        ),
        status=TipOffStatus.RECEIVED,
    )
    tipoff.number = next_number(TipOff, "number", f"JB{timezone.localtime(received_at):%Y%m}")
    save(tipoff, user=received_by, reason=_("Tip-off received"))
    if customer is not None:
        _tipoff_work_order(tipoff=tipoff, user=received_by)
    _tell_dispatchers(tipoff, user=received_by)
    return tipoff


def _tell_dispatchers(tipoff: TipOff, *, user) -> None:
    """The hand-over: whoever dispatches at the station is told a tip-off waits (reporter not named)."""
    from gridcheck.core.roles import DISPATCH
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import people_who_may

    notify_people(
        people_who_may(DISPATCH, station_id=tipoff.station_id, exclude=[user]),
        subject=_("Tip-off %(number)s received: visit by %(deadline)s")
        % {
            "number": tipoff.number,
            "deadline": f"{timezone.localtime(tipoff.visit_deadline):%Y-%m-%d %H:%M}",
        },
        body=_("%(address)s. Page: %(url)s") % {"address": tipoff.address, "url": tipoff.get_absolute_url()},
        key=f"inspections:tipoff:{tipoff.pk}:received",
        related=tipoff,
        created_by=user,
        station=tipoff.station,
    )


def _tipoff_work_order(*, tipoff: TipOff, user) -> WorkOrder:
    order = work_order_create(
        source=WorkOrderSource.TIPOFF,
        customer=tipoff.customer,
        reason=_("Tip-off %(number)s: %(text)s") % {"number": tipoff.number, "text": tipoff.description},
        created_by=user,
        due_on=timezone.localtime(tipoff.visit_deadline).date(),
        related=tipoff,
    )
    tipoff.work_order = order
    save(tipoff, user=user, reason=_("Work order %(n)s opened") % {"n": order.number})
    return order


@transaction.atomic
def tipoff_conclude(*, tipoff: TipOff, status: str, outcome: str, user) -> TipOff:
    """Record whether the tip-off was proven or unfounded, or close it."""
    if status not in (TipOffStatus.PROVEN, TipOffStatus.UNFOUNDED, TipOffStatus.CLOSED):
        raise ValidationError(_("Unknown status."))
    tipoff.status = status
    tipoff.outcome = (outcome or "").strip()
    return save(tipoff, user=user, reason=TipOffStatus(status).label)


@transaction.atomic
def tipoff_reward_record(
    *, tipoff: TipOff, amount_yuan, user, paid_on: datetime.date | None = None
) -> TipOff:
    """Set the reporter's reward and, when paid, the day it was paid; only a proven tip-off earns one."""
    if tipoff.status not in (TipOffStatus.PROVEN, TipOffStatus.CLOSED):
        raise ValidationError(_("Only a proven tip-off earns a reward."))
    tipoff.reward_amount_yuan = amount_yuan
    tipoff.reward_paid_on = paid_on
    return save(tipoff, user=user, reason=_("Reward recorded"))
