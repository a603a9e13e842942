"""Staff pages: scoped staff list with qualification status, qualification list, staff page."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone

from gridcheck.users.models import Qualification


def usernames(response):
    return {row.record.username for row in response.context["table"].page.object_list}


def test_anonymous_is_sent_to_login(client, county):
    for name in ("users:user_list", "users:qualification_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_station_user_sees_only_their_station_staff(login, county):
    response = login("inspector_east").get(reverse("users:user_list"))
    names = usernames(response)
    assert "head_east" in names and "inspector2_east" in names
    assert "inspector_west" not in names and "liaison" not in names
    assert "西山供电所" not in response.content.decode()


def test_area_manager_sees_their_station_staff(login, county):
    names = usernames(login("manager_east").get(reverse("users:user_list")))
    assert "inspector_east" in names and "inspector_west" not in names


def test_county_user_sees_everyone_and_filters_by_role_and_station(login, county):
    client = login("admin")
    names = usernames(client.get(reverse("users:user_list")))
    assert {"inspector_east", "inspector_west", "admin"} <= names
    names = usernames(client.get(reverse("users:user_list"), {"role": "inspector"}))
    assert names == {"inspector_east", "inspector2_east", "inspector_west"}
    names = usernames(
        client.get(reverse("users:user_list"), {"role": "inspector", "station": county.stations["west"].pk})
    )
    assert names == {"inspector_west"}


def test_qualification_status_valid_expiring_expired(login, county):
    today = timezone.localdate()
    Qualification.objects.filter(user=county.users["inspector2_east"]).update(
        expires_on=today + datetime.timedelta(days=30)
    )
    Qualification.objects.create(
        user=county.users["reader_east"],
        level="3",
        certificate_number="JC-OLD",
        issued_on=datetime.date(2015, 1, 1),
        expires_on=today - datetime.timedelta(days=1),
    )
    response = login("head_east").get(reverse("users:user_list"))
    rows = {
        row.record.username: row.get_cell("qualification")
        for row in response.context["table"].page.object_list
    }
    assert "gc-qual-valid" in rows["inspector_east"]
    assert "gc-qual-expiring" in rows["inspector2_east"]
    assert "gc-qual-expired" in rows["reader_east"]
    assert "gc-qual-none" in rows["auditor_east"]


def test_qualification_list_is_the_staff_sections_and_scoped(login, county):
    # Read by whoever reads the staff section (the certificates are on the staff pages and the API too).
    assert login("liaison").get(reverse("users:qualification_list")).status_code == 403
    for username in ("head_east", "inspector_east"):
        body = login(username).get(reverse("users:qualification_list")).content.decode()
        assert "JC-2024-0000" in body and "JC-2024-0001" in body
        assert "JC-2024-0002" not in body  # the west inspector's certificate


def test_user_detail_is_scoped(login, county):
    client = login("inspector_east")
    response = client.get(reverse("users:user_detail", args=[county.users["inspector2_east"].pk]))
    assert response.status_code == 200 and "JC-2024-0001" in response.content.decode()
    assert (
        client.get(reverse("users:user_detail", args=[county.users["inspector_west"].pk])).status_code == 404
    )


def test_user_detail_shows_owned_areas_and_history(login, county):
    manager = county.users["manager_east"]
    manager.phone = "13900000000"
    manager.save()
    response = login("head_east").get(reverse("users:user_detail", args=[manager.pk]))
    body = response.content.decode()
    assert "S01-A1" in body and "S01-A2" not in body
    assert any(
        ("—", "13900000000") == (c["old"], c["new"])
        for e in response.context["history"]
        for c in e["changes"]
    )
    assert all("password" not in str(c["field"]) for e in response.context["history"] for c in e["changes"])


def test_staff_export_is_scoped(login, county):
    from openpyxl import load_workbook

    response = login("inspector_east").get(reverse("users:user_list"), {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "inspector_east" in text and "inspector_west" not in text


def test_qualification_export_is_scoped(login, county):
    from openpyxl import load_workbook

    response = login("head_east").get(reverse("users:qualification_list"), {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "JC-2024-0000" in text and "JC-2024-0002" not in text
