"""The real SGSC half-hourly household data loads through the curve import path and passes VEE.

Reads ``../shared/data/sgsc-50`` beside the repository; skipped with a message when it is absent.
Daylight-saving decision: the data are naive Sydney local time; times that do not exist (clocks forward)
or are ambiguous (clocks back) are row errors, never guessed, and VEE estimates the days they leave short.
"""

import datetime as dt

import ibis
import pandas as pd
import pytest

from gridcheck_analytics.backends import connect
from gridcheck_analytics.detection.evaluate import SGSC_PATH
from gridcheck_analytics.io import SGSC_CURVE_MAPPING, read_curves
from gridcheck_analytics.quality import curves_to_daily, validate_daily
from gridcheck_analytics.schema import METERS, QualityCode, conform

SGSC = SGSC_PATH


@pytest.fixture(scope="module")
def sgsc():
    if not SGSC.is_file():
        pytest.skip(f"real data not found at {SGSC} (needs ../shared beside the repository)")
    return read_curves(SGSC, mapping=SGSC_CURVE_MAPPING, source_tz="Australia/Sydney")


def test_every_row_is_accepted_or_named(sgsc):
    frame, meta = sgsc
    assert meta["rows_read"] == 1_278_870  # as counted in the data set's README
    assert frame["meter_id"].nunique() == 50
    rejected = meta["errors"]["row"].nunique()
    assert meta["rows_accepted"] + rejected == meta["rows_read"]
    reasons = set(meta["errors"]["reason"])
    assert any("does not exist in Australia/Sydney" in r for r in reasons)  # e.g. 2013-10-06 02:00, 02:30
    # the README's 158 duplicate pairs (316 rows): 176 rows at 2013-10-06 02:00/02:30 and 132 at
    # 2012-10-07 02:00/02:30 fall in the clocks-forward gap; 8 rows elsewhere disagree in value
    errors = meta["errors"]
    for day in ("2013-10-06 02:", "2012-10-07 02:"):
        gap = errors[errors["value"].str.startswith(day)]
        assert set(gap["reason"]) == {"local time does not exist in Australia/Sydney (clocks went forward)"}
    assert len(errors[errors["value"].str.match(r"2013-10-06 02:|2012-10-07 02:")]) >= 176 + 132
    assert (errors["reason"] == "duplicate key (meter, time) with different values").sum() == 8
    assert rejected < 0.001 * meta["rows_read"]
    assert str(frame["timestamp"].dt.tz) == "Asia/Shanghai"


def test_sgsc_passes_vee(sgsc):
    frame, _ = sgsc
    meters = conform(
        pd.DataFrame(
            {
                "meter_id": frame["meter_id"].unique(),
                "area_code": "SGSC",
                "line_code": "SGSC-L",
                "station_code": "SGSC-S",
                "multiplier": 1.0,
                "rated_voltage_v": 230.0,
                "max_current_a": 60.0,
            }
        ),
        METERS,
    )
    first = frame.groupby("meter_id")["timestamp"].min().dt.tz_localize(None).dt.normalize()
    last = frame.groupby("meter_id")["timestamp"].max().dt.tz_localize(None).dt.normalize()
    con = connect("duckdb")
    daily = curves_to_daily(ibis.memtable(frame), interval_minutes=30)
    vee = validate_daily(daily, ibis.memtable(meters), dt.date(2012, 1, 1), dt.date(2014, 2, 28))
    out = con.execute(vee)
    out["reading_date"] = pd.to_datetime(out["reading_date"])
    # only the days each customer was in the trial
    out = out[
        (out["reading_date"] > out["meter_id"].map(first)) & (out["reading_date"] < out["meter_id"].map(last))
    ]
    codes = out["quality_code"].value_counts(normalize=True)
    assert set(codes.index) <= {c.value for c in QualityCode}
    assert codes[QualityCode.VALID] > 0.8
    assert codes.get(QualityCode.MISSING, 0) < 0.01
    # The clocks-back rows (02:00, 02:30 on 2013-04-07) are ambiguous and rejected, which leaves the
    # Shanghai day 2013-04-06 (it ends at 02:00 Sydney summer time) short: estimated, not summed short.
    short = out[out["reading_date"] == pd.Timestamp("2013-04-06")]
    assert len(short) > 30 and set(short["quality_code"]) == {QualityCode.ESTIMATED}
    assert (short["energy_kwh"] > 0).all()
