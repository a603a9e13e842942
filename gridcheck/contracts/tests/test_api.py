import datetime

import pytest

from gridcheck.contracts.models import Contract

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_contracts_api_is_scoped(login, contracts):
    def ids(username):
        response = login(username).get("/api/contracts/contracts/")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    east, west, draft = contracts["east12"].pk, contracts["west12"].pk, contracts["draft"].pk
    assert ids("admin") == {east, west, draft}
    assert ids("head_east") == {east, draft}
    assert ids("inspector_west") == {west}
    assert login("head_east").get(f"/api/contracts/contracts/{west}/").status_code == 404
    assert login("reader_east").get("/api/contracts/contracts/").status_code == 403
    detail = login("inspector_east").get(f"/api/contracts/contracts/{east}/").json()
    assert detail["clause_boundary"] and [e["to_status"] for e in detail["events"]] == [
        "draft",
        "signed",
        "in_force",
    ]


def test_contract_actions(login, contracts, today):
    east, draft = contracts["east12"], contracts["draft"]
    # an inspector reads but may not act
    assert (
        _post(login("inspector_east"), f"/api/contracts/contracts/{east.pk}/terminate/", {}).status_code
        == 403
    )
    head = login("head_east")  # (the same test client, now the head's)
    # the draft lacks its clauses: a 400 naming them
    refused = _post(
        head,
        f"/api/contracts/contracts/{draft.pk}/sign/",
        {"signed_on": today.isoformat(), "customer_signatory": "乙"},
    )
    assert refused.status_code == 400 and "clause_supply" in refused.json(), refused.content.decode()
    # renewal needs both confirmations
    url = f"/api/contracts/contracts/{east.pk}/renew/"
    new_end = (east.valid_to + datetime.timedelta(days=300)).isoformat()
    refused = _post(
        head,
        url,
        {"new_valid_to": new_end, "supplier_confirmed_on": today.isoformat(), "customer_confirmed_on": None},
    )
    assert refused.status_code == 400 and "customer_confirmed_on" in refused.json()
    body = {
        "new_valid_to": new_end,
        "supplier_confirmed_on": today.isoformat(),
        "customer_confirmed_on": today.isoformat(),
    }
    response = _post(head, url, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "extended"
    response = _post(
        head, f"/api/contracts/contracts/{east.pk}/terminate/", {"on": today.isoformat(), "reason": "销户"}
    )
    assert response.status_code == 200 and Contract.objects.get(pk=east.pk).status == "terminated"
    west = contracts["west12"]
    assert (
        _post(
            head, f"/api/contracts/contracts/{west.pk}/terminate/", {"on": today.isoformat(), "reason": "x"}
        ).status_code
        == 404
    )
