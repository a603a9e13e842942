"""Pages benchmark: queries, server time and size of each main page, and (``--load``) users on gunicorn.

Prints figures, not a test. Steps:

1. (unless ``--skip-load``) drop and recreate the benchmark database (its name must contain ``bench``),
   migrate it and build the demo county of ``--customers`` customers into it (``gridcheck demo``, with a
   year of meter data, bills, suspects and findings, about 17 minutes; ``--skip-meter-data`` leaves those
   lists empty; about 20,000 customers is the issue's county);
2. per main page (the home page of each role, the county customer list, a customer page, the suspect,
   bill, finding, work-order and hazard lists, the customers API) as a county-wide login would open it:
   the queries it makes, the median server time over ``--repeat`` requests (Django's test client in this
   process: the whole request through the middleware, no network) and the response size;
   ``--profile PATH`` prints the functions that page spends its time in (cProfile);
3. with ``--load``: gunicorn (``--workers`` 4) on that database, and ``--users`` (default 20 and 100)
   concurrent users, each with its own session (made directly, no password hash per user), clicking
   through the main pages their login may open with a think time of 0.5-1.5 s, for ``--seconds`` each;
   prints requests/s, p50, p99 and errors (any status other than 200, any connection error). The target
   is the issue's: **100 users, p99 < 500 ms**.

Users only ever send traffic to 127.0.0.1. Usage::

    .venv/bin/python benchmarks/pages_benchmark.py                       # build, then the per-page table
    .venv/bin/python benchmarks/pages_benchmark.py --skip-load --load    # reuse the county, add the load
    .venv/bin/python benchmarks/pages_benchmark.py --skip-load --profile /detection/suspects/
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_pages_bench"
P99_TARGET_MS = 500.0
# Server time a page may take so that 100 users fit in 2 cores with a p99 under the target [ms].
PAGE_TARGET_MS = 20.0

# (label, path, role whose login opens it); ``{customer}`` is a customer of that login's scope.
PAGES = [
    ("home (station head)", "/", "station_head"),
    ("home (inspector)", "/", "inspector"),
    ("home (auditor)", "/", "auditor"),
    ("home (administrator)", "/", "administrator"),
    ("home (station head) cold", "/", "station_head"),
    ("home (administrator) cold", "/", "administrator"),
    ("customer list (county)", "/archive/customers/", "administrator"),
    ("customer list page 50", "/archive/customers/?page=50", "administrator"),
    ("customer list (county) cold", "/archive/customers/", "administrator"),
    ("customer page", "/archive/customers/{customer}/", "administrator"),
    ("suspect list", "/detection/suspects/", "administrator"),
    ("suspect list cold", "/detection/suspects/", "administrator"),
    ("bill list", "/billing/bills/", "administrator"),
    ("finding list", "/audit/findings/", "administrator"),
    ("work orders", "/inspections/orders/", "administrator"),
    ("hazard list", "/hazards/list/", "administrator"),
    ("customers API", "/api/archive/customers/", "administrator"),
]


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=database_url, DEBUG="False", GRIDCHECK_VAR_DIR=str(ROOT / "var" / "pages_bench"))
    return env


def build(database_url: str, customers: int, meter_data: bool = True) -> None:
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(
        ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"'],
        check=True,
    )
    env = _env(database_url)
    python = sys.executable
    start = time.perf_counter()
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    demo = [python, "manage.py", "demo", "--customers", str(customers)]
    if not meter_data:
        demo.append("--skip-meter-data")
    subprocess.run(demo, cwd=ROOT, env=env, check=True)
    print(f"county built in {time.perf_counter() - start:.0f} s", flush=True)


def setup_django(env: dict) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from config.env import settings_module

    settings_module()
    import django

    django.setup()
    from django.conf import settings
    from django.core.signals import request_started
    from django.db import reset_queries

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # Each request would empty the query log that CaptureQueriesContext counts.
    request_started.disconnect(reset_queries)


def logins() -> dict:
    """One active demo login per role (the first by username), county-wide where the role has one."""
    from django.contrib.auth import get_user_model

    found = {}
    for user in get_user_model().objects.filter(is_active=True).order_by("station_id", "username"):
        if user.role and user.role not in found and (user.station_id is None or user.role != "administrator"):
            found[user.role] = user
    return found


def customer_ids(user, n: int = 200) -> list[int]:
    from gridcheck.archive.models import Customer
    from gridcheck.core.scoping import scope_queryset

    return list(scope_queryset(Customer.objects.order_by("pk"), user).values_list("pk", flat=True)[:n])


def measure_pages(repeat: int, profile: str | None) -> None:
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = logins()
    print(
        f"\n{'page':<26} {'queries':>7} {'median ms':>9} {'min ms':>7} {'cpu ms':>7} {'calls':>7} {'KB':>6}  status"
    )
    for label, path, role in PAGES:
        user = users.get(role)
        if user is None:
            print(f"{label:<26} (no {role} login in the county)")
            continue
        client = Client()
        client.force_login(user)
        if "{customer}" in path:
            path = path.format(customer=customer_ids(user, 1)[0])
        # A "cold" page is measured with Django's cache emptied before each request (what the first
        # visitor of a scope pays once a minute); the others as visited again within the minute.
        cold = label.endswith(" cold")
        response = client.get(path)  # warm: templates, caches, connection
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        captured = list(queries.captured_queries)
        times, cpu = [], []
        for _ in range(repeat):
            if cold:
                cache.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        reset_queries()
        # Python function calls of one request (cProfile's count): the same on a busy machine as on a
        # quiet one, so two versions of a page compare where their times are disturbed by other work.
        import cProfile
        import pstats

        if cold:
            cache.clear()
        counter = cProfile.Profile()
        counter.enable()
        client.get(path)
        counter.disable()
        calls = pstats.Stats(counter).total_calls
        print(
            f"{label:<26} {len(captured):>7} {statistics.median(times):>9.1f} {min(times):>7.1f} "
            f"{statistics.median(cpu):>7.1f} {calls:>7} "
            f"{len(response.content) / 1024:>6.0f}  {response.status_code}",
            flush=True,
        )
        if profile and profile == path:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(repeat):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            for q in captured:
                print(f"{q['time']:>6} {q['sql'][:300]}")
    print(
        f"(target: about {PAGE_TARGET_MS:.0f} ms of server time per page; cpu ms: this process's CPU time, "
        "the database's not counted, less disturbed by other work on the machine than the wall time; "
        "calls: Python function calls of one request, not disturbed at all)"
    )


def session_cookie(user) -> str:
    """A logged-in session of ``user`` made directly, as ``django.contrib.auth.login`` would."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class User(threading.Thread):
    """A person at a browser: their own session, a click on one of their pages every 0.5-1.5 s."""

    def __init__(self, base, cookie, paths, start_at, measure_from, deadline, results, lock, seed, sent):
        super().__init__(daemon=True)
        self.sent = sent  # [requests sent, warm-up included]
        self.base, self.paths, self.start_at = base, paths, start_at
        self.measure_from, self.deadline, self.results, self.lock = measure_from, deadline, results, lock
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener()
        self.opener.addheaders = [("Cookie", f"sessionid={cookie}")]

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.time()))
        while time.time() < self.deadline:
            path = self.random.choice(self.paths)
            started = time.time()
            status = 0
            try:
                with self.opener.open(self.base + path, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception:  # noqa: BLE001 - a connection error is an error of the run
                status = 0
            elapsed = (time.time() - started) * 1000
            with self.lock:
                self.sent[0] += 1
                if started >= self.measure_from and started < self.deadline:
                    self.results.append((elapsed, status))
            time.sleep(self.random.uniform(0.5, 1.5))


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces: the fields after it start past its closing parenthesis.
    return [text[: text.index(" ")], text[text.index("(") + 1 : text.rindex(")")]] + text[
        text.rindex(")") + 2 :
    ].split()


def cpu_split(gunicorn_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by this process (the load generator), gunicorn's workers
    and PostgreSQL's processes (live ones, plus the ended ones the postmaster has reaped), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    own = os.times()
    split = {"load generator": own.user + own.system, "gunicorn": 0.0, "PostgreSQL": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields is None:
            continue
        # fields: pid, comm, state, ppid, ... utime [13], stime [14], cutime [15], cstime [16]
        comm, ppid = fields[1], int(fields[3])
        used = (int(fields[13]) + int(fields[14])) / tick
        if int(fields[0]) == gunicorn_pid or ppid == gunicorn_pid:
            split["gunicorn"] += used
        elif comm == "postgres":
            parent = _proc_stat(ppid)
            if parent is None or parent[1] != "postgres":  # the postmaster: add its reaped backends
                used += (int(fields[15]) + int(fields[16])) / tick
            split["PostgreSQL"] += used
    return split


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def run_load(env: dict, levels: list[int], seconds: int, workers: int, threads: int, port: int) -> bool:
    from django.db import connection

    users = logins()
    plan = []  # (cookie, paths) per login
    for role, user in users.items():
        if role in ("customer", "government_liaison", "meter_reader"):
            continue
        ids = customer_ids(user)
        paths = [p for _label, p, r in PAGES if r in (role, "administrator") and "{customer}" not in p]
        paths = [p for p in paths if p != "/" or role == "administrator"] + ["/"]
        paths += [f"/archive/customers/{pk}/" for pk in ids[:3]]
        plan.append((session_cookie(user), sorted(set(paths)), role))
    connection.close()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    passed = True
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        # Every page each login opens, once, so that each worker's first request is not measured cold.
        check = []
        for cookie, paths, role in plan:
            opener = urllib.request.build_opener()
            opener.addheaders = [("Cookie", f"sessionid={cookie}")]
            for path in paths:
                for _ in range(workers):
                    try:
                        opener.open(base + path, timeout=30).read()
                    except urllib.error.HTTPError as exc:
                        check.append(f"{role} {path}: {exc.code}")
        if check:
            print("pages refused before the load:", sorted(set(check)))
        print(
            f"\n{'users':>5} {'requests':>9} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
        )
        for level in levels:
            results, lock = [], threading.Lock()
            cpu_before = cpu_split(gunicorn.pid)
            sent = [0]
            now = time.time()
            warmup = 5.0
            deadline = now + warmup + seconds
            crowd = [
                User(
                    base,
                    plan[i % len(plan)][0],
                    plan[i % len(plan)][1],
                    now + random.uniform(0, warmup),
                    now + warmup,
                    deadline,
                    results,
                    lock,
                    seed=f"{level}-{i}",
                    sent=sent,
                )
                for i in range(level)
            ]
            for user in crowd:
                user.start()
            for user in crowd:
                user.join()
            times = [ms for ms, _ in results]
            errors = sum(1 for _, status in results if status != 200)
            p99 = percentile(times, 99)
            print(
                f"{level:>5} {len(times):>9} {len(times) / seconds:>6.1f} {percentile(times, 50):>7.0f} "
                f"{percentile(times, 95):>7.0f} {p99:>7.0f} {errors:>6}",
                flush=True,
            )
            cpu_used = {k: v - cpu_before[k] for k, v in cpu_split(gunicorn.pid).items()}
            print(
                "      CPU over the run (warm-up included): "
                + ", ".join(f"{k} {v:.1f} s" for k, v in cpu_used.items())
                + f"; per request (of {sent[0]}) {sum(cpu_used.values()) / max(1, sent[0]) * 1000:.1f} ms, "
                + f"gunicorn's share {cpu_used['gunicorn'] / max(1, sent[0]) * 1000:.1f} ms",
                flush=True,
            )
            if level == max(levels):
                passed = p99 < P99_TARGET_MS and errors == 0
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    print(
        ("PASS" if passed else "FAIL"),
        f"(target: {max(levels)} users, p99 < {P99_TARGET_MS:.0f} ms, 0 errors; workers {workers}x{threads})",
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--skip-load", action="store_true", help="reuse the county already in the database")
    parser.add_argument(
        "--skip-meter-data",
        action="store_true",
        help="build the county without its year of meter data, bills, suspects and findings (a minute, not 17)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests per page for the median")
    parser.add_argument("--profile", default=None, help="print the profile of this page's path")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--load", action="store_true", help="run gunicorn and concurrent users")
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per number of users")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if "bench" not in urllib.parse.urlparse(args.database_url).path:
        sys.exit("the benchmark database's name must contain 'bench'")
    if not args.skip_load:
        print(f"building a {args.customers}-customer demo county in {args.database_url} ...", flush=True)
        build(args.database_url, args.customers, meter_data=not args.skip_meter_data)
    env = _env(args.database_url)
    setup_django(env)
    if not args.skip_pages:
        measure_pages(args.repeat, args.profile)
    if args.load:
        return 0 if run_load(env, args.users, args.seconds, args.workers, args.threads, args.port) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
