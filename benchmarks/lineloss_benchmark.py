"""Benchmark: VEE plus monthly area loss over a year of daily consumption; prints figures.

    .venv/bin/python benchmarks/lineloss_benchmark.py --meters 1000000 --days 365
    .venv/bin/python benchmarks/lineloss_benchmark.py --meters 20000 --days 365 --spark-meters 20000

Phases, each in its own process so that each one's peak memory is its own:

1. generate  -- synthetic daily consumption (about 2 % missing), meters and area-meter registers, written
                with DuckDB as the store's Parquet layout (not timed as part of the job);
2. duckdb    -- the job, ``pipeline.area_loss`` with Ibis on DuckDB reading the Parquet store: one pass
                over all the days (not twelve monthly runs): the area meters' supply, VEE
                (``quality.validate_daily``: its NumPy kernel over one bucket of meters at a time)
                of every meter-day, and daily and monthly loss per area and per line;
3. pandas    -- the same computation written the straightforward way in pandas (groupby + apply per
                meter); run on at most ``--pandas-meters`` meters (reading only their rows) and scaled
                linearly when smaller, which the output says;
4. import    -- import throughput: ``read_daily_csv`` + ``MeterStore.upsert`` on a CSV of daily readings;
5. spark     -- the same Ibis job on PySpark local mode (``--spark-meters``, 0 to skip).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = dt.date(2025, 1, 1)
METERS_PER_AREA = 200


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def generate(data_dir: Path, meters: int, days: int, *, registers: bool = False) -> dict:
    """The store's Parquet files of ``meters`` meters over ``days`` days from :data:`START`; the meters'
    daily consumption (``energy_kwh``), or with ``registers`` their daily register (``register_total_kwh``,
    the 24:00 freeze that AMI collects: VEE computes the energy from its steps).  About 2 % of the
    meter-days are missing either way; each day's use is 0.6-1.4 (registers: 0.2-1.8) times the
    meter's mean."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    (data_dir / "archive").mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""COPY (SELECT 'M' || lpad(CAST(m AS VARCHAR), 7, '0') AS meter_id,
                 'A' || CAST(m // {METERS_PER_AREA} AS VARCHAR) AS area_code,
                 'L' || CAST(m // 20000 AS VARCHAR) AS line_code,
                 'S' || CAST(m // 200000 AS VARCHAR) AS station_code,
                 CAST(1.0 AS DOUBLE) AS multiplier, CAST(220.0 AS DOUBLE) AS rated_voltage_v,
                 CAST(60.0 AS DOUBLE) AS max_current_a,
                 CAST(1 AS BIGINT) AS phases, CAST(6 AS BIGINT) AS register_digits
          FROM range({meters}) t(m)) TO '{data_dir}/archive/meters.parquet' (FORMAT parquet)"""
    )
    end = START + dt.timedelta(days=days - 1)
    month = dt.date(START.year, START.month, 1)
    rows = 0
    rate = "(1 + (hash(m) % 1000) / 100.0)"  # the meter's mean use [kWh/day]
    if registers:  # a start below 100,000 kWh, then the mean plus up to 0.8 of it either way each day
        column = "register_total_kwh"
        value = f"round(hash(m) % 100000 + {rate} * (d + 0.8 * (hash(m, d) % 1000) / 1000.0), 2)"
    else:
        column, value = "energy_kwh", f"round({rate} * (0.6 + 0.8 * random()), 3)"
    while month <= end:
        nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        lo = max((month - START).days, 0)
        hi = min((nxt - START).days, days)
        for frame in ("daily", "area_meter"):
            (data_dir / frame / f"{month:%Y-%m}").mkdir(parents=True, exist_ok=True)
        con.execute(
            f"""COPY (SELECT 'M' || lpad(CAST(m AS VARCHAR), 7, '0') AS meter_id,
                     DATE '{START}' + CAST(d AS INTEGER) AS reading_date,
                     {value} AS {column}
              FROM range({meters}) t(m), range({lo}, {hi}) s(d)
              WHERE random() >= 0.02)
              TO '{data_dir}/daily/{month:%Y-%m}/part-0.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"""
        )
        rows += con.execute(
            f"SELECT count(*) FROM '{data_dir}/daily/{month:%Y-%m}/part-0.parquet'"
        ).fetchone()[0]
        month = nxt
    # area meters: register = cumulative supply; supply = 1.05 x the area's (true) mean use per day
    con.execute(
        f"""CREATE TABLE supply AS
            SELECT m // {METERS_PER_AREA} AS a, d, sum((1 + (hash(m) % 1000) / 100.0)) * 1.05 AS kwh
            FROM range({meters}) t(m), range(-1, {days}) s(d) GROUP BY ALL"""
    )
    month = dt.date(START.year, START.month, 1)
    while month <= end:
        nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        con.execute(
            f"""COPY (SELECT area_code, meter_id, reading_date, register_total_kwh, multiplier,
                       current_a_a, current_b_a, current_c_a FROM (
                  SELECT 'A' || CAST(a AS VARCHAR) AS area_code, 'AM' || CAST(a AS VARCHAR) AS meter_id,
                         DATE '{START}' + CAST(d AS INTEGER) AS reading_date,
                         round(sum(kwh) OVER (PARTITION BY a ORDER BY d), 2) AS register_total_kwh,
                         CAST(1 AS DOUBLE) AS multiplier, CAST(100 AS DOUBLE) AS current_a_a,
                         CAST(90 AS DOUBLE) AS current_b_a, CAST(85 AS DOUBLE) AS current_c_a
                  FROM supply)
                WHERE reading_date >= DATE '{month}' AND reading_date < DATE '{nxt}')
              TO '{data_dir}/area_meter/{month:%Y-%m}/part-0.parquet' (FORMAT parquet)"""
        )
        month = nxt
    return {"rows": rows, "seconds": time.perf_counter() - t0}


def ibis_job(data_dir: Path, days: int, backend: str, meters_per_bucket: int | None = None) -> dict:
    from gridcheck_analytics.backends import connect, read_parquet
    from gridcheck_analytics.pipeline import area_loss
    from gridcheck_analytics.store import MeterStore

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    if backend == "pyspark":
        con = connect(backend, memory="6g")
    else:
        con = connect(backend, threads=os.cpu_count())
        spill = data_dir / "duckdb-spill"
        spill.mkdir(parents=True, exist_ok=True)
        con.raw_sql("SET preserve_insertion_order = false")
        con.raw_sql(f"SET temp_directory = '{spill}'")
        con.raw_sql("SET memory_limit = '6GB'")
    t_connect = time.perf_counter() - t0
    store = MeterStore(data_dir)
    end = START + dt.timedelta(days=days - 1)
    t1 = time.perf_counter()
    meters = read_parquet(con, [str(data_dir / "archive" / "meters.parquet")])
    out = area_loss(
        con,
        store.table(con, "daily"),
        meters,
        store.table(con, "area_meter"),
        START,
        end,
        history_start=START,
        registers=False,
        meters_per_bucket=meters_per_bucket if backend == "duckdb" else None,
    )
    monthly = out["area_monthly"]
    seconds = time.perf_counter() - t1
    return {
        "seconds": seconds,
        "connect_seconds": t_connect,
        "buckets": out["buckets"],
        "load_average": load,
        "areas": int(monthly["area_code"].nunique()),
        "area_months": len(monthly),
        "supply_kwh": float(monthly["supply_kwh"].sum()),
        "sales_kwh": float(monthly["sales_kwh"].sum()),
        "readings_estimated": int(monthly["readings_estimated"].sum()),
        "readings_flagged": int(monthly["readings_flagged"].sum()),
        "peak_mb": peak_mb(),
    }


def pandas_job(data_dir: Path, days: int, max_meters: int) -> dict:
    """VEE and monthly loss the straightforward way: one DataFrame, groupby-apply per meter."""
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    meters = pd.read_parquet(data_dir / "archive" / "meters.parquet")
    total_meters = len(meters)
    meters = meters.iloc[:max_meters]
    keep = set(meters["meter_id"])
    last_id = meters["meter_id"].max()  # read only these meters' rows (ids are sorted)
    daily = pd.concat(
        [
            pd.read_parquet(p, filters=[("meter_id", "<=", last_id)])
            for p in sorted((data_dir / "daily").glob("*/part-0.parquet"))
        ],
        ignore_index=True,
    )
    daily = daily[daily["meter_id"].isin(keep)]
    area = pd.concat([pd.read_parquet(p) for p in sorted((data_dir / "area_meter").glob("*/part-0.parquet"))])
    dates = pd.date_range(START, periods=days).date
    grid = pd.MultiIndex.from_product([meters["meter_id"], dates], names=["meter_id", "reading_date"])
    daily["reading_date"] = pd.to_datetime(daily["reading_date"]).dt.date
    df = daily.set_index(["meter_id", "reading_date"]).reindex(grid).reset_index()
    df = df.merge(meters, on="meter_id")
    df["is_read"] = df["energy_kwh"].notna()

    def per_meter(g):
        e = g["energy_kwh"]
        near = e.rolling(15, center=True, min_periods=1).mean()
        filled = e.fillna(near)
        hist_sum = filled.shift().rolling(28, min_periods=1).sum()
        hist_n = filled.shift().rolling(28, min_periods=1).count()
        hist_mean = hist_sum / hist_n
        zero = filled <= 0.0005
        run_id = (~zero).cumsum()
        run_len = zero.groupby(run_id).transform("sum")
        limit = g["phases"] * g["rated_voltage_v"] * g["max_current_a"] * 24 / 1000 * g["multiplier"]
        code = np.select(
            [
                e.isna() & filled.isna(),
                e.isna(),
                filled > limit,
                zero & (hist_mean >= 1.0),
                zero & (run_len >= 7),
                (hist_n >= 7) & (hist_mean >= 1) & (filled > 3 * hist_mean),
                (hist_n >= 7) & (hist_mean >= 1) & (filled < 0.3 * hist_mean),
            ],
            ["missing", "estimated", "runaway", "stopped", "long_zero_run", "sudden_rise", "sudden_drop"],
            "valid",
        )
        return pd.DataFrame({"energy": filled, "code": code}, index=g.index)

    vee = df.groupby("meter_id", group_keys=False)[list(df.columns)].apply(per_meter)
    df = df.join(vee)
    df["month"] = (
        pd.to_datetime(df["reading_date"]).dt.year * 100 + pd.to_datetime(df["reading_date"]).dt.month
    )
    sales = df.groupby(["area_code", "month"]).agg(sales_kwh=("energy", "sum"), read=("is_read", "sum"))
    area = area.sort_values(["meter_id", "reading_date"])
    area["supply"] = area.groupby("meter_id")["register_total_kwh"].diff() * area["multiplier"]
    area["month"] = (
        pd.to_datetime(area["reading_date"]).dt.year * 100 + pd.to_datetime(area["reading_date"]).dt.month
    )
    supply = area.groupby(["area_code", "month"]).agg(supply_kwh=("supply", "sum"))
    monthly = sales.join(supply, how="inner")
    monthly["loss_kwh"] = monthly["supply_kwh"] - monthly["sales_kwh"]
    monthly["loss_rate_percent"] = monthly["loss_kwh"] / monthly["supply_kwh"] * 100
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "meters": len(meters),
        "scale": total_meters / len(meters),
        "area_months": len(monthly),
        "sales_kwh": float(monthly["sales_kwh"].sum()),
        "peak_mb": peak_mb(),
    }


