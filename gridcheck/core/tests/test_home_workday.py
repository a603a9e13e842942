"""Each role's working day on the floor: the menu ordered by role (daily sections first, the rest under
"More"), the bell with the unread count, the search box (account, meter, work order, case numbers within
the user's scope), the inspector's phone opening on their work orders."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gridcheck.core import registries
from gridcheck.core.context_processors import navigation
from gridcheck.core.registries import menu

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def _nav(user):
    request = RequestFactory().get("/")
    request.user = user
    return navigation(request)


def _urls(sections):
    return [item["url"] for section in sections for item in section["items"]]


def test_the_inspector_sees_inspection_first_and_their_own_work_orders_first(county):
    nav = _nav(county.users["inspector_east"])
    titles = [str(s["title"]) for s in nav["nav_sections"] if s["title"]]
    assert titles[0] == "用电检查"  # right after the home page
    inspection = next(s for s in nav["nav_sections"] if str(s["title"]) == "用电检查")
    assert inspection["items"][0]["url"] == reverse("inspections:my_work")
    # The archive is not the inspector's daily work: folded under "More", not gone.
    assert reverse("archive:customer_list") not in _urls(nav["nav_sections"])
    assert reverse("archive:customer_list") in _urls(nav["nav_more"])


def test_the_government_liaison_sees_hazards_and_messages_only(county):
    nav = _nav(county.users["liaison"])
    urls = _urls(nav["nav_sections"]) + _urls(nav["nav_more"])
    assert reverse("hazards:hazard_list") in _urls(nav["nav_sections"])
    assert not [u for u in urls if u.startswith(("/archive", "/cases", "/inspections", "/billing"))]


def test_the_administrator_keeps_every_section_in_the_default_order(county):
    nav = _nav(county.users["admin"])
    assert nav["nav_more"] == []
    keys = [key for key, _s in menu.keyed_sections()]
    assert keys[0] == "home" and keys[-1] == "organisation"


def test_every_role_list_names_registered_sections_only():
    keys = {key for key, _s in menu.keyed_sections()}
    # New apps (assessment, reports) may register their sections later; nothing else may be misspelt.
    for role, sections in registries.ROLE_MENU.items():
        assert set(sections) - keys <= {"assessment", "reports"}, role


def test_the_bell_shows_the_unread_count_on_every_page(county, login):
    from gridcheck.notifications.services import notify_people

    head = county.users["head_east"]
    notify_people([head], subject="案件待审批", body="案件 AJ-1 等待您审批", key="test.case.1")
    page = login("head_east").get(reverse("search")).content.decode()
    assert 'data-testid="bell"' in page
    assert 'data-testid="bell-count">1<' in page


@pytest.fixture
def finders():
    """The finders the apps register (archive, metering, inspections, cases) are in place."""
    assert {"archive.customers", "archive.meters", "inspections.work_orders", "cases.cases"} <= set(
        registries.search
    )


def test_an_exact_account_number_opens_the_customer(county, login, finders):
    customer = county.customers["east11"]
    response = login("head_east").get(reverse("search"), {"q": customer.account_number})
    assert response.status_code == 302 and response.url == customer.get_absolute_url()


def test_a_prefix_lists_the_matches_of_ones_own_station_only(county, login, finders):
    page = login("head_east").get(reverse("search"), {"q": "110"}).content.decode()
    east = county.customers["east11"].account_number
    assert east.startswith("110")  # east station S01: accounts 11..., 12...
    assert county.customers["east12"].get_absolute_url() in page
    assert 'data-testid="search-hit"' in page
    # The west station's customers (21..., 22...) never show for an east-station head.
    response = login("head_east").get(reverse("search"), {"q": county.customers["west11"].account_number})
    assert response.status_code == 200
    assert 'data-testid="search-nothing"' in response.content.decode()


def test_a_work_order_number_opens_the_work_order(county, login, finders):
    from gridcheck.inspections.services.work_orders import work_order_create

    order = work_order_create(
        source="manual",
        customer=county.customers["east11"],
        reason="用电检查",
        created_by=county.users["head_east"],
        due_on=datetime.date(2026, 12, 31),
    )
    response = login("inspector_east").get(reverse("search"), {"q": order.number})
    assert response.status_code == 302 and response.url == order.get_absolute_url()


def test_a_meter_asset_number_opens_the_meter_and_short_queries_are_refused(county, login, finders):
    meter = county.customers["east12"].metering_points.first().meters.first()
    response = login("auditor_east").get(reverse("search"), {"q": meter.asset_number})
    assert response.status_code == 302 and response.url == meter.get_absolute_url()
    page = login("auditor_east").get(reverse("search"), {"q": "M1"}).content.decode()
    assert 'data-testid="search-too-short"' in page


def test_the_liaison_searches_nothing_of_the_archive(county, login, finders):
    page = login("liaison").get(reverse("search"), {"q": county.customers["east11"].account_number})
    assert page.status_code == 200
    assert 'data-testid="search-nothing"' in page.content.decode()


def test_the_inspectors_phone_opens_on_their_work_orders_once(county, login):
    client = login("inspector_east")
    first = client.get(reverse("home"), HTTP_USER_AGENT=IPHONE)
    assert first.status_code == 302 and first.url == reverse("inspections:my_work")
    # Then the menu's "Dashboard" is the home page.
    assert client.get(reverse("home"), HTTP_USER_AGENT=IPHONE).status_code == 200


def test_a_desk_browser_and_other_roles_open_on_the_home_page(county, login):
    assert login("inspector2_east").get(reverse("home")).status_code == 200
    assert login("head_east").get(reverse("home"), HTTP_USER_AGENT=IPHONE).status_code == 200
