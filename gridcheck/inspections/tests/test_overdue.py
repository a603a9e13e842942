"""The daily job tells the inspectors and the station head of each overdue work order, once."""

import datetime

import pytest

from gridcheck.core.schedule import registered_jobs
from gridcheck.inspections import services
from gridcheck.inspections.tests.conftest import VISIT_DAY
from gridcheck.notifications.choices import Channel
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import preferences_save

pytestmark = pytest.mark.django_db


def _told(order) -> list[str]:
    return sorted(
        Message.objects.filter(
            channel=Channel.IN_APP, dedup_key__startswith=f"handover:inspections:workorder:{order.pk}:overdue"
        ).values_list("recipient_user__username", flat=True)
    )


def test_overdue_work_orders_tell_assignees_and_head_once(county, assigned):
    not_yet = services.work_order_create(
        source="manual",
        customer=county.customers["east11"],
        reason="到期日当天",
        due_on=VISIT_DAY + datetime.timedelta(days=2),
    )
    cancelled = services.work_order_create(
        source="manual", customer=county.customers["east11"], reason="已撤销", due_on=VISIT_DAY
    )
    services.work_order_cancel(work_order=cancelled, user=county.users["head_east"], reason="重复派单")

    day = VISIT_DAY + datetime.timedelta(days=2)
    result = services.work_orders_overdue_notify(today=day)
    assert result == {"overdue": 1, "told": 3}
    assert _told(assigned) == ["head_east", "inspector2_east", "inspector_east"]
    assert _told(not_yet) == [] and _told(cancelled) == []
    message = Message.objects.get(
        recipient_user=county.users["inspector_east"], dedup_key__contains="overdue"
    )
    assert assigned.number in message.subject and "2" in message.subject
    assert message.related == assigned

    # The next day: nobody is told again.
    services.work_orders_overdue_notify(today=day + datetime.timedelta(days=1))
    assert len(_told(assigned)) == 3


def test_overdue_goes_by_sms_to_who_chose_it(county, assigned):
    inspector = county.users["inspector_east"]
    inspector.phone = "13900139000"
    inspector.save()
    preferences_save(user=inspector, choices={"work_orders": {"sms": True}})
    services.work_orders_overdue_notify(today=VISIT_DAY + datetime.timedelta(days=1))
    sms = Message.objects.get(channel=Channel.SMS)
    assert sms.recipient_user == inspector and sms.recipient_address == "13900139000"


def test_the_job_is_registered_daily():
    assert "inspections.daily" in {job.name for job in registered_jobs()}


def test_the_task_runs_the_day(county, assigned):
    from gridcheck.inspections.tasks import inspections_daily_task

    result = inspections_daily_task.call(period=(VISIT_DAY + datetime.timedelta(days=1)).isoformat())
    assert result["overdue"] == 1


def test_an_assignment_goes_by_email_to_who_chose_it(county, work_order):
    inspector = county.users["inspector2_east"]
    inspector.email = "insp2@example.cn"
    inspector.save()
    preferences_save(user=inspector, choices={"work_orders": {"email": True}})
    services.work_order_assign(
        work_order=work_order,
        inspectors=[county.users["inspector_east"], inspector],
        visit_date=VISIT_DAY,
        assigned_by=county.users["head_east"],
    )
    channels = sorted(
        Message.objects.filter(related_object_id=work_order.pk).values_list("channel", flat=True)
    )
    assert channels == [Channel.EMAIL, Channel.IN_APP, Channel.IN_APP]
