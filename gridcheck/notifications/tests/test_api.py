"""The read-only outbox API."""

import pytest

from gridcheck.notifications.choices import Channel
from gridcheck.notifications.services import message_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages(county, logging_sms):
    east = message_enqueue(
        channel=Channel.EMAIL,
        recipient="east@kehu.example",
        subject="东城",
        body="正文",
        station=county.stations["east"],
        attachments=[("a.pdf", b"%PDF-1.4 a", "application/pdf")],
    )
    west = message_enqueue(
        channel=Channel.SMS, recipient="13800138000", subject="", body="西山", station=county.stations["west"]
    )
    return east, west


def test_list_is_scoped(login, messages):
    east, west = messages
    data = login("head_east").get("/api/notifications/messages/").json()
    assert [row["id"] for row in data["results"]] == [east.pk]
    data = login("admin").get("/api/notifications/messages/").json()
    assert {row["id"] for row in data["results"]} == {east.pk, west.pk}
    data = login("admin").get("/api/notifications/messages/", {"channel": "sms"}).json()
    assert [row["id"] for row in data["results"]] == [west.pk]


def test_detail_has_attachments_and_attempts(login, messages):
    east, _ = messages
    data = login("admin").get(f"/api/notifications/messages/{east.pk}/").json()
    assert data["body"] == "正文"
    assert data["status"] == "queued"
    assert data["attachments"][0]["file_name"] == "a.pdf"
    assert len(data["attachments"][0]["sha256"]) == 64
    assert data["attempt_records"] == []


def test_read_only_and_forbidden_for_others(login, messages):
    east, west = messages
    assert login("admin").post("/api/notifications/messages/", {}).status_code == 405
    assert login("admin").delete(f"/api/notifications/messages/{east.pk}/").status_code == 405
    assert login("inspector_east").get("/api/notifications/messages/").status_code == 403
    assert login("liaison").get("/api/notifications/messages/").status_code == 403
    assert login("head_east").get(f"/api/notifications/messages/{west.pk}/").status_code == 404


def test_created_range_takes_offsets_and_refuses_impossible_moments(login, messages):
    east, _ = messages
    client = login("head_east")
    # 02:00 at +17:16 is the previous day in Shanghai: still before the message was created
    data = client.get("/api/notifications/messages/", {"created_after": "2020-01-01T02:00:00+17:16"}).json()
    assert [row["id"] for row in data["results"]] == [east.pk]
    data = client.get("/api/notifications/messages/", {"created_before": "2020-01-01T02:00:00+17:16"}).json()
    assert data["results"] == []
    # PostgreSQL refuses such an offset in a query and no station has records from year 654: both 400
    response = client.get("/api/notifications/messages/", {"created_after": "0654-03-23T11:44:25.6+17:16"})
    assert response.status_code == 400
    assert "created_after" in response.json()
