"""The dunning and disconnection pages and API: who sees them, what they show, each action's POST."""

import pytest
from django.urls import reverse

from gridcheck.collection.choices import DisconnectionStatus as S
from gridcheck.collection.choices import DunningStatus
from gridcheck.collection.models import Disconnection, DunningNotice
from gridcheck.collection.services import disconnections as disconnection_services
from gridcheck.collection.services.dunning import dunning_issue
from gridcheck.collection.tests.test_dunning import day, on_day, pay


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _notice(county, key="east11", when=1, channel="paper"):
    with on_day(day(when)):
        return dunning_issue(user=county.users["head_east"], customer=county.customers[key], channel=channel)


def _proposal(county, key="east11"):
    _notice(county, key, 1)
    _notice(county, key, 8)
    with on_day(day(31)):
        return disconnection_services.disconnection_propose(
            user=county.users["auditor_east"], customer=county.customers[key], reason="多次催交仍未缴费"
        )


@pytest.mark.parametrize("name", ["dunning_list", "dunning_due", "disconnection_list"])
def test_lists_render_for_collection_readers_and_not_for_the_liaison(county, login, issued, name):
    _notice(county)
    for username in ("head_east", "auditor_east", "reader_east", "manager_east", "admin"):
        response = login(username).get(reverse(f"collection:{name}"))
        assert response.status_code == 200, (username, name)
    assert login("liaison").get(reverse(f"collection:{name}")).status_code == 403


