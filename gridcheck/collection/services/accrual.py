"""The nightly late-fee accrual: each overdue receivable's fee to date, for lists, notices and statements.

The fee actually charged is fixed when a payment settles the bill (``payments``); this run keeps
``Receivable.late_fee_accrued_yuan`` current: the fee the customer would pay if paying in full on ``on``,
under the rule rows in force and the company's practice. Open receivables with a constant balance since
their due date are computed together by ``gridcheck_analytics.penalties.late_fees_bulk`` (integer fen,
exactly equal to the single-bill calculation); those partly paid after their due date go through
``late_fee`` with their partial payments. On PostgreSQL the figures are written back with COPY into a
temporary table and one UPDATE; on SQLite with batched UPDATEs.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.db import connection, transaction

from gridcheck.collection.choices import PaymentStatus, ReceivableStatus
from gridcheck.collection.models import PaymentAllocation
from gridcheck.collection.selectors.policy import late_fee_practice_for
from gridcheck_analytics.penalties import late_fee, late_fees_bulk

_SELECT = """
SELECT r.id, CAST(ROUND((r.amount_yuan - r.paid_yuan) * 100) AS BIGINT), r.due_date, r.period,
       r.residential, s.company_id, r.paid_yuan
FROM collection_receivable r JOIN archive_station s ON s.id = r.station_id
WHERE r.status = %s AND r.due_date < %s AND r.amount_yuan > r.paid_yuan
"""


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _partial_payments(receivable_ids: list[int]) -> dict[int, dict[datetime.date, Decimal]]:
    """Principal paid per receivable and payment day (posted payments), in one query per 5,000."""
    paid: dict[int, dict] = defaultdict(lambda: defaultdict(Decimal))
    for start in range(0, len(receivable_ids), 5000):
        for receivable_id, day, principal in PaymentAllocation.objects.filter(
            receivable_id__in=receivable_ids[start : start + 5000],
            payment__status=PaymentStatus.POSTED,
            principal_yuan__gt=0,
        ).values_list("receivable_id", "payment__received_on", "principal_yuan"):
            paid[receivable_id][day] += principal
    return paid


def _partly_paid_fee(row: tuple, partials: dict, on: datetime.date, practice) -> int:
    """The fee in fen of a receivable with payments: ``late_fee`` with its partial payments."""
    _, balance_fen, due, period, residential, _, paid = row
    due, period = _as_date(due), _as_date(period)
    amount = Decimal(balance_fen).scaleb(-2) + Decimal(str(paid))
    before_due = sum((p for d, p in partials.items() if d <= due), Decimal(0))
    after = [{"date": d, "amount_yuan": p} for d, p in sorted(partials.items()) if due < d < on]
    if amount - before_due <= 0 or on <= due:
        return 0
    calculation = late_fee(
        amount_yuan=amount - before_due,
        due_date=due,
        paid_date=on,
        residential=bool(residential),
        bill_period=period,
        payments=after,
        practice=practice,
    )
    return int((calculation.value("late_fee_yuan") * 100).to_integral_value())


def _write_postgresql(ids: np.ndarray, fees: np.ndarray, on: datetime.date) -> None:
    with connection.cursor() as cursor:
        # A second run in the same transaction (the daily job run twice) finds the first one's table.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.collection_accrual")
        cursor.execute(
            "CREATE TEMPORARY TABLE collection_accrual (id bigint PRIMARY KEY, fee_fen bigint) ON COMMIT DROP"
        )
        text = "\n".join(map("{}\t{}".format, ids.tolist(), fees.tolist()))
        with cursor.cursor.copy("COPY collection_accrual (id, fee_fen) FROM STDIN") as copy:
            copy.write(text + "\n")
        cursor.execute(
            "UPDATE collection_receivable r SET late_fee_accrued_yuan = a.fee_fen / 100.0, "
            "late_fee_accrued_on = %s FROM collection_accrual a WHERE r.id = a.id",
            [on],
        )


def _write_batched(ids: np.ndarray, fees: np.ndarray, on: datetime.date) -> None:
    rows = [(str(Decimal(int(f)).scaleb(-2)), on, int(i)) for i, f in zip(ids, fees, strict=True)]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                "UPDATE collection_receivable SET late_fee_accrued_yuan = %s, late_fee_accrued_on = %s "
                "WHERE id = %s",
                rows[start : start + 5000],
            )


@transaction.atomic
def late_fees_accrue(*, on: datetime.date, station_id: int | None = None) -> dict:
    """Bring every overdue open receivable's ``late_fee_accrued_yuan`` up to ``on`` (all or nothing).

    Returns counts and seconds: ``receivables``, ``bulk``, ``partly_paid``, ``total_yuan`` and the time
    spent reading, computing and writing.
    """
    started = time.monotonic()
    sql, params = _SELECT, [ReceivableStatus.OPEN, on]
    if station_id is not None:
        sql, params = sql + " AND r.station_id = %s", [*params, station_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    read_s = time.monotonic() - started
    by_company: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_company[row[5]].append(row)
    all_ids, all_fees, partly_paid = [], [], 0
    for company_id, company_rows in by_company.items():
        practice = late_fee_practice_for(company_id, on)
        constant = [r for r in company_rows if Decimal(str(r[6])) == 0]
        if constant:
            result = late_fees_bulk(
                due_date=np.array([_as_date(r[2]) for r in constant], dtype="datetime64[D]"),
                bill_period=np.array([_as_date(r[3]) for r in constant], dtype="datetime64[D]"),
                residential=np.array([bool(r[4]) for r in constant]),
                balance_fen=np.array([r[1] for r in constant], dtype=np.int64),
                as_of=on,
                practice=practice,
            )
            all_ids.append(np.array([r[0] for r in constant], dtype=np.int64))
            all_fees.append(result.fee_fen)
        partial = [r for r in company_rows if Decimal(str(r[6])) != 0]
        if partial:
            all_ids.append(np.array([r[0] for r in partial], dtype=np.int64))
            paid = _partial_payments([r[0] for r in partial])
            fees = [_partly_paid_fee(r, paid.get(r[0], {}), on, practice) for r in partial]
            all_fees.append(np.array(fees, dtype=np.int64))
            partly_paid += len(partial)
    computed = time.monotonic()
    ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
    fees = np.concatenate(all_fees) if all_fees else np.zeros(0, dtype=np.int64)
    if len(ids):
        if connection.vendor == "postgresql":
            _write_postgresql(ids, fees, on)
        else:
            _write_batched(ids, fees, on)
    done = time.monotonic()
    return {
        "receivables": int(len(ids)),
        "bulk": int(len(ids)) - partly_paid,
        "partly_paid": partly_paid,
        "total_yuan": Decimal(int(fees.sum())).scaleb(-2) if len(fees) else Decimal("0.00"),
        "read_s": round(read_s, 2),
        "compute_s": round(computed - started - read_s, 2),
        "write_s": round(done - computed, 2),
    }
