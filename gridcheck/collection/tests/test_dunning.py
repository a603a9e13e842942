"""Dunning notices: the schedule, paper delivery, SMS through the outbox, settling, scope, the PDF."""

import contextlib
import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.choices import DunningStatus, ReceivableStatus
from gridcheck.collection.models import CollectionEvent, DunningNotice, Receivable
from gridcheck.collection.selectors.dunning import dunning_due
from gridcheck.collection.services import dunning as services
from gridcheck.collection.tests.conftest import DUE

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextlib.contextmanager
def on_day(day: datetime.date, hour: int = 10):
    """Run as if it were ``day`` (Asia/Shanghai) — services date their records by today."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def pay(customer) -> None:
    """Settle the customer's receivables the way a payment does."""
    for receivable in Receivable.objects.filter(customer=customer, status=ReceivableStatus.OPEN):
        receivable.paid_yuan = receivable.amount_yuan
        receivable.status = ReceivableStatus.PAID
        receivable.settled_on = DUE
        receivable.save()


def day(n: int) -> datetime.date:
    """``n`` days after the due date."""
    return DUE + datetime.timedelta(days=n)


def test_schedule_first_after_due_none_within_seven_days_next_after(county, issued):
    east, customer = county.stations["east"], county.customers["east11"]
    head = county.users["head_east"]
    assert customer not in dunning_due(east, DUE)  # not overdue on the due date itself
    assert customer in dunning_due(east, day(1))
    with on_day(day(1)):
        first = services.dunning_issue(user=head, customer=customer, channel="paper")
    assert first.sequence == 1 and first.status == DunningStatus.ISSUED
    assert first.arrears_yuan == issued.receivables["east11"].balance_yuan
    assert first.pay_by == day(8)
    assert set(first.receivables.all()) == {issued.receivables["east11"]}
    assert customer not in dunning_due(east, day(1))
    assert customer not in dunning_due(east, day(7))  # six days after the first notice
    assert customer in dunning_due(east, day(8))  # seven days after
    with on_day(day(8)):
        second = services.dunning_issue(user=head, customer=customer, channel="paper")
    assert second.sequence == 2


def test_issue_for_an_earlier_day_and_nothing_overdue_refused(county, issued):
    head, customer = county.users["head_east"], county.customers["east11"]
    with on_day(day(20)):
        notice = services.dunning_issue(user=head, customer=customer, channel="paper", on=day(3))
        assert notice.created_at.astimezone(SHANGHAI).date() == day(3)
        with pytest.raises(ValidationError, match="不能晚于今天"):
            services.dunning_issue(user=head, customer=customer, channel="paper", on=day(21))
    pay(customer)
    with on_day(day(20)), pytest.raises(ValidationError, match="没有逾期电费"):
        services.dunning_issue(user=head, customer=customer, channel="paper")


def test_paper_notice_delivered_by_the_areas_electrician(county, issued):
    customer = county.customers["east11"]  # area east1, owned by manager_east
    with on_day(day(2)):
        notice = services.dunning_issue(user=county.users["auditor_east"], customer=customer, channel="paper")
        with pytest.raises(ValidationError):
            services.dunning_deliver(user=county.users["manager_east"], notice=notice, note="")
        services.dunning_deliver(user=county.users["manager_east"], notice=notice, note="户主本人签收")
    notice.refresh_from_db()
    assert notice.status == DunningStatus.DELIVERED
    assert notice.delivered_by == county.users["manager_east"]
    assert notice.delivered_at is not None and notice.delivery_note == "户主本人签收"
    assert list(
        CollectionEvent.objects.filter(subject_type="DunningNotice", subject_id=notice.pk).values_list(
            "to_status", flat=True
        )
    ) == ["issued", "delivered"]
    with pytest.raises(ValidationError):
        services.dunning_deliver(user=county.users["reader_east"], notice=notice, note="再次")


def test_delivery_only_by_the_area_owner_or_a_station_collector(county, issued):
    customer = county.customers["east21"]  # area east2: no owner
    with on_day(day(2)):
        notice = services.dunning_issue(user=county.users["head_east"], customer=customer, channel="paper")
    with pytest.raises(PermissionDenied):  # the area manager of east1 does not see east2
        services.dunning_deliver(user=county.users["manager_east"], notice=notice, note="签收")
    with pytest.raises(PermissionDenied):  # an inspector does not collect
        services.dunning_deliver(user=county.users["inspector_east"], notice=notice, note="签收")
    services.dunning_deliver(user=county.users["reader_east"], notice=notice, note="家属代签")
    assert DunningNotice.objects.get(pk=notice.pk).status == DunningStatus.DELIVERED


