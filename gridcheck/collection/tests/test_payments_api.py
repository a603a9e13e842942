"""The payments API: scoped reading; POST with an Idempotency-Key returns the same payment on a retry."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from gridcheck.collection.models import Payment
from gridcheck.collection.services.payments import payment_post

pytestmark = pytest.mark.django_db
URL = "/api/collection/payments/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_post_with_an_idempotency_key_is_paid_once(county, issued):
    r = issued.receivables["east11"]
    client = _client(county.users["reader_east"])
    body = {"customer": r.customer_id, "amount_yuan": "20.00", "channel": "online"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Payment.objects.count() == 1
    r.refresh_from_db()
    assert r.paid_yuan == Decimal("20.00")
    other = client.post(URL, {**body, "amount_yuan": "21.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 400


def test_post_without_a_key_or_with_a_bad_amount_is_a_400(county, issued):
    r = issued.receivables["east11"]
    client = _client(county.users["reader_east"])
    assert client.post(URL, {"customer": r.customer_id, "amount_yuan": "1"}, format="json").status_code == 400
    bad = client.post(
        URL, {"customer": r.customer_id, "amount_yuan": "1.001"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400 and "amount_yuan" in bad.json()
    assert Payment.objects.count() == 0


def test_scope_and_rights(county, issued):
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    r = issued.receivables["east11"]
    payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan="5",
        channel="counter",
        idempotency_key="a",
    )
    west = User.objects.create_user(
        username="reader_west",
        password="x-pw-12345!",
        role=Role.METER_READER,
        station=county.stations["west"],
    )
    assert _client(west).get(URL).json()["count"] == 0
    body = {"customer": r.customer_id, "amount_yuan": "5"}
    assert _client(west).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="w").status_code == 400
    assert (
        _client(county.users["inspector_east"])
        .post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="i")
        .status_code
        == 403
    )
    data = _client(county.users["head_east"]).get(URL).json()
    assert data["count"] == 1
    detail = _client(county.users["head_east"]).get(f"{URL}{data['results'][0]['id']}/").json()
    assert detail["allocations"][0]["principal_yuan"] == "5.00"
    assert Payment.objects.count() == 1
