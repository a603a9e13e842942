"""The engine of one import run: find the header row, parse each row with its spec's columns, and
resolve, check and upsert the rows chunk by chunk (one lookup query and one bulk write per chunk), the
history recording the importing user and the change reason ``导入 <file>``. What is new or changed is
decided here, in Python, with every row-level error; :mod:`~gridcheck.archive.importers.writers` writes
it (through the ORM, or on PostgreSQL through ``COPY``: a reader thread parses ahead, and a check thread
checks chunk k while chunk k - 1 is written, see :func:`_check_while_writing`).

Nothing here decides whether the run is written: :func:`run` only collects errors in the
:class:`~gridcheck.archive.importers.spec.Context`; :mod:`~gridcheck.archive.importers.batches` rolls
the transaction back when there are any.
"""

from __future__ import annotations

import dataclasses
import datetime
import queue
import re
import threading
from collections.abc import Iterable, Iterator
from concurrent import futures
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcheck.archive.importers.errors import CellProblem, FileProblem
from gridcheck.archive.importers.files import is_blank
from gridcheck.archive.importers.parsers import FULLWIDTH, cell_text, check_field
from gridcheck.archive.importers.spec import Column, Context, Spec, key_in
from gridcheck.archive.importers.writers import writer_for

#: Rows parsed, resolved and written together (one lookup query and one bulk write per chunk).
CHUNK_ROWS = 5000
#: The header row is looked for among this many first rows (a merged title row may come first).
HEADER_SEARCH_ROWS = 10


def _norm_header(text: Any) -> str:
    text = cell_text(text).replace("\ufeff", "").translate(FULLWIDTH)
    return re.sub(r"\s+", "", text).rstrip("*").lower()


def _find_header(ctx: Context, rows: Iterator[tuple[int, list]]) -> tuple[int, list, dict[int, Column]]:
    """Find the header row among the first rows: the one matching most known headers."""
    spec = ctx.spec
    known: dict[str, Column] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            known.setdefault(_norm_header(alias), column)
    best = None
    seen_any = False
    buffered: list[tuple[int, list]] = []
    for number, row in rows:
        buffered.append((number, row))
        if any(not is_blank(v) for v in row):
            seen_any = True
        matches = sum(1 for v in row if _norm_header(v) in known)
        if matches and (best is None or matches > best[2]):
            best = (number, row, matches)
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if not seen_any:
        raise FileProblem(_("the file is empty"))
    if best is None:
        expected = "、".join(c.header for c in spec.columns if c.required)
        raise FileProblem(
            _(
                "no known column headers found in the first %(n)s rows (expected e.g. %(expected)s); "
                "check the entity chosen and the file's encoding"
            )
            % {"n": HEADER_SEARCH_ROWS, "expected": expected}
        )
    number, row, _matches = best
    mapping: dict[int, Column] = {}
    where: dict[str, int] = {}
    problems = []
    for index, value in enumerate(row):
        column = known.get(_norm_header(value))
        if column is None:
            continue
        if column.name in where:
            problems.append(
                FileProblem(
                    _("column appears twice (columns %(a)s and %(b)s)")
                    % {"a": column_letter(where[column.name]), "b": column_letter(index)},
                    number,
                    cell_text(value),
                )
            )
            continue
        where[column.name] = index
        mapping[index] = column
        ctx.header_names[column.name] = cell_text(value)
    for column in spec.columns:
        if column.required and column.name not in where:
            problems.append(
                FileProblem(
                    _("required column 「%(header)s」 (%(name)s) is missing")
                    % {"header": column.header, "name": column.name}
                )
            )
    for group in spec.required_any:
        if not any(name in where for name in group):
            names = " / ".join(f"「{spec.column(n).header}」" for n in group)
            problems.append(FileProblem(_("one of the columns %(names)s is required") % {"names": names}))
    for problem in problems:
        ctx.error(problem.row, problem.column, problem.reason)
    # Rows read past the header while searching are data rows: hand them back.
    ctx.cache["_buffered"] = [(n, r) for n, r in buffered if n > number]
    return number, row, mapping


#: A column's parsed values are remembered for this many distinct cells (categories, dates, codes of
#: parents repeat; an account number does not): the same text always parses to the same value.
MEMO_CELLS = 20_000
_MEMO_TYPES = frozenset({str, int, bool, Decimal, datetime.date, type(None), tuple})
_MISSING = object()


