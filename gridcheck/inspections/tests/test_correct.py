"""No dead ends for a work order: before its visit its due date can be corrected with a reason, its
inspectors changed (still two qualified), or it is cancelled with a reason; each change is recorded."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gridcheck.inspections import services
from gridcheck.inspections.choices import WorkOrderStatus
from gridcheck.inspections.models import WorkOrderEvent
from gridcheck.inspections.tests.conftest import VISIT_DAY

pytestmark = pytest.mark.django_db


def test_due_date_corrected_with_a_reason_and_recorded(county, assigned):
    head = county.users["head_east"]
    new_day = timezone.localdate() + datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as info:
        services.work_order_correct(work_order=assigned, user=head, due_on=new_day, reason=" ")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.work_order_correct(work_order=assigned, user=head, due_on=datetime.date(1, 1, 1), reason="x")
    assert "due_on" in info.value.message_dict
    order = services.work_order_correct(work_order=assigned, user=head, due_on=new_day, reason="客户外出")
    assert order.due_on == new_day and order.status == WorkOrderStatus.ASSIGNED
    event = WorkOrderEvent.objects.filter(work_order=order).last()
    assert event.actor == head and "客户外出" in event.note and new_day.isoformat() in event.note
    assert order.history.first().history_user == head


def test_inspectors_are_changed_by_assigning_again_still_two_qualified(county, assigned):
    head = county.users["head_east"]
    with pytest.raises(ValidationError):
        services.work_order_assign(
            work_order=assigned,
            inspectors=[county.users["inspector_east"]],
            visit_date=VISIT_DAY,
            assigned_by=head,
        )
    assert assigned.assignments.count() == 2


def test_no_correction_after_the_visit(county, assigned):
    from gridcheck.inspections.models import Visit

    Visit.objects.create(
        work_order=assigned,
        station=assigned.station,
        visited_at=timezone.now(),
        inspector1=county.users["inspector_east"],
        inspector1_signature="a.png",
        inspector2=county.users["inspector2_east"],
        inspector2_signature="b.png",
    )
    with pytest.raises(ValidationError):
        services.work_order_correct(
            work_order=assigned, user=county.users["head_east"], due_on=timezone.localdate(), reason="x"
        )


def test_the_correction_form_names_the_field_on_a_refusal(client, county, assigned):
    client.force_login(county.users["head_east"])
    page = client.get(reverse("inspections:workorder_detail", args=[assigned.pk])).content.decode()
    assert 'data-testid="correct-form"' in page
    url = reverse("inspections:workorder_action", args=[assigned.pk, "correct"])
    response = client.post(url, {"due_on": "下周", "reason": "客户外出"})
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(t.startswith("到期日：") for t in texts), texts
    new_day = timezone.localdate() + datetime.timedelta(days=5)
    client.post(url, {"due_on": new_day.isoformat(), "reason": "客户外出"})
    assigned.refresh_from_db()
    assert assigned.due_on == new_day
    # The inspector does not dispatch: no form, and the post is refused.
    client.force_login(county.users["inspector_east"])
    page = client.get(reverse("inspections:workorder_detail", args=[assigned.pk])).content.decode()
    assert 'data-testid="correct-form"' not in page
    assert client.post(url, {"due_on": VISIT_DAY.isoformat(), "reason": "x"}).status_code == 403
