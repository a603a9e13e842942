"""Dunning notices (催费): issued on a schedule, on paper (delivered by the area's electrician) or by
SMS/WeChat through the notifications outbox; settled when the arrears are paid.

One notice covers all the customer's overdue bills (``receivables``), states the principal and the late
fee to date (the last accrual) and the day to pay by (``collection.dunning_repeat_days`` from the notice:
when the next one would come). ``sequence`` counts the notices of the same arrears. The payments
engineer's ``payment_post`` (and the nightly job) call ``dunning_settle_paid(customer)``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer
from gridcheck.collection.choices import DunningChannel, DunningStatus, ReceivableStatus
from gridcheck.collection.models import DunningNotice
from gridcheck.collection.selectors.dunning import (
    arrears_of,
    day_start,
    dunning_due,
    notices_of_arrears,
    overdue_receivables,
)
from gridcheck.collection.services.common import event, local_day, next_number, require, require_scope
from gridcheck.core.roles import COLLECT, MANAGE_COLLECTION, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset

#: Issued notices are dated at this local hour when issued for an earlier day (the demo, a catch-up).
BACKDATED_HOUR = 9


def _require_dunning(user) -> None:
    if user is not None and not (has_capability(user, MANAGE_COLLECTION) or has_capability(user, COLLECT)):
        raise PermissionDenied(_("Your role may not issue dunning notices."))


def _sms_channel_for(customer: Customer) -> str:
    if not (customer.phone or "").strip():
        raise ValidationError(
            {
                "channel": _(
                    "Customer %(account)s %(name)s has no phone number in the archive: "
                    "issue a paper notice or record the phone number first."
                )
                % {"account": customer.account_number, "name": customer.name}
            }
        )
    return "sms"


def _queue_message(notice: DunningNotice, customer: Customer, user) -> int:
    """Queue the notice's text to the customer's phone (WeChat goes the same way: the outbox's gateway
    sends it to the phone bound to the account); returns the outbox message's id."""
    from gridcheck.notifications.services import message_enqueue

    _sms_channel_for(customer)
    body = render_to_string(
        "collection/dunning/sms_dunning.txt",
        {"notice": notice, "customer": customer, "station": notice.station},
    ).strip()
    try:
        message = message_enqueue(
            channel="sms",
            recipient=customer.phone.strip(),
            subject=f"催费通知 {notice.number}",
            body=body,
            dedup_key=f"collection.dunning:{notice.pk}",
            related=notice,
            created_by=user,
            station=notice.station,
        )
    except ValidationError:
        raise ValidationError(
            {
                "channel": _(
                    "Customer %(account)s %(name)s: the phone number %(phone)s is not a mobile number."
                )
                % {"account": customer.account_number, "name": customer.name, "phone": customer.phone}
            }
        ) from None
    return message.pk


def _number(on: datetime.date) -> str:
    return next_number(DunningNotice, "number", f"CF{on:%Y%m%d}", width=5)


@transaction.atomic
def dunning_issue(
    *, user, customer: Customer, channel: str, on: datetime.date | None = None
) -> DunningNotice:
    """Issue one dunning notice to ``customer`` for all its overdue bills.

    ``channel`` paper: a printable notice the area's electrician delivers (``dunning_deliver``); sms or
    wechat: queued in the outbox to the customer's phone (refused without one), status sent. ``on`` is
    the notice's day (today by default). Refuses a customer with nothing overdue.
    """
    _require_dunning(user)
    require_scope(user, customer)
    if channel not in DunningChannel.values:
        raise ValidationError({"channel": _("Unknown dunning channel %(channel)s.") % {"channel": channel}})
    today = local_day()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("A dunning notice cannot be dated in the future.")})
    customer = Customer.objects.select_for_update().select_related("station", "area").get(pk=customer.pk)
    receivables = list(
        overdue_receivables(customer, on, min_days=rule_int("collection.dunning_first_after_days", on))
    )
    principal, fee = arrears_of(receivables)
    if not receivables or principal <= 0:
        raise ValidationError(
            _("Customer %(account)s %(name)s has no overdue bill: nothing to dun.")
            % {"account": customer.account_number, "name": customer.name}
        )
    if channel != DunningChannel.PAPER:
        _sms_channel_for(customer)
    sequence = notices_of_arrears(receivables).count() + 1
    notice = DunningNotice(
        customer=customer,
        station_id=customer.station_id,
        area_id=customer.area_id,
        sequence=sequence,
        channel=channel,
        arrears_yuan=principal,
        late_fee_yuan=fee,
        pay_by=on + datetime.timedelta(days=rule_int("collection.dunning_repeat_days", on)),
        status=DunningStatus.ISSUED,
        issued_by=user,
    )
    for _attempt in range(5):
        notice.number = _number(on)
        try:
            with transaction.atomic():
                notice.save()
                break
        except IntegrityError:
            if DunningNotice.objects.filter(number=notice.number).exists():
                notice.pk = None
                continue
            raise
    else:
        raise ValidationError(_("Could not number the dunning notice; try again."))
    if on != today:
        moment = day_start(on) + datetime.timedelta(hours=BACKDATED_HOUR)
        DunningNotice.objects.filter(pk=notice.pk).update(created_at=moment)
        notice.created_at = moment
    notice.receivables.set(receivables)
    note = _(
        "Notice %(sequence)s: arrears %(arrears)s yuan, late fee to date %(fee)s yuan, pay by %(pay_by)s."
    ) % {
        "sequence": sequence,
        "arrears": f"{principal:.2f}",
        "fee": f"{fee:.2f}",
        "pay_by": f"{notice.pay_by:%Y-%m-%d}",
    }
    event(notice, to_status=DunningStatus.ISSUED, actor=user, note=note)
    if channel != DunningChannel.PAPER:
        notice.notification_id = _queue_message(notice, customer, user)
        notice.status = DunningStatus.SENT
        notice.save(update_fields=["notification_id", "status", "updated_at"])
        event(
            notice,
            from_status=DunningStatus.ISSUED,
            to_status=DunningStatus.SENT,
            actor=user,
            note=customer.phone,
        )
    return notice


