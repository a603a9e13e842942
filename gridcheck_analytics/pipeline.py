"""The monthly analysis: one orchestrator that sequences the pure functions of VEE and line loss.

``run_monthly(store, archive_frames, month, backend)`` reads the meter store and the archive, runs VEE on
the month (with history before it), computes daily and monthly loss per area and per line, reading rates,
and the flags of the month with their causes; it returns pandas frames.  The Django side calls it from a
background task and stores what it needs (area-month results, alerts).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import uuid
from collections.abc import Callable

import ibis
import pandas as pd

from gridcheck_analytics import lineloss, quality
from gridcheck_analytics.backends import connect
from gridcheck_analytics.monthly import canonical_meters, run_month  # noqa: F401 - canonical_meters: re-exported
from gridcheck_analytics.store import meter_id_ranges
from gridcheck_analytics.thresholds import LineLossRules, VeeRules

STEPS = ("connect", "vee", "supply", "loss", "flags")
#: Meters per bucket of :func:`area_loss` on DuckDB: one block of VEE's time series
#: (:data:`quality.METERS_PER_BLOCK`); only the bucket's sums per area and day are kept.
METERS_PER_BUCKET = quality.METERS_PER_BLOCK


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``."""
    y, m = (int(x) for x in month.split("-"))
    return dt.date(y, m, 1), dt.date(y, m, _calendar.monthrange(y, m)[1])


def _shift_month(month: str, k: int) -> str:
    y, m = (int(x) for x in month.split("-"))
    n = y * 12 + (m - 1) + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def area_loss(
    con,
    daily,
    meters,
    area_readings,
    start: dt.date,
    end: dt.date,
    *,
    history_start: dt.date | None = None,
    lookahead_end: dt.date | None = None,
    registers: bool = True,
    meters_per_bucket: int | None = None,
    vee_rules: VeeRules | None = None,
) -> dict:
    """VEE of the customers plus daily and monthly loss per area and line, in buckets of meters.

    The same result as :func:`lineloss.daily_area_loss` over ``quality.validate_daily`` of all meters (up
    to the order of floating-point additions): the customers' VEE runs per range of meter ids and only
    its sums per area and day (:func:`lineloss.area_sales_daily`) are kept and added up, so the memory
    of the window sorts is that of one bucket.  The area supply is computed once.

    Parameters
    ----------
    con : ibis connection
        DuckDB (buckets) or PySpark (one bucket: Spark spills and partitions by itself).
    daily, meters, area_readings : ibis.Table
        Canonical daily readings, meters and area-meter readings.
    start, end : datetime.date
        Period of the loss, inclusive.
    history_start, lookahead_end, registers
        As for :func:`quality.validate_daily`.
    meters_per_bucket : int, optional
        Meters per bucket; :data:`METERS_PER_BUCKET` by default on DuckDB, all meters on Spark.
    vee_rules : VeeRules, optional
        VEE thresholds; by default the rule-table rows in force on ``end``.

    Returns
    -------
    dict of pandas.DataFrame
        ``area_supply_daily``, ``area_daily`` (:func:`lineloss.daily_area_loss`), ``area_monthly``
        (:func:`lineloss.monthly_area_loss`), ``line_monthly``; ``buckets``: number of buckets run.
    """
    if vee_rules is None:
        vee_rules = VeeRules.in_force(end)
    areas = meters.select("area_code", "line_code", "station_code").distinct()
    supply = lineloss.area_supply_daily(area_readings, start, end, areas=areas, rules=vee_rules, con=con)
    duck = con.name == "duckdb"
    if duck:  # once, not once per bucket
        supply = con.create_table(f"supply_{uuid.uuid4().hex}", supply, temp=True)
        quality.release_series(con)
    if meters_per_bucket is None and duck:
        meters_per_bucket = METERS_PER_BUCKET
    ranges = meter_id_ranges(con, meters, meters_per_bucket) if meters_per_bucket else []
    kw = dict(
        area_supply=supply,
        rules=vee_rules,
        history_start=history_start,
        lookahead_end=lookahead_end,
        registers=registers,
        con=con,
    )
    if len(ranges) <= 1:
        sales = lineloss.area_sales_daily(quality.validate_daily(daily, meters, start, end, **kw))
    else:
        parts = []
        for lo, hi in ranges:
            vee = quality.validate_daily(
                daily.filter(daily.meter_id.between(lo, hi)),
                meters.filter(meters.meter_id.between(lo, hi)),
                start,
                end,
                **kw,
            )
            parts.append(
                con.create_table(f"sales_{uuid.uuid4().hex}", lineloss.area_sales_daily(vee), temp=True)
            )
            quality.release_series(con)  # the bucket's series are summed up: free them
        union = ibis.union(*parts)
        keys = ["area_code", "line_code", "station_code", "reading_date"]
        sums = ["sales_kwh", "meters", "meters_read", "readings_estimated", "readings_flagged"]
        sales = union.group_by(keys).aggregate(**{c: union[c].sum() for c in sums})
    daily_loss = lineloss.daily_area_loss_from_sales(sales, supply)
    if duck:
        daily_loss = con.create_table(f"loss_{uuid.uuid4().hex}", daily_loss, temp=True)
    try:
        return {
            "area_supply_daily": con.execute(supply),
            "area_daily": con.execute(daily_loss),
            "area_monthly": con.execute(lineloss.monthly_area_loss(daily_loss)),
            "line_monthly": con.execute(lineloss.monthly_line_loss(daily_loss)),
            "buckets": max(1, len(ranges)),
        }
    finally:
        quality.release_series(con)


