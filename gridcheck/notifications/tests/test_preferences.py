"""E-mail and SMS by the user's choice: in-app always, the other channels per kind of hand-over when the
user ticked them on their settings page and has an address; the settings page saves the choice."""

import pytest
from django.urls import reverse

from gridcheck.notifications.choices import Channel, NotificationKind
from gridcheck.notifications.models import Message, NotificationPreference
from gridcheck.notifications.services import kind_of_key, notify_people, preferences_save

pytestmark = pytest.mark.django_db


def _channels(user, key: str) -> set[str]:
    return set(
        Message.objects.filter(recipient_user=user, dedup_key__startswith=f"handover:{key}:").values_list(
            "channel", flat=True
        )
    )


def test_kinds_follow_the_key():
    assert kind_of_key("case:12:approve_station:20260101") == NotificationKind.APPROVALS
    assert kind_of_key("inspections:tipoff:3:received") == NotificationKind.TIPOFFS
    assert kind_of_key("inspections:workorder:3:overdue") == NotificationKind.WORK_ORDERS
    assert kind_of_key("audit:finding:1:assigned") == NotificationKind.FINDINGS
    assert kind_of_key("something:else") == NotificationKind.OTHER


def test_in_app_only_without_a_preference(county):
    head = county.users["head_east"]
    head.email, head.phone = "head@example.cn", "13800138000"
    head.save()
    notify_people([head], subject="案件待审批", body="AJ-1", key="case:1:x")
    assert _channels(head, "case:1:x") == {Channel.IN_APP}


def test_email_and_sms_where_chosen_for_that_kind_only(county):
    head = county.users["head_east"]
    head.email, head.phone = "head@example.cn", "138-0013-8000"
    head.save()
    preferences_save(user=head, choices={"approvals": {"email": True, "sms": True}, "tipoffs": {"sms": True}})
    notify_people([head], subject="案件待审批", body="AJ-1", key="case:1:x")
    notify_people([head], subject="举报", body="JB-1", key="inspections:tipoff:1:received")
    notify_people([head], subject="稽查", body="F-1", key="audit:finding:1:assigned")
    assert _channels(head, "case:1:x") == {Channel.IN_APP, Channel.EMAIL, Channel.SMS}
    assert _channels(head, "inspections:tipoff:1:received") == {Channel.IN_APP, Channel.SMS}
    assert _channels(head, "audit:finding:1:assigned") == {Channel.IN_APP}
    sms = Message.objects.get(recipient_user=head, channel=Channel.SMS, dedup_key__contains="case:1:x")
    assert sms.recipient_address == "13800138000"
    # Once per person and hand-over, whatever the channel.
    notify_people([head], subject="案件待审批", body="AJ-1", key="case:1:x")
    assert Message.objects.filter(recipient_user=head, dedup_key__contains="case:1:x").count() == 3


def test_no_address_no_message_but_the_hand_over_goes_on(county):
    inspector = county.users["inspector_east"]
    inspector.email, inspector.phone = "", "not-a-number"
    inspector.save()
    preferences_save(user=inspector, choices={"work_orders": {"email": True, "sms": True}})
    told = notify_people([inspector], subject="工单", body="GD-1", key="inspections:workorder:1:overdue")
    assert told == 1
    assert _channels(inspector, "inspections:workorder:1:overdue") == {Channel.IN_APP}


def test_unknown_kind_is_refused(county):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        preferences_save(user=county.users["head_east"], choices={"nonsense": {"email": True}})


def test_the_settings_page_saves_the_choice_and_records_who(client, county):
    inspector = county.users["inspector_east"]
    client.force_login(inspector)
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="work_orders-sms"' in text and 'data-testid="no-email"' in text
    answer = client.post(url, {"work_orders-sms": "on", "approvals-email": "on"})
    assert answer.status_code == 302
    prefs = {p.kind: (p.email, p.sms) for p in NotificationPreference.objects.filter(user=inspector)}
    assert prefs["work_orders"] == (False, True)
    assert prefs["approvals"] == (True, False)
    assert prefs["hazards"] == (False, False)
    pref = NotificationPreference.objects.get(user=inspector, kind="work_orders")
    assert pref.history.first().history_user == inspector
    # Unticking saves too.
    client.post(url, {})
    assert not NotificationPreference.objects.filter(user=inspector, sms=True).exists()
    # The page is reached from every page's top bar.
    assert url in client.get(reverse("notifications:inbox")).content.decode()
