import pytest
from django.urls import reverse

from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(meter_data):
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    assert run.status == "succeeded", run.error
    return run


def test_dashboard_scoped_to_station(login, county, analysed):
    html = login("admin").get(reverse("readings:dashboard")).content.decode()
    assert county.stations["east"].name in html and county.stations["west"].name in html
    html = login("inspector_east").get(reverse("readings:dashboard")).content.decode()
    assert 'data-testid="kpi-rate"' in html
    assert county.areas["east1"].name in html and county.areas["west1"].name not in html
    response = login("inspector_east").get(
        reverse("readings:dashboard"), {"station": county.stations["west"].pk}
    )
    assert response.status_code == 404


def test_dashboard_empty(login):
    html = login("admin").get(reverse("readings:dashboard")).content.decode()
    assert 'data-testid="no-results"' in html


def test_reading_rate_api_is_scoped(login, county, analysed):
    data = login("inspector_west").get("/api/readings/reading-rates/?page_size=500").json()
    assert data["count"] == 2 * 31
    assert {r["area_code"] for r in data["results"]} == {"S02-A1", "S02-A2"}


def test_customer_consumption_json(login, county, meter_data):
    customer = county.customers["east12"]
    data = (
        login("inspector_east").get(reverse("readings:customer_consumption_json", args=[customer.pk])).json()
    )
    assert data["meters"] == [f"M{customer.account_number}"]
    october = [d for d in data["days"] if d["date"] >= "2026-10-01"]
    assert len(october) == 31
    assert all(d["energy_kwh"] == pytest.approx(40.0) for d in october)  # 1 kWh of register x 40
    assert (
        login("inspector_west")
        .get(reverse("readings:customer_consumption_json", args=[customer.pk]))
        .status_code
        == 404
    )


def test_customer_page_has_the_card(login, county):
    html = (
        login("admin")
        .get(reverse("archive:customer_detail", args=[county.customers["east11"].pk]))
        .content.decode()
    )
    assert 'data-testid="consumption-card"' in html
    assert reverse("readings:customer_consumption_json", args=[county.customers["east11"].pk]) in html


def test_import_list_and_detail(login):
    assert login("reader_east").get(reverse("readings:import_list")).status_code == 200


def test_the_import_buttons_only_for_who_may_import(login, county, analysed):
    """The dashboard's and an import's page show "import" only to a role that may import: a meter
    reader who followed them got a 403."""
    from gridcheck.readings.choices import ImportKind, ImportStatus
    from gridcheck.readings.models import MeterDataImport

    batch = MeterDataImport.objects.create(
        kind=ImportKind.choices[0][0], file_name="daily.csv", status=ImportStatus.choices[0][0]
    )
    link = f'href="{reverse("readings:import")}"'
    for who, shown in [("reader_east", False), ("inspector_east", True)]:
        client = login(who)
        assert (link in client.get(reverse("readings:dashboard")).content.decode()) is shown
        detail = client.get(reverse("readings:import_detail", args=[batch.pk]))
        assert detail.status_code == 200
        assert (link in detail.content.decode()) is shown
        assert client.get(reverse("readings:import")).status_code == (200 if shown else 403)
