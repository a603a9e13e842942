"""What hazards adds to the floor: its menu entries and the 1+1+1 calendar's periodic jobs."""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, dashboard, jobs, landing, menu, todos
from gridcheck.core.roles import PORTAL, VIEW_HAZARDS, has_capability
from gridcheck.core.schedule import Job, daily


def register() -> None:
    access.register("hazards", VIEW_HAZARDS)
    # The customer portal, and the notice PDFs and photos that the views hand a portal user only if theirs.
    for name in ("hazards:portal", "hazards:portal_hazard"):
        access.register(name, PORTAL)
    landing.register(PORTAL, "hazards:portal")
    for name in ("hazards:notice_pdf", "hazards:photo"):
        access.register(name, _staff_or_portal)
    # The hazards API serves the portal its own hazards and notices (the views narrow to the customer).
    for name in (
        "api:hazard-list",
        "api:hazard-detail",
        "api:hazard-confirm",
        "api:hazard-statistics",
        "api:notice-list",
        "api:notice-detail",
    ):
        access.register(name, _staff_or_portal)
    from gridcheck.hazards.selectors import is_portal_user

    menu.add_section("hazards", _("Safety hazards"), order=70)
    for order, (label, url_name) in enumerate(
        [
            (_("Hazards and 1+1+1 calendar"), "hazards:dashboard"),
            (_("Hazard register"), "hazards:hazard_list"),
            (_("Notices and briefings"), "hazards:notice_list"),
            (_("High-risk and important customers"), "hazards:risk_customers"),
            (_("Government contacts"), "hazards:government_contacts"),
        ]
    ):
        menu.add_item("hazards", MenuItem(label, url_name, VIEW_HAZARDS, order=order))
    menu.add_item("hazards", MenuItem(_("My hazards"), "hazards:portal", is_portal_user, order=10))
    from gridcheck.hazards.dashboard import TILE

    dashboard.register("hazards.figures", TILE)
    jobs.register("hazards.daily", Job("hazards.daily", daily, _hazards_daily))
    jobs.register(
        "hazards.monthly_notices", Job("hazards.monthly_notices", _monthly_notices, _hazards_monthly)
    )
    jobs.register(
        "hazards.quarterly_briefing",
        Job("hazards.quarterly_briefing", _quarterly_briefing, _hazards_quarterly),
    )
    # A hazard registered after the month's notices: a supplementary notice at once (or the note).
    from gridcheck.hazards.models import Hazard
    from gridcheck.hazards.services.monthly import on_hazard_registered
    from gridcheck.hazards.signals import hazard_registered

    hazard_registered.connect(on_hazard_registered, sender=Hazard, dispatch_uid="hazards.late_notice")
    from gridcheck.hazards.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)


def _monthly_notices(now: datetime.datetime) -> str | None:
    """Due once a month, from the rule table's lead days (``hazards.calendar_lead_days``) before the notices'
    due day (``hazards.monthly_notice_due_day``), at or after the daily jobs' hour."""
    from gridcheck.hazards.selectors import monthly_run_from

    month = now.date().replace(day=1)
    if now.date() < monthly_run_from(month) or now.hour < settings.GRIDCHECK_DAILY_JOBS_HOUR:
        return None
    return f"{month:%Y-%m}"


def _quarterly_briefing(now: datetime.datetime) -> str | None:
    """Due in the month after a quarter, from the lead days before the briefing's due day
    (``hazards.quarterly_briefing_due_day``)."""
    from gridcheck.hazards.selectors import last_quarter, quarterly_run_from

    if now.month not in (1, 4, 7, 10):  # the month after a quarter
        return None
    year, quarter = last_quarter(now.date())
    if now.date() < quarterly_run_from(year, quarter) or now.hour < settings.GRIDCHECK_DAILY_JOBS_HOUR:
        return None
    return f"{year}Q{quarter}"


def _hazards_daily(period: str):
    from gridcheck.hazards.tasks import hazards_daily

    return hazards_daily.enqueue(today=period)


def _hazards_monthly(period: str):
    from gridcheck.hazards.tasks import hazards_monthly

    return hazards_monthly.enqueue(month=period)


def _hazards_quarterly(period: str):
    from gridcheck.hazards.tasks import hazards_quarterly

    return hazards_quarterly.enqueue(quarter=period)


def _staff_or_portal(user) -> bool:
    return has_capability(user, VIEW_HAZARDS) or has_capability(user, PORTAL)
