"""Disconnection for arrears (欠费停电) and the reconnection after payment.

The law (电力供应与使用条例 第三十九条): arrears overdue more than ``collection.disconnection_min_overdue_days``
days and dunned at least ``collection.disconnection_min_notices`` times. The station head approves
(``approve_station``, never the proposer); an important or high-risk customer also needs the county
(``approve_county``, a county-level user, neither the proposer nor the station approver) — without it
nothing is served, ordered or cut. On the final approval the disconnection notice is served (供电营业规则
第六十七条): cutting waits ``collection.disconnection_notice_days.residential``/``.other`` days and the
customer is reminded ``collection.disconnection_reminder_hours`` hours before. Cutting and reconnecting
are inspections work orders. When the arrears are paid, ``disconnection_reconnect_if_paid(customer)``
(called after a payment and by the nightly job) cancels a proposal not yet cut, or orders the
reconnection of a cut customer.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.choices import CustomerCategory
from gridcheck.archive.models import Customer
from gridcheck.collection.choices import DisconnectionStatus as S
from gridcheck.collection.models import Disconnection
from gridcheck.collection.selectors.dunning import (
    BEFORE_CUT,
    arrears_of,
    open_disconnection,
    open_receivables,
    overdue_receivables,
)
from gridcheck.collection.services.common import event, local_day, next_number, require, require_scope
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, MANAGE_COLLECTION, is_county_level
from gridcheck.core.rules import rule_int
from gridcheck.inspections.choices import WorkOrderSource

#: The work order source of a disconnection or reconnection.
WORK_ORDER_SOURCE = WorkOrderSource.ARREARS


def _who(customer) -> dict:
    return {"account": customer.account_number, "name": customer.name}


def _lock(disconnection: Disconnection) -> Disconnection:
    return (
        Disconnection.objects.select_for_update()
        .select_related("customer", "station", "area")
        .get(pk=disconnection.pk)
    )


def _move(disconnection: Disconnection, to_status: str, *, user, note: str = "", fields=()) -> Disconnection:
    before = disconnection.status
    disconnection.status = to_status
    disconnection.save(update_fields=["status", "updated_at", *fields])
    event(disconnection, from_status=before, to_status=to_status, actor=user, note=note)
    return disconnection


def _queue_sms(disconnection: Disconnection, template: str, key: str, user, **extra) -> int | None:
    """Queue a text to the customer's phone (none without a valid mobile number: the paper notice goes)."""
    from gridcheck.notifications.services import message_enqueue

    customer = disconnection.customer
    if not (customer.phone or "").strip():
        return None
    body = render_to_string(
        template,
        {"disconnection": disconnection, "customer": customer, "station": disconnection.station, **extra},
    ).strip()
    try:
        message = message_enqueue(
            channel="sms",
            recipient=customer.phone.strip(),
            subject=f"欠费停电通知 {disconnection.number}",
            body=body,
            dedup_key=f"collection.disconnection:{disconnection.pk}:{key}",
            related=disconnection,
            created_by=user,
            station=disconnection.station,
        )
    except ValidationError:
        return None
    return message.pk


def has_arrears(customer) -> bool:
    """Whether ``customer`` still owes a bill past its due date (a bill not yet due is no arrears)."""
    return overdue_receivables(customer, local_day(), min_days=1).exists()


def notice_days(customer: Customer, on: datetime.date) -> int:
    """Days between serving the disconnection notice and the earliest cut (供电营业规则 第六十七条)."""
    kind = "residential" if customer.category == CustomerCategory.RESIDENTIAL else "other"
    return rule_int(f"collection.disconnection_notice_days.{kind}", on)


