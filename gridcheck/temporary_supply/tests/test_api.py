"""Temporary supply API: scoped list and detail, the actions through the services."""

import datetime

import pytest

from gridcheck.temporary_supply.tests.helpers import apply, prepay, today

pytestmark = pytest.mark.django_db
API = "/api/temporary-supply/supplies/"


def test_api_scope_and_actions(county, login):
    east = apply(county)
    west = apply(county, key="west", user="admin")
    client = login("head_east")
    listing = client.get(API).json()
    numbers = (
        [row["number"] for row in listing["results"]]
        if "results" in listing
        else [r["number"] for r in listing]
    )
    assert numbers == [east.number]
    assert client.get(f"{API}{west.pk}/").status_code == 404
    assert client.post(f"{API}{west.pk}/approve/", {}).status_code == 404
    response = client.post(f"{API}{east.pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    client = login("auditor_east")
    refused = client.post(f"{API}{east.pk}/connect/", {}, content_type="application/json")
    assert refused.status_code == 400
    prepay(county, east)
    ok = client.post(f"{API}{east.pk}/connect/", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "connected"
    new_end = (east.end_on + datetime.timedelta(days=10)).isoformat()
    ext = client.post(
        f"{API}{east.pk}/extend/",
        {"new_end_on": new_end, "reason": "工期"},
        content_type="application/json",
    )
    assert ext.status_code == 200 and ext.json()["status"] == "extension_requested"
    mine = client.post(
        f"{API}{east.pk}/extension-decide/",
        {"approve": True},
        content_type="application/json",
    )
    assert mine.status_code == 403  # the auditor prepared it (and lacks approve_station)
    closed = client.post(
        f"{API}{east.pk}/close/",
        {"completion": "removed", "closed_on": today().isoformat()},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["refund_yuan"] == "1560.00"


def test_api_apply_refuses_long_term(county, login):
    client = login("auditor_east")
    start = today()
    body = {
        "area": county.areas["east1"].code,
        "applicant_name": "某公司",
        "applied_on": start.isoformat(),
        "purpose": "施工",
        "address": "某地",
        "capacity_kva": "10",
        "tariff_code": "GEN-1",
        "start_on": start.isoformat(),
        "end_on": (start + datetime.timedelta(days=190)).isoformat(),
        "metering_mode": "capacity_time",
    }
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 400 and "end_on" in response.json()
    body["area"] = county.areas["west1"].code
    body["end_on"] = (start + datetime.timedelta(days=30)).isoformat()
    assert client.post(API, body, content_type="application/json").status_code == 400
    body["area"] = county.areas["east1"].code
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "applied"
