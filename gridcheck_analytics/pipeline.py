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
from gridcheck_analytics.schema import METERS, conform
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


def canonical_meters(archive_frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The canonical meters frame from the archive frames (already canonical, or via the adapter)."""
    meters = archive_frames["meters"]
    if not set(METERS.required) <= set(meters.columns):
        from gridcheck_analytics.readings_sim import archive_frames_to_meters

        meters = archive_frames_to_meters(archive_frames)
    return conform(meters, METERS)


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
    """Run the monthly analysis for ``month`` (``YYYY-MM``).

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
        Months before ``month`` also analysed, for the swing and three-month rules.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each step of :data:`STEPS`.
    vee_rules, loss_rules : VeeRules, LineLossRules, optional
        Thresholds; by default the rule-table rows in force on the month's last day.

    Returns
    -------
    dict of pandas.DataFrame
        ``area_monthly`` (with flags and causes, month only), ``area_monthly_history``, ``line_monthly``,
        ``area_daily``, ``reading_rate_area``, ``reading_rate_line``, ``reading_rate_station``,
        ``quality_summary``, ``customer_drops``.
    """
    done = 0

    def step(name):
        nonlocal done
        done += 1
        if progress:
            progress(name, done, len(STEPS))

    con = con or connect(backend)
    meters_pd = canonical_meters(archive_frames)
    meters = ibis.memtable(meters_pd)
    first_month = _shift_month(month, -history_months)
    start, _ = month_bounds(first_month)
    month_start, end = month_bounds(month)
    if vee_rules is None:
        vee_rules = VeeRules.in_force(end)
    if loss_rules is None:
        loss_rules = LineLossRules.in_force(end)
    months = [_shift_month(first_month, k) for k in range(-1, history_months + 1)]
    step("connect")
    try:
        following = _shift_month(month, 1)
        lookahead = month_bounds(following)[1] if following in store.months("daily") else None
        daily = store.table(con, "daily", [*months, following] if lookahead else months)
        if daily is None:
            raise ValueError(f"no daily readings in the store for {first_month}..{month}")
        area_readings = store.table(con, "area_meter", months)
        if area_readings is None:
            raise ValueError(f"no area-meter readings in the store for {first_month}..{month}")
        areas = meters.select("area_code", "line_code", "station_code").distinct()
        supply = lineloss.area_supply_daily(area_readings, start, end, areas=areas, rules=vee_rules, con=con)
        vee = quality.validate_daily(
            daily, meters, start, end, area_supply=supply, rules=vee_rules, lookahead_end=lookahead, con=con
        )
        if con.name == "duckdb":  # materialise once; every later step reads it
            vee = con.create_table(f"vee_{uuid.uuid4().hex}", vee, temp=True)
        elif con.name == "pyspark":  # computed once on the executors, kept for the later steps
            con._run_pre_execute_hooks(vee)  # registers the memtables the cached query reads
            vee = vee.cache()
        step("vee")
        supply_pd = con.execute(supply)
        step("supply")
        daily_loss = lineloss.daily_area_loss(vee, supply)
        area_monthly = con.execute(lineloss.monthly_area_loss(daily_loss))
        line_monthly = con.execute(lineloss.monthly_line_loss(daily_loss))
        in_month = vee.reading_date >= month_start
        month_vee = vee.filter(in_month)
        area_daily = con.execute(daily_loss.filter(daily_loss.reading_date >= month_start))
        rates = {
            level: con.execute(quality.reading_rate(month_vee, f"{level}_code"))
            for level in ("area", "line", "station")
        }
        qsum = con.execute(quality.quality_summary(month_vee))
        drops = con.execute(lineloss.customer_drops(vee, loss_rules))
        events_t = store.table(con, "events", months)
        events = con.execute(lineloss.events_per_area(events_t, meters)) if events_t is not None else None
        step("loss")
        flagged = lineloss.area_flags(
            area_monthly, targets=targets, drops=drops, events=events, rules=loss_rules
        )
        this_month = int(month.replace("-", ""))
        step("flags")
        return {
            "area_monthly": flagged[flagged["month"] == this_month].reset_index(drop=True),
            "area_monthly_history": flagged,
            "line_monthly": line_monthly[line_monthly["month"] == this_month].reset_index(drop=True),
            "area_daily": area_daily,
            "area_supply_daily": supply_pd,
            "reading_rate_area": rates["area"],
            "reading_rate_line": rates["line"],
            "reading_rate_station": rates["station"],
            "quality_summary": qsum,
            "customer_drops": drops,
        }
    finally:
        quality.release_series(con)
