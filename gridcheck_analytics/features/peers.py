"""Second stage of the features: attributes, capacity, peers, events and area loss joined to the
first stage's monthly rows (about thirty times fewer than the daily rows)."""

from __future__ import annotations

import ibis

from gridcheck_analytics.features.definitions import COUNTED_EVENTS, FEATURE_COLUMNS, FeatureRules
from gridcheck_analytics.features.expressions import (
    NULL_FLOAT,
    as_table,
    month_index_of,
    month_key_of,
    safe_div,
)
from gridcheck_analytics.features.meter_months import area_loss_daily, theft_events


def meter_attributes(meters, rules: FeatureRules):
    m = as_table(meters)
    cols = m.columns

    def num(name, default):
        if name not in cols:
            return ibis.literal(default).cast("float64")
        c = m[name].cast("float64")
        return ibis.ifelse(c.isnan(), NULL_FLOAT, c).fill_null(default) if default is not None else c

    phases = num("phases", 1.0)
    volt = num("rated_voltage_v", 220.0)
    mult = num("multiplier", 1.0)
    max_a = num("max_current_a", 60.0)
    cap = num("contracted_capacity_kva", None)
    cap = ibis.ifelse(cap.isnan(), NULL_FLOAT, cap)
    # Current at contracted capacity on the primary side [A]: S / (phases x U_phase).
    cap_current = safe_div(cap * 1000.0, phases * volt)
    ct_primary = ibis.ifelse(mult > 1, mult * rules.ct_secondary_a, NULL_FLOAT)
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


def _event_features(events, months_tbl, rules: FeatureRules):
    """Counts per code in the month, and the recent theft-type events (count, latest date and code)."""
    ev = events.mutate(month=month_key_of(events.timestamp.date()))
    counts = ev.group_by(["meter_id", "month"]).aggregate(
        **{f"events_{c}": (ev.event_code == c).cast("int64").sum() for c in COUNTED_EVENTS}
    )
    theft = theft_events(events)
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


def _area_loss_monthly(area_loss):
    """Monthly loss rate per area and its change from the month before [percent, percentage points]."""
    al = area_loss_daily(area_loss)
    al = al.mutate(month_index=month_index_of(al.reading_date))
    am = al.group_by(["area_code", "month", "month_index"]).aggregate(
        _s=al.supply_kwh.sum(), _l=al.loss_kwh.sum()
    )
    am = am.mutate(area_loss_rate_percent=ibis.ifelse(am._s > 0, am._l / am._s * 100.0, NULL_FLOAT))
    w = ibis.window(group_by="area_code", order_by="month_index", range=(-1, -1))
    am = am.mutate(area_loss_change_pp=am.area_loss_rate_percent - am.area_loss_rate_percent.mean().over(w))
    return am.select("area_code", "month", "area_loss_rate_percent", "area_loss_change_pp")


def with_peers(base, attrs, months_tbl, *, events, pre_event, area_loss, rules: FeatureRules):
    """Second stage: attributes, capacity, peers, events and area loss joined to the first stage's rows.

    ``pre_event`` is :func:`pre_event_means` of the events (a table or an expression).
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
            pre_event_mean_kwh=NULL_FLOAT,
            last_event_code=ibis.literal(None).cast("string"),
            last_event_date=ibis.literal(None).cast("date"),
        )
    mon = mon.inner_join(attrs, "meter_id")
    mon = mon.mutate(
        cv=safe_div(mon.std_kwh, mon.mean_kwh),
        load_factor=safe_div(mon.mean_kwh, mon.contracted_capacity_kva * 24.0),
        capacity_ratio=safe_div(mon.max_kwh, mon.contracted_capacity_kva * 24.0),
        meter_limit_ratio=safe_div(mon.max_kwh, mon.max_kwh_per_day),
        post_event_ratio=safe_div(mon.mean_kwh, mon.pre_event_mean_kwh),
    )
    # normal primary current: at contracted capacity, else the busiest day's mean power [A]
    measured_a = mon.max_kwh / 24.0 * 1000.0 / (mon.phases * mon.rated_voltage_v)
    mon = mon.mutate(
        ct_load_percent=safe_div(mon.capacity_current_a.coalesce(measured_a) * 100.0, mon.ct_primary_a)
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
        peer_ratio=ibis.ifelse(mon._peer_n >= 3, safe_div(mon.mean_kwh, mon._peer_level), NULL_FLOAT),
        peer_own_ratio=ibis.ifelse(mon._peer_n >= 3, safe_div(mon.ratio_to_own, mon._peer_own), NULL_FLOAT),
    )
    if area_loss is not None:
        am = _area_loss_monthly(area_loss)
        mon = mon.left_join(am, ["area_code", "month"]).select(
            mon, am.area_loss_rate_percent, am.area_loss_change_pp
        )
    else:
        mon = mon.mutate(area_loss_rate_percent=NULL_FLOAT, area_loss_change_pp=NULL_FLOAT)
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
