"""Customer-month features for theft and anomaly detection, as Ibis expressions (DuckDB and Spark alike).

:func:`customer_month_features` turns daily consumption (the output of
:func:`gridcheck_analytics.quality.validate_daily`, or any table with ``meter_id, reading_date,
energy_kwh``) into one row per (meter, month) with:

* level, spread and volatility of the month: ``mean_kwh``, ``std_kwh``, ``max_kwh``, ``cv``;
* zero and negative days: ``zero_share``, ``negative_days`` (reversed energy);
* weekday/weekend shape: ``weekend_ratio``;
* history: ``hist_mean_kwh`` (mean of the previous :attr:`FeatureRules.history_months` months),
  ``ratio_to_own``, ``change_ratio`` (month over month), ``min_change_ratio`` (the largest step down within
  the window, a simple change point), ``trend_per_month`` (least-squares slope of the monthly means over
  :attr:`FeatureRules.trend_months`, relative to their mean);
* peers (same area, same category, same month): ``peer_ratio`` (level vs the peers' median) and
  ``peer_own_ratio`` (the customer's ``ratio_to_own`` vs the peers' median ``ratio_to_own``: seasonal
  changes cancel);
* capacity: ``load_factor`` (mean power / contracted capacity), ``capacity_ratio`` (the busiest day's
  energy / 24 h at capacity), ``meter_limit_ratio`` (busiest day / what the meter can register),
  ``ct_load_percent`` (normal primary current / the CT's rated primary current, CT-metered customers);
* meter events (collection system): counts per code in the month, ``theft_events_recent`` (theft-type
  events in the window of :attr:`FeatureRules.event_lookback_days` up to month end),
  ``post_event_ratio`` (the month's mean / the mean of the days before the latest such event);
* line loss: ``area_loss_rate_percent``, ``area_loss_change_pp`` (vs the month before) and
  ``loss_corr`` (correlation of the customer's daily energy with the area's daily loss in the month;
  negative when the customer's drop is the area's loss rise);
* 15-minute curves, where present: ``night_share`` (share of energy 00:00-06:00) and
  ``low_voltage_share`` (share of points below :attr:`FeatureRules.low_voltage_fraction` of rating).

The work is split in two stages.  The first uses each meter's own daily rows: one pass over them (one
hash aggregate per meter and month), the history from one window of lags over the monthly rows (no
framed aggregates: those cost several times more on a million short partitions), the curves, the loss
correlation and the mean before each theft-type event.  The second joins to that monthly table (about
thirty times smaller than the daily rows) the meters' attributes, the peers (medians per area, category
and month), the event counts and the area loss.  Given a DuckDB connection (``con``),
:func:`customer_month_features` runs the first stage in buckets of meter ids into temporary tables, so its
working memory is that of one bucket whatever the number of meters (the store's files are sorted by
meter id: a bucket reads only its row groups); without one (or on Spark) both stages are one expression.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import pandas as pd

from gridcheck_analytics.schema import EVENT_NAMES_ZH, EventCode
from gridcheck_analytics.store import meter_id_ranges

#: Event codes that announce a classic theft method, and the method each points to.
THEFT_EVENT_METHODS = {
    EventCode.COVER_OPENED.value: "bypass",
    EventCode.LOSS_OF_VOLTAGE.value: "under_voltage",
    EventCode.LOSS_OF_CURRENT.value: "under_current",
    EventCode.REVERSED.value: "phase_shift",
    EventCode.PHASE_FAILURE.value: "under_voltage",
}
#: Event codes counted as features (``events_<code>``).
COUNTED_EVENTS = tuple(c.value for c in EventCode)

#: The model's feature columns (numeric), in order.
FEATURE_COLUMNS = [
    "mean_kwh",
    "std_kwh",
    "max_kwh",
    "cv",
    "zero_share",
    "negative_days",
    "weekend_ratio",
    "hist_mean_kwh",
    "ratio_to_own",
    "change_ratio",
    "min_change_ratio",
    "trend_per_month",
    "peer_ratio",
    "peer_own_ratio",
    "load_factor",
    "capacity_ratio",
    "meter_limit_ratio",
    "ct_load_percent",
    "theft_events_recent",
    "post_event_ratio",
    "area_loss_rate_percent",
    "area_loss_change_pp",
    "loss_corr",
    "night_share",
    "low_voltage_share",
    *[f"events_{c}" for c in COUNTED_EVENTS],
]

#: Chinese names of the features, for reasons shown to inspectors.
FEATURE_NAMES_ZH = {
    "mean_kwh": "本月日均电量",
    "std_kwh": "日电量标准差",
    "max_kwh": "本月最大日电量",
    "cv": "日电量波动系数",
    "zero_share": "零电量天数占比",
    "negative_days": "反向电量天数",
    "weekend_ratio": "周末/工作日电量比",
    "hist_mean_kwh": "历史日均电量",
    "ratio_to_own": "本月与自身历史之比",
    "change_ratio": "环比",
    "min_change_ratio": "近期最大环比降幅",
    "trend_per_month": "电量月趋势",
    "peer_ratio": "与同台区同类用户之比",
    "peer_own_ratio": "相对同类用户的自身变化",
    "load_factor": "负荷率(对合同容量)",
    "capacity_ratio": "最大日电量/容量上限",
    "meter_limit_ratio": "最大日电量/电能表上限",
    "ct_load_percent": "CT一次电流负载率",
    "theft_events_recent": "近期窃电类事件数",
    "post_event_ratio": "事件后/事件前电量比",
    "area_loss_rate_percent": "台区线损率",
    "area_loss_change_pp": "台区线损率环比变化",
    "loss_corr": "用户电量与台区损失电量相关系数",
    "night_share": "夜间(0-6时)电量占比",
    "low_voltage_share": "低电压点占比",
    **{f"events_{code.value}": f"本月“{zh}”事件次数" for zh, code in EVENT_NAMES_ZH.items()},
}


@dataclass(frozen=True)
class FeatureRules:
    """Windows and thresholds of the features (engineering choices of this project)."""

    #: Months before the month that form the customer's own history.
    history_months: int = 3
    #: Months (including the month) of the trend slope.
    trend_months: int = 6
    #: Months back of the year-over-year comparison (the same month a year before) that scoring reads.
    year_over_year_months: int = 12
    #: Consumption at or below this is a zero day [kWh].
    zero_kwh: float = 0.0005
    #: Theft-type events this many days before month end count as recent [days].
    event_lookback_days: int = 92
    #: Days before an event that form its "before" mean [days].
    pre_event_days: int = 30
    #: A curve point below this fraction of the rated voltage is low.
    low_voltage_fraction: float = 0.8
    #: Secondary rated current of a CT [A] (x/5 A CTs).
    ct_secondary_a: float = 5.0


FEATURES = FeatureRules()
_NULL = ibis.null().cast("float64")

#: Meters per bucket of the first stage on DuckDB (:func:`customer_month_features` with ``con``): about
#: 12 x this many monthly rows in the aggregate and the window at a time (under 1 GB at 365 days).
METERS_PER_BUCKET = 200_000
#: Prefix of the temporary tables of the first stage (see :func:`release_features`).
TEMP_PREFIX = "gc_features_"


def _month_key(date_col):
    return date_col.year() * 100 + date_col.month()


def _month_index(date_col):
    return date_col.year() * 12 + date_col.month() - 1


def _safe_div(a, b):
    return ibis.ifelse(b.notnull() & (b != 0), a / b, _NULL)


# A missing value may arrive as NaN (a pandas frame given to Ibis): DuckDB turns it into NULL, Spark keeps
# the NaN, and one NaN makes a sum or a mean NaN. Every float input below goes through these two.
def _valid(col):
    """Whether a float value is present (neither NULL nor NaN)."""
    return col.notnull() & ~col.isnan()


def _missing_as_null(col):
    """The float column with NaN turned into NULL (skipped by aggregates on every backend)."""
    return ibis.ifelse(col.isnan(), _NULL, col)


def _as_table(frame):
    return frame if isinstance(frame, ibis.Table) else ibis.memtable(frame)


def _meter_attributes(meters, rules: FeatureRules):
    m = _as_table(meters)
    cols = m.columns

    def num(name, default):
        if name not in cols:
            return ibis.literal(default).cast("float64")
        c = m[name].cast("float64")
        return ibis.ifelse(c.isnan(), _NULL, c).fill_null(default) if default is not None else c

    phases = num("phases", 1.0)
    volt = num("rated_voltage_v", 220.0)
    mult = num("multiplier", 1.0)
    max_a = num("max_current_a", 60.0)
    cap = num("contracted_capacity_kva", None)
    cap = ibis.ifelse(cap.isnan(), _NULL, cap)
    # Current at contracted capacity on the primary side [A]: S / (phases x U_phase).
    cap_current = _safe_div(cap * 1000.0, phases * volt)
    ct_primary = ibis.ifelse(mult > 1, mult * rules.ct_secondary_a, _NULL)
    return m.select(
        "meter_id",
        area_code=m.area_code if "area_code" in cols else ibis.literal(None).cast("string"),
        station_code=m.station_code if "station_code" in cols else ibis.literal(None).cast("string"),
        account_number=m.account_number if "account_number" in cols else ibis.literal(None).cast("string"),
        category=(m.category if "category" in cols else ibis.literal("unknown")).fill_null("unknown"),
        contracted_capacity_kva=cap,
        multiplier=mult,
        rated_voltage_v=volt,
        phases=phases,
        max_kwh_per_day=phases * volt * max_a * 24.0 / 1000.0 * mult,
        capacity_current_a=cap_current,
        ct_primary_a=ct_primary,
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
    e = energy.filter(_valid(energy.energy_kwh))
    dow = e.reading_date.day_of_week.index()  # Monday = 0
    weekend = dow >= 5
    # one key besides the meter (the month's index), the YYYYMM key per group: fewer date parts per row
    e = e.mutate(
        month_index=_month_index(e.reading_date),
        _we=ibis.ifelse(weekend, e.energy_kwh, _NULL),
        _wd=ibis.ifelse(weekend, _NULL, e.energy_kwh),
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


def _history(mon, rules: FeatureRules):
    """History features from one window of lags per meter (ordered by month).

    The same values as windows framed by month ranges (``RANGE BETWEEN k PRECEDING ...``): the lags
    reach back as many rows as the longest frame has months, and a lagged month counts only when it lies
    inside the frame (months without readings have no row).  A single window of lags costs one sort of
    the monthly rows; framed aggregates over many short partitions cost several times that.  The trend's
    months are counted from the month itself (0, -1, ..., the slope is the same), so its sums are exact.
    """
    h, t = rules.history_months, rules.trend_months - 1
    depth = max(h, t, 1)
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

    def total(values):
        out = values[0]
        for v in values[1:]:
            out = out + v
        return out

    # sums of masked terms (x * 1.0 or x * 0.0: exact), no conditional per term
    zero = ibis.literal(0.0)
    hist_n = total([zero] + [inside(k, h) for k in range(1, h + 1)])
    hist_sum = total([zero] + [y[k] * inside(k, h) for k in range(1, h + 1)])
    x = [(-d[k]).cast("float64") for k in range(depth + 1)]
    n = total([ibis.literal(1.0)] + [inside(k, t) for k in range(1, t + 1)])
    sx = total([zero] + [x[k] * inside(k, t) for k in range(1, t + 1)])
    sy = total([y[0]] + [y[k] * inside(k, t) for k in range(1, t + 1)])
    sxy = total([zero] + [x[k] * y[k] * inside(k, t) for k in range(1, t + 1)])
    sxx = total([zero] + [x[k] * x[k] * inside(k, t) for k in range(1, t + 1)])
    denom = n * sxx - sx * sx
    slope = ibis.ifelse((n >= 3) & (denom > 0), (n * sxy - sx * sy) / denom, _NULL)

    def step(k):
        """Month over month ratio of the row k back (null unless the row before it is its previous month)."""
        return ibis.ifelse((d[k + 1] - d[k] == 1) & (y[k + 1] != 0), y[k] / y[k + 1], _NULL)

    # the largest step down among the months of the last history_months (nulls skipped)
    steps = [step(0)] + [ibis.ifelse(d[k] <= h - 1, step(k), _NULL) for k in range(1, h)]
    mon = mon.mutate(
        hist_mean_kwh=ibis.ifelse(hist_n > 0, hist_sum / hist_n, _NULL),
        prev_mean_kwh=ibis.ifelse(d[1] == 1, y[1], _NULL),
        change_ratio=steps[0],
        min_change_ratio=ibis.least(*steps) if len(steps) > 1 else steps[0],
        trend_per_month=_safe_div(slope, sy / n),
    )
    mon = mon.mutate(ratio_to_own=_safe_div(mon.mean_kwh, mon.hist_mean_kwh))
    return mon.drop(*[f"_y{k}" for k in range(1, depth + 1)], *[f"_m{k}" for k in range(1, depth + 1)])


def _theft_events(events):
    ev = events.mutate(event_date=events.timestamp.date())
    return ev.filter(ev.event_code.isin(list(THEFT_EVENT_METHODS))).select(
        "meter_id", "event_date", "event_code"
    )


def _event_features(events, months_tbl, rules: FeatureRules):
    """Counts per code in the month, and the recent theft-type events (count, latest date and code)."""
    ev = events.mutate(month=_month_key(events.timestamp.date()))
    counts = ev.group_by(["meter_id", "month"]).aggregate(
        **{f"events_{c}": (ev.event_code == c).cast("int64").sum() for c in COUNTED_EVENTS}
    )
    theft = _theft_events(events)
    # every (meter, month) with a theft-type event in the lookback window before the month end
    pairs = theft.cross_join(months_tbl)
    pairs = pairs.filter(
        (pairs.event_date <= pairs.month_end)
        & (pairs.event_date > pairs.month_end.sub(ibis.interval(days=rules.event_lookback_days)))
    )
    latest = pairs.group_by(["meter_id", "month"]).aggregate(
        theft_events_recent=pairs.meter_id.count(),
        last_event_date=pairs.event_date.max(),
    )
    # last event code for the reason text
    last = theft.group_by(["meter_id", "event_date"]).aggregate(last_event_code=theft.event_code.max())
    latest = latest.left_join(
        last, [latest.meter_id == last.meter_id, latest.last_event_date == last.event_date]
    ).select(latest, last.last_event_code)
    return counts, latest


def _pre_event_means(events, energy, rules: FeatureRules):
    """Mean energy in the days before each theft-type event: meter_id, event_date, pre_event_mean_kwh."""
    theft = _theft_events(events)
    e = energy.filter(_valid(energy.energy_kwh))
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
        _energy=_missing_as_null(c.energy_kwh),
        _volt=_missing_as_null(c.voltage_a_v) if "voltage_a_v" in c.columns else _NULL,
        month=_month_key(c.timestamp.date()),
    )
    c = c.mutate(
        _night=ibis.ifelse(c.timestamp.hour() < 6, c._energy, 0.0),
        _low=ibis.ifelse(
            c._volt.notnull(), (c._volt < rules.low_voltage_fraction * c.rated_voltage_v).cast("int64"), _NULL
        ),
    )
    g = c.group_by(["meter_id", "month"]).aggregate(
        _e=c._energy.sum(), _n=c._night.sum(), low_voltage_share=c._low.mean()
    )
    return g.select("meter_id", "month", "low_voltage_share", night_share=_safe_div(g._n, g._e))


def _area_loss_monthly(area_loss):
    """Monthly loss rate per area and its change from the month before [percent, percentage points]."""
    al = _area_loss_daily(area_loss)
    al = al.mutate(month_index=_month_index(al.reading_date))
    am = al.group_by(["area_code", "month", "month_index"]).aggregate(
        _s=al.supply_kwh.sum(), _l=al.loss_kwh.sum()
    )
    am = am.mutate(area_loss_rate_percent=ibis.ifelse(am._s > 0, am._l / am._s * 100.0, _NULL))
    w = ibis.window(group_by="area_code", order_by="month_index", range=(-1, -1))
    am = am.mutate(area_loss_change_pp=am.area_loss_rate_percent - am.area_loss_rate_percent.mean().over(w))
    return am.select("area_code", "month", "area_loss_rate_percent", "area_loss_change_pp")


def _area_loss_daily(area_loss):
    return area_loss.mutate(
        supply_kwh=_missing_as_null(area_loss.supply_kwh),
        loss_kwh=_missing_as_null(area_loss.loss_kwh),
        month=_month_key(area_loss.reading_date),
    )


def _loss_correlation(area_loss, energy, meters_attr, first_day: dt.date, last_day: dt.date):
    """Each customer's daily correlation with the area loss, per month of ``first_day``..``last_day``."""
    al = _area_loss_daily(area_loss)
    al = al.filter(al.reading_date.between(first_day, last_day))
    e = energy.filter(_valid(energy.energy_kwh) & energy.reading_date.between(first_day, last_day))
    e = e.inner_join(meters_attr.select("meter_id", "area_code"), "meter_id")
    j = e.inner_join(al.select("area_code", "reading_date", "loss_kwh"), ["area_code", "reading_date"])
    j = j.filter(j.loss_kwh.notnull())
    corr = j.group_by(
        ["meter_id", j.reading_date.year().name("_y"), j.reading_date.month().name("_m")]
    ).aggregate(loss_corr=j.energy_kwh.corr(j.loss_kwh, how="pop"), _cnt=j.energy_kwh.count())
    return corr.select(
        "meter_id",
        month=corr._y * 100 + corr._m,
        loss_corr=ibis.ifelse(corr._cnt >= 7, corr.loss_corr, _NULL),
    )


