"""Pages of payments: the account, the counter payment (posted once on a double submit), the payment page
with its receipt, the lists and their export, bank file upload and detail, reversals, the month close; scope."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridcheck.collection.models import BankFile, MonthClose, Payment, Reversal
from gridcheck.collection.services.payments import payment_post

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def _expected(html: str) -> str:
    return re.search(r'name="expected_balance_yuan" value="([^"]*)"', html).group(1)


def test_the_account_page_shows_the_balance_and_statement(county, issued, login):
    r = issued.receivables["east11"]
    client = login("reader_east")
    response = client.get(reverse("collection:account_detail", args=[r.customer_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert r.customer.name in html and r.bill.number in html
    assert f"{r.amount_yuan:,.2f}" in html
    assert reverse("collection:payment_create", args=[r.customer_id]) in html


def test_the_account_list_searches_by_account_number(county, issued, login):
    r = issued.receivables["east11"]
    response = login("reader_east").get(reverse("collection:account_list"), {"q": r.customer.account_number})
    assert response.status_code == 200 and r.customer.name in response.content.decode()


def test_a_counter_payment_posts_once_even_when_submitted_twice(county, issued, login):
    r = issued.receivables["east11"]
    client = login("reader_east")
    url = reverse("collection:payment_create", args=[r.customer_id])
    html = client.get(url).content.decode()
    total = re.search(r'name="amount_yuan" value="([^"]+)"', html).group(1)
    assert Decimal(total) > r.amount_yuan  # overdue today: the late fee is added
    data = {
        "amount_yuan": total,
        "kind": "bills",
        "channel": "counter",
        "receipt_number": "",
        "note": "",
        "idempotency_key": _key(html),
        "expected_balance_yuan": _expected(html),
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert first.url == second.url == payment.get_absolute_url()
    page = client.get(payment.get_absolute_url()).content.decode()
    assert reverse("collection:payment_receipt", args=[payment.pk]) in page
    r.refresh_from_db()
    assert r.status == "paid"


def test_a_refused_payment_is_shown_on_the_form(county, issued, login):
    r = issued.receivables["east11"]
    client = login("reader_east")
    url = reverse("collection:payment_create", args=[r.customer_id])
    html = client.get(url).content.decode()
    response = client.post(
        url,
        {"amount_yuan": "10.001", "kind": "bills", "channel": "counter", "idempotency_key": _key(html)},
    )
    assert response.status_code == 200
    assert Payment.objects.count() == 0


def test_the_balance_changed_meanwhile_is_refused(county, issued, login):
    r = issued.receivables["east11"]
    client = login("reader_east")
    url = reverse("collection:payment_create", args=[r.customer_id])
    html = client.get(url).content.decode()
    payment_post(
        user=county.users["manager_east"],
        customer=r.customer,
        amount_yuan=r.amount_yuan,
        channel="rural_electrician",
        idempotency_key="phone-1",
    )
    response = client.post(
        url,
        {
            "amount_yuan": str(r.amount_yuan),
            "kind": "bills",
            "channel": "counter",
            "idempotency_key": _key(html),
            "expected_balance_yuan": _expected(html),
        },
    )
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    assert Payment.objects.count() == 1


def test_a_west_user_cannot_open_or_pay_an_east_customer(county, issued, client):
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    west = User.objects.create_user(
        username="reader_west",
        password="x-pw-12345!",
        role=Role.METER_READER,
        station=county.stations["west"],
    )
    client.force_login(west, backend="django.contrib.auth.backends.ModelBackend")
    r = issued.receivables["east11"]
    assert client.get(reverse("collection:account_detail", args=[r.customer_id])).status_code == 404
    url = reverse("collection:payment_create", args=[r.customer_id])
    response = client.post(
        url, {"amount_yuan": "1", "kind": "bills", "channel": "counter", "idempotency_key": "x"}
    )
    assert response.status_code == 404
    assert Payment.objects.count() == 0


def test_an_inspector_may_not_take_payments(county, issued, login):
    r = issued.receivables["east11"]
    assert (
        login("inspector_east").get(reverse("collection:payment_create", args=[r.customer_id])).status_code
        == 403
    )


def test_the_payment_list_filters_and_exports(county, issued, login):
    r = issued.receivables["east11"]
    payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan="10",
        channel="counter",
        idempotency_key="a",
    )
    client = login("head_east")
    response = client.get(reverse("collection:payment_list"), {"channel": "counter"})
    assert response.status_code == 200 and r.customer.name in response.content.decode()
    response = client.get(reverse("collection:payment_list"), {"channel": "online"})
    assert r.customer.name not in response.content.decode()
    export = client.get(reverse("collection:payment_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_the_receipt_pdf(county, issued, login):
    r = issued.receivables["east11"]
    payment = payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan="10",
        channel="counter",
        idempotency_key="a",
    )
    response = login("reader_east").get(reverse("collection:payment_receipt", args=[payment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_reversal_request_and_decision_pages(county, issued, login, client):
    r = issued.receivables["east11"]
    payment = payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan="10",
        channel="counter",
        idempotency_key="a",
    )
    inspector = login("inspector_east")
    assert (
        inspector.post(reverse("collection:reversal_request", args=[payment.pk]), {"reason": "x"}).status_code
        == 403
    )
    reader = login("reader_east")
    response = reader.post(reverse("collection:reversal_request", args=[payment.pk]), {"reason": "收错金额"})
    reversal = Reversal.objects.get()
    assert response.status_code == 302 and response.url == reversal.get_absolute_url()
    assert reader.get(reversal.get_absolute_url()).status_code == 200
    assert reader.get(reverse("collection:reversal_list")).status_code == 200
    assert (
        reader.post(
            reverse("collection:reversal_decide", args=[reversal.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    head = login("head_east")
    assert 'data-testid="decision-form"' in head.get(reversal.get_absolute_url()).content.decode()
    response = head.post(
        reverse("collection:reversal_decide", args=[reversal.pk]), {"decision": "approve", "comment": "同意"}
    )
    assert response.status_code == 302
    reversal.refresh_from_db()
    assert reversal.status == "approved"


def test_bank_file_upload_and_detail(county, issued, login):
    r = issued.receivables["east11"]
    text = f"户号,金额,银行流水号,扣款日期\n{r.customer.account_number},10.00,B1,2025-04-20\n00000000,5.00,B2,2025-04-20\n"
    client = login("auditor_east")
    assert client.get(reverse("collection:bank_file_upload")).status_code == 200
    response = client.post(
        reverse("collection:bank_file_upload"),
        {
            "file": SimpleUploadedFile("回盘.csv", text.encode("gbk"), "text/csv"),
            "bank": "农业银行",
            "channel": "bank_withholding",
        },
    )
    bank_file = BankFile.objects.get()
    assert response.status_code == 302 and response.url == bank_file.get_absolute_url()
    html = client.get(bank_file.get_absolute_url()).content.decode()
    assert "00000000" in html
    upload_link = f'href="{reverse("collection:bank_file_upload")}"'
    listed = client.get(reverse("collection:bank_file_list"))
    assert listed.status_code == 200 and upload_link in listed.content.decode()
    reader = login("reader_east")
    assert reader.get(reverse("collection:bank_file_upload")).status_code == 403
    # the list offers the upload only to who may follow it
    listed = reader.get(reverse("collection:bank_file_list"))
    assert listed.status_code == 200 and upload_link not in listed.content.decode()


def test_bank_file_bad_header_shown(county, issued, login):
    client = login("auditor_east")
    response = client.post(
        reverse("collection:bank_file_upload"),
        {
            "file": SimpleUploadedFile("x.csv", "户号,金额\n1,2\n".encode(), "text/csv"),
            "bank": "农行",
            "channel": "bank_withholding",
        },
    )
    assert response.status_code == 200 and "x.csv" in response.content.decode()
    assert BankFile.objects.count() == 0


def test_month_close_page(county, issued, login):
    client = login("auditor_east")
    assert client.get(reverse("collection:month_close")).status_code == 200
    response = client.post(
        reverse("collection:month_close"), {"station": county.stations["east"].pk, "month": "2025-03"}
    )
    assert response.status_code == 302
    assert MonthClose.objects.filter(month=datetime.date(2025, 3, 1)).exists()
    assert (
        login("reader_east")
        .post(reverse("collection:month_close"), {"station": county.stations["east"].pk, "month": "2025-02"})
        .status_code
        == 403
    )


def test_statement_pdf_page(county, issued, login):
    r = issued.receivables["east11"]
    response = login("reader_east").get(reverse("collection:account_statement_pdf", args=[r.customer_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Decimal("0") == Decimal("0")
