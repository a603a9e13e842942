"""Fuzzing the input readers: any file is read, or refused with the project's clear input error.

Hypothesis draws the inputs of :mod:`tests.fuzz.harness` (meter-data CSV and Parquet files, archive CSV and
XLSX files, archive cell values), derandomized so that CI runs the same examples every time.  Any other
exception fails the test with the shrunk input.  ``benchmarks/fuzz_readers.py`` runs a million of them.

Below the fuzz tests: each exception the fuzzing found, as a plain regression test.
"""

import datetime as dt
import gzip
import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridcheck_analytics.io import (
    ReaderError,
    read_area_meter,
    read_curves,
    read_daily_csv,
    read_daily_parquet,
    read_events,
)
from tests.fuzz import harness

#: Examples per target; about 35 s of CPU for all of them.
EXAMPLES = 200
TARGETS = [
    "daily_csv",
    "curves_csv",
    "events_csv",
    "area_meter_csv",
    "meter_parquet",
    "archive_csv",
    "archive_xlsx",
    "archive_values",
]


@pytest.fixture(scope="module")
def workdir():
    folder = harness.Workdir()
    yield folder
    folder.close()


def test_every_target_is_fuzzed(workdir):
    assert [t.name for t in harness.targets(workdir)] == TARGETS


@pytest.mark.filterwarnings("ignore")  # pandas' dateutil fallback, openpyxl's "date out of range" cells
@pytest.mark.parametrize("name", TARGETS)
def test_reader_returns_a_result_or_the_clear_input_error(name, workdir):
    target = {t.name: t for t in harness.targets(workdir)}[name]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def check(data):
        value = target.generate(harness.HypothesisDraw(data))
        try:
            target.run(value)
        except target.allowed:
            pass

    check()


# == regressions: meter-data readers =====================================================================

HEADER = "meter_id,reading_date,register_total_kwh\n"


def _file(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("daily.csv", b"", "the file is empty"),
        ("daily.csv", (HEADER + "m1,2025-01-01,1\n").encode("utf-16"), "not UTF-8 text"),
        ("daily.csv", (HEADER + "表1,2025-01-01,1\n").encode("gbk"), "not UTF-8 text"),
        ("daily.csv", b'a,b\n1,2,3,4\n"', "cannot be read as a CSV file"),
        ("daily.csv.gz", HEADER.encode(), "cannot be read as a CSV file"),
        ("daily.csv.bz2", HEADER.encode(), "cannot be read as a CSV file"),
        ("daily.zip", HEADER.encode(), "cannot be read as a CSV file"),
        ("daily.xz", HEADER.encode(), "cannot be read as a CSV file"),
        ("daily.gz", gzip.compress(HEADER.encode())[:-9], "cannot be read as a CSV file"),
    ],
)
def test_an_unreadable_csv_file_is_a_reader_error_naming_the_file(tmp_path, name, data, reason):
    with pytest.raises(ReaderError, match=reason) as info:
        read_daily_csv(_file(tmp_path, name, data))
    assert info.value.file == name and str(info.value).startswith(f"{name}: ")


