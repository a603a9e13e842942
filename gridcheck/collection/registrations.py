"""What collection adds to the floor: its section's capability, menu entries, the daily job, and its
subscription to billing's announcements (issued bills become receivables; approved adjustments change
them)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.billing.signals import bill_adjusted, bills_issued
from gridcheck.core.registries import MenuItem, access, dashboard, jobs, menu
from gridcheck.core.roles import VIEW_COLLECTION
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
    (_("Collection dashboard"), "collection:dashboard"),
    (_("Recovery and remittance"), "collection:recovery"),
    (_("Arrears and ageing"), "collection:arrears"),
    (_("Late-fee income"), "collection:late_fee_income"),
    (_("Dunning notices"), "collection:dunning_list"),
    (_("Dunning notices due"), "collection:dunning_due"),
    (_("Disconnections for arrears"), "collection:disconnection_list"),
    (_("Receipt and invoice stock"), "collection:stock_list"),
    (_("Bank deposits"), "collection:deposit_list"),
    (_("Daily cash report"), "collection:daily_cash"),
    (_("Reconciliation"), "collection:reconciliation"),
    (_("Rural electricians' collections"), "collection:rural_collections"),
]


def register() -> None:
    access.register("collection", VIEW_COLLECTION)
    menu.add_section("collection", _("Collection"), order=47)
    for label, url_name in MENU:
        menu.add_item("collection", MenuItem(label, url_name, VIEW_COLLECTION))
    from gridcheck.collection.dashboard import TILE

    dashboard.register("collection.figures", TILE)
    # Late fees brought up to the day, then notices settled, issued and reminders queued.
    jobs.register("collection.daily", Job("collection.daily", daily, _daily))
    bills_issued.connect(_on_bills_issued, dispatch_uid="collection.bills_issued")
    bill_adjusted.connect(_on_bill_adjusted, dispatch_uid="collection.bill_adjusted")
