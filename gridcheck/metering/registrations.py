"""What the metering asset ledger adds to the floor: its section's capability, menu entries, the asset
import/export entity (``metering_assets``, after the archive's meters) and the daily reminder job."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import (
    MenuItem,
    SearchProvider,
    access,
    exports,
    imports,
    jobs,
    menu,
    number_finder,
    search,
)
from gridcheck.core.roles import MANAGE_METERING, VIEW_METERING
from gridcheck.core.schedule import Job, daily

#: After the archive's meters (90): an asset names its metering point and archive meter.
IMPORT_ORDER = 95

MENU: list = [  # (label, url name, capability)
    (_("Asset ledger"), "metering:asset_list", VIEW_METERING),
    (_("Rotation due"), "metering:due_list", VIEW_METERING),
    (_("Obsolete types in use"), "metering:obsolete_list", VIEW_METERING),
    (_("Device types"), "metering:type_list", VIEW_METERING),
    (_("Faults"), "metering:fault_list", VIEW_METERING),
    (_("Rectification notices"), "metering:notice_list", VIEW_METERING),
    (_("Meter changes"), "metering:change_list", VIEW_METERING),
    (_("Acceptances"), "metering:acceptance_list", VIEW_METERING),
    (_("Record a meter change"), "metering:change_create", MANAGE_METERING),
    (_("Accept new metering"), "metering:acceptance_create", MANAGE_METERING),
]


def _daily(period: str):
    from gridcheck.metering.tasks import metering_daily_task

    return metering_daily_task.enqueue(period=period)


def register() -> None:
    access.register("metering", VIEW_METERING)
    from gridcheck.metering.models import Asset

    search.register(
        "metering.assets",
        SearchProvider(
            _("Metering assets"),
            number_finder(Asset, "asset_number", _("metering asset"), lambda a: a.get_status_display()),
            VIEW_METERING,
            order=25,
        ),
    )
    menu.add_section("metering", _("Metering assets"), order=52)
    for order, (label, url_name, capability) in enumerate(MENU):
        menu.add_item("metering", MenuItem(label, url_name, capability, order=order))
    from gridcheck.metering.importers import SPEC

    imports.register(SPEC.entity, SPEC, order=IMPORT_ORDER)
    exports.register(SPEC.entity, SPEC)
    jobs.register("metering.daily", Job("metering.daily", daily, _daily))
