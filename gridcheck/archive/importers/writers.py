"""How the checked rows of an import run are written: row by row through the ORM, or, on PostgreSQL,
through ``COPY`` into a staging table and a set-based upsert.

The engine decides, chunk by chunk and in Python, which rows are new, which changed (and which fields)
and which are unchanged, with every check that gives a row-level error; a writer only writes what it is
handed, with the audit trail (the importing user, the change reason ``导入 <file>``):

- :class:`OrmWriter` (wherever ``use_copy`` is off): ``bulk_create_with_history`` and
  ``bulk_update_with_history`` per chunk;
- :class:`SqliteWriter` (SQLite, specs with ``bulk_copy``): a chunk's new rows by one ``executemany`` and
  their history by one ``INSERT ... SELECT``; changed rows as the ORM writer;
- :class:`CopyWriter` (PostgreSQL, specs with ``bulk_copy``): the new and the changed rows of a chunk
  are made ready in Python (:meth:`CopyWriter.prepare`, in the engine's check thread) and then
  (:meth:`CopyWriter.write`, while the engine checks the next chunk) ``COPY``'d (binary format) into two
  temporary staging tables (a new row's id taken from the table's sequence as it is copied), written by
  one ``INSERT ... SELECT`` and one ``UPDATE ... FROM``, and their history by one ``INSERT ... SELECT``
  each from the same staging tables. The table's and its history's deferred foreign keys are checked by
  each chunk's statements (``SET CONSTRAINTS ... IMMEDIATE``), so that the server checks them while
  Python works on the next chunk, not all at the end; they are deferred again when the file is written.

A bulk load (:class:`CopyWriter`, a file of at least ``BULK_LOAD_MIN_BYTES`` into an empty table): the
table's and its (empty) history table's indexes that back no constraint (the name, trigram, station and
area indexes; not the primary keys nor the unique business keys, which the upsert needs) are dropped when
the first chunk is written and built again, from their stored definitions, when the file is written, and
the table is analysed. Building an index over a million sorted rows costs a fraction of a million
inserts into it at random places (PostgreSQL's buffers do not hold the indexes of a large table). The
two tables' foreign keys are dropped as well and added again at the end: adding one checks every row in
one join, where each new row would fire a check of its own per key (about 3 µs each: 6 s for a million
customers' area and station). The DDL is part of the import's transaction: a refused file or an error
leaves the indexes and keys as they were. While a bulk load runs the table is locked (``DROP INDEX``
takes an exclusive lock), and so are the tables its foreign keys refer to (a customer's areas and
stations, a metering point's customers, a meter's metering points: ``DROP CONSTRAINT`` locks both
ends; the history's key to the users stays): readers of those tables wait for the import to commit. A bulk load is the first load of a
county's archive, before its users work in it.

Both writers produce the same rows and the same history (up to the time stamps and the surrogate ids);
``gridcheck/archive/tests/test_import_copy.py`` compares them.
"""

from __future__ import annotations

import logging
import operator
import struct
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone
from psycopg import postgres, pq
from psycopg.adapt import AdaptersMap, PyFormat, Transformer
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gridcheck.archive.importers.spec import CHANGE_REASON, Context


def _format_row(row, transformer: Transformer, out: bytearray) -> None:
    """Append ``row`` to ``out`` in ``COPY``'s binary format, from psycopg's public dumpers."""
    out += struct.pack(">h", len(row))
    for value in transformer.dump_sequence(row, [PyFormat.BINARY] * len(row)):
        out += b"\xff\xff\xff\xff" if value is None else struct.pack(">i", len(value)) + value


try:  # the same, in C: the function behind psycopg's ``Copy.write_row`` (not its public API)
    from psycopg._copy_base import format_row_binary
except ImportError:  # pragma: no cover - a psycopg without it
    format_row_binary = _format_row

#: Rows per INSERT/UPDATE statement inside a chunk (the ORM writer).
BATCH_SIZE = 2000

logger = logging.getLogger(__name__)

