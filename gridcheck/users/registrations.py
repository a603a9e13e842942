"""What users adds to the floor: its menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu
from gridcheck.core.roles import MANAGE_STAFF, VIEW_STAFF


def register() -> None:
    access.register("users", VIEW_STAFF)
    menu.add_section("organisation", _("Organisation"), order=900)
    menu.add_item("organisation", MenuItem(_("Staff"), "users:user_list", VIEW_STAFF, order=0))
    menu.add_item(
        "organisation", MenuItem(_("Qualifications"), "users:qualification_list", MANAGE_STAFF, order=1)
    )
