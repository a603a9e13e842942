"""Assessment's lines of the home page's to-do list: adjustments waiting for the station head's approval
(never one's own proposal, never on one's own scorecard) and scorecards waiting for sign-off."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.assessment.choices import ScorecardStatus
from gridcheck.assessment.selectors import adjustments_awaiting, scorecards_awaiting_signoff
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_STATION, VIEW_ASSESSMENT, has_capability


def _head(user) -> bool:
    return has_capability(user, VIEW_ASSESSMENT) and has_capability(user, APPROVE_STATION)


def _to_approve(user) -> QuerySet:
    return adjustments_awaiting(user).values("scorecard_id").distinct()


def _to_sign(user) -> QuerySet:
    return scorecards_awaiting_signoff(user)


TODOS = {
    "assessment.approve": TodoItem(
        _("Scorecards with deductions or bonuses awaiting approval"),
        _to_approve,
        list_url("assessment:scorecard_list", pending="true"),
        _head,
        order=40,
    ),
    "assessment.sign": TodoItem(
        _("Scorecards awaiting sign-off"),
        _to_sign,
        list_url("assessment:scorecard_list", status=ScorecardStatus.COMPUTED),
        _head,
        order=41,
    ),
}
