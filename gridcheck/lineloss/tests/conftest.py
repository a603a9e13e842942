"""Hand-made meter data for the small county, written to a temporary meter store."""

import datetime as dt

import pandas as pd
import pytest

from gridcheck_analytics.schema import AREA_METER_READINGS, DAILY_READINGS, conform
from gridcheck_analytics.store import MeterStore

MONTH = dt.date(2026, 10, 1)
DAYS = pd.date_range("2026-09-30", "2026-10-31", freq="D").date  # 30 Sep: the register before 1 Oct
#: Daily register increment per customer meter [kWh of register]: residential x1, commercial x40 (CT 200/5).
CUSTOMER_STEP = {1: 5.0, 2: 1.0}
#: Daily register increment of each area's summary meter (multiplier 10) [kWh of register].
AREA_STEP = {"S01-A1": 5.0, "S01-A2": 4.6, "S02-A1": 4.5, "S02-A2": 4.5}


def daily_frame(county) -> pd.DataFrame:
    rows = []
    for key, customer in county.customers.items():
        m = int(key[-1])
        meter = f"M{customer.account_number}"
        for i, day in enumerate(DAYS):
            rows.append(
                {"meter_id": meter, "reading_date": day, "register_total_kwh": 1000.0 + CUSTOMER_STEP[m] * i}
            )
    return conform(pd.DataFrame(rows), DAILY_READINGS)


def area_frame() -> pd.DataFrame:
    rows = []
    for code, step in AREA_STEP.items():
        for i, day in enumerate(DAYS):
            rows.append(
                {
                    "area_code": code,
                    "meter_id": f"AM-{code}",
                    "reading_date": day,
                    "register_total_kwh": 500.0 + step * i,
                    "multiplier": 10.0,
                    "current_a_a": 100.0,
                    "current_b_a": 100.0 if code != "S02-A2" else 60.0,  # 40 % imbalance in S02-A2
                    "current_c_a": 95.0,
                }
            )
    return conform(pd.DataFrame(rows), AREA_METER_READINGS)


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.GRIDCHECK_DATA_DIR = str(tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def meter_data(county, data_dir):
    store = MeterStore(data_dir)
    store.upsert("daily", daily_frame(county))
    store.upsert("area_meter", area_frame())
    return store
