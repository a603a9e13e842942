"""What business census adds to the floor: its section's capability, its menu entries, the XLSX export
of its discrepancies and the daily reminder of a census due."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, exports, jobs, menu, todos
from gridcheck.core.roles import FIELD_WORK, VIEW_CENSUS
from gridcheck.core.schedule import Job, daily

MENU: list = [  # (label, url name, capability)
    (_("Census campaigns"), "census:campaign_list", VIEW_CENSUS),
    (_("My census visits"), "census:my_census", FIELD_WORK),
    (_("Census discrepancies"), "census:discrepancy_list", VIEW_CENSUS),
]


def _daily(period: str):
    from gridcheck.census.tasks import census_daily_task

    return census_daily_task.enqueue(period=period)


def _census_allowed(capability):
    from gridcheck.core.roles import has_capability

    return lambda user: has_capability(user, VIEW_CENSUS) and has_capability(user, capability)


def register() -> None:
    from gridcheck.census.exports import DiscrepancyExport

    access.register("census", VIEW_CENSUS)
    menu.add_section("census", _("Business census"), order=82)
    for label, url_name, capability in MENU:
        allowed = capability if capability == VIEW_CENSUS else _census_allowed(capability)
        menu.add_item("census", MenuItem(label, url_name, allowed))
    exports.register(DiscrepancyExport.entity, DiscrepancyExport)
    jobs.register("census.daily", Job("census.daily", daily, _daily))
    from gridcheck.census.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
