"""Pages: the personal inbox (only one's own messages) and the outbox (scoping and permissions)."""

import pytest
from django.test import Client
from django.urls import reverse

from gridcheck.notifications import selectors
from gridcheck.notifications.choices import Channel, MessageStatus
from gridcheck.notifications.models import Message
from gridcheck.notifications.services import message_enqueue, outbox_flush

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(county, logging_sms):
    """Messages of each station and of the county, in several statuses."""
    east = message_enqueue(
        channel=Channel.SMS,
        recipient="13800138001",
        subject="",
        body="东城预警",
        station=county.stations["east"],
    )
    west = message_enqueue(
        channel=Channel.EMAIL,
        recipient="west@kehu.example",
        subject="西山告知书",
        body="西山",
        station=county.stations["west"],
        attachments=[("告知书.pdf", b"%PDF-1.4 west", "application/pdf")],
    )
    county_level = message_enqueue(
        channel=Channel.EMAIL, recipient="gov@nengyuan.example", subject="月度隐患报送", body="县级"
    )
    return {"east": east, "west": west, "county": county_level}


def _in_app(user, subject, sender=None):
    return message_enqueue(
        channel=Channel.IN_APP, recipient=user, subject=subject, body=f"{subject}正文", created_by=sender
    )


def test_in_app_is_delivered_at_once_and_counted_unread(county):
    user = county.users["inspector_east"]
    message = _in_app(user, "新工单")
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert selectors.unread_count(user) == 1
    assert selectors.unread_count(county.users["inspector_west"]) == 0


