"""Cases' lines of the home page's to-do list: cases waiting for the user's approval."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.cases.choices import CaseStatus
from gridcheck.cases.models import Case
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_COUNTY, APPROVE_STATION, HANDLE_CASES, has_capability
from gridcheck.core.scoping import scoped


def _to_approve(user) -> QuerySet:
    pending = scoped(Case, user).filter(status=CaseStatus.PENDING_APPROVAL).exclude(created_by=user)
    if not has_capability(user, APPROVE_COUNTY):
        # The county's step of a case that needs it is not the station head's.
        pending = pending.exclude(needs_county_approval=True, approvals__level="station")
    return pending.distinct()


def _returned(user) -> QuerySet:
    return scoped(Case, user).filter(status=CaseStatus.REJECTED, created_by=user)


TODOS = {
    "cases.approve": TodoItem(
        _("Cases waiting for your approval"),
        _to_approve,
        list_url("cases:case_list", status=CaseStatus.PENDING_APPROVAL),
        APPROVE_STATION,
        order=20,
    ),
    "cases.returned": TodoItem(
        _("Your cases returned (rejected)"),
        _returned,
        list_url("cases:case_list", status=CaseStatus.REJECTED),
        HANDLE_CASES,
        order=21,
    ),
}