def test_notice_list_is_scoped_and_exports_xlsx(county, login, issued):
    notice = _notice(county)
    assert notice.number in login("head_east").get(reverse("collection:dunning_list")).content.decode()
    assert (
        notice.number not in login("inspector_west").get(reverse("collection:dunning_list")).content.decode()
    )
    response = login("head_east").get(reverse("collection:dunning_list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "通知单号" and sheet["A2"].value == notice.number
    assert (
        login("inspector_west").get(reverse("collection:dunning_detail", args=[notice.pk])).status_code == 404
    )


def test_due_page_lists_and_issues_the_due_notices(county, login, issued):
    client = login("head_east")
    with on_day(day(1)):
        page = client.get(reverse("collection:dunning_due"))
        assert county.customers["east11"].account_number in page.content.decode()
        assert 'data-testid="issue-due"' in page.content.decode()
        response = client.post(
            reverse("collection:dunning_due"),
            {"station": county.stations["east"].pk, "channel": ""},
            follow=True,
        )
    assert response.status_code == 200
    assert DunningNotice.objects.count() == 4
    # a meter reader collects: may issue; an inspector may not
    with on_day(day(1)):
        assert login("inspector_east").post(reverse("collection:dunning_due"), {}).status_code == 403
        assert (
            'data-testid="issue-due"'
            not in login("inspector_east").get(reverse("collection:dunning_due")).content.decode()
        )


def test_issue_one_notice_page(county, login, issued):
    customer = county.customers["east12"]
    client = login("reader_east")
    with on_day(day(2)):
        page = client.get(reverse("collection:dunning_issue", args=[customer.pk]))
        assert page.status_code == 200
        refused = client.post(reverse("collection:dunning_issue", args=[customer.pk]), {"channel": "sms"})
        assert refused.status_code == 200
        assert customer.account_number in refused.content.decode()
        assert 'data-testid="field-error"' in refused.content.decode()
        response = client.post(reverse("collection:dunning_issue", args=[customer.pk]), {"channel": "paper"})
    notice = DunningNotice.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert (
        login("inspector_east").get(reverse("collection:dunning_issue", args=[customer.pk])).status_code
        == 403
    )
    west = county.customers["west11"]
    assert login("reader_east").get(reverse("collection:dunning_issue", args=[west.pk])).status_code == 404


def test_notice_detail_pdf_and_delivery_by_the_electrician(county, login, issued):
    notice = _notice(county)
    client = login("manager_east")
    page = client.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="delivery-form"' in page and f"{notice.arrears_yuan:,.2f}" in page
    assert 'data-testid="propose"' not in page  # the electrician does not propose disconnections
    pdf = client.get(reverse("collection:dunning_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # an inspector sees the notice but neither the form nor the action
    inspector = login("inspector_east")
    assert 'data-testid="delivery-form"' not in inspector.get(notice.get_absolute_url()).content.decode()
    deliver = reverse("collection:dunning_deliver", args=[notice.pk])
    assert inspector.post(deliver, {"note": "x"}).status_code == 403
    client = login("manager_east")  # the test client is shared: log the electrician in again
    client.post(deliver, {"note": ""}, follow=True)
    assert DunningNotice.objects.get(pk=notice.pk).status == DunningStatus.ISSUED
    response = client.post(deliver, {"note": "户主签收"}, follow=True)
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.status == DunningStatus.DELIVERED and notice.delivered_by == county.users["manager_east"]
    assert 'data-testid="delivered"' in response.content.decode()


def test_propose_page_refuses_then_proposes(county, login, issued):
    customer = county.customers["east11"]
    client = login("auditor_east")
    url = reverse("collection:disconnection_propose", args=[customer.pk])
    with on_day(day(31)):
        assert client.get(url).status_code == 200
        refused = client.post(url, {"reason": "欠费"})
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.content.decode()
    assert not Disconnection.objects.exists()
    assert login("reader_east").get(url).status_code == 403
    _notice(county, "east11", 1)
    _notice(county, "east11", 8)
    client = login("auditor_east")
    with on_day(day(31)):
        response = client.post(url, {"reason": "多次催交仍未缴费"})
    d = Disconnection.objects.get()
    assert response.status_code == 302 and response["Location"] == d.get_absolute_url()


def test_disconnection_pages_through_approval_order_execute_and_reconnection(county, login, issued):
    d = _proposal(county)
    detail = d.get_absolute_url()
    # the proposer sees no decision form (they may not approve), the head does
    assert 'data-testid="station-decision"' in login("head_east").get(detail).content.decode()
    assert 'data-testid="station-decision"' not in login("auditor_east").get(detail).content.decode()
    assert (
        login("auditor_east")
        .post(reverse("collection:disconnection_decide", args=[d.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    with on_day(day(32)):
        login("head_east").post(
            reverse("collection:disconnection_decide", args=[d.pk]),
            {"decision": "approve", "comment": "同意"},
        )
    d.refresh_from_db()
    assert d.status == S.APPROVED and d.cut_not_before == day(39)
    pdf = login("head_east").get(reverse("collection:disconnection_pdf", args=[d.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client = login("auditor_east")
    with on_day(day(35)):
        assert 'data-testid="notice-period"' in client.get(detail).content.decode()
        response = client.post(reverse("collection:disconnection_order", args=[d.pk]), follow=True)
        assert f"{day(39):%Y-%m-%d}" in _messages(response)
    d.refresh_from_db()
    assert d.work_order_id is None
    with on_day(day(39)):
        client.post(reverse("collection:disconnection_order", args=[d.pk]))
        client.post(reverse("collection:disconnection_execute", args=[d.pk]), {"note": "已断开表后开关"})
    d.refresh_from_db()
    assert d.work_order_id and d.status == S.EXECUTED
    pay(county.customers["east11"])
    with on_day(day(40)):
        disconnection_services.disconnection_reconnect_if_paid(county.customers["east11"])
        page = client.get(detail).content.decode()
        assert 'data-testid="reconnected"' in page
        client.post(reverse("collection:disconnection_reconnected", args=[d.pk]), {"note": "已复电"})
    d.refresh_from_db()
    assert d.status == S.RECONNECTED
    assert login("inspector_west").get(detail).status_code == 404
    assert (
        login("inspector_west").post(reverse("collection:disconnection_order", args=[d.pk])).status_code
        == 403
    )


def test_important_customer_page_waits_for_the_county(county, login, issued):
    customer = county.customers["east12"]
    customer.is_important = True
    customer.save()
    d = _proposal(county, "east12")
    with on_day(day(31)):
        login("head_east").post(
            reverse("collection:disconnection_decide", args=[d.pk]), {"decision": "approve"}
        )
        d.refresh_from_db()
        assert d.status == S.COUNTY_PENDING
        page = login("head_east").get(d.get_absolute_url()).content.decode()
        assert 'data-testid="county-waiting"' in page and 'data-testid="county-decision"' not in page
        response = login("head_east").post(
            reverse("collection:disconnection_decide", args=[d.pk]), {"decision": "approve"}
        )
        assert response.status_code == 302
        d.refresh_from_db()
        assert d.status == S.COUNTY_PENDING
        assert 'data-testid="county-decision"' in login("admin").get(d.get_absolute_url()).content.decode()
        login("admin").post(
            reverse("collection:disconnection_decide", args=[d.pk]),
            {"decision": "approve", "comment": "同意"},
        )
    d.refresh_from_db()
    assert d.status == S.APPROVED and d.county_approved_by == county.users["admin"]


def test_disconnection_list_exports_xlsx(county, login, issued):
    d = _proposal(county)
    response = login("head_east").get(reverse("collection:disconnection_list") + "?export=xlsx")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == d.number
    assert d.number in login("head_east").get(reverse("collection:disconnection_list")).content.decode()


def test_api_is_read_only_and_scoped(county, login, issued):
    notice = _notice(county)
    d = _proposal(county, "east12")
    client = login("head_east")
    body = client.get("/api/collection/dunning-notices/").json()
    numbers = {row["number"] for row in body.get("results", body)}
    assert notice.number in numbers
    detail = client.get(f"/api/collection/disconnections/{d.pk}/").json()
    assert detail["number"] == d.number and [e["to_status"] for e in detail["events"]] == ["proposed"]
    assert client.post("/api/collection/disconnections/", {}).status_code in (403, 405)
    west = login("inspector_west")
    body = west.get("/api/collection/dunning-notices/").json()
    assert not body.get("results", body)
    assert west.get(f"/api/collection/disconnections/{d.pk}/").status_code == 404
    assert login("liaison").get("/api/collection/dunning-notices/").status_code == 403
