"""Marketing audit benchmark on PostgreSQL: every audit rule over a synthetic county of N customers.

Prints figures, not a test. Steps:

1. drop and recreate the benchmark database (its name must contain ``bench``), migrate it, and write a
   synthetic county straight in SQL (``generate_series``, ``benchdb.COUNTY_SQL``): one company and
   station, areas of 200 customers (every fifth commercial), one metering point and meter per customer
   (every fifth three-phase behind a 200/5 CT, commercial, 100 kVA, on the general tariff with its funds and power-factor adjustment), three monthly reading cycles (January to March 2025) with
   one reading (1 % estimated) and one issued bill per customer and cycle, a receivable per bill (the last
   month's 3 % unpaid) and an account per customer; ``ANALYZE``;
2. timed: one county audit run of March 2025 with every rule of the library
   (``gridcheck.audit.services.audit_run_execute``), findings written;
3. print each rule's seconds and hits (slowest first), the run's seconds and the process's peak resident
   memory.

Target (issue 17): all rules over 1,000,000 customers in under 3 minutes, memory under 4 GB.

Usage::

    .venv/bin/python benchmarks/audit_benchmark.py --customers 1000000

``DATABASE_URL`` chooses the server (default ``postgres://postgres@127.0.0.1:5432/gridcheck_audit_bench``).
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_audit_bench"

SQL = (
    benchdb.COUNTY_SQL
    + """
INSERT INTO archive_tariff (created_at, updated_at, code, name, category, voltage_level, price_yuan_per_kwh,
    is_time_of_use, is_tiered, effective_from, source)
  VALUES (now(), now(), 'RES-1', '居民生活用电', 'residential', '', 0.56, false, true, '2020-01-01', ''),
         (now(), now(), 'GEN-1', '一般工商业', 'general', '', 0.65, false, false, '2020-01-01', '');
INSERT INTO archive_meteringpoint (created_at, updated_at, customer_id, code, name, ct_primary_a, ct_ratio,
    pt_ratio, multiplier)
  SELECT now(), now(), c.id, 'MP' || c.account_number, '',
    CASE WHEN c.id %% 5 = 0 THEN 200 ELSE NULL END, CASE WHEN c.id %% 5 = 0 THEN 40 ELSE 1 END, 1,
    CASE WHEN c.id %% 5 = 0 THEN 40 ELSE 1 END
  FROM archive_customer c;
INSERT INTO archive_meter (created_at, updated_at, metering_point_id, asset_number, phase, accuracy_class,
    rated_current_a, max_current_a, rated_voltage_v, register_digits, manufacturer, install_date, status)
  SELECT now(), now(), p.id, 'M' || p.code, CASE WHEN p.ct_ratio > 1 THEN 'three' ELSE 'single' END,
    CASE WHEN p.ct_ratio > 1 THEN '1.0' ELSE '2.0' END, CASE WHEN p.ct_ratio > 1 THEN 1.5 ELSE 5 END,
    CASE WHEN p.ct_ratio > 1 THEN 6 ELSE 60 END, 220, 6, '基准表厂',
    DATE '2018-01-01' + (p.id %% 2000)::int, 'in_service'
  FROM archive_meteringpoint p;
INSERT INTO billing_readingcycle (created_at, updated_at, period, reading_date, previous_reading_date, status,
    book_id, station_id)
  SELECT now(), now(), m.period, m.reading_date, m.previous, 'closed', b.id, b.station_id
  FROM billing_readingbook b,
    (VALUES (DATE '2025-02-01', DATE '2025-03-05', DATE '2025-02-05'),
            (DATE '2025-03-01', DATE '2025-04-05', DATE '2025-03-05')) AS m(period, reading_date, previous);
INSERT INTO billing_bill (created_at, updated_at, number, period, period_start, period_end, tariff_code,
    tariff_name, energy_kwh, energy_charge_yuan, basic_charge_yuan, power_factor_yuan, funds_yuan,
    total_yuan, inputs, calculation, review_flags, status, area_id, customer_id, station_id, cycle_id)
  SELECT now(), now(), 'B' || to_char(y.period, 'YYMM') || c.account_number, y.period,
    y.previous_reading_date, y.reading_date, 'RES-1', '居民',
    (c.id %% 900) + 20, ((c.id %% 900) + 20) * 0.56, 0, 0, 0, ((c.id %% 900) + 20) * 0.56, '{}', '{}', '[]',
    'issued', c.area_id, c.id, c.station_id, y.id
  FROM archive_customer c, billing_readingcycle y WHERE y.period > DATE '2025-01-01';
INSERT INTO billing_meterreading (created_at, updated_at, cycle_id, meter_id, customer_id, station_id,
    area_id, read_on, total, peak, flat, valley, reactive, multiplier_read, max_demand_kw, source, photo)
  SELECT now(), now(), y.id, m.id, c.id, c.station_id, c.area_id, y.reading_date,
    1000 + ((c.id %% 900) + 20) * (EXTRACT(MONTH FROM y.period)), NULL, NULL, NULL, NULL, p.multiplier,
    NULL, CASE WHEN c.id %% 100 = 7 THEN 'estimated' ELSE 'ami' END, ''
  FROM archive_customer c JOIN archive_meteringpoint p ON p.customer_id = c.id
    JOIN archive_meter m ON m.metering_point_id = p.id, billing_readingcycle y;
