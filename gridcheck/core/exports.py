"""XLSX exports of lists, and the import templates (header + example row).

Every list page exports what it shows, filtered and sorted as shown (``ScopedListView``): a list of an
import entity with the import headers, so that an export re-imports unchanged (``export_xlsx``); any
other list with its table's columns (``table_xlsx_response``). Rows are read from the database in chunks
and written by openpyxl's write-only workbook (rows go to a temporary file, not to memory): an export
of 100,000 rows holds no more than one chunk of records and the compressed file in memory
(``benchmarks/export_bench.py`` prints the time and the peak memory).

The entities are the specs that apps register in ``gridcheck.core.registries.exports`` (an object with
``export_columns`` — each with ``header`` and ``example`` —, ``export_related`` and ``export_row(obj)``).
The caller scopes the queryset (``gridcheck.core.scoping.scope_queryset``); this module only writes.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written as a text cell, never as a formula: a customer named ``=HYPERLINK(...)``
exports as those characters and re-imports unchanged.
"""

import datetime
import io
from decimal import Decimal

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gridcheck.core.registries import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_ITERATOR_CHUNK = 2000
#: The most rows one list export writes; a longer list is refused with a message asking for a filter.
EXPORT_MAX_ROWS = 200_000
#: Table columns that are controls, never data.
_CONTROL_COLUMNS = frozenset({"actions", "select", "selection"})
_YES, _NO = gettext_lazy("Yes"), gettext_lazy("No")


def _cell_value(value):
    """What goes into a cell: numbers as numbers, dates as dates, text as text (account numbers stay text)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones: Asia/Shanghai
    if isinstance(value, Decimal | int | float | datetime.date):
        return value
    return str(value)


def _sheet(workbook: Workbook, entity: str):
    return _sheet_with_header(workbook, entity, [column.header for column in exports[entity].export_columns])


def _sheet_with_header(workbook: Workbook, title: str, headers: list[str]):
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"
    row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        row.append(cell)
    sheet.append(row)
    return sheet


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return (cleaned or "Sheet")[:31]


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _date_cells(sheet, values):
    row = []
    for value in values:
        value = _cell_value(value)
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, never a formula
            row.append(cell)
        elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        else:
            row.append(value)
    return row


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _entity_workbook(entity: str, queryset) -> Workbook:
    spec = exports[entity]
    if spec.export_related:
        queryset = queryset.select_related(*spec.export_related)
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, entity)
    for obj in queryset.iterator(chunk_size=_ITERATOR_CHUNK):
        sheet.append(_date_cells(sheet, spec.export_row(obj)))
    return workbook


def export_xlsx(entity: str, queryset) -> bytes:
    """The rows of ``queryset`` as an XLSX workbook whose headers are the spec's Chinese headers."""
    return _bytes(_entity_workbook(entity, queryset))


def template_xlsx(entity: str) -> bytes:
    """An import template for ``entity``: the header row and one example row."""
    spec = exports[entity]
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, entity)
    sheet.append(_date_cells(sheet, [column.example for column in spec.export_columns]))
    return _bytes(workbook)


def _response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(entity: str, queryset, filename: str) -> HttpResponse:
    """A download of ``export_xlsx(entity, queryset)`` named ``filename``."""
    return _response(export_xlsx(entity, queryset), filename)


def template_response(entity: str) -> HttpResponse:
    return _response(template_xlsx(entity), f"{entity}-template.xlsx")


def rows_xlsx(title: str, headers: list, rows) -> bytes:
    """``rows`` (an iterable of value lists, consumed once) under ``headers`` in one sheet named ``title``."""
    workbook = Workbook(write_only=True)
    sheet = _sheet_with_header(workbook, title, [force_str(h) for h in headers])
    for row in rows:
        sheet.append(_date_cells(sheet, row))
    return _bytes(workbook)


def rows_xlsx_response(title: str, headers: list, rows, filename: str) -> HttpResponse:
    """A download of ``rows_xlsx(title, headers, rows)`` named ``filename``."""
    return _response(rows_xlsx(title, headers, rows), filename)


def table_columns(table) -> list:
    """The bound columns of a django-tables2 table that hold data (not controls, not excluded from export)."""
    return [
        column
        for column in table.columns.iterall()
        if not column.column.exclude_from_export and column.name not in _CONTROL_COLUMNS
    ]


class _ColumnValue:
    """What one table column exports for a record: its data, not its decoration.

    The table's ``value_<name>`` when it defines one; else the field behind the column (a choice's label,
    a related object's name, a number as a number, a date as a date, a boolean in words); a column with
    no plain value behind it (computed in ``render_<name>``, a list) exports its rendered text without tags
    (``BoundRow.get_cell_value``). Choice labels are translated once per column, not once per cell.
    """

    _MISSING = object()

    def __init__(self, table, bound_column):
        from django_tables2 import A

        self.name = bound_column.name
        self.accessor = A(bound_column.accessor)
        self.empty_values = bound_column.column.empty_values
        self.custom = getattr(table, f"value_{self.name}", None) is not None
        self.labels = None  # {value: label} of a field with choices; {} without; decided on first use

    def _choice_labels(self, record) -> dict:
        try:
            field = self.accessor.get_field(record)
        except Exception:  # noqa: BLE001 - not a model field: no choices
            field = None
        choices = getattr(field, "flatchoices", None) or ()
        return {key: force_str(label) for key, label in choices}

    def __call__(self, record, bound_row):
        if not self.custom:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # noqa: BLE001 - a column without a field: its rendered text below
                value = self._MISSING
            if value is not self._MISSING and not isinstance(value, list | dict | set | tuple):
                if self.labels is None:
                    self.labels = self._choice_labels(record)
                if value in self.empty_values:
                    return None
                if self.labels and value in self.labels:
                    return self.labels[value]
                if isinstance(value, bool):
                    return force_str(_YES if value else _NO)
                if isinstance(value, Decimal | int | float | datetime.date | str):
                    return value
                if isinstance(value, models.Model):
                    return str(value)
        text = bound_row().get_cell_value(self.name)
        return strip_tags(text) if isinstance(text, str) else force_str(text, strings_only=True)


def table_rows(table, queryset):
    """The cell values of ``table``'s data columns for each record of ``queryset``, read in chunks."""
    from django_tables2.rows import BoundRow

    readers = [_ColumnValue(table, column) for column in table_columns(table)]
    records = queryset.iterator(chunk_size=_ITERATOR_CHUNK) if hasattr(queryset, "iterator") else queryset
    for record in records:
        row = None

        def bound_row(record=record):
            nonlocal row
            if row is None:
                row = BoundRow(record, table=table)
            return row

        yield [read(record, bound_row) for read in readers]


def table_xlsx_response(table, queryset, title: str, filename: str) -> HttpResponse:
    """A download of ``queryset`` as ``table`` shows it: its data columns' headers and values."""
    headers = [force_str(column.header) for column in table_columns(table)]
    return rows_xlsx_response(title, headers, table_rows(table, queryset), filename)
