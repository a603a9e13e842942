"""Announcements: to a station's customers (or the county's), all or a class, on the portal and through
the outbox by e-mail and SMS, once per contact."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gridcheck.hazards.services import customer_contact_create
from gridcheck.notifications.models import Message
from gridcheck.servicedesk import selectors, services

pytestmark = pytest.mark.django_db


def publish(county, user="head_east", reach="all", **kw):
    return services.announcement_publish(
        user=county.users[user],
        kind=kw.pop("kind", "planned_outage"),
        reach=reach,
        title=kw.pop("title", "10kV一线计划停电"),
        body=kw.pop("body", "12月10日8:00-12:00检修停电。"),
        by_email=kw.pop("by_email", True),
        by_sms=kw.pop("by_sms", True),
    )


def test_an_announcement_reaches_its_station_and_class(county, el_east, el_west):
    risky = county.customers["east12"]
    risky.is_high_risk = True
    risky.save()
    customer_contact_create(customer=risky, name="安全员", email="safe@example.cn", phone="13500000000")
    customer_contact_create(customer=county.customers["east21"], name="王", email="w@example.cn")
    everyone = publish(county)
    # east11's electrician (phone only): an SMS; east12's contact: both; east21's: an e-mail; west: nothing
    assert everyone.messages_queued == 4
    assert not Message.objects.filter(recipient_address="13700000000").exists()
    assert set(selectors.announcements_for(el_east)) == {everyone}
    assert not selectors.announcements_for(el_west).exists()
    risk_only = publish(county, reach="high_risk", title="迎峰度夏保电要求")
    assert risk_only.messages_queued == 2
    assert risk_only not in selectors.announcements_for(el_east)
    county_wide = publish(county, user="admin", title="电价调整")
    assert county_wide.station is None
    assert county_wide in selectors.announcements_for(el_west)
    assert county_wide not in selectors.announcements_for(county.users["head_east"])  # the county's
    assert everyone not in selectors.announcements_for(county.users["inspector_west"])
    with pytest.raises(PermissionDenied):
        publish(county, user="reader_east")


def test_announcement_pages(client, county, el_east):
    client.force_login(county.users["head_east"])
    response = client.post(
        reverse("servicedesk:announcement_list"),
        {
            "kind": "campaign",
            "reach": "all",
            "title": "<b>反窃电宣传周</b>",
            "body": "欢迎举报",
            "by_email": "on",
        },
    )
    assert response.status_code == 302
    client.force_login(el_east)
    body = client.get(reverse("servicedesk:portal_announcements")).content.decode()
    assert "&lt;b&gt;反窃电宣传周" in body and "<b>反窃电" not in body
    assert client.get("/api/servicedesk/announcements/").json()["count"] == 1