def _month_range(start: dt.date, end: dt.date):
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


def _meter_months(energy, attrs, start, end, *, curves, area_loss, rules: FeatureRules):
    """First stage: the features of each (meter, month) of ``start``..``end`` from the meter's daily rows.

    Level, spread, history, curves and the correlation with the area loss; nothing that needs other
    meters (peers) or the meters' attributes (capacity), so it can run on any subset of meters.  (The
    events are few: they join in the second stage, only their pre-event means need the daily rows.)
    """
    first, last, first_day, last_day, _ = _month_range(start, end)
    monthly = monthly_consumption(energy, rules)
    # the same month a year before (同比), where the energy reaches back that far
    last_year = monthly.select(
        "meter_id", month_index=monthly.month_index + 12, last_year_mean_kwh=monthly.mean_kwh
    )
    mon = _history(monthly, rules)
    mon = mon.filter((mon.month >= first) & (mon.month <= last))
    mon = mon.left_join(last_year, ["meter_id", "month_index"]).select(mon, last_year.last_year_mean_kwh)
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
        yoy_ratio=_safe_div(mon.mean_kwh, mon.last_year_mean_kwh),
        zero_share=_safe_div(mon.zero_days.cast("float64"), mon.days.cast("float64")),
        weekend_ratio=_safe_div(mon.weekend_mean_kwh, mon.weekday_mean_kwh),
    )
    if curves is not None:
        cf = _curve_features(curves, attrs, rules)
        mon = mon.left_join(cf, ["meter_id", "month"]).select(mon, cf.night_share, cf.low_voltage_share)
    else:
        mon = mon.mutate(night_share=_NULL, low_voltage_share=_NULL)
    if area_loss is not None:
        corr = _loss_correlation(area_loss, energy, attrs, first_day, last_day)
        mon = mon.left_join(corr, ["meter_id", "month"]).select(mon, corr.loss_corr)
    else:
        mon = mon.mutate(loss_corr=_NULL)
    return mon