def _zip_needing_version_13_3(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("daily.csv", text)
    data = bytearray(buffer.getvalue())
    data[data.index(b"PK\x01\x02") + 6] = (
        133  # "version needed to extract": zipfile raises NotImplementedError
    )
    return bytes(data)


def test_a_zip_of_a_version_python_cannot_read_is_a_reader_error(tmp_path):
    with pytest.raises(ReaderError, match="cannot be read as a CSV file") as info:
        read_daily_csv(_file(tmp_path, "daily.zip", _zip_needing_version_13_3(HEADER + "m1,2025-01-01,1\n")))
    assert info.value.file == "daily.zip"


def test_a_parquet_file_with_text_that_is_not_utf8_is_a_reader_error(tmp_path):
    """Found by benchmarks/fuzz_readers.py: the bytes passed the Parquet reader and failed later in pandas."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = pa.array([b"m1", b"\xa2e309"], type=pa.binary())
    meter_ids = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())  # no UTF-8 check on the way in
    path = tmp_path / "curves.parquet"
    table = {"meter_id": meter_ids, "timestamp": pa.array(["2025-01-01 00:00", "2025-01-01 00:30"])}
    pq.write_table(pa.table({**table, "active_power_kw": pa.array([1.0, 2.0])}), path)
    with pytest.raises(ReaderError, match="cannot be read as a Parquet file") as info:
        read_curves(path)
    assert info.value.file == "curves.parquet"


def test_a_gzipped_csv_file_is_read(tmp_path):
    frame, _meta = read_daily_csv(
        _file(tmp_path, "daily.csv.gz", gzip.compress((HEADER + "m1,2025-01-01,1\n").encode()))
    )
    assert list(frame["meter_id"]) == ["m1"]


@pytest.mark.parametrize("data", [b"", b"PAR1garbagePAR1", b"not parquet at all"])
def test_an_unreadable_parquet_file_is_a_reader_error(tmp_path, data):
    with pytest.raises(ReaderError, match="cannot be read as a Parquet file") as info:
        read_daily_parquet(_file(tmp_path, "daily.parquet", data))
    assert info.value.file == "daily.parquet"


def test_two_columns_mapped_onto_one_is_a_reader_error(tmp_path):
    path = _file(tmp_path, "curves.csv", b"current_b_a,meter_id,timestamp\n1,m1,2025-01-01 00:00\n")
    with pytest.raises(ReaderError, match=r"\['meter_id'\] given twice"):
        read_curves(path, mapping={"current_b_a": "meter_id"})


def test_a_bad_time_format_is_a_reader_error(tmp_path):
    path = _file(
        tmp_path,
        "area.csv",
        b"area_code,meter_id,reading_date,register_total_kwh,multiplier\nA,AM1,2025-01-01,1,1\n",
    )
    with pytest.raises(ReaderError, match="time format '%s' cannot be used") as info:
        read_area_meter(path, time_format="%s")
    assert info.value.file == "area.csv"


def test_a_date_pandas_parses_but_python_cannot_hold_is_a_row_error_not_a_crash(tmp_path):
    path = _file(tmp_path, "daily.csv", (HEADER + "m1,0000-01-01,1\n").encode())
    frame, meta = read_daily_csv(path)  # raised "year 0 is out of range" in the reader
    assert frame.empty and list(meta["errors"]["reason"]) == ["date/time out of range (1900 to 2199)"]
    path = _file(tmp_path, "events.csv", "meter_id,timestamp,event_code\nm1,9999-12-31 23:00,失压\n".encode())
    frame, meta = read_events(path)  # was accepted, a month partition no store can write
    assert frame.empty and list(meta["errors"]["row"]) == [2]


@pytest.mark.filterwarnings("error::UserWarning")
def test_times_with_an_offset_among_local_times_are_row_errors(tmp_path):
    # A first value pandas cannot infer a format from makes it parse value by value: it then raised
    # "Mixed timezones detected" for a time with an offset among local times.
    text = (
        "meter_id,timestamp,event_code\n"
        "m1,2025年1月1日,失压\nm1,2025-01-02 08:00,失压\nm1,2025-01-02T00:00:00+08:00,失压\n"
    )
    frame, meta = read_events(_file(tmp_path, "events.csv", text.encode()))
    assert list(zip(meta["errors"]["row"], meta["errors"]["reason"], strict=True)) == [
        (2, "not a valid date/time"),
        (4, "a time with a UTC offset among local times"),
    ]
    assert [t.isoformat() for t in frame["timestamp"]] == ["2025-01-02T08:00:00+08:00"]


@pytest.mark.filterwarnings("error::UserWarning")  # parsed value by value on purpose: nothing for the log
def test_a_mix_pandas_refuses_whole_is_parsed_value_by_value(tmp_path):
    # Found by the benchmark: after taking out the values with an offset pandas still refused the rest.
    text = (
        "meter_id,timestamp,energy_kwh\n"
        'm1,1e10,1\nm1,2025-01-01T00:00:00+08:00,1\nm1,0000-01-01,1\nm1,"2025-01-01T00:00:00Z,",1\n'
    )
    frame, meta = read_curves(_file(tmp_path, "curves.csv", text.encode()))
    reasons = dict(zip(meta["errors"]["row"], meta["errors"]["reason"], strict=True))
    assert reasons[3] == "a time with a UTC offset among local times"
    assert reasons[4] == "date/time out of range (1900 to 2199)" and 2 in reasons


@pytest.mark.parametrize("word", ["now", "today"])
def test_now_and_today_are_not_dates(tmp_path, word):
    frame, meta = read_daily_csv(_file(tmp_path, "daily.csv", f"{HEADER}m1,{word},1\n".encode()))
    assert frame.empty and list(meta["errors"]["reason"]) == ["not a valid date/time"]


# == regressions: the archive import's reading layer =====================================================


@pytest.fixture
def imp():
    """The archive importers, their messages in English."""
    from django.utils import translation

    with translation.override("en"):
        yield harness.archive_importers()


def test_a_field_over_the_csv_limit_is_a_file_problem_naming_the_row(tmp_path, imp):
    path = _file(tmp_path, "c.csv", ('户号,户名\n1,张三\n2,"' + "x" * 140_000 + '"\n').encode())
    with pytest.raises(imp._FileProblem, match="cannot be read at row 3") as info:
        harness.archive_read(path, "customers")
    assert info.value.row == 3


def test_a_row_wider_than_xlsx_columns_is_reported_with_its_column_letters(tmp_path, imp):
    path = _file(tmp_path, "c.csv", ("户号,户名\n1," + "," * 18300 + "x\n").encode())
    _total, errors = harness.archive_read(path, "customers")
    assert any("AAAA" in e.reason or "column " in e.reason for e in errors)
    assert (
        imp._column_letter(0) == "A"
        and imp._column_letter(16383) == "XFD"
        and imp._column_letter(18278) == "AAAA"
    )


def _sheet(rows_xml: str) -> bytes:
    return harness.XlsxTemplate().workbook(harness.XlsxTemplate.HEAD + rows_xml + harness.XlsxTemplate.TAIL)


@pytest.mark.parametrize(
    "rows_xml",
    [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>户号</t></is></c></row><row r="2"><c r="A2"><v>inf</v></c></row>',
        '<row r="1"><c r="A1" t="s"><v>5</v></c></row>',  # a shared string the file does not have
        '<row r="1"><c r="A1" t="b"><v>x</v></c></row>',
        '<row r="1"><c r="B-1"><v>1</v></c></row>',
        '<row r="1"><c r="A1" t="d"><v>1-1-1</v></c></row>',
        '<row r="1"><c r="A1"><v>1</v></c',  # cut short
    ],
)
def test_a_broken_xlsx_sheet_is_a_file_problem(tmp_path, imp, rows_xml):
    path = _file(tmp_path, "c.xlsx", _sheet(rows_xml))
    with pytest.raises(imp._FileProblem, match="XLSX file cannot be"):
        harness.archive_read(path, "customers")


def test_rows_past_excels_last_row_are_a_file_problem_not_a_long_wait(tmp_path, imp):
    headers = [c.header for c in imp.SPECS["stations"].columns if c.required]
    cells = "".join(
        f'<c r="{imp._column_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(headers)
    )
    rows = f'<row r="1">{cells}</row><row r="900000000"><c r="A900000000"><v>1</v></c></row>'
    path = _file(tmp_path, "s.xlsx", _sheet(rows))
    started = time.monotonic()
    with pytest.raises(imp._FileProblem, match="past Excel's last row"):
        harness.archive_read(path, "stations")
    assert time.monotonic() - started < 30


def test_a_corrupt_xlsx_zip_is_a_file_problem(tmp_path, imp):
    data = bytearray(_sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        offset = bytes(data).index(z.read(harness.XlsxTemplate.SHEET)[:20])
    data[offset + 5] ^= 0xFF  # the stored sheet's bytes no longer match its CRC
    with pytest.raises(imp._FileProblem, match="XLSX file cannot be"):
        harness.archive_read(_file(tmp_path, "c.xlsx", bytes(data)), "customers")


@pytest.mark.parametrize(
    ("parser", "value"),
    [
        ("parse_int", "1E+999999999"),  # int() of it would build a billion-digit integer
        ("parse_int", "1" * 30),
        ("parse_decimal", float("inf")),
        ("parse_decimal", float("nan")),
        ("parse_positive_decimal", float("-inf")),
        ("parse_int", float("inf")),
        ("parse_ratio", "1e999999/1e-999999"),
    ],
)
def test_value_parsers_refuse_what_they_cannot_represent(imp, parser, value):
    started = time.monotonic()
    with pytest.raises(imp._CellProblem):
        getattr(imp, parser)(value)
    assert time.monotonic() - started < 1


def test_value_parsers_still_read_ordinary_values(imp):
    assert imp.parse_int("12") == 12 and imp.parse_int(12.0) == 12
    assert str(imp.parse_decimal(1.5)) == "1.5" and str(imp.parse_decimal("１２３．５")) == "123.5"
    assert imp.parse_ratio("200/5")[0] == 40
    assert imp.parse_date(dt.datetime(2025, 1, 2, 3, 4)) == dt.date(2025, 1, 2)


@pytest.mark.django_db
def test_import_file_turns_a_broken_file_into_an_import_rejected_naming_file_and_row(county, tmp_path, imp):
    path = _file(tmp_path, "customers.csv", ('户号,户名\n1,"' + "x" * 140_000 + '"\n').encode())
    with pytest.raises(imp.ImportRejected) as info:
        imp.import_file(entity="customers", path=path)
    (error,) = info.value.errors
    assert (error.file, error.row) == ("customers.csv", 2) and "cannot be read at row 2" in error.reason
    path = _file(tmp_path, "customers.xlsx", _sheet('<row r="1"><c r="A1"><v>inf</v></c></row>'))
    with pytest.raises(imp.ImportRejected) as info:
        imp.import_file(entity="customers", path=path)
    assert info.value.errors[0].file == "customers.xlsx" and "cannot be opened" in info.value.errors[0].reason
