"""What collection adds to the floor: its section's capability, menu entries, the daily job, and its
subscription to billing's announcements (issued bills become receivables; approved adjustments change
them)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.billing.signals import bill_adjusted, bills_issued
from gridcheck.core.registries import MenuItem, access, dashboard, jobs, menu, todos
from gridcheck.core.roles import COLLECT, MANAGE_COLLECTION, VIEW_COLLECTION
from gridcheck.core.schedule import Job, daily


def _on_bills_issued(sender, *, cycle, bill_ids, user=None, **kwargs) -> None:
    from gridcheck.collection.services.receivables import receivables_create

    receivables_create(bill_ids=bill_ids, user=user)


def _on_bill_adjusted(sender, *, bill, adjustment, user=None, **kwargs) -> None:
    from gridcheck.collection.services.receivables import receivable_follow_adjustment

    receivable_follow_adjustment(bill=bill, user=user, note=adjustment.reason)


def _daily(period: str):
    from gridcheck.collection.jobs import enqueue_dunning_daily

    return enqueue_dunning_daily(period)


MENU = [
    (_("Collection dashboard"), "collection:dashboard", VIEW_COLLECTION),
    (_("Customer accounts"), "collection:account_list", COLLECT),
    (_("Payments"), "collection:payment_list", VIEW_COLLECTION),
    (_("Bank files"), "collection:bank_file_list", MANAGE_COLLECTION),
    (_("Reversals"), "collection:reversal_list", VIEW_COLLECTION),
    (_("Dunning notices"), "collection:dunning_list", VIEW_COLLECTION),
    (_("Dunning notices due"), "collection:dunning_due", VIEW_COLLECTION),
    (_("Disconnections for arrears"), "collection:disconnection_list", VIEW_COLLECTION),
    (_("Arrears and ageing"), "collection:arrears", VIEW_COLLECTION),
    (_("Recovery and remittance"), "collection:recovery", VIEW_COLLECTION),
    (_("Late-fee income"), "collection:late_fee_income", VIEW_COLLECTION),
    (_("Daily cash report"), "collection:daily_cash", VIEW_COLLECTION),
    (_("Bank deposits"), "collection:deposit_list", VIEW_COLLECTION),
    (_("Reconciliation"), "collection:reconciliation", VIEW_COLLECTION),
    (_("Rural electricians' collections"), "collection:rural_collections", VIEW_COLLECTION),
    (_("Receipt and invoice stock"), "collection:stock_list", VIEW_COLLECTION),
    (_("Month close"), "collection:month_close", MANAGE_COLLECTION),
]


def register() -> None:
    access.register("collection", VIEW_COLLECTION)
    menu.add_section("collection", _("Collection"), order=47)
    for label, url_name, capability in MENU:
        menu.add_item("collection", MenuItem(label, url_name, capability))
    from gridcheck.collection.dashboard import TILE

    dashboard.register("collection.figures", TILE)
    # Late fees brought up to the day, then notices settled, issued and reminders queued.
    jobs.register("collection.daily", Job("collection.daily", daily, _daily))
    bills_issued.connect(_on_bills_issued, dispatch_uid="collection.bills_issued")
    bill_adjusted.connect(_on_bill_adjusted, dispatch_uid="collection.bill_adjusted")
    from gridcheck.collection.todos import TODOS

    for name, item in TODOS.items():
        todos.register(name, item)