def _with_peers(base, attrs, months_tbl, *, events, pre_event, area_loss, rules: FeatureRules):
    """Second stage: attributes, capacity, peers, events and area loss joined to the first stage's rows.

    ``pre_event`` is :func:`_pre_event_means` of the events (a table or an expression).
    """
    mon = base
    if events is not None:
        counts, latest = _event_features(events, months_tbl, rules)
        latest = latest.left_join(
            pre_event,
            [latest.meter_id == pre_event.meter_id, latest.last_event_date == pre_event.event_date],
        ).select(latest, pre_event.pre_event_mean_kwh)
        mon = mon.left_join(counts, ["meter_id", "month"]).select(
            mon, *[counts[c] for c in counts.columns[2:]]
        )
        mon = mon.left_join(latest, ["meter_id", "month"]).select(
            mon,
            latest.theft_events_recent,
            latest.pre_event_mean_kwh,
            latest.last_event_code,
            latest.last_event_date,
        )
        mon = mon.mutate(
            **{f"events_{c}": mon[f"events_{c}"].fill_null(0) for c in COUNTED_EVENTS},
            theft_events_recent=mon.theft_events_recent.fill_null(0),
        )
    else:
        mon = mon.mutate(
            **{f"events_{c}": ibis.literal(0).cast("int64") for c in COUNTED_EVENTS},
            theft_events_recent=ibis.literal(0).cast("int64"),
            pre_event_mean_kwh=_NULL,
            last_event_code=ibis.literal(None).cast("string"),
            last_event_date=ibis.literal(None).cast("date"),
        )
    mon = mon.inner_join(attrs, "meter_id")
    mon = mon.mutate(
        cv=_safe_div(mon.std_kwh, mon.mean_kwh),
        load_factor=_safe_div(mon.mean_kwh, mon.contracted_capacity_kva * 24.0),
        capacity_ratio=_safe_div(mon.max_kwh, mon.contracted_capacity_kva * 24.0),
        meter_limit_ratio=_safe_div(mon.max_kwh, mon.max_kwh_per_day),
        post_event_ratio=_safe_div(mon.mean_kwh, mon.pre_event_mean_kwh),
    )
    # normal primary current: at contracted capacity, else the busiest day's mean power [A]
    measured_a = mon.max_kwh / 24.0 * 1000.0 / (mon.phases * mon.rated_voltage_v)
    mon = mon.mutate(
        ct_load_percent=_safe_div(mon.capacity_current_a.coalesce(measured_a) * 100.0, mon.ct_primary_a)
    )
    # peers: same area, category and month (medians over the monthly rows, not the daily ones), from the
    # few columns they need: the wide rows are not kept in memory for the join back
    p = base.select("meter_id", "month", "mean_kwh", "ratio_to_own").inner_join(
        attrs.select("meter_id", "area_code", "category"), "meter_id"
    )
    peers = p.group_by(["area_code", "category", "month"]).aggregate(
        _peer_level=p.mean_kwh.median(), _peer_own=p.ratio_to_own.median(), _peer_n=p.meter_id.count()
    )
    mon = mon.left_join(peers, ["area_code", "category", "month"]).select(
        mon, peers._peer_level, peers._peer_own, peers._peer_n
    )
    mon = mon.mutate(
        peer_ratio=ibis.ifelse(mon._peer_n >= 3, _safe_div(mon.mean_kwh, mon._peer_level), _NULL),
        peer_own_ratio=ibis.ifelse(mon._peer_n >= 3, _safe_div(mon.ratio_to_own, mon._peer_own), _NULL),
    )
    if area_loss is not None:
        am = _area_loss_monthly(area_loss)
        mon = mon.left_join(am, ["area_code", "month"]).select(
            mon, am.area_loss_rate_percent, am.area_loss_change_pp
        )
    else:
        mon = mon.mutate(area_loss_rate_percent=_NULL, area_loss_change_pp=_NULL)
    ids = ["meter_id", "account_number", "area_code", "station_code", "category", "month", "days"]
    extra = [
        "contracted_capacity_kva",
        "multiplier",
        "max_kwh_per_day",
        "pre_event_mean_kwh",
        "last_event_code",
        "last_event_date",
        "last_year_mean_kwh",
        "yoy_ratio",
    ]
    return mon.select(*ids, *[mon[c].cast("float64").name(c) for c in FEATURE_COLUMNS], *extra)


