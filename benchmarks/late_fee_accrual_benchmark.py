"""Late-fee accrual benchmark on PostgreSQL: the nightly run over N open overdue receivables.

Prints figures, not a test. Steps:

1. drop and recreate the benchmark database (its name must contain ``bench``), migrate it, and write a
   synthetic county straight in SQL (``generate_series``): one company and station, areas of 200
   customers, N customers (80 % residential), one issued bill and one open receivable per customer, due on
   days spread over the last 400 days (so some cross a year end), 2 % of them partly paid;
2. timed: ``gridcheck.collection.services.accrual.late_fees_accrue(on=...)`` — read the open overdue
   receivables, compute each fee (bulk for the constant balances, one by one for the partly paid), write
   them back (COPY into a temporary table and one UPDATE);
3. print receivables, seconds per part, receivables/s and the peak resident memory of the process.

Target (issue 15): late fees for 1,000,000 open bills in under 1 minute.

Usage::

    .venv/bin/python benchmarks/late_fee_accrual_benchmark.py --receivables 1000000

``DATABASE_URL`` chooses the server (default ``postgres://postgres@127.0.0.1:5432/gridcheck_accrual_bench``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
import urllib.parse
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_accrual_bench"


SQL = (
    benchdb.COUNTY_SQL
    + """
INSERT INTO collection_receivable (created_at, updated_at, period, issued_on, due_date, residential,
    amount_yuan, paid_yuan, late_fee_accrued_yuan, late_fee_paid_yuan, status, area_id, bill_id,
    customer_id, station_id)
  SELECT now(), now(), date_trunc('month', %(on)s::date - (b.id %% 400)::int - 20)::date,
    %(on)s::date - (b.id %% 400)::int - 15, %(on)s::date - (b.id %% 400)::int - 1,
    c.category = 'residential', b.total_yuan, 0, 0, 0, 'open', b.area_id, b.id, b.customer_id, b.station_id
  FROM billing_bill b JOIN archive_customer c ON c.id = b.customer_id;
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receivables", type=int, default=100_000)
    parser.add_argument("--on", default="2026-01-20", help="the accrual day (YYYY-MM-DD)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    on = datetime.date.fromisoformat(args.on)

    print(f"database {urllib.parse.urlparse(url).path.lstrip('/')}: recreating and migrating ...", flush=True)
    benchdb.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from gridcheck.collection.models import Payment, PaymentAllocation, Receivable
    from gridcheck.collection.services.accrual import late_fees_accrue
    from gridcheck.users.models import User

    started = time.monotonic()
    reader = User.objects.create_user(username="bench_reader", password="x-bench-pw-1", role="meter_reader")
    n = args.receivables
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"n": n, "areas": (n + 199) // 200, "reader": reader.pk, "on": on})
    # 2 % partly paid after their due date (one payment each, half the amount, five days after due).
    partial = list(Receivable.objects.filter(pk__lte=n // 50).select_related("customer"))
    payments = [
        Payment(
            number=f"BP{r.pk:09d}",
            idempotency_key=f"bench:{r.pk}",
            customer_id=r.customer_id,
            station_id=r.station_id,
            area_id=r.area_id,
            channel="counter",
            amount_yuan=(r.amount_yuan / 2).quantize(r.amount_yuan),
            principal_yuan=(r.amount_yuan / 2).quantize(r.amount_yuan),
            received_at=datetime.datetime.combine(r.due_date, datetime.time(10), tzinfo=datetime.UTC)
            + datetime.timedelta(days=5),
            received_on=r.due_date + datetime.timedelta(days=5),
        )
        for r in partial
        if r.due_date + datetime.timedelta(days=5) < on
    ]
    Payment.objects.bulk_create(payments, batch_size=5000)
    by_customer = {r.customer_id: r for r in partial}
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment=p, receivable=by_customer[p.customer_id], principal_yuan=p.principal_yuan
            )
            for p in payments
        ],
        batch_size=5000,
    )
    for p in payments:
        Receivable.objects.filter(pk=by_customer[p.customer_id].pk).update(paid_yuan=p.principal_yuan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"wrote {n:,} customers, bills and receivables ({len(payments):,} partly paid) "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )

    started = time.monotonic()
    result = late_fees_accrue(on=on)
    seconds = time.monotonic() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"accrued {result['receivables']:,} receivables ({result['bulk']:,} bulk, "
        f"{result['partly_paid']:,} partly paid one by one) on {on}: total {result['total_yuan']:,} yuan"
    )
    print(
        f"  read {result['read_s']} s, compute {result['compute_s']} s, write {result['write_s']} s; "
        f"{seconds:.1f} s in all, {result['receivables'] / seconds:,.0f} receivables/s, "
        f"peak memory {peak_gb:.2f} GB"
    )
    print(
        f"  target: 1,000,000 in under 60 s -> {'PASS' if seconds * 1_000_000 / n < 60 else 'FAIL'} "
        f"(extrapolated {seconds * 1_000_000 / n:.0f} s)"
    )


if __name__ == "__main__":
    main()
