"""Monthly inspection plans (月度检查计划): patrols by class and periodic inspections as work orders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridcheck.core.periods import month_bounds
from gridcheck.core.rules import rule_value
from gridcheck.inspections.choices import PlanStatus, WorkOrderSource
from gridcheck.inspections.models import InspectionPlan
from gridcheck.inspections.services.common import save
from gridcheck.inspections.services.work_orders import work_order_create

#: The inspection periods a patrol rule may name: the rule table's ``inspections.patrol.*`` values.
PERIODS = ("week", "month", "quarter")


@dataclass
class PlanSlot:
    """One planned inspection: a customer in a slot of the month (``W1``..``W6``, ``M``, ``Q``, ``R``)."""

    customer: object
    slot: str
    due_on: datetime.date
    reason: str


def _weeks(first: datetime.date, last: datetime.date) -> list[tuple[int, datetime.date]]:
    """The weeks of a month, numbered from 1: each one's due date (its Sunday, or the month's last day)."""
    weeks = []
    start = first
    n = 1
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        weeks.append((n, end))
        start = end + datetime.timedelta(days=1)
        n += 1
    return weeks


def _due_in_month(period: str, customer, first: datetime.date, last: datetime.date, weeks) -> list:
    """``(week number or None, due date)`` of each inspection of ``period`` that falls in the month.

    Weekly: one per calendar week of the month, due on its Sunday; monthly: one, due on the month's last
    day; quarterly: one in the quarter, spread over its three months by customer id (``pk % 3`` picks the
    month), due at the end of that month.
    """
    if period == "week":
        return list(weeks)
    if period == "month":
        return [(None, last)]
    if period == "quarter":
        return [(None, last)] if customer.pk % 3 == (first.month - 1) % 3 else []
    raise ValueError(f"unknown inspection period {period!r}; one of {', '.join(PERIODS)}")


def _patrol_reason(inspection_class: str, period: str, week: int | None) -> str:
    if period == "week":
        return _("Class %(cls)s weekly anti-theft patrol, week %(n)s") % {"cls": inspection_class, "n": week}
    if period == "month":
        return _("Class %(cls)s monthly anti-theft patrol") % {"cls": inspection_class}
    return _("Class %(cls)s quarterly anti-theft patrol") % {"cls": inspection_class}


def plan_slots(*, station, month: datetime.date) -> list[PlanSlot]:
    """The periodic inspections a station owes in ``month``, by the rules in force that month.

    - anti-theft patrols by class (``inspections.patrol.class_a`` / ``_b`` / ``_c``: A weekly, B monthly,
      C quarterly), slots ``W1``.., ``M`` and ``Q``;
    - high-risk and important customers: a periodic safety inspection (``inspections.patrol.high_risk``:
      monthly), slot ``R``, when their class does not already bring a visit that month.
    """
    from gridcheck.archive.models import Customer

    first, last = month_bounds(month)
    weeks = _weeks(first, last)
    periods = {
        cls: rule_value(f"inspections.patrol.class_{cls.lower()}", on=first) for cls in ("A", "B", "C")
    }
    high_risk_period = rule_value("inspections.patrol.high_risk", on=first)
    codes = {"week": "W", "month": "M", "quarter": "Q"}
    slots = []
    customers = Customer.objects.filter(station=station, status="active").order_by("account_number")
    for customer in customers.iterator():
        period = periods.get(customer.inspection_class)
        planned = False
        if period is not None:
            for week, due in _due_in_month(period, customer, first, last, weeks):
                code = f"{codes[period]}{week or ''}"
                reason = _patrol_reason(customer.inspection_class, period, week)
                slots.append(PlanSlot(customer, code, due, reason))
                planned = True
        if (customer.is_high_risk or customer.is_important) and not planned:
            for week, due in _due_in_month(high_risk_period, customer, first, last, weeks):
                reason = _("Periodic inspection of a high-risk or important customer")
                slots.append(PlanSlot(customer, f"R{week or ''}", due, reason))
    return slots


@dataclass
class PlanResult:
    plan: InspectionPlan
    created: int
    existing: int


@transaction.atomic
def plan_generate(*, station, month: datetime.date, created_by=None) -> PlanResult:
    """Generate (or complete) a station's monthly plan and its work orders; running it twice adds nothing."""
    first, _last = month_bounds(month)
    plan = InspectionPlan.objects.filter(station=station, month=first).first()
    if plan is None:
        plan = save(
            InspectionPlan(station=station, month=first, created_by=created_by, status=PlanStatus.DRAFT),
            user=created_by,
            reason=_("Plan generated"),
        )
    elif plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("The plan of %(month)s is closed.") % {"month": f"{first:%Y-%m}"})
    have = set(plan.work_orders.values_list("customer_id", "plan_slot"))
    created = existing = 0
    for slot in plan_slots(station=station, month=first):
        if (slot.customer.pk, slot.slot) in have:
            existing += 1
            continue
        work_order_create(
            source=WorkOrderSource.PLAN,
            customer=slot.customer,
            reason=slot.reason,
            created_by=created_by,
            due_on=slot.due_on,
            plan=plan,
            plan_slot=slot.slot,
        )
        created += 1
    return PlanResult(plan=plan, created=created, existing=existing)


@transaction.atomic
def plan_publish(*, plan: InspectionPlan, user) -> InspectionPlan:
    """Publish a draft plan: its work orders are now the station's to dispatch."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be published."))
    plan.status = PlanStatus.PUBLISHED
    return save(plan, user=user, reason=_("Plan published"))


@transaction.atomic
def plan_close(*, plan: InspectionPlan, user) -> InspectionPlan:
    """Close a month's plan (its summary is final)."""
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("The plan is already closed."))
    plan.status = PlanStatus.CLOSED
    return save(plan, user=user, reason=_("Work order closed"))
