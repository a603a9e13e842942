"""Pages and API: scoping of every page, the visit page's JSON submission, tip-off confidentiality.

Seal and pliers pages: ``gridcheck/seals/tests/test_views.py``.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext

from gridcheck.inspections import services
from gridcheck.inspections.choices import WorkOrderStatus
from gridcheck.inspections.models import Visit, WorkOrder
from gridcheck.inspections.tests.conftest import VISIT_DAY, visit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(county, assigned):
    """One of everything at the east station (and nothing at the west)."""
    head = county.users["head_east"]
    visit = services.visit_submit(
        work_order=assigned, data=visit_data(assigned.customer), user=county.users["inspector_east"]
    )
    plan = services.plan_generate(station=county.stations["east"], month=datetime.date(2026, 11, 1)).plan
    campaign = services.campaign_create(
        station=county.stations["east"],
        name="专项",
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2026, 11, 30),
        targets=[county.customers["east11"]],
        created_by=head,
    )
    tipoff = services.tipoff_create(
        station=county.stations["east"],
        channel="hotline",
        description="表箱有私拉线",
        received_by=head,
        reporter_name="匿名张三",
        reporter_phone="13912345678",
        customer=county.customers["east21"],
    )
    return {
        "order": assigned,
        "visit": visit,
        "plan": plan,
        "campaign": campaign,
        "tipoff": tipoff,
        "photo": visit.photos.first(),
    }


def detail_urls(w):
    return [
        reverse("inspections:workorder_detail", args=[w["order"].pk]),
        reverse("inspections:visit", args=[w["order"].pk]),
        reverse("inspections:visit_detail", args=[w["visit"].pk]),
        reverse("inspections:visit_file", args=[w["visit"].pk, "inspector1"]),
        reverse("inspections:visit_file", args=[w["photo"].pk, "photo"]),
        reverse("inspections:plan_detail", args=[w["plan"].pk]),
        reverse("inspections:campaign_detail", args=[w["campaign"].pk]),
        reverse("inspections:tipoff_detail", args=[w["tipoff"].pk]),
        f"/api/inspections/work-orders/{w['order'].pk}/",
        f"/api/inspections/visits/{w['visit'].pk}/",
        f"/api/inspections/plans/{w['plan'].pk}/",
        f"/api/inspections/tipoffs/{w['tipoff'].pk}/",
    ]


LIST_URLS = [
    ("inspections:workorder_list", "/api/inspections/work-orders/"),
    ("inspections:tipoff_list", "/api/inspections/tipoffs/"),
    ("inspections:plan_list", "/api/inspections/plans/"),
    ("inspections:campaign_list", None),
]


def test_every_page_opens_for_the_station(login, world):
    client = login("inspector_east")
    for url in detail_urls(world):
        assert client.get(url).status_code == 200, url
    for name, api in LIST_URLS:
        assert client.get(reverse(name)).status_code == 200, name
        if api:
            assert client.get(api).json()["count"] >= 1, api
    for name in ("workorder_overdue", "my_work", "dispatch", "weekly"):
        assert client.get(reverse(f"inspections:{name}")).status_code == 200, name
    head = login("head_east")
    for name in ("workorder_create", "tipoff_create", "campaign_create"):
        assert head.get(reverse(f"inspections:{name}")).status_code == 200, name


def test_other_station_sees_nothing(login, world):
    client = login("inspector_west")
    for url in detail_urls(world):
        assert client.get(url).status_code == 404, url
    for _name, api in LIST_URLS:
        if api:
            assert client.get(api).json()["count"] == 0, api
    page = client.get(reverse("inspections:workorder_list")).content.decode()
    assert world["order"].number not in page
    assert world["tipoff"].number not in client.get(reverse("inspections:tipoff_list")).content.decode()
    weekly = client.get(reverse("inspections:weekly")).content.decode()
    assert "东城供电所" not in weekly


def test_anonymous_is_sent_to_login(client, world):
    for url in detail_urls(world)[:8]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("head_east", True),
        ("admin", True),
        ("inspector_east", False),
        ("auditor_east", False),
        ("reader_east", False),
        ("liaison", False),
    ],
)
def test_tipoff_reporter_visible_only_to_designated_roles(login, world, username, visible):
    client = login(username)
    tipoff = world["tipoff"]
    if username in ("reader_east", "liaison"):
        # Not their work at all: no tip-off page or API for them.
        assert client.get(reverse("inspections:tipoff_detail", args=[tipoff.pk])).status_code == 403
        assert client.get(f"/api/inspections/tipoffs/{tipoff.pk}/").status_code == 403
        return
    page = client.get(reverse("inspections:tipoff_detail", args=[tipoff.pk])).content.decode()
    api = client.get(f"/api/inspections/tipoffs/{tipoff.pk}/").json()
    listing = client.get(reverse("inspections:tipoff_list")).content.decode()
    assert ("匿名张三" in page) is visible
    assert ("13912345678" in page) is visible
    assert "匿名张三" not in listing
    assert (api["reporter_name"] == "匿名张三") is visible
    if not visible:
        assert api["reporter_name"] == gettext("Confidential")
        assert gettext("Confidential") in page
    # Never in the change history card, for anyone.
    history = page.split('data-testid="history"')[1]
    assert "匿名张三" not in history and "13912345678" not in history


def test_visit_page_posts_json(login, county, assigned):
    client = login("inspector_east")
    url = reverse("inspections:visit", args=[assigned.pk])
    page = client.get(url).content.decode()
    assert 'id="gc-visit-form"' in page and "visit.js" in page
    data = visit_data(assigned.customer)
    data["signatures"]["inspector2"] = ""
    response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == 400 and response.json()["ok"] is False
    assert not Visit.objects.exists()
    response = client.post(url, json.dumps(visit_data(assigned.customer)), content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"] is True
    assigned.refresh_from_db()
    assert assigned.status == WorkOrderStatus.VISITED
    # A reader may not submit visits.
    reader = login("reader_east")
    assert reader.post(url, "{}", content_type="application/json").status_code == 403


def test_the_visit_page_folds_a_long_reason(login, assigned):
    """On the phone the reason is one line that opens to the whole text, its lines kept."""
    assigned.reason = "反窃电嫌疑 2026-11（评分 0.99）\n1. 本月日均电量0.3 kWh\n2. 同台区同类用户相比偏低"
    assigned.save(update_fields=["reason"])
    page = login("inspector_east").get(reverse("inspections:visit", args=[assigned.pk])).content.decode()
    folded = page.split('data-testid="visit-reason"', 1)[1].split("</details>", 1)[0]
    summary, body = folded.split("</summary>", 1)
    assert "反窃电嫌疑 2026-11" in summary and "2. 同台区" not in summary
    assert "0.3 kWh<br>2. 同台区同类用户相比偏低" in body


def test_a_visit_with_a_normal_phone_photo_is_accepted(login, county, assigned):
    """A 2 MB photo (2.7 MB base64 in the JSON body) used to be refused for the request's size."""
    import os

    from PIL import Image

    from gridcheck.inspections.models import VisitPhoto
    from gridcheck.inspections.tests.conftest import data_url

    noise = Image.frombytes("RGB", (820, 820), os.urandom(820 * 820 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    content = buffer.getvalue()
    assert 1.8 * 1024 * 1024 < len(content) < 8 * 1024 * 1024
    data = visit_data(assigned.customer)
    data["photos"] = [{"data_url": data_url(content, "image/png"), "name": "现场.png"}]
    client = login("inspector_east")
    url = reverse("inspections:visit", args=[assigned.pk])
    response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    photo = VisitPhoto.objects.get()
    served = client.get(reverse("inspections:visit_file", args=[photo.pk, "photo"]))
    assert (
        served["Content-Disposition"].startswith("attachment")
        and served["X-Content-Type-Options"] == "nosniff"
    )


def test_assign_page_refuses_with_the_reason(login, county, work_order):
    head = login("head_east")
    url = reverse("inspections:workorder_assign", args=[work_order.pk])
    response = head.post(
        url,
        {"visit_date": VISIT_DAY.isoformat(), "inspectors": [county.users["inspector_east"].pk]},
        follow=True,
    )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CREATED
    assert len(list(response.context["messages"])) == 1
    head.post(
        url,
        {
            "visit_date": VISIT_DAY.isoformat(),
            "inspectors": [county.users["inspector_east"].pk, county.users["inspector2_east"].pk],
        },
    )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.ASSIGNED
    # An inspector may not dispatch.
    assert login("inspector_east").post(url, {}).status_code == 403


def test_api_create_and_assign(login, county):
    client = login("inspector_east")
    response = client.post(
        "/api/inspections/work-orders/",
        {"source": "suspect", "customer": county.customers["east11"].pk, "reason": "疑似窃电"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    # A customer of another station is not found.
    response = client.post(
        "/api/inspections/work-orders/",
        {"source": "suspect", "customer": county.customers["west11"].pk, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    head = login("head_east")
    response = head.post(
        f"/api/inspections/work-orders/{order_id}/assign/",
        {"inspectors": [county.users["inspector_east"].pk], "visit_date": "2026-12-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert WorkOrder.objects.get(pk=order_id).status == WorkOrderStatus.CREATED


def test_history_card_shows_state_changes(login, world):
    client = login("head_east")
    page = client.get(reverse("inspections:workorder_detail", args=[world["order"].pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "head_east" in history and "inspector_east" in history


def test_plan_command(county, capsys):
    call_command("inspections", "plan", "--month", "2026-11")
    out = capsys.readouterr().out
    assert "S01" in out and "S02" in out
    assert WorkOrder.objects.filter(source="plan", plan__month=datetime.date(2026, 11, 1)).count() > 0
    before = WorkOrder.objects.count()
    call_command("inspections", "plan", "--month", "2026-11")
    assert WorkOrder.objects.count() == before


def test_work_order_page_and_api_show_the_status_changes(login, world):
    order = world["order"]
    client = login("head_east")
    page = client.get(reverse("inspections:workorder_detail", args=[order.pk])).content.decode()
    events = page.split('data-testid="events"')[1].split("</table>")[0]
    assert events.count("<tr>") == 1 + 3  # header, created, assigned, visited
    assert "head_east" in events and "inspector_east" in events
    api = client.get(f"/api/inspections/work-orders/{order.pk}/").json()
    assert [(e["from_status"], e["to_status"]) for e in api["events"]] == [
        ("", "created"),
        ("created", "assigned"),
        ("assigned", "visited"),
    ]


def test_an_area_manager_sees_only_their_areas_work_orders_on_a_plan(login, county, world):
    """The plan page listed the whole station's work orders (unpaginated) to an area manager."""
    plan = world["plan"]
    url = reverse("inspections:plan_detail", args=[plan.pk])
    everyone = {o.customer.area.code for o in plan.work_orders.select_related("customer__area")}
    assert everyone == {"S01-A1", "S01-A2"}
    shown = login("manager_east").get(url).context["orders"]
    assert {o.customer.area.code for o in shown} == {"S01-A1"}
    head = login("head_east").get(url).context
    assert {o.customer.area.code for o in head["orders"]} == everyone
    assert head["page_obj"].paginator.count == plan.work_orders.count()


def test_the_plan_list_counts_work_orders_in_a_fixed_number_of_queries(county, client):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridcheck.inspections.models import InspectionPlan

    client.force_login(county.users["head_east"])
    url = reverse("inspections:plan_list")

    def queries() -> int:
        for alias in caches:
            caches[alias].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    plan = services.plan_generate(station=county.stations["east"], month=datetime.date(2026, 10, 1)).plan
    one = queries()
    for month in (11, 12):
        services.plan_generate(station=county.stations["east"], month=datetime.date(2026, month, 1))
    assert queries() == one
    orders = InspectionPlan.objects.get(pk=plan.pk).work_orders.count()
    assert orders > 0
    page = client.get(url + "?month_after=2026-10&sort=month").content.decode()
    assert f'<td class="text-end text-nowrap">{orders}</td>' in page
