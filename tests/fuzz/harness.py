"""Fuzzing harness of the input readers, shared by ``test_readers_fuzz.py`` (CI, Hypothesis) and
``benchmarks/fuzz_readers.py`` (a million inputs, plain ``random``).

Property of every target: for any input the reader returns a result or raises the project's own clear
input error -- :class:`gridcheck_analytics.io.ReaderError` for meter data (file, row, column, reason), the
archive import's ``_FileProblem`` / ``_CellProblem`` for the archive (``import_file`` turns them into a
:class:`~gridcheck.archive.importers.RowError` naming file, row and column) -- and never any other exception.

Targets (:func:`targets`):

* ``daily_csv``, ``curves_csv``, ``events_csv``, ``area_meter_csv`` -- the meter-data CSV readers on a file
  as the import service passes it (a path; its name sometimes with a compression suffix), with or without
  a column mapping, a meters frame, a time format, a source time zone and (area meters) area codes;
* ``meter_parquet`` -- the Parquet path of the same readers: Parquet files of odd columns and types, broken
  or not;
* ``archive_csv`` -- the archive import's reading layer on CSV-like bytes: file kind, encoding detection,
  CSV rows, the header search and the per-row parsing (``_run``, with the database step ``_flush`` left
  out);
* ``archive_xlsx`` -- the same on XLSX files: workbooks whose sheet XML is generated (odd cell types and
  values, huge row numbers, broken XML), some written by openpyxl, some corrupted;
* ``archive_values`` -- every column parser of every archive entity on one cell value (text, or the
  types openpyxl returns), then the model-field check after it.

Inputs are built by generators written once against :class:`Draw`: :class:`HypothesisDraw` (the test:
shrinking, derandomized) or :class:`RandomDraw` (the benchmark: about a hundred times cheaper per input).
They draw from pools of values that break parsers (overflowing numbers, out-of-range dates, daylight-saving
gaps, full-width digits, separators and quotes inside cells, long and wide rows) mixed with arbitrary text
and bytes.  Call :func:`setup_django` before :func:`targets` (the archive importers import the models; no
database is used).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import gzip
import io
import math
import os
import random
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from gridcheck_analytics import store
from gridcheck_analytics.io import readers
from gridcheck_analytics.schema import (
    AREA_METER_READINGS,
    CURVES,
    DAILY_READINGS,
    DATE,
    EVENT_NAMES_ZH,
    EVENTS,
    METERS,
    TS,
    EventCode,
    FrameSpec,
    conform,
)

# == drawing =============================================================================================


class Draw:
    """What a generator may ask for; two implementations below."""

    def integer(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def choice(self, seq: Sequence):
        return seq[self.integer(0, len(seq) - 1)]

    def boolean(self) -> bool:
        return self.integer(0, 1) == 1

    def one_in(self, n: int) -> bool:
        return self.integer(0, n - 1) == 0

    def text(self, max_size: int) -> str:
        raise NotImplementedError

    def binary(self, max_size: int) -> bytes:
        raise NotImplementedError

    def number(self) -> float | int:
        """A float or int as XLSX gives it: any float (NaN, infinities, tiny, huge) or a big int."""
        raise NotImplementedError

    def moment(self):
        """A date, datetime, time or timedelta as openpyxl returns them."""
        raise NotImplementedError

    def decimal(self) -> decimal.Decimal:
        raise NotImplementedError


#: Code points the random text is made of: ASCII, control characters, CJK, other BMP and astral planes.
_CHAR_RANGES = [(0x20, 0x7E)] * 6 + [
    (0x00, 0x1F),
    (0x4E00, 0x4FFF),
    (0x4E00, 0x9FFF),
    (0xA0, 0x2FFF),
    (0x1F300, 0x1F64F),
]


class RandomDraw(Draw):
    """Cheap draws from :class:`random.Random` (the benchmark)."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def integer(self, lo, hi):
        return self.r.randint(lo, hi)

    def choice(self, seq):
        return self.r.choice(seq)

    def boolean(self):
        return self.r.random() < 0.5

    def text(self, max_size):
        r = self.r
        return "".join(chr(r.randint(*r.choice(_CHAR_RANGES))) for _ in range(r.randint(0, max_size)))

    def binary(self, max_size):
        return self.r.randbytes(self.r.randint(0, max_size))

    def number(self):
        r = self.r
        kind = r.randint(0, 7)
        if kind == 0:
            return r.choice([float("nan"), float("inf"), float("-inf"), -0.0, 5e-324, 1.7976931348623157e308])
        if kind == 1:
            return r.randint(-(2**70), 2**70)
        if kind == 2:
            return r.randint(-5, 100)
        if kind == 3:
            return r.uniform(-1e6, 1e6)
        return float(r.choice(["0.5", "1e20", "1e-20", "-3.25", "45658", "2958466", "-1", "1e308"]))

    def moment(self):
        r = self.r
        day = dt.date.fromordinal(r.randint(1, dt.date.max.toordinal()))
        kind = r.randint(0, 3)
        if kind == 0:
            return day
        if kind == 1:
            return dt.datetime.combine(day, dt.time(r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)))
        if kind == 2:
            return dt.time(r.randint(0, 23), r.randint(0, 59))
        return dt.timedelta(seconds=r.uniform(-1e9, 1e9))

    def decimal(self):
        r = self.r
        return decimal.Decimal(
            r.choice(["NaN", "-sNaN", "Infinity", "-0", "1E+999999", "1E-999999", str(r.uniform(-1e9, 1e9))])
        )


