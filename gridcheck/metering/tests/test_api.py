"""API of the ledger: scoped lists and details, the due list, the meter change action."""

import datetime

import pytest

from gridcheck.metering.models import Asset, MeterChange

pytestmark = pytest.mark.django_db


def test_assets_scoped(login, county, synced):
    east = login("inspector_east").get("/api/metering/assets/").json()
    numbers = {row["asset_number"] for row in east["results"]}
    assert "M1100000001" in numbers and not any(n.startswith("M2") for n in numbers)
    west_asset = synced["M2100000001"]
    assert login("inspector_east").get(f"/api/metering/assets/{west_asset.pk}/").status_code == 404
    assert login("inspector_west").get(f"/api/metering/assets/{west_asset.pk}/").status_code == 200


def test_due_list(login, county, synced):
    Asset.objects.filter(asset_number="M1100000001").update(due_on=datetime.date(2020, 1, 1))
    rows = login("head_east").get("/api/metering/assets/due/?overdue=1").json()["results"]
    assert [r["asset_number"] for r in rows] == ["M1100000001"]
    assert login("inspector_west").get("/api/metering/assets/due/?overdue=1").json()["results"] == []


def test_meter_change_action(login, county, synced, stock_meter, issued_seals):
    payload = {
        "old_asset_number": "M1100000001",
        "new_asset_number": stock_meter.asset_number,
        "changed_on": "2026-11-03",
        "reason": "fault",
        "old_registers": {"total": "100.5"},
        "new_registers": {"total": "0"},
        "second_person": county.users["inspector2_east"].pk,
        "seals_used": [issued_seals[0].number],
    }
    west = login("inspector_west").post(
        "/api/metering/meter-changes/", payload, content_type="application/json"
    )
    assert west.status_code == 400  # the east assets are not in the west's scope
    reader = login("reader_east").post(
        "/api/metering/meter-changes/", payload, content_type="application/json"
    )
    assert reader.status_code == 403
    bad = login("inspector_east").post(
        "/api/metering/meter-changes/",
        {**payload, "second_person": county.users["inspector_east"].pk},
        content_type="application/json",
    )
    assert bad.status_code == 400
    ok = login("inspector_east").post(
        "/api/metering/meter-changes/", payload, content_type="application/json"
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["seals_used"] == [issued_seals[0].number]
    assert MeterChange.objects.count() == 1
    assert login("inspector_west").get("/api/metering/meter-changes/").json()["count"] == 0
