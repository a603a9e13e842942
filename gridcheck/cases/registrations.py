"""What cases adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu, todos
from gridcheck.core.roles import VIEW_CASES


def register() -> None:
    access.register("cases", VIEW_CASES)
    menu.add_section("cases", _("Cases"), order=60)
    menu.add_item("cases", MenuItem(_("Theft and violation cases"), "cases:case_list", VIEW_CASES))
    from gridcheck.cases.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
