"""What supply contracts adds to the floor: its section's capability, menu entries, the daily job
(contracts in force / expired, expiry reminders), the import and export entity ``contracts``, and its
receivers (no supply without a contract; breach cases linked to the contract)."""

from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import MenuItem, access, exports, imports, jobs, menu
from gridcheck.core.roles import MANAGE_CONTRACTS, VIEW_CONTRACTS
from gridcheck.core.schedule import Job, daily

#: After the customers (70), metering points and meters (80, 90) and metering assets (95).
IMPORT_ORDER = 110

MENU: list = [  # (label, url name, capability)
    (_("Supply contracts"), "contracts:contract_list", VIEW_CONTRACTS),
    (_("Contracts expiring soon"), "contracts:expiring_list", VIEW_CONTRACTS),
    (_("Customers without a contract"), "contracts:missing_list", VIEW_CONTRACTS),
    (_("New contract"), "contracts:contract_draft", MANAGE_CONTRACTS),
]


def _daily(period: str):
    from gridcheck.contracts.tasks import contracts_daily_task

    return contracts_daily_task.enqueue(period=period)


def _connect() -> None:
    from gridcheck.archive.signals import customer_activating
    from gridcheck.cases.models import Case
    from gridcheck.contracts.receivers import link_new_case, refuse_activation_without_contract

    customer_activating.connect(
        refuse_activation_without_contract, dispatch_uid="contracts.no_supply_without"
    )
    post_save.connect(link_new_case, sender=Case, dispatch_uid="contracts.link_case")


def register() -> None:
    access.register("contracts", VIEW_CONTRACTS)
    menu.add_section("contracts", _("Supply contracts"), order=46)
    for order, (label, url_name, capability) in enumerate(MENU):
        menu.add_item("contracts", MenuItem(label, url_name, capability, order=order))
    jobs.register("contracts.daily", Job("contracts.daily", daily, _daily))
    from gridcheck.contracts.importers import SPEC

    imports.register(SPEC.entity, SPEC, order=IMPORT_ORDER)
    exports.register(SPEC.entity, SPEC)
    _connect()
