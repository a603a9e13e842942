"""What came before and after: suspect → work order → visit → case → payment → closure, on every page of
the chain, each a link with its status and local date, as far as the reader may see."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gridcheck.cases import services as cases
from gridcheck.cases.selectors import next_approval_level
from gridcheck.cases.tests.conftest import run_to_pending
from gridcheck.core.chain import chain_of
from gridcheck.detection.tests.test_closed_loop import _suspect_visited

pytestmark = pytest.mark.django_db


def _closed_chain(county):
    suspect, visit = _suspect_visited(county, "east11", [{"kind": "theft", "description": "绕越电能表"}])
    inspector = county.users["inspector_east"]
    case = cases.case_create_from_visit(
        visit=visit, finding_index=0, theft_type="bypass_meter", created_by=inspector
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
        user=inspector,
    )
    case.refresh_from_db()
    case = cases.case_legal_record(case=case, user=inspector, step="not_due", reason="金额未达立案标准")
    case = cases.case_close(
        case=case,
        user=inspector,
        cause_found="绕越电能表",
        responsible_dealt_with="已追补电费和违约使用电费",
        measures_taken="加装封印",
    )
    return suspect, visit, case


def test_every_step_of_the_chain_from_any_of_its_objects(county):
    suspect, visit, case = _closed_chain(county)
    head = county.users["head_east"]
    for start in (suspect, visit.work_order, visit, case, case.payments.get()):
        nodes = chain_of(start, head)
        assert [n.order for n in nodes] == [10, 20, 30, 40, 50, 60], start
        assert [n.current for n in nodes].count(True) == 1
    nodes = chain_of(case, head)
    assert nodes[0].url == suspect.get_absolute_url()
    assert nodes[1].url == visit.work_order.get_absolute_url() and nodes[1].label == visit.work_order.number
    assert nodes[2].url == visit.get_absolute_url()
    assert nodes[3].current and nodes[3].label == case.number
    assert nodes[4].url.endswith("#payments")
    assert str(nodes[5].status) == str(case.get_status_display())
    # Dates are local (Asia/Shanghai) dates.
    assert nodes[2].local_date == timezone.localtime(visit.visited_at).date()
    assert nodes[5].local_date == timezone.localdate()


def test_the_chain_shows_only_what_the_reader_may_see(county):
    suspect, visit, case = _closed_chain(county)
    assert chain_of(case, county.users["inspector_west"]) == []  # another station
    # The meter reader reads none of suspects, work orders or cases.
    assert chain_of(visit.work_order, county.users["reader_east"]) == []


def test_the_card_is_on_each_page(client, county):
    suspect, visit, case = _closed_chain(county)
    client.force_login(county.users["head_east"])
    for url in (
        reverse("detection:suspect_detail", args=[suspect.pk]),
        reverse("inspections:workorder_detail", args=[visit.work_order_id]),
        reverse("inspections:visit_detail", args=[visit.pk]),
        reverse("cases:case_detail", args=[case.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert 'data-testid="chain-card"' in text, url
        assert text.count('data-testid="chain-node"') == 6, url
        assert case.number in text and visit.work_order.number in text


def test_an_object_alone_has_no_card(county):
    from gridcheck.inspections.services import work_order_create

    order = work_order_create(source="manual", customer=county.customers["east12"], reason="核查")
    assert chain_of(order, county.users["head_east"]) == []
