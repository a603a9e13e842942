"""Archive benchmark on PostgreSQL: import a simulated county, then time the customer list page and API.

Prints figures, not a test. Steps:

1. (unless ``--skip-load``) drop and recreate the benchmark database (its name must contain ``bench``),
   migrate it, simulate a county of ``--customers`` customers (default 1,000,000), write the CSV files
   and import every entity through ``gridcheck.archive.importers.import_file``, timing each;
2. log a Django test client in as the head of the largest station (``force_login``, ``DEBUG`` off) and
   time ``--requests`` requests (default 30, after 3 warm-up requests) of the customer list page
   (``/archive/customers/?station=<id>``) and the API list (``/api/archive/customers/?station=<id>``),
   each on the first page and on a deep page (``--deep-page``, default 1000, or the last page of a
   smaller county);
3. print p50 and p95 and PASS/FAIL against the targets: 200 ms per request, import under 5 minutes,
   and customers with their metering points and meters (the three files) under 90 s for 1,000,000
   customers (issue 22; a smaller county prints its time scaled to 1,000,000 by its rate).

On PostgreSQL those three files go through ``COPY`` and a set-based upsert; ``--no-copy`` imports them
row by row through the ORM instead (the path SQLite takes), for the before/after. Each of the three
lines also gives the CPU seconds of this process and of its PostgreSQL backend (when the server runs
on this machine): on 2 shared cores the wall time depends on the other work running.

Usage::

    .venv/bin/python benchmarks/archive_benchmark.py                       # full size, fresh database
    .venv/bin/python benchmarks/archive_benchmark.py --customers 20000     # a quick check
    .venv/bin/python benchmarks/archive_benchmark.py --skip-load           # reuse the loaded database
    .venv/bin/python benchmarks/archive_benchmark.py --customers 100000 --no-copy --requests 3

``DATABASE_URL`` chooses the server and database (default
``postgres://postgres@127.0.0.1:5432/gridcheck_bench``).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_bench"
REQUEST_TARGET_MS = 200.0
IMPORT_TARGET_S = 300.0
#: Issue 22: customers, metering points and meters of 1,000,000 customers imported in this time [s].
ARCHIVE_TARGET_S = 90.0
ARCHIVE_TARGET_CUSTOMERS = 1_000_000
ARCHIVE_ENTITIES = ("customers", "metering_points", "meters")
WARMUP_REQUESTS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--deep-page", type=int, default=1000)
    parser.add_argument("--csv-dir", default=None, help="where the CSV files go (default: a temp dir)")
    parser.add_argument(
        "--no-copy", action="store_true", help="customers, points and meters row by row (the ORM path)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"DATABASE_URL must point at PostgreSQL, not {url}", file=sys.stderr)
        return 2

    if not args.skip_load:
        _recreate_database(url)
    else:
        _create_database_if_missing(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert not settings.DEBUG
    results: list[tuple[str, str, str, bool]] = []

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    if not args.skip_load:
        results += _load(args)
    results += _requests(args)

    print()
    print(f"{'measure':<44} {'figure':>24} {'target':>12}  result")
    print("-" * 92)
    for name, figure, target, passed in results:
        print(f"{name:<44} {figure:>24} {target:>12}  {'PASS' if passed else 'FAIL'}")
    return 0 if all(r[3] for r in results) else 1


# -- database ----------------------------------------------------------------------------------------------


def _connection_info(url: str) -> tuple[dict, str]:
    import environ

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    return {k: v for k, v in params.items() if v}, config["NAME"]


def _create_database_if_missing(url: str) -> None:
    import psycopg
    from psycopg import sql

    params, name = _connection_info(url)
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def _recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    params, name = _connection_info(url)
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop database {name!r}: its name must contain 'bench' (or use --skip-load)"
        )
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"recreated database {name}")


# -- load --------------------------------------------------------------------------------------------------


def _load(args) -> list[tuple[str, str, str, bool]]:
    from gridcheck.archive.importers import ImportRejected, import_file
    from gridcheck_analytics.datasets import ENTITIES, simulate_county, write_county

    started = time.perf_counter()
    frames = simulate_county(n_customers=args.customers, seed=args.seed)
    simulate_s = time.perf_counter() - started
    print(f"simulate {args.customers:,} customers: {simulate_s:.1f} s")

    directory = Path(args.csv_dir) if args.csv_dir else Path(tempfile.mkdtemp(prefix="gridcheck_bench_"))
    started = time.perf_counter()
    paths = write_county(frames, directory)
    print(f"write CSV files to {directory}: {time.perf_counter() - started:.1f} s")
    del frames

    results = []
    total_s = archive_s = 0.0
    cpu = _CpuClock()
    for entity in ENTITIES:
        size_mb = paths[entity].stat().st_size / 1e6
        options = {"use_copy": False} if args.no_copy and entity in ARCHIVE_ENTITIES else {}
        cpu.start()
        started = time.perf_counter()
        try:
            batch = import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 40, **options)
        except ImportRejected as rejected:
            for error in rejected.errors[:20]:
                print(f"  {error}", file=sys.stderr)
            raise SystemExit(f"the import of {paths[entity]} was refused") from None
        seconds = time.perf_counter() - started
        total_s += seconds
        rate = batch.rows_total / seconds if seconds else float("inf")
        print(
            f"import {entity:<16} {batch.rows_total:>10,} rows {size_mb:>8.1f} MB {seconds:>8.1f} s "
            f"{rate:>10,.0f} rows/s{cpu.text()}"
        )
        if entity in ARCHIVE_ENTITIES:
            archive_s += seconds
        if entity == "customers":
            results.append(
                (
                    f"import customers ({batch.rows_total:,} rows)",
                    f"{seconds:.1f} s",
                    f"< {IMPORT_TARGET_S:.0f} s",
                    seconds < IMPORT_TARGET_S,
                )
            )
    results.append(
        ("import all entities", f"{total_s:.1f} s", f"< {IMPORT_TARGET_S:.0f} s", total_s < IMPORT_TARGET_S)
    )
    path = "ORM rows" if args.no_copy else "COPY"
    if args.customers == ARCHIVE_TARGET_CUSTOMERS:
        figure, name = archive_s, f"customers+points+meters, {path}"
    else:
        figure = archive_s * ARCHIVE_TARGET_CUSTOMERS / args.customers
        name = f"customers+points+meters, {path}, scaled to 1M"
        print(f"customers, metering points and meters of {args.customers:,} customers: {archive_s:.1f} s")
    results.append((name, f"{figure:.1f} s", f"< {ARCHIVE_TARGET_S:.0f} s", figure < ARCHIVE_TARGET_S))
    return results


class _CpuClock:
    """CPU seconds of this process and of its PostgreSQL backend (read from /proc when the server runs
    on this machine) since :meth:`start`."""

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.started = (0.0, 0.0)

    def _now(self) -> tuple[float, float | None]:
        usage = os.times()
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            backend = None
        return usage.user + usage.system, backend

    def start(self) -> None:
        self.started = self._now()

    def text(self) -> str:
        python, backend = self._now()
        text = f"  cpu: python {python - self.started[0]:.1f} s"
        if backend is not None and self.started[1] is not None:
            text += f", postgres {backend - self.started[1]:.1f} s"
        return text


# -- requests ----------------------------------------------------------------------------------------------


def _requests(args) -> list[tuple[str, str, str, bool]]:
    import numpy as np
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gridcheck.archive.models import Customer, Station
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    busiest = Customer.objects.values("station").annotate(n=Count("pk")).order_by("-n", "station").first()
    if busiest is None:
        raise SystemExit("the database holds no customers: run without --skip-load first")
    station = Station.objects.get(pk=busiest["station"])
    customers = busiest["n"]
    user = (
        User.objects.filter(station=station, role=Role.STATION_HEAD).order_by("username").first()
        or User.objects.filter(station=station).exclude(role=Role.AREA_MANAGER).order_by("username").first()
    )
    if user is None:
        raise SystemExit(f"no staff member at {station.code} to log in as")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    last_page = max(1, math.ceil(customers / 50))
    deep = min(args.deep_page, last_page)
    print(
        f"\nrequests as {user.username} ({user.get_role_display()}) of {station.code} {station.name}: "
        f"{customers:,} customers, deep page {deep}"
    )
    urls = [
        ("UI customer list, first page", f"/archive/customers/?station={station.pk}"),
        (f"UI customer list, page {deep}", f"/archive/customers/?station={station.pk}&page={deep}"),
        ("API customer list, first page", f"/api/archive/customers/?station={station.pk}"),
        (f"API customer list, page {deep}", f"/api/archive/customers/?station={station.pk}&page={deep}"),
    ]
    results = []
    for name, url in urls:
        for _ in range(WARMUP_REQUESTS):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Read now: the next request empties the connection's query log.
        n_queries = len(queries.captured_queries)
        slowest_ms = max((float(q["time"]) * 1000 for q in queries.captured_queries), default=0.0)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        p50, p95 = np.percentile(timings, [50, 95])
        print(
            f"{url:<60} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {n_queries} queries (slowest {slowest_ms:.1f} ms)"
        )
        results.append(
            (
                f"{name} p50 / p95",
                f"{p50:.0f} / {p95:.0f} ms",
                f"< {REQUEST_TARGET_MS:.0f} ms",
                p95 < REQUEST_TARGET_MS,
            )
        )
    return results


if __name__ == "__main__":
    sys.exit(main())
