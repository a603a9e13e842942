"""What billing adds to the floor: its section's capability, menu entries."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, menu, todos
from gridcheck.core.roles import READ_METERS, VIEW_BILLING


def register() -> None:
    access.register("billing", VIEW_BILLING)
    menu.add_section("billing", _("Reading and billing"), order=45)
    menu.add_item("billing", MenuItem(_("My reading books"), "billing:reader_home", READ_METERS, order=0))
    menu.add_item("billing", MenuItem(_("Reading books"), "billing:book_list", VIEW_BILLING))
    menu.add_item("billing", MenuItem(_("Reading cycles"), "billing:cycle_list", VIEW_BILLING))
    menu.add_item("billing", MenuItem(_("Bills"), "billing:bill_list", VIEW_BILLING))
    menu.add_item("billing", MenuItem(_("Refunds and back-bills"), "billing:adjustment_list", VIEW_BILLING))
    menu.add_item("billing", MenuItem(_("Category changes"), "billing:category_change_list", VIEW_BILLING))
    menu.add_item("billing", MenuItem(_("Reading anomalies"), "billing:anomaly_list", VIEW_BILLING))
    from gridcheck.billing.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
