"""What inspections adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu
from gridcheck.core.roles import VIEW_INSPECTIONS


def register() -> None:
    access.register("inspections", VIEW_INSPECTIONS)
    menu.add_section("inspections", _("Inspection"), order=80)
    for order, (label, url_name) in enumerate(
        [
            (_("Work orders"), "inspections:workorder_list"),
            (_("Overdue work orders"), "inspections:workorder_overdue"),
            (_("My work orders"), "inspections:my_work"),
            (_("Inspection plans"), "inspections:plan_list"),
            (_("Campaigns"), "inspections:campaign_list"),
            (_("Tip-offs"), "inspections:tipoff_list"),
            (_("Seals"), "inspections:seal_list"),
            (_("Sealing pliers"), "inspections:pliers_list"),
        ]
    ):
        menu.add_item("inspections", MenuItem(label, url_name, VIEW_INSPECTIONS, order=order))
