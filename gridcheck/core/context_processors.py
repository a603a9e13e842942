"""Template context shared by every page: the navigation the apps registered, filtered by what the user
may do (``gridcheck.core.registries.menu``), ordered for the user's role (its daily sections first, the rest
under "More"), and the bell: the unread count of the first entry with a badge (one's messages)."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

from gridcheck.core.registries import menu
from gridcheck.core.roles import capabilities


def allowed(user, rule) -> bool:
    """Whether ``user`` passes ``rule``: a capability name or a function of the user."""
    return rule(user) if callable(rule) else rule in capabilities(user)


@functools.lru_cache(maxsize=1024)
def _menu_url(url_name: str, prefix: str, urlconf) -> str:
    return reverse(url_name, urlconf=urlconf)


def menu_url(url_name: str) -> str:
    """``reverse(url_name)`` of a menu entry, worked out once per process (and URL prefix and URLconf):
    the menu of every page has some fifty entries, the same for every request."""
    return _menu_url(url_name, get_script_prefix(), get_urlconf())


#: The menus worked out so far, per process: role, capabilities, the answers of the entries' own rules,
#: language, URL prefix and URLconf -> the sections' titles and entries as text (``_menu_of``).
_MENUS: dict = {}
_MENUS_KEEP = 256


def _menu_of(user, role, granted):
    """``(key, daily, more)``: the entries ``user`` may open, each ``(label, url, badge)`` with its label
    as text, in the sections the role works with. The same for every page of every user of the same role
    and capabilities, so worked out once per process (some hundred entries, their labels translated and
    URLs reversed, were a third of a warm home page's time); the entries with a rule of their own (a
    function of the user) are asked on every request."""
    from django.utils.translation import get_language

    daily, more = menu.sections_for_role(role)
    own_rules = tuple(
        bool(item.allowed(user))
        for section in (*daily, *more)
        for item in section.items
        if callable(item.allowed)
    )
    registered = sum(len(section.items) for section in (*daily, *more))  # a menu registered later: new
    key = (role, granted, own_rules, registered, get_language(), get_script_prefix(), get_urlconf())
    found = _MENUS.get(key)
    if found is not None:
        return found
    answers = iter(own_rules)

    def entries_of(section):
        entries = []
        for item in section.items:
            passed = next(answers) if callable(item.allowed) else item.allowed in granted
            if passed:
                entries.append((str(item.label), menu_url(item.url_name), item.badge))
        return tuple(entries)

    def sections_of(sections):
        return tuple(
            (str(section.title) if section.title else section.title, entries)
            for section in sections
            if (entries := entries_of(section))
        )

    found = (key, sections_of(daily), sections_of(more))
    if len(_MENUS) >= _MENUS_KEEP:
        _MENUS.clear()
    _MENUS[key] = found
    return found


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
    key, daily, more = _menu_of(user, getattr(user, "role", None), capabilities(user))
    bell = None
    actives, badges = [], []
    # the entry of the page: the longest menu URL the path starts with (a hazard's notices, under
    # /hazards/notices/, are not the hazards page /hazards/ as well)
    matching = [
        url
        for _title, entries in (*daily, *more)
        for _label, url, _badge in entries
        if (path == url if url == "/" else path.startswith(url))
    ]
    page_url = max(matching, key=len, default=None)

    def entries_of(entries):
        nonlocal bell
        shown = []
        for label, url, badge in entries:
            active = url == page_url
            entry = {"label": label, "url": url, "active": active}
            if active:
                actives.append(url)
            if badge is not None:
                entry["badge"] = badge(user)
                badges.append(entry["badge"])
                if bell is None:
                    bell = {"url": url, "label": label, "count": entry["badge"]}
            shown.append(entry)
        return shown

    sections = [{"title": title, "items": entries_of(entries)} for title, entries in daily]
    more_sections = [{"title": title, "items": entries_of(entries)} for title, entries in more]
    more_active = any(e["active"] for s in more_sections for e in s["items"])
    request._gridcheck_navigation = {
        "nav_sections": sections,
        "nav_more": more_sections,
        "nav_more_active": more_active,
        "bell": bell,
        # What the side menu's markup depends on (``gc_nav.nav_menu``): the menu, its active entries and
        # its badges.
        "nav_key": (key, tuple(actives), tuple(badges), more_active),
    }
    return request._gridcheck_navigation
