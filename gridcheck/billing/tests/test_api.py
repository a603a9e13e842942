"""The billing API: scoped reading of bills, books, cycles, readings; entering a reading through the service."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from gridcheck.billing import services
from gridcheck.billing.models import Bill, MeterReading
from gridcheck.core.roles import Role

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def billed(county, book, read_march):
    read_march(east21="5100.00")
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    return book


@pytest.fixture
def reader_west(county):
    from gridcheck.users.models import User

    return User.objects.create_user(
        username="reader_west",
        password="x-pw-12345!",
        role=Role.METER_READER,
        station=county.stations["west"],
    )


def test_bills_are_listed_with_filters_and_scoped(county, billed):
    data = _client(county.users["head_east"]).get("/api/billing/bills/").json()
    assert data["count"] == 4
    assert {row["account_number"] for row in data["results"]} == {
        county.customers[k].account_number for k in ("east11", "east12", "east21", "east22")
    }
    east1 = county.areas["east1"].pk
    data = (
        _client(county.users["head_east"]).get(f"/api/billing/bills/?area={east1}&period=2025-03-01").json()
    )
    assert data["count"] == 2
    assert (
        _client(county.users["head_east"]).get("/api/billing/bills/?period=2025-04-01").json()["count"] == 0
    )
    flagged = Bill.objects.exclude(review_flags=[]).count()
    assert (
        _client(county.users["head_east"]).get("/api/billing/bills/?flagged=true").json()["count"] == flagged
    )
    # Another station sees nothing, not even by id.
    other = _client(county.users["inspector_west"])
    assert other.get("/api/billing/bills/").json()["count"] == 0
    bill = Bill.objects.first()
    assert other.get(f"/api/billing/bills/{bill.pk}/").status_code == 404
    assert other.get("/api/billing/readings/").json()["count"] == 0
    assert other.get("/api/billing/books/").json()["count"] == 0
    assert other.get("/api/billing/cycles/").json()["count"] == 0


def test_bill_detail_carries_the_calculation_lines(county, billed):
    bill = Bill.objects.get(customer=county.customers["east12"])
    data = _client(county.users["admin"]).get(f"/api/billing/bills/{bill.pk}/").json()
    assert data["total_yuan"] == "334.50"
    keys = [line["key"] for line in data["lines"]]
    assert "energy_charge_yuan" in keys and "total_yuan" in keys
    total = next(line for line in data["lines"] if line["key"] == "total_yuan")
    assert total["value"] == "334.50" and total["formula"]
    assert data["events"][0]["to_status"] == "draft"
    history = _client(county.users["admin"]).get(f"/api/billing/bills/{bill.pk}/history/")
    assert history.status_code == 200


def test_reader_enters_a_reading_and_a_backwards_register_is_a_400(county, book):
    meter = book.meters["east11"]
    client = _client(county.users["reader_east"])
    response = client.post(
        "/api/billing/readings/",
        {"cycle": book.cycle.pk, "meter": meter.pk, "total": "1100.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "handheld"
    assert MeterReading.objects.get(cycle=book.cycle, meter=meter).total == Decimal("1100.00")
    response = client.post(
        "/api/billing/readings/",
        {"cycle": book.cycle.pk, "meter": meter.pk, "total": "999.00"},
        format="json",
    )
    assert response.status_code == 400
    assert county.customers["east11"].account_number in response.content.decode()
    assert "总示数" in response.content.decode()
    response = client.post(
        "/api/billing/readings/", {"cycle": book.cycle.pk, "meter": meter.pk}, format="json"
    )
    assert response.status_code == 400


def test_no_reading_for_another_stations_meter(county, book, reader_west):
    from gridcheck.archive.models import Meter

    east_meter = book.meters["east11"]
    west_meter = Meter.objects.get(metering_point__customer=county.customers["west11"])
    # A west reader cannot reach the east cycle or meter.
    response = _client(reader_west).post(
        "/api/billing/readings/",
        {"cycle": book.cycle.pk, "meter": east_meter.pk, "total": "2000"},
        format="json",
    )
    assert response.status_code == 400
    # The east reader cannot put a west meter into an east cycle.
    response = _client(county.users["reader_east"]).post(
        "/api/billing/readings/",
        {"cycle": book.cycle.pk, "meter": west_meter.pk, "total": "2000"},
        format="json",
    )
    assert response.status_code == 400
    # An inspector (no reading capability) may not post at all; the liaison may not read billing.
    response = _client(county.users["inspector_east"]).post(
        "/api/billing/readings/",
        {"cycle": book.cycle.pk, "meter": east_meter.pk, "total": "2000"},
        format="json",
    )
    assert response.status_code == 403
    assert _client(county.users["liaison"]).get("/api/billing/bills/").status_code == 403
    assert not MeterReading.objects.filter(cycle=book.cycle).exists()


def test_adjustments_and_category_changes_are_listed(county, billed):
    change = services.category_change_apply(
        user=county.users["auditor_east"],
        customer=county.customers["east12"],
        new_tariff_code="RES-1",
        effective_on=billed.cycle.reading_date,
        reason="改为居民生活用电",
    )
    data = _client(county.users["head_east"]).get("/api/billing/category-changes/").json()
    assert [row["id"] for row in data["results"]] == [change.pk]
    assert _client(county.users["inspector_west"]).get("/api/billing/category-changes/").json()["count"] == 0
    assert _client(county.users["head_east"]).get("/api/billing/adjustments/").json()["count"] == 0
