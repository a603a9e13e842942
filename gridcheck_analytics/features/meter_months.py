"""First stage of the features: each (meter, month) from the meter's own daily rows.

Monthly aggregates, the history windows, the 15-minute curves, the correlation with the area loss and
the mean before each theft-type event: nothing that needs other meters, so it runs on any subset.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gridcheck_analytics import kernels
from gridcheck_analytics.features.definitions import FEATURES, THEFT_EVENT_METHODS, FeatureRules
from gridcheck_analytics.features.expressions import (
    NULL_FLOAT,
    is_present,
    missing_as_null,
    month_index_of,
    month_key_of,
    safe_div,
)


def monthly_consumption(energy, rules: FeatureRules = FEATURES):
    """Per meter and month: days, mean, std, max, zero days, negative days, weekday and weekend means.

    Parameters
    ----------
    energy : ibis.Table
        ``meter_id``, ``reading_date``, ``energy_kwh`` [kWh/day] (nulls are skipped).

    Returns
    -------
    ibis.Table
        meter_id, month (``YYYYMM``), month_index, days, sum_kwh, mean_kwh, std_kwh, max_kwh, zero_days,
        negative_days, weekday_mean_kwh, weekend_mean_kwh [kWh/day].
    """
    e = energy.filter(is_present(energy.energy_kwh))
    dow = e.reading_date.day_of_week.index()  # Monday = 0
    weekend = dow >= 5
    # one key besides the meter (the month's index), the YYYYMM key per group: fewer date parts per row
    e = e.mutate(
        month_index=month_index_of(e.reading_date),
        _we=ibis.ifelse(weekend, e.energy_kwh, NULL_FLOAT),
        _wd=ibis.ifelse(weekend, NULL_FLOAT, e.energy_kwh),
    )
    g = e.group_by(["meter_id", "month_index"]).aggregate(
        days=e.energy_kwh.count(),
        sum_kwh=e.energy_kwh.sum(),
        mean_kwh=e.energy_kwh.mean(),
        std_kwh=e.energy_kwh.std(how="pop"),
        max_kwh=e.energy_kwh.max(),
        zero_days=(e.energy_kwh.abs() <= rules.zero_kwh).cast("int64").sum(),
        negative_days=(e.energy_kwh < -rules.zero_kwh).cast("int64").sum(),
        weekday_mean_kwh=e._wd.mean(),
        weekend_mean_kwh=e._we.mean(),
    )
    month = ((g.month_index // 12) * 100 + g.month_index % 12 + 1).cast("int64")
    return g.select("meter_id", month.name("month"), *[c for c in g.columns if c != "meter_id"])


def monthly_consumption_of_grid(meter_ids, energy, first_day: dt.date, rules: FeatureRules = FEATURES):
    """:func:`monthly_consumption` of one month from its days as a matrix, in NumPy: an Arrow table.

    ``energy`` is ``len(meter_ids) x days`` (the month's days from ``first_day``; NaN where absent), the
    layout of the VEE kernel's output; ``meter_ids`` an Arrow array.  The same rows and columns (a meter
    without a present day has no row) and the same values up to the order of the additions
    (``test_monthly_run.py`` compares them).
    """
    n_days = energy.shape[1]
    weekend = (np.arange(n_days) + (first_day - dt.date(1970, 1, 1)).days + 3) % 7 >= 5  # Monday = 0
    stats = kernels.month_stats(
        np.ascontiguousarray(energy, dtype=np.float64), weekend, float(rules.zero_kwh)
    )
    days = stats[0]
    rows = days > 0
    days, total, mean, std, peak, zero_days, negative_days, weekday_mean, weekend_mean = (
        values[rows] for values in stats
    )
    month_index = first_day.year * 12 + first_day.month - 1
    count = int(rows.sum())

    def column(values):
        return pa.array(values, pa.float64(), from_pandas=True)

    return pa.table(
        {
            "meter_id": meter_ids.filter(pa.array(rows)),
            "month": pa.array(np.full(count, first_day.year * 100 + first_day.month), pa.int64()),
            "month_index": pa.array(np.full(count, month_index), pa.int64()),
            "days": pa.array(days, pa.int64()),
            "sum_kwh": column(total),
            "mean_kwh": column(mean),
            "std_kwh": column(std),
            "max_kwh": column(peak),
            "zero_days": column(zero_days),
            "negative_days": column(negative_days),
            "weekday_mean_kwh": column(weekday_mean),
            "weekend_mean_kwh": column(weekend_mean),
        }
    )


def history_depth(rules: FeatureRules) -> int:
    """Months back that a month's history features read (:func:`_history`): nothing further back counts."""
    return max(rules.history_months, rules.trend_months - 1, 1)


