"""The cash pages and API: who sees them, each action through its POST, XLSX downloads, scope."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gridcheck.collection.models import BankDeposit, ReceiptCancellation, ReceiptStock
from gridcheck.collection.services import cash
from gridcheck.collection.tests.test_cash_support import DAY, pay

pytestmark = pytest.mark.django_db

PAGES = ["stock_list", "stock_issue", "deposit_list", "deposit_create", "daily_cash", "reconciliation",
         "rural_collections"]  # fmt: skip


def _stock(county, holder="reader_east"):
    return cash.stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="A",
        first_number=1,
        last_number=50,
        holder=county.users[holder],
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_collection_staff_and_not_for_the_liaison(county, login, name):
    for username in ("head_east", "auditor_east") + (() if name in ("stock_issue",) else ("reader_east",)):
        assert login(username).get(reverse(f"collection:{name}")).status_code == 200, (username, name)
    assert login("liaison").get(reverse(f"collection:{name}")).status_code == 403


def test_readers_may_not_open_the_issue_form(county, login):
    assert login("reader_east").get(reverse("collection:stock_issue")).status_code == 403


def test_issue_stock_through_the_form_and_an_overlap_is_a_form_error(county, login):
    client = login("auditor_east")
    data = {"station": county.stations["east"].pk, "kind": "receipt", "series": "a", "first_number": 1,
            "last_number": 50, "holder": county.users["reader_east"].pk}  # fmt: skip
    response = client.post(reverse("collection:stock_issue"), data)
    stock = ReceiptStock.objects.get()
    assert response.status_code == 302 and response.url == stock.get_absolute_url()
    assert stock.series == "A"
    response = client.post(reverse("collection:stock_issue"), {**data, "first_number": 20, "last_number": 70})
    assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode()
    assert ReceiptStock.objects.count() == 1
    page = client.get(stock.get_absolute_url()).content.decode()
    assert "A 00000001-00000050" in page and "00000001" in page


def test_cancel_then_check_by_another_through_the_pages(county, login):
    stock = _stock(county)
    client = login("reader_east")
    response = client.post(
        reverse("collection:stock_cancel", args=[stock.pk]), {"number": 7, "reason": "污损"}
    )
    assert response.status_code == 302
    cancellation = ReceiptCancellation.objects.get()
    assert cancellation.status == "pending"
    # The collector has no check form, and posting the check is refused.
    assert 'data-testid="decision-form"' not in client.get(stock.get_absolute_url()).content.decode()
    assert client.post(reverse("collection:cancellation_check", args=[cancellation.pk]),
                       {"decision": "approve"}).status_code == 403  # fmt: skip
    client = login("auditor_east")
    assert 'data-testid="decision-form"' in client.get(stock.get_absolute_url()).content.decode()
    response = client.post(
        reverse("collection:cancellation_check", args=[cancellation.pk]),
        {"decision": "approve", "comment": ""},
        follow=True,
    )
    cancellation.refresh_from_db()
    assert cancellation.status == "approved"
    assert "00000007" in response.content.decode()


def test_return_destroy_request_and_county_approval_through_the_pages(county, login):
    stock = _stock(county)
    assert login("auditor_east").post(reverse("collection:stock_return", args=[stock.pk])).status_code == 302
    login("auditor_east").post(
        reverse("collection:stock_destroy_request", args=[stock.pk]), {"reason": "期满"}
    )
    stock.refresh_from_db()
    assert stock.status == "destroy_pending"
    assert (
        login("head_east")
        .post(reverse("collection:stock_destroy_approve", args=[stock.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    response = login("admin").post(
        reverse("collection:stock_destroy_approve", args=[stock.pk]),
        {"decision": "approve", "comment": "同意"},
    )
    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.status == "destroyed"


def test_deposit_through_the_form_a_duplicate_slip_is_a_form_error_and_remit(county, login):
    client = login("reader_east")
    data = {"collector": county.users["reader_east"].pk, "collection_day": "2025-04-10",
            "deposited_on": "2025-04-10", "amount_yuan": "300.00", "bank": "农行", "slip_number": "JK-1"}  # fmt: skip
    assert client.post(reverse("collection:deposit_create"), data).status_code == 302
    response = client.post(reverse("collection:deposit_create"), data)
    assert response.status_code == 200 and "JK-1" in response.content.decode()
    response = client.post(
        reverse("collection:deposit_create"), {**data, "slip_number": "JK-2", "amount_yuan": "1.005"}
    )
    assert response.status_code == 200 and BankDeposit.objects.count() == 1
    # A reader cannot record for someone else (the form offers only themselves).
    response = client.post(
        reverse("collection:deposit_create"),
        {**data, "slip_number": "JK-3", "collector": county.users["manager_east"].pk},
    )
    assert response.status_code == 200 and BankDeposit.objects.count() == 1
    deposit = BankDeposit.objects.get()
    assert login("reader_east").post(reverse("collection:deposit_remit"), {}).status_code == 403
    client = login("auditor_east")
    page = client.get(reverse("collection:deposit_list")).content.decode()
    assert 'data-testid="remit-form"' in page and "300.00" in page
    response = client.post(
        reverse("collection:deposit_remit"),
        {"deposits": [deposit.pk], "remitted_on": "2025-04-11", "reference": "SJ-0411"},
    )
    assert response.status_code == 302
    deposit.refresh_from_db()
    assert deposit.status == "remitted" and deposit.remittance_reference == "SJ-0411"
    sheet = _sheet(client.get(reverse("collection:deposit_list") + "?export=xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "JK-1" and Decimal(str(rows[1][5])) == Decimal("300.00")


def test_reconciliation_page_highlights_the_gap_and_the_xlsx_lists_it(county, login, issued):
    reader = county.users["reader_east"]
    stock = _stock(county)
    pay(
        county.customers["east11"],
        reader,
        "100.00",
        receivable=issued.receivables["east11"],
        stock=stock,
        number=1,
    )
    pay(
        county.customers["east12"],
        reader,
        "200.00",
        receivable=issued.receivables["east12"],
        stock=stock,
        number=2,
    )
    cash.deposit_record(user=reader, collector=reader, collection_day=DAY, deposited_on=DAY, amount_yuan="200.00",
                        bank="农行", slip_number="JK-1")  # fmt: skip
    client = login("head_east")
    url = reverse("collection:reconciliation") + "?first=2025-04-01&last=2025-04-30"
    page = client.get(url).content.decode()
    assert 'data-testid="gap-row"' in page and "-100.00" in page and "300.00" in page
    sheet = _sheet(
        client.get(reverse("collection:reconciliation_xlsx") + "?first=2025-04-01&last=2025-04-30")
    )
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert Decimal("-100") in [Decimal(str(v)) for v in values if isinstance(v, int | float)]
    # The API gives the same difference; a west user gets nothing of east.
    data = client.get("/api/collection/reconciliation/?first=2025-04-10&last=2025-04-10").json()
    assert data["balanced"] is False
    assert [(d["check"], d["difference_yuan"]) for d in data["differences"]] == [("deposits", "-100.00")]
    west = login("inspector_west").get(
        f"/api/collection/reconciliation/?station={county.stations['east'].pk}&first=2025-04-10&last=2025-04-10"
    )
    assert west.status_code == 404
    west_page = login("inspector_west").get(
        reverse("collection:reconciliation") + f"?station={county.stations['east'].pk}"
    )
    assert west_page.status_code == 404


def test_daily_cash_and_rural_pages_and_their_xlsx(county, login, issued):
    manager = county.users["manager_east"]
    r11 = issued.receivables["east11"]
    pay(county.customers["east11"], manager, "35.50", receivable=r11, channel="rural_electrician",
        day=issued.receivables["east11"].issued_on)  # fmt: skip
    client = login("head_east")
    day = r11.issued_on.isoformat()
    page = client.get(reverse("collection:daily_cash") + f"?day={day}").content.decode()
    assert "35.50" in page and "manager_east" in page
    sheet = _sheet(client.get(reverse("collection:daily_cash_xlsx") + f"?day={day}"))
    assert sheet.max_row >= 3
    month = f"{issued.cycle.period:%Y-%m}"
    page = client.get(reverse("collection:rural_collections") + f"?month={month}").content.decode()
    assert "manager_east" in page and "35.50" in page
    sheet = _sheet(client.get(reverse("collection:rural_collections_xlsx") + f"?month={month}"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "manager_east" and Decimal(str(rows[2][5])) == Decimal("35.50")


def test_lists_and_api_are_scoped(county, login):
    from gridcheck.users.models import User

    stock = _stock(county)
    reader = county.users["reader_east"]
    cash.deposit_record(user=reader, collector=reader, collection_day=DAY, deposited_on=DAY, amount_yuan="9.00",
                        bank="农行", slip_number="JK-EAST")  # fmt: skip
    User.objects.create_user(
        username="reader_west", password="x", role="meter_reader", station=county.stations["west"]
    )
    client = login("inspector_west")
    assert "JK-EAST" not in client.get(reverse("collection:deposit_list")).content.decode()
    assert "00000050" not in client.get(reverse("collection:stock_list")).content.decode()
    assert client.get(stock.get_absolute_url()).status_code == 404
    assert client.get("/api/collection/stock/").json()["results"] == []
    assert client.get("/api/collection/deposits/").json()["results"] == []
    client = login("head_east")
    [row] = client.get("/api/collection/stock/").json()["results"]
    assert row["counts"]["unused"] == 50
    [row] = client.get("/api/collection/deposits/").json()["results"]
    assert row["slip_number"] == "JK-EAST" and row["amount_yuan"] == "9.00"
