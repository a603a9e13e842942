"""What the seals app adds to the floor: its menu entries, in the inspection section."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu
from gridcheck.core.roles import VIEW_INSPECTIONS

# After the inspection entries (work orders, plans, campaigns, tip-offs: orders 0..5).
MENU_ORDER = 6


def register() -> None:
    # Seals and pliers are the inspectors' tools: read like the rest of the inspection section.
    access.register("seals", VIEW_INSPECTIONS)
    menu.add_section("inspections", _("Inspection"), order=80)
    menu.add_item("inspections", MenuItem(_("Seals"), "seals:seal_list", VIEW_INSPECTIONS, order=MENU_ORDER))
    menu.add_item(
        "inspections",
        MenuItem(_("Sealing pliers"), "seals:pliers_list", VIEW_INSPECTIONS, order=MENU_ORDER + 1),
    )
