"""On SQLite the archive's customers, metering points and meters are written by ``SqliteWriter`` (new
rows by ``executemany``, their history by ``INSERT ... SELECT``): the same rows and history as the ORM."""

import pytest
from django.db import connection

from gridcheck.archive.importers import engine, import_file, writers
from gridcheck.archive.models import Customer, MeteringPoint
from gridcheck.archive.tests.test_import_copy import (
    COPIED,
    _changed_files,
    _county_before_customers,
    _import,
    _wipe,
    snapshot,
)
from gridcheck.users.models import User
from gridcheck_analytics.datasets import ENTITIES, simulate_county, write_county

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer"),
]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_ROWS", 40)


def test_sqlite_and_orm_writers_write_the_same_rows_and_history(tmp_path, monkeypatch):
    paths = write_county(simulate_county(n_customers=300, seed=11), tmp_path / "first")
    for entity in ENTITIES:
        if entity not in COPIED:
            import_file(entity=entity, path=paths[entity], user=None, max_bytes=1 << 30)
    changed = _changed_files(paths, tmp_path / "second")
    importer = User.objects.create_superuser(username="importer", password="x-import-x")
    used = []
    chosen = writers.writer_for

    def spy(ctx):
        writer = chosen(ctx)
        used.append(type(writer).__name__)
        return writer

    results = {}
    for orm in (True, False):
        monkeypatch.setattr(engine, "writer_for", writers.OrmWriter if orm else spy)
        _wipe()
        first = _import(paths, False)
        after_first = snapshot()
        second = _import(changed, False, user=importer)
        after_second = snapshot()
        third = _import(changed, False, user=importer)
        assert snapshot() == after_second  # the same files again: nothing changed, nothing recorded
        results[orm] = (first, after_first, second, after_second, third)

    assert set(used) == {"SqliteWriter"}
    assert results[False] == results[True]
    first, _after, second, _after2, third = results[False]
    assert first[0][2] == 300
    assert all(created == 1 and updated > 0 for _e, _t, created, updated, _u in second)
    assert all(created == updated == 0 for _e, _t, created, updated, _u in third)
    assert (
        Customer.history.filter(history_change_reason="导入 customers.csv", history_type="+").count() == 301
    )
    assert MeteringPoint.history.filter(history_type="~", history_user=importer).exists()
    for point in MeteringPoint.objects.all():
        assert point.multiplier == MeteringPoint.derive_multiplier(point.ct_ratio, point.pt_ratio)


def test_a_chunk_sqlite_refuses_leaves_nothing_written(tmp_path, monkeypatch):
    paths = _county_before_customers(tmp_path, seed=3)
    calls = []
    real = writers.SqliteWriter.add

    def failing(self, creates, updates, names):
        calls.append(len(creates))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self, creates, updates, names)

    monkeypatch.setattr(writers.SqliteWriter, "add", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(entity="customers", path=paths["customers"], user=None, max_bytes=1 << 30)
    assert len(calls) == 2
    assert not Customer.objects.exists() and not Customer.history.exists()