def _parse_row(ctx: Context, number: int, row: list, mapping: dict[int, Column], header_row: list, error):
    """The values of one row, or None when a cell is refused (each problem given to ``error``)."""
    values: dict[str, Any] = {}
    ok = True
    plan = ctx.cache.get("_parse_plan")
    if plan is None:  # (cell index, column, its name, its remembered cells) of each mapped column
        plan = ctx.cache["_parse_plan"] = [(i, c, c.name, {}) for i, c in mapping.items()]
    width = len(row)
    for index, column, name, memo in plan:
        raw = row[index] if index < width else None
        text = type(raw) is str
        if text:
            value = memo.get(raw, _MISSING)
            if value is not _MISSING:
                values[name] = value
                continue
        if is_blank(raw):
            if column.required:
                error(number, column.name, _("a value is required"))
                ok = False
            else:
                values[column.name] = _empty_value(ctx.spec, column)
            continue
        try:
            value = column.parse(raw)
            if column.field:
                value = check_field(ctx.spec.model, column.field, value)
            values[column.name] = value
        except CellProblem as problem:
            error(number, problem.column or column.name, problem.reason)
            ok = False
            continue
        if text and len(memo) < MEMO_CELLS and type(value) in _MEMO_TYPES:
            memo[raw] = value
    # A header cell merged across several columns leaves data under an empty header.
    for index in range(len(header_row), width) if width > len(header_row) else ():
        if not is_blank(row[index]) and index not in ctx.cache.setdefault("_reported_cols", set()):
            ctx.cache["_reported_cols"].add(index)
            error(number, None, _unnamed_column_reason(index))
            ok = False
    return values if ok else None


def _unnamed_column_reason(index: int) -> str:
    return _(
        "column %(letter)s holds data but has no header (a merged header cell?); give every data column its own header"
    ) % {"letter": column_letter(index)}


def _empty_value(spec: Spec, column: Column) -> Any:
    if column.field is None:
        return None
    model_field = spec.model._meta.get_field(column.field)
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    return "" if isinstance(model_field, models.CharField) else None


def _key_filter(spec: Spec, keys: list[tuple]) -> models.Q:
    if len(spec.key_fields) == 1:
        return key_in(spec.key_fields[0], [k[0] for k in keys])
    first = spec.key_fields[0]
    return models.Q(**{f"{first}__in": {k[0] for k in keys}})


def _flush(ctx: Context, chunk: list[tuple[int, dict]], seen: dict[tuple, int]) -> None:
    """Resolve, check and (when the file has no errors so far) write one chunk of parsed rows."""
    if not chunk:
        return
    if ctx.spec.prefetch:
        ctx.spec.prefetch(ctx, [values for _n, values in chunk])
    writes = _check(ctx, chunk, seen, lambda keys: _existing(ctx.spec, keys))
    if writes is not None:
        ctx.writer.add(*writes)


def _existing(spec: Spec, keys: list[tuple]) -> dict[tuple, models.Model]:
    """The rows of ``spec``'s table with these business keys, by key."""
    queryset = spec.model._default_manager.filter(_key_filter(spec, keys))
    if spec.existing_related:
        queryset = queryset.select_related(*spec.existing_related)
    return {tuple(getattr(obj, f) for f in spec.key_fields): obj for obj in queryset}


def _check(ctx: Context, chunk: list[tuple[int, dict]], seen: dict[tuple, int], existing_of) -> tuple | None:
    """Resolve and check one chunk of parsed rows: what to write, ``(creates, updates, changed field
    names)``, or None when the file has errors (every row is still checked, nothing is to be written).
    ``existing_of(keys)``: the existing rows with these business keys, by key."""
    spec = ctx.spec
    items: list[tuple[int, tuple, dict]] = []
    for number, values in chunk:
        try:
            key, fields = spec.resolve(ctx, values, number)
        except CellProblem as problem:
            ctx.error(number, problem.column, problem.reason)
            continue
        first = seen.get(key)
        if first is not None:
            key_header = "、".join(ctx.header_names.get(n, n) for n in _key_columns(spec))
            ctx.error(
                number,
                _key_columns(spec)[0],
                _('duplicate %(key)s "%(value)s": also in row %(other)s')
                % {"key": key_header, "value": " / ".join(cell_text(k) for k in key), "other": first},
            )
            continue
        seen[key] = number
        items.append((number, key, fields))
    if not items:
        return None
    existing = existing_of([k for _n, k, _f in items])
    creates, updates, changed_fields = [], [], set()
    for number, key, fields in items:
        obj = existing.get(key)
        if obj is None:
            creates.append(fields)
            continue
        try:
            if spec.check_existing:
                spec.check_existing(ctx, obj)
            if spec.check_change:
                spec.check_change(obj, fields)
        except CellProblem as problem:
            ctx.error(number, problem.column, problem.reason)
            continue
        changed = [
            name for name, value in fields.items() if not name.startswith("_") and getattr(obj, name) != value
        ]
        for name in changed:
            setattr(obj, name, fields[name])
        if spec.after_apply:
            changed += spec.after_apply(obj)
        if changed:
            updates.append(obj)
            changed_fields.update(changed)
        else:
            ctx.unchanged += 1
    if ctx.errors:
        return None  # the file will be refused: keep checking, write nothing more
    if updates and any(f.name == "updated_at" for f in spec.model._meta.fields):
        now = timezone.now()
        for obj in updates:
            obj.updated_at = now
        changed_fields.add("updated_at")
    ctx.created += len(creates)
    ctx.updated += len(updates)
    # The resolver's own values (names starting with "_") are left out by the writer.
    return creates, updates, sorted(changed_fields)


