"""What supply contracts adds to the floor: its section's capability, menu entries, the daily job, the
import entity, and its receivers (no supply without a contract; breach cases linked to the contract)."""

from django.db.models.signals import post_save

from gridcheck.core.registries import access, jobs
from gridcheck.core.roles import VIEW_CONTRACTS
from gridcheck.core.schedule import Job, daily


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
    jobs.register("contracts.daily", Job("contracts.daily", daily, _daily))
    _connect()
