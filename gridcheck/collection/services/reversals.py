"""Reversals (冲帐) and the month close (月结).

A payment is never edited: it is reversed, on a request with a reason, by the station head's approval
(never the requester's). A request made more days after the receipt than the rule allows
(``collection.reversal_suspicious_after_days``) is flagged suspicious. Approval undoes the payment's
allocations (its bills reopen, the late fee charged with it is no longer paid) and takes back the credit it
left; if that credit was already used the reversal is refused. Once a station's month is closed, no
payment dated in it can be posted or reversed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.collection.choices import DecisionStatus, PaymentStatus, ReceivableStatus
from gridcheck.collection.models import (
    ZERO,
    Account,
    MonthClose,
    Payment,
    PaymentAllocation,
    Receivable,
    Reversal,
)
from gridcheck.collection.services.common import (
    event,
    local_day,
    month_of,
    require,
    require_month_open,
    require_scope,
    require_status,
)
from gridcheck.core.roles import APPROVE_STATION, COLLECT, MANAGE_COLLECTION, has_capability
from gridcheck.core.rules import rule_int


@transaction.atomic
def reversal_request(*, user, payment: Payment, reason: str) -> Reversal:
    """Ask for ``payment`` to be reversed; it waits for the station head's decision (nothing changes yet)."""
    if user is not None and not (has_capability(user, COLLECT) or has_capability(user, MANAGE_COLLECTION)):
        raise PermissionDenied(_("Asking for a reversal needs the collector's rights."))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    require_scope(user, payment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A reversal needs a reason.")})
    require_status(payment, PaymentStatus.POSTED)
    require_month_open(payment.station_id, payment.received_on)
    today = local_day()
    days = max((today - payment.received_on).days, 0)
    limit = rule_int("collection.reversal_suspicious_after_days", payment.received_on)
    reversal = Reversal.objects.create(
        payment=payment,
        station_id=payment.station_id,
        area_id=payment.area_id,
        reason=reason,
        requested_by=user,
        days_after_receipt=days,
        suspicious=days > limit,
    )
    event(reversal, to_status=DecisionStatus.PENDING, actor=user, note=reason)
    before = payment.status
    payment.status = PaymentStatus.REVERSAL_PENDING
    payment.save(update_fields=["status", "updated_at"])
    event(payment, from_status=before, to_status=payment.status, actor=user, note=reason)
    return reversal


def _undo(payment: Payment, user) -> None:
    account = Account.objects.select_for_update().get(customer_id=payment.customer_id)
    if payment.credit_yuan > 0:
        if account.credit_yuan < payment.credit_yuan:
            raise ValidationError(
                _(
                    "The %(credit)s yuan this payment left as credit was already used (%(left)s yuan of credit "
                    "is left): reverse the payments that used it first."
                )
                % {"credit": f"{payment.credit_yuan:.2f}", "left": f"{account.credit_yuan:.2f}"}
            )
        account.credit_yuan -= payment.credit_yuan
        account.save(update_fields=["credit_yuan", "updated_at"])
    allocations = list(PaymentAllocation.objects.filter(payment=payment).order_by("pk"))
    receivables = {
        r.pk: r
        for r in Receivable.objects.select_for_update().filter(pk__in=[a.receivable_id for a in allocations])
    }
    for a in allocations:
        r = receivables[a.receivable_id]
        before = r.status
        r.paid_yuan = max(r.paid_yuan - a.principal_yuan, ZERO)
        r.late_fee_paid_yuan = max(r.late_fee_paid_yuan - a.late_fee_yuan, ZERO)
        if a.late_fee_calculation:
            # The fee was fixed by this payment clearing the principal: it is reckoned again when paid.
            r.late_fee_accrued_yuan, r.late_fee_accrued_on = ZERO, None
            r.late_fee_paid_yuan = ZERO
        if r.paid_yuan < r.amount_yuan or r.late_fee_paid_yuan < r.late_fee_accrued_yuan:
            r.status, r.settled_on = ReceivableStatus.OPEN, None
        r.save()
        if before != r.status:
            event(
                r,
                from_status=before,
                to_status=r.status,
                actor=user,
                note=_("Payment %(n)s reversed.") % {"n": payment.number},
            )


@transaction.atomic
def reversal_decide(*, user, reversal: Reversal, approve: bool, comment: str = "") -> Reversal:
    """The station head's decision; approval undoes the payment (see the module's text)."""
    require(user, APPROVE_STATION, _("Only the station head approves a reversal."))
    reversal = Reversal.objects.select_for_update().select_related("payment").get(pk=reversal.pk)
    require_scope(user, reversal)
    if user is not None and reversal.requested_by_id == user.pk:
        raise PermissionDenied(_("You asked for this reversal: another person approves it."))
    require_status(reversal, DecisionStatus.PENDING)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("A rejection needs a comment.")})
    payment = Payment.objects.select_for_update().get(pk=reversal.payment_id)
    require_month_open(payment.station_id, payment.received_on)
    if approve:
        _undo(payment, user)
    reversal.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    reversal.decided_by, reversal.decided_at, reversal.comment = user, timezone.now(), comment
    reversal.save()
    event(reversal, from_status=DecisionStatus.PENDING, to_status=reversal.status, actor=user, note=comment)
    before = payment.status
    payment.status = PaymentStatus.REVERSED if approve else PaymentStatus.POSTED
    payment.save(update_fields=["status", "updated_at"])
    event(payment, from_status=before, to_status=payment.status, actor=user, note=comment or reversal.reason)
    return reversal


@transaction.atomic
def month_close(*, user, station, month: datetime.date) -> MonthClose:
    """Close ``station``'s collection month: no payment dated in it is posted or reversed any more.

    Refused for a month not yet over, a month already closed, or one with reversals still awaiting a
    decision (decide them first).
    """
    require(user, MANAGE_COLLECTION, _("Closing the collection month needs the collection manager's rights."))
    require_scope(user, station)
    month = month_of(month)
    if month >= month_of(local_day()):
        raise ValidationError(
            {"month": _("The month %(month)s is not over yet.") % {"month": f"{month:%Y-%m}"}}
        )
    if MonthClose.objects.filter(station=station, month=month).exists():
        raise ValidationError(
            {"month": _("The month %(month)s is already closed.") % {"month": f"{month:%Y-%m}"}}
        )
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    pending = Reversal.objects.filter(
        station=station,
        status=DecisionStatus.PENDING,
        payment__received_on__gte=month,
        payment__received_on__lt=next_month,
    ).count()
    if pending:
        raise ValidationError(
            _("%(n)s reversal(s) of payments in %(month)s await a decision: decide them before the close.")
            % {"n": pending, "month": f"{month:%Y-%m}"}
        )
    closed = MonthClose.objects.create(station=station, month=month, closed_by=user, closed_at=timezone.now())
    event(closed, to_status="closed", actor=user, note=f"{station.name} {month:%Y-%m}")
    return closed


__all__ = ["month_close", "require_month_open", "reversal_decide", "reversal_request"]
