"""Billing benchmark on PostgreSQL: collect the AMI readings and bill N customers for one month.

Prints figures, not a test. Steps:

1. drop and recreate the benchmark database (its name must contain ``bench``), migrate it and write a
   synthetic archive straight into it (``bulk_create``: one company, stations of ``--per-station``
   customers, areas of 200, one residential meter per customer, 10 % general commercial with CT 40) and a
   synthetic Parquet meter store (daily total/peak/flat/valley registers on the two reading dates) in a
   temporary directory;
2. one reading book per station (all its areas, read on the 5th), the previous month's cycle and this
   month's opened, then timed: ``services.cycle_collect_ami`` for both cycles and ``services.cycle_bill``
   for this month's, book after book, as the billing clerk (``--workers N``: the books shared among N
   processes, as the stations' clerks work side by side);
3. print customers, seconds per step (and the CPU seconds of the client processes: the rest is the
   database server's work or waiting for a CPU), bills/s and the peak resident memory;
   ``--profile FILE`` writes a cProfile of the timed part and prints its top functions.

Target: 1,000,000 customers in under 5 minutes with under 4 GB. Measure at ``--customers 10000`` first and
extrapolate before trying more; figures vary with whatever else the machine runs.

Usage::

    .venv/bin/python benchmarks/billing_benchmark.py --customers 10000 --profile /tmp/billing.prof

``DATABASE_URL`` chooses the server (default ``postgres://postgres@127.0.0.1:5432/gridcheck_billing_bench``).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_billing_bench"
TARGET_S, TARGET_GB = 300.0, 4.0
PERIOD = datetime.date(2025, 3, 1)
READ_ON, PREVIOUS = datetime.date(2025, 3, 5), datetime.date(2025, 2, 5)
AREA_SIZE = 200


def _recreate(database_url: str) -> None:
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"'],
        check=True,
    )


def _archive(customers: int, per_station: int):
    """Company, stations, lines, areas, customers, metering points and meters, tariffs, staff."""
    from gridcheck.archive.models import Area, Company, Customer, Line, Meter, MeteringPoint, Station, Tariff
    from gridcheck.core.roles import Role
    from gridcheck.users.models import User

    company = Company.objects.create(code="B01", name="基准县供电公司")
    Tariff.objects.create(
        code="RES-1", name="居民生活用电", category="residential",
        price_yuan_per_kwh=Decimal("0.5600"), effective_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    Tariff.objects.create(
        code="GEN-1", name="一般工商业", category="general",
        price_yuan_per_kwh=Decimal("0.6500"), effective_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    n_stations = -(-customers // per_station)
    stations = Station.objects.bulk_create(
        [Station(company=company, code=f"S{s:03d}", name=f"基准{s}号供电所") for s in range(n_stations)]
    )
    lines = Line.objects.bulk_create(
        [Line(station=st, code=f"{st.code}-L1", name=f"{st.name}一线") for st in stations]
    )
    staff = {}
    for st in stations:
        for role in (Role.AUDITOR, Role.METER_READER):
            staff[(st.pk, role)] = User.objects.create_user(
                username=f"{role}_{st.code}",
                password=None,
                role=role,
                station=st,
                full_name=f"{role}{st.code}",
            )
    batch = 20_000
    n = 0
    areas_created = []
    while n < customers:
        chunk = range(n, min(n + batch, customers))
        new_areas = []
        for i in chunk:
            if i % AREA_SIZE == 0:
                s = i // per_station
                new_areas.append(
                    Area(line=lines[s], station=stations[s], code=f"A{i // AREA_SIZE:06d}",
                         name=f"台区{i // AREA_SIZE}", capacity_kva=Decimal("400"))
                )  # fmt: skip
        areas_created += Area.objects.bulk_create(new_areas)
        rows = []
        for i in chunk:
            area = areas_created[i // AREA_SIZE]
            commercial = i % 10 == 0
            rows.append(
                Customer(
                    account_number=f"{i:010d}", name=f"客户{i}", address="基准县", area=area,
                    station_id=area.station_id, category="commercial" if commercial else "residential",
                    voltage_level="380V" if commercial else "220V",
                    contracted_capacity_kva=Decimal("50") if commercial else Decimal("8"),
                    tariff_code="GEN-1" if commercial else "RES-1", inspection_class="C",
                )
            )  # fmt: skip
        made = Customer.objects.bulk_create(rows)
        points = MeteringPoint.objects.bulk_create(
            [
                MeteringPoint(customer=c, code=f"MP{c.account_number}",
                              ct_ratio=Decimal("40") if c.category == "commercial" else Decimal("1"))
                for c in made
            ]
        )  # fmt: skip
        Meter.objects.bulk_create(
            [
                Meter(metering_point=p, asset_number=f"M{p.customer.account_number}", phase="single",
                      accuracy_class="2.0", rated_current_a=Decimal("5"), max_current_a=Decimal("60"),
                      install_date=datetime.date(2022, 1, 1))
                for p in points
            ]
        )  # fmt: skip
        n += len(chunk)
    return stations, staff


def _store(customers: int, data_dir: Path) -> None:
    import numpy as np
    import pandas as pd

    from gridcheck_analytics.store import MeterStore

    rng = np.random.default_rng(1)
    ids = np.array([f"M{i:010d}" for i in range(customers)])
    start = np.round(rng.uniform(1000, 50000, customers), 2)
    used = np.round(rng.gamma(2.0, 80.0, customers), 2)
    for day, registers in ((PREVIOUS, start), (READ_ON, start + used)):
        frame = pd.DataFrame(
            {
                "meter_id": ids,
                "reading_date": pd.Series([day] * customers, dtype="object"),
                "register_total_kwh": registers,
                "register_peak_kwh": np.round(registers * 0.35, 2),
                "register_flat_kwh": np.round(registers * 0.40, 2),
                "register_valley_kwh": np.round(registers * 0.25, 2),
            }
        )
        MeterStore(data_dir).upsert("daily", frame)


#: The books of the run (clerk, previous cycle, cycle), for the forked workers.
_BOOKS: list = []


def _run_books(books) -> tuple[dict, dict]:
    """Collect both cycles and bill, book after book, as each book's clerk: seconds and CPU seconds."""
    from gridcheck.billing import services

    timings = {"collect": 0.0, "bill": 0.0}
    cpu = {"collect": 0.0, "bill": 0.0}  # this process's CPU (the server's is not counted)
    for clerk, previous, cycle in books:
        t, c = time.monotonic(), time.process_time()
        services.cycle_collect_ami(user=clerk, cycle=previous)
        services.cycle_collect_ami(user=clerk, cycle=cycle)
        timings["collect"] += time.monotonic() - t
        cpu["collect"] += time.process_time() - c
        t, c = time.monotonic(), time.process_time()
        services.cycle_bill(user=clerk, cycle=cycle)
        timings["bill"] += time.monotonic() - t
        cpu["bill"] += time.process_time() - c
    return timings, cpu


