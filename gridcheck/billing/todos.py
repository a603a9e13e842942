"""Billing's lines of the home page's to-do list: a reader's cycles still to read, bills to check,
refunds and back-bills, category changes and book changes waiting for a second person, reading anomalies
still open."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.billing import selectors
from gridcheck.billing.choices import AnomalyStatus, BillStatus, ChangeStatus, CycleStatus
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BookChange,
    CategoryChange,
    ReaderAnomaly,
    ReadingCycle,
)
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_STATION, CHECK_BILLS, READ_METERS
from gridcheck.core.scoping import scoped


def _cycles_to_read(user) -> QuerySet:
    """The open cycles of the user's own books whose reading day has come and whose meters are not all
    read."""
    return selectors.with_meters_unread(
        scoped(ReadingCycle, user).filter(
            book__reader=user, status=CycleStatus.OPEN, reading_date__lte=timezone.localdate()
        )
    )


def _bills_to_check(user) -> QuerySet:
    return scoped(Bill, user).filter(status=BillStatus.DRAFT)


def _adjustments(user) -> QuerySet:
    return scoped(BillAdjustment, user).filter(status=ChangeStatus.PENDING).exclude(prepared_by=user)


def _changes_to_check(user) -> QuerySet:
    return scoped(CategoryChange, user).filter(status=ChangeStatus.PENDING).exclude(applied_by=user)


def _changes_to_approve(user) -> QuerySet:
    return (
        scoped(CategoryChange, user)
        .filter(status=ChangeStatus.CHECKED)
        .exclude(applied_by=user)
        .exclude(checked_by=user)
    )


def _book_changes(user) -> QuerySet:
    return scoped(BookChange, user).filter(status=ChangeStatus.PENDING).exclude(requested_by=user)


def _anomalies(user) -> QuerySet:
    return scoped(ReaderAnomaly, user).filter(status=AnomalyStatus.OPEN)


TODOS = {
    "billing.reading": TodoItem(
        _("Reading cycles still to read"),
        _cycles_to_read,
        list_url("billing:reader_home"),
        READ_METERS,
        order=29,
    ),
    "billing.check": TodoItem(
        _("Bills to check before issue"),
        _bills_to_check,
        list_url("billing:bill_list", status=BillStatus.DRAFT),
        CHECK_BILLS,
        order=30,
    ),
    "billing.adjustments": TodoItem(
        _("Refunds and back-bills waiting for approval"),
        _adjustments,
        list_url("billing:adjustment_list", status=ChangeStatus.PENDING),
        APPROVE_STATION,
        order=31,
    ),
    "billing.category_check": TodoItem(
        _("Category changes to check"),
        _changes_to_check,
        list_url("billing:category_change_list", status=ChangeStatus.PENDING),
        CHECK_BILLS,
        order=32,
    ),
    "billing.category_approve": TodoItem(
        _("Category changes waiting for approval"),
        _changes_to_approve,
        list_url("billing:category_change_list", status=ChangeStatus.CHECKED),
        APPROVE_STATION,
        order=33,
    ),
    "billing.book_changes": TodoItem(
        _("Reading-book changes waiting for approval"),
        _book_changes,
        list_url("billing:book_list"),
        APPROVE_STATION,
        order=34,
    ),
    "billing.anomalies": TodoItem(
        _("Reading anomalies still open"),
        _anomalies,
        list_url("billing:anomaly_list", status=AnomalyStatus.OPEN),
        APPROVE_STATION,
        order=35,
    ),
}
