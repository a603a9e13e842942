"""The archive API: scoping per role, permissions, filters, ordering, writes and their history."""

import base64
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from gridcheck.archive.models import Area, Customer, ImportBatch, Meter, MeteringPoint

API = "/api/archive"

# Rows each kind of user sees in the small county: (east station staff, east area manager, county level).
EXPECTED_COUNTS = {
    "stations": (1, 1, 2),
    "lines": (1, 1, 2),
    "areas": (2, 1, 4),
    "customers": (4, 2, 8),
    "metering-points": (4, 2, 8),
    "meters": (4, 2, 8),
    "tariffs": (2, 2, 2),
    "import-batches": (1, 1, 2),
}


def west_object(county, endpoint):
    """An object of the west station for ``endpoint`` (none for the unscoped tariffs)."""
    customer = county.customers["west11"]
    point = customer.metering_points.get()
    return {
        "stations": county.stations["west"],
        "lines": county.lines["west"],
        "areas": county.areas["west1"],
        "customers": customer,
        "metering-points": point,
        "meters": point.meters.get(),
        "import-batches": ImportBatch.objects.filter(station=county.stations["west"]).first(),
    }[endpoint]


def east2_object(county, endpoint):
    """An object of the east station outside the area manager's area (east1)."""
    customer = county.customers["east21"]
    point = customer.metering_points.get()
    return {
        "areas": county.areas["east2"],
        "customers": customer,
        "metering-points": point,
        "meters": point.meters.get(),
    }[endpoint]


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("endpoint", EXPECTED_COUNTS)
@pytest.mark.parametrize(
    ("username", "column"),
    [
        ("inspector_east", 0),
        ("reader_east", 0),
        ("head_east", 0),
        ("manager_east", 1),
        ("admin", 2),
    ],
)
def test_list_is_scoped(login, batches, endpoint, username, column):
    rows = results(login(username).get(f"{API}/{endpoint}/"))
    assert len(rows) == EXPECTED_COUNTS[endpoint][column]


@pytest.mark.parametrize("endpoint", [e for e in EXPECTED_COUNTS if e != "tariffs"])
def test_station_user_gets_404_for_another_stations_object(login, county, batches, endpoint):
    obj = west_object(county, endpoint)
    assert login("inspector_west").get(f"{API}/{endpoint}/{obj.pk}/").status_code == 200
    assert login("inspector_east").get(f"{API}/{endpoint}/{obj.pk}/").status_code == 404
    assert login("admin").get(f"{API}/{endpoint}/{obj.pk}/").status_code == 200


@pytest.mark.parametrize("endpoint", ["areas", "customers", "metering-points", "meters"])
def test_area_manager_gets_404_outside_their_areas(login, county, endpoint):
    obj = east2_object(county, endpoint)
    assert login("manager_east").get(f"{API}/{endpoint}/{obj.pk}/").status_code == 404
    assert login("inspector_east").get(f"{API}/{endpoint}/{obj.pk}/").status_code == 200


@pytest.mark.parametrize("endpoint", ["stations", "areas", "customers", "metering-points", "meters"])
def test_history_endpoint_is_scoped(login, county, endpoint):
    obj = west_object(county, endpoint)
    assert login("inspector_east").get(f"{API}/{endpoint}/{obj.pk}/history/").status_code == 404
    response = login("inspector_west").get(f"{API}/{endpoint}/{obj.pk}/history/")
    assert response.status_code == 200
    assert response.json()[0]["type"] == "+"


