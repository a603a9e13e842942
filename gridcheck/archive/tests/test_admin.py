"""The Django admin of the archive: identifiers are normalised and checked there too (finding 10)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gridcheck.archive.models import Customer


@pytest.fixture
def superuser_client(client, county):
    user = get_user_model().objects.create_superuser(username="root", password=county.password)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


def customer_form(county, account_number):
    area = county.areas["east1"]
    return {
        "account_number": account_number,
        "name": "新客户",
        "area": area.pk,
        "station": area.station_id,
        "category": "residential",
        "voltage_level": "220V",
        "contracted_capacity_kva": "8",
        "tariff_code": "ＲＥＳ－１",
        "inspection_class": "C",
        "status": "active",
    }


def test_admin_normalises_identifiers_and_refuses_look_alikes(superuser_client, county):
    url = reverse("admin:archive_customer_add")
    response = superuser_client.post(url, customer_form(county, "１２３\u200b45"))
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(account_number="12345")
    assert customer.tariff_code == "RES-1"
    count = Customer.objects.count()
    for look_alike in ("\ufeff12345", "12345\u00a0", "１２３４５"):
        response = superuser_client.post(url, customer_form(county, look_alike))
        assert response.status_code == 200
        assert "already exists" in response.content.decode()
    response = superuser_client.post(url, customer_form(county, "123 45"))
    assert response.status_code == 200
    assert "contains characters not allowed here" in response.content.decode()
    assert Customer.objects.count() == count
