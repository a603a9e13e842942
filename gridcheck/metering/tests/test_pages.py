"""Pages of the ledger: every page opens for the station (200) and hides the other station's objects
(404); the phone forms write through the services; the XLSX exports."""

import datetime

import pytest
from django.urls import reverse

from gridcheck.archive.models import Meter
from gridcheck.metering import services
from gridcheck.metering.models import Acceptance, Asset, MeterChange, RectificationNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county, synced, stock_meter, issued_seals):
    inspector = county.users["inspector_east"]
    asset = synced["M1100000002"]
    fault = services.asset_fault_record(
        asset=asset, user=inspector, found_on=datetime.date(2026, 11, 1), kind="wiring"
    )
    notice = services.notice_issue(
        user=inspector, metering_point=asset.metering_point, asset=asset, fault=fault, problem="接线错误"
    )
    # an overdue notice and an overdue meter: the lists mark them
    services.notice_issue(
        user=inspector,
        metering_point=asset.metering_point,
        problem="超期",
        issued_on=datetime.date(2026, 1, 5),
    )
    Asset.objects.filter(asset_number="M1100000001").update(due_on=datetime.date(2026, 1, 1))
    return {"asset": asset, "notice": notice, "stock": stock_meter, "seals": issued_seals}


LISTS = [
    "metering:asset_list",
    "metering:due_list",
    "metering:obsolete_list",
    "metering:type_list",
    "metering:fault_list",
    "metering:notice_list",
    "metering:change_list",
    "metering:acceptance_list",
    "metering:change_create",
    "metering:acceptance_create",
    "metering:asset_receive",
]


def test_pages_open_for_the_station_and_hide_the_other(login, world):
    client = login("inspector_east")
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200, name
    details = [
        reverse("metering:asset_detail", args=[world["asset"].pk]),
        reverse("metering:notice_detail", args=[world["notice"].pk]),
    ]
    for url in details:
        assert client.get(url).status_code == 200, url
    # the meter's phase in words (the stored key is "single" or "three")
    assert world["asset"].phase in ("single", "three")
    detail = client.get(details[0]).content.decode()
    assert (
        world["asset"].get_phase_display() in detail and ">single<" not in detail and ">three<" not in detail
    )
    due = client.get(reverse("metering:due_list")).content.decode()
    assert "M1100000001" in due and "text-danger" in due
    assert "text-danger" in client.get(reverse("metering:notice_list")).content.decode()
    west = login("inspector_west")
    for url in details:
        assert west.get(url).status_code == 404, url
    listing = west.get(reverse("metering:asset_list"), {"q": "M11"})
    assert "M1100000002" not in listing.content.decode()


def test_exports_are_xlsx(login, world):
    client = login("head_east")
    for name in ("metering:asset_list", "metering:due_list", "metering:notice_list", "metering:fault_list"):
        response = client.get(reverse(name), {"export": "xlsx"})
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), name


def test_reader_reads_but_may_not_change(login, world):
    client = login("reader_east")
    assert client.get(reverse("metering:asset_list")).status_code == 200
    url = reverse("metering:asset_action", args=[world["stock"].pk, "scrap"])
    assert client.post(url, {"note": "x"}).status_code == 403
    assert client.get(reverse("metering:change_create")).status_code == 403
    assert Asset.objects.get(pk=world["stock"].pk).status == "in_stock"


def test_phone_forms_accept_then_change(county, login, world):
    client = login("inspector_east")
    second = county.users["inspector2_east"]
    point = world["asset"].metering_point
    checks = {
        f"check_{k}": "on"
        for k in ("nameplate", "verification", "ratio", "wiring", "terminal_box", "seals", "register")
    }
    response = client.post(
        reverse("metering:acceptance_create"),
        {
            "metering_point": point.code,
            "assets": world["stock"].asset_number,
            "accepted_on": "2026-11-02",
            "second_person": second.pk,
            **checks,
        },
    )
    assert response.status_code == 302
    assert Acceptance.objects.get().result == "passed"
    response = client.post(
        reverse("metering:change_create"),
        {
            "old_asset": "M1100000001",
            "new_asset": world["stock"].asset_number,
            "changed_on": "2026-11-03",
            "reason": "rotation",
            "old_total": "812.40",
            "new_total": "0",
            "seals_used": f"{world['seals'][0].number}，{world['seals'][1].number}",
            "second_person": second.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    change = MeterChange.objects.get()
    assert change.seals_used.count() == 2
    assert Meter.objects.get(asset_number="M1100000001").status == "removed"
    assert client.get(reverse("metering:change_detail", args=[change.pk])).status_code == 200
    # a bad form changes nothing and says why
    response = client.post(reverse("metering:change_create"), {"old_asset": "M1200000001"})
    assert response.status_code == 400
    assert MeterChange.objects.count() == 1


def test_notice_close_page(login, world):
    client = login("inspector_east")
    url = reverse("metering:notice_close", args=[world["notice"].pk])
    client.post(url, {"outcome": "已整改"})
    assert RectificationNotice.objects.get(pk=world["notice"].pk).status == "closed"
