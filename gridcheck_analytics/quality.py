"""Validation, estimation and editing (VEE) of daily readings, as Ibis expressions.

Every (meter, day) of the period gets one :class:`~gridcheck_analytics.schema.QualityCode`, in this order
of precedence: missing, estimated, register_backwards, multiplier_mismatch, runaway, stopped,
long_zero_run, sudden_rise, sudden_drop, valid.  Original readings are kept as they came
(``register_total_kwh``); estimates go into ``register_estimated_kwh`` and are used for ``energy_kwh``.

Energy of day D [kWh] = (register(D) - register(D-1)) x multiplier of the archive, applied once here;
a register rollover at the meter's digit capacity adds ``10**register_digits`` to the later readings.
Where the source has no registers, the reported daily consumption ``energy_kwh`` is used as it is.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from gridcheck_analytics.schema import QualityCode
from gridcheck_analytics.thresholds import VEE, VeeRules

EPOCH = dt.date(1970, 1, 1)
_NULL = ibis.null().cast("float64")


def calendar(start: dt.date, end: dt.date):
    """Ibis table of the days ``start``..``end`` (inclusive): ``reading_date`` and ``day_index``."""
    days = pd.date_range(start, end, freq="D")
    return ibis.memtable(
        pa.table(
            {
                "reading_date": pa.array(days.date, pa.date32()),
                "day_index": pa.array((days - pd.Timestamp(EPOCH)).days.to_numpy(np.int64)),
            }
        )
    )


def nullable_column(t, name, dtype="float64"):
    """Column ``name`` of ``t`` (a NaN read as null: pandas frames reach Spark with NaN), or a null."""
    if name not in t.columns:
        return ibis.null().cast(dtype)
    c = t[name]
    return ibis.ifelse(c.isnan(), ibis.null().cast(c.type()), c) if c.type().is_floating() else c


def meter_limits(meters):
    """Per meter: archive multiplier, register capacity [kWh] and the most energy a day can hold [kWh].

    The daily limit is ``phases x rated_voltage_v x max_current_a x 24 h / 1000 x multiplier``: a meter
    cannot register more than its maximum current at rated voltage all day (runaway, 飞走, beyond it).
    """
    phases = nullable_column(meters, "phases", "int64").cast("float64").fill_null(1.0)
    max_kwh = (
        phases
        * nullable_column(meters, "rated_voltage_v")
        * nullable_column(meters, "max_current_a")
        * 24.0
        / 1000.0
    )
    return meters.select(
        "meter_id",
        "area_code",
        line_code=nullable_column(meters, "line_code", "string"),
        station_code=nullable_column(meters, "station_code", "string"),
        archive_multiplier=nullable_column(meters, "multiplier"),
        capacity_kwh=ibis.literal(10.0)
        ** nullable_column(meters, "register_digits", "int64").cast("float64"),
        max_kwh_per_day=max_kwh * nullable_column(meters, "multiplier"),
    )


def _register_energy(t, w, upto, onward, near, rules):
    """Energy from registers: unwrap rollovers, interpolate missing registers, difference x multiplier."""
    reg = t.register_total_kwh
    prev = reg.lag().over(w)
    wrap = (prev >= 0.9 * t.capacity_kwh) & (reg <= 0.1 * t.capacity_kwh)
    t = t.mutate(wrap=ibis.ifelse(wrap, 1, 0).fill_null(0))
    t = t.mutate(
        unwrapped=t.register_total_kwh
        + t.wrap.sum().over(upto).cast("float64") * t.capacity_kwh.fill_null(0.0)
    )
    present_day = ibis.ifelse(t.unwrapped.notnull(), t.day_index, ibis.null().cast("int64"))
    t = t.mutate(
        prev_val=t.unwrapped.max().over(upto),
        prev_day=present_day.max().over(upto),
        next_val=t.unwrapped.min().over(onward),
        next_day=present_day.min().over(onward),
        energy_near=t.reported_energy_kwh.mean().over(near),
    )
    span = (t.next_day - t.prev_day).cast("float64")
    interpolated = ibis.ifelse(
        span > 0,
        t.prev_val + (t.next_val - t.prev_val) * (t.day_index - t.prev_day).cast("float64") / span,
        _NULL,
    )
    t = t.mutate(
        filled=t.unwrapped.coalesce(interpolated),
        backwards=t.unwrapped < t.prev_val.lag().over(w) - rules.backwards_tolerance_kwh,
    )
    from_registers = (t.filled - t.filled.lag().over(w)) * t.archive_multiplier
    estimated_energy = ibis.ifelse(t.filled.isnull(), t.energy_near, _NULL)
    t = t.mutate(energy_kwh=from_registers.coalesce(t.reported_energy_kwh, estimated_energy))
    return t


def _history_and_zero_runs(t, first, last, rules):
    """History mean, zero runs and the history of a zero run per (meter, day).

    A zero run is a run of consecutive zero days; its "group" is the non-zero day before it plus the run
    (rows before a meter's first non-zero day form a group of their own).  ``zero_run_days`` is the
    number of zero days in the row's group (for a non-zero day: the zeros right after it) and
    ``stopped_history`` is true when some row of the group has a history mean of at least
    ``min_history_kwh`` (the group's maximum reaches the threshold).

    Every row gets the history windows; the zero-run windows run only on the rows next to or in a zero
    run, which hold every group with zeros (a zero run's previous non-zero day is followed by a zero, its
    next one follows a zero).  There the group is the days from the last non-zero day up to the row
    (``prev_nonzero``) to the next non-zero day after it (``next_nonzero``, exclusive); the grid holds
    every day ``first``..``last``.  No window partitions by (meter, run): millions of one-row partitions
    are slow.
    """
    w = ibis.window(group_by="_mk", order_by="day_index")
    upto = ibis.window(group_by="_mk", order_by="day_index", following=0)
    after = ibis.window(group_by="_mk", order_by="day_index", rows=(1, None))
    n_days = ibis.window(group_by="_mk", order_by="day_index", preceding=rules.history_days, following=0)
    is_read = t.register_total_kwh.notnull() | t.reported_energy_kwh.notnull()
    is_zero = t.energy_kwh.notnull() & (t.energy_kwh <= rules.zero_kwh)
    t = t.mutate(
        is_read=is_read,
        is_zero=is_zero,
        zero_next=is_zero.lead().over(w).fill_null(False),
        zero_before=is_zero.lag().over(w).fill_null(False),
        hist_sum=t.energy_kwh.sum().over(n_days),
        hist_count=t.energy_kwh.count().over(n_days),
    )
    own = ibis.ifelse(t.energy_kwh.notnull(), 1, 0)
    hist_n = t.hist_count - own
    t = t.mutate(
        hist_n=hist_n,
        hist_mean=ibis.ifelse(
            hist_n > 0, (t.hist_sum - t.energy_kwh.fill_null(0.0)) / hist_n.cast("float64"), _NULL
        ),
    )
    near_zero = t.is_zero | t.zero_next | t.zero_before
    z = t.filter(near_zero)
    nonzero_day = ibis.ifelse(z.is_zero, ibis.null().cast("int64"), z.day_index)
    first_day, last_day = (first - EPOCH).days, (last - EPOCH).days
    z = z.mutate(
        prev_nonzero=nonzero_day.max().over(upto).fill_null(first_day - 1),
        next_nonzero=nonzero_day.min().over(after).fill_null(last_day + 1),
    )
    high_day = ibis.ifelse(
        (z.hist_mean >= rules.min_history_kwh).fill_null(False), z.day_index, ibis.null().cast("int64")
    )
    z = z.mutate(
        zero_run_days=ibis.ifelse(z.is_zero | z.zero_next, z.next_nonzero - z.prev_nonzero - 1, 0).cast(
            "int64"
        ),
        # the last row reaching the threshold up to this one is in the group, or the first one after it
        stopped_history=(high_day.max().over(upto) >= z.prev_nonzero).fill_null(False)
        | (high_day.min().over(after) < z.next_nonzero).fill_null(False),
    ).drop("prev_nonzero", "next_nonzero")
    rest = t.filter(~near_zero).mutate(
        zero_run_days=ibis.literal(0, "int64"), stopped_history=ibis.literal(False)
    )
    return rest.union(z.select(*rest.columns))


def validate_daily(
    daily,
    meters,
    start: dt.date,
    end: dt.date,
    *,
    area_supply=None,
    rules: VeeRules = VEE,
    history_start: dt.date | None = None,
    lookahead_end: dt.date | None = None,
    registers: bool = True,
):
    """Give every (meter, day) of ``start``..``end`` a quality code, an estimate and its energy.

    Parameters
    ----------
    daily : ibis.Table
        Canonical daily readings (registers [kWh] and/or consumption [kWh]); may hold other days.
    meters : ibis.Table
        Canonical meters (multiplier, rated voltage [V], max current [A], phases, register digits).
    start, end : datetime.date
        The period to return, inclusive.
    area_supply : ibis.Table, optional
        ``area_code, reading_date, supply_kwh``; a day with supply > 0 means the area shows load.
        Without it every day counts as loaded.
    rules : VeeRules
        Thresholds.
    history_start : datetime.date, optional
        First day read for history (previous register, customer's own mean); by default
        ``rules.history_days + 1`` days before ``start``.
    lookahead_end : datetime.date, optional
        Last day read after ``end``, so that a register missing at the end of the period can be
        interpolated with the next reading; by default ``end`` (no look-ahead).
    registers : bool
        False for a source of daily consumption only: skips the register steps (rollover, interpolation,
        backwards), which are most of the work; missing days are then estimated from the neighbours.

    Returns
    -------
    ibis.Table
        meter_id, area_code, line_code, station_code, reading_date, register_total_kwh (original),
        register_estimated_kwh, energy_kwh [kWh], is_read (an actual reading), quality_code,
        history_mean_kwh (the customer's own mean over the previous days [kWh/day]), zero_run_days.
    """
    first = history_start or (start - dt.timedelta(days=rules.history_days + 1))
    last = max(lookahead_end or end, end)
    # The windows run on a narrow table keyed by an integer meter key (``_mk``, dense, from the meters
    # table): sorting integers is much cheaper than sorting the asset-number strings, and the archive's
    # attributes join back after the windows, once.
    limits = meter_limits(meters)
    keyed = limits.mutate(_mk=ibis.row_number().over(ibis.window(order_by="meter_id")).cast("int32"))
    keys = keyed.select("meter_id", "_mk")
    # the register steps need the multiplier and capacity in the windows; otherwise they join afterwards
    in_windows = ["archive_multiplier", "capacity_kwh"] if registers else []
    days = calendar(first, last)
    days = days.mutate(day_index=days.day_index.cast("int32"))
    grid = keyed.select("_mk", *in_windows).cross_join(days)
    d = daily.filter((daily.reading_date >= first) & (daily.reading_date <= last))
    d = d.select(
        "meter_id",
        "reading_date",
        register_total_kwh=nullable_column(d, "register_total_kwh"),
        reported_energy_kwh=nullable_column(d, "energy_kwh"),
        reported_multiplier=nullable_column(d, "multiplier"),
    )
    d = d.inner_join(keys, "meter_id").drop("meter_id")
    t = grid.left_join(d, ["_mk", "reading_date"])
    w = ibis.window(group_by="_mk", order_by="day_index")
    upto = ibis.window(group_by="_mk", order_by="day_index", following=0)
    onward = ibis.window(group_by="_mk", order_by="day_index", preceding=0)

    near = ibis.window(
        group_by="_mk",
        order_by="day_index",
        preceding=rules.estimate_window_days,
        following=rules.estimate_window_days,
    )
    if registers:
        t = _register_energy(t, w, upto, onward, near, rules)
    else:  # consumption only: no register windows at all
        t = t.mutate(
            filled=_NULL,
            backwards=ibis.literal(False),
            energy_kwh=t.reported_energy_kwh.coalesce(t.reported_energy_kwh.mean().over(near)),
        )
    t = _history_and_zero_runs(t, first, last, rules)
    t = t.filter((t.reading_date >= start) & (t.reading_date <= end))
    attributes = ["meter_id", "area_code", "line_code", "station_code", "max_kwh_per_day"]
    attributes += [] if registers else ["archive_multiplier"]
    t = t.inner_join(keyed.select("_mk", *attributes), "_mk")
    if area_supply is not None:
        s = area_supply.select("area_code", "reading_date", area_supply_kwh="supply_kwh")
        t = t.left_join(s, ["area_code", "reading_date"])
        loaded = t.area_supply_kwh.isnull() | (t.area_supply_kwh > 0)
    else:
        loaded = ibis.literal(True)

    judged = t.hist_n >= rules.min_history_days
    code = ibis.cases(
        (~t.is_read & t.energy_kwh.isnull(), QualityCode.MISSING.value),
        (~t.is_read, QualityCode.ESTIMATED.value),
        (t.backwards.fill_null(False), QualityCode.REGISTER_BACKWARDS.value),
        (
            t.reported_multiplier.notnull() & ((t.reported_multiplier - t.archive_multiplier).abs() > 1e-9),
            QualityCode.MULTIPLIER_MISMATCH.value,
        ),
        ((t.energy_kwh > t.max_kwh_per_day).fill_null(False), QualityCode.RUNAWAY.value),
        (
            t.is_zero & loaded & t.stopped_history,
            QualityCode.STOPPED.value,
        ),
        (t.is_zero & (t.zero_run_days >= rules.long_zero_run_days), QualityCode.LONG_ZERO_RUN.value),
        (
            judged
            & (t.hist_mean >= rules.min_history_kwh).fill_null(False)
            & (t.energy_kwh > rules.sudden_rise_factor * t.hist_mean).fill_null(False),
            QualityCode.SUDDEN_RISE.value,
        ),
        (
            judged
            & (t.hist_mean >= rules.min_history_kwh).fill_null(False)
            & (t.energy_kwh < rules.sudden_drop_factor * t.hist_mean).fill_null(False),
            QualityCode.SUDDEN_DROP.value,
        ),
        else_=QualityCode.VALID.value,
    )
    return t.select(
        "meter_id",
        "area_code",
        "line_code",
        "station_code",
        "reading_date",
        "register_total_kwh",
        register_estimated_kwh=ibis.ifelse(t.register_total_kwh.isnull(), t.filled, _NULL),
        energy_kwh=t.energy_kwh,
        is_read=t.is_read,
        quality_code=code,
        history_mean_kwh=t.hist_mean,
        zero_run_days=t.zero_run_days,
    )


def reading_rate(vee, level: str = "area_code"):
    """Reading rate (实抄率) per ``level`` (area_code, line_code or station_code) and day.

    Returns
    -------
    ibis.Table
        level, reading_date, meters, meters_read, reading_rate_percent [%].
    """
    g = vee.group_by([level, "reading_date"]).aggregate(
        meters=vee.meter_id.count(), meters_read=vee.is_read.cast("int64").sum()
    )
    return g.mutate(
        reading_rate_percent=g.meters_read.cast("float64") * 100.0 / g.meters.cast("float64")
    ).order_by([level, "reading_date"])


def quality_summary(vee):
    """Count of readings per area, day and quality code."""
    return vee.group_by(["area_code", "reading_date", "quality_code"]).aggregate(
        readings=vee.meter_id.count()
    )


def curves_to_daily(curves, *, interval_minutes: int = 15):
    """Daily consumption [kWh] per meter from interval energy, as a canonical daily frame.

    A day with fewer than ``24 x 60 / interval_minutes`` intervals gets no consumption (null), so that
    VEE sees it as missing and estimates it instead of taking a partial sum.

    Returns
    -------
    ibis.Table
        meter_id, reading_date, energy_kwh [kWh], intervals.
    """
    expected = 24 * 60 // interval_minutes
    c = curves.mutate(energy_kwh=nullable_column(curves, "energy_kwh"))
    c = c.filter(c.energy_kwh.notnull())
    c = c.mutate(reading_date=c.timestamp.date())
    g = c.group_by(["meter_id", "reading_date"]).aggregate(
        energy_kwh=c.energy_kwh.sum(), intervals=c.meter_id.count()
    )
    return g.mutate(energy_kwh=ibis.ifelse(g.intervals >= expected, g.energy_kwh, _NULL))
