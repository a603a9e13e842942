"""Benchmark: customer-month features and scoring for N customers x D days; prints figures.

    .venv/bin/python benchmarks/detection_benchmark.py --meters 1000000 --days 365 --threads 2
    .venv/bin/python benchmarks/detection_benchmark.py --meters 200000 --days 365 --threads 2

Phases (each prints its time; peak memory is the process's maximum resident set, DuckDB included; the
load average at start is printed because other work on the machine changes the times):

1. generate -- synthetic daily consumption (energy only, 2 % of meters with a drop after a cover-open
               event) written by DuckDB straight to Parquet, about sorted by meter id as the store's files
               are (not timed as part of the job; ``--reuse`` keeps the files of an earlier run);
2. features -- :func:`gridcheck_analytics.features.customer_month_features` with Ibis on DuckDB for every
               month of the Parquet file, events included, in its two stages:
               1/2 each meter's own rows (monthly aggregates, history by a window of lags, pre-event
               means) in buckets of meter ids into temporary tables (``--meters-per-bucket``), and
               2/2 attributes, peers (medians per area, category and month), event counts, the whole
               customer-month table written to Parquet.  ``--no-buckets`` runs both stages as one
               expression instead (what a caller without a connection gets), for comparison;
3. scoring  -- rules, peer-group robust score and the combined ranking with reasons for the last month
               (:func:`gridcheck_analytics.detection.combine.combine_scores`, the top 1 % explained in full).

VEE is not part of this job (it is benchmarked by ``lineloss_benchmark.py``): the input is daily
consumption, as for a consumption-only source.

Measured on the 2-core development machine, ``--threads 2``, DuckDB 2.0 (load average at start 0.5-1.2):

    meters x days       features   scoring   peak memory
    100,000 x 365          2.4 s     1.5 s      0.8 GB
    200,000 x 365          4.4 s     2.0 s      1.3 GB
    1,000,000 x 365       21.3 s     8.8 s      3.0 GB   (--no-buckets: 21.3 s, 2.8 GB;
                                                          --memory-limit 1.5GB: 26.7 s, 2.2 GB)

With other work on the machine (load 2-3) the 1,000,000 x 365 total was 49-55 s.  Before the two stages
(framed windows over the monthly table, peers joined back to the whole wide table in one query)
200,000 x 365 took 4.5 s / 2.4 GB on a quiet machine, and 1,000,000 x 365 spilled more than 20 GB to
disk and stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

START = dt.date(2025, 1, 1)
METERS_PER_AREA = 100


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def generate(con, directory: Path, meters: int, days: int, seed: int = 0):
    """Daily energy, meters and events as Parquet via DuckDB SQL (fast, no pandas at this size)."""
    raw = con.con if hasattr(con, "con") else con
    end = START + dt.timedelta(days=days - 1)
    raw.execute(f"SELECT setseed({(seed % 100) / 100})")
    raw.execute(
        f"""
        COPY (
          SELECT 'E' || lpad(m::VARCHAR, 8, '0') AS meter_id, d::DATE AS reading_date,
                 round((3 + (m % 17)) * (1 + 0.25 * cos(2 * pi() * (dayofyear(d) - 15) / 365.0))
                       * (0.8 + 0.4 * random())
                       * CASE WHEN m % 50 = 7 AND d >= DATE '{START}' + INTERVAL ((m * 7) % {max(days - 60, 1)} + 30) DAY
                              THEN 0.3 ELSE 1 END, 3) AS energy_kwh
          FROM range({meters}) t(m), range(DATE '{START}', DATE '{end}' + INTERVAL 1 DAY, INTERVAL 1 DAY) s(d)
        ) TO '{directory}/daily.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    raw.execute(
        f"""
        COPY (
          SELECT 'E' || lpad(m::VARCHAR, 8, '0') AS meter_id, 'A' || lpad((m // {METERS_PER_AREA})::VARCHAR, 6, '0') AS area_code,
                 'S' || lpad((m // ({METERS_PER_AREA} * 30))::VARCHAR, 4, '0') AS station_code,
                 'C' || lpad(m::VARCHAR, 8, '0') AS account_number,
                 CASE WHEN m % 10 = 0 THEN 'general_commercial' ELSE 'residential' END AS category,
                 CASE WHEN m % 10 = 0 THEN 20.0 ELSE 1.0 END AS multiplier,
                 220.0 AS rated_voltage_v, CASE WHEN m % 10 = 0 THEN 6.0 ELSE 60.0 END AS max_current_a,
                 CASE WHEN m % 10 = 0 THEN 3 ELSE 1 END AS phases,
                 CASE WHEN m % 10 = 0 THEN 30.0 ELSE 8.0 END AS contracted_capacity_kva
          FROM range({meters}) t(m)
        ) TO '{directory}/meters.parquet' (FORMAT parquet)
        """
    )
    raw.execute(
        f"""
        COPY (
          SELECT 'E' || lpad(m::VARCHAR, 8, '0') AS meter_id,
                 (TIMESTAMP '{START}' + INTERVAL ((m * 7) % {max(days - 60, 1)} + 30) DAY + INTERVAL 2 HOUR)::TIMESTAMPTZ AS timestamp,
                 'cover_opened' AS event_code
          FROM range({meters}) t(m) WHERE m % 50 = 7
        ) TO '{directory}/events.parquet' (FORMAT parquet)
        """
    )
    return end


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 6GB")
    ap.add_argument("--meters-per-bucket", type=int, default=None, help="first-stage bucket size")
    ap.add_argument("--no-buckets", action="store_true", help="both stages as one expression (no con)")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="reuse the Parquet files already in --dir")
    args = ap.parse_args(argv)

    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.detection.combine import combine_scores
    from gridcheck_analytics.features import METERS_PER_BUCKET, customer_month_features, release_features

    load = os.getloadavg()
    print(
        f"detection benchmark: {args.meters:,} meters x {args.days} days, threads {args.threads or 'all'} "
        f"of {os.cpu_count()} cores; load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    directory = args.dir or Path(tempfile.mkdtemp(prefix="gcdet-"))
    directory.mkdir(parents=True, exist_ok=True)
    con = connect("duckdb", threads=args.threads)
    if args.memory_limit:
        con.raw_sql(f"SET memory_limit = '{args.memory_limit}'")
    spill = directory / "spill"
    spill.mkdir(exist_ok=True)
    con.raw_sql(f"SET temp_directory = '{spill}'")
    con.raw_sql("SET preserve_insertion_order = false")
    t0 = time.perf_counter()
    if args.reuse and (directory / "daily.parquet").is_file():
        end = START + dt.timedelta(days=args.days - 1)
    else:
        end = generate(con, directory, args.meters, args.days)
    t_gen = time.perf_counter() - t0
    print(
        f"generate: {args.meters:,} meters x {args.days} days = {args.meters * args.days:,} rows in {t_gen:.1f} s "
        f"(not part of the job)"
    )
    peak_before = peak_mb()

    t0 = time.perf_counter()
    daily = con.read_parquet(str(directory / "daily.parquet"))
    meters = con.read_parquet(str(directory / "meters.parquet"))
    events = con.read_parquet(str(directory / "events.parquet"))
    bucket = args.meters_per_bucket or METERS_PER_BUCKET
    feats = customer_month_features(
        daily,
        meters,
        START,
        end,
        events=events,
        con=None if args.no_buckets else con,
        meters_per_bucket=bucket,
    )
    t_stage1 = time.perf_counter() - t0
    if args.no_buckets:
        print("features 1/2: one expression with 2/2 (--no-buckets)")
    else:
        n_buckets = -(-args.meters // bucket)
        print(
            f"features 1/2 (each meter's months, history, pre-event means; {n_buckets} bucket(s) of "
            f"{bucket:,} meters): {t_stage1:.1f} s  (peak memory so far {peak_mb():,.0f} MB)"
        )
    t1 = time.perf_counter()
    out = directory / "features.parquet"
    con.to_parquet(feats, str(out))
    t_stage2 = time.perf_counter() - t1
    release_features(con, feats)
    t_feat = time.perf_counter() - t0
    n_rows = con.read_parquet(str(out)).count().execute()
    print(
        f"features 2/2 (attributes, peers, events; all months written to Parquet): {t_stage2:.1f} s  "
        f"(peak memory so far {peak_mb():,.0f} MB)"
    )
    print(f"features: {n_rows:,} customer-months in {t_feat:.1f} s")

    t0 = time.perf_counter()
    t = con.read_parquet(str(out))
    last_month = int(end.strftime("%Y%m"))
    month = con.execute(t.filter(t.month == last_month))
    t_fetch = time.perf_counter() - t0
    ranked = combine_scores(month, explain_top=max(1, len(month) // 100))
    t_score = time.perf_counter() - t0
    k = max(1, len(month) // 100)
    with_reason = (ranked["reasons"].head(k).map(len) > 0).mean()
    print(
        f"scoring: {len(month):,} customers of {last_month} in {t_score:.1f} s (fetch {t_fetch:.1f} s); "
        f"top-1 % suspects with a reason: {with_reason:.1%}"
    )
    total = t_feat + t_score
    load = os.getloadavg()
    print(
        f"TOTAL features + scoring: {total:.1f} s; peak memory {peak_mb():,.0f} MB "
        f"(generation alone {peak_before:,.0f} MB); load average at end {load[0]:.2f} "
        f"(target for 1,000,000 x 365: < 60 s, < 8 GB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
