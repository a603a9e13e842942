"""What cases adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, SearchProvider, access, menu, number_finder, search, todos
from gridcheck.core.roles import VIEW_CASES


def register() -> None:
    access.register("cases", VIEW_CASES)
    from gridcheck.cases import chain as chain_card

    chain_card.register()
    from gridcheck.cases.models import Case

    search.register(
        "cases.cases",
        SearchProvider(
            _("Cases"),
            number_finder(Case, "number", _("case"), lambda c: c.customer.name, ("customer",)),
            VIEW_CASES,
            order=40,
        ),
    )
    menu.add_section("cases", _("Cases"), order=60)
    menu.add_item("cases", MenuItem(_("Theft and violation cases"), "cases:case_list", VIEW_CASES))
    from gridcheck.cases.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