def _key_columns(spec: Spec) -> list[str]:
    by_field = {c.field: c.name for c in spec.columns if c.field}
    return [by_field.get(f, f) for f in spec.key_fields]


def run(ctx: Context, rows: Iterator[tuple[int, list]]) -> int:
    """Check every row and, when the file has no error, write it (with ``COPY`` where ``ctx.use_copy``);
    the number of data rows."""
    ctx.writer = writer_for(ctx)
    header_number, header_row, mapping = _find_header(ctx, rows)
    if ctx.errors:
        return 0
    while header_row and is_blank(header_row[-1]):
        header_row = header_row[:-1]
    # Empty header cells between named ones: data under them is reported (merged header cells).
    unnamed = {i for i, v in enumerate(header_row) if is_blank(v)}
    seen: dict[tuple, int] = {}

    def all_rows() -> Iterable[tuple[int, list]]:
        yield from ctx.cache.pop("_buffered")
        yield from rows

    chunks = _parsed_chunks(ctx, all_rows(), mapping, header_row, unnamed)
    key_columns = _file_key_columns(ctx.spec)
    if ctx.use_copy:
        # Parse the next chunk while this one is checked and written (the database works meanwhile).
        chunks = _read_ahead(chunks)
    total = 0
    try:
        if ctx.use_copy and key_columns is not None:
            total = _check_while_writing(ctx, chunks, seen, key_columns)
        else:
            for chunk, errors, rows_read, problem in chunks:
                total = rows_read
                for number, column, reason in errors:
                    ctx.error(number, column, reason)
                if problem is not None:
                    raise problem
                _flush(ctx, chunk, seen)
    finally:
        chunks.close()  # stops the reader thread at once when the run stops early
    if total == 0:
        ctx.error(None, None, _("the file has a header row but no data rows"))
    if not ctx.errors:
        ctx.writer.finish()
    return total


def _file_key_columns(spec: Spec) -> tuple[str, ...] | None:
    """The names of the required columns that fill the business key's fields directly (the key of a
    parsed row before it is resolved), or None where a key field has no such column."""
    by_field = {c.field: c for c in spec.columns if c.field}
    columns = [by_field.get(f) for f in spec.key_fields]
    if all(c is not None and c.required for c in columns):
        return tuple(c.name for c in columns)
    return None