def run_monthly(
    store,
    archive_frames: dict[str, pd.DataFrame],
    month: str,
    backend: str = "duckdb",
    *,
    con=None,
    targets: dict[str, float] | None = None,
    history_months: int = 3,
    progress: Callable[[str, int, int], None] | None = None,
    vee_rules: VeeRules | None = None,
    loss_rules: LineLossRules | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the monthly line-loss analysis for ``month`` (``YYYY-MM``).

    The line-loss part of :func:`gridcheck_analytics.monthly.monthly_run`: the month's VEE runs once
    (re-running a month replaces its derived partition), the months before it are read from the derived
    store (computed where missing or stale), and the month's validated days stay there for the detection
    features (:func:`gridcheck_analytics.month_features.month_features`), which do not validate again.

    Parameters
    ----------
    store : MeterStore
        The meter-data store (daily, area_meter, events).
    archive_frames : dict of pandas.DataFrame
        ``meters`` (canonical, or the archive's frames for :func:`canonical_meters`).
    month : str
        ``YYYY-MM``.
    backend : {'duckdb', 'pyspark'}
        Ibis backend, when ``con`` is not given.
    con : ibis connection, optional
        Reuse a connection.
    targets : dict, optional
        ``{area_code: target loss rate [%]}``.
    history_months : int
        Months before ``month`` also read, for the swing and three-month rules.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each step of :data:`STEPS`.
    vee_rules, loss_rules : VeeRules, LineLossRules, optional
        Thresholds; by default the rule-table rows in force on each month's last day.

    Returns
    -------
    dict of pandas.DataFrame
        ``area_monthly`` (with flags and causes, month only), ``area_monthly_history``, ``line_monthly``,
        ``area_daily``, ``area_supply_daily``, ``reading_rate_area``, ``reading_rate_line``,
        ``reading_rate_station``, ``quality_summary``, ``customer_drops``.

    Raises
    ------
    ValueError
        When the store has no daily or no area-meter readings in the month.
    """
    if month not in store.months("daily"):
        raise ValueError(f"no daily readings in the store for {month}")
    if month not in store.months("area_meter"):
        raise ValueError(f"no area-meter readings in the store for {month}")
    done = 0

    def relay(step):
        nonlocal done
        for name in ("connect", "vee", "supply", "loss")[done:]:  # the supply is computed with VEE
            done += 1
            if progress:
                progress(name, done, len(STEPS))
            if name == step:
                break

    _, out = run_month(
        store,
        archive_frames,
        month,
        con=con or connect(backend),
        targets=targets,
        history_months=history_months,
        features=False,
        vee_rules=vee_rules,
        loss_rules=loss_rules,
        progress=relay,
    )
    if progress:
        progress("flags", len(STEPS), len(STEPS))
    return out
