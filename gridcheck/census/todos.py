"""The census's lines of the home page's to-do list: customers one's team still has to visit, and
resolutions proposed by someone else that wait for the station head."""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.choices import CustomerStatus
from gridcheck.archive.models import Customer
from gridcheck.census.choices import CampaignStatus, DiscrepancyStatus, RecordStatus
from gridcheck.census.models import CensusRecord, Discrepancy
from gridcheck.census.selectors import teams_of
from gridcheck.core.registries import TodoItem, list_url
from gridcheck.core.roles import APPROVE_STATION, FIELD_WORK, VIEW_CENSUS, has_capability
from gridcheck.core.scoping import scoped


def _to_visit(user) -> int:
    total = 0
    for team in teams_of(user).filter(campaign__status=CampaignStatus.RUNNING):
        done = CensusRecord.objects.filter(
            campaign_id=team.campaign_id, customer_id=OuterRef("pk"), status=RecordStatus.SUBMITTED
        )
        total += (
            Customer.objects.filter(area__in=team.areas.all())
            .exclude(status=CustomerStatus.CLOSED)
            .exclude(Exists(done))
            .count()
        )
    return total


def _to_approve(user) -> QuerySet:
    return scoped(Discrepancy, user).filter(status=DiscrepancyStatus.PROPOSED).exclude(proposed_by=user)


def _field(user) -> bool:
    return has_capability(user, VIEW_CENSUS) and has_capability(user, FIELD_WORK)


TODOS = {
    "census.visit": TodoItem(
        _("Customers your census team still has to visit"),
        _to_visit,
        list_url("census:my_census"),
        _field,
        order=15,
    ),
    "census.approve": TodoItem(
        _("Census discrepancies waiting for approval"),
        _to_approve,
        list_url("census:discrepancy_list", status=DiscrepancyStatus.PROPOSED),
        lambda user: has_capability(user, VIEW_CENSUS) and has_capability(user, APPROVE_STATION),
        order=16,
    ),
}
