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

Every feature is computed with aggregates, joins and windows over the small monthly table, so the cost is
one pass over the daily rows plus small joins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import pandas as pd

from gridcheck_analytics.schema import EVENT_NAMES_ZH, EventCode

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
    e = e.mutate(
        month=_month_key(e.reading_date),
        month_index=_month_index(e.reading_date),
        _we=ibis.ifelse(weekend, e.energy_kwh, _NULL),
        _wd=ibis.ifelse(weekend, _NULL, e.energy_kwh),
    )
    return e.group_by(["meter_id", "month", "month_index"]).aggregate(
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


def _history(mon, rules: FeatureRules):
    hist = ibis.window(group_by="meter_id", order_by="month_index", range=(-rules.history_months, -1))
    prev = ibis.window(group_by="meter_id", order_by="month_index", range=(-1, -1))
    trend = ibis.window(group_by="meter_id", order_by="month_index", range=(-(rules.trend_months - 1), 0))
    x = mon.month_index.cast("float64")
    y = mon.mean_kwh
    mon = mon.mutate(
        hist_mean_kwh=y.mean().over(hist),
        prev_mean_kwh=y.mean().over(prev),
        _n=y.count().over(trend),
        _sx=x.sum().over(trend),
        _sy=y.sum().over(trend),
        _sxy=(x * y).sum().over(trend),
        _sxx=(x * x).sum().over(trend),
    )
    n = mon._n.cast("float64")
    denom = n * mon._sxx - mon._sx * mon._sx
    slope = ibis.ifelse((mon._n >= 3) & (denom > 0), (n * mon._sxy - mon._sx * mon._sy) / denom, _NULL)
    mon = mon.mutate(
        ratio_to_own=_safe_div(mon.mean_kwh, mon.hist_mean_kwh),
        change_ratio=_safe_div(mon.mean_kwh, mon.prev_mean_kwh),
        trend_per_month=_safe_div(slope, mon._sy / n),
    )
    step = ibis.window(group_by="meter_id", order_by="month_index", range=(-(rules.history_months - 1), 0))
    mon = mon.mutate(min_change_ratio=mon.change_ratio.min().over(step))
    return mon.drop("_n", "_sx", "_sy", "_sxy", "_sxx")


def _event_features(events, energy, months_tbl, rules: FeatureRules):
    """Counts per code in the month, recent theft-type events, and the ratio after/before the latest one."""
    ev = events.mutate(event_date=events.timestamp.date(), month=_month_key(events.timestamp.date()))
    counts = ev.group_by(["meter_id", "month"]).aggregate(
        **{f"events_{c}": (ev.event_code == c).cast("int64").sum() for c in COUNTED_EVENTS}
    )
    theft = ev.filter(ev.event_code.isin(list(THEFT_EVENT_METHODS))).select(
        "meter_id", "event_date", "event_code"
    )
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
    # mean energy in the days before each theft-type event
    e = energy.filter(_valid(energy.energy_kwh))
    e = e.filter(e.meter_id.isin(theft.meter_id))
    te = theft.select("meter_id", "event_date").distinct()
    j = te.inner_join(e, "meter_id")
    j = j.filter(
        (j.reading_date < j.event_date)
        & (j.reading_date >= j.event_date.sub(ibis.interval(days=rules.pre_event_days)))
    )
    pre = j.group_by(["meter_id", "event_date"]).aggregate(pre_event_mean_kwh=j.energy_kwh.mean())
    latest = latest.left_join(
        pre,
        [latest.meter_id == pre.meter_id, latest.last_event_date == pre.event_date],
    ).select(latest, pre.pre_event_mean_kwh)
    # last event code for the reason text
    last = theft.group_by(["meter_id", "event_date"]).aggregate(last_event_code=theft.event_code.max())
    latest = latest.left_join(
        last, [latest.meter_id == last.meter_id, latest.last_event_date == last.event_date]
    ).select(latest, last.last_event_code)
    return counts, latest


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


def _area_loss_features(area_loss, energy, meters_attr):
    """Monthly loss rate per area, its change, and each customer's daily correlation with the area loss."""
    al = area_loss.mutate(
        supply_kwh=_missing_as_null(area_loss.supply_kwh),
        loss_kwh=_missing_as_null(area_loss.loss_kwh),
        month=_month_key(area_loss.reading_date),
        month_index=_month_index(area_loss.reading_date),
    )
    am = al.group_by(["area_code", "month", "month_index"]).aggregate(
        _s=al.supply_kwh.sum(), _l=al.loss_kwh.sum()
    )
    am = am.mutate(area_loss_rate_percent=ibis.ifelse(am._s > 0, am._l / am._s * 100.0, _NULL))
    w = ibis.window(group_by="area_code", order_by="month_index", range=(-1, -1))
    am = am.mutate(area_loss_change_pp=am.area_loss_rate_percent - am.area_loss_rate_percent.mean().over(w))
    am = am.select("area_code", "month", "area_loss_rate_percent", "area_loss_change_pp")
    e = energy.filter(_valid(energy.energy_kwh)).inner_join(
        meters_attr.select("meter_id", "area_code"), "meter_id"
    )
    j = e.inner_join(al.select("area_code", "reading_date", "loss_kwh"), ["area_code", "reading_date"])
    j = j.filter(j.loss_kwh.notnull())
    corr = j.group_by(
        ["meter_id", j.reading_date.year().name("_y"), j.reading_date.month().name("_m")]
    ).aggregate(loss_corr=j.energy_kwh.corr(j.loss_kwh, how="pop"), _cnt=j.energy_kwh.count())
    corr = corr.select(
        "meter_id",
        month=corr._y * 100 + corr._m,
        loss_corr=ibis.ifelse(corr._cnt >= 7, corr.loss_corr, _NULL),
    )
    return am, corr


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

    Returns
    -------
    ibis.Table
        One row per (meter_id, month): the identifiers ``meter_id, account_number, area_code,
        station_code, category, month`` (``YYYYMM``), ``days``, every column of :data:`FEATURE_COLUMNS`
        (null where it cannot be computed), and ``last_event_code``, ``pre_event_mean_kwh`` for reasons.

    References
    ----------
    .. [1] shared/domain/workflows.md, "Metering": the CT load current should sit within 30-100 % of the
       rated primary current; "Line loss": customers whose consumption moved abnormally.
    """
    attrs = _meter_attributes(meters, rules)
    mon = _history(monthly_consumption(energy, rules), rules)
    first, last = int(start.strftime("%Y%m")), int(end.strftime("%Y%m"))
    mon = mon.filter((mon.month >= first) & (mon.month <= last))
    mon = mon.inner_join(attrs, "meter_id")
    mon = mon.mutate(
        cv=_safe_div(mon.std_kwh, mon.mean_kwh),
        zero_share=_safe_div(mon.zero_days.cast("float64"), mon.days.cast("float64")),
        weekend_ratio=_safe_div(mon.weekend_mean_kwh, mon.weekday_mean_kwh),
        load_factor=_safe_div(mon.mean_kwh, mon.contracted_capacity_kva * 24.0),
        capacity_ratio=_safe_div(mon.max_kwh, mon.contracted_capacity_kva * 24.0),
        meter_limit_ratio=_safe_div(mon.max_kwh, mon.max_kwh_per_day),
    )
    # normal primary current: at contracted capacity, else the busiest day's mean power [A]
    measured_a = mon.max_kwh / 24.0 * 1000.0 / (mon.phases * mon.rated_voltage_v)
    mon = mon.mutate(
        ct_load_percent=_safe_div(mon.capacity_current_a.coalesce(measured_a) * 100.0, mon.ct_primary_a)
    )
    # peers: same area, category and month
    peers = mon.group_by(["area_code", "category", "month"]).aggregate(
        _peer_level=mon.mean_kwh.median(), _peer_own=mon.ratio_to_own.median(), _peer_n=mon.meter_id.count()
    )
    mon = mon.left_join(peers, ["area_code", "category", "month"]).select(
        mon, peers._peer_level, peers._peer_own, peers._peer_n
    )
    mon = mon.mutate(
        peer_ratio=ibis.ifelse(mon._peer_n >= 3, _safe_div(mon.mean_kwh, mon._peer_level), _NULL),
        peer_own_ratio=ibis.ifelse(mon._peer_n >= 3, _safe_div(mon.ratio_to_own, mon._peer_own), _NULL),
    )
    months = pd.period_range(start, end, freq="M")
    months_tbl = ibis.memtable(
        pd.DataFrame(
            {
                "month": [int(p.strftime("%Y%m")) for p in months],
                "month_end": [p.end_time.date() for p in months],
            }
        )
    ).mutate(month_end=lambda t: t.month_end.cast("date"))
    if events is not None:
        counts, latest = _event_features(events, energy, months_tbl, rules)
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
    mon = mon.mutate(post_event_ratio=_safe_div(mon.mean_kwh, mon.pre_event_mean_kwh))
    if curves is not None:
        cf = _curve_features(curves, attrs, rules)
        mon = mon.left_join(cf, ["meter_id", "month"]).select(mon, cf.night_share, cf.low_voltage_share)
    else:
        mon = mon.mutate(night_share=_NULL, low_voltage_share=_NULL)
    if area_loss is not None:
        am, corr = _area_loss_features(area_loss, energy, attrs)
        mon = mon.left_join(am, ["area_code", "month"]).select(
            mon, am.area_loss_rate_percent, am.area_loss_change_pp
        )
        mon = mon.left_join(corr, ["meter_id", "month"]).select(mon, corr.loss_corr)
    else:
        mon = mon.mutate(area_loss_rate_percent=_NULL, area_loss_change_pp=_NULL, loss_corr=_NULL)
    ids = ["meter_id", "account_number", "area_code", "station_code", "category", "month", "days"]
    extra = [
        "contracted_capacity_kva",
        "multiplier",
        "max_kwh_per_day",
        "pre_event_mean_kwh",
        "last_event_code",
        "last_event_date",
    ]
    return mon.select(*ids, *[mon[c].cast("float64").name(c) for c in FEATURE_COLUMNS], *extra)
