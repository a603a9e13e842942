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
