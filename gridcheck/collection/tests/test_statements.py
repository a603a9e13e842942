"""The account statement (rows, running balance, the practice) and the receipt and statement PDFs."""

import datetime
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gridcheck.collection.selectors.payments import account_statement
from gridcheck.collection.services.payments import payment_post
from gridcheck.collection.statements import receipt_pdf, statement_pdf

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _text(pdf: bytes, tmp_path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_statement_rows_and_balance(county, issued):
    r = issued.receivables["east11"]
    late = datetime.datetime(2025, 5, 3, 10, tzinfo=TZ)
    payment = payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan=r.amount_yuan + Decimal("10.00"),
        channel="counter",
        idempotency_key="k",
        received_at=late,
    )
    statement = account_statement(r.customer)
    kinds = [row.kind for row in statement.rows]
    assert kinds == ["bill", "late_fee", "payment"]
    assert statement.rows[1].debit_yuan == payment.late_fee_yuan > 0
    assert statement.balance_yuan == -payment.credit_yuan
    assert statement.credit_yuan == payment.credit_yuan
    assert statement.practice and any("：" in line for line in statement.practice)


def test_receipt_and_statement_pdfs(county, issued, tmp_path):
    r = issued.receivables["east11"]
    payment = payment_post(
        user=county.users["reader_east"],
        customer=r.customer,
        amount_yuan="12.34",
        channel="counter",
        idempotency_key="k",
    )
    receipt = receipt_pdf(payment)
    statement = statement_pdf(r.customer)
    for pdf in (receipt, statement):
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        text = _text(pdf, tmp_path)
        if text is not None:
            assert r.customer.name in text
    text = _text(receipt, tmp_path)
    if text is not None:
        assert "壹拾贰元叁角肆分" in text
