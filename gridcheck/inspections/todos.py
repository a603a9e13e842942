"""Inspections' lines of the home page's to-do list: one's own work orders (the overdue ones apart),
work orders to dispatch and tip-offs to act on."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import DISPATCH, FIELD_WORK
from gridcheck.core.scoping import scoped
from gridcheck.inspections import selectors
from gridcheck.inspections.choices import TipOffStatus, WorkOrderStatus
from gridcheck.inspections.models import TipOff, WorkOrder


def _mine(user) -> QuerySet:
    return selectors.my_work_orders(user)


def _mine_overdue(user) -> QuerySet:
    return selectors.my_work_orders(user).filter(due_on__lt=timezone.localdate())


def _to_dispatch(user) -> QuerySet:
    return scoped(WorkOrder, user).filter(status=WorkOrderStatus.CREATED)


def _tipoffs(user) -> QuerySet:
    return scoped(TipOff, user).filter(status=TipOffStatus.RECEIVED)


TODOS = {
    "inspections.mine": TodoItem(
        _("My work orders to visit"), _mine, list_url("inspections:my_work"), FIELD_WORK, order=10
    ),
    "inspections.mine_overdue": TodoItem(
        _("My work orders past their due date"),
        _mine_overdue,
        list_url("inspections:my_work"),
        FIELD_WORK,
        order=11,
        urgent=True,
    ),
    "inspections.dispatch": TodoItem(
        _("Work orders not yet assigned"),
        _to_dispatch,
        list_url("inspections:workorder_list", status=WorkOrderStatus.CREATED),
        DISPATCH,
        order=12,
    ),
    "inspections.tipoffs": TodoItem(
        _("Tip-offs received, not yet visited"),
        _tipoffs,
        list_url("inspections:tipoff_list", status=TipOffStatus.RECEIVED),
        DISPATCH,
        order=13,
    ),
}