@contextlib.contextmanager
def _no_partitioned_execution(con):
    """DuckDB without its ``partitioned_execution`` optimizer for the bucket queries, then as it was.

    On a Parquet file sorted by meter id, DuckDB (2.0) splits an aggregate by meter id into one scan per
    range of row groups; with the bucket's own range filter those scans re-read row groups many times
    (2.0 billion rows scanned for a bucket of 73 million, 4.5 s instead of 1.7 s).  The buckets are
    already ranges, so the optimizer has nothing to add there.
    """
    import duckdb

    try:
        before = con.con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
        off = ",".join(x for x in [before, "partitioned_execution"] if x)
        con.con.execute(f"SET disabled_optimizers = '{off}'").fetchall()
    except duckdb.Error:  # a DuckDB without this optimizer or setting: nothing to turn off
        yield
        return
    try:
        yield
    finally:
        con.con.execute(
            f"SET disabled_optimizers = '{before}'" if before else "RESET disabled_optimizers"
        ).fetchall()


def _in_range(table, bounds):
    return table if table is None or bounds is None else table.filter(table.meter_id.between(*bounds))


def release_features(con, features) -> None:
    """Drop the temporary tables behind ``features`` (from :func:`customer_month_features` with ``con``).

    Optional: they are dropped with the connection anyway; call it when the connection lives on.
    """
    if con is None or con.name != "duckdb":
        return
    for table in features.op().find(ops.DatabaseTable):
        if table.name.startswith(TEMP_PREFIX):
            con.con.execute(f'DROP TABLE IF EXISTS "{table.name}"').fetchall()  # consumed: DuckDB 2


