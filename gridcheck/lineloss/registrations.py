"""What lineloss adds to the floor: its menu entries, its to-do lines and its XLSX export entities."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, exports, menu, todos
from gridcheck.core.roles import VIEW_LINELOSS

MENU = [  # (label, url name)
    (_("Line-loss dashboard"), "lineloss:dashboard"),
    (_("Area line loss"), "lineloss:areamonthloss_list"),
    (_("Analysis runs"), "lineloss:run_list"),
    (_("Loss targets"), "lineloss:losstarget_list"),
    (_("Targets of the month"), "lineloss:target_manage"),
    (_("Loss analyses"), "lineloss:analysis_list"),
    (_("Rectification plans"), "lineloss:plan_list"),
    (_("Theoretical loss"), "lineloss:theory_list"),
    (_("Four-way loss view"), "lineloss:fourway"),
    (_("Line loss by line"), "lineloss:linemonthloss_list"),
]


def register() -> None:
    access.register("lineloss", VIEW_LINELOSS)
    menu.add_section("lineloss", _("Line loss"), order=30)
    for order, (label, url_name) in enumerate(MENU):
        menu.add_item("lineloss", MenuItem(label, url_name, VIEW_LINELOSS, order=order))
    from gridcheck.lineloss.exports import EXPORTS
    from gridcheck.lineloss.todos import TODOS

    for spec in EXPORTS:
        exports.register(spec.entity, spec)
    for name, item in TODOS.items():
        todos.register(name, item)
