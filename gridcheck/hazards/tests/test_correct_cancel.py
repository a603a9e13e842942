"""No dead ends for a hazard: a registered hazard can be corrected, or cancelled as registered by mistake,
each with a reason and recorded, until the government has been told of it."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gridcheck.hazards import services
from gridcheck.hazards.choices import HazardSeverity, HazardStatus, NoticeKind
from gridcheck.hazards.models import HazardEvent, Notice

pytestmark = pytest.mark.django_db


def _tell_government(hazard):
    notice = Notice.objects.create(
        kind=NoticeKind.GOVERNMENT_MONTHLY, period="2026-11", title="11月隐患汇总", sent_at=timezone.now()
    )
    notice.hazards.add(hazard)


def test_corrected_with_a_reason_and_recorded(county, make_hazard):
    hazard = make_hazard()
    head = county.users["head_east"]
    with pytest.raises(ValidationError) as info:
        services.hazard_correct(hazard=hazard, user=head, reason="", severity=HazardSeverity.MAJOR)
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.hazard_correct(hazard=hazard, user=head, reason="x", customer=county.customers["east12"])
    hazard = services.hazard_correct(
        hazard=hazard,
        user=head,
        reason="等级登记错误",
        severity=HazardSeverity.MAJOR,
        description="主进线绝缘破损",
    )
    assert hazard.severity == HazardSeverity.MAJOR and hazard.status == HazardStatus.FOUND
    event = HazardEvent.objects.filter(hazard=hazard).last()
    assert event.actor == head and "等级登记错误" in event.note
    assert hazard.history.first().history_user == head


def test_cancelled_as_registered_by_mistake(county, make_hazard):
    hazard = make_hazard()
    head = county.users["head_east"]
    hazard = services.hazard_cancel(hazard=hazard, user=head, reason="客户编号选错")
    assert hazard.status == HazardStatus.CANCELLED and not hazard.is_open
    event = HazardEvent.objects.filter(hazard=hazard).last()
    assert (event.from_status, event.to_status, event.actor) == ("found", "cancelled", head)
    with pytest.raises(ValidationError):
        services.hazard_correct(hazard=hazard, user=head, reason="x", severity=HazardSeverity.MAJOR)


def test_not_after_the_government_was_told(county, make_hazard):
    hazard = make_hazard()
    _tell_government(hazard)
    head = county.users["head_east"]
    with pytest.raises(ValidationError):
        services.hazard_cancel(hazard=hazard, user=head, reason="登记错误")
    with pytest.raises(ValidationError):
        services.hazard_correct(hazard=hazard, user=head, reason="x", severity=HazardSeverity.MAJOR)


def test_the_pages(client, county, make_hazard):
    hazard = make_hazard()
    client.force_login(county.users["inspector_east"])
    detail = reverse("hazards:hazard_detail", args=[hazard.pk])
    assert 'data-testid="correct-or-cancel"' in client.get(detail).content.decode()
    url = reverse("hazards:hazard_correct", args=[hazard.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(deadline=hazard.found_on.replace(day=1).isoformat(), reason="期限录错")
    response = client.post(url, data)
    assert response.status_code == 200  # a deadline before the finding: refused on its field
    assert "整改期限：" in response.content.decode()
    data.update(deadline=hazard.deadline.replace(day=28).isoformat())
    assert client.post(url, data).status_code == 302
    hazard.refresh_from_db()
    assert hazard.deadline.day == 28

    cancel = reverse("hazards:hazard_cancel", args=[hazard.pk])
    response = client.post(cancel, {"reason": ""})
    assert any("取消原因" in str(m) for m in get_messages(response.wsgi_request))
    client.post(cancel, {"reason": "重复登记"})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CANCELLED
    assert 'data-testid="correct-or-cancel"' not in client.get(detail).content.decode()
    # The liaison may read hazards but never change them.
    client.force_login(county.users["liaison"])
    assert client.post(cancel, {"reason": "x"}).status_code == 403


def test_a_cancelled_hazard_is_in_no_notice_or_figure(county, make_hazard):
    import datetime

    from gridcheck.hazards.selectors import hazard_period_statistics, monthly_hazards

    kept, cancelled = make_hazard(), make_hazard(customer_key="east12")
    services.hazard_cancel(hazard=cancelled, user=county.users["head_east"], reason="登记错误")
    first, last = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    assert list(monthly_hazards(first, last)) == [kept]
    assert hazard_period_statistics(first=first, last=last)["found"] == 1


def test_the_customer_no_longer_sees_a_cancelled_hazard(county, make_hazard, portal):
    from gridcheck.hazards.selectors import hazards_for

    kept, cancelled = make_hazard(), make_hazard()
    services.hazard_cancel(hazard=cancelled, user=county.users["head_east"], reason="重复登记")
    assert list(hazards_for(portal["east11"])) == [kept]
    assert cancelled in hazards_for(county.users["head_east"])  # staff still find it, with its history