def _run_share(share: tuple[int, int]) -> tuple[dict, dict]:
    worker, workers = share
    return _run_books(_BOOKS[worker::workers])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--per-station", type=int, default=10_000, help="customers per station (one book)")
    parser.add_argument("--profile", default=None, help="write a cProfile of the timed part here")
    parser.add_argument(
        "--workers", type=int, default=1, help="bill the books in this many processes (stations in parallel)"
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    data_dir = Path(tempfile.mkdtemp(prefix="billing-bench-"))
    os.environ.update(
        DATABASE_URL=database_url, DEBUG="False", GRIDCHECK_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.base"),
    )  # fmt: skip
    sys.path.insert(0, str(ROOT))
    _recreate(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.GRIDCHECK_DATA_DIR = str(data_dir)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    stations, staff = _archive(args.customers, args.per_station)
    _store(args.customers, data_dir)
    print(
        f"setup: {args.customers:,} customers, {len(stations)} stations, {time.monotonic() - started:.1f} s"
    )

    from gridcheck.billing import services
    from gridcheck.billing.models import Bill
    from gridcheck.core.roles import Role

    books = []
    for st in stations:
        clerk = staff[(st.pk, Role.AUDITOR)]
        book = services.book_create(
            user=clerk, station=st, code=f"B-{st.code}", name=f"{st.name}抄表册", reading_day=5,
            reader=staff[(st.pk, Role.METER_READER)], areas=list(st.areas.all()),
        )  # fmt: skip
        previous = services.cycle_open(user=clerk, book=book, period=datetime.date(2025, 2, 1))
        cycle = services.cycle_open(user=clerk, book=book, period=PERIOD)
        books.append((clerk, previous, cycle))
    profiler = cProfile.Profile() if args.profile and args.workers == 1 else None
    if profiler:
        profiler.enable()
    started = time.monotonic()
    if args.workers == 1:
        timings, cpu = _run_books(books)
    else:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # each worker opens its own connection
        _BOOKS[:] = books
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            shares = pool.map(_run_share, [(w, args.workers) for w in range(args.workers)])
        timings = {k: max(t[k] for t, _ in shares) for k in ("collect", "bill")}
        cpu = {k: sum(c[k] for _, c in shares) for k in ("collect", "bill")}
    wall = time.monotonic() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    bills = Bill.objects.filter(period=PERIOD).count()
    total = wall
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024 if args.workers > 1 else 0.0
    peak_gb = own + args.workers * child  # at most, all processes at their peak together
    slowest = "" if args.workers == 1 else f" (slowest of {args.workers} workers)"
    print(f"customers:        {args.customers:,}")
    print(f"bills written:    {bills:,}")
    print(
        f"collect (2 AMI):  {timings['collect']:.1f} s{slowest}  (CPU of the clients {cpu['collect']:.1f} s)"
    )
    print(f"bill run:         {timings['bill']:.1f} s{slowest}  (CPU of the clients {cpu['bill']:.1f} s)")
    print(f"total (wall):     {total:.1f} s  ({bills / total if total else 0:.0f} bills/s)")
    print(
        f"peak RSS:         {peak_gb:.2f} GB"
        + (f" (main {own:.2f} + {args.workers} × {child:.2f})" if child else "")
    )
    extrapolated = total / max(args.customers, 1) * 1_000_000
    print(
        f"1,000,000 at this rate: {extrapolated / 60:.0f} min (target {TARGET_S / 60:.0f} min, < {TARGET_GB} GB)"
    )
    verdict = "PASS" if args.customers >= 1_000_000 and total < TARGET_S and peak_gb < TARGET_GB else "FAIL"
    print(verdict)
    if profiler:
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