#: The same month a year before (同比).
YEAR_BACK = 12


def _total(values):
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _mean_and_trend(y, weight, x, rules: FeatureRules):
    """(history mean, trend per month) of a month from the means ``y[k]`` of the months before it
    (``y[0]`` the month itself), each month k counted where ``weight(k, months)`` is 1.0 (it lies within
    ``months`` months) and 0.0 where not, ``x[k]`` its distance back (negative, as float). Sums of masked
    terms (``y * 1.0`` or ``y * 0.0``: exact), no conditional per term."""
    h, t = rules.history_months, rules.trend_months - 1
    zero = ibis.literal(0.0)
    hist_n = _total([zero] + [weight(k, h) for k in range(1, h + 1)])
    hist_sum = _total([zero] + [y[k] * weight(k, h) for k in range(1, h + 1)])
    n = _total([ibis.literal(1.0)] + [weight(k, t) for k in range(1, t + 1)])
    sx = _total([zero] + [x[k] * weight(k, t) for k in range(1, t + 1)])
    sy = _total([y[0]] + [y[k] * weight(k, t) for k in range(1, t + 1)])
    sxy = _total([zero] + [x[k] * y[k] * weight(k, t) for k in range(1, t + 1)])
    sxx = _total([zero] + [x[k] * x[k] * weight(k, t) for k in range(1, t + 1)])
    denom = n * sxx - sx * sx
    slope = ibis.ifelse((n >= 3) & (denom > 0), (n * sxy - sx * sy) / denom, NULL_FLOAT)
    return ibis.ifelse(hist_n > 0, hist_sum / hist_n, NULL_FLOAT), safe_div(slope, sy / n)


def _history_of_span(mon, rules: FeatureRules):
    """History features from one window of lags per meter (ordered by month).

    The same values as windows framed by month ranges (``RANGE BETWEEN k PRECEDING ...``): the lags
    reach back as many rows as the longest frame has months, and a lagged month counts only when it lies
    inside the frame (months without readings have no row).  A single window of lags costs one sort of
    the monthly rows; framed aggregates over many short partitions cost several times that.  The trend's
    months are counted from the month itself (0, -1, ..., the slope is the same), so its sums are exact.
    """
    h = rules.history_months
    depth = history_depth(rules)
    w = ibis.window(group_by="meter_id", order_by="month_index")
    # a missing earlier row reads as a month far back (outside every frame) with 0 kWh/day
    far = ibis.literal(-(10**6)).cast("int64")
    mon = mon.mutate(
        **{f"_y{k}": mon.mean_kwh.lag(k, 0.0).over(w) for k in range(1, depth + 1)},
        **{f"_m{k}": mon.month_index.cast("int64").lag(k, far).over(w) for k in range(1, depth + 1)},
    )
    y = [mon.mean_kwh] + [mon[f"_y{k}"] for k in range(1, depth + 1)]
    d = [ibis.literal(0).cast("int64")] + [mon.month_index - mon[f"_m{k}"] for k in range(1, depth + 1)]

    def inside(k, months):
        """1.0 where the row k back lies within ``months`` months of the month, else 0.0."""
        return (d[k] <= months).cast("float64")

    x = [(-d[k]).cast("float64") for k in range(depth + 1)]
    hist_mean, trend = _mean_and_trend(y, inside, x, rules)

    def step(k):
        """Month over month ratio of the row k back (null unless the row before it is its previous month)."""
        return ibis.ifelse((d[k + 1] - d[k] == 1) & (y[k + 1] != 0), y[k] / y[k + 1], NULL_FLOAT)

    # the largest step down among the months of the last history_months (nulls skipped)
    steps = [step(0)] + [ibis.ifelse(d[k] <= h - 1, step(k), NULL_FLOAT) for k in range(1, h)]
    mon = mon.mutate(
        hist_mean_kwh=hist_mean,
        prev_mean_kwh=ibis.ifelse(d[1] == 1, y[1], NULL_FLOAT),
        change_ratio=steps[0],
        min_change_ratio=ibis.least(*steps) if len(steps) > 1 else steps[0],
        trend_per_month=trend,
    )
    mon = mon.mutate(ratio_to_own=safe_div(mon.mean_kwh, mon.hist_mean_kwh))
    return mon.drop(*[f"_y{k}" for k in range(1, depth + 1)], *[f"_m{k}" for k in range(1, depth + 1)])


