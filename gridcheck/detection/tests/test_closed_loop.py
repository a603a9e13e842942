"""The closed loop: a suspect's work order closes with its case, and the suspect shows what was proved
(theft, violation, or nothing) once its work order or case closes."""

import datetime

import pytest
from django.utils import timezone

from gridcheck.cases import services as cases
from gridcheck.cases.selectors import next_approval_level
from gridcheck.cases.tests.conftest import run_to_pending
from gridcheck.detection.models import Suspect
from gridcheck.detection.services import detection_run_create
from gridcheck.inspections.models import Visit, WorkOrder
from gridcheck.inspections.services.work_orders import work_order_close

pytestmark = pytest.mark.django_db


def _suspect_visited(county, key: str, findings):
    customer = county.customers[key]
    order = WorkOrder.objects.create(
        number=f"WO-{customer.account_number}",
        source="suspect",
        customer=customer,
        station=customer.station,
        reason="窃电嫌疑",
        status="visited",
    )
    visit = Visit.objects.create(
        work_order=order,
        station=customer.station,
        visited_at=timezone.make_aware(datetime.datetime(2023, 5, 1, 10, 0)),
        findings=findings,
        inspector1=county.users["inspector_east"],
        inspector1_signature="sig1.png",
        inspector2=county.users["inspector2_east"],
        inspector2_signature="sig2.png",
    )
    run = detection_run_create(month=datetime.date(2023, 4, 1))
    suspect = Suspect.objects.create(
        run=run,
        month=run.month,
        customer=customer,
        meter_number=f"M{customer.account_number}",
        area=customer.area,
        station=customer.station,
        score=0.9,
        rank_in_area=1,
        rank_in_station=1,
        reasons=[{"code": "x", "text": "夜间用电异常"}],
        status="work_order_created",
        work_order=order,
    )
    return suspect, visit


def test_closing_a_theft_case_closes_its_work_order_and_marks_the_suspect_theft(county):
    suspect, visit = _suspect_visited(county, "east11", [{"kind": "theft", "description": "绕越电能表"}])
    case = cases.case_create_from_visit(
        visit=visit, finding_index=0, theft_type="bypass_meter", created_by=county.users["inspector_east"]
    )
    case = run_to_pending(case, county)
    while case.status == "pending_approval":
        level = next_approval_level(case)
        approver = county.users["head_east"] if level == "station" else county.users["admin"]
        case = cases.case_approve(case=case, user=approver, level=level, decision="approve")
    cases.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(),
        receipt_number="R1",
        user=county.users["inspector_east"],
    )
    case.refresh_from_db()
    suspect.refresh_from_db()
    assert suspect.outcome == ""  # nothing proved until the case closes
    case = cases.case_legal_record(
        case=case, user=county.users["inspector_east"], step="not_due", reason="金额未达立案标准"
    )
    cases.case_close(
        case=case,
        user=county.users["inspector_east"],
        cause_found="绕越电能表",
        responsible_dealt_with="已追补电费和违约使用电费",
        measures_taken="加装封印",
    )
    suspect.refresh_from_db()
    order = WorkOrder.objects.get(pk=suspect.work_order_id)
    assert order.status == "closed" and case.number in order.outcome
    assert (suspect.outcome, suspect.outcome_on) == ("theft", timezone.localdate())


def test_a_work_order_closed_without_a_case_marks_its_suspect_no_problem(county):
    suspect, visit = _suspect_visited(county, "east21", [])
    work_order_close(work_order=visit.work_order, user=county.users["head_east"], outcome="现场正常")
    suspect.refresh_from_db()
    assert suspect.outcome == "no_problem"
