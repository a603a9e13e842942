"""What lineloss adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, menu
from gridcheck.core.roles import VIEW


def register() -> None:
    menu.add_section("lineloss", _("Line loss"), order=30)
    menu.add_item("lineloss", MenuItem(_("Line-loss dashboard"), "lineloss:dashboard", VIEW, order=0))
    menu.add_item("lineloss", MenuItem(_("Area line loss"), "lineloss:areamonthloss_list", VIEW, order=1))
    menu.add_item("lineloss", MenuItem(_("Analysis runs"), "lineloss:run_list", VIEW, order=2))
    menu.add_item("lineloss", MenuItem(_("Loss targets"), "lineloss:losstarget_list", VIEW, order=3))
