"""Bank withholding files: GBK and BOM, XLSX, unknown accounts listed and not posted, duplicated file and
re-imported rows refused, a bad header named, all or nothing."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from gridcheck.collection.models import BankFile, BankFileRow, MonthClose, Payment
from gridcheck.collection.services.bankfiles import bank_file_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the msgids), whatever translations are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _csv(rows, header="户号,户名,金额,银行流水号,扣款日期") -> str:
    return "\n".join([header, *[",".join(r) for r in rows]]) + "\n"


def _import(county, name, data, user="auditor_east", bank="农业银行"):
    return bank_file_import(
        user=county.users[user], upload=(name, data), bank=bank, channel="bank_withholding"
    )


def test_a_gbk_file_with_a_bom_posts_known_rows_and_lists_the_unknown(county, issued):
    east11, east12 = issued.receivables["east11"], issued.receivables["east12"]
    text = _csv(
        [
            (east11.customer.account_number, "客户", str(east11.amount_yuan), "S0001", "2025-04-20"),
            ("99999999999", "不存在", "30.00", "S0002", "2025-04-20"),
            (east12.customer.account_number, "客户", "-5.00", "S0003", "2025-04-20"),
            (east12.customer.account_number, "客户", "5.001", "S0004", "2025-04-20"),
            (east12.customer.account_number, "客户", "50.00", "S0005", "2025-13-01"),
            (issued.receivables["east21"].customer.account_number, "客户", "20.00", "S0006", "20250421"),
        ]
    )
    data = b"\xef\xbb\xbf" + text.encode("gbk")
    bank_file = _import(county, "代扣回盘.csv", data)
    assert bank_file.rows == 6 and bank_file.matched_rows == 2 and bank_file.unmatched_rows == 4
    assert bank_file.total_yuan == east11.amount_yuan + Decimal("20.00")
    reasons = {r.bank_serial: r.reason for r in BankFileRow.objects.filter(bank_file=bank_file)}
    assert "99999999999" in reasons["S0002"] and "第3行" in reasons["S0002"]
    assert "S0003" in reasons and "S0004" in reasons and "S0005" in reasons
    east11.refresh_from_db()
    assert east11.status == "paid"
    payment = Payment.objects.get(bank_serial="S0001")
    assert payment.idempotency_key == "bank:农业银行:S0001" and payment.bank_file == bank_file
    assert payment.received_on == datetime.date(2025, 4, 20)
    assert not Payment.objects.filter(customer__account_number="99999999999").exists()


def test_utf8_with_bom_and_english_headers(county, issued):
    east11 = issued.receivables["east11"]
    text = _csv(
        [(east11.customer.account_number, "10.00", "E1", "2025-04-20")],
        header="account_number,amount,bank_serial,date",
    )
    bank_file = _import(county, "result.csv", ("\ufeff" + text).encode("utf-8"))
    assert bank_file.matched_rows == 1


def test_xlsx(county, issued):
    from openpyxl import Workbook

    east11 = issued.receivables["east11"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["户号", "金额", "银行流水号", "扣款日期"])
    sheet.append([east11.customer.account_number, 12.5, "X1", datetime.datetime(2025, 4, 20)])
    out = io.BytesIO()
    workbook.save(out)
    bank_file = _import(county, "回盘.xlsx", out.getvalue())
    assert bank_file.matched_rows == 1
    assert Payment.objects.get(bank_serial="X1").amount_yuan == Decimal("12.50")


def test_the_same_file_twice_is_refused(county, issued):
    east11 = issued.receivables["east11"]
    data = _csv([(east11.customer.account_number, "客户", "10.00", "S1", "2025-04-20")]).encode()
    first = _import(county, "a.csv", data)
    with pytest.raises(ValidationError, match="already imported"):
        _import(county, "a-again.csv", data)
    assert BankFile.objects.count() == 1 and Payment.objects.count() == 1
    assert first.matched_rows == 1


def test_a_row_already_posted_from_another_file_is_listed_not_paid_twice(county, issued):
    east11 = issued.receivables["east11"]
    row = (east11.customer.account_number, "客户", "10.00", "S1", "2025-04-20")
    _import(county, "a.csv", _csv([row]).encode())
    second = _import(
        county,
        "b.csv",
        _csv([row, (east11.customer.account_number, "客户", "1.00", "S2", "2025-04-20")]).encode(),
    )
    assert second.matched_rows == 1 and second.unmatched_rows == 1
    assert (
        "already posted" in BankFileRow.objects.get(bank_file=second).reason
        or "已" in BankFileRow.objects.get(bank_file=second).reason
    )
    assert Payment.objects.count() == 2


def test_a_bad_header_names_the_file_and_the_column(county, issued):
    with pytest.raises(ValidationError) as error:
        _import(county, "bad.csv", "户号,金额,扣款日期\n1,2,2025-04-20\n".encode())
    text = str(error.value)
    assert "bad.csv" in text and "银行流水号" in text
    assert BankFile.objects.count() == 0


def test_a_closed_month_row_is_listed(county, issued):
    east11 = issued.receivables["east11"]
    MonthClose.objects.create(
        station=county.stations["east"],
        month=datetime.date(2025, 4, 1),
        closed_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
    )
    bank_file = _import(
        county,
        "a.csv",
        _csv([(east11.customer.account_number, "客户", "10.00", "S1", "2025-04-20")]).encode(),
    )
    assert bank_file.matched_rows == 0
    assert "2025-04" in BankFileRow.objects.get(bank_file=bank_file).reason


def test_a_crash_midway_writes_nothing(county, issued):
    east11, east12 = issued.receivables["east11"], issued.receivables["east12"]
    data = _csv(
        [
            (east11.customer.account_number, "客户", "10.00", "S1", "2025-04-20"),
            (east12.customer.account_number, "客户", "10.00", "S2", "2025-04-20"),
        ]
    ).encode()
    from gridcheck.collection.services import bankfiles

    real = bankfiles.allocate
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    with mock.patch.object(bankfiles, "allocate", flaky), pytest.raises(RuntimeError):
        _import(county, "a.csv", data)
    assert BankFile.objects.count() == 0 and Payment.objects.count() == 0
    east11.refresh_from_db()
    assert east11.paid_yuan == 0


def test_a_reader_cannot_import(county, issued):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(county, "a.csv", b"x", user="reader_east")


def test_two_rows_of_one_customer_partial_then_late_clearing_with_the_fee(county, issued):
    """Bulk posting sees the file's own earlier rows: the late fee runs on the balance after the first."""
    from decimal import ROUND_HALF_UP

    r = issued.receivables["east12"]
    rest = r.amount_yuan - Decimal("100.00")
    fee = (r.amount_yuan * Decimal("0.002") * 4).quantize(Decimal("0.01"), ROUND_HALF_UP) + (
        rest * Decimal("0.002") * 5
    ).quantize(Decimal("0.01"), ROUND_HALF_UP)
    fee = max(fee, Decimal("1.00"))
    account = r.customer.account_number
    bank_file = _import(
        county,
        "two.csv",
        _csv(
            [
                (account, "客户", str(rest + fee), "T2", "2025-05-03"),
                (account, "客户", "100.00", "T1", "2025-04-28"),
            ]
        ).encode(),
    )
    assert bank_file.matched_rows == 2
    r.refresh_from_db()
    assert r.status == "paid"
    assert Payment.objects.get(bank_serial="T2").late_fee_yuan == fee
    assert Payment.objects.get(bank_serial="T1").late_fee_yuan == 0
    assert Payment.objects.get(bank_serial="T1").number.startswith("YH20250428")
