import re

import pytest
from django.urls import reverse
from django.utils import translation

from gridcheck.detection.models import Suspect, SuspectStatusChange
from gridcheck.detection.services import detection_run_create, detection_run_execute, inspections_available

pytestmark = pytest.mark.django_db


@pytest.fixture
def detected(scored):
    run = detection_run_execute(run=detection_run_create(month="2026-10"))
    assert run.status == "succeeded", run.error
    return run


def _suspect(county, key) -> Suspect:
    return Suspect.objects.get(customer=county.customers[key])


def test_list_shows_ranked_suspects_with_reasons(login, county, detected):
    response = login("admin").get(reverse("detection:suspect_list"))
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("east11", "east12", "west11"):
        suspect = _suspect(county, key)
        assert suspect.get_absolute_url() in html
        assert suspect.reasons[0]["text"] in html  # every suspect shows a human-readable reason
    assert 'data-testid="suspect-summary"' in html and 'data-testid="start-detection"' in html
    # most suspect first
    assert html.index(_suspect(county, "east11").get_absolute_url()) < html.index(
        _suspect(county, "west11").get_absolute_url()
    )
    assert county.customers["east21"].name not in html


def test_list_filters_and_scope(login, county, detected):
    client = login("inspector_east")
    html = client.get(reverse("detection:suspect_list")).content.decode()
    assert county.customers["east11"].name in html and county.customers["west11"].name not in html
    assert 'data-testid="start-detection"' not in html  # inspectors may not start runs
    html = client.get(reverse("detection:suspect_list"), {"area": county.areas["east1"].pk, "status": "new"})
    assert county.customers["east12"].name in html.content.decode()
    html = login("admin").get(reverse("detection:suspect_list"), {"station": county.stations["west"].pk})
    html = html.content.decode()
    assert county.customers["west11"].name in html and county.customers["east11"].name not in html
    html = login("admin").get(reverse("detection:suspect_list"), {"month": "2026-09-01"}).content.decode()
    assert county.customers["east11"].name not in html


def test_area_manager_sees_only_own_area(login, county, detected):
    html = login("manager_east").get(reverse("detection:suspect_list")).content.decode()
    assert county.customers["east11"].name in html and county.customers["west11"].name not in html


def test_detail_page_shows_reasons_evidence_and_area_loss(login, county, detected):
    suspect = _suspect(county, "east11")
    with translation.override("zh-hans"):
        response = login("head_east").get(suspect.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="suspect-reasons"' in html
    for r in suspect.reasons:
        assert r["text"] in html
    assert "20 %" in html  # ratio_to_own 0.2 as evidence
    assert 'data-testid="suspect-chart"' in html and 'data-testid="area-loss-card"' in html
    if inspections_available():
        assert 'data-testid="create-work-order"' in html


def test_detail_chart_and_actions_are_scoped(login, county, detected):
    west = _suspect(county, "west11")
    client = login("inspector_east")
    assert client.get(west.get_absolute_url()).status_code == 404
    assert client.get(reverse("detection:suspect_chart", args=[west.pk])).status_code == 404
    head = login("head_east")
    assert head.post(reverse("detection:suspect_dismiss", args=[west.pk]), {"note": "x"}).status_code == 404
    assert head.post(reverse("detection:suspect_work_order_create", args=[west.pk])).status_code == 404


def test_chart_json(login, county, detected, meter_data):
    suspect = _suspect(county, "east11")
    data = login("admin").get(reverse("detection:suspect_chart", args=[suspect.pk])).json()
    assert data["meters"] == [suspect.meter_number]
    assert data["month_start"] == "2026-10-01" and data["month_end"] == "2026-10-31"
    october = [d for d in data["days"] if d["date"].startswith("2026-10")]
    assert len(october) == 31 and october[0]["energy_kwh"] == pytest.approx(5.0)
    assert len(data["area_day_loss"]) == len(data["dates"])


def test_reader_cannot_act(login, county, detected):
    suspect = _suspect(county, "east11")
    client = login("reader_east")
    html = client.get(suspect.get_absolute_url()).content.decode()
    assert 'data-testid="create-work-order"' not in html and 'data-testid="dismiss"' not in html
    assert client.post(reverse("detection:suspect_work_order_create", args=[suspect.pk])).status_code == 403
    assert (
        client.post(reverse("detection:suspect_dismiss", args=[suspect.pk]), {"note": "x"}).status_code == 403
    )


def test_dismiss_button(login, county, detected):
    suspect = _suspect(county, "east12")
    login("head_east").post(reverse("detection:suspect_dismiss", args=[suspect.pk]), {"note": "空置房"})
    suspect.refresh_from_db()
    assert suspect.status == "dismissed" and suspect.status_changed_by == county.users["head_east"]


def test_work_order_button_creates_a_work_order(login, county, detected):
    if not inspections_available():
        pytest.skip("gridcheck.inspections (work_order_create) is not installed")
    from gridcheck.inspections.models import WorkOrder

    suspect = _suspect(county, "east11")
    client = login("head_east")
    response = client.post(reverse("detection:suspect_work_order_create", args=[suspect.pk]))
    assert response.status_code == 302 and response["Location"] == suspect.get_absolute_url()
    order = WorkOrder.objects.get()
    assert order.source == "suspect" and order.customer == county.customers["east11"]
    assert order.created_by == county.users["head_east"]
    assert suspect.reasons[0]["text"] in order.reason and "2026-10" in order.reason
    suspect.refresh_from_db()
    assert suspect.status == "work_order_created" and suspect.work_order == order
    change = SuspectStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.work_order) == ("new", "work_order_created", order)
    # twice: no second work order
    client.post(reverse("detection:suspect_work_order_create", args=[suspect.pk]))
    assert WorkOrder.objects.count() == 1
    html = client.get(suspect.get_absolute_url()).content.decode()
    assert 'data-testid="work-order-link"' in html and order.number in html


