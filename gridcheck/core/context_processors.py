"""Template context shared by every page: the navigation, filtered by what the user may do."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcheck.core.permissions import IMPORT, MANAGE_STAFF, VIEW, has_capability

NAVIGATION = [
    # (section, [(label, url name, capability)])
    (None, [(_("Dashboard"), "home", VIEW)]),
    (
        _("Archive"),
        [
            (_("Stations"), "archive:station_list", VIEW),
            (_("Lines"), "archive:line_list", VIEW),
            (_("Transformer areas"), "archive:area_list", VIEW),
            (_("Customers"), "archive:customer_list", VIEW),
            (_("Metering points"), "archive:meteringpoint_list", VIEW),
            (_("Meters"), "archive:meter_list", VIEW),
            (_("Tariffs"), "archive:tariff_list", VIEW),
        ],
    ),
    (
        _("Data"),
        [
            (_("Import"), "archive:import", IMPORT),
            (_("Import history"), "archive:importbatch_list", VIEW),
        ],
    ),
    (
        _("Line loss"),
        [
            (_("Line-loss dashboard"), "lineloss:dashboard", VIEW),
            (_("Area line loss"), "lineloss:areamonthloss_list", VIEW),
            (_("Analysis runs"), "lineloss:run_list", VIEW),
            (_("Loss targets"), "lineloss:losstarget_list", VIEW),
        ],
    ),
    (
        _("Theft detection"),
        [
            (_("Theft suspects"), "detection:suspect_list", VIEW),
            (_("Detection runs"), "detection:run_list", VIEW),
        ],
    ),
    (
        _("Meter data"),
        [
            (_("Reading rate"), "readings:dashboard", VIEW),
            (_("Import meter data"), "readings:import", IMPORT),
            (_("Meter-data imports"), "readings:import_list", VIEW),
        ],
    ),
    (
        _("Cases"),
        [
            (_("Theft and violation cases"), "cases:case_list", VIEW),
        ],
    ),
    (
        _("Safety hazards"),
        [
            (_("Hazards and 1+1+1 calendar"), "hazards:dashboard", VIEW),
            (_("Hazard register"), "hazards:hazard_list", VIEW),
            (_("Notices and briefings"), "hazards:notice_list", VIEW),
            (_("High-risk and important customers"), "hazards:risk_customers", VIEW),
            (_("Government contacts"), "hazards:government_contacts", VIEW),
            (_("My hazards"), "hazards:portal", "hazards.portal"),
        ],
    ),
    (
        _("Inspection"),
        [
            (_("Work orders"), "inspections:workorder_list", VIEW),
            (_("Overdue work orders"), "inspections:workorder_overdue", VIEW),
            (_("My work orders"), "inspections:my_work", VIEW),
            (_("Inspection plans"), "inspections:plan_list", VIEW),
            (_("Campaigns"), "inspections:campaign_list", VIEW),
            (_("Tip-offs"), "inspections:tipoff_list", VIEW),
            (_("Seals"), "inspections:seal_list", VIEW),
            (_("Sealing pliers"), "inspections:pliers_list", VIEW),
        ],
    ),
    (
        _("Messages"),
        [
            (_("My messages"), "notifications:inbox", VIEW),
            (_("Outbox"), "notifications:outbox", "notifications.outbox"),
        ],
    ),
    (
        _("Organisation"),
        [
            (_("Staff"), "users:user_list", VIEW),
            (_("Qualifications"), "users:qualification_list", MANAGE_STAFF),
            (_("API documentation"), "api-docs", VIEW),
        ],
    ),
]


def _allowed(user, capability) -> bool:
    if capability == "notifications.outbox":
        from gridcheck.notifications.selectors import outbox_can_view

        return outbox_can_view(user)
    if capability == "hazards.portal":
        from gridcheck.hazards.selectors import is_portal_user

        return is_portal_user(user)
    return has_capability(user, capability)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    sections = []
    for title, items in NAVIGATION:
        entries = []
        for label, url_name, capability in items:
            if not _allowed(user, capability):
                continue
            url = reverse(url_name)
            active = path == url if url == "/" else path.startswith(url)
            entry = {"label": label, "url": url, "active": active}
            if url_name == "notifications:inbox":
                from gridcheck.notifications.selectors import unread_count

                entry["badge"] = unread_count(user)
            entries.append(entry)
        if entries:
            sections.append({"title": title, "items": entries})
    return {"nav_sections": sections}
