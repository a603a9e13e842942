"""What inspections adds to the floor: its menu entries; and it subscribes to broken seals (work orders)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import (
    MenuItem,
    SearchProvider,
    access,
    jobs,
    menu,
    number_finder,
    search,
    todos,
)
from gridcheck.core.roles import VIEW_INSPECTIONS
from gridcheck.core.schedule import Job, daily
from gridcheck.inspections.services import broken_seal_work_order
from gridcheck.seals.models import SealBreak
from gridcheck.seals.signals import seal_found_broken


def _daily(period: str):
    from gridcheck.inspections.tasks import inspections_daily_task

    return inspections_daily_task.enqueue(period=period)


def register() -> None:
    access.register("inspections", VIEW_INSPECTIONS)
    from gridcheck.inspections import chain as chain_card

    chain_card.register()
    # Every morning: the assignees and the head of each overdue work order are told (once per order).
    jobs.register("inspections.daily", Job("inspections.daily", daily, _daily))
    from gridcheck.inspections.models import WorkOrder

    search.register(
        "inspections.work_orders",
        SearchProvider(
            _("Work orders"),
            number_finder(
                WorkOrder,
                "number",
                _("work order"),
                lambda o: o.customer.name if o.customer_id else "",
                ("customer",),
            ),
            VIEW_INSPECTIONS,
            order=30,
        ),
    )
    menu.add_section("inspections", _("Inspection"), order=80)
    for order, (label, url_name) in enumerate(
        [
            (_("Work orders"), "inspections:workorder_list"),
            (_("Overdue work orders"), "inspections:workorder_overdue"),
            (_("My work orders"), "inspections:my_work"),
            (_("Inspection plans"), "inspections:plan_list"),
            (_("Campaigns"), "inspections:campaign_list"),
            (_("Tip-offs"), "inspections:tipoff_list"),
        ]
    ):
        menu.add_item("inspections", MenuItem(label, url_name, VIEW_INSPECTIONS, order=order))
    # A seal found broken opens a work order: seals (below) announces it, inspections subscribes.
    seal_found_broken.connect(
        broken_seal_work_order, sender=SealBreak, dispatch_uid="inspections.broken_seal_work_order"
    )
    from gridcheck.inspections.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
