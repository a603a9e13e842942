"""Disconnection for arrears: the legal preconditions, the approvals (county for important customers),
the notice period, the work orders, reconnection after payment, cancellation, scope, the PDF."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.choices import DisconnectionStatus as S
from gridcheck.collection.models import CollectionEvent, Disconnection
from gridcheck.collection.services import disconnections as services
from gridcheck.collection.services.dunning import dunning_issue
from gridcheck.collection.tests.test_dunning import day, on_day, pay


def dun(county, key: str, times: int = 2) -> None:
    for n in range(times):
        with on_day(day(1 + 7 * n)):
            dunning_issue(user=county.users["head_east"], customer=county.customers[key], channel="paper")


def propose(county, key: str = "east11", when: int = 31) -> Disconnection:
    with on_day(day(when)):
        return services.disconnection_propose(
            user=county.users["auditor_east"], customer=county.customers[key], reason="多次催交仍未缴费"
        )


def events(disconnection) -> list[str]:
    return list(
        CollectionEvent.objects.filter(subject_type="Disconnection", subject_id=disconnection.pk).values_list(
            "to_status", flat=True
        )
    )


def test_refused_before_30_days_overdue(county, issued):
    dun(county, "east11")
    with pytest.raises(ValidationError, match="30") as error:
        propose(county, when=30)
    assert "第三十九条" in str(error.value)
    assert not Disconnection.objects.exists()


def test_refused_with_fewer_than_two_notices(county, issued):
    dun(county, "east11", times=1)
    with pytest.raises(ValidationError, match="催费通知少于 2 份"):
        propose(county)


def test_only_manage_collection_proposes_and_west_cannot_touch_east(county, issued):
    dun(county, "east11")
    with on_day(day(31)):
        for username in ("reader_east", "manager_east", "inspector_west"):
            with pytest.raises(PermissionDenied):
                services.disconnection_propose(
                    user=county.users[username], customer=county.customers["east11"], reason="欠费"
                )


def test_the_whole_way_residential(county, issued):
    from gridcheck.inspections.models import WorkOrder
    from gridcheck.notifications.models import Message

    customer = county.customers["east11"]
    customer.phone = "13800138000"
    customer.save()
    dun(county, "east11")
    proposal = propose(county)
    assert proposal.status == S.PROPOSED and not proposal.needs_county
    assert proposal.arrears_yuan == issued.receivables["east11"].balance_yuan
    with on_day(day(31)), pytest.raises(PermissionDenied):
        services.disconnection_approve(
            user=county.users["auditor_east"], disconnection=proposal, approve=True, comment=""
        )
    with on_day(day(32)):
        with pytest.raises(ValidationError):  # a rejection needs a comment
            services.disconnection_approve(
                user=county.users["head_east"], disconnection=proposal, approve=False, comment=""
            )
        approved = services.disconnection_approve(
            user=county.users["head_east"], disconnection=proposal, approve=True, comment="同意"
        )
    assert approved.status == S.APPROVED
    assert approved.notice_served_on == day(32)
    assert approved.cut_not_before == day(39)  # residential: 7 days (供电营业规则 第六十七条)
    assert approved.reminder_on == day(39)
    assert Message.objects.filter(recipient_address="13800138000", body__contains=approved.number).exists()
    with on_day(day(38)), pytest.raises(ValidationError, match="通知期至"):
        services.disconnection_order(user=county.users["auditor_east"], disconnection=approved)
    with on_day(day(39)):
        ordered = services.disconnection_order(user=county.users["auditor_east"], disconnection=approved)
        assert ordered.work_order.customer_id == customer.pk
        assert ordered.work_order.station_id == customer.station_id
        executed = services.disconnection_execute(user=county.users["auditor_east"], disconnection=ordered)
    assert executed.status == S.EXECUTED
    # a payment in part leaves the customer cut
    assert services.disconnection_reconnect_if_paid(customer) is None
    pay(customer)
    with on_day(day(40)):
        reconnecting = services.disconnection_reconnect_if_paid(customer)
    assert reconnecting.status == S.RECONNECT_ORDERED
    assert (
        reconnecting.reconnect_work_order_id and reconnecting.reconnect_work_order_id != ordered.work_order_id
    )
    assert WorkOrder.objects.count() == 2
    with on_day(day(41)):
        done = services.disconnection_reconnected(
            user=county.users["auditor_east"], disconnection=reconnecting
        )
    assert done.status == S.RECONNECTED
    assert events(done) == [
        "proposed",
        "approved",
        "approved",
        "executed",
        "reconnect_ordered",
        "reconnected",
    ]


def test_commercial_notice_period_is_three_days(county, issued):
    dun(county, "east12")
    proposal = propose(county, "east12")
    with on_day(day(31)):
        approved = services.disconnection_approve(
            user=county.users["head_east"], disconnection=proposal, approve=True, comment=""
        )
    assert approved.cut_not_before == day(34)


def test_important_customer_needs_the_county(county, issued):
    customer = county.customers["east12"]
    customer.is_important = True
    customer.save()
    dun(county, "east12")
    proposal = propose(county, "east12")
    assert proposal.needs_county
    with on_day(day(31)):
        pending = services.disconnection_approve(
            user=county.users["head_east"], disconnection=proposal, approve=True, comment="同意，报县公司"
        )
        assert pending.status == S.COUNTY_PENDING and pending.cut_not_before is None
        # the station head alone cannot complete it
        with pytest.raises(PermissionDenied):
            services.disconnection_approve(
                user=county.users["head_east"], disconnection=pending, approve=True, comment=""
            )
        # nor can it be ordered or cut meanwhile
        with pytest.raises(ValidationError):
            services.disconnection_order(user=county.users["head_east"], disconnection=pending, on=day(60))
        with pytest.raises(ValidationError):
            services.disconnection_execute(user=county.users["head_east"], disconnection=pending)
        approved = services.disconnection_approve(
            user=county.users["admin"], disconnection=pending, approve=True, comment="县公司同意"
        )
    assert approved.status == S.APPROVED
    assert approved.county_approved_by == county.users["admin"]
    assert approved.approved_by == county.users["head_east"]


def test_county_approval_never_by_the_station_approver(county, issued):
    customer = county.customers["east12"]
    customer.is_high_risk = True
    customer.save()
    dun(county, "east12")
    proposal = propose(county, "east12")
    with on_day(day(31)):
        pending = services.disconnection_approve(
            user=county.users["admin"], disconnection=proposal, approve=True, comment=""
        )
        with pytest.raises(PermissionDenied):
            services.disconnection_approve(user=county.users["admin"], disconnection=pending, approve=True)


def test_cancelled_when_paid_before_cutting(county, issued):
    dun(county, "east11")
    proposal = propose(county)
    with on_day(day(32)):
        approved = services.disconnection_approve(
            user=county.users["head_east"], disconnection=proposal, approve=True
        )
    with on_day(day(39)):
        ordered = services.disconnection_order(user=county.users["auditor_east"], disconnection=approved)
    pay(county.customers["east11"])
    with on_day(day(39)):
        cancelled = services.disconnection_reconnect_if_paid(county.customers["east11"])
    assert cancelled.status == S.CANCELLED
    ordered.work_order.refresh_from_db()
    assert ordered.work_order.status == "cancelled"
    with on_day(day(40)), pytest.raises(ValidationError):
        services.disconnection_execute(user=county.users["auditor_east"], disconnection=cancelled)


def test_a_second_proposal_while_one_is_open_refused(county, issued):
    dun(county, "east11")
    propose(county)
    with pytest.raises(ValidationError, match="正在办理"):
        propose(county, when=32)


def test_the_daily_job_orders_reconnection_and_reminds(county, issued):
    from gridcheck.collection.jobs import dunning_daily_run
    from gridcheck.notifications.models import Message

    customer = county.customers["east11"]
    customer.phone = "13800138000"
    customer.save()
    dun(county, "east11")
    proposal = propose(county)
    with on_day(day(32)):
        services.disconnection_approve(user=county.users["head_east"], disconnection=proposal, approve=True)
    with on_day(day(39)):
        dunning_daily_run(on=day(39))
        assert Message.objects.filter(body__contains="小时后").count() == 1
        services.disconnection_order(user=county.users["auditor_east"], disconnection=proposal)
        services.disconnection_execute(user=county.users["auditor_east"], disconnection=proposal)
    pay(customer)
    with on_day(day(40)):
        dunning_daily_run(on=day(40))
    proposal.refresh_from_db()
    assert proposal.status == S.RECONNECT_ORDERED


def test_disconnection_notice_pdf_renders(county, issued):
    from gridcheck.collection.notices import disconnection_notice_pdf

    dun(county, "east11")
    proposal = propose(county)
    with on_day(day(32)):
        services.disconnection_approve(user=county.users["head_east"], disconnection=proposal, approve=True)
    assert disconnection_notice_pdf(proposal).startswith(b"%PDF")


def test_scope_west_staff_cannot_propose_or_decide_east(county, issued):
    from gridcheck.users.models import User

    auditor_west = User.objects.create_user(
        username="auditor_west", password="x", full_name="w", role="auditor", station=county.stations["west"]
    )
    head_west = User.objects.create_user(
        username="head_west",
        password="x",
        full_name="w",
        role="station_head",
        station=county.stations["west"],
    )
    dun(county, "east11")
    with on_day(day(31)), pytest.raises(PermissionDenied):
        services.disconnection_propose(user=auditor_west, customer=county.customers["east11"], reason="欠费")
    proposal = propose(county)
    with on_day(day(32)), pytest.raises(PermissionDenied):
        services.disconnection_approve(user=head_west, disconnection=proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


def test_reconnection_ordered_after_a_counter_payment(county, issued):
    """Paid through the payments service (``payment_post``): the payment itself settles the notices and
    orders the reconnection."""
    from decimal import Decimal

    from gridcheck.collection.services.payments import payment_post

    customer = county.customers["east11"]
    dun(county, "east11")
    proposal = propose(county)
    with on_day(day(32)):
        services.disconnection_approve(user=county.users["head_east"], disconnection=proposal, approve=True)
    with on_day(day(39)):
        services.disconnection_order(user=county.users["auditor_east"], disconnection=proposal)
        services.disconnection_execute(user=county.users["auditor_east"], disconnection=proposal)
    with on_day(day(40)):
        payment_post(
            user=county.users["reader_east"],
            customer=customer,
            amount_yuan=issued.receivables["east11"].balance_yuan + Decimal("50.00"),
            channel="counter",
            idempotency_key="test-reconnect-1",
        )
    assert set(customer.dunning_notices.values_list("status", flat=True)) == {"settled"}
    proposal.refresh_from_db()
    assert proposal.status == S.RECONNECT_ORDERED and proposal.reconnect_work_order_id
