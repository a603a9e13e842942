"""Two writers at once on the embedded SQLite database queue instead of failing ("database is locked")."""

import threading
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.settings.base import SQLITE_OPTIONS


def _wrapper(path):
    """A connection to the SQLite file ``path`` with the options the embedded deployment uses (whatever
    database this test run is on)."""
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": dict(SQLITE_OPTIONS),
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias=f"concurrency-{threading.get_ident()}")


@pytest.mark.django_db  # lets the wrappers below connect (to their own file, not the test database)
def test_concurrent_read_then_write_transactions_both_succeed(tmp_path):
    """Each transaction reads the balance, waits, then writes (a payment, an approval): with deferred
    transactions the second writer fails at once; with IMMEDIATE ones it waits its turn."""

    path = tmp_path / "db.sqlite3"
    setup = _wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, paid INTEGER NOT NULL)")
        cursor.execute("INSERT INTO account VALUES (1, 0)")
    setup.close()
    errors, barrier = [], threading.Barrier(2)

    def pay():
        db = _wrapper(path)
        try:
            barrier.wait()
            with _atomic(db):
                with db.cursor() as cursor:
                    cursor.execute("SELECT paid FROM account WHERE id = 1")
                    paid = cursor.fetchone()[0]
                    time.sleep(0.2)
                    cursor.execute("UPDATE account SET paid = %s WHERE id = 1", [paid + 1])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = _wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT paid FROM account WHERE id = 1")
        assert cursor.fetchone()[0] == 2  # no lost update either
    check.close()


class _atomic:
    """A transaction on one wrapper, begun the way Django's ``atomic`` begins it (``BEGIN <mode>``)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.ensure_connection()
        self.db._start_transaction_under_autocommit()  # what ``atomic()`` does on SQLite
        return self

    def __exit__(self, kind, value, traceback):
        with self.db.cursor() as cursor:
            cursor.execute("COMMIT" if kind is None else "ROLLBACK")
