"""The staff API: read-only, scoped, and never the password hash."""

import pytest

API = "/api/staff"
EAST_STAFF = ["auditor_east", "head_east", "inspector2_east", "inspector_east", "manager_east", "reader_east"]
ALL_STAFF = sorted([*EAST_STAFF, "admin", "inspector_west", "liaison"])


def usernames(response):
    assert response.status_code == 200, response.content
    return [row["username"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("inspector_east", EAST_STAFF),
        ("manager_east", EAST_STAFF),
        ("inspector_west", ["inspector_west"]),
        ("admin", ALL_STAFF),
    ],
)
def test_staff_list_is_scoped(login, username, expected):
    assert usernames(login(username).get(f"{API}/users/")) == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [("inspector_east", 2), ("head_east", 2), ("inspector_west", 1), ("admin", 3)],
)
def test_qualification_list_is_scoped(login, username, expected):
    response = login(username).get(f"{API}/qualifications/")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_the_liaison_does_not_read_the_staff_lists(login, county):
    client = login("liaison")
    assert client.get(f"{API}/users/").status_code == 403
    assert client.get(f"{API}/qualifications/").status_code == 403


def test_staff_detail_of_another_station_is_404(login, county):
    west = county.users["inspector_west"]
    assert login("head_east").get(f"{API}/users/{west.pk}/").status_code == 404
    assert login("admin").get(f"{API}/users/{west.pk}/").status_code == 200
    qualification = west.qualifications.get()
    assert login("head_east").get(f"{API}/qualifications/{qualification.pk}/").status_code == 404
    assert login("inspector_west").get(f"{API}/qualifications/{qualification.pk}/").status_code == 200


def test_no_password_hash_anywhere(login, county):
    client = login("admin")
    user = county.users["inspector_east"]
    detail = client.get(f"{API}/users/{user.pk}/")
    assert detail.status_code == 200
    data = detail.json()
    assert "password" not in data
    assert data["role"] == "inspector"
    assert data["station"] == county.stations["east"].pk
    assert [q["certificate_number"] for q in data["qualifications"]] == ["JC-2024-0000"]
    listing = client.get(f"{API}/users/").content.decode()
    assert "md5$" not in listing and "pbkdf2" not in listing and "password" not in listing


def test_staff_filters(login, county):
    client = login("admin")
    assert usernames(client.get(f"{API}/users/?role=inspector")) == [
        "inspector2_east",
        "inspector_east",
        "inspector_west",
    ]
    assert usernames(client.get(f"{API}/users/?station={county.stations['west'].pk}")) == ["inspector_west"]
    assert usernames(client.get(f"{API}/users/?q=head")) == ["head_east"]
    rows = client.get(
        f"{API}/qualifications/?station={county.stations['east'].pk}&valid_on=2025-06-01"
    ).json()
    assert rows["count"] == 2
    assert client.get(f"{API}/qualifications/?valid_on=2030-06-01").json()["count"] == 0


def test_staff_ordering(login):
    client = login("admin")
    assert usernames(client.get(f"{API}/users/?ordering=-username")) == sorted(ALL_STAFF, reverse=True)


def test_staff_api_is_read_only(login, county):
    user = county.users["reader_east"]
    assert login("admin").post(f"{API}/users/", {"username": "x"}).status_code == 405
    response = login("admin").patch(
        f"{API}/users/{user.pk}/", {"role": "administrator"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert login("liaison").post(f"{API}/qualifications/", {}).status_code == 403
    user.refresh_from_db()
    assert user.role == "meter_reader"


def test_staff_api_needs_login(client, county):
    assert client.get(f"{API}/users/").status_code in (401, 403)
    assert client.get(f"{API}/qualifications/").status_code in (401, 403)