def test_api_is_scoped_and_read_only(login, county, detected):
    data = login("inspector_west").get("/api/detection/suspects/").json()
    assert [r["account_number"] for r in data["results"]] == [county.customers["west11"].account_number]
    assert data["results"][0]["reasons"][0]["text"]
    data = login("admin").get("/api/detection/suspects/").json()
    assert [r["score"] for r in data["results"]] == [0.91, 0.62, 0.55]
    data = login("manager_east").get("/api/detection/suspects/").json()
    assert {r["area_code"] for r in data["results"]} == {"S01-A1"}
    runs = login("manager_east").get("/api/detection/runs/").json()
    assert runs["results"][0]["model_version"] == "rules+peer"
    assert (
        login("admin").post("/api/detection/suspects/", {}, content_type="application/json").status_code
        == 405
    )


def test_runs_pages(login, county, detected):
    client = login("manager_east")
    assert client.get(reverse("detection:run_list")).status_code == 200
    html = client.get(reverse("detection:run_detail", args=[detected.pk])).content.decode()
    # what scored the month in words, not the stored key
    assert 'data-testid="model-version">规则与同类用户比对<' in html and "rules+peer" not in html
    listing = client.get(reverse("detection:run_list")).content.decode()
    assert "规则与同类用户比对" in listing and "rules+peer" not in listing
    suspects = client.get(reverse("detection:suspect_list")).content.decode()
    assert "规则与同类用户比对" in suspects and "rules+peer" not in suspects
    data = client.get(reverse("detection:run_progress", args=[detected.pk])).json()
    assert data["status"] == "succeeded" and data["percent"] == 100 and data["counts"]["suspects"] == 3


def test_start_button(login, county, scored, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert login("reader_east").post(reverse("detection:run_start"), {"month": "2026-10"}).status_code == 403
    # A run covers the whole county: a station's head may not start one.
    assert login("head_east").post(reverse("detection:run_start"), {"month": "2026-10"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = login("admin").post(reverse("detection:run_start"), {"month": "2026-10"})
    assert response.status_code == 302
    assert Suspect.objects.count() == 3


def test_suspects_are_not_for_readers_or_the_liaison(login, county, detected):
    """Meter readers and the government liaison have no business with theft suspects."""
    suspect = _suspect(county, "east11")
    for username in ("reader_east", "liaison"):
        client = login(username)
        assert client.get(reverse("detection:suspect_list")).status_code == 403
        assert client.get(suspect.get_absolute_url()).status_code == 403
        assert client.get("/api/detection/suspects/").status_code == 403
        assert reverse("detection:suspect_list") not in client.get(reverse("home")).content.decode()


def test_navigation_has_the_section(login, county):
    html = login("manager_east").get(reverse("detection:suspect_list")).content.decode()
    assert reverse("detection:run_list") in html and 'data-testid="no-suspects"' in html


def test_kept_list_is_the_list_rendered_afresh_and_reads_no_suspect_rows(login, county, detected, settings):
    """With the rows kept (``GRIDCHECK_LIST_ROWS_CACHE_S``), the phone cards are kept with them: the next
    request shows the same page without reading the page's suspects (only their keys)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("detection:suspect_list")
    client = login("admin")

    def page() -> str:  # each response masks the CSRF token afresh
        return re.sub(r'(csrfmiddlewaretoken" value=)"[^"]*"', r"\1", client.get(url).content.decode())

    fresh = page()
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = 60
    first = page()
    with CaptureQueriesContext(connection) as queries:
        kept = page()
    assert fresh == first == kept
    assert 'data-testid="suspect-cards"' in kept and _suspect(county, "east11").get_absolute_url() in kept
    reads = [q["sql"] for q in queries.captured_queries if '"detection_suspect"."reasons"' in q["sql"]]
    assert reads == []


def test_list_queries_do_not_grow(login, county, detected, django_assert_max_num_queries):
    client = login("admin")
    client.get(reverse("detection:suspect_list"))
    with django_assert_max_num_queries(13):
        client.get(reverse("detection:suspect_list"))
