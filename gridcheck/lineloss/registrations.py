"""What lineloss adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu
from gridcheck.core.roles import VIEW_LINELOSS


def register() -> None:
    access.register("lineloss", VIEW_LINELOSS)
    menu.add_section("lineloss", _("Line loss"), order=30)
    menu.add_item(
        "lineloss", MenuItem(_("Line-loss dashboard"), "lineloss:dashboard", VIEW_LINELOSS, order=0)
    )
    menu.add_item(
        "lineloss", MenuItem(_("Area line loss"), "lineloss:areamonthloss_list", VIEW_LINELOSS, order=1)
    )
    menu.add_item("lineloss", MenuItem(_("Analysis runs"), "lineloss:run_list", VIEW_LINELOSS, order=2))
    menu.add_item("lineloss", MenuItem(_("Loss targets"), "lineloss:losstarget_list", VIEW_LINELOSS, order=3))
