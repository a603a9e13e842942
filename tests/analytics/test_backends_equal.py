"""The same Ibis code gives the same monthly loss on DuckDB and on PySpark (local mode).

One small Spark session for the whole test run (``spark`` in conftest.py); skipped with a message when
PySpark or Java is missing.
Equality is to 1e-9 relative: Spark and DuckDB add floating-point numbers in different orders.
"""

import datetime as dt

import ibis
import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from gridcheck_analytics import lineloss
from gridcheck_analytics.backends import connect
from gridcheck_analytics.quality import validate_daily
from gridcheck_analytics.schema import AREA_METER_READINGS, DAILY_READINGS, METERS, conform

START, END = dt.date(2025, 1, 1), dt.date(2025, 2, 28)


def dataset():
    """Two areas, four customers, 75 days, one missing reading, one stopped meter, one backwards register."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-12-16", "2025-02-28").date
    meters = conform(
        pd.DataFrame(
            {
                "meter_id": ["m1", "m2", "m3", "m4"],
                "area_code": ["A", "A", "B", "B"],
                "line_code": ["L1", "L1", "L1", "L2"],
                "station_code": "S1",
                "multiplier": [1.0, 30.0, 1.0, 1.0],
                "rated_voltage_v": 220.0,
                "max_current_a": [60.0, 6.0, 60.0, 60.0],
                "phases": [1, 3, 1, 1],
                "register_digits": 6,
            }
        ),
        METERS,
    )
    rows = []
    for mid, mean in [("m1", 6.0), ("m2", 0.8), ("m3", 4.0), ("m4", 9.0)]:
        use = rng.gamma(4.0, mean / 4.0, len(days)).round(2)
        if mid == "m4":
            use[50:] = 0.0  # stopped
        reg = 1000.0 + np.cumsum(use)
        if mid == "m3":
            reg[40] -= 30.0  # backwards
        rows.append(pd.DataFrame({"meter_id": mid, "reading_date": days, "register_total_kwh": reg.round(2)}))
    daily = pd.concat(rows).reset_index(drop=True).drop(index=[20])  # a missing reading of m1
    area = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_code": a,
                    "meter_id": f"AM-{a}",
                    "reading_date": days,
                    "register_total_kwh": (10.0 + np.cumsum(rng.uniform(lo, hi, len(days)))).round(2),
                    "multiplier": 40.0,
                    "current_a_a": 10.0,
                    "current_b_a": rng.uniform(6, 10, len(days)).round(1),
                    "current_c_a": 9.0,
                }
            )
            for a, lo, hi in [("A", 0.8, 0.9), ("B", 0.3, 0.4)]
        ]
    )
    return meters, conform(daily, DAILY_READINGS), conform(area, AREA_METER_READINGS)


def monthly(con, meters, daily, area):
    m = ibis.memtable(meters)
    areas = m.select("area_code", "line_code", "station_code").distinct()
    supply = lineloss.area_supply_daily(ibis.memtable(area), START, END, areas=areas, con=con)
    vee = validate_daily(ibis.memtable(daily), m, START, END, area_supply=supply, con=con)
    daily_loss = lineloss.daily_area_loss(vee, supply)
    area_m = con.execute(lineloss.monthly_area_loss(daily_loss))  # one Spark job: VEE counts ride along
    return area_m.sort_values(["area_code", "line_code", "month"]).reset_index(drop=True), vee


def test_monthly_area_loss_identical_on_duckdb_and_pyspark(spark):
    data = dataset()
    duck_con = connect("duckdb")
    duck, duck_codes = monthly(duck_con, *data)
    spk, _ = monthly(spark, *data)
    assert len(duck) == 6  # A/L1, B/L1, B/L2 x two months
    keys = [
        "area_code",
        "line_code",
        "station_code",
        "month",
        "days",
        "meter_days",
        "meter_days_read",
        "readings_estimated",
        "readings_flagged",
    ]
    pd.testing.assert_frame_equal(duck[keys], spk[keys], check_dtype=False)
    numbers = [
        "supply_kwh",
        "sales_kwh",
        "loss_kwh",
        "loss_rate_percent",
        "reading_rate_percent",
        "imbalance_rate",
    ]
    assert_allclose(spk[numbers].to_numpy(float), duck[numbers].to_numpy(float), rtol=1e-9, atol=1e-9)
    # the data hold every case the counts must agree on
    codes = duck_con.execute(duck_codes.quality_code.value_counts())
    assert {"estimated", "stopped", "register_backwards"} <= set(codes["quality_code"])
    assert duck["readings_flagged"].sum() > 0 and duck["readings_estimated"].sum() == 1
