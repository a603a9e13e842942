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
  count and the filtered list that shows it.

A registry refuses a second entry under the same name, so two apps cannot silently replace each other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


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


# -------------------------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class DashboardTile:
    """A tile of the home page: ``template`` rendered with ``context(request)``; hidden unless ``allowed``."""

    template: str
    context: Callable[[object], dict]
    allowed: str | Callable[[object], bool]
    order: int = 100


# ------------------------------------------------------------------------------------------------ to-do


@dataclass(frozen=True)
class TodoItem:
    """A line of the home page's to-do list (待办事项): how many things wait for a user.

    ``count(user)`` counts them within the user's scope (0 hides the line); ``url(user)`` is the list
    that shows exactly them (filters in its query string). ``urgent`` marks lines of overdue things.
    Shown only when ``allowed`` (a capability name or ``user -> bool``).
    """

    label: object
    count: Callable[[object], int]
    url: Callable[[object], str]
    allowed: str | Callable[[object], bool]
    order: int = 100
    urgent: bool = False


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


menu = Menu()
dashboard = Registry("dashboard tile")
jobs = Registry("scheduled job")
exports = Registry("export")
imports = OrderedRegistry("import entity")
access = Registry("access rule")
landing = Registry("landing page")
todos = Registry("to-do item")
