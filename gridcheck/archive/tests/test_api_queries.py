"""Archive API: filters, ordering, paging and query counts, detail extras, scoped choices, identifiers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcheck.archive.models import Area, Customer, ImportBatch, Meter, MeteringPoint
from gridcheck.archive.tests.test_api import API, customer_payload, results


def test_customer_filters(login, county):
    client = login("admin")

    def accounts(query):
        return [row["account_number"] for row in results(client.get(f"{API}/customers/?{query}"))]

    assert accounts(f"station={county.stations['west'].pk}") == [
        "2100000001",
        "2100000002",
        "2200000001",
        "2200000002",
    ]
    assert accounts(f"area={county.areas['east2'].pk}") == ["1200000001", "1200000002"]
    assert accounts("category=commercial") == ["1100000002", "1200000002", "2100000002", "2200000002"]
    assert accounts("q=220000") == ["2200000001", "2200000002"]  # account number prefix (户号)
    assert accounts("q=客户west22") == ["2200000002"]  # name
    assert accounts("q=M1200000001") == ["1200000001"]  # meter asset number
    assert accounts(f"station={county.stations['east'].pk}&category=residential&inspection_class=C") == [
        "1100000001",
        "1200000001",
    ]


def test_station_filter_cannot_widen_scope(login, county):
    rows = results(login("inspector_east").get(f"{API}/customers/?station={county.stations['west'].pk}"))
    assert rows == []


def test_customer_ordering(login, county):
    client = login("admin")
    default = [row["account_number"] for row in results(client.get(f"{API}/customers/"))]
    assert default == sorted(default)
    descending = [
        row["account_number"] for row in results(client.get(f"{API}/customers/?ordering=-account_number"))
    ]
    assert descending == sorted(default, reverse=True)
    by_capacity = results(client.get(f"{API}/customers/?ordering=-contracted_capacity_kva,account_number"))
    assert by_capacity[0]["contracted_capacity_kva"] == "50.00"
    assert by_capacity[-1]["contracted_capacity_kva"] == "8.00"


@pytest.mark.parametrize(
    ("endpoint", "query", "expected"),
    [
        ("stations", "q=S02", ["S02"]),
        ("lines", "q=S01", ["S01-L1"]),
        ("areas", "q=S02-A2", ["S02-A2"]),
        ("areas", "ordering=-code", ["S02-A2", "S02-A1", "S01-A2", "S01-A1"]),
        ("metering-points", "q=MP22", ["MP2200000001", "MP2200000002"]),
        ("meters", "phase=three&q=M1", ["M1100000002", "M1200000002"]),
    ],
)
def test_other_filters(login, county, endpoint, query, expected):
    rows = results(login("admin").get(f"{API}/{endpoint}/?{query}"))
    key = "asset_number" if endpoint == "meters" else "code"
    assert [row[key] for row in rows] == expected


def test_filters_by_station_on_nested_models(login, county):
    client = login("admin")
    west = county.stations["west"].pk
    points = results(client.get(f"{API}/metering-points/?station={west}"))
    assert {row["customer_account_number"][0] for row in points} == {"2"}
    assert len(points) == 4
    meters = results(client.get(f"{API}/meters/?area={county.areas['east1'].pk}"))
    assert [row["asset_number"] for row in meters] == ["M1100000001", "M1100000002"]


def test_pagination(login, county):
    client = login("admin")
    first = client.get(f"{API}/customers/?page_size=3").json()
    assert first["count"] == 8
    assert len(first["results"]) == 3
    assert first["next"] is not None
    third = client.get(f"{API}/customers/?page_size=3&page=3").json()
    assert [row["account_number"] for row in third["results"]] == ["2200000001", "2200000002"]
    assert third["next"] is None


@pytest.mark.parametrize(
    "endpoint", ["stations", "lines", "areas", "customers", "metering-points", "meters", "import-batches"]
)
def test_list_queries_do_not_grow_with_rows(login, county, batches, endpoint):
    client = login("admin")
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{API}/{endpoint}/?page_size=1").status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"{API}/{endpoint}/?page_size=8").status_code == 200
    assert len(large) == len(small)


def test_customer_list_by_station_uses_index(login, county):
    """The station-filtered customer list reads the customer table alone: the count and the page of
    account numbers come from the ``(station, account_number)`` index in account-number order (no sort
    of the whole station, no row read per skipped row), then the page's rows by account number."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")
    client = login("head_east")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/customers/?station={county.stations['east'].pk}&page=2&page_size=2")
    assert [row["account_number"] for row in response.json()["results"]] == ["1200000001", "1200000002"]
    customer_sql = [q["sql"] for q in queries if q["sql"].split(" FROM ")[1].startswith('"archive_customer"')]
    assert len(customer_sql) == 3  # the count, the page of keys, the page's rows
    assert all("JOIN" not in sql for sql in customer_sql)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plans = []
        for sql in customer_sql:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    count_plan, keys_plan, rows_plan = plans
    assert "COUNT" in customer_sql[0].upper()
    assert "Index Only Scan" in count_plan
    assert "Index Only Scan using archive_cust_station_acct" in keys_plan
    assert "Sort" not in keys_plan
    assert "Index" in rows_plan


