"""Bank withholding file benchmark on PostgreSQL: import and post a result file of N rows.

Prints figures, not a test. Steps:

1. drop and recreate the benchmark database (its name must contain ``bench``), migrate it, and write a
   synthetic county straight in SQL (``generate_series``): one company and station, areas of 200 customers,
   N customers, one issued bill and one open receivable per customer (due 2025-02-20);
2. write the bank's CSV (户号, 金额, 银行流水号, 扣款日期; every customer's bill, deducted 2025-02-15, plus
   0.1 % unknown accounts) and time ``services.bankfiles.bank_file_import`` as a county administrator:
   read, match, post every row (payment, allocation, receivable settled, event), list the unknown;
3. print rows, seconds, rows/s, the extrapolation to 1,000,000 rows and the peak resident memory.

Target (issue 15): 1,000,000 rows imported and posted in under 2 minutes. Measure at 10,000 first.

Usage::

    .venv/bin/python benchmarks/bank_file_benchmark.py --rows 10000

``DATABASE_URL`` chooses the server (default ``postgres://postgres@127.0.0.1:5432/gridcheck_bankfile_bench``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
import urllib.parse
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_bankfile_bench"
TARGET_ROWS, TARGET_S = 1_000_000, 120.0


SQL = (
    benchdb.COUNTY_SQL
    + """
INSERT INTO collection_receivable (created_at, updated_at, period, issued_on, due_date, residential,
    amount_yuan, paid_yuan, late_fee_accrued_yuan, late_fee_paid_yuan, status, area_id, bill_id,
    customer_id, station_id)
  SELECT now(), now(), '2025-01-01', '2025-02-05', '2025-02-20',
    c.category = 'residential', b.total_yuan, 0, 0, 0, 'open', b.area_id, b.id, b.customer_id, b.station_id
  FROM billing_bill b JOIN archive_customer c ON c.id = b.customer_id;
INSERT INTO collection_account (created_at, updated_at, customer_id, station_id, area_id, credit_yuan,
    is_prepaid, low_balance_yuan)
  SELECT now(), now(), id, station_id, area_id, 0, false, 0 FROM archive_customer;
