"""The reports' lines of the home page's to-do list: reports of the current periods in the user's scope
not generated yet, and those of them past their due day."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import VIEW_REPORTS
from gridcheck.reports import selectors


def _due(user) -> QuerySet:
    return selectors.reports_missing(user, today=timezone.localdate(), late=False)


def _late(user) -> QuerySet:
    return selectors.reports_missing(user, today=timezone.localdate(), late=True)


TODOS = {
    "reports.due": TodoItem(
        _("Reports due and not generated yet"), _due, list_url("reports:centre"), VIEW_REPORTS, order=90
    ),
    "reports.late": TodoItem(
        _("Reports past their due day, not generated"),
        _late,
        list_url("reports:centre"),
        VIEW_REPORTS,
        order=91,
        urgent=True,
    ),
}
