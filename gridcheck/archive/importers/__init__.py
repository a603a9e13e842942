"""Archive import: CSV and XLSX files with Chinese (or English) headers, one spec per entity.

A file is read, checked and written in **one transaction**: every row is parsed and resolved against
its parents (prefetched into dicts, chunk by chunk, never a query per row), rows are upserted by their
business key with ``bulk_create_with_history`` / ``bulk_update_with_history`` (on PostgreSQL, for
customers, metering points and meters: ``COPY`` into a staging table and set-based writes of the rows
and their history) so that the audit trail records the importing user and a change reason ``导入 <file>``. Any error (file-level or row-level)
rolls everything back; the errors are kept on a failed :class:`ImportBatch` and raised as
:class:`ImportRejected`.

The machinery:

- ``errors``: :class:`RowError`, :class:`ImportRejected`, and :class:`CellProblem` for parsers/resolvers;
- ``parsers``: cell values (numbers, dates, yes/no, choices, ratios, identifiers);
- ``spec``: :class:`Column`, :class:`Spec`, the run's :class:`Context` and shared resolver helpers;
- ``files``: file kind, CSV encoding and delimiter, rows of CSV and XLSX;
- ``engine``: header row, row parsing, chunked resolve/check/upsert;
- ``writers``: the writes of the checked rows (the ORM, or PostgreSQL ``COPY`` and a set-based upsert);
- ``batches``: :func:`import_file` (limits, permission, transaction, the :class:`ImportBatch` record).

One module per archive entity (``stations``, ``lines``, ``areas``, ``tariffs``, ``customers``,
``metering_points``, ``meters``) holds its ``SPEC``; staff and qualifications are in
``gridcheck.users.importers``. The apps register their specs, with the load order, in
``gridcheck.core.registries.imports`` (and ``exports``): that registry is the list of importable
entities. The expected headers and value formats are documented in ``docs/import-formats.md``.
"""

from gridcheck.archive.importers.batches import import_file
from gridcheck.archive.importers.errors import CellProblem, ImportRejected, RowError
from gridcheck.archive.importers.parsers import (
    cell_text,
    choice_export,
    choice_parser,
    parse_code,
    parse_date,
    parse_username,
)
from gridcheck.archive.importers.spec import CHANGE_REASON, Column, Context, Spec, copy_plain, lookup

__all__ = [
    "CHANGE_REASON",
    "CellProblem",
    "Column",
    "Context",
    "ImportRejected",
    "RowError",
    "Spec",
    "cell_text",
    "choice_export",
    "choice_parser",
    "copy_plain",
    "import_file",
    "lookup",
    "parse_code",
    "parse_date",
    "parse_username",
]