def _history(monthly, first_index: int, last_index: int, rules: FeatureRules):
    """The months ``first_index``..``last_index`` (``month_index``) of ``monthly`` with their history:
    ``hist_mean_kwh``, ``prev_mean_kwh``, ``change_ratio``, ``min_change_ratio``, ``trend_per_month``,
    ``ratio_to_own`` and ``last_year_mean_kwh``.

    Two ways to the same values (``test_features.py`` asserts them equal): one month, the monthly run's
    case, gathers its history months by one hash aggregation (:func:`_history_of_months`; on DuckDB
    several times faster than a window over many short partitions); a span of months (training) takes
    one window of lags per meter (:func:`_history_of_span`), where the aggregation would handle every
    row once per month that reads it.
    """
    if first_index == last_index:
        return _history_of_months(monthly, first_index, last_index, rules)
    depth = history_depth(rules)
    # only the months that the span's history reads go through the window
    rows = monthly.filter((monthly.month_index >= first_index - depth) & (monthly.month_index <= last_index))
    mon = _history_of_span(rows, rules)
    mon = mon.filter((mon.month_index >= first_index) & (mon.month_index <= last_index))
    last_year = monthly.select(
        "meter_id", month_index=monthly.month_index + YEAR_BACK, last_year_mean_kwh=monthly.mean_kwh
    )
    return mon.left_join(last_year, ["meter_id", "month_index"]).select(mon, last_year.last_year_mean_kwh)


