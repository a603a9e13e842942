"""Pages and API of seals and pliers: scoping of every page, the broken-seal form, the history card."""

import datetime

import pytest
from django.urls import reverse

from gridcheck.archive.models import Meter
from gridcheck.inspections.models import WorkOrder
from gridcheck.seals import services
from gridcheck.seals.models import Seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county):
    """A batch of seals and a pair of pliers at the east station (and nothing at the west)."""
    batch = services.seal_batch_create(
        station=county.stations["east"],
        prefix="DF",
        start_number=1,
        end_number=3,
        received_on=datetime.date(2026, 11, 1),
        received_by=county.users["head_east"],
    )
    return {
        "seal": batch.seals.first(),
        "pliers": services.pliers_create(station=county.stations["east"], code="FQ-01"),
    }


def detail_pages(w):
    return [reverse("seals:seal_detail", args=[w["seal"].pk])]


def detail_api(w):
    return [f"/api/inspections/seals/{w['seal'].pk}/"]


LIST_URLS = [
    ("seals:seal_list", "/api/inspections/seals/"),
    ("seals:pliers_list", None),
]


def test_every_page_opens_for_the_station(login, world):
    client = login("inspector_east")
    for url in detail_pages(world) + detail_api(world):
        assert client.get(url).status_code == 200, url
    for name, api in LIST_URLS:
        assert client.get(reverse(name)).status_code == 200, name
        if api:
            assert client.get(api).json()["count"] >= 1, api


def test_other_station_sees_nothing(login, world):
    client = login("inspector_west")
    for url in detail_pages(world) + detail_api(world):
        assert client.get(url).status_code == 404, url
    for _name, api in LIST_URLS:
        if api:
            assert client.get(api).json()["count"] == 0, api


def test_anonymous_is_sent_to_login(client, world):
    for url in detail_pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_broken_seal_page_opens_work_order(login, county, world):
    seal = world["seal"]
    inspector = county.users["inspector_east"]
    services.seal_issue(seals=[seal], staff=inspector, by=county.users["head_east"])
    services.seal_use(
        seal=seal, meter=Meter.objects.get(asset_number="M1100000001"), used_by=inspector, reason="inspection"
    )
    client = login("inspector_east")
    url = reverse("seals:seal_action", args=[seal.pk, "break"])
    client.post(url, {"kind": "unsealed", "reason": "换表"})
    assert Seal.objects.get(pk=seal.pk).status == "used"  # one person: refused
    client.post(url, {"kind": "found_broken", "reason": "封印断开"})
    assert Seal.objects.get(pk=seal.pk).status == "broken"
    assert WorkOrder.objects.filter(source="seal", customer__account_number="1100000001").exists()


def test_history_card_shows_state_changes(login, world):
    client = login("head_east")
    seal_page = client.get(reverse("seals:seal_detail", args=[world["seal"].pk])).content.decode()
    assert 'data-testid="history"' in seal_page