@transaction.atomic
def disconnection_propose(
    *, user, customer: Customer, reason: str, on: datetime.date | None = None
) -> Disconnection:
    """Propose disconnecting ``customer`` for arrears (manage_collection).

    Refused unless an open bill is overdue more than the legal days and was dunned at least the
    station's number of times; refused while another disconnection of the customer is in progress.
    """
    require(user, MANAGE_COLLECTION, _("Your role may not propose disconnections for arrears."))
    require_scope(user, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the disconnection.")})
    on = on or local_day()
    if open_disconnection(customer) is not None:
        raise ValidationError(
            _("Customer %(account)s %(name)s already has a disconnection for arrears in progress.")
            % _who(customer)
        )
    min_days = rule_int("collection.disconnection_min_overdue_days", on)
    min_notices = rule_int("collection.disconnection_min_notices", on)
    receivables = list(open_receivables(customer))
    long_overdue = [r for r in receivables if (on - r.due_date).days > min_days]
    if not long_overdue:
        raise ValidationError(
            _(
                "Customer %(account)s %(name)s: no bill is overdue more than %(days)s days. A disconnection for "
                "arrears needs arrears overdue more than %(days)s days that remain unpaid after dunning "
                "(Regulations on Electricity Supply and Use, art. 39)."
            )
            % {**_who(customer), "days": min_days}
        )
    dunned = [r for r in long_overdue if r.dunning_notices.count() >= min_notices]
    if not dunned:
        raise ValidationError(
            _(
                "Customer %(account)s %(name)s: fewer than %(n)s dunning notices were issued for the bills "
                "overdue more than %(days)s days. Dun the customer again first (station rule "
                "collection.disconnection_min_notices; art. 39: unpaid after dunning)."
            )
            % {**_who(customer), "n": min_notices, "days": min_days}
        )
    principal, _fee = arrears_of(receivables)
    disconnection = Disconnection(
        customer=customer,
        station_id=customer.station_id,
        area_id=customer.area_id,
        arrears_yuan=principal,
        reason=reason,
        status=S.PROPOSED,
        needs_county=bool(customer.is_important or customer.is_high_risk),
        proposed_by=user,
    )
    for _attempt in range(5):
        disconnection.number = next_number(Disconnection, "number", f"TD{on:%Y%m%d}", width=4)
        try:
            with transaction.atomic():
                disconnection.save()
                break
        except IntegrityError:
            if Disconnection.objects.filter(number=disconnection.number).exists():
                disconnection.pk = None
                continue
            raise
    else:
        raise ValidationError(_("Could not number the disconnection; try again."))
    note = _("Arrears %(arrears)s yuan. %(reason)s") % {"arrears": f"{principal:.2f}", "reason": reason}
    if disconnection.needs_county:
        note += " " + _("Important or high-risk customer: the county approves as well.")
    event(disconnection, to_status=S.PROPOSED, actor=user, note=note)
    return disconnection


def _cancel_if_paid(disconnection: Disconnection, *, user) -> bool:
    """Cancel a proposal not yet cut whose arrears are all paid (and its open work order); True if so."""
    if disconnection.status not in BEFORE_CUT or has_arrears(disconnection.customer):
        return False
    if disconnection.work_order_id:
        from gridcheck.inspections.services.work_orders import work_order_cancel

        order = disconnection.work_order
        if order.status not in ("closed", "cancelled"):
            work_order_cancel(work_order=order, user=user, reason=_("The arrears were paid before cutting."))
    _move(disconnection, S.CANCELLED, user=user, note=_("The arrears were paid before cutting."))
    return True


def _serve_notice(
    disconnection: Disconnection, *, user, on: datetime.date, comment: str = ""
) -> Disconnection:
    days = notice_days(disconnection.customer, on)
    disconnection.notice_served_on = on
    disconnection.cut_not_before = on + datetime.timedelta(days=days)
    disconnection.reminder_on = disconnection.cut_not_before
    note = _(
        "Disconnection notice served on %(served)s: not cut before %(cut)s (%(days)s days, Rules of Electricity "
        "Supply Business, art. 67); reminder %(hours)s hour(s) before cutting."
    ) % {
        "served": f"{on:%Y-%m-%d}",
        "cut": f"{disconnection.cut_not_before:%Y-%m-%d}",
        "days": days,
        "hours": rule_int("collection.disconnection_reminder_hours", on),
    }
    if comment:
        note = f"{comment}\n{note}"
    _move(
        disconnection,
        S.APPROVED,
        user=user,
        note=note,
        fields=("notice_served_on", "cut_not_before", "reminder_on"),
    )
    _queue_sms(disconnection, "collection/dunning/sms_disconnection.txt", "notice", user)
    return disconnection


@transaction.atomic
def disconnection_approve(
    *, user, disconnection: Disconnection, approve: bool, comment: str = "", on: datetime.date | None = None
) -> Disconnection:
    """Decide a proposal: the station head first, then (important/high-risk customer) the county.

    Never the proposer; the county's decision never by the station approver. A rejection needs a comment.
    Arrears paid meanwhile cancel the proposal instead.
    """
    disconnection = _lock(disconnection)
    comment = (comment or "").strip()
    if disconnection.status == S.PROPOSED:
        require(user, APPROVE_STATION, _("Your role may not approve disconnections for arrears."))
    elif disconnection.status == S.COUNTY_PENDING:
        require(
            user,
            APPROVE_COUNTY,
            _("Only the county approves the disconnection of an important or high-risk customer."),
        )
        if user is not None and not (is_county_level(user) or user.is_superuser):
            raise PermissionDenied(
                _("Only the county approves the disconnection of an important or high-risk customer.")
            )
    else:
        raise ValidationError(
            _("Disconnection %(number)s is %(status)s: there is nothing to decide.")
            % {"number": disconnection.number, "status": disconnection.get_status_display()}
        )
    require_scope(user, disconnection)
    if user is not None and user.pk == disconnection.proposed_by_id:
        raise PermissionDenied(_("You proposed this disconnection: someone else decides it."))
    if (
        user is not None
        and disconnection.status == S.COUNTY_PENDING
        and user.pk == disconnection.approved_by_id
    ):
        raise PermissionDenied(_("You approved it for the station: the county's approval is someone else's."))
    if not approve and not comment:
        raise ValidationError({"comment": _("A rejection needs a comment.")})
    if _cancel_if_paid(disconnection, user=user):
        return disconnection
    on = on or local_day()
    now = timezone.now()
    if not approve:
        return _move(disconnection, S.REJECTED, user=user, note=comment)
    if disconnection.status == S.PROPOSED:
        disconnection.approved_by, disconnection.approved_at = user, now
        if disconnection.needs_county:
            note = comment or _("Approved by the station; the county approves as well.")
            return _move(
                disconnection, S.COUNTY_PENDING, user=user, note=note, fields=("approved_by", "approved_at")
            )
        disconnection.save(update_fields=["approved_by", "approved_at"])
    else:
        disconnection.county_approved_by, disconnection.county_approved_at = user, now
        disconnection.save(update_fields=["county_approved_by", "county_approved_at"])
    return _serve_notice(disconnection, user=user, on=on, comment=comment)


def _require_county_done(disconnection: Disconnection) -> None:
    if disconnection.needs_county and disconnection.county_approved_by_id is None:
        raise PermissionDenied(
            _(
                "Customer %(account)s %(name)s is important or high-risk: never disconnected without the county's approval."
            )
            % _who(disconnection.customer)
        )


@transaction.atomic
def disconnection_order(
    *, user, disconnection: Disconnection, on: datetime.date | None = None
) -> Disconnection:
    """Open the cutting work order, from the day the notice period ends (refused before it)."""
    from gridcheck.inspections.services.work_orders import work_order_create

    require(user, MANAGE_COLLECTION, _("Your role may not order disconnections."))
    disconnection = _lock(disconnection)
    require_scope(user, disconnection)
    if _cancel_if_paid(disconnection, user=user):
        return disconnection
    if disconnection.status != S.APPROVED:
        raise ValidationError(
            _("Disconnection %(number)s is %(status)s: it cannot be ordered.")
            % {"number": disconnection.number, "status": disconnection.get_status_display()}
        )
    _require_county_done(disconnection)
    if disconnection.work_order_id:
        raise ValidationError(
            _("The work order %(order)s was already opened.") % {"order": disconnection.work_order.number}
        )
    on = on or local_day()
    if disconnection.cut_not_before is None or on < disconnection.cut_not_before:
        raise ValidationError(
            _(
                "The notice period runs until %(date)s: the customer may not be cut before then "
                "(Rules of Electricity Supply Business, art. 67)."
            )
            % {"date": f"{disconnection.cut_not_before:%Y-%m-%d}" if disconnection.cut_not_before else "—"}
        )
    hours = rule_int("collection.disconnection_reminder_hours", on)
    reason = _(
        "Disconnection for arrears %(number)s: customer %(account)s %(name)s owes %(arrears)s yuan. "
        "Remind the customer %(hours)s hour(s) before cutting; do not cut if the arrears are paid."
    ) % {
        "number": disconnection.number,
        **_who(disconnection.customer),
        "arrears": f"{disconnection.arrears_yuan:.2f}",
        "hours": hours,
    }
    order = work_order_create(
        source=WORK_ORDER_SOURCE,
        customer=disconnection.customer,
        reason=reason,
        created_by=user,
        due_on=on,
        related=disconnection,
    )
    disconnection.work_order = order
    disconnection.save(update_fields=["work_order", "updated_at"])
    event(disconnection, from_status=S.APPROVED, to_status=S.APPROVED, actor=user, note=order.number)
    return disconnection


@transaction.atomic
def disconnection_execute(*, user, disconnection: Disconnection, note: str = "") -> Disconnection:
    """Record the cut (after the work order was opened and the notice period ran out)."""
    require(user, MANAGE_COLLECTION, _("Your role may not record disconnections."))
    disconnection = _lock(disconnection)
    require_scope(user, disconnection)
    if _cancel_if_paid(disconnection, user=user):
        return disconnection
    if disconnection.status != S.APPROVED or not disconnection.work_order_id:
        raise ValidationError(_("Open the disconnection work order first."))
    _require_county_done(disconnection)
    if local_day() < disconnection.cut_not_before:
        raise ValidationError(
            _("The notice period runs until %(date)s: the customer may not be cut before then.")
            % {"date": f"{disconnection.cut_not_before:%Y-%m-%d}"}
        )
    disconnection.executed_at, disconnection.executed_by = timezone.now(), user
    return _move(
        disconnection,
        S.EXECUTED,
        user=user,
        note=note or disconnection.work_order.number,
        fields=("executed_at", "executed_by"),
    )


@transaction.atomic
def disconnection_reconnect_if_paid(customer: Customer, *, user=None) -> Disconnection | None:
    """After a payment: a proposal of a customer with nothing unpaid is cancelled, a cut customer's
    reconnection is ordered (a second work order). Returns the disconnection changed, or None."""
    from gridcheck.inspections.services.work_orders import work_order_create

    disconnection = open_disconnection(customer)
    if disconnection is None:
        return None
    disconnection = _lock(disconnection)
    if has_arrears(disconnection.customer):
        return None
    if _cancel_if_paid(disconnection, user=user):
        return disconnection
    if disconnection.status != S.EXECUTED:
        return None
    reason = _(
        "Reconnection after payment %(number)s: customer %(account)s %(name)s has paid the arrears."
    ) % {
        "number": disconnection.number,
        **_who(disconnection.customer),
    }
    order = work_order_create(
        source=WORK_ORDER_SOURCE,
        customer=disconnection.customer,
        reason=reason,
        created_by=user,
        due_on=local_day(),
        related=disconnection,
    )
    disconnection.reconnect_work_order = order
    disconnection.reconnect_ordered_at = timezone.now()
    return _move(
        disconnection,
        S.RECONNECT_ORDERED,
        user=user,
        note=order.number,
        fields=("reconnect_work_order", "reconnect_ordered_at"),
    )


@transaction.atomic
def disconnection_reconnected(*, user, disconnection: Disconnection, note: str = "") -> Disconnection:
    """Record that the supply was restored."""
    require(user, MANAGE_COLLECTION, _("Your role may not record reconnections."))
    disconnection = _lock(disconnection)
    require_scope(user, disconnection)
    if disconnection.status != S.RECONNECT_ORDERED:
        raise ValidationError(
            _("Disconnection %(number)s is %(status)s: there is no reconnection to record.")
            % {"number": disconnection.number, "status": disconnection.get_status_display()}
        )
    disconnection.reconnected_at, disconnection.reconnected_by = timezone.now(), user
    return _move(
        disconnection, S.RECONNECTED, user=user, note=note, fields=("reconnected_at", "reconnected_by")
    )


def disconnection_remind_due(*, on: datetime.date | None = None) -> int:
    """Queue the reminder before cutting for each approved disconnection whose day has come (the job);
    each once (the outbox's deduplication key). Returns how many were queued."""
    from gridcheck.collection.selectors.dunning import disconnections_to_remind

    on = on or local_day()
    queued = 0
    for disconnection in disconnections_to_remind(on).select_related("customer", "station"):
        hours = rule_int("collection.disconnection_reminder_hours", on)
        if _queue_sms(
            disconnection, "collection/dunning/sms_disconnection_reminder.txt", "reminder", None, hours=hours
        ):
            queued += 1
    return queued
