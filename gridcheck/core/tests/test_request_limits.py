"""Values no page or API call can mean are a 400, never a server error (issue: fuzzing found 500s)."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = str(2**70)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/archive/customers/?area={HUGE}",
        f"/api/archive/customers/?station=-{HUGE}",
        f"/api/lineloss/area-months/?run={HUGE}",
        f"/archive/customers/?area={HUGE}",
        "/archive/customers/?q=" + "户" * 60_000,
    ],
)
def test_out_of_range_and_overlong_query_values_are_a_400(client, county, url):
    client.force_login(county.users["admin"])
    response = client.get(url)
    assert response.status_code == 400


def test_a_huge_page_number_is_not_an_error(client, county):
    client.force_login(county.users["admin"])
    assert client.get("/archive/customers/?page=999999999999999999").status_code == 200
    assert client.get("/archive/customers/?page=9223372036854775807").status_code == 200


def test_integers_beyond_64_bits_in_a_json_body_are_a_400(client, county):
    client.force_login(county.users["admin"])
    response = client.post(
        "/api/archive/areas/", data='{"line": ' + HUGE + "}", content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post("/api/archive/areas/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_ordinary_values_pass(client, county):
    client.force_login(county.users["admin"])
    station = county.stations["east"].pk
    assert client.get(f"/api/archive/customers/?station={station}").status_code == 200