ANALYZE;
"""
)


class Parts:
    """Wall seconds spent in some functions of ``services.bankfiles`` (wrapped for the run only)."""

    NAMES = (
        "read_rows",
        "_parse",
        "_post_bulk",
        "_accounts_ensure",
        "_read_earlier",
        "allocate",
        "_encode_chunk",
        "_payment_ids",
        "_stage_copy",
        "_apply_copy",
        "_write_orm",
        "after_payments",
    )

    def __init__(self, module) -> None:
        self.seconds = dict.fromkeys(self.NAMES, 0.0)
        for name in self.NAMES:
            setattr(module, name, self._timed(name, getattr(module, name)))

    def _timed(self, name, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        return timed


def _print_slow_statements(connection, over: float = 0.2) -> None:
    """Print each statement (Django's execute wrapper) and each COPY block that takes over ``over`` s."""
    import contextlib

    import psycopg

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if (took := time.perf_counter() - started) > over:
                print(f"  {took:6.2f} s  {' '.join(sql.split())[:110]}")

    connection.ensure_connection()
    connection.execute_wrappers.append(wrapper)
    copy = psycopg.Cursor.copy

    @contextlib.contextmanager
    def timed_copy(self, statement, *args, **kwargs):
        started = time.perf_counter()
        with copy(self, statement, *args, **kwargs) as block:
            yield block
        if (took := time.perf_counter() - started) > over:
            print(f"  {took:6.2f} s  {' '.join(str(statement).split())[:110]} (rows written and sent)")

    psycopg.Cursor.copy = timed_copy


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the PostgreSQL backend ``pid`` (a local server), else NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--late", type=float, default=5.0, help="percent of rows paid late (late fee, credit)"
    )
    parser.add_argument("--queries", action="store_true", help="print every statement and COPY over 0.2 s")
    parser.add_argument("--profile", help="write a cProfile of the import to this file and print its top")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    print(f"database {urllib.parse.urlparse(url).path.lstrip('/')}: recreating and migrating ...", flush=True)
    benchdb.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from gridcheck.collection.models import BankFileRow, Payment, Receivable
    from gridcheck.collection.services import bankfiles
    from gridcheck.users.models import User

    n = args.rows
    late = args.late / 100
    reader = User.objects.create_user(username="bench_reader", password="x-bench-pw-1", role="meter_reader")
    admin = User.objects.create_user(username="bench_admin", password="x-bench-pw-1", role="administrator")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"n": n, "areas": (n + 199) // 200, "reader": reader.pk, "on": "2025-03-01"})
        # Every customer's bill: most deducted on 2025-02-15 (on time), ``--late`` % on 2025-03-01 (overdue:
        # the late fee is charged, 10 yuan more than the bill so the rest goes to credit).
        cursor.execute(
            "SELECT string_agg(CASE WHEN c.id %% 10000 < %s THEN c.account_number || ',客户,' || "
            "(r.amount_yuan + 10) || ',S' || c.account_number || ',2025-03-01' ELSE c.account_number || "
            "',客户,' || r.amount_yuan || ',S' || c.account_number || ',2025-02-15' END, E'\\n' ORDER BY c.id) "
            "FROM collection_receivable r JOIN archive_customer c ON c.id = r.customer_id",
            [round(late * 10000)],
        )
        body = cursor.fetchone()[0]
    unknown = "\n".join(f"X{k:09d},无此户,10.00,U{k},2025-02-15" for k in range(max(n // 1000, 1)))
    data = f"户号,户名,金额,银行流水号,扣款日期\n{body}\n{unknown}\n".encode("gbk")
    del body
    print(
        f"set-up: {n:,} receivables and a {len(data) / 1e6:.1f} MB file in {time.monotonic() - started:.1f} s"
    )

    parts = Parts(bankfiles)
    if args.queries:
        _print_slow_statements(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    rss_before = _rss_gb()
    server_before, cpu_before = _server_cpu(backend), time.process_time()
    profiler = cProfile.Profile() if args.profile else None
    started = time.monotonic()
    if profiler:
        profiler.enable()
    with transaction.atomic():
        bank_file = bankfiles.bank_file_import(
            user=admin, upload=("bench.csv", data), bank="基准银行", channel="bank_withholding"
        )
        before_commit = time.monotonic()
    seconds = time.monotonic() - started
    commit = time.monotonic() - before_commit
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(30)
    cpu = time.process_time() - cpu_before
    server = _server_cpu(backend) - server_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    assert bank_file.matched_rows == n, bank_file.matched_rows
    assert Payment.objects.count() == n and BankFileRow.objects.count() == max(n // 1000, 1)
    assert not Receivable.objects.filter(status="open").exists()
    assert Payment.history.count() == n
    total = bank_file.rows
    rate = total / seconds
    p = parts.seconds
    inner = ("_accounts_ensure", "_read_earlier", "_stage_copy", "_apply_copy", "_write_orm")
    post_other = p["_post_bulk"] - sum(p[k] for k in inner) - p["after_payments"]
    match = seconds - commit - p["read_rows"] - p["_parse"] - p["_post_bulk"]
    late_fees = Payment.objects.filter(late_fee_yuan__gt=0).count()
    print(f"rows in the file      {total:>12,}")
    print(f"posted / listed       {bank_file.matched_rows:>12,} / {bank_file.unmatched_rows:,}")
    print(f"  with a late fee     {late_fees:>12,}")
    print(f"import and post       {seconds:>12.1f} s wall")
    print(f"  read the file       {p['read_rows']:>12.1f} s")
    print(f"  parse the rows      {p['_parse']:>12.1f} s")
    print(f"  match (accounts, posted serials, checks) {match:>6.1f} s")
    print(
        f"  post: lock and read accounts and bills, numbers, ids; waits for the worker {post_other:>5.1f} s"
    )
    print(f"  post: allocate (worker thread, overlaps the apply) {p['allocate']:>7.1f} s")
    print(f"  post: COPY text (worker thread, overlaps the apply) {p['_encode_chunk']:>6.1f} s")
    print(
        f"  post: send the COPY (payments, allocations, bills; + ORM writes) {p['_stage_copy'] + p['_write_orm']:>2.1f} s"
    )
    print(f"  post: apply (server: bills UPDATE, history, events) {p['_apply_copy']:>4.1f} s")
    print(f"  after_payments      {p['after_payments']:>12.1f} s")
    print(f"  commit               {commit:>4.1f} s")
    print(f"CPU: this process     {cpu:>12.1f} s   PostgreSQL backend {server:.1f} s")
    print(f"rows per second       {rate:>12,.0f}")
    print(
        f"1,000,000 rows (est.) {TARGET_ROWS / rate:>12.0f} s  (target {TARGET_S:.0f} s:"
        f" {'met' if TARGET_ROWS / rate <= TARGET_S else 'NOT met'})"
    )
    print(f"memory: peak          {peak:>12.2f} GB  (before the import {rss_before:.2f} GB, file included)")


if __name__ == "__main__":
    main()
