"""What detection adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, menu
from gridcheck.core.roles import VIEW


def register() -> None:
    menu.add_section("detection", _("Theft detection"), order=40)
    menu.add_item("detection", MenuItem(_("Theft suspects"), "detection:suspect_list", VIEW, order=0))
    menu.add_item("detection", MenuItem(_("Detection runs"), "detection:run_list", VIEW, order=1))
