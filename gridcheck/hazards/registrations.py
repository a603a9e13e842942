"""What hazards adds to the floor: its menu entries and the 1+1+1 calendar's periodic jobs."""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, jobs, menu
from gridcheck.core.roles import PORTAL, VIEW_HAZARDS, has_capability
from gridcheck.core.schedule import Job, daily


def register() -> None:
    access.register("hazards", VIEW_HAZARDS)
    # The customer portal, and the notice PDFs and photos that the views hand a portal user only if theirs.
    for name in ("hazards:portal", "hazards:portal_hazard"):
        access.register(name, PORTAL)
    for name in ("hazards:notice_pdf", "hazards:photo"):
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
    jobs.register("hazards.daily", Job("hazards.daily", daily, _hazards_daily))
    jobs.register(
        "hazards.monthly_notices", Job("hazards.monthly_notices", _monthly_notices, _hazards_monthly)
    )
    jobs.register(
        "hazards.quarterly_briefing",
        Job("hazards.quarterly_briefing", _quarterly_briefing, _hazards_quarterly),
    )


def _monthly_notices(now: datetime.datetime) -> str | None:
    """Due from a few days (``GRIDCHECK_CALENDAR_LEAD_DAYS``) before the notices' due day, once a month."""
    start_day = max(1, settings.GRIDCHECK_HAZARD_MONTHLY_DUE_DAY - settings.GRIDCHECK_CALENDAR_LEAD_DAYS)
    return f"{now:%Y-%m}" if now.day >= start_day and now.hour >= settings.GRIDCHECK_DAILY_JOBS_HOUR else None


def _quarterly_briefing(now: datetime.datetime) -> str | None:
    """Due in the month after a quarter, from a few days before the briefing's due day."""
    if now.month not in (1, 4, 7, 10):  # the month after a quarter
        return None
    start_day = max(1, settings.GRIDCHECK_HAZARD_QUARTERLY_DUE_DAY - settings.GRIDCHECK_CALENDAR_LEAD_DAYS)
    if now.day < start_day or now.hour < settings.GRIDCHECK_DAILY_JOBS_HOUR:
        return None
    quarter = (now.month - 1) // 3 or 4
    year = now.year if now.month != 1 else now.year - 1
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
