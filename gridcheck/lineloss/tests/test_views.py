import pytest
from django.test import override_settings
from django.urls import reverse

from gridcheck.lineloss.models import AnalysisRun
from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def analysed(meter_data):
    run = analysis_run_execute(run=analysis_run_create(month="2026-10"))
    assert run.status == "succeeded", run.error
    return run


def test_dashboard_county_level(login, county, analysed):
    html = login("admin").get(reverse("lineloss:dashboard")).content.decode()
    assert 'data-testid="kpis"' in html
    assert county.stations["east"].name in html and county.stations["west"].name in html
    assert 'data-testid="start-analysis"' in html
    # county supply = (50 + 46 + 45 + 45) x 31, sales = 4 x 45 x 31: loss rate 6/186 = 3.23 %
    assert "3.23" in html


def test_dashboard_drill_down(login, county, analysed):
    client = login("admin")
    html = client.get(reverse("lineloss:dashboard"), {"station": county.stations["east"].pk}).content.decode()
    assert county.lines["east"].name in html
    html = client.get(reverse("lineloss:dashboard"), {"line": county.lines["east"].pk}).content.decode()
    assert reverse("lineloss:area_loss", args=[county.areas["east1"].pk]) in html
    assert county.areas["east2"].name in html


def test_dashboard_scoped_to_station(login, county, analysed):
    client = login("inspector_east")
    html = client.get(reverse("lineloss:dashboard")).content.decode()
    assert county.areas["east1"].name in html  # flagged table
    assert county.areas["west2"].name not in html and county.stations["west"].name not in html
    assert 'data-testid="start-analysis"' not in html  # inspectors may not start runs
    assert client.get(reverse("lineloss:dashboard"), {"line": county.lines["west"].pk}).status_code == 404
    assert client.get(reverse("lineloss:area_loss", args=[county.areas["west1"].pk])).status_code == 404
    html = client.get(reverse("lineloss:areamonthloss_list")).content.decode()
    assert county.areas["east1"].name in html and county.areas["west1"].name not in html


def test_area_manager_sees_only_own_areas(login, county, analysed):
    data = login("manager_east").get("/api/lineloss/area-months/").json()
    assert {r["area_code"] for r in data["results"]} == {"S01-A1"}


def test_area_loss_page(login, county, analysed):
    response = login("admin").get(reverse("lineloss:area_loss", args=[county.areas["east1"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="area-causes"' in html and "10.00" in html


def test_api_is_scoped(login, county, analysed):
    data = login("inspector_west").get("/api/lineloss/area-months/").json()
    assert {r["area_code"] for r in data["results"]} == {"S02-A1", "S02-A2"}
    data = login("inspector_west").get("/api/lineloss/line-months/").json()
    assert [r["line_code"] for r in data["results"]] == ["S02-L1"]


def test_progress_json(login, county, analysed):
    client = login("reader_east")
    data = client.get(reverse("lineloss:run_progress", args=[analysed.pk])).json()
    assert data["status"] == "succeeded" and data["percent"] == 100 and data["finished"]
    assert data["done"] == data["total"] == 6
    queued = analysis_run_create(month="2026-10")
    data = client.get(reverse("lineloss:run_progress", args=[queued.pk])).json()
    assert data["status"] == "queued" and data["percent"] == 0 and not data["finished"]
    assert client.get(reverse("lineloss:run_detail", args=[queued.pk])).status_code == 200


def test_start_needs_the_county_run_capability(login, county, meter_data):
    assert login("reader_east").post(reverse("lineloss:run_start"), {"month": "2026-10"}).status_code == 403
    # The analysis covers the whole county: a station's head may not start it.
    assert login("head_east").post(reverse("lineloss:run_start"), {"month": "2026-10"}).status_code == 403
    assert not AnalysisRun.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_start_button_runs_the_task(login, county, meter_data, django_capture_on_commit_callbacks):
    client = login("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lineloss:run_start"), {"month": "2026-10", "backend": "duckdb"})
    run = AnalysisRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.started_by == county.users["admin"]


def test_start_refuses_future_month(login, county):
    client = login("admin")
    client.post(reverse("lineloss:run_start"), {"month": "2999-01"})
    assert not AnalysisRun.objects.exists()
    for month in ("2999-01-01", "0065-01-01", "9999-12-01"):
        response = client.post("/api/lineloss/runs/", {"month": month}, content_type="application/json")
        assert response.status_code == 400, (month, response.content)
    assert not AnalysisRun.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_api_starts_a_run(login, county, meter_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login("admin").post(
            "/api/lineloss/runs/", {"month": "2026-10-01"}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    assert AnalysisRun.objects.get().status == "succeeded"
    for username in ("reader_east", "head_east"):
        response = login(username).post(
            "/api/lineloss/runs/", {"month": "2026-10-01"}, content_type="application/json"
        )
        assert response.status_code == 403


def test_lists_render(login, county, analysed):
    client = login("reader_east")
    for name in ("lineloss:run_list", "lineloss:losstarget_list", "lineloss:areamonthloss_list"):
        assert client.get(reverse(name)).status_code == 200


def test_analyse_command(county, meter_data, capsys):
    from django.core.management import call_command

    call_command("analyse", month="2026-10", no_progress=True)
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded"
    call_command("analyse", month="2026-10")  # with the progress bar
    assert AnalysisRun.objects.filter(status="succeeded").count() == 2
