"""Every hand-over tells the next person in-app: a case, a category change, a tip-off, a finding; and
the one who asked hears the decision. Nobody is told to approve what they prepared themselves."""

import datetime

import pytest

from gridcheck.billing import services as billing
from gridcheck.cases import services as cases
from gridcheck.cases.selectors import next_approval_level
from gridcheck.inspections.services.tipoffs import tipoff_create
from gridcheck.notifications.selectors import inbox_messages

pytestmark = pytest.mark.django_db


def _subjects(user) -> list[str]:
    return [message.subject for message in inbox_messages(user=user)]


def test_a_case_submitted_tells_the_approvers_and_its_decision_tells_its_creator(county):
    inspector, head = county.users["inspector_east"], county.users["head_east"]
    case = cases.case_create(
        customer=county.customers["east11"],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts="表前绕越接线",
        created_by=inspector,
    )
    case = cases.case_compute(case=case, user=inspector)
    case = cases.case_notify(case=case, signed_by_customer=True, signer_name="张三", user=inspector)
    case = cases.case_submit_for_approval(case=case, user=inspector)

    assert [s for s in _subjects(head) if case.number in s], "the station head is told"
    assert [s for s in _subjects(county.users["admin"]) if case.number in s], "county level too"
    assert not [s for s in _subjects(inspector) if case.number in s], "not its creator"
    assert not [s for s in _subjects(county.users["inspector_west"]) if case.number in s]

    cases.case_approve(
        case=case, user=head, level=next_approval_level(case), decision="reject", comment="证据不足"
    )
    told = [s for s in _subjects(inspector) if case.number in s]
    assert len(told) == 1


def test_a_category_change_goes_to_a_checker_then_an_approver_then_back_to_its_applicant(county):
    auditor, head, admin = county.users["auditor_east"], county.users["head_east"], county.users["admin"]
    change = billing.category_change_apply(
        user=auditor,
        customer=county.customers["east12"],
        new_tariff_code="RES-1",
        effective_on=datetime.date(2024, 1, 1),
        reason="改为居民生活用电",
    )
    assert len(_subjects(head)) == 1 and not _subjects(auditor)
    billing.category_change_check(user=head, change=change)
    # The checker and the applicant may not approve: only the administrator is told.
    assert len(_subjects(admin)) == 2 and len(_subjects(head)) == 1
    billing.category_change_decide(user=admin, change=change, approve=True)
    assert len(_subjects(auditor)) == 1


def test_a_tip_off_tells_whoever_dispatches_at_its_station(county):
    tipoff = tipoff_create(
        station=county.stations["east"],
        channel="hotline",
        description="有人私拉乱接",
        received_by=county.users["auditor_east"],
        address="示范县某镇某村",
    )
    assert [s for s in _subjects(county.users["head_east"]) if tipoff.number in s]
    assert not [s for s in _subjects(county.users["inspector_east"]) if tipoff.number in s]
    assert not [s for s in _subjects(county.users["auditor_east"]) if tipoff.number in s]