INSERT INTO collection_receivable (created_at, updated_at, period, issued_on, due_date, residential,
    amount_yuan, paid_yuan, late_fee_accrued_yuan, late_fee_paid_yuan, status, area_id, bill_id,
    customer_id, station_id, settled_on)
  SELECT now(), now(), b.period, b.period_end + 3, b.period_end + 18, c.category = 'residential',
    b.total_yuan, CASE WHEN open THEN 0 ELSE b.total_yuan END, 0, 0,
    CASE WHEN open THEN 'open' ELSE 'paid' END, b.area_id, b.id, b.customer_id, b.station_id,
    CASE WHEN open THEN NULL ELSE b.period_end + 10 END
  FROM billing_bill b JOIN archive_customer c ON c.id = b.customer_id,
    LATERAL (SELECT b.period = DATE '2025-03-01' AND c.id %% 33 = 0 AS open) o;
UPDATE archive_customer SET tariff_code = 'GEN-1' WHERE category = 'commercial';
UPDATE billing_bill b SET tariff_code = c.tariff_code, tariff_name = '一般工商业'
  FROM archive_customer c WHERE c.id = b.customer_id AND c.category = 'commercial';
UPDATE billing_bill b SET energy_kwh = b.energy_kwh * p.multiplier
  FROM archive_meteringpoint p WHERE p.customer_id = b.customer_id AND p.multiplier <> 1;
UPDATE archive_customer SET contracted_capacity_kva = 100, voltage_level = '380V' WHERE category = 'commercial';
UPDATE billing_bill b SET inputs = '{"power_factor_class": "0.90"}', power_factor = 0.92, power_factor_yuan = -round(b.energy_charge_yuan * 0.003, 2),
    funds_yuan = round(b.energy_kwh * %(fund_rate)s, 2),
    total_yuan = b.energy_charge_yuan + round(b.energy_kwh * %(fund_rate)s, 2)
  FROM archive_customer c WHERE c.id = b.customer_id AND c.category = 'commercial';
INSERT INTO billing_bookarea (book_id, area_id) SELECT b.id, a.id FROM billing_readingbook b, archive_area a;
UPDATE billing_bill SET prepared_by_id = %(preparer)s, checked_by_id = %(checker)s,
    checked_at = period_end + 2, issued_at = period_end + 3;
INSERT INTO collection_account (created_at, updated_at, customer_id, station_id, area_id, credit_yuan,
    is_prepaid, low_balance_yuan)
  SELECT now(), now(), id, station_id, area_id, 0, false, 0 FROM archive_customer;
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rule", action="append", default=[], help="only these rules (repeatable)")
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse the loaded database (same --customers); the earlier runs and their findings are removed",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)

    if not args.skip_load:
        print(
            f"database {urllib.parse.urlparse(url).path.lstrip('/')}: recreating and migrating ...",
            flush=True,
        )
        benchdb.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from gridcheck.audit import services
    from gridcheck.core.rules import rule_value
    from gridcheck.users.models import User

    if args.skip_load:
        from gridcheck.audit.models import AuditRun, Finding, FindingEvent

        tables = ", ".join(model._meta.db_table for model in (FindingEvent, Finding, AuditRun))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
            cursor.execute("ANALYZE")
        n = args.customers
        run_timed(services, n, args.rule)
        return

    started = time.monotonic()
    reader = User.objects.create_user(username="bench_reader", password="x-bench-pw-1", role="meter_reader")
    preparer = User.objects.create_user(username="bench_clerk", password="x-bench-pw-1", role="auditor")
    checker = User.objects.create_user(username="bench_head", password="x-bench-pw-1", role="station_head")
    n = args.customers
    with connection.cursor() as cursor:
        cursor.execute(
            SQL,
            {
                "n": n,
                "areas": (n + 199) // 200,
                "reader": reader.pk,
                "preparer": preparer.pk,
                "checker": checker.pk,
                "fund_rate": rule_value(
                    "tariff.demo.fund.renewable_energy_surcharge", datetime.date(2025, 3, 31)
                ),
            },
        )
        cursor.execute("ANALYZE")
    print(
        f"wrote {n:,} customers, meters, 3 cycles of readings, bills and receivables "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )

    run_timed(services, n, args.rule)


def run_timed(services, n: int, rule_codes: list[str]) -> None:
    """One county audit run of March 2025, timed, and its figures printed."""
    services.rules_sync()
    started = time.monotonic()
    run = services.audit_run_start(
        month=datetime.date(2025, 3, 1),
        run_on=datetime.date(2025, 4, 10),
        rule_codes=rule_codes,
        enqueue=False,
    )
    run = services.audit_run_execute(run)
    seconds = time.monotonic() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"audit run {run.status}: {run.counts}")
    print("rule      seconds      hits  title")
    for result in run.results.select_related("rule").order_by("-duration_s"):
        error = f"  ERROR {result.error.splitlines()[0][:80]}" if result.error else ""
        print(f"{result.rule.code:8} {result.duration_s:8.2f} {result.hits:9,}  {result.rule.title}{error}")
    print(f"{seconds:.1f} s in all for {n:,} customers, peak memory {peak_gb:.2f} GB")
    extrapolated = seconds * 1_000_000 / n
    print(
        f"  target: 1,000,000 customers in under 180 s and 4 GB -> "
        f"{'PASS' if extrapolated < 180 and peak_gb < 4 else 'FAIL'} (extrapolated {extrapolated:.0f} s)"
    )


if __name__ == "__main__":
    main()
