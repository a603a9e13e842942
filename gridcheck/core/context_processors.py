"""Template context shared by every page: the navigation the apps registered, filtered by what the user
may do (``gridcheck.core.registries.menu``), ordered for the user's role (its daily sections first, the rest
under "More"), and the bell: the unread count of the first entry with a badge (one's messages)."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

from gridcheck.core.registries import menu
from gridcheck.core.roles import has_capability


def allowed(user, rule) -> bool:
    """Whether ``user`` passes ``rule``: a capability name or a function of the user."""
    return rule(user) if callable(rule) else has_capability(user, rule)


@functools.lru_cache(maxsize=1024)
def _menu_url(url_name: str, prefix: str, urlconf) -> str:
    return reverse(url_name, urlconf=urlconf)


def menu_url(url_name: str) -> str:
    """``reverse(url_name)`` of a menu entry, worked out once per process (and URL prefix and URLconf):
    the menu of every page has some fifty entries, the same for every request."""
    return _menu_url(url_name, get_script_prefix(), get_urlconf())


def navigation(request):
    """The menu of this request, computed once: a page renders more than one template with the request
    (``{% render_table %}``, each home-page tile), and each would otherwise rebuild it (and its badges'
    queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_gridcheck_navigation", None)
    if cached is not None:
        return cached
    path = request.path
    role = getattr(user, "role", None)
    daily, more = menu.sections_for_role(role)
    bell = None

    def entries_of(section):
        nonlocal bell
        entries = []
        for item in section.items:
            if not allowed(user, item.allowed):
                continue
            url = menu_url(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            entry = {"label": item.label, "url": url, "active": active}
            if item.badge is not None:
                entry["badge"] = item.badge(user)
                if bell is None:
                    bell = {"url": url, "label": item.label, "count": entry["badge"]}
            entries.append(entry)
        return entries

    sections = []
    for section in daily:
        entries = entries_of(section)
        if entries:
            sections.append({"title": section.title, "items": entries})
    more_sections = []
    for section in more:
        entries = entries_of(section)
        if entries:
            more_sections.append({"title": section.title, "items": entries})
    request._gridcheck_navigation = {
        "nav_sections": sections,
        "nav_more": more_sections,
        "nav_more_active": any(e["active"] for s in more_sections for e in s["items"]),
        "bell": bell,
    }
    return request._gridcheck_navigation
