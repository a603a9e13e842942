"""Temporary supply's pages: the ledger and its views, the detail page, the forms of each step, scope."""

import datetime

import pytest
from django.urls import reverse

from gridcheck.temporary_supply.choices import SupplyStatus
from gridcheck.temporary_supply.models import TemporarySupply
from gridcheck.temporary_supply.tests.helpers import apply, connected, prepay, today

pytestmark = pytest.mark.django_db


def test_ledger_views_and_export(county, login):
    supply = connected(county)
    apply(county, key="west", user="admin")
    client = login("auditor_east")
    page = client.get(reverse("temporary_supply:supply_list"))
    assert page.status_code == 200
    assert supply.number in page.content.decode()
    assert "LSS02" not in page.content.decode()  # the west supply is out of scope
    active = client.get(reverse("temporary_supply:supply_list"), {"ledger": "active"})
    assert supply.number in active.content.decode()
    overdue = client.get(reverse("temporary_supply:supply_list"), {"ledger": "overdue"})
    assert supply.number not in overdue.content.decode()
    export = client.get(reverse("temporary_supply:supply_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_detail_and_step_pages(county, login):
    supply = apply(county)
    client = login("head_east")
    detail = client.get(reverse("temporary_supply:supply_detail", args=[supply.pk]))
    assert detail.status_code == 200 and b'data-testid="approve-form"' in detail.content
    response = client.post(reverse("temporary_supply:supply_approve", args=[supply.pk]), {"comment": "同意"})
    assert response.status_code == 302
    supply.refresh_from_db()
    assert supply.status == SupplyStatus.APPROVED
    client = login("auditor_east")
    connect_url = reverse("temporary_supply:supply_connect", args=[supply.pk])
    assert client.get(connect_url).status_code == 200
    refused = client.post(connect_url, {"on": today().isoformat()})
    assert refused.status_code == 400  # no prepayment yet
    prepay(county, supply)
    assert client.post(connect_url, {"on": today().isoformat()}).status_code == 302
    close_url = reverse("temporary_supply:supply_close", args=[supply.pk])
    assert client.get(close_url).status_code == 200
    done = client.post(close_url, {"closed_on": today().isoformat(), "completion": "removed"})
    assert done.status_code == 302
    supply.refresh_from_db()
    assert supply.status == SupplyStatus.CLOSED
    detail = client.get(reverse("temporary_supply:supply_detail", args=[supply.pk]))
    assert b'data-testid="settlement"' in detail.content


def test_apply_page_refuses_more_than_six_months(county, login):
    client = login("auditor_east")
    url = reverse("temporary_supply:supply_apply")
    assert client.get(url).status_code == 200
    start = today()
    data = {
        "area": county.areas["east1"].pk,
        "applicant_name": "某公司",
        "applied_on": start.isoformat(),
        "purpose": "施工",
        "address": "某地",
        "capacity_kva": "20",
        "voltage_level": "380V",
        "tariff_code": "GEN-1",
        "start_on": start.isoformat(),
        "end_on": (start + datetime.timedelta(days=200)).isoformat(),
        "metering_mode": "capacity_time",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and b'data-testid="field-error"' in response.content
    assert not TemporarySupply.objects.exists()
    data["end_on"] = (start + datetime.timedelta(days=30)).isoformat()
    assert client.post(url, data).status_code == 302
    assert TemporarySupply.objects.count() == 1


def test_extension_and_unauthorised_pages(county, login):
    supply = connected(county)
    client = login("auditor_east")
    url = reverse("temporary_supply:supply_extend", args=[supply.pk])
    new_end = supply.end_on + datetime.timedelta(days=30)
    response = client.post(
        url, {"requested_on": today().isoformat(), "new_end_on": new_end.isoformat(), "reason": "工期"}
    )
    assert response.status_code == 302
    extension = supply.extensions.get()
    client = login("head_east")
    decide = reverse("temporary_supply:extension_decide", args=[extension.pk])
    assert client.post(decide, {"decision": "approve", "comment": ""}).status_code == 302
    supply.refresh_from_db()
    assert supply.end_on == new_end
    assert client.get(reverse("temporary_supply:unauthorised_list")).status_code == 200
    record = reverse("temporary_supply:unauthorised_record")
    assert client.get(record).status_code == 200
    response = client.post(
        record,
        {
            "area": county.areas["east1"].pk,
            "found_on": today().isoformat(),
            "address": "某村",
            "connected_by": "staff",
            "staff": county.users["reader_east"].pk,
            "facts": "私接",
        },
    )
    assert response.status_code == 302


def test_west_supply_is_404_for_east(county, login):
    supply = apply(county, key="west", user="admin")
    client = login("head_east")
    assert client.get(reverse("temporary_supply:supply_detail", args=[supply.pk])).status_code == 404
    assert client.post(reverse("temporary_supply:supply_approve", args=[supply.pk])).status_code == 404
    assert login("liaison").get(reverse("temporary_supply:supply_list")).status_code == 403
