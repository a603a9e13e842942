"""The two write paths of the archive import give the same archive and the same history.

On PostgreSQL customers, metering points and meters are written through ``COPY`` and a set-based upsert
(``importers.writers.CopyWriter``); ``use_copy=False`` forces the ORM path that SQLite always takes. A
small simulated county is imported (then changed by a second set of files) through each path in turn,
and every row and every history record is compared, time stamps and surrogate ids aside.
"""

import csv
import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from gridcheck.archive.importers import ImportRejected, engine, import_file, writers
from gridcheck.archive.importers.writers import copy_available
from gridcheck.archive.models import Customer, ImportBatch, Meter, MeteringPoint
from gridcheck.core.registries import imports
from gridcheck.users.models import User
from gridcheck_analytics.datasets import ENTITIES, simulate_county, write_county

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

COPIED = ("customers", "metering_points", "meters")
SKIP = {"id", "created_at", "updated_at", "history_id", "history_date"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Many chunks even in a small county: each is staged, written and read ahead on its own."""
    monkeypatch.setattr(engine, "CHUNK_ROWS", 40)


def _keys():
    """Surrogate ids -> business keys, so that two imports compare although their ids differ."""
    return {
        "customer_id": dict(Customer.objects.values_list("pk", "account_number")),
        "metering_point_id": dict(MeteringPoint.objects.values_list("pk", "code")),
    }


def _plain(values: dict, keys: dict) -> tuple:
    return tuple(
        sorted(
            (name, keys[name].get(value, value) if name in keys else value)
            for name, value in values.items()
            if name not in SKIP
        )
    )


def snapshot() -> dict:
    """Every row and every history record of the copied entities, ids and time stamps aside."""
    keys = _keys()
    state = {}
    for model in (Customer, MeteringPoint, Meter):
        state[model.__name__] = sorted((_plain(v, keys) for v in model.objects.values()), key=repr)
        state[f"{model.__name__} history"] = sorted(
            (_plain(v, keys) for v in model.history.values()), key=repr
        )
    return state


def _wipe() -> None:
    for model in (Meter, MeteringPoint, Customer):
        model.objects.all().delete()
    for model in (Meter, MeteringPoint, Customer):
        model.history.all().delete()  # the deletions' records too


def _changed_files(paths: dict, directory) -> dict:
    """A second set of files: some rows changed, one customer (with its point and meter) new."""
    directory.mkdir()
    changed = {}
    for entity in COPIED:
        with paths[entity].open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        column = {name: i for i, name in enumerate(header)}
        for n, row in enumerate(body):
            if n % 7:
                continue
            if entity == "customers":
                row[column["name"]] += "改"
                row[column["contracted_capacity_kva"]] = str(
                    Decimal(row[column["contracted_capacity_kva"]]) + 1
                )
            elif entity == "metering_points":
                row[column["ct_ratio"]] = "150/5"  # the multiplier follows
            else:
                row[column["manufacturer"]] = "新厂家"
        new = list(body[0])
        if entity == "customers":
            new[column["account_number"]] = "9999999999"
        elif entity == "metering_points":
            new[column["account_number"]], new[column["code"]] = "9999999999", "MP9999999999"
        else:
            new[column["metering_point_code"]], new[column["asset_number"]] = "MP9999999999", "M9999999999"
        body.append(new)
        changed[entity] = directory / paths[entity].name
        with changed[entity].open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *body])
    return changed


def _import(paths: dict, use_copy: bool, user=None) -> list[tuple]:
    counts = []
    for entity in COPIED:
        batch = import_file(
            entity=entity, path=paths[entity], user=user, max_bytes=1 << 30, use_copy=use_copy
        )
        counts.append(
            (entity, batch.rows_total, batch.rows_created, batch.rows_updated, batch.rows_unchanged)
        )
    return counts


def test_copy_and_orm_paths_write_the_same_rows_and_history(tmp_path):
    assert all(imports[e].bulk_copy and copy_available(imports[e]) for e in COPIED)
    paths = write_county(simulate_county(n_customers=300, seed=11), tmp_path / "first")
    for entity in ENTITIES:
        if entity not in COPIED:
            import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    changed = _changed_files(paths, tmp_path / "second")
    importer = User.objects.create_superuser(username="importer", password="x-import-x")

    results = {}
    for use_copy in (False, True):
        _wipe()
        first = _import(paths, use_copy)
        after_first = snapshot()
        second = _import(changed, use_copy, user=importer)
        after_second = snapshot()
        # A third import of the same files changes nothing and records nothing.
        third = _import(changed, use_copy, user=importer)
        assert snapshot() == after_second
        results[use_copy] = (first, after_first, second, after_second, third)

    orm, copied = results[False], results[True]
    assert copied[0] == orm[0]  # the counts of the first import
    assert copied[0][0][2] == 300 and copied[0][0][3] == 0
    assert copied[1] == orm[1]
    assert copied[2] == orm[2]  # created, updated and unchanged of the changed files
    assert all(created == 1 and updated > 0 for _e, _t, created, updated, _u in copied[2])
    assert copied[3] == orm[3]
    assert all(created == updated == 0 for _e, _t, created, updated, _u in copied[4])
    # The history names the importer and the file; the multiplier was derived on both paths.
    assert MeteringPoint.history.filter(history_type="~", history_user=importer).exists()
    assert (
        Customer.history.filter(history_change_reason="导入 customers.csv", history_type="+").count() == 301
    )
    for point in MeteringPoint.objects.all():
        assert point.multiplier == MeteringPoint.derive_multiplier(point.ct_ratio, point.pt_ratio)


@pytest.mark.parametrize("max_errors", [200, 5])
def test_copy_and_orm_paths_refuse_a_file_with_the_same_errors(tmp_path, settings, max_errors):
    settings.GRIDCHECK_IMPORT_MAX_ERRORS = max_errors
    paths = write_county(simulate_county(n_customers=200, seed=12), tmp_path / "county")
    for entity in ENTITIES[: ENTITIES.index("customers")]:
        import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    with paths["customers"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    capacity = rows[0].index("contracted_capacity_kva")
    for n in (3, 50, 51, 120, 190):  # parse errors and resolve errors in several chunks
        rows[n][0] = "NO-SUCH-AREA"
        rows[n + 2][capacity] = "-1"
    rows.append(rows[10])  # a duplicate account number, found in the last chunk
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    refused = {}
    for use_copy in (False, True):
        with pytest.raises(ImportRejected) as info:
            import_file(entity="customers", path=bad, user=None, use_copy=use_copy)
        refused[use_copy] = (
            [(e.file, e.row, e.column, e.reason) for e in info.value.errors],
            info.value.truncated,
        )
        assert not Customer.objects.exists() and not Customer.history.exists()
    assert refused[True] == refused[False]
    errors, truncated = refused[True]
    assert len(errors) == min(11, max_errors) and truncated == (max_errors < 11)


def _index_definitions() -> dict[str, list[str]]:
    """The index definitions of the copied entities' tables and of their history tables."""
    tables = []
    for model in (Customer, MeteringPoint, Meter):
        tables += [model._meta.db_table, model.history.model._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2", [tables]
        )
        found: dict[str, list[str]] = {}
        for table, definition in cursor.fetchall():
            found.setdefault(table, []).append(definition)
    return found


def _foreign_keys() -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the foreign keys of the archive tables a bulk load writes."""
    tables = []
    for model in (Customer, MeteringPoint, Meter):
        tables += [model._meta.db_table, model.history.model._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        return cursor.fetchall()


def test_a_bulk_load_drops_and_builds_the_same_indexes_and_writes_the_same_rows(tmp_path, monkeypatch):
    """A bulk load (an empty table, a large file) writes what the row path writes; the indexes it
    dropped are there again, as they were, after the file is written."""
    monkeypatch.setattr(writers, "BULK_LOAD_MIN_BYTES", 1)
    dropped = []
    original = writers.CopyWriter._drop_indexes

    def spy(self, cursor, table):
        original(self, cursor, table)
        dropped.append((table, len(self.dropped_indexes[-1][1])))

    monkeypatch.setattr(writers.CopyWriter, "_drop_indexes", spy)
    keys_dropped = {}
    rebuild = writers.CopyWriter._rebuild_indexes

    def rebuild_spy(self, cursor):
        keys_dropped.update({t: sorted(r for _n, _d, r in k) for t, k in self.dropped_foreign_keys.items()})
        rebuild(self, cursor)

    monkeypatch.setattr(writers.CopyWriter, "_rebuild_indexes", rebuild_spy)
    paths = write_county(simulate_county(n_customers=150, seed=13), tmp_path / "county")
    for entity in ENTITIES[: ENTITIES.index("customers")]:
        import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    indexes = _index_definitions()
    assert "archive_cust_name_trgm" in " ".join(indexes["archive_customer"])
    keys = _foreign_keys()
    assert "archive_customer" in {table for table, _n, _d in keys}
    states = {}
    for use_copy in (False, True):
        _wipe()
        _import(paths, use_copy)
        states[use_copy] = snapshot()
        assert _index_definitions() == indexes
        assert _foreign_keys() == keys  # dropped by the bulk load, added again as they were
    assert states[True] == states[False]
    # Each table and each history table lost (and got back) its indexes that back no constraint.
    assert {table for table, _n in dropped} == set(indexes)
    assert dict(dropped)["archive_customer"] == len(indexes["archive_customer"]) - 2  # pkey, account
    # The foreign keys to the archive's own tables were dropped too; the history's key to the users not.
    assert keys_dropped == {
        "archive_customer": ["archive_area", "archive_station"],
        "archive_meteringpoint": ["archive_customer"],
        "archive_meter": ["archive_meteringpoint"],
        "archive_historicalcustomer": [],
        "archive_historicalmeteringpoint": [],
        "archive_historicalmeter": [],
    }


def test_a_bulk_load_refused_late_leaves_the_indexes(tmp_path, monkeypatch):
    """A file refused after some chunks were written (a duplicate in its last chunk) is rolled back
    with the dropped indexes."""
    monkeypatch.setattr(writers, "BULK_LOAD_MIN_BYTES", 1)
    paths = write_county(simulate_county(n_customers=150, seed=14), tmp_path / "county")
    for entity in ENTITIES[: ENTITIES.index("customers")]:
        import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    indexes = _index_definitions()
    keys = _foreign_keys()
    with paths["customers"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows.append(rows[5])
    bad = tmp_path / "late.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    written = []
    original = writers.CopyWriter._apply
    monkeypatch.setattr(
        writers.CopyWriter, "_apply", lambda self, *args: (written.append(1), original(self, *args))
    )
    with pytest.raises(ImportRejected) as info:
        import_file(entity="customers", path=bad, user=None, use_copy=True)
    assert [(e.row, e.column) for e in info.value.errors] == [(len(rows), "account_number")]
    assert written  # chunks were written (and the indexes dropped) before the duplicate was found
    assert not Customer.objects.exists() and not Customer.history.exists()
    assert _index_definitions() == indexes
    assert _foreign_keys() == keys


def test_an_integer_out_of_its_fields_range_is_refused_by_row_and_column(tmp_path):
    """Binary ``COPY`` would wrap a ``smallint`` of 70,000 around: the parser refuses it first, on
    both paths, naming the row and the column."""
    paths = write_county(simulate_county(n_customers=60, seed=15), tmp_path / "county")
    for entity in ENTITIES[: ENTITIES.index("meters")]:
        import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    with paths["meters"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[4][rows[0].index("register_digits")] = "70000"
    bad = tmp_path / "meters.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    for use_copy in (False, True):
        with pytest.raises(ImportRejected) as info:
            import_file(entity="meters", path=bad, user=None, use_copy=use_copy)
        assert [(e.row, e.column, e.reason) for e in info.value.errors] == [
            (5, "register_digits", 'number too large: "70000"')
        ]
        assert not Meter.objects.exists()


def _county_before_customers(tmp_path, seed: int) -> dict:
    paths = write_county(simulate_county(n_customers=150, seed=seed), tmp_path / "county")
    for entity in ENTITIES[: ENTITIES.index("customers")]:
        import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    return paths


def test_a_failure_in_the_check_thread_leaves_nothing_written(tmp_path, monkeypatch):
    """Chunk k is checked in a thread while chunk k - 1 is written: an exception there (here the
    resolver of a row in the fourth chunk) stops the run, and the chunks written before are rolled
    back with the indexes a bulk load dropped."""
    monkeypatch.setattr(writers, "BULK_LOAD_MIN_BYTES", 1)
    paths = _county_before_customers(tmp_path, seed=16)
    indexes = _index_definitions()
    spec = imports["customers"]
    resolve, threads = spec.resolve, set()

    def failing(ctx, values, row_no):
        threads.add(threading.current_thread().name)
        if row_no == 130:
            raise RuntimeError("resolver broke")
        return resolve(ctx, values, row_no)

    monkeypatch.setattr(spec, "resolve", failing)
    written = []
    original = writers.CopyWriter._apply
    monkeypatch.setattr(
        writers.CopyWriter, "_apply", lambda self, *args: (written.append(1), original(self, *args))
    )
    with pytest.raises(RuntimeError, match="resolver broke"):
        import_file(entity="customers", path=paths["customers"], user=None, use_copy=True)
    assert threads and all(name.startswith("import-check") for name in threads)
    assert len(written) == 3  # chunks 1 to 3 (the third while the fourth was checked)
    assert not Customer.objects.exists() and not Customer.history.exists()
    assert _index_definitions() == indexes
    assert not [t for t in threading.enumerate() if t.name.startswith(("import-check", "import-reader"))]


def test_a_chunk_the_database_refuses_leaves_nothing_written(tmp_path, monkeypatch):
    """A write that fails (here the third chunk's) while the next chunk is checked refuses the file
    with the database's reason, and nothing of the chunks before stays."""
    paths = _county_before_customers(tmp_path, seed=17)
    calls = []
    original = writers.CopyWriter._apply

    def apply(self, cursor, *args):
        calls.append(1)
        if len(calls) == 3:
            cursor.execute("SELECT 1 / 0")
        return original(self, cursor, *args)

    monkeypatch.setattr(writers.CopyWriter, "_apply", apply)
    with pytest.raises(ImportRejected) as info:
        import_file(entity="customers", path=paths["customers"], user=None, use_copy=True)
    [error] = info.value.errors
    assert error.row is None and "division by zero" in error.reason
    assert not Customer.objects.exists() and not Customer.history.exists()
    assert info.value.batch.status == ImportBatch.Status.FAILED


def test_the_foreign_keys_are_deferred_again_after_a_copy_import(tmp_path):
    """The COPY writer checks the foreign keys of each chunk's rows at once, then defers them again:
    later statements of the transaction are checked at its commit, as before the import."""
    paths = _county_before_customers(tmp_path, seed=18)
    import_file(entity="customers", path=paths["customers"], user=None, use_copy=True)
    customer = Customer.objects.first()
    with transaction.atomic():  # a missing area is not refused before the commit
        Customer.objects.filter(pk=customer.pk).update(area_id=10**9)
    Customer.objects.filter(pk=customer.pk).update(area_id=customer.area_id)


def test_the_copy_data_is_what_psycopgs_public_dumpers_give():
    """The check thread formats the COPY rows with psycopg's C function (not public API); its bytes
    are those of the public dumpers (the fallback)."""
    from psycopg import postgres

    transformer = writers._transformer(postgres.adapters, [25, 25, 1700, 16, 25, 1082, 1184, 20])
    row = ("1100000001", "张三", Decimal("8.50"), True, None, datetime.date(2015, 6, 1), timezone.now(), 12)
    fast, public = bytearray(), bytearray()
    writers.format_row_binary(row, transformer, fast)
    writers._format_row(row, transformer, public)
    assert fast == public and fast.startswith(b"\x00\x08\x00\x00\x00\x0a1100000001")
