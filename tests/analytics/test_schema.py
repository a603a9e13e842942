"""Canonical frames: declared once, conformed at the boundary."""

import pandas as pd
import pytest

from gridcheck_analytics.schema import (
    CURVES,
    DAILY_READINGS,
    EVENT_NAMES_ZH,
    FRAMES,
    READ_CODES,
    TIMEZONE,
    EventCode,
    QualityCode,
    conform,
)


def test_conform_adds_optional_columns_in_order_with_dtypes():
    frame = pd.DataFrame({"reading_date": ["2025-01-02"], "meter_id": ["m1"], "register_total_kwh": ["12.5"]})
    out = conform(frame, DAILY_READINGS)
    assert list(out.columns) == list(DAILY_READINGS.columns)
    assert out["register_total_kwh"].iat[0] == 12.5
    assert out["energy_kwh"].isna().all()
    assert str(out["reading_date"].dtype) == "date32[day][pyarrow]"


def test_conform_localises_naive_timestamps_to_shanghai():
    out = conform(pd.DataFrame({"meter_id": ["m1"], "timestamp": ["2025-01-01 00:15"]}), CURVES)
    assert str(out["timestamp"].dt.tz) == TIMEZONE
    assert out["timestamp"].iat[0].hour == 0 and out["timestamp"].iat[0].minute == 15


@pytest.mark.parametrize("spec", list(FRAMES.values()), ids=list(FRAMES))
def test_missing_required_column_is_refused(spec):
    with pytest.raises(ValueError, match="required column"):
        conform(pd.DataFrame({"unrelated": [1]}), spec)


@pytest.mark.parametrize("spec", list(FRAMES.values()), ids=list(FRAMES))
def test_empty_frames_have_all_columns(spec):
    assert list(spec.empty().columns) == list(spec.columns)


def test_quantities_carry_units_in_their_names():
    for spec in FRAMES.values():
        for name, col in spec.columns.items():
            if col.unit and col.unit != "1":
                assert name.endswith("_" + col.unit.lower()), name


def test_every_event_code_has_its_chinese_name_and_read_codes_exclude_estimates():
    assert set(EVENT_NAMES_ZH.values()) == set(EventCode)
    assert QualityCode.MISSING not in READ_CODES and QualityCode.ESTIMATED not in READ_CODES
    assert QualityCode.VALID in READ_CODES


def test_conform_gives_an_absent_optional_column_as_nulls_of_its_dtype():
    """The optional columns a frame lacks come as nulls of their canonical dtype (text, float, nullable
    integer), what converting a column of None gives."""
    import numpy as np
    import pandas as pd

    from gridcheck_analytics.schema import METERS, conform

    frame = pd.DataFrame(
        {
            "meter_id": ["M1", "M2"],
            "area_code": "A1",
            "line_code": "L1",
            "station_code": "S1",
            "multiplier": 1.0,
            "rated_voltage_v": 220.0,
            "max_current_a": 60.0,
        }
    )
    out = conform(frame, METERS)
    assert list(out.columns) == list(METERS.columns)
    for name in ("account_number", "category", "contracted_capacity_kva", "phases", "register_digits"):
        column = METERS.columns[name]
        want = pd.Series([None, None]).astype("Int64" if column.dtype == "int64" else column.dtype)
        assert out[name].dtype == want.dtype, name
        assert out[name].isna().all(), name
    assert out["contracted_capacity_kva"].dtype == np.float64


def test_dates_from_every_kind_of_input_are_their_local_days():
    """Dates, ISO strings, naive and zoned timestamps (by their Asia/Shanghai day), empty cells as null; a
    frame conformed again is unchanged."""
    import datetime as dt

    expected = [dt.date(2025, 12, 31), dt.date(2026, 1, 1), None]
    shanghai = (
        pd.to_datetime(["2025-12-31 15:59", "2025-12-31 16:00"]).tz_localize("UTC").tz_convert(TIMEZONE)
    )
    inputs = [
        [dt.date(2025, 12, 31), dt.date(2026, 1, 1), None],
        ["2025-12-31", "2026-01-01", None],
        pd.to_datetime(["2025-12-31 23:59", "2026-01-01 00:00", None]),
        list(shanghai) + [pd.NaT],
    ]
    for values in inputs:
        frame = conform(pd.DataFrame({"meter_id": ["m1"] * 3, "reading_date": values}), FRAMES["daily"])
        got = [None if pd.isna(v) else v for v in frame["reading_date"]]
        assert got == expected, values
        assert str(frame["reading_date"].dtype) == "date32[day][pyarrow]"
        assert conform(frame, FRAMES["daily"]).equals(frame)


def test_each_row_is_stored_in_its_local_month():
    from gridcheck_analytics.store import _months

    stamps = pd.to_datetime(["2025-12-31 15:45", "2025-12-31 16:00", "2026-01-31 16:00"]).tz_localize("UTC")
    curves = conform(pd.DataFrame({"meter_id": ["m1"] * 3, "timestamp": stamps}), FRAMES["curves"])
    assert _months(curves, FRAMES["curves"]).tolist() == ["2025-12", "2026-01", "2026-02"]
    daily = conform(
        pd.DataFrame({"meter_id": ["m1"] * 3, "reading_date": ["2025-12-31", "2026-01-01", "2026-02-28"]}),
        FRAMES["daily"],
    )
    assert _months(daily, FRAMES["daily"]).tolist() == ["2025-12", "2026-01", "2026-02"]
