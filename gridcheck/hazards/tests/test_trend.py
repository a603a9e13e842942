"""The dashboard's monthly trend: hazards found and rectified per month, counted in one query, each month
from its first to its last day."""

import datetime

import pytest

from gridcheck.hazards import selectors
from gridcheck.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def test_found_and_rectified_per_month(county, make_hazard, django_assert_num_queries):
    head = county.users["head_east"]
    for day in (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30), datetime.date(2026, 11, 3)):
        make_hazard(found_on=day)
    west = make_hazard(customer_key="west11", found_on=datetime.date(2026, 10, 31))  # not the east head's
    Hazard.objects.filter(found_on=datetime.date(2026, 9, 30)).update(rectified_on=datetime.date(2026, 10, 1))
    Hazard.objects.filter(pk=west.pk).update(rectified_on=datetime.date(2026, 10, 31))
    with django_assert_num_queries(1):
        trend = selectors.monthly_trend(user=head, months=4, today=datetime.date(2026, 12, 6))
    assert trend == {
        "labels": ["2026-09", "2026-10", "2026-11", "2026-12"],
        "found": [2, 0, 1, 0],
        "rectified": [0, 1, 0, 0],
    }
    admin = selectors.monthly_trend(user=county.users["admin"], months=4, today=datetime.date(2026, 12, 6))
    assert admin["found"] == [2, 1, 1, 0] and admin["rectified"] == [0, 2, 0, 0]
