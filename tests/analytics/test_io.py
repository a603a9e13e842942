"""Readers: mapping, row errors naming file/row/column/reason, warnings."""

import io

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.io import (
    read_area_meter,
    read_curves,
    read_daily_csv,
    read_daily_parquet,
    read_events,
)
from gridcheck_analytics.schema import METERS, conform

METERS_FRAME = conform(
    pd.DataFrame(
        {
            "meter_id": ["m1", "m2"],
            "area_code": ["A", "A"],
            "line_code": ["L", "L"],
            "station_code": ["S", "S"],
            "multiplier": [1.0, 1.0],
            "rated_voltage_v": [220.0, 220.0],
            "max_current_a": [60.0, 60.0],
            "register_digits": [4, 4],
        }
    ),
    METERS,
)

GOOD = """meter_id,reading_date,register_total_kwh
m1,2025-01-01,100.5
m1,2025-01-02,110.0
m2,2025-01-01,20
"""


def csv(text):
    return io.StringIO(text)


def test_good_file_is_read_sorted_with_values():
    frame, meta = read_daily_csv(csv(GOOD), meters=METERS_FRAME)
    assert meta["rows_read"] == 3 and meta["rows_accepted"] == 3 and meta["rows_rejected"] == 0
    assert list(frame["meter_id"]) == ["m1", "m1", "m2"]
    assert_allclose(frame["register_total_kwh"], [100.5, 110.0, 20.0])
    assert meta["warnings"] == []


def test_chinese_headers_through_a_mapping():
    text = "表号,日期,正向有功总\nm1,2025-01-01,5\n"
    mapping = {"表号": "meter_id", "日期": "reading_date", "正向有功总": "register_total_kwh"}
    frame, _ = read_daily_csv(csv(text), mapping=mapping, meters=METERS_FRAME)
    assert_allclose(frame["register_total_kwh"], [5.0])


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match=r"required column\(s\) \['reading_date'\] missing"):
        read_daily_csv(csv("meter_id,date\nm1,2025-01-01\n"))


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("m9,2025-01-03,5", "meter_id", "unknown meter"),
        ("m1,2025-01-03,abc", "register_total_kwh", "not a number"),
        ("m1,2025-01-03,-4", "register_total_kwh", "negative value"),
        ("m1,2025-13-45,4", "reading_date", "not a valid date/time"),
        ("m1,2025-01-03,10000", "register_total_kwh", "register at or above the meter's digit capacity"),
        (",2025-01-03,4", "meter_id", "empty"),
    ],
)
def test_bad_row_is_rejected_and_named(line, column, reason):
    frame, meta = read_daily_csv(csv(GOOD + line + "\n"), meters=METERS_FRAME)
    errors = meta["errors"]
    assert meta["rows_accepted"] == 3 and meta["rows_rejected"] == 1
    assert list(errors[["row", "column", "reason"]].itertuples(index=False, name=None)) == [
        (5, column, reason)
    ]
    assert errors["file"].iat[0]  # names the file


def test_conflicting_duplicates_reject_every_copy_exact_ones_keep_one():
    text = GOOD + "m1,2025-01-02,111.0\nm2,2025-01-01,20\n"
    frame, meta = read_daily_csv(csv(text), meters=METERS_FRAME)
    assert sorted(meta["errors"]["row"]) == [3, 5]
    assert set(meta["errors"]["reason"]) == {"duplicate key (meter, time) with different values"}
    assert len(frame) == 2  # m1 01-01 and one copy of m2 01-01
    assert any("exact duplicate" in w for w in meta["warnings"])


def test_rows_out_of_order_are_sorted_with_a_warning():
    text = "meter_id,reading_date,register_total_kwh\nm1,2025-01-02,110\nm1,2025-01-01,100\n"
    frame, meta = read_daily_csv(csv(text), meters=METERS_FRAME)
    assert_allclose(frame["register_total_kwh"], [100.0, 110.0])
    assert any("out of order" in w for w in meta["warnings"])


def test_register_rollover_is_reported():
    text = "meter_id,reading_date,register_total_kwh\nm1,2025-01-01,9995\nm1,2025-01-02,3\n"
    frame, meta = read_daily_csv(csv(text), meters=METERS_FRAME)
    assert len(frame) == 2 and len(meta["rollovers"]) == 1
    assert_allclose(meta["rollovers"]["previous_kwh"], [9995.0])
    assert any("rollover" in w for w in meta["warnings"])


