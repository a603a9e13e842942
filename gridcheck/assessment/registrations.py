"""What assessment adds to the floor: its section's capability, its menu entries, the home page's to-do
lines and the monthly computation of the scorecards (on the day of the rule
``assessment.scorecard_compute_day``, for the month before)."""

import datetime

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, jobs, menu, todos
from gridcheck.core.roles import APPROVE_STATION, MANAGE_ASSESSMENT, VIEW_ASSESSMENT, has_capability
from gridcheck.core.schedule import Job, daily


def _heads(user) -> bool:
    return has_capability(user, VIEW_ASSESSMENT) and (
        has_capability(user, MANAGE_ASSESSMENT) or has_capability(user, APPROVE_STATION)
    )


MENU: list = [  # (label, url name, capability)
    (_("Scorecards"), "assessment:scorecard_list", VIEW_ASSESSMENT),
    (_("Month and ranking"), "assessment:month", _heads),
    (_("KPI definitions"), "assessment:kpi_list", VIEW_ASSESSMENT),
    (_("Yearly evaluation"), "assessment:evaluation_list", VIEW_ASSESSMENT),
]


def monthly(now: datetime.datetime) -> str | None:
    """The period of the monthly computation: the month before, from the rule's day of this month."""
    from gridcheck.core.periods import last_complete_month
    from gridcheck.core.rules import rule_int

    today = now.date()
    if daily(now) is None or today.day < rule_int("assessment.scorecard_compute_day", on=today):
        return None
    return f"{last_complete_month(today):%Y-%m}"


def _monthly(period: str):
    from gridcheck.assessment.tasks import assessment_monthly_task

    return assessment_monthly_task.enqueue(period=period)


def register() -> None:
    from gridcheck.assessment.todos import TODOS

    access.register("assessment", VIEW_ASSESSMENT)
    menu.add_section("assessment", _("Assessment"), order=86)
    for label, url_name, allowed in MENU:
        menu.add_item("assessment", MenuItem(label, url_name, allowed))
    jobs.register("assessment.monthly", Job("assessment.monthly", monthly, _monthly))
    for name, item in TODOS.items():
        todos.register(name, item)
