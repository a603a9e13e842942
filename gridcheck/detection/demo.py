"""The demo's field work: the demo inspector opens Gridcheck on a phone and has visits to make today.

The top suspects of the inspector's station get inspection work orders (as the "生成检查工单" button
makes them), each assigned to the inspector and a second inspector of the station qualified today, with
today's visit, by the station head: the two-person rule and the qualifications are checked as always.
"""

from django.db import transaction
from django.utils import timezone

from gridcheck.core.roles import Role
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import Suspect
from gridcheck.detection.services import suspect_work_order_create
from gridcheck.users.models import User


@transaction.atomic
def demo_field_work(*, inspector: User, head: User, count: int = 3) -> int:
    """Work orders for the ``count`` best-scored new suspects of ``inspector``'s station (its latest
    scored month; its open work orders where it has fewer suspects), sent to ``inspector`` and a
    colleague of the station qualified today, visit today, assigned by ``head``. Returns how many were
    sent: none where the inspector has work orders already (running it again changes nothing) or no
    colleague is qualified today."""
    from gridcheck.inspections.choices import WorkOrderStatus
    from gridcheck.inspections.models import Assignment, WorkOrder
    from gridcheck.inspections.services import work_order_assign

    if Assignment.objects.filter(inspector=inspector).exists():
        return 0
    today = timezone.localdate()
    colleagues = User.objects.filter(
        role=Role.INSPECTOR, station_id=inspector.station_id, is_active=True
    ).exclude(pk=inspector.pk)
    partner = next((u for u in colleagues.order_by("username") if u.valid_qualification_on(today)), None)
    if partner is None or inspector.valid_qualification_on(today) is None:
        return 0
    suspects = Suspect.objects.filter(station_id=inspector.station_id, status=SuspectStatus.NEW)
    latest = suspects.order_by("-month").values_list("month", flat=True).first()
    orders = [
        suspect_work_order_create(suspect=suspect, user=head)
        for suspect in suspects.filter(month=latest).order_by("-score", "pk")[:count]
    ]
    # a station with fewer suspects: its other open work orders, the earliest due first
    waiting = WorkOrder.objects.filter(station_id=inspector.station_id, status=WorkOrderStatus.CREATED)
    waiting = waiting.exclude(pk__in=[o.pk for o in orders]).order_by("due_on", "pk")
    orders += list(waiting[: count - len(orders)])
    for order in orders:
        work_order_assign(
            work_order=order, inspectors=[inspector, partner], visit_date=today, assigned_by=head
        )
    return len(orders)
