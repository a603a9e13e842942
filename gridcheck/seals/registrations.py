"""What the seals app adds to the floor: its menu entries, in the inspection section."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, menu
from gridcheck.core.roles import VIEW

# After the inspection entries (work orders, plans, campaigns, tip-offs: orders 0..5).
MENU_ORDER = 6


def register() -> None:
    menu.add_section("inspections", _("Inspection"), order=80)
    menu.add_item("inspections", MenuItem(_("Seals"), "seals:seal_list", VIEW, order=MENU_ORDER))
    menu.add_item(
        "inspections", MenuItem(_("Sealing pliers"), "seals:pliers_list", VIEW, order=MENU_ORDER + 1)
    )
