"""XLSX exports of lists, written with the import headers so that an export re-imports unchanged, and the
import templates (header + example row).

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

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gridcheck.core.registries import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_ITERATOR_CHUNK = 2000


def _cell_value(value):
    """What goes into a cell: numbers as numbers, dates as dates, text as text (account numbers stay text)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float | datetime.date):
        return value
    return str(value)


def _sheet(workbook: Workbook, entity: str):
    spec = exports[entity]
    sheet = workbook.create_sheet(title=entity[:31])
    columns = spec.export_columns
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


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


def export_xlsx(entity: str, queryset) -> bytes:
    """The rows of ``queryset`` as an XLSX workbook whose headers are the spec's Chinese headers."""
    spec = exports[entity]
    if spec.export_related:
        queryset = queryset.select_related(*spec.export_related)
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, entity)
    for obj in queryset.iterator(chunk_size=_ITERATOR_CHUNK):
        sheet.append(_date_cells(sheet, spec.export_row(obj)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(entity: str) -> bytes:
    """An import template for ``entity``: the header row and one example row."""
    spec = exports[entity]
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, entity)
    sheet.append(_date_cells(sheet, [column.example for column in spec.export_columns]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(entity: str, queryset, filename: str) -> HttpResponse:
    """A download of ``export_xlsx(entity, queryset)`` named ``filename``."""
    return _response(export_xlsx(entity, queryset), filename)


def template_response(entity: str) -> HttpResponse:
    return _response(template_xlsx(entity), f"{entity}-template.xlsx")