#: A file of at least this size [bytes] into an empty table is a bulk load (see the module docstring);
#: about 8,000 customers. Into an empty table the index builds at the end cost less than the inserts
#: into the indexes would from a few thousand rows on.
BULK_LOAD_MIN_BYTES = 1_000_000
#: ``maintenance_work_mem`` of the index builds of a bulk load (inside the import's transaction only).
BULK_LOAD_MAINTENANCE_WORK_MEM = "256MB"

#: A file that wrote at least this many rows analyses the table when it is written (autovacuum may
#: come much later; the lookups of the next file, and the pages, are planned on the statistics).
ANALYZE_MIN_ROWS = 10_000
#: ``COPY``'s binary format: the header (signature, flags, no extension) and the trailer. The rows are
#: staged in it (no text to format in Python nor to parse on the server), made by
#: :meth:`CopyWriter.prepare`.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"

_STAGE_NEW = "gridcheck_import_stage_new"
_STAGE_CHANGED = "gridcheck_import_stage_changed"


@dataclass
class Staged:
    """A chunk's rows made ready by :meth:`CopyWriter.prepare`: the data of the ``COPY`` of the new rows
    (their values in the staging table's order, without the id) and of the changed ones (file order, id,
    values), their numbers, and the names of the changed fields.

    psycopg's binary dumpers do not check an integer's range (70,000 as a ``smallint`` would be written
    as 4,464): the parsers refuse a number out of its field's range (``parsers.check_field``), and the
    other integers are ids read from the database.
    """

    new: bytes
    changed: bytes
    n_new: int
    n_changed: int
    names: list[str]


def _transformer(adapters, types: list[int]) -> Transformer:
    """A psycopg Transformer that dumps values as ``types`` (oids) in the binary format, with a copy of
    the connection's adapters and no connection (texts in UTF-8, Django's client encoding): the check
    thread makes the ``COPY`` data without touching the connection."""
    transformer = Transformer(AdaptersMap(adapters))
    transformer.set_dumper_types(types, pq.Format.BINARY)
    return transformer


_AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def writer_for(ctx: Context):
    """The writer of an import run: ``COPY`` (``ctx.use_copy``), set-based on SQLite (specs with
    ``bulk_copy``), else the ORM."""
    if ctx.use_copy:
        return CopyWriter(ctx)
    if ctx.spec.bulk_copy and connection.vendor == "sqlite":
        return SqliteWriter(ctx)
    return OrmWriter(ctx)


def copy_available(spec) -> bool:
    """Whether ``spec``'s rows can be written through ``COPY`` on the default database."""
    return bool(spec.bulk_copy) and connection.vendor == "postgresql"


class OrmWriter:
    """Writes each chunk at once through the ORM (``bulk_*_with_history``)."""

    def __init__(self, ctx: Context):
        self.spec = ctx.spec
        self.user = ctx.user
        self.reason = CHANGE_REASON.format(file_name=ctx.file_name)

    def add(self, creates: list[dict[str, Any]], updates: list, names: list[str]) -> None:
        """Write the new rows (``creates``: their fields, the resolver's own ``_`` names left out here)
        and the ``updates`` (changed objects, ``names`` their changed fields)."""
        spec = self.spec
        if creates:
            factory = spec.new_object or (lambda fields: spec.model(**fields))
            objs = [factory(_model_fields(fields)) for fields in creates]
            bulk_create_with_history(
                objs,
                spec.model,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )
        if updates:
            bulk_update_with_history(
                updates,
                spec.model,
                names,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=self.reason,
            )

    def finish(self) -> None:
        pass