def test_parquet_reader_matches_csv(tmp_path):
    path = tmp_path / "daily.parquet"
    pd.read_csv(csv(GOOD)).to_parquet(path)
    frame, meta = read_daily_parquet(path, meters=METERS_FRAME)
    expected, _ = read_daily_csv(csv(GOOD), meters=METERS_FRAME)
    pd.testing.assert_frame_equal(frame, expected)
    assert meta["errors"].empty


def test_curves_convert_local_time_and_reject_daylight_saving_gaps(tmp_path):
    text = (
        "id,t,kwh\n"
        "c1,2013-10-06 01:30:00,0.1\n"
        "c1,2013-10-06 02:00:00,0.2\n"  # does not exist in Sydney: clocks 02:00 -> 03:00
        "c1,2013-10-06 03:00:00,0.3\n"
        "c1,2013-04-07 02:30:00,0.4\n"  # ambiguous: clocks went back 03:00 -> 02:00
    )
    path = tmp_path / "c.csv"
    path.write_text(text)
    frame, meta = read_curves(
        path, mapping={"id": "meter_id", "t": "timestamp", "kwh": "energy_kwh"}, source_tz="Australia/Sydney"
    )
    assert list(meta["errors"]["row"]) == [3, 5]
    assert "does not exist" in meta["errors"]["reason"].iat[0]
    assert "ambiguous" in meta["errors"]["reason"].iat[1]
    # 01:30 AEST (UTC+10) = 23:30 the day before in Shanghai (UTC+8)
    first = frame["timestamp"].iat[0]
    assert (first.day, first.hour, first.minute) == (5, 23, 30)
    assert_allclose(frame["energy_kwh"], [0.1, 0.3])


def test_events_accept_chinese_names_and_reject_unknown_codes():
    text = "meter_id,timestamp,event_code\nm1,2025-01-01 08:00,失压\nm1,2025-01-01 09:00,cover_opened\nm2,2025-01-01 08:00,lightning\n"
    frame, meta = read_events(csv(text), fmt="csv", meters=METERS_FRAME)
    assert list(frame["event_code"]) == ["loss_of_voltage", "cover_opened"]
    assert list(meta["errors"]["reason"]) == ["unknown event code"]


def test_area_meter_readings():
    text = "area_code,meter_id,reading_date,register_total_kwh,multiplier,current_a_a\nA,AM1,2025-01-01,10,40,12.5\n"
    frame, meta = read_area_meter(csv(text), fmt="csv")
    assert_allclose(
        frame[["register_total_kwh", "multiplier", "current_a_a"]].to_numpy(), [[10.0, 40.0, 12.5]]
    )
    assert np.isnan(frame["current_b_a"].iat[0])


def test_meta_names_the_columns_the_source_has_and_the_store_keeps_the_others(tmp_path):
    from gridcheck_analytics.store import MeterStore

    full = "表号,日期,总,峰,谷\nm1,2025-01-01,10,4,6\n"
    mapping = {"表号": "meter_id", "日期": "reading_date", "总": "register_total_kwh"}
    frame, meta = read_daily_csv(
        csv(full), mapping={**mapping, "峰": "register_peak_kwh", "谷": "register_valley_kwh"}
    )
    assert meta["columns"] == [
        "meter_id", "reading_date", "register_total_kwh", "register_peak_kwh", "register_valley_kwh",
    ]  # fmt: skip
    store = MeterStore(tmp_path)
    store.upsert("daily", frame, columns=meta["columns"])
    frame, meta = read_daily_csv(csv("表号,日期,总\nm1,2025-01-01,11\n"), mapping=mapping)
    assert meta["columns"] == ["meter_id", "reading_date", "register_total_kwh"]
    assert frame["register_peak_kwh"].isna().all()  # the frame is canonical: absent columns are null
    store.upsert("daily", frame, columns=meta["columns"])
    back = store.read("daily")
    assert_allclose(back[["register_total_kwh", "register_peak_kwh", "register_valley_kwh"]], [[11, 4, 6]])