def test_sms_queued_to_the_outbox_and_refused_without_a_phone(county, issued):
    from gridcheck.notifications.models import Message

    customer = county.customers["east11"]
    head = county.users["head_east"]
    with on_day(day(1)), pytest.raises(ValidationError, match="没有电话号码"):
        services.dunning_issue(user=head, customer=customer, channel="sms")
    assert not DunningNotice.objects.exists()
    customer.phone = "13800138000"
    customer.save()
    with on_day(day(1)):
        notice = services.dunning_issue(user=head, customer=customer, channel="sms")
    assert notice.status == DunningStatus.SENT
    message = Message.objects.get(pk=notice.notification_id)
    assert message.channel == "sms" and message.recipient_address == "13800138000"
    assert customer.account_number in message.body and f"{notice.arrears_yuan:,.2f}" in message.body
    assert message.station_id == county.stations["east"].pk
    with pytest.raises(ValidationError):  # nothing to deliver by hand
        services.dunning_deliver(user=county.users["reader_east"], notice=notice, note="x")


def test_issue_due_issues_every_due_notice_once(county, issued):
    county.customers["east12"].phone = "13900139000"
    county.customers["east12"].save()
    east = county.stations["east"]
    with on_day(day(1)):
        run = services.dunning_issue_due(user=county.users["head_east"], station=east, on=day(1))
        assert not run["errors"]
        assert {n.customer.account_number for n in run["issued"]} == {
            c.account_number for k, c in county.customers.items() if k.startswith("east")
        }
        channels = {n.customer_id: n.channel for n in run["issued"]}
        assert channels[county.customers["east12"].pk] == "sms"
        assert channels[county.customers["east11"].pk] == "paper"
        assert (
            services.dunning_issue_due(user=county.users["head_east"], station=east, on=day(1))["issued"]
            == []
        )


def test_settled_when_the_arrears_are_paid(county, issued):
    customer = county.customers["east11"]
    with on_day(day(1)):
        notice = services.dunning_issue(user=county.users["head_east"], customer=customer, channel="paper")
    assert services.dunning_settle_paid(customer) == 0
    pay(customer)
    assert services.dunning_settle_paid(customer) == 1
    notice.refresh_from_db()
    assert notice.status == DunningStatus.SETTLED
    assert customer not in dunning_due(county.stations["east"], day(30))


def test_scope_west_user_cannot_dun_east_customers(county, issued):
    with on_day(day(1)):
        with pytest.raises(PermissionDenied):  # an inspector neither collects nor manages collection
            services.dunning_issue(
                user=county.users["inspector_west"], customer=county.customers["east11"], channel="paper"
            )
        with pytest.raises(PermissionDenied):  # the east area manager does not see area east2
            services.dunning_issue(
                user=county.users["manager_east"], customer=county.customers["east21"], channel="paper"
            )


def test_the_daily_job_settles_and_issues(county, issued):
    from gridcheck.collection.jobs import dunning_daily_run

    with on_day(day(1)):
        result = dunning_daily_run(on=day(1))
    assert result["issued"] == 4 and not result["errors"]
    pay(county.customers["east11"])
    with on_day(day(8)):
        result = dunning_daily_run(on=day(8))
    assert result["settled"] == 1 and result["issued"] == 3


def test_dunning_notice_pdf_renders(county, issued):
    from gridcheck.collection.notices import dunning_notice_pdf

    with on_day(day(1)):
        notice = services.dunning_issue(
            user=county.users["head_east"], customer=county.customers["east11"], channel="paper"
        )
    pdf = dunning_notice_pdf(notice)
    assert pdf.startswith(b"%PDF")


def _west_user(county, username: str, role: str):
    from gridcheck.users.models import User

    return User.objects.create_user(
        username=username, password="x", full_name=username, role=role, station=county.stations["west"]
    )


def test_scope_a_west_collector_cannot_dun_or_deliver_for_east(county, issued):
    reader_west = _west_user(county, "reader_west", "meter_reader")
    auditor_west = _west_user(county, "auditor_west", "auditor")
    with on_day(day(1)):
        notice = services.dunning_issue(
            user=county.users["head_east"], customer=county.customers["east11"], channel="paper"
        )
        for user in (reader_west, auditor_west):
            with pytest.raises(PermissionDenied):
                services.dunning_issue(user=user, customer=county.customers["east12"], channel="paper")
            with pytest.raises(PermissionDenied):
                services.dunning_issue_due(user=user, station=county.stations["east"])
        with pytest.raises(PermissionDenied):
            services.dunning_deliver(user=reader_west, notice=notice, note="签收")
    assert DunningNotice.objects.count() == 1
