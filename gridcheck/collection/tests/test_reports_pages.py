"""Pages, XLSX downloads, the API and the home tile of the collection figures, with their scope.

Same data as ``test_reports``: March 2025 bills of 100, 200 (area east1, manager_east), 300 and 400
(area east2); by 30 April 450 of 1000 collected (45 %), on 1 May 550 in arrears.
"""

import io
import json
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from openpyxl import load_workbook

from gridcheck.collection.models import LateFeeTarget
from gridcheck.collection.tests.test_reports import pay_march

pytestmark = pytest.mark.django_db

EAST1, EAST2 = "东城供电所1号台区", "东城供电所2号台区"


@pytest.fixture
def march(issued):
    return pay_march(issued)


def _sheet_rows(content: bytes, index: int = 0) -> list[list]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def _number(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------- pages
def test_dashboard_shows_the_figures_and_the_chart_data(login, march):
    response = login("head_east").get("/collection/figures/?month=2025-03")
    assert response.status_code == 200
    html = response.content.decode()
    assert "45.0 %" in html  # recovery by 30 April
    assert "450.00" in html  # arrears today: 150 + 300
    assert "manager_east" in html and EAST1 in html and EAST2 in html
    assert 'id="gc-chart-data"' in html and "collection/reports_dashboard.js" in html
    data = json.loads(
        html.split('id="gc-chart-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    assert data["areas"]["labels"] == [EAST1, EAST2]
    assert data["areas"]["rates"] == [50.0, 42.86]
    assert len(data["trend"]["labels"]) == 13 and data["trend"]["rates"][-1] == 45.0
    assert len(data["ageing"]["series"]) == 5
    assert "<script>" not in html.split("</main>")[0].replace('<script src="', "")  # no inline script


def test_recovery_page_per_area_and_owner_with_a_cutoff(login, march):
    client = login("head_east")
    html = client.get("/collection/figures/recovery/?month=2025-03").content.decode()
    assert "45.0 %" in html and "1,000.00" in html and "550.00" in html
    assert "50.0 %" in html and "42.9 %" in html  # east1, east2 (and their owners)
    assert "2025-04-30" in html
    later = client.get("/collection/figures/recovery/?month=2025-03&cutoff=2025-05-31").content.decode()
    assert "55.0 %" in later
    bad = client.get("/collection/figures/recovery/?month=2025-03&cutoff=2025-13-40", follow=True)
    assert bad.status_code == 200 and "45.0 %" in bad.content.decode()


def test_recovery_xlsx_holds_the_numbers(login, march):
    response = login("head_east").get("/collection/figures/recovery/?month=2025-03&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(response.content, 0)  # per area, after the title and the header
    by_code = {row[1]: row for row in rows[2:] if row[1]}
    assert _number(by_code["S01-A1"][5]) == Decimal("300.00")
    assert _number(by_code["S01-A1"][6]) == Decimal("150.00")
    assert _number(by_code["S01-A1"][8]) == Decimal("50.00")
    assert by_code["S01-A1"][3] == "manager_east"
    total = rows[-1]
    assert _number(total[5]) == Decimal("1000.00") and _number(total[8]) == Decimal("45.00")
    owners = _sheet_rows(response.content, 1)
    assert {row[1]: _number(row[7]) for row in owners[2:]}["manager_east"] == Decimal("50.00")


def test_arrears_list_with_ageing_filters_and_xlsx(county, login, march):
    client = login("head_east")
    html = client.get("/collection/figures/arrears/?as_of=2025-05-01").content.decode()
    assert "550.00" in html and "1100000002" in html and "1200000002" in html
    assert "1100000001" not in html  # paid in full
    owner = county.users["manager_east"].pk
    mine = client.get(f"/collection/figures/arrears/?as_of=2025-05-01&owner={owner}").content.decode()
    assert "1100000002" in mine and "1200000002" not in mine
    older = client.get("/collection/figures/arrears/?as_of=2025-05-01&bucket=31_90").content.decode()
    assert "1100000002" not in older
    later = client.get("/collection/figures/arrears/?as_of=2025-06-01&bucket=31_90").content.decode()
    assert "1100000002" in later and "1200000002" in later  # 39 days overdue
    response = client.get("/collection/figures/arrears/?as_of=2025-06-01&export=xlsx")
    assert response.status_code == 200
    rows = _sheet_rows(response.content, 0)
    listed = {row[0]: row for row in rows[2:]}
    assert set(listed) == {"1100000002", "1200000002"}
    assert _number(listed["1200000002"][11]) == Decimal("300.00")  # 400 less the May payment of 100
    assert listed["1200000002"][8] == 39
    per_area = _sheet_rows(response.content, 1)
    assert _number(per_area[-1][5]) == Decimal("450.00")


def test_late_fee_page_and_the_county_sets_a_target(county, login, march):
    east = county.stations["east"]
    response = login("admin").post(
        "/collection/figures/late-fees/", {"station": east.pk, "year": 2025, "target_yuan": "12,000.50"}
    )
    assert response.status_code == 302
    assert LateFeeTarget.objects.get(station=east, year=2025).target_yuan == Decimal("12000.50")
    html = login("admin").get("/collection/figures/late-fees/?year=2025").content.decode()
    assert "12,000.50" in html and "3.20" in html
    bad = login("admin").post(
        "/collection/figures/late-fees/", {"station": east.pk, "year": 2025, "target_yuan": "1.005"}
    )
    assert bad.status_code == 200 and "东城供电所" in bad.content.decode()
    assert LateFeeTarget.objects.get(station=east, year=2025).target_yuan == Decimal("12000.50")
    xlsx = login("head_east").get("/collection/figures/late-fees/?year=2025&export=xlsx")
    rows = _sheet_rows(xlsx.content, 0)
    assert _number(rows[2][2]) == Decimal("3.20") and _number(rows[2][3]) == Decimal("12000.50")
    # a station head sees the page without the form and may not post
    head = login("head_east")
    assert 'data-testid="target-form"' not in head.get("/collection/figures/late-fees/").content.decode()
    refused = head.post(
        "/collection/figures/late-fees/", {"station": east.pk, "year": 2025, "target_yuan": "1"}
    )
    assert refused.status_code == 403


def test_pages_are_scoped(county, login, march):
    manager = login("manager_east")
    html = manager.get("/collection/figures/recovery/?month=2025-03").content.decode()
    assert EAST1 in html and EAST2 not in html and "50.0 %" in html
    west = login("inspector_west")
    for url in (
        "/collection/figures/?month=2025-03",
        "/collection/figures/recovery/?month=2025-03",
        "/collection/figures/arrears/?as_of=2025-05-01",
        "/collection/figures/late-fees/?year=2025",
    ):
        response = west.get(url)
        assert response.status_code == 200, url
        assert EAST1 not in response.content.decode() and "1100000002" not in response.content.decode()
    east = county.stations["east"].pk
    assert west.get(f"/collection/figures/recovery/?month=2025-03&station={east}").status_code == 404
    assert login("liaison").get("/collection/figures/").status_code == 403


# ------------------------------------------------------------------------------------------------ API
def test_api_recovery_and_arrears(county, login, march):
    client = login("head_east")
    body = client.get("/api/collection/figures/recovery/?month=2025-03").json()
    assert body["cutoff"] == "2025-04-30"
    assert body["total"]["recovery_rate_percent"] == "45.00"
    assert body["total"]["billed_yuan"] == "1000.00"
    owners = {r["owner_name"]: r for r in body["by_owner"]}
    assert owners["manager_east"]["recovery_rate_percent"] == "50.00"
    assert client.get("/api/collection/figures/recovery/?month=2025-3x").status_code == 400
    arrears = client.get("/api/collection/figures/arrears/?as_of=2025-05-01").json()
    assert arrears["total"]["arrears_yuan"] == "550.00"
    assert arrears["total"]["buckets"]["0_30"] == "550.00"
    assert [a["code"] for a in arrears["by_area"]] == ["S01-A1", "S01-A2"]
    west = login("inspector_west")
    assert west.get("/api/collection/figures/recovery/?month=2025-03").json()["by_area"] == []
    east = county.stations["east"].pk
    assert west.get(f"/api/collection/figures/arrears/?station={east}").status_code == 404
    manager = login("manager_east").get("/api/collection/figures/recovery/?month=2025-03").json()
    assert [a["code"] for a in manager["by_area"]] == ["S01-A1"]
    assert login("liaison").get("/api/collection/figures/recovery/?month=2025-03").status_code == 403


# ------------------------------------------------------------------------------------------ home tile
def test_home_tile_shows_the_latest_month_and_arrears(county, march):
    from gridcheck.collection.dashboard import TILE, home_tile_context

    request = RequestFactory().get("/")
    request.user = county.users["head_east"]
    context = home_tile_context(request)
    assert context["month"].isoformat() == "2025-03-01"  # no bills of last month: the latest
    assert context["rate"] == "45.0 %"
    assert context["arrears"] == "450.00" and context["arrears_customers"] == 2
    assert context["over_90"] == "450.00"  # long overdue by now
    html = render_to_string(TILE.template, context, request=request)
    assert "45.0 %" in html and "450.00" in html
    assert context["no_bills"] is False and 'data-testid="tile-no-bills"' not in html
    request.user = county.users["inspector_west"]
    west = home_tile_context(request)
    assert west["arrears"] == "0.00"
    # the west station has no bill at all: the tile says so rather than a rate of nothing
    assert west["no_bills"] is True
    html = render_to_string(TILE.template, west, request=request)
    assert 'data-testid="tile-no-bills"' in html and 'data-testid="tile-recovery"' not in html
