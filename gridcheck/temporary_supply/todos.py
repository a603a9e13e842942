"""Temporary supply's lines of the home page's to-do list: applications and extensions waiting for a
second person, and supplies past their end not yet ended."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_STATION, MANAGE_CONTRACTS
from gridcheck.core.scoping import scoped
from gridcheck.temporary_supply.choices import Ledger, SupplyStatus


def _applications(user) -> QuerySet:
    from gridcheck.temporary_supply.models import TemporarySupply

    return scoped(TemporarySupply, user).filter(status=SupplyStatus.APPLIED).exclude(prepared_by=user)


def _extensions(user) -> QuerySet:
    from gridcheck.temporary_supply.models import TemporarySupply

    return (
        scoped(TemporarySupply, user)
        .filter(status=SupplyStatus.EXTENSION_REQUESTED)
        .exclude(prepared_by=user)
    )


def _overdue(user) -> QuerySet:
    from gridcheck.temporary_supply.selectors import ledger_filter, supplies_for

    return ledger_filter(supplies_for(user), Ledger.OVERDUE)


TODOS = {
    "temporary_supply.applications": TodoItem(
        _("Temporary-supply applications waiting for approval"),
        _applications,
        list_url("temporary_supply:supply_list", status=SupplyStatus.APPLIED),
        APPROVE_STATION,
        order=47,
    ),
    "temporary_supply.extensions": TodoItem(
        _("Temporary-supply extensions waiting for approval"),
        _extensions,
        list_url("temporary_supply:supply_list", status=SupplyStatus.EXTENSION_REQUESTED),
        APPROVE_STATION,
        order=48,
    ),
    "temporary_supply.overdue": TodoItem(
        _("Temporary supplies past their end"),
        _overdue,
        list_url("temporary_supply:supply_list", ledger=Ledger.OVERDUE),
        MANAGE_CONTRACTS,
        order=49,
        urgent=True,
    ),
}