def _model_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without the resolver's own values (names starting with ``_``)."""
    if any(name[0] == "_" for name in fields):
        return {k: v for k, v in fields.items() if not k.startswith("_")}
    return fields


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class _RowWriter:
    """What the set-based writers share: a new row's values as ``model(**fields)`` would hold them, and
    the history's columns."""

    def __init__(self, ctx: Context):
        spec = self.spec = ctx.spec
        model = spec.model
        meta = model._meta
        self.table = meta.db_table
        self.pk = meta.pk
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.now = timezone.now()
        self.reason = CHANGE_REASON.format(file_name=ctx.file_name)
        self.n_new = self.n_changed = 0
        self.apply_s = 0.0  # seconds in the set-based writes
        self.started = False
        self.file_bytes = ctx.file_bytes
        # (table, [(index name, CREATE INDEX statement)]) dropped for a bulk load, built again by finish()
        self.dropped_indexes: list[tuple[str, list[tuple[str, str]]]] = []
        # table: [(name, definition, the table it names)], the foreign keys dropped for a bulk load
        self.dropped_foreign_keys: dict[str, list[tuple[str, str, str]]] = {}
        # What a new row holds where the file gives no value: what ``model(**fields)`` would hold.
        self.auto_now = {
            f.attname
            for f in self.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        self.defaults: dict[str, Any] = {}
        self.callable_defaults: list = []
        for f in self.fields:
            if f.attname in self.auto_now:
                continue
            if f.has_default() and callable(f.default):
                self.callable_defaults.append(f)
            else:
                self.defaults[f.attname] = f.get_default()
        self.history = None
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True) and hasattr(model, "history"):
            history_model = model.history.model
            tracked = history_model.tracked_fields
            user = ctx.user or history_model.get_default_history_user(model())
            self.history = {
                "table": history_model._meta.db_table,
                # (column in the model's table, column in the history table)
                "columns": [(f.column, history_model._meta.get_field(f.name).column) for f in tracked],
                "user_id": getattr(user, "pk", None),
            }

    def _new_row(self, fields: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec
        if spec.new_object is not None and spec.new_values is None:
            obj = spec.new_object(_model_fields(fields))  # a derived column only the spec's factory knows
            return {
                f.attname: (self.now if f.attname in self.auto_now else getattr(obj, f.attname))
                for f in self.fields
            }
        row = dict(self.defaults)
        for f in self.callable_defaults:
            row[f.attname] = f.get_default()
        for name in self.auto_now:
            row[name] = self.now
        row.update(fields)
        if spec.new_values is not None:
            spec.new_values(row)
        return row

    def _history_insert(self, source: str, history_type: str, order: str) -> tuple[str, list]:
        if self.history is None:
            return "", []
        target = ", ".join(_q(h) for _c, h in self.history["columns"])
        values = ", ".join(_q(c) for c, _h in self.history["columns"])
        sql = (
            f"INSERT INTO {_q(self.history['table'])} ({target}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {values}, %s, %s, %s, %s FROM {source} ORDER BY {order}"
        )
        now = connection.ops.adapt_datetimefield_value(self.now)  # as the ORM writes it (SQLite: text)
        return sql, [now, self.reason, history_type, self.history["user_id"]]


class SqliteWriter(_RowWriter):
    """SQLite, specs with ``bulk_copy``: a chunk's new rows in one ``executemany`` and their history in
    one ``INSERT ... SELECT`` (the ORM's ``bulk_create`` spends most of a large import building its
    statements, a few rows each under SQLite's parameter limit); changed rows as :class:`OrmWriter`.

    A new row's id is SQLite's (``AUTOINCREMENT``: one above the largest the table ever had), so a
    chunk's rows, inserted while the transaction holds the database's write lock, are the last ids it
    gave, in file order.
    """

    #: Field types whose Python values SQLite takes as they are (the parsers give ``str``, ``int``,
    #: ``bool``, ``float`` or None); the others go through ``get_db_prep_save``.
    PLAIN = (
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.BooleanField,
        models.FloatField,
    )

    def __init__(self, ctx: Context):
        super().__init__(ctx)
        self.orm = OrmWriter(ctx)
        self.attnames = [f.attname for f in self.fields]
        self.prepare_of = [
            None if type(f) in self.PLAIN or (f.is_relation and type(f.target_field) in _AUTO_FIELDS) else f
            for f in self.fields
        ]
        table, pk = _q(self.table), _q(self.pk.column)
        columns = ", ".join(_q(f.column) for f in self.fields)
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"
        # the history of the chunk's new rows: those from the first id the chunk was given
        self.history_sql, self.history_params = self._history_insert(f"{table} WHERE {pk} >= %s", "+", pk)

    def _values(self, row: dict[str, Any]) -> list:
        return [
            value if field is None else field.get_db_prep_save(value, connection)
            for value, field in zip(map(row.__getitem__, self.attnames), self.prepare_of, strict=True)
        ]

    def add(self, creates: list[dict[str, Any]], updates: list, names: list[str]) -> None:
        if creates:
            new_row, values = self._new_row, self._values
            rows = [values(new_row(fields)) for fields in creates]
            with connection.cursor() as cursor:
                cursor.executemany(self.insert_sql, rows)
                if self.history_sql:
                    # The transaction holds SQLite's write lock from its first insert: the chunk's ids
                    # are the last len(rows) the table gave.
                    cursor.execute("SELECT last_insert_rowid()")
                    first = cursor.fetchone()[0] - len(rows) + 1
                    cursor.execute(self.history_sql, [*self.history_params, first])
        if updates:
            self.orm.add([], updates, names)

    def finish(self) -> None:
        pass


class CopyWriter(_RowWriter):
    """Stages the new and the changed rows of each chunk with ``COPY`` and writes them, with their
    history, in set-based statements (see the module docstring)."""

    def __init__(self, ctx: Context):
        super().__init__(ctx)

        # The types of the staged columns, in the COPY's order: each value is dumped as its column's
        # type by the Transformer of its staging table (used by one thread at a time).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [self.table],
            )
            types = dict(cursor.fetchall())
            adapters = cursor.connection.adapters
        new_types = [types[f.column] for f in self.fields]
        self.new_dumper = _transformer(adapters, new_types)
        self.changed_dumper = _transformer(
            adapters, [postgres.types["int4"].oid, types[self.pk.column], *new_types]
        )

    # -- staging ---------------------------------------------------------------------------------------

    def _start(self, cursor) -> None:
        columns = ", ".join(_q(f.column) for f in self.fields)
        pk = _q(self.pk.column)
        for stage, row_no in ((_STAGE_NEW, ""), (_STAGE_CHANGED, "0::integer AS row_no, ")):
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                f"SELECT {row_no}{pk}, {columns} FROM {_q(self.table)} WITH NO DATA"
            )
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk.column])
        sequence = cursor.fetchone()[0]
        # A new row's id is taken from the table's sequence as it is copied, in file order, as an
        # INSERT would take it.
        cursor.execute(
            f"ALTER TABLE {_STAGE_NEW} ALTER COLUMN {pk} SET DEFAULT nextval(%s::regclass)", [sequence]
        )
        self.started = True
        tables = [self.table] + ([self.history["table"]] if self.history else [])
        # The foreign keys of the written rows are checked by each chunk's INSERT (while the engine
        # checks the next chunk), not all at once at the end; finish() defers them again.
        cursor.execute(
            "SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'f' AND condeferred "
            f"AND conrelid IN ({', '.join(['%s::regclass'] * len(tables))}) ORDER BY 1",
            tables,
        )
        self.immediate = [name for (name,) in cursor.fetchall()]
        if self.immediate:
            cursor.execute(f"SET CONSTRAINTS {', '.join(self.immediate)} IMMEDIATE")
        if self.file_bytes >= BULK_LOAD_MIN_BYTES:
            for table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(table)})")
                if cursor.fetchone()[0]:
                    if table == self.table:
                        break  # not a bulk load: the table holds rows
                    continue  # the history of deleted rows: its indexes stay
                keys = self._foreign_keys(cursor, table)
                # ALTER TABLE needs no pending trigger events on the table nor on those its keys name.
                deferred = self._fire_pending_checks(cursor, [table, *(r for _n, _d, r in keys)])
                self._drop_indexes(cursor, table)
                # Each new row would fire a check of its own per foreign key (about 3 µs each); adding
                # the key again at the end checks every row in one join.
                for name, _definition, _referenced in keys:
                    cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {name}")
                self.dropped_foreign_keys[table] = keys
                kept = set(self.immediate) | {name for name, _d, _r in keys}  # immediate, or dropped
                deferred = [n for n in deferred if n not in kept]
                if deferred:
                    cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")

    @staticmethod
    def _foreign_keys(cursor, table: str) -> list[tuple[str, str, str]]:
        """(name, definition, the table it names) of each of ``table``'s foreign keys a bulk load drops:
        not the history's user, as dropping it would lock the users' table, and every page with it."""
        cursor.execute(
            "SELECT quote_ident(conname), pg_get_constraintdef(oid), confrelid::regclass::text "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
            "AND confrelid <> %s::regclass ORDER BY 1",
            [table, get_user_model()._meta.db_table],
        )
        return cursor.fetchall()

    def _fire_pending_checks(self, cursor, tables: list[str]) -> list[str]:
        """Make the pending checks of the foreign keys of ``tables`` and of those referencing them now;
        the keys to defer again. A table with pending trigger events (the deferred checks of rows
        written, or of rows that referenced deleted ones, earlier in the transaction) takes no
        ``ALTER TABLE`` nor ``CREATE INDEX``."""
        oids = ", ".join(["%s::regclass"] * len(tables))
        cursor.execute(
            "SELECT DISTINCT quote_ident(conname), condeferred FROM pg_constraint "
            f"WHERE (conrelid IN ({oids}) OR confrelid IN ({oids})) AND condeferrable ORDER BY 1",
            [*tables, *tables],
        )
        deferrable = cursor.fetchall()
        if deferrable:
            cursor.execute(f"SET CONSTRAINTS {', '.join(name for name, _d in deferrable)} IMMEDIATE")
        return [name for name, initially_deferred in deferrable if initially_deferred]

    def _drop_indexes(self, cursor, table: str) -> None:
        """Drop ``table``'s indexes that back no constraint, keeping their definitions."""
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {_q(name)}")
        self.dropped_indexes.append((table, indexes))

    def _rebuild_indexes(self, cursor) -> None:
        """Build the indexes a bulk load dropped again, then analyse the loaded tables."""
        started = time.perf_counter()
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, true)", [BULK_LOAD_MAINTENANCE_WORK_MEM]
        )
        for table, indexes in self.dropped_indexes:
            keys = self.dropped_foreign_keys.pop(table, [])
            deferred = self._fire_pending_checks(cursor, [table, *(r for _n, _d, r in keys)])
            # The foreign keys as they were; adding one checks every row (an error refuses the file).
            for name, definition, _referenced in keys:
                cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {name} {definition}")
            for _name, definition in indexes:
                cursor.execute(definition)
            if deferred:
                cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")
            cursor.execute(f"ANALYZE {_q(table)}")
        logger.info(
            "%s: bulk load, %s indexes built again in %.1f s",
            self.table,
            sum(len(indexes) for _t, indexes in self.dropped_indexes),
            time.perf_counter() - started,
        )
        self.dropped_indexes = []

    def prepare(self, creates: list[dict[str, Any]], updates: list, names: list[str]) -> Staged:
        """The rows of ``COPY`` of a chunk's new rows (their fields) and changed objects (``names`` their
        changed fields). Python only: the engine prepares the next chunk while the current one is
        written."""
        attnames = [f.attname for f in self.fields]
        # The values of a new row in the staging table's order (its id comes from the sequence there).
        values = operator.itemgetter(*attnames) if len(attnames) > 1 else lambda row: (row[attnames[0]],)
        new_row = self._new_row
        new = bytearray(_BINARY_HEADER)
        for fields in creates:
            format_row_binary(values(new_row(fields)), self.new_dumper, new)
        pk = self.pk.attname
        changed = bytearray(_BINARY_HEADER)
        for seq, obj in enumerate(updates):
            row = (seq, getattr(obj, pk), *(getattr(obj, name) for name in attnames))
            format_row_binary(row, self.changed_dumper, changed)
        return Staged(
            bytes(new + _BINARY_TRAILER) if creates else b"",
            bytes(changed + _BINARY_TRAILER) if updates else b"",
            len(creates),
            len(updates),
            names if updates else [],
        )

    def add(self, creates: list[dict[str, Any]], updates: list, names: list[str]) -> None:
        """Stage the chunk's new and changed rows with ``COPY``, then write them with their history."""
        self.write(self.prepare(creates, updates, names))

    def write(self, staged: Staged) -> None:
        """``COPY`` the prepared rows into the staging tables, then write them with their history."""
        if not staged.n_new and not staged.n_changed:
            return
        with connection.cursor() as cursor:
            if not self.started:
                self._start(cursor)
            columns = ", ".join(_q(f.column) for f in self.fields)
            # One buffer each, sent while the GIL is released (the check thread runs meanwhile).
            if staged.n_new:
                with cursor.cursor.copy(f"COPY {_STAGE_NEW} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(staged.new)
            if staged.n_changed:
                sql_columns = f"row_no, {_q(self.pk.column)}, {columns}"
                with cursor.cursor.copy(
                    f"COPY {_STAGE_CHANGED} ({sql_columns}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.write(staged.changed)
            started = time.perf_counter()
            self._apply(cursor, bool(staged.n_new), staged.names)
            self.apply_s += time.perf_counter() - started
        self.n_new += staged.n_new
        self.n_changed += staged.n_changed

    # -- the set-based writes --------------------------------------------------------------------------

    def _apply(self, cursor, new: bool, names: list[str]) -> None:
        """The staged rows into the table (and its history), then the staging tables emptied.

        The statements go to the server in one round trip: each wait for the server ends with this
        thread taking the GIL back from the check thread, up to the interpreter's switch interval
        (5 ms) each time."""
        table = _q(self.table)
        columns = ", ".join(_q(f.column) for f in self.fields)
        pk = _q(self.pk.column)
        statements, params = [], []
        if new:
            statements.append(
                f"INSERT INTO {table} ({pk}, {columns}) SELECT {pk}, {columns} FROM {_STAGE_NEW}"
            )
            history, history_params = self._history_insert(_STAGE_NEW, "+", pk)
            if history:
                statements.append(history)
                params += history_params
        if names:
            by_attname = {f.attname: f.column for f in self.fields}
            assignments = ", ".join(f"{_q(by_attname[n])} = s.{_q(by_attname[n])}" for n in names)
            statements.append(
                f"UPDATE {table} AS t SET {assignments} FROM {_STAGE_CHANGED} AS s WHERE t.{pk} = s.{pk}"
            )
            history, history_params = self._history_insert(_STAGE_CHANGED, "~", "row_no")
            if history:
                statements.append(history)
                params += history_params
        statements.append(f"TRUNCATE {_STAGE_NEW}, {_STAGE_CHANGED}")
        # Several statements in one execute: Django's psycopg cursors bind the parameters on the client.
        cursor.execute("; ".join(statements), params)

    def finish(self) -> None:
        if not self.started:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE_NEW}, {_STAGE_CHANGED}")
            if self.dropped_indexes:
                self._rebuild_indexes(cursor)  # the foreign keys too, and analyses the tables
            elif self.n_new + self.n_changed >= ANALYZE_MIN_ROWS:
                # The next file's lookups (a metering point's customer) are planned on fresh statistics.
                cursor.execute(f"ANALYZE {_q(self.table)}")
            if self.immediate:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self.immediate)} DEFERRED")
        self.started = False
        logger.info(
            "%s: %s new and %s changed rows written from the staging tables in %.1f s",
            self.table,
            self.n_new,
            self.n_changed,
            self.apply_s,
        )
