"""List export benchmark on PostgreSQL: a list of 100,000 rows exported to XLSX through the page.

Prints figures, not a test. Writes a synthetic county (``benchdb.COUNTY_SQL``: ``--rows`` customers, each
with one issued bill), logs a Django test client in as an administrator and times the XLSX export of

- the customer list (``/archive/customers/?export=xlsx``: an import entity, the import's headers), and
- the bill list (``/billing/bills/?export=xlsx``: the table's own columns),

each for one area (200 rows) and in full, with the growth of the process's resident memory during the
request (sampled every 20 ms from ``/proc/self/statm``): memory is flat when the full export's peak stays near the one area's (the rows are read in
chunks and written to a temporary file; what grows is the compressed workbook, about 3 % of the rows' size
in Python objects). Target: under 30 s per full export.

Usage::

    .venv/bin/python benchmarks/export_benchmark.py                 # 100,000 rows, fresh database
    .venv/bin/python benchmarks/export_benchmark.py --rows 20000    # a quick check

``DATABASE_URL`` chooses the server and database (default
``postgres://postgres@127.0.0.1:5432/gridcheck_export_bench``).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_export_bench"
TARGET_S = 30.0


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _export(client, url: str, query: dict) -> tuple[float, float, int]:
    from openpyxl import load_workbook

    baseline, peak, done = _rss_bytes(), [0], threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    response = client.get(url, {**query, "export": "xlsx"})
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    growth = max(peak[0], _rss_bytes()) - baseline
    if response.status_code != 200 or "spreadsheet" not in response["Content-Type"]:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response['Content-Type']}")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
    return elapsed, growth / 2**20, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    print(f"database {urllib.parse.urlparse(url).path.lstrip('/')}: recreating and migrating ...", flush=True)
    benchdb.recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from gridcheck.archive.models import Area
    from gridcheck.users.models import User

    setup_test_environment()
    n = args.rows
    started = time.monotonic()
    reader = User.objects.create_user(username="bench_reader", password="x-bench-pw-1", role="meter_reader")
    with connection.cursor() as cursor:
        cursor.execute(benchdb.COUNTY_SQL, {"n": n, "areas": (n + 199) // 200, "reader": reader.pk})
        cursor.execute("ANALYZE")
    print(f"wrote {n:,} customers and bills in {time.monotonic() - started:.1f} s", flush=True)
    admin = User.objects.create_user(username="bench_admin", password="x-bench-pw-1", role="administrator")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    first_area = Area.objects.order_by("pk").values_list("pk", flat=True).first()

    failed = False
    print(f"{'list':<28}{'rows':>10}{'seconds':>10}{'RSS +MiB':>10}")
    for label, path in (
        ("customers (import headers)", "/archive/customers/"),
        ("bills (table columns)", "/billing/bills/"),
    ):
        part_s, part_peak, part_rows = _export(client, path, {"area": first_area})
        full_s, full_peak, full_rows = _export(client, path, {})
        print(f"{label + ', one area':<28}{part_rows:>10,}{part_s:>10.2f}{part_peak:>10.1f}")
        print(f"{label + ', all':<28}{full_rows:>10,}{full_s:>10.2f}{full_peak:>10.1f}")
        ok = full_s < TARGET_S and full_rows == n
        failed |= not ok
        print(f"  {'PASS' if ok else 'FAIL'}: {full_rows:,} rows in {full_s:.1f} s (target {TARGET_S:.0f} s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
