"""Loss management's lines of the home page's to-do list: flagged areas of the newest analysed month
without an analysis, rectification plans past their deadline, and areas whose theoretical loss is due."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS


def _analyses(user) -> QuerySet:
    from gridcheck.lineloss.selectors import analyses_missing

    return analyses_missing(user=user)


def _analyses_url(user) -> str:
    return reverse("lineloss:analysis_list") + "?pending=1"


def _plans(user) -> QuerySet:
    from gridcheck.lineloss.selectors import plans_overdue

    return plans_overdue(user=user)


def _theory(user) -> int:
    from gridcheck.lineloss.selectors import theoretical_due_count

    return theoretical_due_count(user=user)


TODOS = {
    "lineloss.analyses": TodoItem(
        _("Flagged areas without a loss analysis"), _analyses, _analyses_url, RECORD_LOSS_ANALYSIS, order=30
    ),
    "lineloss.plans_overdue": TodoItem(
        _("Rectification plans past their deadline"),
        _plans,
        list_url("lineloss:plan_list", overdue="1"),
        RECORD_LOSS_ANALYSIS,
        order=31,
        urgent=True,
    ),
    "lineloss.theory_due": TodoItem(
        _("Areas whose theoretical loss is due"),
        _theory,
        list_url("lineloss:theory_list"),
        MANAGE_LOSS_TARGETS,
        order=32,
    ),
}
