"""The SGSC day matrix keeps only days with all 48 half-hours (the filter that did nothing before)."""

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.io.readers import ReaderError, read_sgsc_days, sgsc_day_matrix


def _long(days=("2013-01-01", "2013-01-02", "2013-01-03"), customers=(1, 2)):
    rows = []
    for c in customers:
        for d in days:
            for slot in range(48):
                ts = pd.Timestamp(d) + pd.Timedelta(minutes=30 * slot)
                rows.append((c, ts.strftime("%Y-%m-%d %H:%M:%S"), c + slot / 100))
    return pd.DataFrame(rows, columns=["customer_id", "reading_datetime", "general_supply_kwh"])


def test_complete_days_in_order():
    idx, m = sgsc_day_matrix(_long())
    assert m.shape == (6, 48)
    assert list(idx.columns) == ["customer_id", "day"]
    assert np.allclose(m[0], 1 + np.arange(48) / 100)


def test_a_day_missing_one_half_hour_is_left_out():
    f = _long()
    f = f.drop(f.index[(f.customer_id == 1) & (f.reading_datetime == "2013-01-02 13:30:00")])
    idx, m = sgsc_day_matrix(f)
    assert m.shape == (5, 48)
    assert not ((idx.customer_id == 1) & (idx.day == pd.Timestamp("2013-01-02"))).any()
    assert not np.isnan(m).any()


def test_a_half_hour_missing_everywhere_leaves_no_day():
    f = _long()
    f = f[~f.reading_datetime.str.endswith("23:30:00")]  # the slot has no column after the pivot
    idx, m = sgsc_day_matrix(f)
    assert m.shape == (0, 48) and len(idx) == 0


def test_duplicate_times_are_dropped_with_their_day():
    f = _long()
    dup = f[(f.customer_id == 2) & (f.reading_datetime == "2013-01-03 02:00:00")].assign(
        general_supply_kwh=9.0
    )
    idx, m = sgsc_day_matrix(pd.concat([f, dup]))
    assert m.shape == (5, 48)  # both copies dropped: that day is incomplete
    assert not ((idx.customer_id == 2) & (idx.day == pd.Timestamp("2013-01-03"))).any()


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(ReaderError, match="absent.csv"):
        read_sgsc_days(tmp_path / "absent.csv")
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"customer_id": [1], "reading_datetime": ["2013-01-01 00:00:00"]}).to_csv(bad, index=False)
    with pytest.raises(ReaderError, match="bad.csv.*general_supply_kwh"):
        read_sgsc_days(bad)
    ok = tmp_path / "ok.csv.gz"
    _long().to_csv(ok, index=False)
    assert read_sgsc_days(ok)[1].shape == (6, 48)
