"""What reports adds to the floor: its capability, menu entry, the daily job and the to-do lines."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, jobs, menu, todos
from gridcheck.core.roles import VIEW_REPORTS
from gridcheck.core.schedule import Job, daily


def _daily(period: str):
    from gridcheck.reports.tasks import reports_daily_task

    return reports_daily_task.enqueue(period=period)


def register() -> None:
    access.register("reports", VIEW_REPORTS)
    menu.add_section("reports", _("Reports"), order=56)
    menu.add_item("reports", MenuItem(_("Report centre"), "reports:centre", VIEW_REPORTS))
    jobs.register("reports.daily", Job("reports.daily", daily, _daily))
    from gridcheck.reports.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
