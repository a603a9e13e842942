"""What the apps add to the floor, registered in their ``AppConfig.ready()``; core imports no app.

- ``menu``: the navigation's sections and entries (``menu.add_section`` / ``menu.add_item``);
- ``dashboard``: tiles of the home page, each a template and a function ``context(request) -> dict``;
- ``jobs``: periodic jobs for ``gridcheck scheduler`` (``gridcheck.core.schedule.Job``);
- ``exports``: XLSX list exports by entity (an object with ``export_columns``, ``export_related`` and
  ``export_row(obj)``, see ``gridcheck.core.exports``);
- ``imports``: archive-file import specs by entity (``gridcheck.archive.importers.Spec``), each registered
  with its place in the load order (``imports.register(name, spec, order=N)``): iterating gives the
  entities parents first.
- ``access``: the capability that reading an app (by app label) or one view (by URL name) needs
  (``gridcheck.core.access``);
- ``landing``: the page a user is sent to instead of a page they may not open, by a capability they have
  (the customer portal for ``portal``);
- ``todos``: the lines of the home page's to-do list (``TodoItem``): what waits for the user, each with its
  count and the filtered list that shows it;
- ``search``: the finders of the search box on every page (``SearchProvider``): account, meter asset,
  work-order and case numbers, each provider looking in its own app within the user's scope.

The menu is ordered per role here, on the floor (``ROLE_MENU``, ``ROLE_MENU_FIRST``): an app registers its
section once, and each role sees the sections of its daily work first, the rest folded under "More".

A registry refuses a second entry under the same name, so two apps cannot silently replace each other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Registry:
    """An ordered name -> item mapping that refuses duplicates."""

    def __init__(self, what: str):
        self.what = what
        self._items: dict[str, object] = {}

    def register(self, name: str, item: object) -> object:
        if name in self._items and self._items[name] is not item:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        self._items[name] = item
        return item

    def __getitem__(self, name: str):
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"no {self.what} {name!r}; registered: {', '.join(self._items)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._items

    def __iter__(self):
        return iter(self._items)

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def names(self) -> list[str]:
        return list(self._items)


# ------------------------------------------------------------------------------------------------- menu


@dataclass(frozen=True)
class MenuItem:
    """An entry of the navigation: shown when ``allowed`` (a capability name or ``user -> bool``)."""

    label: object
    url_name: str
    allowed: str | Callable[[object], bool]
    order: int = 100
    badge: Callable[[object], int] | None = None


@dataclass
class MenuSection:
    title: object
    order: int
    items: list[MenuItem] = field(default_factory=list)


class Menu:
    """The navigation: sections by ``order``, their items by ``order`` then registration."""

    def __init__(self):
        self._sections: dict[str, MenuSection] = {}

    def add_section(self, key: str, title, order: int) -> MenuSection:
        section = self._sections.get(key)
        if section is None:
            section = self._sections[key] = MenuSection(title=title, order=order)
        return section

    def add_item(self, section: str, item: MenuItem) -> None:
        if any(i.url_name == item.url_name for s in self._sections.values() for i in s.items):
            raise ValueError(f"menu item {item.url_name!r} is registered twice")
        self._sections[section].items.append(item)

    def sections(self) -> list[MenuSection]:
        return sorted(self._sections.values(), key=lambda s: s.order)

    def keyed_sections(self) -> list[tuple[str, MenuSection]]:
        """``(key, section)`` pairs in the default order."""
        return sorted(self._sections.items(), key=lambda entry: entry[1].order)

    def sections_for_role(self, role: str | None) -> tuple[list[MenuSection], list[MenuSection]]:
        """The sections as ``role`` works with them: ``(daily, more)``.

        ``daily`` are the sections of the role's daily work (``ROLE_MENU``), in the order the role uses
        them, each with the role's most used entries first (``ROLE_MENU_FIRST``); ``more`` are the other
        sections in the default order, which the navigation folds away. A role without a list (the
        administrator) has every section in ``daily``. Capabilities still decide each entry.
        """
        keyed = self.keyed_sections()
        wanted = ROLE_MENU.get(role or "")
        first = ROLE_MENU_FIRST.get(role or "", ())

        def with_first(section: MenuSection) -> MenuSection:
            rank = {name: i for i, name in enumerate(first)}
            items = sorted(section.items, key=lambda i: (rank.get(i.url_name, len(rank)), i.order))
            return MenuSection(title=section.title, order=section.order, items=items)

        if wanted is None:
            return [with_first(s) for _k, s in keyed], []
        position = {key: i for i, key in enumerate(wanted)}
        daily = sorted((entry for entry in keyed if entry[0] in position), key=lambda e: position[e[0]])
        more = [s for key, s in keyed if key not in position]
        return [with_first(s) for _k, s in daily], more


#: The sections of each role's daily work, most used first (keys of ``menu.add_section``). Sections not
#: named are folded under "More" for that role (still there: no page a capability opens is a dead end).
#: A role not named (the administrator) sees every section in the default order.
ROLE_MENU: dict[str, tuple[str, ...]] = {
    "station_head": (
        "home", "messages", "cases", "inspections", "detection", "lineloss", "audit", "collection",
        "hazards", "assessment", "reports", "organisation",
    ),
    "inspector": ("home", "inspections", "messages", "cases", "detection", "metering", "hazards"),
    "auditor": (
        "home", "messages", "audit", "billing", "collection", "contracts", "temporary_supply", "cases",
        "census", "data",
    ),
    "meter_reader": ("home", "billing", "collection", "messages", "readings"),
    "area_manager": ("home", "lineloss", "messages", "collection", "detection", "hazards", "readings"),
    "government_liaison": ("home", "hazards", "messages"),
    "customer": ("hazards",),
}  # fmt: skip

#: Per role, the entries (URL names) put first within their section: the inspector's own work orders.
ROLE_MENU_FIRST: dict[str, tuple[str, ...]] = {
    "inspector": ("inspections:my_work", "inspections:workorder_overdue"),
    "station_head": ("cases:case_list", "inspections:workorder_overdue"),
    "meter_reader": ("billing:reader_home",),
    "auditor": ("audit:finding_list",),
}

#: The page a role's phone opens on instead of the home page, on the first page after logging in
#: (the inspector: today's work orders). The home page stays one click away (the menu's "Dashboard").
ROLE_PHONE_START: dict[str, str] = {"inspector": "inspections:my_work", "meter_reader": "billing:reader_home"}


# -------------------------------------------------------------------------------------------- dashboard


#: How long a user's to-do counts are kept between writes through a page [s] (``core.views.home_todos``).
TODO_CACHE_S = 60
#: How long a tile of figures over a whole scope is kept (``DashboardTile.cache_s``): a minute old at most.
TILE_CACHE_S = 60


@dataclass(frozen=True)
class DashboardTile:
    """A tile of the home page: ``template`` rendered with ``context(request)``; hidden unless ``allowed``.

    A tile of figures over the user's whole scope (sums and rates over a county's bills) is rendered once
    per scope and kept ``cache_s`` seconds (``gridcheck.core.scoping.scope_key``): under load, a station's
    staff opening their home pages share one computation. 0 renders it on every visit.
    """

    template: str
    context: Callable[[object], dict]
    allowed: str | Callable[[object], bool]
    order: int = 100
    cache_s: int = 0


# ------------------------------------------------------------------------------------------------ to-do


@dataclass(frozen=True)
class TodoItem:
    """A line of the home page's to-do list (待办事项): how many things wait for a user.

    ``count(user)`` counts them within the user's scope (0 hides the line): it returns either the number
    or, better, the queryset of the things waiting, which the to-do list counts together with the other
    lines' querysets in one query (``gridcheck.core.counting.count_together``); ``url(user)`` is the list
    that shows exactly them (filters in its query string). ``urgent`` marks lines of overdue things.
    Shown only when ``allowed`` (a capability name or ``user -> bool``).
    """

    label: object
    count: Callable[[object], int | Any]
    url: Callable[[object], str]
    allowed: str | Callable[[object], bool]
    order: int = 100
    urgent: bool = False

    def number(self, user) -> int:
        """How many things wait for ``user``: ``count(user)`` as a number (a queryset counted alone)."""
        value = self.count(user)
        return value if isinstance(value, int) else value.count()


def list_url(url_name: str, **query) -> Callable[[object], str]:
    """``TodoItem.url`` for a fixed list: the URL of ``url_name`` with ``query`` as its filters."""

    def url(user) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        return reverse(url_name) + (f"?{urlencode(query)}" if query else "")

    return url


class OrderedRegistry(Registry):
    """A registry iterated by the ``order`` given at registration (ties: registration order)."""

    def __init__(self, what: str):
        super().__init__(what)
        self._order: dict[str, int] = {}

    def register(self, name: str, item: object, *, order: int) -> object:
        super().register(name, item)
        self._order[name] = order
        self._items = dict(sorted(self._items.items(), key=lambda entry: self._order[entry[0]]))
        return item


# ----------------------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchHit:
    """One thing the search found: what it is (a kind: "customer", "work order"), its label, its page."""

    kind: object
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchProvider:
    """A finder of the search box: ``find(user, q, limit)`` returns ``SearchHit``s within the user's scope,
    exact matches of a number first, then numbers starting with ``q``. Used only when ``allowed``."""

    label: object
    find: Callable[[object, str, int], list]
    allowed: str | Callable[[object], bool]
    order: int = 100


def number_finder(model, field: str, kind, detail: Callable[[object], str] = lambda obj: "", related=()):
    """A ``SearchProvider.find`` over one number field of ``model`` (account, asset, work-order, case
    number): within the user's scope, the exact number first, then numbers starting with what was typed."""

    def find(user, q: str, limit: int) -> list:
        from gridcheck.core.scoping import scope_queryset

        rows = scope_queryset(model._default_manager.select_related(*related), user)
        exact = list(rows.filter(**{field: q})[:limit])
        more = list(
            rows.filter(**{f"{field}__startswith": q})
            .exclude(**{field: q})
            .order_by(field)[: limit - len(exact)]
        )
        return [SearchHit(kind, str(obj), obj.get_absolute_url(), detail(obj)) for obj in exact + more]

    return find


menu = Menu()
dashboard = Registry("dashboard tile")
jobs = Registry("scheduled job")
exports = Registry("export")
imports = OrderedRegistry("import entity")
access = Registry("access rule")
landing = Registry("landing page")
todos = Registry("to-do item")
search = Registry("search provider")
