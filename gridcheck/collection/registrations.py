"""What collection adds to the floor: its section's capability, menu entries, and its subscription to
billing's announcements (issued bills become receivables; approved adjustments change them)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.billing.signals import bill_adjusted, bills_issued
from gridcheck.core.registries import access, menu
from gridcheck.core.roles import VIEW_COLLECTION


def _on_bills_issued(sender, *, cycle, bill_ids, user=None, **kwargs) -> None:
    from gridcheck.collection.services.receivables import receivables_create

    receivables_create(bill_ids=bill_ids, user=user)


def _on_bill_adjusted(sender, *, bill, adjustment, user=None, **kwargs) -> None:
    from gridcheck.collection.services.receivables import receivable_follow_adjustment

    receivable_follow_adjustment(bill=bill, user=user, note=adjustment.reason)


def register() -> None:
    access.register("collection", VIEW_COLLECTION)
    menu.add_section("collection", _("Collection"), order=47)
    bills_issued.connect(_on_bills_issued, dispatch_uid="collection.bills_issued")
    bill_adjusted.connect(_on_bill_adjusted, dispatch_uid="collection.bill_adjusted")