def test_deep_page_in_both_directions(login, county):
    client = login("admin")
    pages = [
        [row["account_number"] for row in results(client.get(f"{API}/customers/?page_size=3&page={n}"))]
        for n in (1, 2, 3)
    ]
    everything = sorted(Customer.objects.values_list("account_number", flat=True))
    assert sum(pages, []) == everything
    backwards = results(client.get(f"{API}/customers/?page_size=3&page=3&ordering=-account_number"))
    assert [row["account_number"] for row in backwards] == everything[1::-1]
    assert backwards[0]["area_code"] == "S01-A1"
    assert backwards[0]["station_code"] == "S01"


def test_import_batch_detail(login, county, batches):
    batch = ImportBatch.objects.get(station=county.stations["east"])
    data = login("head_east").get(f"{API}/import-batches/{batch.pk}/").json()
    assert data["file_name"] == "east.csv"
    assert data["started_by"] == county.users["admin"].pk
    assert data["status"] == "succeeded"


def test_meter_detail_shows_rating_and_customer(login, county):
    meter = Meter.objects.get(asset_number="M1100000001")
    data = login("inspector_east").get(f"{API}/meters/{meter.pk}/").json()
    assert data["current_rating"] == "5(60)A"
    assert data["customer"] == county.customers["east11"].pk
    assert data["install_date"] == datetime.date(2022, 3, 1).isoformat()


def test_related_choices_are_scoped(county, rf):
    from gridcheck.archive.api.serializers import AreaSerializer, CustomerSerializer, MeteringPointSerializer

    request = rf.get("/")
    request.user = county.users["head_east"]
    context = {"request": request}
    areas = CustomerSerializer(context=context).fields["area"].get_queryset()
    assert sorted(areas.values_list("code", flat=True)) == ["S01-A1", "S01-A2"]
    customers = MeteringPointSerializer(context=context).fields["customer"].get_queryset()
    assert set(customers.values_list("station__code", flat=True)) == {"S01"}
    owners = AreaSerializer(context=context).fields["owner"].get_queryset()
    assert "inspector_west" not in owners.values_list("username", flat=True)
    assert "manager_east" in owners.values_list("username", flat=True)


def test_station_user_cannot_make_another_stations_user_area_manager(login, county):
    area = county.areas["east2"]
    response = login("head_east").patch(
        f"{API}/areas/{area.pk}/",
        {"owner": county.users["inspector_west"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    area.refresh_from_db()
    assert area.owner is None


def test_account_number_cannot_change(login, county):
    customer = county.customers["east11"]
    response = login("head_east").patch(
        f"{API}/customers/{customer.pk}/", {"account_number": "1999999999"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "account_number" in response.json()
    customer.refresh_from_db()
    assert customer.account_number == "1100000001"
    full = login("head_east").get(f"{API}/customers/{customer.pk}/").json()
    response = login("head_east").put(
        f"{API}/customers/{customer.pk}/", {**full, "name": "整体更新"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.name == "整体更新"


# --- look-alike identifiers (finding 10) ----------------------------------------------------------------


def test_look_alike_account_number_is_the_existing_customer(login, county):
    client = login("head_east")
    client.cookies["django_language"] = "en"
    assert (
        client.post(f"{API}/customers/", customer_payload(county, account_number="12345")).status_code == 201
    )
    count = Customer.objects.count()
    for look_alike in ("１２３\u200b45", "\ufeff12345", "12345\u00a0"):
        response = client.post(f"{API}/customers/", customer_payload(county, account_number=look_alike))
        assert response.status_code == 400, look_alike
        assert "account_number" in response.json()
    assert Customer.objects.count() == count
    # The same customer, changed under its look-alike number, is not changed into another one.
    customer = Customer.objects.get(account_number="12345")
    response = client.patch(
        f"{API}/customers/{customer.pk}/",
        {"account_number": "１２３\u200b45", "name": "改名"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.account_number, customer.name) == ("12345", "改名")


def test_api_stores_identifiers_normalised_and_refuses_other_characters(login, county):
    client = login("head_east")
    client.cookies["django_language"] = "en"
    payload = customer_payload(county, account_number="１１９９\u200b999999", tariff_code="ＲＥＳ－１")
    assert client.post(f"{API}/customers/", payload).status_code == 201
    customer = Customer.objects.get(account_number="1199999999")
    assert customer.tariff_code == "RES-1"
    response = client.post(f"{API}/customers/", customer_payload(county, account_number="1198 888888"))
    assert response.status_code == 400
    assert "U+0020 SPACE" in " ".join(response.json()["account_number"])
    response = client.post(f"{API}/customers/", customer_payload(county, account_number="\u200b"))
    assert response.status_code == 400
    assert "account_number" in response.json()
    assert not Customer.objects.filter(account_number__startswith="1198").exists()
    point = {"code": "ＭＰ－ＮＥＷ\u200b", "customer": customer.pk, "ct_ratio": "1", "pt_ratio": "1"}
    assert client.post(f"{API}/metering-points/", point).status_code == 201
    assert MeteringPoint.objects.filter(code="MP-NEW").exists()
    area = {"code": "\ufeffＳ01-A9", "name": "新台区", "line": county.lines["east"].pk, "capacity_kva": "200"}
    assert client.post(f"{API}/areas/", area).status_code == 201
    assert Area.objects.filter(code="S01-A9").exists()
