"""The bank file's PostgreSQL path (COPY of payments and allocations, the rest by the server while the next chunk is
allocated in a worker thread) writes exactly what the ORM path writes: payments, their history, allocations
with the late-fee calculation, bills, credit, events; and a failure in the worker writes nothing."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction

from gridcheck.collection.models import (
    Account,
    BankFile,
    BankFileRow,
    CollectionEvent,
    Payment,
    PaymentAllocation,
    Receivable,
)
from gridcheck.collection.services import bankfiles

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "sqlite" in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
        reason="the COPY path is PostgreSQL's",
    ),
]


def _file(issued) -> bytes:
    r = issued.receivables
    account = {key: r[key].customer.account_number for key in ("east11", "east12", "east21")}
    rows = [
        (account["east11"], str(r["east11"].amount_yuan), "C1", "2025-04-20"),  # on time, whole
        (account["east12"], "100.00", "C2", "2025-04-28"),  # partial, late: no fee yet
        (account["east12"], str(r["east12"].amount_yuan), "C3", "2025-05-03"),  # clears with the fee, credit
        # credit; a serial with a backslash and a tab (quoted): COPY's text format escapes both
        (account["east21"], str(r["east21"].amount_yuan + Decimal("7.25")), '"C4\\\tx"', "2025-04-21"),
        ("99999999999", "30.00", "C5", "2025-04-20"),  # unknown
    ]
    lines = ["户号,户名,金额,银行流水号,扣款日期"] + [f"{a},客户,{m},{s},{d}" for a, m, s, d in rows]
    return ("\n".join(lines) + "\n").encode("gbk")


def test_copy_text_escapes_what_the_format_reserves():
    assert bankfiles._copy_text(None) == "\\N"
    assert bankfiles._copy_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert bankfiles._copy_text(Decimal("12.30")) == "12.30"
    assert bankfiles._copy_text(datetime.date(2025, 4, 20)) == "2025-04-20"


def _snapshot(bank_file: BankFile, issued) -> dict:
    payments = {p.pk: p.number for p in Payment.objects.filter(bank_file=bank_file)}
    customers = [r.customer_id for r in issued.receivables.values()]
    return {
        "file": (bank_file.rows, bank_file.matched_rows, bank_file.unmatched_rows, bank_file.total_yuan),
        "unmatched": sorted(
            BankFileRow.objects.filter(bank_file=bank_file).values_list("row_number", "reason")
        ),
        "payments": sorted(
            Payment.objects.filter(bank_file=bank_file).values_list(
                "number",
                "idempotency_key",
                "customer_id",
                "station_id",
                "area_id",
                "kind",
                "channel",
                "amount_yuan",
                "principal_yuan",
                "late_fee_yuan",
                "credit_yuan",
                "received_at",
                "received_on",
                "bank_serial",
                "status",
                "receipt_number",
                "collector_id",
            )
        ),
        "history": sorted(
            (payments[h.id], h.history_type, h.history_user_id, h.amount_yuan, h.late_fee_yuan, h.credit_yuan)
            for h in Payment.history.filter(bank_file_id=bank_file.pk)
        ),
        "allocations": sorted(
            (
                payments[a.payment_id],
                a.receivable_id,
                a.principal_yuan,
                a.late_fee_yuan,
                a.late_fee_calculation,
            )
            for a in PaymentAllocation.objects.filter(payment__bank_file=bank_file)
        ),
        "receivables": sorted(
            Receivable.objects.filter(customer_id__in=customers).values_list(
                "pk",
                "paid_yuan",
                "late_fee_accrued_yuan",
                "late_fee_accrued_on",
                "late_fee_paid_yuan",
                "status",
                "settled_on",
            )
        ),
        "credit": sorted(
            Account.objects.filter(customer_id__in=customers).values_list("customer_id", "credit_yuan")
        ),
        "events": sorted(
            (
                e.subject_type,
                payments.get(e.subject_id) if e.subject_type == "Payment" else e.subject_id,
                e.from_status,
                e.to_status,
                e.actor_id,
                e.note,
            )
            for e in CollectionEvent.objects.filter(subject_type__in=["Payment", "Receivable"])
            if e.subject_type != "Payment" or e.subject_id in payments
        ),
    }


def _import_and_roll_back(county, issued, *, copy: bool) -> dict:
    with mock.patch.object(bankfiles, "COPY_ON_POSTGRESQL", copy), transaction.atomic():
        bank_file = bankfiles.bank_file_import(
            user=county.users["auditor_east"], upload=("c.csv", _file(issued)), bank="农业银行"
        )
        snapshot = _snapshot(bank_file, issued)
        transaction.set_rollback(True)
    return snapshot


def test_copy_path_writes_what_the_orm_path_writes(county, issued):
    assert connection.vendor == "postgresql"
    by_orm = _import_and_roll_back(county, issued, copy=False)
    by_copy = _import_and_roll_back(county, issued, copy=True)
    assert by_orm["file"][1:3] == (4, 1)
    assert any(p[13] == "C4\\\tx" for p in by_orm["payments"]), "the serial is kept as written"
    assert any(a[3] > 0 for a in by_orm["allocations"]), "a late fee is charged"
    assert any(c[1] > 0 for c in by_orm["credit"]), "an overpayment is kept as credit"
    assert len(by_orm["history"]) == 4 and len([e for e in by_orm["events"] if e[0] == "Payment"]) == 4
    for part in by_orm:
        assert by_copy[part] == by_orm[part], part


def test_several_chunks_and_a_failure_in_the_worker_writes_nothing(county, issued):
    """Chunks of one customer (the next allocated while the one before is applied); the worker's error
    reaches the caller and the import writes nothing."""
    real = bankfiles.allocate
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    with mock.patch.object(bankfiles, "BIG_CHUNK", 1):
        with mock.patch.object(bankfiles, "allocate", flaky), pytest.raises(RuntimeError):
            bankfiles.bank_file_import(
                user=county.users["auditor_east"], upload=("c.csv", _file(issued)), bank="农业银行"
            )
        assert BankFile.objects.count() == 0 and Payment.objects.count() == 0
        r = Receivable.objects.get(pk=issued.receivables["east11"].pk)
        assert r.paid_yuan == 0 and r.status == "open"
        bank_file = bankfiles.bank_file_import(
            user=county.users["auditor_east"], upload=("c.csv", _file(issued)), bank="农业银行"
        )
    assert bank_file.matched_rows == 4 and Payment.history.count() == 4
    assert Receivable.objects.get(pk=issued.receivables["east11"].pk).status == "paid"
    assert Payment.objects.get(bank_serial="C3").late_fee_yuan > 0
    assert datetime.date(2025, 5, 3) == Payment.objects.get(bank_serial="C3").received_on