@pytest.mark.parametrize("endpoint", EXPECTED_COUNTS)
def test_unauthenticated_is_refused(client, county, endpoint):
    response = client.get(f"{API}/{endpoint}/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_tariffs_are_reference_data(login, county):
    rows = results(login("inspector_west").get(f"{API}/tariffs/?category=residential"))
    assert [row["code"] for row in rows] == ["RES-1"]
    assert rows[0]["price_yuan_per_kwh"] == "0.5600"


def customer_payload(county, **overrides):
    payload = {
        "account_number": "1199999999",
        "name": "新客户",
        "address": "示范县东城镇",
        "area": county.areas["east2"].pk,
        "category": "residential",
        "voltage_level": "220V",
        "contracted_capacity_kva": "10",
        "tariff_code": "RES-1",
        "inspection_class": "C",
    }
    payload.update(overrides)
    return payload


# --- writes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["liaison", "reader_east", "inspector_east", "manager_east"])
def test_users_without_change_capability_cannot_write(login, county, username):
    client = login(username)
    customer = county.customers["east11"]
    assert client.post(f"{API}/customers/", customer_payload(county)).status_code == 403
    response = client.patch(
        f"{API}/customers/{customer.pk}/", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    area_payload = {
        "code": "S01-A9",
        "name": "新台区",
        "line": county.lines["east"].pk,
        "capacity_kva": "200",
    }
    assert client.post(f"{API}/areas/", area_payload).status_code == 403
    point_payload = {"code": "MP-NEW", "customer": customer.pk, "ct_ratio": "1", "pt_ratio": "1"}
    assert client.post(f"{API}/metering-points/", point_payload).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "客户east11"
    assert not Customer.objects.filter(account_number="1199999999").exists()


def test_read_only_endpoints_refuse_writes(login, county):
    client = login("admin")
    meter = Meter.objects.first()
    assert client.delete(f"{API}/meters/{meter.pk}/").status_code == 405
    assert client.post(f"{API}/stations/", {"code": "S09", "name": "x"}).status_code == 405
    customer = county.customers["east11"]
    assert client.delete(f"{API}/customers/{customer.pk}/").status_code == 405
    assert Meter.objects.filter(pk=meter.pk).exists()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_station_head_creates_customer_with_station_from_area_and_history(login, county):
    client = login("head_east")
    response = client.post(f"{API}/customers/", customer_payload(county, station=county.stations["west"].pk))
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(account_number="1199999999")
    # ``station`` is read-only: it follows the area whatever the client sent.
    assert customer.station == county.stations["east"]
    assert response.json()["station"] == county.stations["east"].pk
    record = customer.history.get()
    assert record.history_type == "+"
    assert record.history_user == county.users["head_east"]


def test_station_user_cannot_create_customer_in_another_stations_area(login, county):
    client = login("head_east")
    client.cookies["django_language"] = "en"
    response = client.post(f"{API}/customers/", customer_payload(county, area=county.areas["west1"].pk))
    assert response.status_code == 400
    assert "another station" in " ".join(response.json()["area"])
    assert not Customer.objects.filter(account_number="1199999999").exists()


def test_station_user_cannot_move_customer_into_another_stations_area(login, county):
    customer = county.customers["east11"]
    response = login("auditor_east").patch(
        f"{API}/customers/{customer.pk}/", {"area": county.areas["west1"].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "area" in response.json()
    customer.refresh_from_db()
    assert customer.area == county.areas["east1"]
    assert customer.station == county.stations["east"]
    assert customer.history.count() == 1


def test_county_admin_moves_customer_and_station_follows(login, county):
    customer = county.customers["east11"]
    response = login("admin").patch(
        f"{API}/customers/{customer.pk}/", {"area": county.areas["west2"].pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.area == county.areas["west2"]
    assert customer.station == county.stations["west"]


def test_move_within_station_is_allowed(login, county):
    customer = county.customers["east11"]
    response = login("head_east").patch(
        f"{API}/customers/{customer.pk}/", {"area": county.areas["east2"].pk}, content_type="application/json"
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.area == county.areas["east2"]


def test_station_user_cannot_update_another_stations_customer(login, county):
    customer = county.customers["west11"]
    response = login("head_east").patch(
        f"{API}/customers/{customer.pk}/", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.name == "客户west11"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contracted_capacity_kva", "0"),
        ("tariff_code", "NOPE-9"),
        ("category", "spaceship"),
        ("account_number", ""),
    ],
)
def test_invalid_customer_is_refused(login, county, field, value):
    response = login("head_east").post(f"{API}/customers/", customer_payload(county, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.filter(name="新客户").exists()


def test_duplicate_account_number_is_refused(login, county):
    response = login("head_east").post(
        f"{API}/customers/",
        customer_payload(county, account_number=county.customers["west11"].account_number),
    )
    assert response.status_code == 400
    assert "account_number" in response.json()


def test_update_customer_records_history_with_user_and_change(login, county):
    client = login("auditor_east")
    customer = county.customers["east12"]
    response = client.patch(
        f"{API}/customers/{customer.pk}/",
        {"name": "改名后的客户", "inspection_class": "A"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    latest = customer.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == county.users["auditor_east"]

    history = client.get(f"{API}/customers/{customer.pk}/history/").json()
    assert [record["type"] for record in history] == ["~", "+"]
    assert history[0]["user"]["username"] == "auditor_east"
    changes = {change["field"]: (change["old"], change["new"]) for change in history[0]["changes"]}
    assert changes == {"name": ("客户east12", "改名后的客户"), "inspection_class": ("B", "A")}


def test_tariff_code_is_not_edited_directly(login, county):
    """A tariff changes only through a category change application (billing); the same code is accepted."""
    client = login("head_east")
    customer = county.customers["east12"]
    url = f"{API}/customers/{customer.pk}/"
    response = client.patch(url, {"tariff_code": "RES-1"}, content_type="application/json")
    assert response.status_code == 400
    assert "更改用电申请" in response.json()["tariff_code"][0]
    customer.refresh_from_db()
    assert customer.tariff_code == "GEN-1"
    response = client.patch(
        url, {"tariff_code": "GEN-1", "phone": "13800000000"}, content_type="application/json"
    )
    assert response.status_code == 200


def token_client(user) -> APIClient:
    """An API client authenticated by the user's API token (no session)."""
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_token_auth_write_is_recorded_with_the_user(county):
    client = token_client(county.users["head_east"])
    customer = county.customers["east11"]
    response = client.patch(f"{API}/customers/{customer.pk}/", {"phone": "13800000000"}, format="json")
    assert response.status_code == 200, response.content
    record = customer.history.first()
    assert record.history_type == "~"
    assert record.phone == "13800000000"
    assert record.history_user == county.users["head_east"]


def test_token_auth_liaison_neither_reads_nor_writes_the_archive(county):
    """The government liaison reads hazards, notices and aggregate figures, not the customer archive (with
    its phone numbers), on any way of logging in."""
    client = token_client(county.users["liaison"])
    customer = county.customers["east11"]
    assert client.get(f"{API}/customers/").status_code == 403
    assert client.get(f"{API}/customers/{customer.pk}/").status_code == 403
    assert client.patch(f"{API}/customers/{customer.pk}/", {"phone": "1"}, format="json").status_code == 403


def test_basic_auth_is_refused(county):
    """The API takes a session or a token, never a password in every request."""
    client = APIClient()
    token = base64.b64encode(f"head_east:{county.password}".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
    assert client.get(f"{API}/customers/").status_code in (401, 403)


def test_area_create_takes_station_from_line(login, county):
    client = login("head_east")
    payload = {
        "code": "S01-A9",
        "name": "东城9号台区",
        "line": county.lines["east"].pk,
        "capacity_kva": "315",
        "owner": county.users["manager_east"].pk,
    }
    response = client.post(f"{API}/areas/", payload)
    assert response.status_code == 201, response.content
    area = Area.objects.get(code="S01-A9")
    assert area.station == county.stations["east"]
    assert area.history.get().history_user == county.users["head_east"]


def test_area_on_another_stations_line_is_refused(login, county):
    payload = {"code": "S01-A9", "name": "x", "line": county.lines["west"].pk, "capacity_kva": "315"}
    response = login("head_east").post(f"{API}/areas/", payload)
    assert response.status_code == 400
    assert "line" in response.json()
    assert not Area.objects.filter(code="S01-A9").exists()


def test_area_owner_from_another_station_is_refused(login, county):
    payload = {
        "code": "S02-A9",
        "name": "x",
        "line": county.lines["west"].pk,
        "capacity_kva": "315",
        "owner": county.users["manager_east"].pk,
    }
    response = login("admin").post(f"{API}/areas/", payload)
    assert response.status_code == 400
    assert "owner" in response.json()


def test_area_with_customers_cannot_move_station(login, county):
    area = county.areas["east1"]
    response = login("admin").patch(
        f"{API}/areas/{area.pk}/", {"line": county.lines["west"].pk}, content_type="application/json"
    )
    assert response.status_code == 400
    area.refresh_from_db()
    assert area.station == county.stations["east"]


def test_area_capacity_must_be_positive(login, county):
    area = county.areas["east2"]
    response = login("head_east").patch(
        f"{API}/areas/{area.pk}/", {"capacity_kva": "-5"}, content_type="application/json"
    )
    assert response.status_code == 400
    area.refresh_from_db()
    assert area.capacity_kva == Decimal("400")


def test_metering_point_multiplier_is_derived(login, county):
    client = login("head_east")
    customer = county.customers["east21"]
    payload = {
        "code": "MP-NEW-1",
        "customer": customer.pk,
        "ct_ratio": "40",
        "pt_ratio": "100",
        "multiplier": "7",
    }
    response = client.post(f"{API}/metering-points/", payload)
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["multiplier"]) == Decimal("4000")
    point = MeteringPoint.objects.get(code="MP-NEW-1")
    response = client.patch(
        f"{API}/metering-points/{point.pk}/", {"pt_ratio": "10"}, content_type="application/json"
    )
    assert response.status_code == 200
    point.refresh_from_db()
    assert point.multiplier == Decimal("400")
    assert point.history.first().history_user == county.users["head_east"]


def test_metering_point_for_another_stations_customer_is_refused(login, county):
    payload = {
        "code": "MP-NEW-2",
        "customer": county.customers["west11"].pk,
        "ct_ratio": "1",
        "pt_ratio": "1",
    }
    response = login("head_east").post(f"{API}/metering-points/", payload)
    assert response.status_code == 400
    assert "customer" in response.json()
    assert not MeteringPoint.objects.filter(code="MP-NEW-2").exists()


# --- filters, ordering, pagination ---------------------------------------------------------------------
