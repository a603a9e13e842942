"""Work orders (工单): open, assign two qualified inspectors, close, cancel; the order of a broken seal."""

from __future__ import annotations

import datetime

from django.contrib.humanize.templatetags.humanize import apnumber
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.events import record_transition
from gridcheck.core.rules import rule_int
from gridcheck.inspections.choices import TRANSITIONS, WorkOrderSource, WorkOrderStatus
from gridcheck.inspections.models import Assignment, Campaign, InspectionPlan, WorkOrder, WorkOrderEvent
from gridcheck.inspections.services.common import next_number, save


def _related_ref(related) -> tuple[str, int | None]:
    if related is None:
        return "", None
    if isinstance(related, Model):
        return f"{related._meta.app_label}.{related._meta.model_name}", related.pk
    raise ValidationError(_("The related object must be a saved record."))


#: How far from today a work order's due date may lie, either way [days]: beyond is a typing error
#: (0001-01-01 was accepted).
DUE_WINDOW_DAYS = 366


@transaction.atomic
def work_order_create(
    *,
    source: str,
    customer,
    reason: str,
    created_by=None,
    due_on: datetime.date | None = None,
    related=None,
    plan: InspectionPlan | None = None,
    plan_slot: str = "",
    campaign: Campaign | None = None,
) -> WorkOrder:
    """Open a work order to inspect ``customer``; ``source`` is one of ``WorkOrderSource``.

    ``due_on`` defaults to the rule ``inspections.work_order.due_days`` days from today; ``related`` (any saved
    record: a suspect, an alert, a hazard, a tip-off) is remembered as the order's origin.
    """
    if source not in WorkOrderSource.values:
        raise ValidationError({"source": _("Unknown work order source %(source)s.") % {"source": source}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A work order needs a reason.")})
    today = timezone.localdate()
    window = datetime.timedelta(days=DUE_WINDOW_DAYS)
    if due_on is not None and not (today - window <= due_on <= today + window):
        raise ValidationError({"due_on": _("A work order's due date lies within a year of today.")})
    related_type, related_id = _related_ref(related)
    order = WorkOrder(
        source=source,
        customer=customer,
        station_id=customer.station_id,
        reason=reason.strip(),
        due_on=due_on
        or today + datetime.timedelta(days=rule_int("inspections.work_order.due_days", on=today)),
        related_type=related_type,
        related_id=related_id,
        plan=plan,
        plan_slot=plan_slot,
        campaign=campaign,
        created_by=created_by,
        status=WorkOrderStatus.CREATED,
    )
    prefix = f"GD{today:%Y%m%d}"
    for _attempt in range(5):
        order.number = next_number(WorkOrder, "number", prefix)
        try:
            with transaction.atomic():
                save(order, user=created_by, reason=_("Work order created"))
                record_transition(
                    WorkOrderEvent,
                    order,
                    to_status=WorkOrderStatus.CREATED,
                    actor=created_by,
                    note=_("Work order created"),
                )
                return order
        except IntegrityError:
            if WorkOrder.objects.filter(number=order.number).exists():
                order.pk = None
                continue
            raise
    raise ValidationError(_("Could not number the work order; try again."))


def transition(order: WorkOrder, *, to_status: str, user, reason: str, note: str | None = None) -> WorkOrder:
    """Move ``order`` to ``to_status`` if ``TRANSITIONS`` allows it: saved, and logged as an event."""
    from_status = order.status
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            _("A work order cannot go from %(from)s to %(to)s.")
            % {"from": order.get_status_display(), "to": WorkOrderStatus(to_status).label}
        )
    order.status = to_status
    save(order, user=user, reason=reason)
    record_transition(
        WorkOrderEvent, order, from_status=from_status, to_status=to_status, actor=user, note=note or reason
    )
    return order


def assignment_problems(*, work_order: WorkOrder, inspectors, visit_date: datetime.date) -> list[str]:
    """Why ``inspectors`` may not be sent to ``work_order`` on ``visit_date`` (empty: they may)."""
    people = list({p.pk: p for p in inspectors}.values())
    problems = []
    minimum = rule_int("inspections.visit.min_inspectors", on=visit_date)
    if len(people) < minimum:
        problems.append(
            _("An inspection needs at least %(min)s inspectors; %(n)s chosen.")
            % {"min": apnumber(minimum), "n": len(people)}
        )
    for person in people:
        if person.station_id is not None and person.station_id != work_order.station_id:
            # Named by the id that was sent, never by name, station or certificate: another station's
            # staff are not the requester's to learn about.
            problems.append(
                _("Staff member #%(id)s is not on the staff of the work order's station.") % {"id": person.pk}
            )
            continue
        banned = person.disqualification_on(visit_date)
        if banned is not None:
            problems.append(
                _("%(who)s is removed from inspection duties until %(date)s (failed yearly evaluation).")
                % {"who": person, "date": banned.ends_on.isoformat()}
            )
            continue
        if person.valid_qualification_on(visit_date) is None:
            latest = person.qualifications.order_by("-expires_on").first()
            if latest is None:
                problems.append(_("%(who)s has no inspection qualification.") % {"who": person})
            else:
                problems.append(
                    _(
                        "%(who)s's qualification %(number)s is not valid on %(date)s (valid %(from)s to %(to)s)."
                    )
                    % {
                        "who": person,
                        "number": latest.certificate_number,
                        "date": visit_date.isoformat(),
                        "from": latest.issued_on.isoformat(),
                        "to": latest.expires_on.isoformat(),
                    }
                )
    return problems


@transaction.atomic
def work_order_assign(
    *, work_order: WorkOrder, inspectors, visit_date: datetime.date, assigned_by
) -> WorkOrder:
    """Send two or more inspectors of the work order's station, each qualified on ``visit_date``.

    Refuses (``ValidationError`` listing every reason) with fewer inspectors than the rule
    ``inspections.visit.min_inspectors`` (two), an inspector whose
    qualification is missing or not valid on the visit date, or an inspector of another station.
    Reassigning replaces the previous inspectors.
    """
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    people = list({p.pk: p for p in inspectors}.values())
    problems = assignment_problems(work_order=work_order, inspectors=people, visit_date=visit_date)
    if problems:
        raise ValidationError(problems)
    if WorkOrderStatus.ASSIGNED not in TRANSITIONS.get(work_order.status, ()):
        raise ValidationError(
            _("A %(status)s work order cannot be assigned.") % {"status": work_order.get_status_display()}
        )
    work_order.assignments.all().delete()
    for person in people:
        Assignment.objects.create(
            work_order=work_order,
            inspector=person,
            qualification=person.valid_qualification_on(visit_date),
            assigned_by=assigned_by,
        )
    work_order.visit_date = visit_date
    names = "、".join(str(p) for p in people)
    transition(
        work_order,
        to_status=WorkOrderStatus.ASSIGNED,
        user=assigned_by,
        reason=_("Assigned to %(names)s") % {"names": names},
    )
    _notify_assignees(work_order=work_order, people=people, assigned_by=assigned_by)
    return work_order


def _notify_assignees(*, work_order: WorkOrder, people, assigned_by) -> None:
    """Tell each inspector sent (once per work order, inspector and visit date): in-app, and by e-mail
    or SMS where they chose it for work orders (``notifications.services.notify_people``)."""
    from django.urls import reverse

    from gridcheck.notifications.choices import NotificationKind
    from gridcheck.notifications.services import notify_people

    notify_people(
        people,
        subject=_("Work order %(n)s: visit on %(date)s")
        % {"n": work_order.number, "date": work_order.visit_date.isoformat()},
        body=_("%(customer)s, %(address)s. %(reason)s Field visit page: %(url)s")
        % {
            "customer": work_order.customer,
            "address": work_order.customer.address,
            "reason": work_order.reason,
            "url": reverse("inspections:visit", args=[work_order.pk]),
        },
        key=f"inspections:assign:{work_order.pk}:{work_order.visit_date.isoformat()}",
        related=work_order,
        created_by=assigned_by,
        station=work_order.station,
        kind=NotificationKind.WORK_ORDERS,
    )


@transaction.atomic
def work_order_close(*, work_order: WorkOrder, user, outcome: str = "") -> WorkOrder:
    """Close a visited work order with its outcome."""
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    work_order.outcome = outcome
    work_order.closed_at = timezone.now()
    work_order = transition(
        work_order, to_status=WorkOrderStatus.CLOSED, user=user, reason=_("Work order closed")
    )
    from gridcheck.inspections.signals import work_order_closed

    work_order_closed.send(sender=WorkOrder, work_order=work_order, user=user)
    return work_order


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, user, reason: str) -> WorkOrder:
    """Cancel an open work order; the reason is required."""
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the work order is cancelled.")})
    work_order.outcome = reason.strip()
    work_order.closed_at = timezone.now()
    return transition(
        work_order,
        to_status=WorkOrderStatus.CANCELLED,
        user=user,
        reason=_("Cancelled: %(r)s") % {"r": reason},
        note=reason.strip(),
    )