def customer_month_features(
    energy,
    meters,
    start: dt.date,
    end: dt.date,
    *,
    events=None,
    curves=None,
    area_loss=None,
    rules: FeatureRules = FEATURES,
    con=None,
    meters_per_bucket: int | None = None,
):
    """Features per customer meter and month, for the months of ``start``..``end``.

    Parameters
    ----------
    energy : ibis.Table
        Daily consumption: ``meter_id``, ``reading_date``, ``energy_kwh`` [kWh/day], e.g. the output of
        :func:`gridcheck_analytics.quality.validate_daily`.  Include the history months before ``start``
        (:attr:`FeatureRules.history_months`, :attr:`FeatureRules.trend_months`): rows before ``start``
        feed the history windows only.
    meters : ibis.Table or pandas.DataFrame
        Canonical meters (:data:`gridcheck_analytics.schema.METERS`).
    start, end : datetime.date
        First and last day of the months to return.
    events : ibis.Table, optional
        Canonical events (``meter_id``, ``timestamp``, ``event_code``).
    curves : ibis.Table, optional
        Canonical 15-minute curves (``meter_id``, ``timestamp``, ``energy_kwh``, ``voltage_a_v``).
    area_loss : ibis.Table, optional
        Daily area loss: ``area_code``, ``reading_date``, ``supply_kwh``, ``loss_kwh`` [kWh] (the output of
        :func:`gridcheck_analytics.lineloss.daily_area_loss`).
    rules : FeatureRules
        Windows and thresholds.
    con : ibis connection, optional
        A DuckDB connection: the first stage (from each meter's own daily rows: monthly aggregates,
        history, curves, loss correlation, pre-event means) runs now, in buckets of ``meters_per_bucket``
        meter ids, into temporary tables of ``con``; the returned expression joins attributes, peers and
        events to them (run it on ``con``).  The working memory is then that of one bucket, plus the
        monthly table, whatever the number of meters.  The tables are dropped with the connection, or by
        :func:`release_features`.  Ignored on other backends (Spark partitions and spills by itself): one
        expression, as without ``con``.  The values are the same either way (up to the order of
        floating-point additions).
    meters_per_bucket : int, optional
        Meters per bucket with ``con`` (:data:`METERS_PER_BUCKET` by default).

    Returns
    -------
    ibis.Table
        One row per (meter_id, month): the identifiers ``meter_id, account_number, area_code,
        station_code, category, month`` (``YYYYMM``), ``days``, every column of :data:`FEATURE_COLUMNS`
        (null where it cannot be computed), and ``last_event_code``, ``pre_event_mean_kwh``,
        ``last_year_mean_kwh`` (the same month a year before; null without that month in ``energy``) and
        ``yoy_ratio`` for reasons.

    References
    ----------
    .. [1] shared/domain/workflows.md, "Metering": the CT load current should sit within 30-100 % of the
       rated primary current; "Line loss": customers whose consumption moved abnormally.
    """
    attrs = _meter_attributes(meters, rules)
    months_tbl = _month_range(start, end)[4]

    def first_stage(bounds=None):
        return _meter_months(
            _in_range(energy, bounds),
            _in_range(attrs, bounds),
            start,
            end,
            curves=_in_range(curves, bounds),
            area_loss=area_loss,
            rules=rules,
        )

    def pre_event(bounds=None):
        return _pre_event_means(_in_range(events, bounds), _in_range(energy, bounds), rules)

    second = dict(events=events, area_loss=area_loss, rules=rules)
    if con is None or con.name != "duckdb":
        pre = pre_event() if events is not None else None
        return _with_peers(first_stage(), attrs, months_tbl, pre_event=pre, **second)
    name = f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    ranges = meter_id_ranges(con, attrs, meters_per_bucket or METERS_PER_BUCKET) or [None]
    with _no_partitioned_execution(con):
        for i, bounds in enumerate(ranges):
            _append(con, name, first_stage(bounds), first=i == 0)
            if events is not None:
                _append(con, f"{name}_pre", pre_event(bounds), first=i == 0)
    pre = con.table(f"{name}_pre") if events is not None else None
    return _with_peers(con.table(name), attrs, months_tbl, pre_event=pre, **second)


def _append(con, name, part, *, first: bool) -> None:
    if first:
        con.create_table(name, part, temp=True)
    else:
        con.insert(name, part)
