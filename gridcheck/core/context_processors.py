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
        _("Organisation"),
        [
            (_("Staff"), "users:user_list", VIEW),
            (_("Qualifications"), "users:qualification_list", MANAGE_STAFF),
            (_("API documentation"), "api-docs", VIEW),
        ],
    ),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    sections = []
    for title, items in NAVIGATION:
        entries = []
        for label, url_name, capability in items:
            if not has_capability(user, capability):
                continue
            url = reverse(url_name)
            active = path == url if url == "/" else path.startswith(url)
            entries.append({"label": label, "url": url, "active": active})
        if entries:
            sections.append({"title": title, "items": entries})
    return {"nav_sections": sections}