@transaction.atomic
def work_order_correct(*, work_order: WorkOrder, user, due_on: datetime.date, reason: str) -> WorkOrder:
    """Correct the due date of a work order not yet visited (created or assigned), with a reason.

    The inspectors are corrected by assigning again (``work_order_assign``: still two qualified). The
    change is in the order's history and its event log (same status, the old and new date in the note).
    """
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if (
        work_order.status not in (WorkOrderStatus.CREATED, WorkOrderStatus.ASSIGNED)
        or work_order.visits.exists()
    ):
        raise ValidationError(
            _("A %(status)s work order can no longer be corrected.")
            % {"status": work_order.get_status_display()}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the work order is corrected.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Enter the new due date.")})
    today = timezone.localdate()
    window = datetime.timedelta(days=DUE_WINDOW_DAYS)
    if not (today - window <= due_on <= today + window):
        raise ValidationError({"due_on": _("A work order's due date lies within a year of today.")})
    if due_on == work_order.due_on:
        raise ValidationError({"due_on": _("This is the work order's present due date.")})
    before = work_order.due_on
    work_order.due_on = due_on
    note = _("Due date corrected from %(old)s to %(new)s: %(reason)s") % {
        "old": before.isoformat() if before else "—",
        "new": due_on.isoformat(),
        "reason": reason.strip(),
    }
    save(work_order, user=user, reason=note)
    record_transition(
        WorkOrderEvent,
        work_order,
        from_status=work_order.status,
        to_status=work_order.status,
        actor=user,
        note=note,
    )
    return work_order


def broken_seal_work_order(
    sender, *, seal_break, customer, reason: str, due_on, reported_by, **kwargs
) -> WorkOrder:
    """Receiver of ``seals.signals.seal_found_broken``: open the work order of a seal found broken and
    record it on the break (``registrations`` connects it)."""
    order = work_order_create(
        source=WorkOrderSource.SEAL,
        customer=customer,
        reason=reason,
        created_by=reported_by,
        due_on=due_on,
        related=seal_break.seal,
    )
    seal_break.work_order = order
    seal_break.save(update_fields=["work_order", "updated_at"])
    return order


def work_orders_overdue_notify(*, today: datetime.date | None = None) -> dict:
    """The daily job: tell the assignees and the station head of every open work order whose due date
    (``due_on``, itself set from the rule ``inspections.work_order.due_days``) has passed.

    Once per work order and due date (a later run tells nobody again; a corrected due date that passes
    too is a new overdue). Returns ``{"overdue": n, "told": people told}``.
    """
    from django.urls import reverse

    from gridcheck.inspections.choices import OPEN_STATUSES
    from gridcheck.notifications.choices import NotificationKind
    from gridcheck.notifications.services import notify_people
    from gridcheck.users.selectors import station_heads

    today = today or timezone.localdate()
    orders = (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .select_related("customer", "station")
        .prefetch_related("assignees")
        .order_by("due_on", "pk")
    )
    overdue = told = 0
    for order in orders.iterator(chunk_size=200):
        overdue += 1
        days = (today - order.due_on).days
        people = {p.pk: p for p in order.assignees.all() if p.is_active}
        people.update({p.pk: p for p in station_heads(order.station_id)})
        told += notify_people(
            people.values(),
            subject=_("Work order %(n)s is %(days)s days overdue") % {"n": order.number, "days": days},
            body=_("%(customer)s: due on %(due)s, still %(status)s. %(url)s")
            % {
                "customer": order.customer,
                "due": order.due_on.isoformat(),
                "status": order.get_status_display(),
                "url": reverse("inspections:workorder_detail", args=[order.pk]),
            },
            key=f"inspections:workorder:{order.pk}:overdue:{order.due_on.isoformat()}",
            related=order,
            station=order.station,
            kind=NotificationKind.WORK_ORDERS,
        )
    return {"overdue": overdue, "told": told}
