"""``import_file``: one file of one entity, checked and written in one transaction, and recorded as an
:class:`~gridcheck.archive.models.ImportBatch` (succeeded, or failed with every error).

The file is refused before it is read when it is too large or the user may not import the entity; then
its SHA-256, kind and encoding are taken, and the engine runs inside a transaction that is rolled back
on any error.
"""

from __future__ import annotations

import hashlib
import pathlib
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gridcheck.archive.importers.engine import run
from gridcheck.archive.importers.errors import FileProblem, ImportRejected, RowError, TooManyErrors
from gridcheck.archive.importers.files import csv_rows, detect_encoding, file_kind, xlsx_rows
from gridcheck.archive.importers.spec import Context, Spec
from gridcheck.archive.importers.writers import copy_available
from gridcheck.archive.models import ImportBatch
from gridcheck.core.registries import imports
from gridcheck.core.roles import has_capability
from gridcheck_analytics.memory import gc_paused


def _user_station_id(user) -> int | None:
    if user is None or user.is_superuser:
        return None
    return user.station_id


def import_file(
    *,
    entity: str,
    path: pathlib.Path,
    user=None,
    max_bytes: int | None = None,
    file_name: str | None = None,
    use_copy: bool | None = None,
) -> ImportBatch:
    """Import one CSV or XLSX file of ``entity`` (a key of ``gridcheck.core.registries.imports``) in one
    transaction; see the module docstring.

    ``use_copy``: write the new and changed rows through PostgreSQL ``COPY`` and a set-based upsert
    (``writers.CopyWriter``); ``None`` (the default) where the database and the entity allow it, ``False``
    row by row through the ORM (the path SQLite always takes), ``True`` or ``ValueError``.

    Returns the saved, succeeded :class:`ImportBatch`; raises :class:`ImportRejected` (with the saved,
    failed batch) on any error, having written nothing else. ``user=None`` is a system import.
    """
    if entity not in imports:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(imports.names())}")
    path = pathlib.Path(path)
    spec = imports[entity]
    if use_copy is None:
        use_copy = copy_available(spec)
    elif use_copy and not copy_available(spec):
        raise ValueError(f"{entity} cannot be imported through COPY on this database")
    file_name = file_name or path.name
    max_bytes = settings.GRIDCHECK_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    started = time.monotonic()
    ctx = Context(
        spec=spec,
        file_name=file_name,
        user=user,
        station_id=_user_station_id(user),
        max_errors=max(int(settings.GRIDCHECK_IMPORT_MAX_ERRORS), 1),
        use_copy=use_copy,
    )
    batch = ImportBatch(
        entity=entity,
        file_name=file_name[:255],
        started_by=user if user is not None and user.pk else None,
        station_id=getattr(user, "station_id", None) if user is not None else None,
    )
    total = 0
    try:
        total = _import_checked(ctx, spec, path, max_bytes, batch)
    except TooManyErrors:
        pass
    except FileProblem as problem:
        ctx.errors.append(RowError(file_name, problem.row, problem.column, str(problem.reason)))
    batch.duration_s = round(time.monotonic() - started, 3)
    if not ctx.errors:
        batch.save(update_fields=["duration_s"])
        return batch
    batch.rows_total = total
    batch.status = ImportBatch.Status.FAILED
    batch.errors = [e.as_dict() for e in ctx.errors]
    batch.rows_created = batch.rows_updated = batch.rows_unchanged = 0
    batch.save()
    raise ImportRejected(ctx.errors, batch, truncated=ctx.truncated)


class _Rollback(Exception):
    pass


def _import_checked(ctx: Context, spec: Spec, path: pathlib.Path, max_bytes: int, batch: ImportBatch) -> int:
    if not path.is_file():
        raise FileProblem(_("file not found"))
    size = path.stat().st_size
    batch.size_bytes = ctx.file_bytes = size
    if size > max_bytes:
        raise FileProblem(
            _(
                "the file is %(size)s bytes (%(size_h)s), larger than the limit of %(limit)s bytes (%(limit_h)s)"
            )
            % {
                "size": size,
                "size_h": filesizeformat(size),
                "limit": max_bytes,
                "limit_h": filesizeformat(max_bytes),
            }
        )
    if ctx.user is not None:
        if not has_capability(ctx.user, spec.needs_capability):
            raise FileProblem(_("you are not allowed to import %(entity)s") % {"entity": spec.label})
        if spec.county_only and ctx.station_id is not None:
            raise FileProblem(_("only county-level staff may import %(entity)s") % {"entity": spec.label})
    if size == 0:
        raise FileProblem(_("the file is empty"))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    batch.sha256 = digest.hexdigest()
    kind = file_kind(path)
    if kind == "xlsx":
        batch.encoding = "XLSX"
        rows = xlsx_rows(path)
    else:
        codec, batch.encoding = detect_encoding(path)
        rows = csv_rows(path, codec)
    total = 0
    try:
        with transaction.atomic():
            try:
                with gc_paused():  # a dictionary per row, no cycles: the collector took a fifth of the CPU
                    total = run(ctx, rows)
            except DatabaseError as exc:
                ctx.errors.append(
                    RowError(
                        ctx.file_name,
                        None,
                        None,
                        _("the database refused the data: %(error)s") % {"error": exc},
                    )
                )
            if ctx.errors:
                raise _Rollback
            batch.status = ImportBatch.Status.SUCCEEDED
            batch.rows_created, batch.rows_updated, batch.rows_unchanged = (
                ctx.created,
                ctx.updated,
                ctx.unchanged,
            )
            batch.rows_total = total
            batch.duration_s = 0
            batch.save()
    except _Rollback:
        pass
    return total
