"""A province's month streamed to Parquet: layout, content, chunking, and the monthly run reading it.

The simulator writes one chunk of whole areas at a time; the data must not depend on the chunk size apart
from the random draws, must be sorted by meter id within each file, and must hold every meter-day but the
missing ones.  The store of all counties is what ``run_monthly`` reads.
"""

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from gridcheck_analytics.backends import connect
from gridcheck_analytics.pipeline import run_monthly
from gridcheck_analytics.province_sim import ProvinceStore, split_meters, write_province
from gridcheck_analytics.schema import DAILY_READINGS, METERS, conform

MONTH = "2025-02"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    stats = write_province(root, meters=3001, counties=3, month=MONTH, seed=1, chunk_meters=400)
    return root, stats


def test_layout_is_one_store_per_county_partitioned_by_month(province):
    root, stats = province
    assert sorted(p.name for p in root.iterdir()) == ["C01", "C02", "C03"]
    for county in ("C01", "C02", "C03"):
        for frame in ("daily", "area_meter"):
            assert sorted(p.name for p in (root / county / frame).iterdir()) == ["2025-01", MONTH]
    assert stats["lead_in_month"] == "2025-01" and stats["meters"] == 3001
    assert split_meters(3001, 3) == [1001, 1000, 1000]


def test_every_meter_has_its_lead_in_day_and_about_98_percent_of_its_days(province):
    root, stats = province
    store = ProvinceStore(root)
    meters = store.meters()
    assert len(meters) == 3001 and meters["meter_id"].is_unique
    assert conform(meters, METERS).columns.tolist() == list(METERS.columns)
    daily = conform(pd.concat(pd.read_parquet(p) for p in store.paths("daily")), DAILY_READINGS)
    assert len(daily) == stats["daily_rows"]
    assert not daily.duplicated(["meter_id", "reading_date"]).any()
    lead = daily[daily["reading_date"] == dt.date(2025, 1, 31)]
    assert set(lead["meter_id"]) == set(meters["meter_id"])  # 28 days of February + the lead-in day
    in_month = len(daily) - len(lead)
    assert 0.97 * 3001 * 28 < in_month < 0.99 * 3001 * 28
    # each file is sorted by meter id (the row groups of a range of meters are read alone)
    for path in store.paths("daily"):
        ids = pq.read_table(path, columns=["meter_id"])["meter_id"].to_pylist()
        assert ids == sorted(ids)
    # areas are whole within a county, and each has its summary meter every day
    area = pd.concat(pd.read_parquet(p) for p in store.paths("area_meter"))
    assert set(area["area_code"]) == set(meters["area_code"])
    assert len(area) == meters["area_code"].nunique() * 29
    assert meters.groupby("area_code")["meter_id"].count().between(1, 400).all()


def test_chunks_of_whole_areas_keep_the_memory_of_one_chunk(tmp_path):
    # chunk_meters=400 wrote many row groups: the files hold the chunks one after the other
    write_province(tmp_path, meters=2000, counties=1, month=MONTH, seed=1, chunk_meters=400)
    daily = pq.ParquetFile(tmp_path / "C01" / "daily" / MONTH / "part-0.parquet")
    assert daily.metadata.num_row_groups >= 4
    with pytest.raises(ValueError, match="unknown counties"):
        write_province(tmp_path, meters=2000, counties=1, only_counties=["C07"])


def test_the_monthly_run_reads_the_counties_as_one_store(province):
    root, _ = province
    store = ProvinceStore(root)
    result = run_monthly(store, {"meters": store.meters()}, MONTH, con=connect("duckdb"), history_months=0)
    monthly = result["area_monthly"]
    assert len(monthly) == store.meters()["area_code"].nunique()
    # supply = customers' energy / (1 - 3..7 % technical loss), some meters under-registering: the loss is
    # at least the technical one on every area
    assert monthly["loss_rate_percent"].between(2.5, 40).all()
    assert (monthly["reading_rate_percent"] > 95).all()
    one = ProvinceStore(root, ["C02"])
    assert len(one.meters()) == 1000 and all("/C02/" in p for p in one.paths("daily"))
