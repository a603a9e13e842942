"""What users adds to the floor: its menu entries, and the staff and qualification import specs (with
their place in the load order, see ``gridcheck.archive.registrations.IMPORT_ORDER``) and exports."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, exports, imports, menu
from gridcheck.core.roles import VIEW_STAFF


def register() -> None:
    access.register("users", VIEW_STAFF)
    menu.add_section("organisation", _("Organisation"), order=900)
    menu.add_item("organisation", MenuItem(_("Staff"), "users:user_list", VIEW_STAFF, order=0))
    menu.add_item(
        "organisation", MenuItem(_("Qualifications"), "users:qualification_list", VIEW_STAFF, order=1)
    )
    from gridcheck.users.importers import QUALIFICATIONS, STAFF

    # After the stations (10), before the lines (40) and areas (50): an area names its manager.
    for order, spec in ((20, STAFF), (30, QUALIFICATIONS)):
        imports.register(spec.entity, spec, order=order)
        exports.register(spec.entity, spec)
