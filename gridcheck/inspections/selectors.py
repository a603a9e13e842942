"""Selectors of the inspections app: who may do what, and what a user may see."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.roles import DISPATCH, FIELD_WORK, SEE_REPORTER, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.inspections.choices import OPEN_STATUSES, WorkOrderStatus
from gridcheck.inspections.models import TipOff, WorkOrder


# Roles that dispatch work orders, generate plans, manage the seal store and register tip-offs.
def can_dispatch(user) -> bool:
    return has_capability(user, DISPATCH)


def can_do_field_work(user) -> bool:
    return has_capability(user, FIELD_WORK)


def can_see_reporter(user) -> bool:
    """Whether ``user`` may see who reported a tip-off (station head or administrator only)."""
    return has_capability(user, SEE_REPORTER)


def reporter_display(tipoff: TipOff, user) -> dict:
    """The reporter as ``user`` may see them: the name and phone, or 保密 (confidential)."""
    if can_see_reporter(user):
        return {"name": tipoff.reporter_name or "—", "phone": tipoff.reporter_phone or "—", "visible": True}
    return {"name": _("Confidential"), "phone": _("Confidential"), "visible": False}


def work_orders_for(user) -> QuerySet:
    return scope_queryset(
        WorkOrder.objects.select_related("customer", "station").prefetch_related("assignees"), user
    )


def overdue(orders: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """The open work orders of ``orders`` past their due date, the longest overdue first."""
    today = today or timezone.localdate()
    return orders.filter(status__in=OPEN_STATUSES, due_on__lt=today).order_by("due_on")


def work_orders_overdue(user, today: datetime.date | None = None) -> QuerySet:
    """The overdue list (超期工单) of ``user``'s scope."""
    return overdue(work_orders_for(user), today)


def my_work_orders(user) -> QuerySet:
    """Open work orders the user is assigned to (the inspector's phone list)."""
    return (
        work_orders_for(user)
        .filter(
            assignments__inspector=user, status__in=(WorkOrderStatus.ASSIGNED, WorkOrderStatus.IN_PROGRESS)
        )
        .order_by("visit_date", "due_on")
        .distinct()
    )


def dispatch_list(user, day: datetime.date) -> QuerySet:
    """The daily dispatch list (日派工单): work orders to be visited on ``day``, or due and not yet sent."""
    return (
        work_orders_for(user)
        .filter(
            Q(visit_date=day, status__in=OPEN_STATUSES)
            | Q(status=WorkOrderStatus.CREATED, due_on__lte=day + datetime.timedelta(days=2))
        )
        .order_by("station", "visit_date", "due_on", "number")
        .distinct()
    )


def weekly_report(user, week_start: datetime.date) -> dict:
    """The weekly report (周报) per station: opened, visited, closed, overdue and findings of a week."""
    from gridcheck.inspections.models import Visit

    week_end = week_start + datetime.timedelta(days=6)
    start = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(week_end, datetime.time.max))
    orders = work_orders_for(user)
    visits = scope_queryset(Visit.objects.all(), user).filter(visited_at__range=(start, end))
    rows = {}

    def row(station):
        return rows.setdefault(
            station,
            {"station": station, "opened": 0, "visited": 0, "closed": 0, "overdue": 0, "findings": 0},
        )

    for r in (
        orders.filter(created_at__range=(start, end))
        .order_by()
        .values("station__name")
        .annotate(n=Count("pk"))
    ):
        row(r["station__name"])["opened"] = r["n"]
    for r in (
        orders.filter(closed_at__range=(start, end), status=WorkOrderStatus.CLOSED)
        .order_by()
        .values("station__name")
        .annotate(n=Count("pk"))
    ):
        row(r["station__name"])["closed"] = r["n"]
    for r in (
        orders.filter(status__in=OPEN_STATUSES, due_on__lt=week_end)
        .order_by()
        .values("station__name")
        .annotate(n=Count("pk"))
    ):
        row(r["station__name"])["overdue"] = r["n"]
    for visit in visits.select_related("station"):
        entry = row(visit.station.name)
        entry["visited"] += 1
        entry["findings"] += len(visit.findings or [])
    return {
        "week_start": week_start,
        "week_end": week_end,
        "rows": sorted(rows.values(), key=lambda r: r["station"]),
    }


def eligible_inspectors(work_order: WorkOrder, visit_date: datetime.date):
    """Inspectors of the work order's station with a qualification valid on ``visit_date``."""
    from gridcheck.users.models import User

    return (
        User.objects.filter(
            station_id=work_order.station_id,
            is_active=True,
            qualifications__issued_on__lte=visit_date,
            qualifications__expires_on__gte=visit_date,
        )
        .exclude(disqualifications__starts_on__lte=visit_date, disqualifications__ends_on__gte=visit_date)
        .distinct()
        .order_by("username")
    )


def worst_loss_customers(*, station, month: datetime.date, areas: int = 3) -> QuerySet:
    """Campaign targets: the active customers of the station's ``areas`` transformer areas with the highest
    loss rate in ``month`` (from the line-loss results), e.g. for an anti-theft sweep."""
    from gridcheck.archive.models import Customer
    from gridcheck.lineloss.models import AreaMonthLoss

    worst = (
        AreaMonthLoss.objects.filter(
            station=station, month=month.replace(day=1), loss_rate_percent__isnull=False
        )
        .order_by("-loss_rate_percent")
        .values_list("area_id", flat=True)[:areas]
    )
    return Customer.objects.filter(station=station, area_id__in=list(worst), status="active").order_by(
        "account_number"
    )