def import_job(rows: int) -> dict:
    import numpy as np
    import pandas as pd

    from gridcheck_analytics.io import read_daily_csv
    from gridcheck_analytics.schema import METERS, conform
    from gridcheck_analytics.store import MeterStore

    n_meters = max(1, rows // 30)
    rng = np.random.default_rng(0)
    ids = np.array([f"M{i:07d}" for i in range(n_meters)])
    meters = conform(
        pd.DataFrame(
            {
                "meter_id": ids,
                "area_code": "A",
                "line_code": "L",
                "station_code": "S",
                "multiplier": 1.0,
                "rated_voltage_v": 220.0,
                "max_current_a": 60.0,
                "register_digits": 6,
            }
        ),
        METERS,
    )
    days = pd.date_range("2025-01-01", periods=30).strftime("%Y-%m-%d").to_numpy()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "daily.csv"
        reg = np.round(1000 + np.cumsum(rng.uniform(0, 10, (n_meters, 30)), axis=1), 2)
        pd.DataFrame(
            {
                "meter_id": np.repeat(ids, 30),
                "reading_date": np.tile(days, n_meters),
                "register_total_kwh": reg.ravel(),
                "register_peak_kwh": (reg * 0.4).round(2).ravel(),
                "register_valley_kwh": (reg * 0.3).round(2).ravel(),
            }
        ).to_csv(path, index=False)
        t0 = time.perf_counter()
        frame, meta = read_daily_csv(path, meters=meters)
        t_read = time.perf_counter() - t0
        MeterStore(Path(tmp) / "store").upsert("daily", frame)
        seconds = time.perf_counter() - t0
    return {
        "rows": len(frame),
        "seconds": seconds,
        "read_seconds": t_read,
        "rows_per_minute": len(frame) / seconds * 60,
        "errors": len(meta["errors"]),
        "peak_mb": peak_mb(),
    }


def child(phase: str, args) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--data-dir", str(args.data_dir)]
    cmd += ["--meters", str(args.meters), "--days", str(args.days)]
    cmd += ["--pandas-meters", str(args.pandas_meters), "--import-rows", str(args.import_rows)]
    if args.meters_per_bucket:
        cmd += ["--meters-per-bucket", str(args.meters_per_bucket)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        return {"error": (out.stderr or out.stdout)[-2000:]}
    return json.loads(lines[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--meters", type=int, default=20_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--pandas-meters", type=int, default=20_000, help="most meters the pandas version runs")
    p.add_argument("--spark-meters", type=int, default=0, help="meters for the Spark run (0: skip)")
    p.add_argument("--import-rows", type=int, default=1_000_000)
    p.add_argument(
        "--meters-per-bucket", type=int, default=None, help="DuckDB: meters per bucket (default: pipeline's)"
    )
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.phase:
        jobs = {
            "generate": lambda: generate(args.data_dir, args.meters, args.days),
            "duckdb": lambda: ibis_job(args.data_dir, args.days, "duckdb", args.meters_per_bucket),
            "pyspark": lambda: ibis_job(args.data_dir, args.days, "pyspark"),
            "pandas": lambda: pandas_job(args.data_dir, args.days, args.pandas_meters),
            "import": lambda: import_job(args.import_rows),
        }
        print(json.dumps(jobs[args.phase]()))
        return

    with tempfile.TemporaryDirectory(prefix="gridcheck-bench-") as tmp:
        base = Path(args.data_dir or tmp)
        args.data_dir = base / "main"
        print(f"machine: {os.cpu_count()} cores; meters {args.meters:,} x days {args.days}")
        g = child("generate", args)
        print(f"generate: {g}")
        d = child("duckdb", args)
        if "error" in d:
            print("duckdb failed:", d["error"])
            return
        rows = args.meters * args.days
        print(
            f"measured: one pass over {args.days} days = supply + VEE of every meter-day + daily and monthly "
            f"loss per area and line, in {d['buckets']} bucket(s) of meters; DuckDB threads "
            f"{os.cpu_count()}; load average (1 min) when it started {d['load_average']:.1f}"
        )
        print(
            f"DuckDB VEE + monthly area loss: {d['seconds']:.1f} s for {rows:,} meter-days "
            f"({rows / d['seconds'] / 1e6:.1f} M/s), peak memory {d['peak_mb']:.0f} MB, "
            f"{d['area_months']:,} area-months, {d['readings_estimated']:,} estimated, "
            f"{d['readings_flagged']:,} flagged"
        )
        pd_ = child("pandas", args)
        if "error" in pd_:
            print("pandas failed:", pd_["error"])
        else:
            scaled = pd_["seconds"] * pd_["scale"]
            note = f" (ran {pd_['meters']:,} meters, scaled x{pd_['scale']:.1f})" if pd_["scale"] > 1 else ""
            print(
                f"pandas straightforward: {scaled:.1f} s{note}, peak memory {pd_['peak_mb']:.0f} MB; "
                f"speed ratio DuckDB/pandas: {scaled / d['seconds']:.1f}x"
            )
            if pd_["scale"] == 1:
                print(f"  sales check: ibis {d['sales_kwh']:.1f} kWh vs pandas {pd_['sales_kwh']:.1f} kWh")
        imp = child("import", args)
        if "error" in imp:
            print("import failed:", imp["error"])
        else:
            print(
                f"import (read_daily_csv + MeterStore.upsert): {imp['rows']:,} rows in {imp['seconds']:.1f} s = "
                f"{imp['rows_per_minute'] / 1e6:.2f} M rows/minute"
            )
        if args.spark_meters:
            args.meters = args.spark_meters
            args.data_dir = base / "spark"
            child("generate", args)
            s = child("pyspark", args)
            if "error" in s:
                print("spark failed:", s["error"])
            else:
                print(
                    f"Spark local VEE + monthly area loss: {s['seconds']:.1f} s for "
                    f"{args.spark_meters:,} x {args.days} (+{s['connect_seconds']:.1f} s session start)"
                )


if __name__ == "__main__":
    main()
