"""Census pages: each page answers, the phone visit submits JSON, the desk proposes and approves."""

import json

import pytest

from gridcheck.census import services
from gridcheck.census.models import CensusCampaign, CensusRecord, Discrepancy
from gridcheck.census.tests.conftest import clean_data, quarter_first, quarter_now


@pytest.fixture
def recorded(county, campaign):
    customer = county.customers["east11"]
    return services.record_save(
        user=county.users["inspector_east"],
        campaign=campaign,
        customer=customer,
        data=clean_data(customer, category_seen="commercial"),
    )


def test_pages_answer(county, login, campaign, recorded):
    client = login("head_east")
    d = Discrepancy.objects.get()
    for url in (
        "/census/campaigns/",
        f"/census/campaigns/{campaign.pk}/",
        "/census/discrepancies/",
        f"/census/discrepancies/{d.pk}/",
        f"/census/records/{recorded.pk}/",
        "/census/campaigns/new/",
        "/census/work/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/census/campaigns/{campaign.pk}/").content.decode()
    assert 'id="gc-census-chart-data"' in page and "<script>" not in page
    export = client.get("/census/discrepancies/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    west = login("inspector_west")
    assert west.get(f"/census/campaigns/{campaign.pk}/").status_code == 404
    assert west.get(f"/census/discrepancies/{d.pk}/").status_code == 404
    assert login("reader_east").get("/census/campaigns/").status_code == 403


def test_phone_visit_posts_json_and_refuses_outside_areas(county, login, campaign):
    client = login("inspector_east")
    customer = county.customers["east12"]
    url = f"/census/visit/{customer.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and b"census/visit.js" in page.content
    answer = client.post(
        url, json.dumps(clean_data(customer, capacity_seen_kva="99")), content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["ok"]
    record = CensusRecord.objects.get(customer=customer)
    assert list(record.discrepancies.values_list("kind", flat=True)) == ["capacity"]
    outside = county.customers["east21"]
    answer = client.post(
        f"/census/visit/{outside.pk}/",
        json.dumps(clean_data(outside)),
        content_type="application/json",
    )
    assert answer.status_code == 400 and outside.account_number in answer.json()["errors"][0]


def test_campaign_planned_on_the_page(county, login):
    client = login("head_east")
    east1, east2 = county.areas["east1"], county.areas["east2"]
    data = {
        "station": county.stations["east"].pk,
        "quarter": quarter_now(),
        "starts_on": quarter_first().isoformat(),
        "ends_on": quarter_first().isoformat(),
        "areas": [east1.pk, east2.pk],
        "team1-name": "甲",
        "team1-members": [county.users["inspector_east"].pk],
        "team1-areas": [east1.pk],
    }
    answer = client.post("/census/campaigns/new/", data)
    assert answer.status_code == 200 and not CensusCampaign.objects.exists()  # a team of one
    data["team1-members"] = [county.users["inspector_east"].pk, county.users["manager_east"].pk]
    answer = client.post("/census/campaigns/new/", data)
    campaign = CensusCampaign.objects.get()
    assert answer.status_code == 302 and answer["Location"] == campaign.get_absolute_url()
    assert campaign.teams.get().members.count() == 2
    assert login("inspector_east").post("/census/campaigns/new/", data).status_code == 403


def test_propose_and_approve_on_the_pages(county, login, campaign, recorded):
    d = Discrepancy.objects.get()
    inspector = login("inspector_east")
    inspector.post(
        f"/census/discrepancies/{d.pk}/propose/",
        {"resolution": "category_change", "new_tariff_code": "GEN-1", "note": "现场为商铺"},
    )
    d.refresh_from_db()
    assert d.status == "proposed"
    assert inspector.post(f"/census/discrepancies/{d.pk}/decide/", {"decision": "approve"}).status_code == 403
    login("head_east").post(f"/census/discrepancies/{d.pk}/decide/", {"decision": "approve"})
    d.refresh_from_db()
    assert d.status == "done" and d.category_change.new_tariff_code == "GEN-1"
