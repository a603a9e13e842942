"""Marketing audit's lines of the home page's to-do list: findings assigned to the user (the overdue
ones apart), rectifications to verify and "not a problem" requests to decide."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.audit import selectors
from gridcheck.audit.choices import FindingStatus
from gridcheck.audit.models import Finding
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import RUN_AUDIT, VIEW_AUDIT
from gridcheck.core.scoping import scoped

_MINE = (FindingStatus.OPEN, FindingStatus.ASSIGNED)


def _mine(user) -> QuerySet:
    return scoped(Finding, user).filter(assignee=user, status__in=_MINE)


def _mine_overdue(user) -> QuerySet:
    return scoped(Finding, user).filter(assignee=user).filter(selectors.overdue_q(timezone.localdate()))


def _to_verify(user) -> QuerySet:
    return scoped(Finding, user).filter(status=FindingStatus.RECTIFIED).exclude(assignee=user)


def _to_decide(user) -> QuerySet:
    return (
        scoped(Finding, user)
        .filter(status=FindingStatus.DISMISS_REQUESTED)
        .exclude(assignee=user)
        .exclude(dismiss_requested_by=user)
    )


TODOS = {
    "audit.mine": TodoItem(
        _("Audit findings assigned to you"),
        _mine,
        list_url("audit:finding_list", assignee="mine"),
        VIEW_AUDIT,
        order=50,
    ),
    "audit.mine_overdue": TodoItem(
        _("Your audit findings past their deadline"),
        _mine_overdue,
        list_url("audit:finding_list", assignee="mine", overdue="yes"),
        VIEW_AUDIT,
        order=51,
        urgent=True,
    ),
    "audit.verify": TodoItem(
        _("Rectified audit findings to verify"),
        _to_verify,
        list_url("audit:finding_list", status=FindingStatus.RECTIFIED),
        RUN_AUDIT,
        order=52,
    ),
    "audit.dismiss": TodoItem(
        _("“Not a problem” requests to decide"),
        _to_decide,
        list_url("audit:finding_list", status=FindingStatus.DISMISS_REQUESTED),
        RUN_AUDIT,
        order=53,
    ),
}
