"""Rules of the services: assignment, visits (photos, signatures, findings), tip-offs, plans.

Seals and pliers: ``gridcheck/seals/tests``.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridcheck.archive.models import Customer
from gridcheck.hazards.models import Hazard
from gridcheck.inspections import selectors, services
from gridcheck.inspections.choices import TipOffStatus, WorkOrderSource, WorkOrderStatus
from gridcheck.inspections.models import WorkOrder
from gridcheck.inspections.tests.conftest import (
    VISIT_DAY,
    blank_signature,
    data_url,
    image_bytes,
    jpeg_upload,
    visit_data,
)
from gridcheck.users.models import Qualification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids); the UI itself is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- work orders and assignment ------------------------------------------------------------------


def test_work_order_create_from_every_source(county):
    customer = county.customers["east11"]
    for source in ("plan", "suspect", "lineloss", "tipoff", "audit", "hazard", "manual"):
        order = services.work_order_create(source=source, customer=customer, reason="原因", related=customer)
        assert order.station == customer.station
        assert order.status == WorkOrderStatus.CREATED
        assert order.related_type == "archive.customer" and order.related_id == customer.pk
    assert WorkOrder.objects.values("number").distinct().count() == 7
    with pytest.raises(ValidationError):
        services.work_order_create(source="gossip", customer=customer, reason="x")


def test_assignment_needs_two_inspectors(county, work_order):
    with pytest.raises(ValidationError) as error:
        services.work_order_assign(
            work_order=work_order,
            inspectors=[county.users["inspector_east"]],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    assert "at least two inspectors" in " ".join(error.value.messages)
    # The same inspector twice is still one.
    with pytest.raises(ValidationError):
        services.work_order_assign(
            work_order=work_order,
            inspectors=[county.users["inspector_east"], county.users["inspector_east"]],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CREATED and not work_order.assignments.exists()


def test_assignment_refuses_expired_qualification(county, work_order):
    Qualification.objects.filter(user=county.users["inspector2_east"]).update(
        expires_on=datetime.date(2026, 11, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.work_order_assign(
            work_order=work_order,
            inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    text = " ".join(error.value.messages)
    assert "inspector2_east" in text and "2026-11-20" in text and "JC-2024-0001" in text
    # Valid on an earlier visit date: accepted.
    order = services.work_order_assign(
        work_order=work_order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=datetime.date(2026, 10, 30),
        assigned_by=county.users["head_east"],
    )
    assert order.status == WorkOrderStatus.ASSIGNED and order.assignees.count() == 2


def test_assignment_refuses_unqualified_and_other_station(county, work_order):
    with pytest.raises(ValidationError) as error:
        services.work_order_assign(
            work_order=work_order,
            inspectors=[
                county.users["inspector_east"],
                county.users["reader_east"],
                county.users["inspector_west"],
            ],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    text = " ".join(error.value.messages)
    assert "reader_east has no inspection qualification" in text
    west = county.users["inspector_west"]
    assert f"#{west.pk} is not on the staff" in text
    # Another station's staff member is not named, nor their station or certificate.
    assert "inspector_west" not in text and "west" not in text.lower().replace("#", "")


def test_status_flow_and_overdue(county, assigned):
    assert assigned.status == WorkOrderStatus.ASSIGNED
    with pytest.raises(ValidationError):
        services.work_order_close(work_order=assigned, user=county.users["head_east"])
    late = services.work_order_create(
        source="manual",
        customer=county.customers["east11"],
        reason="x",
        due_on=timezone.localdate() - datetime.timedelta(days=300),
    )
    day = datetime.date(2026, 11, 10)
    assert list(selectors.work_orders_overdue(county.users["head_east"], today=day)) == [late]
    assert list(selectors.work_orders_overdue(county.users["inspector_west"], today=day)) == []


# --- visits --------------------------------------------------------------------------------------


def test_visit_submit_stores_photos_signatures_and_hashes(county, assigned):
    import hashlib

    customer = assigned.customer
    jpeg = image_bytes("JPEG")
    data = visit_data(
        customer,
        photos=[{"data_url": data_url(jpeg, "image/jpeg"), "captured_at": "2026-11-20T09:30:00+08:00"}],
        draft_id="d-1",
    )
    visit = services.visit_submit(
        work_order=assigned, data=data, user=county.users["inspector_east"], photos=[jpeg_upload()]
    )
    assigned.refresh_from_db()
    assert assigned.status == WorkOrderStatus.VISITED
    photos = list(visit.photos.order_by("pk"))
    assert len(photos) == 2
    assert {p.content_type for p in photos} == {"image/jpeg"}
    assert photos[1].sha256 == hashlib.sha256(jpeg).hexdigest() and photos[1].size_bytes == len(jpeg)
    assert photos[1].captured_at.isoformat().startswith("2026-11-20T01:30")
    assert visit.customer_signature and visit.inspector1_signature and visit.inspector2_signature
    # "CT" is on the checklist of a customer metered through CTs (east12: CT ratio 40).
    assert "ct" in visit.checklist and "tariff" in visit.checklist
    # A resend of the same draft stores nothing twice.
    again = services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    assert again.pk == visit.pk and assigned.visits.count() == 1


def test_visit_refuses_photo_not_an_image(county, assigned):
    bogus = SimpleUploadedFile("meter.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.visit_submit(
            work_order=assigned,
            data=visit_data(assigned.customer, photos=[]),
            user=county.users["inspector_east"],
            photos=[bogus],
        )
    assert "not a JPEG or PNG" in " ".join(error.value.messages)
    gif = data_url(image_bytes("GIF"), "image/gif")
    with pytest.raises(ValidationError):
        services.visit_submit(
            work_order=assigned,
            data=visit_data(assigned.customer, photos=[{"data_url": gif}]),
            user=county.users["inspector_east"],
        )
    assigned.refresh_from_db()
    assert assigned.status == WorkOrderStatus.ASSIGNED and not assigned.visits.exists()


def test_visit_refuses_photo_too_large(county, assigned, settings):
    settings.GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES = 500
    big = SimpleUploadedFile("big.png", image_bytes("PNG", size=(400, 400), color=(1, 2, 3, 255)))
    big_content = image_bytes("JPEG", size=(400, 400))
    assert len(big_content) > 500
    big = SimpleUploadedFile("big.jpg", big_content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.visit_submit(
            work_order=assigned,
            data=visit_data(assigned.customer, photos=[]),
            user=county.users["inspector_east"],
            photos=[big],
        )
    assert "larger than" in " ".join(error.value.messages)


@pytest.mark.parametrize("who", ["customer", "inspector1", "inspector2"])
def test_visit_refuses_missing_signature(county, assigned, who):
    data = visit_data(assigned.customer)
    data["signatures"][who] = ""
    with pytest.raises(ValidationError) as error:
        services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    assert "signature" in " ".join(error.value.messages)
    # A blank pad is no signature either.
    data["signatures"][who] = blank_signature()
    with pytest.raises(ValidationError):
        services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])


def test_visit_customer_refusal_replaces_their_signature(county, assigned):
    data = visit_data(assigned.customer, customer_refused=True)
    data["signatures"]["customer"] = ""
    with pytest.raises(ValidationError):
        services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    data["refusal_note"] = "客户拒签，两名检查员在场见证"
    visit = services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    assert visit.customer_refused and not visit.customer_signature


def test_visit_needs_every_checklist_item_and_an_assigned_inspector(county, assigned):
    data = visit_data(assigned.customer)
    data["checklist"].pop("seals")
    with pytest.raises(ValidationError):
        services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    with pytest.raises(ValidationError):
        services.visit_submit(
            work_order=assigned, data=visit_data(assigned.customer), user=county.users["head_east"]
        )


def test_hazard_finding_opens_a_hazard_and_theft_stays_for_cases(county, assigned):
    data = visit_data(
        assigned.customer,
        findings=[
            {"kind": "hazard", "description": "进户线绝缘老化", "severity": "serious"},
            {"kind": "theft", "description": "表前私接线"},
        ],
    )
    visit = services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    hazard = Hazard.objects.get()
    assert hazard.found_by_inspection_ref == assigned.number
    assert hazard.customer == assigned.customer and hazard.severity == "serious"
    visit.refresh_from_db()
    assert visit.findings_of("hazard")[0]["hazard_id"] == hazard.pk
    assert visit.findings_of("theft")[0]["description"] == "表前私接线"


# --- tip-offs ------------------------------------------------------------------------------------


def test_tipoff_creates_work_order_with_deadline(county, rule_table):
    rule_table("inspections.tipoff.visit_hours", 24)
    tipoff = services.tipoff_create(
        station=county.stations["east"],
        channel="hotline",
        description="夜间有人在表箱处接线",
        received_by=county.users["head_east"],
        reporter_name="李举报",
        reporter_phone="13800000000",
        customer=county.customers["east11"],
    )
    assert tipoff.work_order.source == WorkOrderSource.TIPOFF
    assert tipoff.visit_deadline - tipoff.received_at == datetime.timedelta(hours=24)
    assert "李举报" not in tipoff.work_order.reason and "13800000000" not in tipoff.work_order.reason
    # The reporter never enters the change history.
    assert not hasattr(tipoff.history.first(), "reporter_name")
    assert selectors.reporter_display(tipoff, county.users["head_east"])["name"] == "李举报"
    assert selectors.reporter_display(tipoff, county.users["admin"])["name"] == "李举报"
    for name in ("inspector_east", "auditor_east", "reader_east", "liaison"):
        shown = selectors.reporter_display(tipoff, county.users[name])
        assert shown["name"] == "Confidential" and shown["phone"] == "Confidential"
        assert not shown["visible"]


def test_tipoff_visit_and_reward(county):
    tipoff = services.tipoff_create(
        station=county.stations["east"],
        channel="box",
        description="疑似绕越计量",
        received_by=county.users["head_east"],
        customer=county.customers["east12"],
    )
    with pytest.raises(ValidationError):
        services.tipoff_reward_record(tipoff=tipoff, amount_yuan=500, user=county.users["head_east"])
    order = services.work_order_assign(
        work_order=tipoff.work_order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=VISIT_DAY,
        assigned_by=county.users["head_east"],
    )
    services.visit_submit(
        work_order=order, data=visit_data(order.customer), user=county.users["inspector_east"]
    )
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.VISITED and tipoff.visited_at is not None
    services.tipoff_conclude(tipoff=tipoff, status="proven", outcome="查实", user=county.users["head_east"])
    services.tipoff_reward_record(
        tipoff=tipoff, amount_yuan=500, paid_on=datetime.date(2026, 11, 25), user=county.users["head_east"]
    )
    tipoff.refresh_from_db()
    assert tipoff.reward_amount_yuan == 500 and tipoff.reward_paid_on == datetime.date(2026, 11, 25)


# --- plans ---------------------------------------------------------------------------------------


def test_plan_by_class_for_a_month(county):
    east = county.stations["east"]
    a = county.customers["east11"]
    Customer.objects.filter(pk=a.pk).update(inspection_class="A")
    c_risk = county.customers["east21"]  # class C, made high-risk
    Customer.objects.filter(pk=c_risk.pk).update(is_high_risk=True)
    result = services.plan_generate(
        station=east, month=datetime.date(2026, 11, 1), created_by=county.users["head_east"]
    )
    orders = result.plan.work_orders.all()
    # November 2026 starts on a Sunday: weeks 1..6 (Sun 1, 2-8, 9-15, 16-22, 23-29, 30).
    a_orders = orders.filter(customer=a).order_by("due_on")
    assert [o.plan_slot for o in a_orders] == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert [o.due_on.day for o in a_orders] == [1, 8, 15, 22, 29, 30]
    # Class B (east12, east22): one each, due on the last day.
    b_orders = orders.filter(customer__inspection_class="B")
    assert b_orders.count() == 2 and {o.due_on for o in b_orders} == {datetime.date(2026, 11, 30)}
    # High-risk class C: monthly unless its quarterly patrol falls in this month.
    risk = orders.filter(customer=c_risk).get()
    assert risk.plan_slot in ("R", "Q")
    # Nothing of the other station; running again adds nothing.
    assert not orders.filter(station=county.stations["west"]).exists()
    again = services.plan_generate(station=east, month=datetime.date(2026, 11, 1))
    assert again.created == 0 and again.existing == orders.count()


def test_class_c_once_a_quarter(county):
    east = county.stations["east"]
    c_customers = set(
        Customer.objects.filter(station=east, inspection_class="C").values_list("pk", flat=True)
    )
    seen = []
    for month in (10, 11, 12):
        plan = services.plan_generate(station=east, month=datetime.date(2026, month, 1)).plan
        seen += list(plan.work_orders.filter(plan_slot="Q").values_list("customer_id", flat=True))
    assert sorted(seen) == sorted(c_customers)


def test_campaign_targets_get_work_orders(county):
    campaign = services.campaign_create(
        station=county.stations["east"],
        name="高损台区反窃电专项",
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2026, 11, 30),
        targets=[county.customers["east11"], county.customers["east12"]],
        created_by=county.users["head_east"],
    )
    assert campaign.work_orders.count() == 2
    with pytest.raises(ValidationError):
        services.campaign_create(
            station=county.stations["east"],
            name="x",
            starts_on=datetime.date(2026, 11, 1),
            ends_on=datetime.date(2026, 11, 30),
            targets=[county.customers["west11"]],
            created_by=None,
        )


# --- audit trail ---------------------------------------------------------------------------------


def test_audit_trail_records_who_and_what(county, assigned):
    head = county.users["head_east"]
    records = list(assigned.history.order_by("history_date", "history_id"))
    assert [r.status for r in records] == ["created", "assigned"]
    assert records[-1].history_user == head
    assert "inspector_east" in records[-1].history_change_reason
    services.visit_submit(
        work_order=assigned, data=visit_data(assigned.customer), user=county.users["inspector_east"]
    )
    services.work_order_close(work_order=assigned, user=head, outcome="正常")
    statuses = [r.status for r in assigned.history.order_by("history_date", "history_id")]
    assert statuses[-2:] == ["visited", "closed"]
    assert assigned.history.latest().history_user == head


def test_every_status_change_of_a_work_order_is_an_event(county, assigned):
    head, inspector = county.users["head_east"], county.users["inspector_east"]
    services.visit_submit(work_order=assigned, data=visit_data(assigned.customer), user=inspector)
    services.work_order_close(work_order=assigned, user=head, outcome="正常")
    events = list(assigned.events.order_by("at", "pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "created"),
        ("created", "assigned"),
        ("assigned", "visited"),
        ("visited", "closed"),
    ]
    assert [e.actor for e in events] == [head, head, inspector, head]
    assert "inspector_east" in events[1].note
    other = services.work_order_create(source="manual", customer=county.customers["east11"], reason="x")
    services.work_order_cancel(work_order=other, user=head, reason="客户已销户")
    assert [(e.from_status, e.to_status, e.note) for e in other.events.order_by("at", "pk")][-1] == (
        "created",
        "cancelled",
        "客户已销户",
    )
    # A refused change writes nothing.
    with pytest.raises(ValidationError):
        services.work_order_close(work_order=other, user=head)
    assert other.events.count() == 2


def test_assignment_notifies_inspectors_once(county, work_order):
    from gridcheck.notifications.models import Message

    for _attempt in range(2):
        services.work_order_assign(
            work_order=work_order,
            inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    messages = Message.objects.filter(channel="in_app")
    assert sorted(m.recipient_user.username for m in messages) == ["inspector2_east", "inspector_east"]
    assert work_order.number in messages.first().subject


def test_worst_loss_customers_for_a_campaign(county):
    from gridcheck.lineloss.models import AreaMonthLoss

    month = datetime.date(2026, 10, 1)
    for key, rate in (("east1", 4.0), ("east2", 18.5)):
        area = county.areas[key]
        AreaMonthLoss.objects.create(
            area=area,
            line=area.line,
            station=area.station,
            month=month,
            supply_kwh=1000,
            sales_kwh=1000 * (1 - rate / 100),
            loss_kwh=10 * rate,
            loss_rate_percent=rate,
            target_percent=6.0,
        )
    worst = selectors.worst_loss_customers(station=county.stations["east"], month=month, areas=1)
    assert {c.area_id for c in worst} == {county.areas["east2"].pk}
    assert worst.count() == 2


# --- station rules from the rule table -----------------------------------------------------------


def test_station_rules_come_from_the_rule_table(county, rule_table, work_order):
    rule_table("inspections.tipoff.visit_hours", 12)
    rule_table("inspections.work_order.due_days", 3)
    rule_table("inspections.visit.min_inspectors", 3)
    rule_table("inspections.patrol.class_b", "quarter")
    tipoff = services.tipoff_create(
        station=county.stations["east"],
        channel="hotline",
        description="表箱有私拉线",
        received_by=county.users["head_east"],
        customer=county.customers["east11"],
    )
    assert tipoff.visit_deadline - tipoff.received_at == datetime.timedelta(hours=12)
    order = services.work_order_create(source="manual", customer=county.customers["east11"], reason="x")
    assert order.due_on == timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        services.work_order_assign(
            work_order=work_order,
            inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
            visit_date=VISIT_DAY,
            assigned_by=county.users["head_east"],
        )
    assert "at least three inspectors" in " ".join(error.value.messages)
    # Class B patrolled quarterly: one of the quarter's three months each, not every month.
    seen = []
    for month in (10, 11, 12):
        plan = services.plan_generate(
            station=county.stations["east"], month=datetime.date(2026, month, 1)
        ).plan
        seen += list(
            plan.work_orders.filter(customer__inspection_class="B").values_list("plan_slot", flat=True)
        )
    assert seen == ["Q", "Q"]


def test_hazard_deadline_from_the_rule_table(county, assigned, rule_table):
    rule_table("inspections.hazard.rectify_days", 10)
    data = visit_data(assigned.customer, findings=[{"kind": "hazard", "description": "表箱锈蚀"}])
    visit = services.visit_submit(work_order=assigned, data=data, user=county.users["inspector_east"])
    hazard = Hazard.objects.get()
    assert hazard.deadline - hazard.found_on == datetime.timedelta(days=10)
    assert hazard.found_on == visit.visited_at.astimezone(timezone.get_current_timezone()).date()