def test_inbox_shows_only_own_messages(login, county):
    mine = _in_app(county.users["inspector_east"], "东城工单派发")
    theirs = _in_app(county.users["inspector_west"], "西山工单派发")

    response = login("inspector_east").get(reverse("notifications:inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "东城工单派发" in html
    assert "西山工单派发" not in html
    assert list(response.context["inbox"]) == [mine]
    assert response.context["unread"] == 1
    # Someone else's message is a 404, and stays unread.
    response = login("inspector_east").get(reverse("notifications:inbox_message", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_a_message_marks_it_read(login, county):
    user = county.users["inspector_east"]
    message = _in_app(user, "检查计划")
    response = login("inspector_east").get(reverse("notifications:inbox_message", args=[message.pk]))
    assert response.status_code == 200
    assert "检查计划正文" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert selectors.unread_count(user) == 0


def test_mark_all_read(login, county):
    user = county.users["inspector_east"]
    _in_app(user, "一")
    _in_app(user, "二")
    other = _in_app(county.users["inspector_west"], "三")
    response = login("inspector_east").post(reverse("notifications:inbox_read_all"))
    assert response.status_code == 302
    assert selectors.unread_count(user) == 0
    assert selectors.unread_count(county.users["inspector_west"]) == 1
    other.refresh_from_db()
    assert other.read_at is None


def test_inbox_needs_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "username, expected",
    [
        ("admin", {"east", "west", "county"}),  # county level
        ("head_east", {"east"}),  # station head: own station only
    ],
)
def test_outbox_scope(login, outbox, username, expected):
    response = login(username).get(reverse("notifications:outbox"))
    assert response.status_code == 200
    shown = {key for key, message in outbox.items() if message in response.context["outbox"]}
    assert shown == expected


@pytest.mark.parametrize(
    "username", ["inspector_east", "reader_east", "manager_east", "auditor_east", "liaison"]
)
def test_outbox_forbidden_for_others(login, outbox, username):
    assert login(username).get(reverse("notifications:outbox")).status_code == 403
    detail = reverse("notifications:message_detail", args=[outbox["east"].pk])
    assert login(username).get(detail).status_code == 403


def test_station_head_cannot_open_other_station_message(login, outbox):
    client = login("head_east")
    assert client.get(reverse("notifications:message_detail", args=[outbox["west"].pk])).status_code == 404
    assert client.get(reverse("notifications:message_detail", args=[outbox["county"].pk])).status_code == 404
    assert client.post(reverse("notifications:message_cancel", args=[outbox["west"].pk])).status_code == 404
    outbox["west"].refresh_from_db()
    assert outbox["west"].status == MessageStatus.QUEUED
    attachment = outbox["west"].attachments.get()
    assert client.get(reverse("notifications:attachment_download", args=[attachment.pk])).status_code == 404


def test_outbox_filters(login, outbox):
    client = login("admin")
    response = client.get(reverse("notifications:outbox"), {"channel": "email"})
    assert set(response.context["outbox"]) == {outbox["west"], outbox["county"]}
    outbox_flush()
    response = client.get(reverse("notifications:outbox"), {"status": "sent", "channel": "sms"})
    assert list(response.context["outbox"]) == [outbox["east"]]
    response = client.get(reverse("notifications:outbox"), {"q": "gov@"})
    assert list(response.context["outbox"]) == [outbox["county"]]


def test_detail_shows_attempts_attachments_and_buttons(login, outbox, settings):
    # Nothing listens at port 1 of 127.0.0.1: the email fails and is queued again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    outbox_flush()
    west = Message.objects.get(pk=outbox["west"].pk)
    assert west.status == MessageStatus.QUEUED and west.attempts == 1

    response = login("admin").get(reverse("notifications:message_detail", args=[west.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "告知书.pdf" in html
    assert west.last_error[:20] in html
    assert list(response.context["attempts"]) == list(west.attempt_records.all())
    assert 'data-testid="retry"' in html and 'data-testid="cancel"' in html
    assert "去重键" not in html  # the outbox's internal key is not shown

    attachment = west.attachments.get()
    download = login("admin").get(reverse("notifications:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 west"


def test_cancel_and_retry_buttons(login, outbox, logging_sms):
    client = login("head_east")
    east = outbox["east"]
    response = client.post(reverse("notifications:message_retry", args=[east.pk]))
    assert response.status_code == 302
    east.refresh_from_db()
    assert east.status == MessageStatus.SENT
    assert len(logging_sms) == 1
    # Sent: cancelling is refused with a message, nothing changes.
    response = client.post(reverse("notifications:message_cancel", args=[east.pk]), follow=True)
    assert any("cancel" in str(m).lower() or "取消" in str(m) for m in response.context["messages"])
    east.refresh_from_db()
    assert east.status == MessageStatus.SENT

    admin = login("admin")
    admin.post(reverse("notifications:message_cancel", args=[outbox["county"].pk]))
    outbox["county"].refresh_from_db()
    assert outbox["county"].status == MessageStatus.CANCELLED


def test_buttons_need_change_capability(login, county, outbox):
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    viewer = User.objects.create_user(username="county_reader", password="x", role=Role.METER_READER)
    client = login("admin")
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("notifications:message_detail", args=[outbox["east"].pk]))
    assert response.status_code == 200
    assert 'data-testid="cancel"' not in response.content.decode()
    assert client.post(reverse("notifications:message_cancel", args=[outbox["east"].pk])).status_code == 403
    outbox["east"].refresh_from_db()
    assert outbox["east"].status == MessageStatus.QUEUED


def test_outbox_pages_get_only_post(login, outbox):
    assert (
        login("admin").get(reverse("notifications:message_retry", args=[outbox["east"].pk])).status_code
        == 405
    )


def test_admin_pages(client, outbox):
    from gridcheck.users.models import User

    superuser = User.objects.create_superuser(username="root", password="x", email="root@example.com")
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/notifications/message/").status_code == 200
    response = client.get(f"/admin/notifications/message/{outbox['west'].pk}/change/")
    assert response.status_code == 200
    assert "告知书.pdf" in response.content.decode()
    assert client.get(f"/admin/notifications/message/{outbox['west'].pk}/history/").status_code == 200


def test_outbox_filters_by_status_and_pages(login, county):
    east = county.stations["east"]
    Message.objects.bulk_create(
        [
            Message(channel=Channel.SMS, recipient_address=f"1380013{i:04d}", body="预警", station=east)
            for i in range(53)
        ]
        + [
            Message(
                channel=Channel.EMAIL,
                recipient_address="x@kehu.example",
                subject="撤回的告知书",
                body="x",
                status=MessageStatus.CANCELLED,
                station=east,
            )
        ]
    )
    client = login("head_east")
    url = reverse("notifications:outbox")
    response = client.get(url, {"status": MessageStatus.QUEUED})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="outbox-table"' in body and 'data-testid="row-count"' in body
    assert len(response.context["outbox"]) == 50 and "撤回的告知书" not in body
    assert all(m.status == MessageStatus.QUEUED for m in response.context["outbox"])
    assert 'data-testid="count-queued"' in body and "page=2" in body
    response = client.get(url, {"status": MessageStatus.QUEUED, "page": 2})
    assert len(response.context["outbox"]) == 3
    response = client.get(url, {"status": MessageStatus.CANCELLED, "q": "kehu"})
    assert [m.subject for m in response.context["outbox"]] == ["撤回的告知书"]


def _bell(client) -> str | None:
    import re

    match = re.search(r'data-testid="bell-count">(\d+)<', client.get(reverse("home")).content.decode())
    return match.group(1) if match else None


def test_the_bell_kept_per_user_counts_again_when_a_message_arrives_or_is_read(
    login, county, settings, django_capture_on_commit_callbacks
):
    """With the pages' copies kept, the bell is counted once per user, and again as soon as a message is
    sent to them or read, not after its minute."""
    settings.GRIDCHECK_LIST_ROWS_CACHE_S = 60
    user = county.users["inspector_east"]
    client = login("inspector_east")
    assert _bell(client) is None
    Message.objects.create(
        channel=Channel.IN_APP, recipient_user=user, subject="直接写入", body="x", status=MessageStatus.SENT
    )
    assert _bell(client) is None  # kept: a row written without the service shows after its minute
    with django_capture_on_commit_callbacks(execute=True):
        first = _in_app(user, "新工单")
    assert _bell(client) == "2"
    other = Client()
    other.force_login(county.users["inspector_west"], backend="django.contrib.auth.backends.ModelBackend")
    assert _bell(other) is None  # another user's bell is their own
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("notifications:inbox_message", args=[first.pk]))
    assert _bell(client) == "1"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:inbox_read_all"))
    assert _bell(client) is None
