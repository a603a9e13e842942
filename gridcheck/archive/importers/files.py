"""Reading import files: the kind (XLSX or CSV; old .xls refused), a CSV's text encoding (UTF-8 with or
without BOM, GBK, GB18030) and delimiter (comma or tab), and the rows as (row number, cells)."""

from __future__ import annotations

import codecs
import csv
import pathlib
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from gridcheck.archive.importers.errors import FileProblem


def detect_encoding(path: pathlib.Path) -> tuple[str, str]:
    """Find the text encoding of a CSV file: UTF-8 (with or without BOM), GBK or GB18030.

    Returns (Python codec, name to show); raises FileProblem for anything else (UTF-16, binary).
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8-BOM")]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(_("the file is UTF-16 encoded; save it as UTF-8, GBK or GB18030"))
    else:
        candidates = [("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")]
    for codec, name in candidates:
        decoder = codecs.getincrementaldecoder(codec)("strict")
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    if b"\x00" in block:
                        raise FileProblem(
                            _(
                                "the file is not a text file (CSV) or is UTF-16 encoded; use UTF-8, GBK or GB18030"
                            )
                        )
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return codec, name
    raise FileProblem(_("the file's encoding is not UTF-8, GBK or GB18030"))


def csv_rows(path: pathlib.Path, codec: str) -> Iterator[tuple[int, list]]:
    with path.open("r", encoding=codec, newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
                raise FileProblem(
                    _("the CSV file cannot be read at row %(row)s: %(error)s")
                    % {"row": number + 1, "error": exc},
                    number + 1,
                ) from None
            number += 1
            yield number, row


#: Excel's last row.
XLSX_MAX_ROWS = 1_048_576


def xlsx_rows(path: pathlib.Path) -> Iterator[tuple[int, list]]:
    from django.core.exceptions import ValidationError
    from openpyxl import load_workbook

    from gridcheck.core.uploads import xlsx_check

    try:
        xlsx_check(path, path.name)  # a zip bomb is refused before openpyxl unpacks anything
    except ValidationError as refused:
        raise FileProblem(
            _("the XLSX file cannot be opened: %(error)s") % {"error": " ".join(refused.messages)}
        ) from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise FileProblem(_("the XLSX file cannot be opened: %(error)s") % {"error": exc}) from None
    try:
        if not workbook.worksheets:
            raise FileProblem(_("the XLSX file has no worksheet"))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong dimension; read every row there is
        # Read-only sheets yield every row from the first, empty ones included, so numbers match Excel's.
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        number = 0
        while True:
            try:
                number, row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - cells are parsed as the rows are read: a broken one
                if not number:
                    raise FileProblem(
                        _("the XLSX file cannot be opened: %(error)s") % {"error": exc}
                    ) from None
                raise FileProblem(
                    _("the XLSX file cannot be read after row %(row)s: %(error)s")
                    % {"row": number, "error": exc}
                ) from None
            if number > XLSX_MAX_ROWS:  # a broken file: it would be read one empty row at a time
                raise FileProblem(
                    _("the sheet has rows past Excel's last row (%(n)s)") % {"n": XLSX_MAX_ROWS}
                )
            yield number, list(row)
    finally:
        workbook.close()


def file_kind(path: pathlib.Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("old Excel .xls files are not supported; save the file as .xlsx or CSV"))
    return "csv"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
