"""The census on the home page's to-do list: the customers a team member still has to visit."""

import pytest

from gridcheck.census import services
from gridcheck.census.choices import CampaignStatus
from gridcheck.census.tests.conftest import clean_data
from gridcheck.core.views import todo_list

pytestmark = pytest.mark.django_db


def _to_visit(user) -> int:
    from django.urls import reverse

    return sum(t.count for t in todo_list(user) if t.url == reverse("census:my_census"))


def test_a_team_member_sees_the_customers_left_to_visit_once_the_census_runs(county, campaign):
    inspector = county.users["inspector_east"]
    assert _to_visit(inspector) == 0  # planned, not started
    campaign = services.campaign_move(
        user=county.users["head_east"], campaign=campaign, to=CampaignStatus.RUNNING
    )
    assert _to_visit(inspector) == 2  # the two customers of area east1
    customer = county.customers["east11"]
    services.record_save(user=inspector, campaign=campaign, customer=customer, data=clean_data(customer))
    assert _to_visit(inspector) == 1
    assert _to_visit(county.users["inspector_west"]) == 0
