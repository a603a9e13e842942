"""Template context shared by every page: the navigation the apps registered, filtered by what the user
may do (``gridcheck.core.registries.menu``)."""

from django.urls import reverse

from gridcheck.core.registries import menu
from gridcheck.core.roles import has_capability


def allowed(user, rule) -> bool:
    """Whether ``user`` passes ``rule``: a capability name or a function of the user."""
    return rule(user) if callable(rule) else has_capability(user, rule)


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
    sections = []
    for section in menu.sections():
        entries = []
        for item in sorted(section.items, key=lambda i: i.order):
            if not allowed(user, item.allowed):
                continue
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            entry = {"label": item.label, "url": url, "active": active}
            if item.badge is not None:
                entry["badge"] = item.badge(user)
            entries.append(entry)
        if entries:
            sections.append({"title": section.title, "items": entries})
    request._gridcheck_navigation = {"nav_sections": sections}
    return request._gridcheck_navigation
