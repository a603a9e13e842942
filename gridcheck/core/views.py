"""The home page: first what waits for the user (``registries.todos``), then the tiles that the apps
registered (``registries.dashboard``); and the search box of every page (``registries.search``)."""

import datetime
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from gridcheck.core import pagecache
from gridcheck.core.context_processors import allowed
from gridcheck.core.counting import count_together
from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.registries import ROLE_PHONE_START, TODO_CACHE_S, dashboard, search, todos
from gridcheck.core.roles import VIEW_ARCHIVE, has_capability
from gridcheck.core.scoping import scope_key


@dataclass(frozen=True)
class Todo:
    """One line of the to-do list as shown: its label, how many, where they are listed."""

    label: str
    count: int
    url: str
    urgent: bool


def todo_list(user) -> list[Todo]:
    """What waits for ``user``, in the registered order; lines with nothing waiting are left out."""
    items = [
        item for item in sorted(todos.values(), key=lambda item: item.order) if allowed(user, item.allowed)
    ]
    counted = [item.count(user) for item in items]
    # The lines that give their querysets are counted in one query (a round trip each before).
    together = [n for n, value in enumerate(counted) if isinstance(value, QuerySet)]
    for n, value in zip(together, count_together([counted[n] for n in together]), strict=True):
        counted[n] = value
    return [
        Todo(label=str(item.label), count=count, url=item.url(user), urgent=item.urgent)
        for item, count in zip(items, counted, strict=True)
        if count
    ]


def home_todos(user) -> tuple[list[Todo], datetime.datetime]:
    """``(todo_list(user), when it was counted)``, kept ``TODO_CACHE_S`` seconds per user (with their
    scope and role, ``scope_key``, and the language of the labels) and forgotten after any write through a
    page (``core.pagecache``): a user's home page counts some thirty to-do lines once a minute, not on every
    visit."""
    key = f"gridcheck:todos:{get_language()}:{user.pk}:{scope_key(user)}:{pagecache.generation(user)}"
    kept = cache.get(key)
    if kept is None:
        kept = (todo_list(user), timezone.now())
        cache.set(key, kept, pagecache.lifetime(TODO_CACHE_S))
    return kept


#: What a phone's browser says of itself (MDN's advice: "Mobi" in the user agent).
_PHONE = re.compile(r"Mobi|Android|iPhone", re.IGNORECASE)
#: Set in the session once the first page after logging in was shown.
_STARTED = "gridcheck_started"


def phone_start_page(request) -> str | None:
    """Where the user's phone opens instead of the home page (``ROLE_PHONE_START``): only on a phone,
    only for the first page after logging in (the menu's "Dashboard" then shows the home page)."""
    session = request.session
    first = not session.get(_STARTED)
    if first:
        # Set once: writing it on every visit would save the session (an UPDATE) on every home page.
        session[_STARTED] = True
    url_name = ROLE_PHONE_START.get(getattr(request.user, "role", None) or "")
    if not first or url_name is None or not _PHONE.search(request.headers.get("User-Agent", "")):
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


class HomeView(CapabilityRequiredMixin, TemplateView):
    """The to-do list, then each registered tile the user may see, in order, rendered with its own
    context. An inspector's phone opens on their work orders instead (``phone_start_page``)."""

    template_name = "core/home.html"

    def get(self, request, *args, **kwargs):
        start = phone_start_page(request)
        if start is not None:
            return redirect(start)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["todos"], ctx["todos_as_of"] = home_todos(user)
        tiles = sorted(dashboard.items(), key=lambda item: item[1].order)
        ctx["tiles"] = [
            render_tile(self.request, name, tile) for name, tile in tiles if allowed(user, tile.allowed)
        ]
        return ctx


def render_tile(request, name: str, tile) -> str:
    """The tile's markup; a tile with ``cache_s`` is rendered once per scope and language and kept."""
    if not tile.cache_s:
        return render_to_string(tile.template, tile.context(request), request=request)
    key = f"gridcheck:tile:{name}:{get_language()}:{scope_key(request.user)}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(tile.template, tile.context(request), request=request)
        cache.set(key, html, pagecache.lifetime(tile.cache_s))
    return html


#: The shortest query the search runs (one or two characters would match half the county).
SEARCH_MIN_CHARS = 3
#: At most this many hits of each finder.
SEARCH_LIMIT = 20


def search_hits(user, q: str) -> list[tuple[str, list]]:
    """``[(finder label, hits)]`` of every registered finder the user may use that found something."""
    groups = []
    for provider in sorted(search.values(), key=lambda p: p.order):
        if not allowed(user, provider.allowed):
            continue
        hits = list(provider.find(user, q, SEARCH_LIMIT))
        if hits:
            groups.append((str(provider.label), hits))
    return groups


class SearchView(CapabilityRequiredMixin, TemplateView):
    """The search box of every page: account, meter asset, work-order and case numbers (exact, then
    prefix), within the user's scope. One hit opens its page; several are listed with links."""

    template_name = "core/search.html"

    def get(self, request, *args, **kwargs):
        q = " ".join(request.GET.get("q", "").split())
        self.q = q
        self.groups = []
        self.too_short = bool(q) and len(q) < SEARCH_MIN_CHARS
        if q and not self.too_short:
            self.groups = search_hits(request.user, q)
            hits = [hit for _label, group in self.groups for hit in group]
            if len(hits) == 1:
                return redirect(hits[0].url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            search_q=self.q,
            groups=self.groups,
            too_short=self.too_short,
            min_chars=SEARCH_MIN_CHARS,
            title=_("Search"),
            names_search=has_capability(self.request.user, VIEW_ARCHIVE),
        )
        return ctx


@require_safe
def favicon(request):
    """``/favicon.ico``, which a browser asks for beside a document without an icon link (a PDF, an
    attachment): the static icon that every page links."""
    return HttpResponsePermanentRedirect(static("gridcheck/favicon.svg"))