def _history_of_months(monthly, first_index: int, last_index: int, rules: FeatureRules):
    """The months ``first_index``..``last_index`` (``month_index``) of ``monthly`` with their history,
    by aggregation (see :func:`_history`).

    Each month's row gathers, by conditional aggregation, the mean of each of the
    :func:`history_depth` months before it and of the same month a year before, from the rows of those
    months (a month without readings has no row: it is absent, not zero). The history mean, the month
    over month steps and the trend are then sums of masked terms (``x * 1.0`` or ``x * 0.0``: exact):
    one hash aggregation over the rows that matter. The trend's months are counted from the month
    itself (0, -1, ...; the slope is the same).
    """
    h = rules.history_months
    depth = history_depth(rules)
    offsets = sorted({*range(depth + 1), YEAR_BACK})
    needed = (monthly.month_index >= first_index - depth) & (monthly.month_index <= last_index)
    needed |= (monthly.month_index >= first_index - YEAR_BACK) & (
        monthly.month_index <= last_index - YEAR_BACK
    )
    if first_index == last_index:
        # one month (the monthly run): each needed row is read by that month alone, at its distance
        # back; no cross join (which made each row once per offset, thirteen times, to keep one)
        rows = monthly.filter(needed)
        rows = rows.mutate(
            _offset=(ibis.literal(first_index) - rows.month_index).cast("int64"),
            _target=ibis.literal(first_index).cast(rows.month_index.type()),
        )
    else:
        rows = monthly.filter(needed).cross_join(ibis.memtable({"_offset": offsets}))
        rows = rows.mutate(_target=rows.month_index + rows._offset)
        rows = rows.filter((rows._target >= first_index) & (rows._target <= last_index))
    own = [c for c in monthly.columns if c not in ("meter_id", "month", "month_index")]
    at = {j: rows._offset == j for j in offsets}
    g = rows.group_by(["meter_id", rows._target.name("month_index")]).aggregate(
        _here=at[0].cast("int64").max(),
        **{c: rows[c].max(where=at[0]) for c in own},
        **{f"_p{j}": at[j].cast("float64").max() for j in offsets if j},
        **{f"_y{j}": rows.mean_kwh.max(where=at[j]) for j in offsets if j},
    )
    g = g.filter(g._here == 1)  # the months the meter has readings in
    y = {0: g.mean_kwh, **{j: g[f"_y{j}"] for j in offsets if j}}
    p = {0: ibis.literal(1.0), **{j: g[f"_p{j}"] for j in offsets if j}}

    # the month j back's mean where it has a row, else 0.0 (a null mean stays null)
    present = [ibis.ifelse(p[j] == 1.0, y[j], 0.0) for j in range(depth + 1)]
    hist_mean, trend = _mean_and_trend(
        present, lambda j, _months: p[j], [ibis.literal(float(-j)) for j in range(depth + 1)], rules
    )

    def step(j):
        """Month over month ratio of the month j back (null unless it and the month before have rows)."""
        both = (p[j] == 1.0) & (p[j + 1] == 1.0)
        return ibis.ifelse(both & (y[j + 1] != 0), y[j] / y[j + 1], NULL_FLOAT)

    # the largest step down among the months of the last history_months (nulls skipped)
    steps = [step(j) for j in range(h)]
    month = ((g.month_index // 12) * 100 + g.month_index % 12 + 1).cast("int64")
    mon = g.mutate(
        month=month,
        hist_mean_kwh=hist_mean,
        prev_mean_kwh=ibis.ifelse(p[1] == 1.0, y[1], NULL_FLOAT),
        change_ratio=steps[0],
        min_change_ratio=ibis.least(*steps) if len(steps) > 1 else steps[0],
        trend_per_month=trend,
        last_year_mean_kwh=ibis.ifelse(p[YEAR_BACK] == 1.0, y[YEAR_BACK], NULL_FLOAT),
    )
    mon = mon.mutate(ratio_to_own=safe_div(mon.mean_kwh, mon.hist_mean_kwh))
    return mon.drop("_here", *[f"_p{j}" for j in offsets if j], *[f"_y{j}" for j in offsets if j])


def history_of_one_month(here: pa.Table, back, month_index: int, rules: FeatureRules):
    """:func:`_history_of_months` of one month in NumPy, from its monthly rows as Arrow (``here``: the
    month's, every column; ``back``: ``meter_id, month_index, mean_kwh`` of its :func:`history_depth`
    months before and of the same month a year before, one table or a list of tables): an Arrow table of
    the same columns and values (the same sums in the same order).

    The earlier months' means are placed by their meter's row in the month (one hash lookup of the
    ids, not a grouping of every row by its text id; none for a table of ``back`` that lists the
    month's meters in the month's order, as the stored months of one archive do).  None where a month
    has a meter twice (the SQL's ``max`` per group would then decide) or a mean is missing: the caller
    takes the SQL.
    """
    h, t = rules.history_months, rules.trend_months - 1
    depth = history_depth(rules)
    ids = here["meter_id"]
    n = len(ids)
    backs = list(back) if isinstance(back, list | tuple) else [back]
    here_mean = _as_float(here["mean_kwh"])
    if ids.null_count or np.isnan(here_mean).any():
        return None
    # (months back, the rows' meter in the month, their means) per month of each table of ``back``
    entries = [(0, np.arange(n, dtype=np.int64), here_mean)]
    value_set = None
    for b in backs:
        mean = _as_float(b["mean_kwh"])
        if np.isnan(mean).any():
            return None
        if b["meter_id"].equals(ids):  # the month's meters in its order: each row is its meter's
            meter = np.arange(n, dtype=np.int64)
        else:
            if value_set is None:
                value_set = ids.combine_chunks() if n else pa.array([], pa.string())
            of_back = pc.index_in(b["meter_id"], value_set=value_set)
            meter = of_back.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        index = b["month_index"].to_numpy(zero_copy_only=False).astype(np.int64)
        known = meter >= 0  # the rows of meters in the month
        if not known.all():
            meter, mean, index = meter[known], mean[known], index[known]
        if len(index) and index.min() == index.max():  # one month (a stored month's file)
            entries.append((month_index - int(index[0]), meter, mean))
        else:
            entries.extend(
                (month_index - int(v), meter[index == v], mean[index == v]) for v in np.unique(index)
            )
    p, y = {}, {}
    for j in sorted({*range(depth + 1), YEAR_BACK}):
        p[j], y[j] = np.zeros(n), np.full(n, np.nan)
        rows = [(meter, mean) for k, meter, mean in entries if k == j]
        at = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int64)
        p[j][at] = 1.0
        if p[j].sum() != len(at):
            return None  # a meter twice in a month
        if rows:
            y[j][at] = np.concatenate([r[1] for r in rows])
    present = [np.where(p[j] == 1.0, y[j], 0.0) for j in range(depth + 1)]

    def total(first, terms):
        out = first
        for term in terms:
            out = out + term
        return out

    # the sums of _mean_and_trend, term by term in its order (x[k] = -k, weight(k) = p[k])
    hist_n = total(0.0, [p[k] for k in range(1, h + 1)])
    hist_sum = total(0.0, [present[k] * p[k] for k in range(1, h + 1)])
    count = total(1.0, [p[k] for k in range(1, t + 1)])
    sx = total(0.0, [float(-k) * p[k] for k in range(1, t + 1)])
    sy = total(present[0], [present[k] * p[k] for k in range(1, t + 1)])
    sxy = total(0.0, [float(-k) * present[k] * p[k] for k in range(1, t + 1)])
    sxx = total(0.0, [float(-k) * float(-k) * p[k] for k in range(1, t + 1)])
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = count * sxx - sx * sx
        slope = np.where((count >= 3) & (denom > 0), (count * sxy - sx * sy) / denom, np.nan)
        hist_mean = np.where(hist_n > 0, hist_sum / hist_n, np.nan)
        level = sy / count
        trend = np.where(level != 0, slope / level, np.nan)
        steps = [
            np.where((p[j] == 1.0) & (p[j + 1] == 1.0) & (y[j + 1] != 0), y[j] / y[j + 1], np.nan)
            for j in range(h)
        ]
        ratio_to_own = np.where(hist_mean != 0, y[0] / hist_mean, np.nan)
    least = steps[0]
    for step in steps[1:]:
        least = np.fmin(least, step)  # LEAST skips nulls

    def column(values):
        return pa.array(values, pa.float64(), from_pandas=True)

    own = [c for c in here.column_names if c not in ("meter_id", "month", "month_index")]
    return pa.table(
        {
            "meter_id": ids,
            "month_index": here["month_index"],
            **{c: here[c] for c in own},
            "month": pa.array(np.full(n, (month_index // 12) * 100 + month_index % 12 + 1), pa.int64()),
            "hist_mean_kwh": column(hist_mean),
            "prev_mean_kwh": column(np.where(p[1] == 1.0, y[1], np.nan)),
            "change_ratio": column(steps[0]),
            "min_change_ratio": column(least),
            "trend_per_month": column(trend),
            "last_year_mean_kwh": column(np.where(p[YEAR_BACK] == 1.0, y[YEAR_BACK], np.nan)),
            "ratio_to_own": column(ratio_to_own),
        }
    )


def _as_float(column) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def theft_events(events):
    ev = events.mutate(event_date=events.timestamp.date())
    return ev.filter(ev.event_code.isin(list(THEFT_EVENT_METHODS))).select(
        "meter_id", "event_date", "event_code"
    )


def pre_event_means(events, energy, rules: FeatureRules):
    """Mean energy in the days before each theft-type event: meter_id, event_date, pre_event_mean_kwh."""
    theft = theft_events(events)
    e = energy.filter(is_present(energy.energy_kwh))
    e = e.filter(e.meter_id.isin(theft.meter_id))
    te = theft.select("meter_id", "event_date").distinct()
    j = te.inner_join(e, "meter_id")
    j = j.filter(
        (j.reading_date < j.event_date)
        & (j.reading_date >= j.event_date.sub(ibis.interval(days=rules.pre_event_days)))
    )
    return j.group_by(["meter_id", "event_date"]).aggregate(pre_event_mean_kwh=j.energy_kwh.mean())


def _curve_features(curves, meters_attr, rules: FeatureRules):
    c = curves.inner_join(meters_attr.select("meter_id", "rated_voltage_v"), "meter_id")
    c = c.mutate(
        _energy=missing_as_null(c.energy_kwh),
        _volt=missing_as_null(c.voltage_a_v) if "voltage_a_v" in c.columns else NULL_FLOAT,
        month=month_key_of(c.timestamp.date()),
    )
    c = c.mutate(
        _night=ibis.ifelse(c.timestamp.hour() < 6, c._energy, 0.0),
        _low=ibis.ifelse(
            c._volt.notnull(),
            (c._volt < rules.low_voltage_fraction * c.rated_voltage_v).cast("int64"),
            NULL_FLOAT,
        ),
    )
    g = c.group_by(["meter_id", "month"]).aggregate(
        _e=c._energy.sum(), _n=c._night.sum(), low_voltage_share=c._low.mean()
    )
    return g.select("meter_id", "month", "low_voltage_share", night_share=safe_div(g._n, g._e))


def area_loss_daily(area_loss):
    return area_loss.mutate(
        supply_kwh=missing_as_null(area_loss.supply_kwh),
        loss_kwh=missing_as_null(area_loss.loss_kwh),
        month=month_key_of(area_loss.reading_date),
    )


#: The area key of a meter-day whose meter the archive lacks (in :func:`_loss_correlation`; no area code).
_NO_AREA = "(no area: meter not in the archive)"


def _loss_correlation(area_loss, energy, meters_attr, first_day: dt.date, last_day: dt.date):
    """Each customer's daily correlation with the area loss, per month of ``first_day``..``last_day``."""
    al = area_loss_daily(area_loss)
    al = al.filter(al.reading_date.between(first_day, last_day))
    e = energy.filter(is_present(energy.energy_kwh) & energy.reading_date.between(first_day, last_day))
    # the meter-days get their area by a left join, the area kept non-null in the key (a meter-day whose
    # meter is unknown gets a key no area code is: dropped, as by an inner join), so that DuckDB keeps the
    # order: an inner join it would reorder, joining the meters with the area-days first, which builds
    # a hash table of every meter-day of the month (1.1 s of the first stage's 2.5 s at 100,000 meters)
    e = e.left_join(meters_attr.select("meter_id", "area_code"), "meter_id")
    e = e.select("meter_id", "reading_date", "energy_kwh", _area=e.area_code.fill_null(_NO_AREA)).view()
    al = al.select(_area=al.area_code, _day=al.reading_date, loss_kwh=al.loss_kwh)
    j = e.inner_join(al, [e._area == al._area, e.reading_date == al._day])
    j = j.filter(j.loss_kwh.notnull())
    corr = j.group_by(
        ["meter_id", j.reading_date.year().name("_y"), j.reading_date.month().name("_m")]
    ).aggregate(loss_corr=j.energy_kwh.corr(j.loss_kwh, how="pop"), _cnt=j.energy_kwh.count())
    return corr.select(
        "meter_id",
        month=corr._y * 100 + corr._m,
        loss_corr=ibis.ifelse(corr._cnt >= 7, corr.loss_corr, NULL_FLOAT),
    )


def loss_correlation_of_grid(meter_ids, energy, loss, first_day: dt.date, area_of_meter=None) -> pa.Table:
    """:func:`_loss_correlation` of one month from its days as matrices (:func:`kernels.loss_correlation`):
    an Arrow table.

    ``energy`` is ``len(meter_ids) x days`` (the month's days from ``first_day``; NaN where absent) and
    ``loss`` the same shape: each meter's area's daily loss (NaN where the area has none or the meter no
    area); or, with ``area_of_meter`` (each meter's row of ``loss``), one row per area.  A meter with a
    day that has both gets a row: its population correlation over those days, null under 7 of them; NaN
    where either series is constant (DuckDB's ``corr``: a standard deviation of zero).  The same rows and
    the same values up to the order of the additions.
    """
    energy = np.ascontiguousarray(energy, dtype=np.float64)
    loss = np.ascontiguousarray(loss, dtype=np.float64)
    if area_of_meter is None:
        area_of_meter = np.arange(len(energy), dtype=np.int64)
    pairs, corr = kernels.loss_correlation(energy, loss, np.asarray(area_of_meter, dtype=np.int64))
    rows = pairs > 0
    return pa.table(
        {
            "meter_id": meter_ids.filter(pa.array(rows)),
            "month": pa.array(np.full(int(rows.sum()), first_day.year * 100 + first_day.month), pa.int64()),
            "loss_corr": pa.array(corr[rows], pa.float64(), mask=pairs[rows] < 7),
        }
    )


def month_range(start: dt.date, end: dt.date):
    """(first YYYYMM, last YYYYMM, first day of the first month, last day of the last month, months table)."""
    months = pd.period_range(start, end, freq="M")
    months_tbl = ibis.memtable(
        pd.DataFrame(
            {
                "month": [int(p.strftime("%Y%m")) for p in months],
                "month_end": [p.end_time.date() for p in months],
            }
        )
    ).mutate(month_end=lambda t: t.month_end.cast("date"))
    first_day, last_day = months[0].start_time.date(), months[-1].end_time.date()
    return int(months[0].strftime("%Y%m")), int(months[-1].strftime("%Y%m")), first_day, last_day, months_tbl


def meter_months(
    energy,
    attrs,
    start,
    end,
    *,
    curves,
    area_loss,
    rules: FeatureRules,
    monthly=None,
    loss_corr=None,
    history=None,
):
    """First stage: the features of each (meter, month) of ``start``..``end`` from the meter's daily rows.

    Level, spread, history, curves and the correlation with the area loss; nothing that needs other
    meters (peers) or the meters' attributes (capacity), so it can run on any subset of meters.  (The
    events are few: they join in the second stage, only their pre-event means need the daily rows.)

    ``monthly``: the :func:`monthly_consumption` rows of the history months and of ``start``..``end``,
    when they are stored already (the incremental monthly run): the history then comes from them, and
    ``energy`` needs only the days of ``start``..``end`` (for the loss correlation).

    ``loss_corr``: the loss correlation (``meter_id, month, loss_corr``, as :func:`_loss_correlation`
    gives it) where it is stored already (each month's base); ``energy`` and ``area_loss`` are then not
    read for it.  ``history``: the history rows of ``start``..``end`` (:func:`_history` of ``monthly``)
    where they are made already (:func:`history_of_one_month`).
    """
    first, last, first_day, last_day, _ = month_range(start, end)
    if monthly is None:
        monthly = monthly_consumption(energy, rules)
    first_index, last_index = (first // 100) * 12 + first % 100 - 1, (last // 100) * 12 + last % 100 - 1
    mon = history if history is not None else _history(monthly, first_index, last_index, rules)
    mon = mon.select(
        "meter_id",
        "month",
        "days",
        "mean_kwh",
        "std_kwh",
        "max_kwh",
        "negative_days",
        "hist_mean_kwh",
        "ratio_to_own",
        "change_ratio",
        "min_change_ratio",
        "trend_per_month",
        "last_year_mean_kwh",
        yoy_ratio=safe_div(mon.mean_kwh, mon.last_year_mean_kwh),
        zero_share=safe_div(mon.zero_days.cast("float64"), mon.days.cast("float64")),
        weekend_ratio=safe_div(mon.weekend_mean_kwh, mon.weekday_mean_kwh),
    )
    if curves is not None:
        cf = _curve_features(curves, attrs, rules)
        mon = mon.left_join(cf, ["meter_id", "month"]).select(mon, cf.night_share, cf.low_voltage_share)
    else:
        mon = mon.mutate(night_share=NULL_FLOAT, low_voltage_share=NULL_FLOAT)
    if loss_corr is not None or area_loss is not None:
        if loss_corr is not None:
            corr = loss_corr.filter(loss_corr.month.between(first, last)).select(
                "meter_id", "month", "loss_corr"
            )
        else:
            corr = _loss_correlation(area_loss, energy, attrs, first_day, last_day)
        mon = mon.left_join(corr, ["meter_id", "month"]).select(mon, corr.loss_corr)
    else:
        mon = mon.mutate(loss_corr=NULL_FLOAT)
    return mon