def may_deliver(user, notice: DunningNotice) -> bool:
    """The area's owner (the area manager, its rural electrician) or a collector of the notice's station."""
    if user is None:
        return True
    area_owner = getattr(notice.area, "owner_id", None)
    if area_owner is not None and area_owner == user.pk:
        return True
    return has_capability(user, COLLECT) and user.station_id == notice.station_id


@transaction.atomic
def dunning_deliver(*, user, notice: DunningNotice, note: str) -> DunningNotice:
    """Record that the paper notice was handed to the customer: who, when, and how (signed by whom)."""
    notice = DunningNotice.objects.select_for_update().select_related("area", "customer").get(pk=notice.pk)
    require(user, COLLECT, _("Your role may not deliver dunning notices."))
    require_scope(user, notice)
    if not may_deliver(user, notice):
        raise PermissionDenied(
            _("Only the area's electrician or a collector of station %(station)s delivers this notice.")
            % {"station": notice.station}
        )
    if notice.channel != DunningChannel.PAPER:
        raise ValidationError(
            _("Notice %(number)s went by SMS: there is nothing to deliver.") % {"number": notice.number}
        )
    if notice.status != DunningStatus.ISSUED:
        raise ValidationError(
            _("Notice %(number)s is %(status)s: its delivery cannot be recorded.")
            % {"number": notice.number, "status": notice.get_status_display()}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Record how the notice was delivered (who signed for it).")})
    notice.delivered_by = user
    notice.delivered_at = timezone.now()
    notice.delivery_note = note[:200]
    notice.status = DunningStatus.DELIVERED
    notice.save(update_fields=["delivered_by", "delivered_at", "delivery_note", "status", "updated_at"])
    event(notice, from_status=DunningStatus.ISSUED, to_status=DunningStatus.DELIVERED, actor=user, note=note)
    return notice


def dunning_issue_due(*, user, station, on: datetime.date | None = None, channel: str | None = None) -> dict:
    """Issue every notice the schedule says is due at ``station`` on ``on`` (the reminder run).

    ``channel`` None: SMS to a customer with a phone number, paper otherwise. Each customer in its own
    transaction: one refusal is reported (``errors``) and does not stop the others. Returns
    ``{"issued": [notice, ...], "errors": [text, ...]}``.
    """
    _require_dunning(user)
    require_scope(user, station)
    on = on or local_day()
    rows = dunning_due(station, on)
    if user is not None:
        rows = scope_queryset(rows, user)
    issued, errors = [], []
    for customer in list(rows):
        use = channel or (DunningChannel.SMS if (customer.phone or "").strip() else DunningChannel.PAPER)
        try:
            issued.append(dunning_issue(user=user, customer=customer, channel=use, on=on))
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(getattr(error, "messages", [str(error)]))
            errors.append(f"{customer.account_number} {customer.name}: {text}")
    return {"issued": issued, "errors": errors}


@transaction.atomic
def dunning_settle_paid(customer: Customer, *, user=None) -> int:
    """Mark settled every notice of ``customer`` whose bills are all paid; returns how many."""
    settled = 0
    notices = (
        DunningNotice.objects.select_for_update()
        .filter(customer=customer)
        .exclude(status=DunningStatus.SETTLED)
    )
    for notice in notices:
        if notice.receivables.filter(status=ReceivableStatus.OPEN).exists():
            continue
        before = notice.status
        notice.status = DunningStatus.SETTLED
        notice.save(update_fields=["status", "updated_at"])
        event(
            notice, from_status=before, to_status=DunningStatus.SETTLED, actor=user, note=_("Arrears paid.")
        )
        settled += 1
    return settled
