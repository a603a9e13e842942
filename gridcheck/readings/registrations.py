"""What readings adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, menu
from gridcheck.core.roles import IMPORT, VIEW


def register() -> None:
    menu.add_section("readings", _("Meter data"), order=50)
    menu.add_item("readings", MenuItem(_("Reading rate"), "readings:dashboard", VIEW, order=0))
    menu.add_item("readings", MenuItem(_("Import meter data"), "readings:import", IMPORT, order=1))
    menu.add_item("readings", MenuItem(_("Meter-data imports"), "readings:import_list", VIEW, order=2))
