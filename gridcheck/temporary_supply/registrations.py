"""What temporary supply adds to the floor: its section's capability, menu entries, the daily job
(reminders before the end, the end of supplies not extended), the ledger's export and the to-do lines."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, exports, jobs, menu, todos
from gridcheck.core.roles import MANAGE_CONTRACTS, VIEW_CONTRACTS
from gridcheck.core.schedule import Job, daily


def _daily(period: str):
    from gridcheck.temporary_supply.tasks import temporary_supply_daily_task

    return temporary_supply_daily_task.enqueue(period=period)


MENU: list = [  # (label, url name, capability)
    (_("Temporary supply ledger"), "temporary_supply:supply_list", VIEW_CONTRACTS),
    (_("New temporary-supply application"), "temporary_supply:supply_apply", MANAGE_CONTRACTS),
    (_("Unauthorised temporary connections"), "temporary_supply:unauthorised_list", VIEW_CONTRACTS),
]


def register() -> None:
    access.register("temporary_supply", VIEW_CONTRACTS)
    menu.add_section("temporary_supply", _("Temporary supply"), order=47)
    for order, (label, url_name, capability) in enumerate(MENU):
        menu.add_item("temporary_supply", MenuItem(label, url_name, capability, order=order))
    jobs.register("temporary_supply.daily", Job("temporary_supply.daily", daily, _daily))
    from gridcheck.temporary_supply.exports import SPEC
    from gridcheck.temporary_supply.todos import TODOS

    exports.register(SPEC.entity, SPEC)
    for name, item in TODOS.items():
        todos.register(name, item)