def _check_while_writing(
    ctx: Context, chunks: Iterator, seen: dict[tuple, int], key_columns: tuple[str, ...]
) -> int:
    """The ``COPY`` path's loop; the number of data rows.

    Chunk k is resolved and checked, and its rows made ready for ``COPY``, in a thread (:func:`_check`
    and ``CopyWriter.prepare``: Python only, no query) while this thread writes chunk k - 1
    (``CopyWriter.write``: ``COPY`` and the set-based writes) and then makes the queries that chunk
    k + 1's check needs: its parents (``spec.prefetch``, into a copy of the context's cache) and its
    existing rows (by the keys as the file gives them, ``key_columns``; none where the table was empty).
    psycopg lets the other threads run while this one waits for the server. The check thread has the
    context to itself while it runs: this one records the next chunk's parse errors and its parents
    once it is done, so the errors are the same, in the same order, as on the other paths.
    """
    spec = ctx.spec
    language = translation.get_language()
    # Into a table that is empty when the file starts (a first load), a row exists only where the file
    # repeats its key, which ``seen`` finds: no lookup of existing rows.
    empty = not spec.model._default_manager.exists()

    def look_up(chunk: list[tuple[int, dict]]) -> tuple[dict, set[tuple], dict]:
        fetched = dataclasses.replace(ctx, cache=dict(ctx.cache))
        if spec.prefetch:
            spec.prefetch(fetched, [values for _n, values in chunk])
        cache = {name: value for name, value in fetched.cache.items() if ctx.cache.get(name) is not value}
        keys = {tuple(values[name] for name in key_columns) for _n, values in chunk}
        return cache, keys, ({} if empty else _existing(spec, list(keys)))

    total = 0
    with futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-check") as pool:
        checked = None  # the check of the chunk before, running in the thread
        for chunk, errors, rows_read, problem in chunks:
            found = look_up(chunk) if chunk else None
            ready = checked.result() if checked is not None else None  # the chunk before, to write
            checked = None
            total = rows_read
            for number, column, reason in errors:
                ctx.error(number, column, reason)
            if problem is not None:
                raise problem
            if found is not None:
                cache, keys, existing = found
                ctx.cache.update(cache)
                checked = pool.submit(_check_in_thread, ctx, chunk, seen, keys, existing, language)
            if ready is not None:
                ctx.writer.write(ready)
        ready = checked.result() if checked is not None else None
        if ready is not None:
            ctx.writer.write(ready)
    return total


def _check_in_thread(ctx: Context, chunk, seen, keys: set[tuple], existing: dict, language: str | None):
    """:func:`_check` and ``CopyWriter.prepare`` of one chunk, in the check thread: the rows ready to be
    written, or None."""

    def existing_of(resolved: list[tuple]) -> dict:
        if not keys.issuperset(resolved):
            raise RuntimeError(f"{ctx.spec.entity}: a resolved business key differs from the file's")
        return existing

    try:
        with translation.override(language), connection.execute_wrapper(_no_query):
            writes = _check(ctx, chunk, seen, existing_of)
            return None if writes is None else ctx.writer.prepare(*writes)
    finally:
        connection.close()  # had a query opened a connection of this thread's own


def _no_query(execute, sql, params, many, context):
    raise RuntimeError("the import's check thread makes no query: its connection is not the import's")


def _parsed_chunks(
    ctx: Context,
    rows: Iterable[tuple[int, list]],
    mapping: dict[int, Column],
    header_row: list,
    unnamed: set[int],
) -> Iterator[tuple[list[tuple[int, dict]], list[tuple], int, Exception | None]]:
    """The parsed rows, ``CHUNK_ROWS`` at a time, each chunk with the errors of the rows read for it
    (recorded by the caller, in order), the number of data rows so far and, last, the problem that
    stopped the reading (raised by the caller after the errors before it)."""
    chunk: list[tuple[int, dict]] = []
    errors: list[tuple] = []
    total = 0

    def error(number, column, reason):
        errors.append((number, column, reason))

    try:
        for number, row in rows:
            # Most rows start with a text (CSV): they are not blank, and need no look at every cell.
            if not (row and type(row[0]) is str and row[0].strip()) and all(is_blank(v) for v in row):
                continue
            total += 1
            bad_unnamed = [i for i in unnamed if i < len(row) and not is_blank(row[i])]
            if bad_unnamed:
                reported = ctx.cache.setdefault("_reported_cols", set())
                for index in bad_unnamed:
                    if index not in reported:
                        reported.add(index)
                        error(number, None, _unnamed_column_reason(index))
                continue
            values = _parse_row(ctx, number, row, mapping, header_row, error)
            if values is not None:
                chunk.append((number, values))
            if len(chunk) >= CHUNK_ROWS:
                yield chunk, errors, total, None
                chunk, errors = [], []
    except FileProblem as problem:
        yield [], errors, total, problem
        return
    yield chunk, errors, total, None


_DONE = object()


def _read_ahead(items: Iterator, depth: int = 2) -> Iterator:
    """``items``, produced by a thread up to ``depth`` items ahead of the caller: the parsing (Python)
    overlaps the caller's waits for the database. The thread speaks the caller's language; it stops
    when the caller does (an error limit reached, an exception)."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language):
                for item in items:
                    if not put((item, None)):
                        return
        except BaseException as exc:  # handed to the caller, raised there
            put((None, exc))
            return
        finally:
            items.close()
        put((_DONE, None))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = handoff.get()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join()


def column_letter(index: int) -> str:
    """The spreadsheet letters of the 0-based column ``index`` (A, ..., Z, AA, ...), past XFD too."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