class HypothesisDraw(Draw):
    """Draws from Hypothesis' ``data`` (the test): shrinks to a small failing input."""

    def __init__(self, data):
        from hypothesis import strategies as st

        self.data = data
        self.st = st

    def integer(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return self.data.draw(self.st.sampled_from(seq))

    def text(self, max_size):
        return self.data.draw(self.st.text(max_size=max_size))

    def binary(self, max_size):
        return self.data.draw(self.st.binary(max_size=max_size))

    def number(self):
        return self.data.draw(self.st.one_of(self.st.floats(), self.st.integers(-(2**70), 2**70)))

    def moment(self):
        st = self.st
        return self.data.draw(st.one_of(st.dates(), st.datetimes(), st.times(), st.timedeltas()))

    def decimal(self):
        return self.data.draw(self.st.decimals())


# == pools of awkward values =============================================================================

NUMBERS = [
    "0", "1", "-1", "3.5", " 7 ", "1e309", "-1e309", "1e-400", "inf", "-inf", "Infinity", "nan", "NaN",
    "1,000", "１２", "0x1A", "99999999999999999999999999", "-0", "+5", ".5", "5.", "1_000", "1e", "--1",
    "None", "NULL", "True", "٣", "²", "1/2", "9" * 400,
]  # fmt: skip
DATES = [
    "2025-01-01", "2025-1-1", "2025/01/31", "20250101", "2025-02-29", "2024-02-29", "2025-13-01",
    "0000-01-01", "0001-01-01", "1677-09-21", "1677-09-22", "2262-04-11", "2262-04-12", "9999-12-31",
    "10000-01-01", "2025-01-01 00:00", "2025-01-01T23:59:59", "2025-01-01T00:00:00+08:00",
    "2025-01-01T00:00:00Z", "2025-06-01 00:00:00-05:00", "2013-10-06 02:30", "2013-04-07 02:30",
    "2025-03-30 02:30", "2025-10-26 02:30", "now", "today", "1e10", "1700000000", "Jan 1 2025",
    "01/02/2025", "2025年1月1日", "NaT", "2025-01-01 25:00", "2025-W01", "1-1-1", "2025.01.01",
]  # fmt: skip
METER_IDS = ["m1", "m2", " m1 ", "M1", "m9", "表1", "0", "1.0", "nan", "NA", "<NA>"]
AREA_CODES = ["A", "B", " A ", "S01-A1"]
EVENT_CODES = [c.value for c in EventCode] + list(EVENT_NAMES_ZH) + ["lightning", " 失压 ", "LOSS_OF_VOLTAGE"]
ODD = [
    "",
    " ",
    '"',
    "'",
    ",",
    ";",
    "\t",
    "\n",
    "\r",
    "\x00",
    "\ufeff",
    "#",
    "=1+1",
    "\\",
    "…",
    "🙂",
    "\u200b",
]
TIME_FORMATS = [None] * 12 + ["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%s", "%Q", "%", "x"]
SOURCE_TZS = ["Asia/Shanghai", "Australia/Sydney", "Europe/Berlin", "UTC", "America/New_York"]
FILE_NAMES = ["data.csv"] * 30 + [
    "data.CSV",
    "data",
    "data.csv.gz",
    "data.gz",
    "data.bz2",
    "data.zip",
    "data.xz",
]
#: Source names a mapping may use (Chinese headers, or the canonical name itself).
SOURCE_NAMES = ["表号", "日期", "时间", "正向有功总", "峰", "谷", "台区", "倍率", "事件", "meter", "t"]


def _pool_for(spec: FrameSpec, name: str) -> list[str]:
    if name not in spec.columns:
        return ODD
    if name == "meter_id":
        return METER_IDS
    if name == "area_code":
        return AREA_CODES
    if name == "event_code":
        return EVENT_CODES
    if spec.columns[name].dtype in (DATE, TS):
        return DATES
    return NUMBERS


def cell(d: Draw, pool: Sequence[str]) -> str:
    """A cell: mostly from the pool, sometimes odd characters or arbitrary text."""
    kind = d.integer(0, 5)
    if kind <= 2:
        return d.choice(pool)
    if kind == 3:
        return d.choice(ODD)
    if kind == 4:
        return d.choice(pool) + d.choice(ODD)
    return d.text(8)


def _serialize(rows: list[list[str]], quoting: bool, terminator: str, sep: str) -> str:
    if quoting:
        out = io.StringIO()
        csv.writer(out, lineterminator=terminator, delimiter=sep).writerows(rows)
        return out.getvalue()
    return "".join(sep.join(r) + terminator for r in rows)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")


def _csv_text(d: Draw, rows: list[list[str]]) -> str:
    """CSV text of ``rows``: quoted as a CSV writer does (mostly), or cells joined as they are."""
    return _serialize(
        rows,
        quoting=d.integer(0, 4) > 0,
        terminator=d.choice(["\n", "\r\n", "\r"]),
        sep=d.choice([","] * 8 + [";", "\t"]),
    )


# == meter-data files ====================================================================================


@dataclass
class MeterFile:
    """One generated meter-data input: the file's bytes and name, and the reader's options."""

    spec: str
    data: bytes
    name: str
    mapping: dict | None
    meters: bool
    time_format: str | None
    source_tz: str
    areas: bool

    def __repr__(self) -> str:  # what Hypothesis shows on a failure
        return (
            f"MeterFile(spec={self.spec!r}, name={self.name!r}, mapping={self.mapping!r}, "
            f"meters={self.meters}, time_format={self.time_format!r}, source_tz={self.source_tz!r}, "
            f"areas={self.areas}, data={self.data[:2000]!r})"
        )


SPECS = {s.name: s for s in (DAILY_READINGS, CURVES, EVENTS, AREA_METER_READINGS)}


def meter_csv_file(d: Draw, spec: FrameSpec) -> MeterFile:
    """A CSV file for the meter-data reader of ``spec`` (structured; arbitrary bytes now and then)."""
    columns = list(spec.columns)
    header = [c for c in columns if d.boolean() or (spec.columns[c].required and d.integer(0, 3))]
    d_order = [d.integer(0, 99) for _ in header]
    header = [c for _, c in sorted(zip(d_order, header, strict=True), key=lambda p: p[0])]
    for _ in range(d.integer(0, 2) if d.one_in(3) else 0):
        header.append(d.choice(["", "x", "meter_id", "Unnamed: 0", *ODD[:4]]))
    mapping = None
    canonical_of = {h: h for h in header}
    if header and d.one_in(4):
        mapping = {}
        for i, c in enumerate(list(header)):
            if c in spec.columns and d.boolean():
                source = d.choice([*SOURCE_NAMES, c])
                header[i] = source
                mapping[source] = c
                canonical_of[source] = c
        if d.one_in(6):  # a broken mapping: an unknown target, an absent source, or two sources onto one
            mapping[d.choice(["absent", *header])] = d.choice([*columns, "bogus"])
    pools = [_pool_for(spec, canonical_of.get(h, h)) for h in header]
    n_rows = d.integer(0, 6)
    rows = [header]
    ragged = d.one_in(10)
    for _ in range(n_rows):
        row = [cell(d, p) for p in pools]
        if ragged and d.one_in(3):  # a ragged row
            row = row[: d.integer(0, len(row))] + [cell(d, ODD) for _ in range(d.integer(0, 2))]
        rows.append(row)
    if n_rows and d.one_in(6):  # a repeated row (an exact or, after a change, a conflicting duplicate)
        rows.append(list(rows[d.integer(1, n_rows)]))
        if d.boolean() and rows[-1] and pools:
            rows[-1][-1] = cell(d, pools[-1])
    text = _csv_text(d, rows)
    if d.one_in(10):
        text = "\ufeff" + text
    kind = d.integer(0, 19)
    if kind == 0:
        data = d.binary(64)
    elif kind == 1:
        data = _encode(text, d.choice(["utf-16", "gbk", "latin-1", "utf-8-sig"]))
    else:
        data = _encode(text, "utf-8")
    name = d.choice(FILE_NAMES)
    if name.endswith(".gz") and d.boolean():
        data = gzip.compress(data, mtime=0)
    return MeterFile(
        spec=spec.name,
        data=data,
        name=name,
        mapping=mapping,
        meters=d.boolean(),
        time_format=d.choice(TIME_FORMATS),
        source_tz=d.choice(SOURCE_TZS),
        areas=d.boolean(),
    )


#: Column types of the generated Parquet files: pandas dtype and a value maker.
_PARQUET_KINDS = ["str", "float", "int", "bool", "datetime", "date", "null"]


def _parquet_values(d: Draw, kind: str, n: int) -> pd.Series:
    if kind == "str":
        return pd.Series(
            [d.choice(METER_IDS + DATES[:6] + NUMBERS[:8] + [None]) for _ in range(n)], dtype="object"
        )
    if kind == "float":
        return pd.Series(
            [float(d.number()) if d.integer(0, 5) else float("nan") for _ in range(n)], dtype="float64"
        )
    if kind == "int":
        return pd.Series([d.integer(-(2**63), 2**63 - 1) for _ in range(n)], dtype="int64")
    if kind == "bool":
        return pd.Series([d.boolean() for _ in range(n)], dtype="bool")
    if kind == "datetime":
        base = dt.datetime(2025, 1, 1)
        values = [base + dt.timedelta(minutes=d.integer(-(10**8), 10**8)) for _ in range(n)]
        series = pd.Series(values, dtype="datetime64[us]")
        zone = d.choice(SOURCE_TZS)
        return series.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT") if d.boolean() else series
    if kind == "date":
        return pd.Series(
            [dt.date.fromordinal(d.integer(1, dt.date.max.toordinal())) for _ in range(n)], dtype="object"
        )
    return pd.Series([None] * n, dtype="object")


def meter_parquet_file(d: Draw) -> MeterFile:
    """A Parquet file of odd columns and types for one of the readers (or broken bytes)."""
    spec = d.choice(list(SPECS.values()))
    kind = d.integer(0, 5)
    if kind == 0:
        data = d.binary(64)
        if d.boolean():
            data = b"PAR1" + data + b"PAR1"
    else:
        n = d.integer(0, 4)
        names = [c for c in spec.columns if d.integer(0, 3)] + (["x"] if d.one_in(4) else [])
        frame = pd.DataFrame({name: _parquet_values(d, d.choice(_PARQUET_KINDS), n) for name in names})
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        data = buffer.getvalue()
        if kind == 1:  # corrupt one byte, or cut the file short
            i = d.integer(0, len(data) - 1)
            data = (
                data[:i] + bytes([data[i] ^ d.integer(1, 255)]) + data[i + 1 :] if d.boolean() else data[:i]
            )
    return MeterFile(
        spec=spec.name,
        data=data,
        name=d.choice(["data.parquet", "data.pq"]),
        mapping=None,
        meters=d.boolean(),
        time_format=None,
        source_tz=d.choice(SOURCE_TZS),
        areas=d.boolean(),
    )


METERS_FRAME = conform(
    pd.DataFrame(
        {
            "meter_id": ["m1", "m2", "M1"],
            "area_code": ["A", "A", "B"],
            "line_code": ["L", "L", "L"],
            "station_code": ["S", "S", "S"],
            "multiplier": [1.0, 1.0, 40.0],
            "rated_voltage_v": [220.0, 220.0, 220.0],
            "max_current_a": [60.0, 60.0, 6.0],
            "register_digits": [4, 6, 5],
        }
    ),
    METERS,
)


class Workdir:
    """A folder for the generated files: one folder per target, its one file rewritten for every input."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gc-fuzz-")
        self.path = Path(self._tmp.name)

    def write(self, target: str, name: str, data: bytes) -> Path:
        folder = self.path / target
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        path = folder / name
        path.write_bytes(data)
        return path

    def close(self) -> None:
        self._tmp.cleanup()


def read_meter_file(f: MeterFile, path: Path):
    """Run the reader of ``f.spec`` on ``path`` with ``f``'s options; check the result's shape."""
    spec = SPECS[f.spec]
    meters = METERS_FRAME if f.meters else None
    fmt = "parquet" if f.name.endswith((".parquet", ".pq")) else "csv"
    if spec is DAILY_READINGS and fmt == "parquet":
        result = readers.read_daily_parquet(path, mapping=f.mapping, meters=meters)
    elif spec is DAILY_READINGS:
        result = readers.read_daily_csv(path, mapping=f.mapping, meters=meters, time_format=f.time_format)
    elif spec is CURVES:
        result = readers.read_curves(
            path, mapping=f.mapping, meters=meters, source_tz=f.source_tz, fmt=fmt, time_format=f.time_format
        )
    elif spec is EVENTS:
        result = readers.read_events(path, mapping=f.mapping, meters=meters, source_tz=f.source_tz, fmt=fmt)
    else:
        areas = {"A", "S01-A1"} if f.areas else None
        result = readers.read_area_meter(
            path, mapping=f.mapping, fmt=fmt, time_format=f.time_format, areas=areas
        )
    frame, meta = result
    assert list(frame.columns) == list(spec.columns), list(frame.columns)
    assert set(meta["columns"]) <= set(spec.columns), meta["columns"]
    assert len(frame) == meta["rows_accepted"]
    errors = meta["errors"]
    assert list(errors.columns) == ["file", "row", "column", "value", "reason"], list(errors.columns)
    assert not errors["row"].isna().any() and (errors["file"] == path.name).all()
    if len(frame):  # what a reader accepts, the store can write: month partitions and Parquet
        store._months(frame, spec)
        frame.to_parquet(io.BytesIO(), index=False)
    return result


# == archive files =======================================================================================


@dataclass
class ArchiveFile:
    """One generated archive-import input: the entity and the file's bytes."""

    entity: str
    data: bytes
    xlsx: bool = False

    def __repr__(self) -> str:
        return f"ArchiveFile(entity={self.entity!r}, xlsx={self.xlsx}, data={self.data[:3000]!r})"


ARCHIVE_VALUES = [
    "是", "否", "y", "1", "0", "√", "200/5", "200:5", "0/5", "5/0", "1e999999/1e-999999", "1E+999999999",
    "5(60)A", "1.5(6)", "10A", "60(5)A", "0(0)", "3×220/380V", "220V", "0.22kV", "居民", "三相", "A类", "正常",
    "2025-01-01", "2025年1月1日", "20251301", "2025-02-30", "99999-01-01", "１２３．５", "1,234.5", "-3",
    "1e-30", "12345678901234567890123", "0.000000000000000000001", "S01", "S01-L1", "S01-A1", "C01", "RES-1",
    "x" * 300, "一级", "所长", "NaN", "sNaN", "Infinity", "-0", "  ", "1e-999999999", "9" * 60,
]  # fmt: skip
ARCHIVE_POOL = ARCHIVE_VALUES + DATES[:8] + NUMBERS[:12]

#: Files that stress limits, drawn now and then: a row wider than XLSX's last column, a field longer than
#: the csv module allows, blank lines, an unterminated quote.
SPECIAL_FILES = [
    "户号,户名\n1," + "," * 18300 + "x\n",
    "户号," + ",".join(["户名"] * 2) + "," * 18300 + "户号\n",
    '户号,户名\n1,"' + "x" * 140_000 + '"\n',
    "户号,户名\n" + "\n" * 50 + "1,张三\n",
    "\n" * 20 + "户号,户名\n",
    '"户号\n',
]


def _archive_headers(spec) -> list[str]:
    names = []
    for column in spec.columns:
        names += [column.name, *column.aliases]
    return names


def archive_rows(d: Draw, spec) -> list[list[Any]]:
    """Rows of an archive file for ``spec``: maybe a title row, a header of known and odd names, data."""
    headers = _archive_headers(spec)
    header = [c.header for c in spec.columns if c.required and d.integer(0, 9)]
    header += [d.choice([*headers, "", "备注", "x"]) for _ in range(d.integer(0, 6))]
    order = [d.integer(0, 99) for _ in header]
    header = [h for _, h in sorted(zip(order, header, strict=True), key=lambda p: p[0])]
    rows: list[list[Any]] = []
    if d.one_in(5):  # a title row (and maybe a blank one) above the header
        rows.append([d.choice(["客户档案", "", headers[0]])])
        if d.boolean():
            rows.append([])
    rows.append(header)
    for _ in range(d.integer(0, 5)):
        row = [cell(d, ARCHIVE_POOL) for _ in header]
        if d.one_in(7):
            row += [cell(d, ARCHIVE_POOL) for _ in range(d.integer(0, 3))]
        if d.one_in(7):
            row = row[: d.integer(0, len(row))]
        rows.append(row)
    return rows


def archive_csv_file(d: Draw, entities: Sequence[str], specs) -> ArchiveFile:
    entity = d.choice(entities)
    kind = d.integer(0, 29)
    if kind == 0:
        prefix = d.choice([b"", b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xef\xbb\xbf"])
        return ArchiveFile(entity, prefix + d.binary(80))
    if kind == 1:
        return ArchiveFile(entity, d.choice(SPECIAL_FILES).encode())
    text = _csv_text(d, archive_rows(d, specs[entity]))
    encoding = d.choice(["utf-8"] * 5 + ["utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1"])
    return ArchiveFile(entity, _encode(text, encoding))


class XlsxTemplate:
    """The parts of a minimal workbook (written once by openpyxl); a generated sheet goes in between.

    Styles: 1 a date format, 2 a time format, 3 a duration format, 4 a percentage.
    """

    SHEET = "xl/worksheets/sheet1.xml"
    HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    TAIL = "</sheetData></worksheet>"

    def __init__(self):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        for col, fmt in enumerate(["yyyy-mm-dd", "hh:mm", "[h]:mm:ss", "0.00%"], start=1):
            sheet.cell(row=1, column=col, value=1).number_format = fmt
        buffer = io.BytesIO()
        workbook.save(buffer)
        with zipfile.ZipFile(buffer) as z:
            self.parts = {name: z.read(name) for name in z.namelist()}
        styles = re.findall(r'<c r="[A-D]1" s="(\d+)"', self.parts[self.SHEET].decode())
        self.styles = ["0", *styles]

    def workbook(self, sheet_xml: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for name, data in self.parts.items():
                z.writestr(
                    name, sheet_xml.encode("utf-8", errors="surrogatepass") if name == self.SHEET else data
                )
        return out.getvalue()


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_NUMBER_TOKENS = [
    "inf",
    "nan",
    "1e999",
    "-1e20",
    "1e20",
    "",
    "abc",
    "2958466",
    "-1",
    "0.5",
    "99999999999999999999",
    " 1",
]


def _xlsx_cell(d: Draw, ref: str, value: Any, styles: list[str], broken: bool) -> str:
    """One cell's XML: mostly the value as text; else a number (maybe date-styled), a boolean, an error,
    a formula or a date cell -- with values openpyxl cannot read when ``broken``."""
    kind = d.integer(0, 19)
    if kind == 0:  # a number cell, maybe with a date/time style
        token = d.choice(_NUMBER_TOKENS) if broken else d.choice(["0.5", "45658", "-1", "1e20", "2958466"])
        return f'<c r="{ref}" s="{d.choice(styles)}"><v>{escape(token)}</v></c>'
    if kind == 1:
        return f'<c r="{ref}" t="b"><v>{d.choice(["0", "1", "2", "x", ""] if broken else ["0", "1"])}</v></c>'
    if kind == 2:
        return f'<c r="{ref}" t="e"><v>{d.choice(["#DIV/0!", "#N/A", "#VALUE!"])}</v></c>'
    if kind == 3 and broken:
        return f'<c r="{ref}" t="s"><v>{d.choice(["0", "5", "-1", "x"])}</v></c>'  # no shared strings
    if kind == 4:
        return f'<c r="{ref}" t="str"><f>SUM(A1:A2)</f><v>{escape(cell(d, ARCHIVE_POOL))}</v></c>'
    if kind == 5:
        text = d.choice(DATES) if broken else d.choice(["2025-01-01T00:00:00", "1999-12-31T23:59:00"])
        return f'<c r="{ref}" t="d"><v>{escape(text)}</v></c>'
    if kind == 6:
        number = d.number()
        if not broken and (isinstance(number, float) and not math.isfinite(number)):
            number = 0.0
        return f'<c r="{ref}" s="{d.choice(styles)}"><v>{number!r}</v></c>'
    if value is None or value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def archive_xlsx_file(d: Draw, entities: Sequence[str], specs, template: XlsxTemplate) -> ArchiveFile:
    entity = d.choice(entities)
    rows = archive_rows(d, specs[entity])
    if d.one_in(10):  # a workbook written by openpyxl with Python values, as people's tools write them
        return ArchiveFile(entity, _openpyxl_workbook(d, rows), xlsx=True)
    out = [XlsxTemplate.HEAD]
    broken = d.one_in(4)  # a file with cells openpyxl cannot read, rows past Excel's last, odd references
    number = 0
    for index, row in enumerate(rows):
        number += 1 if not (broken and d.one_in(6)) else d.choice([2, 1000] * 20 + [1_048_576, 2_000_000])
        cells = []
        for col, value in enumerate(row):
            ref = _column_letters(col) + str(number)
            if broken and d.one_in(20):
                ref = d.choice(["XFE1", "A0", "B-1", "1A", ""])
            if index < 3 and not broken:  # the title and header rows: text
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
            else:
                cells.append(_xlsx_cell(d, ref, value, template.styles, broken))
        out.append(f'<row r="{number}">' + "".join(cells) + "</row>")
    out.append(XlsxTemplate.TAIL)
    sheet = "".join(out)
    if d.one_in(20):  # broken XML
        sheet = sheet[: d.integer(0, len(sheet))]
    data = template.workbook(sheet)
    if d.one_in(20):  # corrupt bytes, or a file cut short
        i = d.integer(0, len(data) - 1)
        data = (
            data[:i] + bytes([data[i] ^ d.integer(1, 255)]) + data[i + 1 :]
            if d.boolean()
            else data[: max(i, 4)]
        )
    return ArchiveFile(entity, data, xlsx=True)


def _openpyxl_workbook(d: Draw, rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if r > 2 and d.boolean():
                value = d.choice([d.number(), d.moment(), d.boolean(), None])
            try:
                sheet.cell(row=r, column=c, value=value)
            except (IllegalCharacterError, ValueError, TypeError):  # characters XML cannot hold
                sheet.cell(row=r, column=c, value="?")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def archive_importers():
    """The archive import's reading layer under the names this harness uses (the package's modules)."""
    from types import SimpleNamespace

    from gridcheck.archive.importers import batches, engine, errors, files, parsers, spec
    from gridcheck.core.registries import imports

    return SimpleNamespace(
        SPECS=imports,
        ENTITIES=imports.names(),
        engine=engine,
        _Context=spec.Context,
        _file_kind=files.file_kind,
        _xlsx_rows=files.xlsx_rows,
        _csv_rows=files.csv_rows,
        detect_encoding=files.detect_encoding,
        _is_blank=files.is_blank,
        _run=engine.run,
        _check_field=parsers.check_field,
        _TooManyErrors=errors.TooManyErrors,
        _FileProblem=errors.FileProblem,
        _CellProblem=errors.CellProblem,
        ImportRejected=errors.ImportRejected,
        import_file=batches.import_file,
        _column_letter=engine.column_letter,
        parse_date=parsers.parse_date,
        parse_decimal=parsers.parse_decimal,
        parse_positive_decimal=parsers.parse_positive_decimal,
        parse_int=parsers.parse_int,
        parse_ratio=parsers.parse_ratio,
    )


class _NoWrite:
    """Leaves out the import's database step (``_flush``): the reading layer alone is fuzzed."""

    def __init__(self, api):
        self.module = api.engine

    def __enter__(self):
        self.saved = self.module._flush
        self.module._flush = lambda ctx, chunk, seen: None

    def __exit__(self, *exc):
        self.module._flush = self.saved


def archive_read(path: Path, entity: str):
    """The archive import's reading layer, as ``import_file`` runs it, without the database.

    Returns ``(total rows, errors)``; every error names the file, and its row is a row number or None.
    Raises ``_FileProblem`` for a file that cannot be read.
    """
    imp = archive_importers()

    spec = imp.SPECS[entity]
    ctx = imp._Context(spec=spec, file_name=path.name, user=None, station_id=None, max_errors=50)
    kind = imp._file_kind(path)
    if kind == "xlsx":
        rows = imp._xlsx_rows(path)
    else:
        codec, _name = imp.detect_encoding(path)
        rows = imp._csv_rows(path, codec)
    total = 0
    with _NoWrite(imp), contextlib.closing(rows):
        try:
            total = imp._run(ctx, rows)
        except imp._TooManyErrors:
            pass
    for error in ctx.errors:
        assert error.file == path.name and isinstance(error.reason, str) and error.reason, error
        assert error.row is None or (isinstance(error.row, int) and error.row >= 1), error
    return total, ctx.errors


@dataclass
class ArchiveValue:
    entity: str
    column: str
    value: Any


def archive_value(d: Draw, entities: Sequence[str], specs) -> ArchiveValue:
    entity = d.choice(entities)
    column = d.choice([c.name for c in specs[entity].columns])
    kind = d.integer(0, 9)
    if kind <= 3:
        value = cell(d, ARCHIVE_POOL + DATES + NUMBERS)
    elif kind == 4:
        value = "".join(
            d.choice("0123456789.,-+eE/:()AVvX×*年月日 ０１２３４５６７８９．")
            for _ in range(d.integer(0, 24))
        )
    elif kind == 5:
        value = d.number()
    elif kind == 6:
        value = d.moment()
    elif kind == 7:
        value = d.boolean()
    elif kind == 8:
        value = d.decimal()
    else:
        value = d.text(12)
    return ArchiveValue(entity, column, value)


def parse_archive_value(v: ArchiveValue):
    """Parse one cell as the import does: the column's parser, then the model field's limits."""
    imp = archive_importers()

    spec = imp.SPECS[v.entity]
    column = spec.column(v.column)
    if imp._is_blank(v.value):
        return None
    value = column.parse(v.value)
    if column.field:
        value = imp._check_field(spec.model, column.field, value)
    return value


# == the targets =========================================================================================


@dataclass(frozen=True)
class Target:
    """A reader under test: ``generate(draw)`` makes an input, ``run(input)`` reads it, ``allowed`` are
    the clear errors it may raise."""

    name: str
    generate: Callable[[Draw], Any]
    run: Callable[[Any], Any]
    allowed: tuple[type[BaseException], ...]


def targets(workdir: Workdir) -> list[Target]:
    """Every target (Django must be set up: see :func:`setup_django`)."""
    imp = archive_importers()

    entities = list(imp.ENTITIES)
    specs = imp.SPECS
    template = XlsxTemplate()

    def meter_run(f: MeterFile):
        return read_meter_file(f, workdir.write(f.spec, f.name, f.data))

    def archive_run(target: str):
        def run(f: ArchiveFile):
            path = workdir.write(target, "import.xlsx" if f.xlsx else "import.csv", f.data)
            return archive_read(path, f.entity)

        return run

    clear_meter = (readers.ReaderError,)
    out = [
        Target(f"{name}_csv", lambda d, spec=spec: meter_csv_file(d, spec), meter_run, clear_meter)
        for name, spec in SPECS.items()
    ]
    return out + [
        Target("meter_parquet", meter_parquet_file, meter_run, clear_meter),
        Target(
            "archive_csv",
            lambda d: archive_csv_file(d, entities, specs),
            archive_run("archive_csv"),
            (imp._FileProblem,),
        ),
        Target(
            "archive_xlsx",
            lambda d: archive_xlsx_file(d, entities, specs, template),
            archive_run("archive_xlsx"),
            (imp._FileProblem,),
        ),
        Target(
            "archive_values",
            lambda d: archive_value(d, entities, specs),
            parse_archive_value,
            (imp._CellProblem,),
        ),
    ]


def setup_django() -> None:
    """Django with the test settings (the archive targets import the models; no database is used)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
