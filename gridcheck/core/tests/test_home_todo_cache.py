"""The home page's to-do list is counted once a minute per user and kept in the cache: each user's own
lines (never another user's or another station's), forgotten after any write through a page, recounted
after ``TODO_CACHE_S`` seconds whatever happened without a request."""

import datetime
import time

import pytest
from django.test import Client
from django.urls import reverse

from gridcheck.cases import services as cases
from gridcheck.core.registries import TODO_CACHE_S

pytestmark = pytest.mark.django_db

PENDING = reverse("cases:case_list") + "?status=pending_approval"
RETURNED = reverse("cases:case_list") + "?status=rejected"


def _home(county, who: str) -> str:
    client = Client()
    client.force_login(county.users[who], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _notified_case(county, key="east11", by="inspector_east"):
    """A case computed and notified, ready to be submitted for approval."""
    user = county.users[by]
    case = cases.case_create(
        customer=county.customers[key],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts="表前绕越接线",
        created_by=user,
    )
    case = cases.case_compute(case=case, user=user)
    return cases.case_notify(case=case, signed_by_customer=True, signer_name="张三", user=user)


def test_each_user_keeps_their_own_list_never_another_users_or_stations(county):
    east = cases.case_submit_for_approval(case=_notified_case(county), user=county.users["inspector_east"])
    cases.case_approve(
        case=east, user=county.users["head_east"], level="station", decision="reject", comment="证据不足"
    )
    west = _notified_case(county, key="west11", by="inspector_west")
    cases.case_submit_for_approval(case=west, user=county.users["inspector_west"])
    # Each one's list is kept after their first visit; the next user of the same station and role
    # (inspector2_east), or of another scope (the east head, the county-wide administrator), does not get it.
    for _ in range(2):
        assert f'href="{RETURNED}"' in _home(county, "inspector_east")
        assert f'href="{RETURNED}"' not in _home(county, "inspector2_east")
        assert f'href="{PENDING}"' in _home(county, "admin")
        assert f'href="{PENDING}"' not in _home(county, "head_east")


def test_the_list_says_when_it_was_counted(county):
    page = _home(county, "head_east")
    assert 'data-testid="todo-as-of"' in page
    assert "统计于" in page


def test_a_write_through_a_page_shows_at_the_next_visit(county):
    case = _notified_case(county)
    assert f'href="{PENDING}"' not in _home(county, "head_east")  # counted and kept: nothing waits
    inspector = Client()
    inspector.force_login(county.users["inspector_east"], backend="django.contrib.auth.backends.ModelBackend")
    inspector.post(reverse("cases:case_submit", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "pending_approval"
    assert f'href="{PENDING}"' in _home(county, "head_east")


def test_a_change_without_a_request_shows_once_the_kept_list_is_older_than_its_time(county, monkeypatch):
    case = _notified_case(county)
    assert f'href="{PENDING}"' not in _home(county, "head_east")
    cases.case_submit_for_approval(case=case, user=county.users["inspector_east"])  # e.g. a job, no request
    assert f'href="{PENDING}"' not in _home(county, "head_east")  # still the kept count
    later = time.time() + TODO_CACHE_S + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert f'href="{PENDING}"' in _home(county, "head_east")
