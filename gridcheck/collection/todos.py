"""Collection's lines of the home page's to-do list: reversals, disconnections and cancelled receipts
waiting for a second person."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.collection.choices import DecisionStatus, DisconnectionStatus
from gridcheck.collection.models import Disconnection, ReceiptCancellation, Reversal
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, MANAGE_COLLECTION, has_capability
from gridcheck.core.scoping import scoped


def _reversals(user) -> QuerySet:
    return scoped(Reversal, user).filter(status=DecisionStatus.PENDING).exclude(requested_by=user)


def _disconnections(user) -> QuerySet:
    waiting = Q(status=DisconnectionStatus.PROPOSED)
    if has_capability(user, APPROVE_COUNTY):
        waiting |= Q(status=DisconnectionStatus.COUNTY_PENDING)
    return scoped(Disconnection, user).filter(waiting).exclude(proposed_by=user)


def _cancellations(user) -> QuerySet:
    return scoped(ReceiptCancellation, user).filter(status=DecisionStatus.PENDING).exclude(cancelled_by=user)


TODOS = {
    "collection.reversals": TodoItem(
        _("Payment reversals waiting for approval"),
        _reversals,
        list_url("collection:reversal_list", status=DecisionStatus.PENDING),
        APPROVE_STATION,
        order=40,
    ),
    "collection.disconnections": TodoItem(
        _("Disconnections for arrears waiting for approval"),
        _disconnections,
        list_url("collection:disconnection_list", status=DisconnectionStatus.PROPOSED),
        APPROVE_STATION,
        order=41,
    ),
    "collection.cancellations": TodoItem(
        _("Cancelled receipts to check"),
        _cancellations,
        list_url("collection:stock_list"),
        MANAGE_COLLECTION,
        order=42,
    ),
}
