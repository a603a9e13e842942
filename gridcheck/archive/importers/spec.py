"""How an entity is imported (:class:`Spec`, its :class:`Column` s) and what one run carries
(:class:`Context`), with the helpers the entity modules share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from gridcheck.archive.importers.errors import CellProblem, RowError, TooManyErrors
from gridcheck.archive.importers.parsers import parse_text
from gridcheck.core.roles import IMPORT

#: The change reason that the audit trail records for every row an import writes.
CHANGE_REASON = "导入 {file_name}"


@dataclass(frozen=True)
class Column:
    """One column of an entity: canonical English ``name``, Chinese ``aliases`` (the first is written
    by exports and templates), whether it is ``required`` and how a cell is parsed."""

    name: str
    aliases: tuple[str, ...]
    required: bool = False
    parse: Callable[[Any], Any] = parse_text
    field: str | None = None  # model attname filled directly; None: the spec's resolver handles it
    export: bool = True
    example: Any = ""

    @property
    def header(self) -> str:
        return self.aliases[0]


@dataclass
class Spec:
    """How one entity is imported: its columns, business key, resolver and exporter.

    An app registers each of its specs in ``gridcheck.core.registries.imports`` (with its place in the
    load order) and in ``gridcheck.core.registries.exports``.
    """

    entity: str
    model: type[models.Model]
    label: Any
    columns: list[Column]
    key_fields: tuple[str, ...]  # model attnames of the business key
    resolve: Callable  # (ctx, values, row_no) -> (key, fields); raises CellProblem
    export_row: Callable  # obj -> list of values in export-column order
    prefetch: Callable | None = None  # (ctx, [values]) -> None: load the parents a chunk needs
    check_existing: Callable | None = None  # (ctx, obj) -> None or raise CellProblem
    check_change: Callable | None = None  # (obj, fields) -> None or raise CellProblem: a refused change
    after_apply: Callable | None = None  # (obj) -> list of extra changed fields
    new_object: Callable | None = None  # (fields) -> unsaved instance; default model(**fields)
    # (row) -> None: fill the derived columns of a new row, every column given (the COPY path's
    # ``new_object``; without it that path calls ``new_object`` for each new row)
    new_values: Callable | None = None
    existing_related: tuple[str, ...] = ()  # select_related of the existing rows (check_existing)
    export_related: tuple[str, ...] = ()
    required_any: tuple[tuple[str, ...], ...] = ()
    county_only: bool = False
    needs_capability: str = IMPORT
    station_lookup: str | None = None  # lookup of the station's code (exports by station); None: none
    # On PostgreSQL the new and changed rows go through COPY and a set-based upsert (``writers``).
    bulk_copy: bool = False

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Context:
    """Everything one import run needs: the user's scope, parent caches and the errors so far."""

    spec: Spec
    file_name: str
    user: Any
    station_id: int | None  # None: no station restriction
    max_errors: int
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    header_names: dict[str, str] = field(default_factory=dict)  # canonical name -> header in the file
    cache: dict[str, Any] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    use_copy: bool = False  # write through COPY and a set-based upsert (PostgreSQL, ``spec.bulk_copy``)
    file_bytes: int = 0  # the file's size [bytes] (the COPY writer's choice of a bulk load)
    writer: Any = None  # set by the engine: ``writers.OrmWriter`` or ``writers.CopyWriter``

    def error(self, row: int | None, column: str | None, reason: str) -> None:
        header = self.header_names.get(column, column) if column else None
        self.errors.append(RowError(self.file_name, row, header, str(reason)))
        if len(self.errors) >= self.max_errors:
            self.truncated = True
            raise TooManyErrors

    def in_scope(self, station_id: int | None) -> bool:
        return self.station_id is None or station_id == self.station_id

    def require_scope(self, station_id: int | None, column: str | None = None) -> None:
        if not self.in_scope(station_id):
            raise CellProblem(_("not in your station"), column)


#: Joins the keys of :func:`key_in` into one text (the ASCII unit separator: no code holds it).
KEY_SEPARATOR = "\x1f"


def key_in(name: str, values) -> models.Q:
    """``Q(name__in=values)``; on PostgreSQL a list of texts is sent as one parameter (a chunk of 5,000
    keys is then one value to bind, not 5,000): one text split on the server where no key is empty nor
    holds ``KEY_SEPARATOR`` (psycopg's array of texts costs microseconds a key), else an array."""
    values = list(values)
    if connection.vendor == "postgresql" and values and all(type(v) is str for v in values):
        joined = KEY_SEPARATOR.join(values)
        if all(values) and joined.count(KEY_SEPARATOR) == len(values) - 1:
            return models.Q(
                **{f"{name}__in": RawSQL("SELECT unnest(string_to_array(%s, %s))", (joined, KEY_SEPARATOR))}
            )
        return models.Q(**{f"{name}__in": RawSQL("SELECT unnest(%s::text[])", (values,))})
    return models.Q(**{f"{name}__in": values})


def copy_plain(spec: Spec, values: dict[str, Any], fields: dict[str, Any]) -> None:
    """Copy the values of the columns that fill a model field directly."""
    plain = spec.__dict__.get("_plain_columns")
    if plain is None:  # (column name, model attname) of each such column, found once per spec
        plain = spec.__dict__["_plain_columns"] = tuple((c.name, c.field) for c in spec.columns if c.field)
    for name, attname in plain:
        if name in values:
            fields[attname] = values[name]


def lookup(ctx: Context, cache_name: str, code: str, column: str, reason: str):
    """The parent ``code`` from the prefetched ``ctx.cache[cache_name]``, or CellProblem(reason)."""
    found = ctx.cache[cache_name].get(code)
    if found is None:
        raise CellProblem(reason % {"code": code}, column)
    return found


def check_existing_station_scope(ctx: Context, obj) -> None:
    """An existing row of another station may not be changed by a station user."""
    if not ctx.in_scope(obj.station_id):
        raise CellProblem(_("not in your station"))
