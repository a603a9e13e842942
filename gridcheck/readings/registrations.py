"""What readings adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu
from gridcheck.core.roles import IMPORT, VIEW_METER_DATA


def register() -> None:
    access.register("readings", VIEW_METER_DATA)
    menu.add_section("readings", _("Meter data"), order=50)
    menu.add_item("readings", MenuItem(_("Reading rate"), "readings:dashboard", VIEW_METER_DATA, order=0))
    menu.add_item("readings", MenuItem(_("Import meter data"), "readings:import", IMPORT, order=1))
    menu.add_item(
        "readings", MenuItem(_("Meter-data imports"), "readings:import_list", VIEW_METER_DATA, order=2)
    )
