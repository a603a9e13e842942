"""The census API: scoped reading, records by team members, propose and approve."""

from rest_framework.test import APIClient

from gridcheck.census.models import Discrepancy
from gridcheck.census.tests.conftest import clean_data


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_records_and_discrepancies_through_the_api(county, campaign):
    customer = county.customers["east11"]
    body = {
        "campaign": campaign.pk,
        "customer": customer.pk,
        "submit": False,
        "data": clean_data(customer, category_seen="commercial"),
    }
    # Outside the team: refused; the west inspector does not see the campaign at all.
    assert (
        _client(county.users["auditor_east"]).post("/api/census/records/", body, format="json").status_code
        == 400
    )
    assert (
        _client(county.users["inspector_west"]).post("/api/census/records/", body, format="json").status_code
        == 400
    )
    answer = _client(county.users["inspector_east"]).post("/api/census/records/", body, format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "draft"
    record_id = answer.json()["id"]
    answer = _client(county.users["inspector2_east"]).post(f"/api/census/records/{record_id}/submit/")
    assert answer.status_code == 200 and answer.json()["status"] == "submitted"
    d = Discrepancy.objects.get()
    head, inspector = _client(county.users["head_east"]), _client(county.users["inspector_east"])
    assert head.get("/api/census/discrepancies/?kind=category").json()["count"] == 1
    assert _client(county.users["inspector_west"]).get("/api/census/discrepancies/").json()["count"] == 0
    assert (
        _client(county.users["inspector_west"]).get(f"/api/census/discrepancies/{d.pk}/").status_code == 404
    )
    assert _client(county.users["reader_east"]).get("/api/census/discrepancies/").status_code == 403
    answer = inspector.post(
        f"/api/census/discrepancies/{d.pk}/propose/",
        {"resolution": "audit_finding", "note": "核实"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "proposed"
    assert (
        inspector.post(
            f"/api/census/discrepancies/{d.pk}/approve/", {"approved": True}, format="json"
        ).status_code
        == 403
    )
    answer = head.post(f"/api/census/discrepancies/{d.pk}/approve/", {"approved": True}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "done" and answer.json()["finding"]
    detail = head.get(f"/api/census/campaigns/{campaign.pk}/").json()
    assert detail["coverage"]["visited"] == 1 and detail["coverage"]["customers"] == 4
