"""Line loss (线损) per area and per 10 kV line, per day and per month, with its flags and likely causes.

Loss [kWh] = supply - sales; loss rate [%] = loss / supply x 100, where supply is the area summary meter's
(台区总表) energy (register difference x its multiplier) and sales the sum of the area's customers' energy
after VEE (estimates included).  A line's supply and sales are the sums over its areas (no feeder-head
meter is read here), so a line's loss is the low-voltage loss of its areas.

The aggregations are Ibis expressions (DuckDB or PySpark); the flags work on the small monthly frames in
pandas.  Thresholds are rows ``lineloss.*`` and ``vee.*`` of the rule table, carried by
:class:`~gridcheck_analytics.thresholds.LineLossRules` and :class:`~gridcheck_analytics.thresholds.VeeRules`.

References
----------
``shared/domain/workflows.md``, section "Line loss"; glossary: 线损率 = (supplied - sold) / supplied,
三相不平衡率 = (max - min) / max of phase currents.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from gridcheck_analytics.quality import nullable_column, validate_daily
from gridcheck_analytics.schema import QualityCode
from gridcheck_analytics.thresholds import LINELOSS, VEE, LineLossRules, VeeRules

_NULL = ibis.null().cast("float64")

#: Codes of the likely causes :func:`area_flags` names, with the parameters each carries:
#:
#: * ``low_reading_rate``: ``rate``, the month's reading rate [%] (to 0.1);
#: * ``customer_drop``: ``meter`` (meter id), ``before_kwh`` and ``after_kwh``, a large customer's energy
#:   in the month before and in the month [kWh] (whole kWh);
#: * ``events``: ``event`` (event code), ``count``, meter events of the area in the month;
#: * ``imbalance``: ``rate``, the transformer's three-phase imbalance [%] (whole percent);
#: * ``negative_loss``: none (a wrong customer-area link or multiplier is the usual cause);
#: * ``unexplained_loss``: none (above target and none of the causes of :data:`EXPLAINING_CAUSES`).
CAUSE_CODES = {
    "low_reading_rate": ("rate",),
    "customer_drop": ("meter", "before_kwh", "after_kwh"),
    "events": ("event", "count"),
    "imbalance": ("rate",),
    "negative_loss": (),
    "unexplained_loss": (),
}
#: Causes that explain a loss above target (the imbalance does not: it adds loss, it hides no sales).
EXPLAINING_CAUSES = frozenset({"low_reading_rate", "customer_drop", "events"})
_FLAG_CODES = [
    c.value for c in QualityCode if c not in (QualityCode.VALID, QualityCode.ESTIMATED, QualityCode.MISSING)
]


def _month(date_col):
    return (date_col.year() * 100 + date_col.month()).cast("int64")


def area_meters(area_readings, areas=None):
    """Meters table of the area summary meters, from their readings (multiplier as read).

    Parameters
    ----------
    area_readings : ibis.Table
        Canonical area-meter readings.
    areas : ibis.Table, optional
        ``area_code, line_code, station_code``.
    """
    m = area_readings.group_by(["meter_id", "area_code"]).aggregate(multiplier=area_readings.multiplier.max())
    if areas is not None:
        m = m.left_join(areas.select("area_code", "line_code", "station_code"), "area_code")
    return m


def area_supply_daily(area_readings, start, end, *, areas=None, rules: VeeRules = VEE, con=None):
    """Daily supply into each area [kWh] and three-phase imbalance rate [1] of its transformer.

    Supply = (register(D) - register(D-1)) x multiplier of the summary meter, missing registers estimated
    by interpolation as for customers (:func:`~gridcheck_analytics.quality.validate_daily`).
    Imbalance = (Imax - Imin) / Imax over the day's mean phase currents (null without currents).

    Returns
    -------
    ibis.Table
        area_code, reading_date, supply_kwh, supply_quality_code, imbalance_rate.
    """
    meters = area_meters(area_readings, areas)
    vee = validate_daily(area_readings, meters, start, end, rules=rules, con=con)
    supply = vee.group_by(["area_code", "reading_date"]).aggregate(
        supply_kwh=vee.energy_kwh.sum(), supply_quality_code=vee.quality_code.max()
    )
    a, b, c = (nullable_column(area_readings, f"current_{p}_a") for p in "abc")
    imax, imin = ibis.greatest(a, b, c), ibis.least(a, b, c)
    imb = area_readings.select(
        "area_code", "reading_date", imbalance_rate=ibis.ifelse(imax > 0, (imax - imin) / imax, _NULL)
    )
    imb = imb.group_by(["area_code", "reading_date"]).aggregate(imbalance_rate=imb.imbalance_rate.max())
    return supply.left_join(imb, ["area_code", "reading_date"])


def area_sales_daily(customer_vee):
    """Sales [kWh] and reading counts per area and day, from customers' VEE (the customer side of the loss).

    Sums and counts only, so the sales of disjoint sets of meters (e.g. meters processed in buckets) add
    up to the sales of their union.

    Returns
    -------
    ibis.Table
        area_code, line_code, station_code, reading_date, sales_kwh, meters, meters_read,
        readings_estimated, readings_flagged.
    """
    return customer_vee.group_by(["area_code", "line_code", "station_code", "reading_date"]).aggregate(
        sales_kwh=customer_vee.energy_kwh.sum(),
        meters=customer_vee.meter_id.count(),
        meters_read=customer_vee.is_read.cast("int64").sum(),
        readings_estimated=(customer_vee.quality_code == QualityCode.ESTIMATED.value).cast("int64").sum(),
        readings_flagged=customer_vee.quality_code.isin(_FLAG_CODES).cast("int64").sum(),
    )


def daily_area_loss_from_sales(sales, supply):
    """Daily loss per area from :func:`area_sales_daily` and :func:`area_supply_daily` (same columns as
    :func:`daily_area_loss`)."""
    t = sales.inner_join(supply, ["area_code", "reading_date"])
    return t.select(
        "area_code",
        "line_code",
        "station_code",
        "reading_date",
        "supply_kwh",
        "sales_kwh",
        loss_kwh=t.supply_kwh - t.sales_kwh,
        loss_rate_percent=ibis.ifelse(
            t.supply_kwh > 0, (t.supply_kwh - t.sales_kwh) * 100.0 / t.supply_kwh, _NULL
        ),
        meters=t.meters,
        meters_read=t.meters_read,
        readings_estimated=t.readings_estimated,
        readings_flagged=t.readings_flagged,
        imbalance_rate=t.imbalance_rate,
    )


def daily_area_loss(customer_vee, supply):
    """Same-period (同期) daily loss per area.

    Parameters
    ----------
    customer_vee : ibis.Table
        Output of :func:`~gridcheck_analytics.quality.validate_daily` for customer meters.
    supply : ibis.Table
        Output of :func:`area_supply_daily`.

    Returns
    -------
    ibis.Table
        area_code, line_code, station_code, reading_date, supply_kwh, sales_kwh, loss_kwh,
        loss_rate_percent [%], meters, meters_read, readings_estimated, readings_flagged (quality codes
        other than valid, estimated and missing), imbalance_rate.
    """
    return daily_area_loss_from_sales(area_sales_daily(customer_vee), supply)


def _monthly(daily_loss, keys):
    d = daily_loss.mutate(month=_month(daily_loss.reading_date))
    g = d.group_by([*keys, "month"]).aggregate(
        supply_kwh=d.supply_kwh.sum(),
        sales_kwh=d.sales_kwh.sum(),
        days=d.reading_date.nunique(),
        meter_days=d.meters.sum(),
        meter_days_read=d.meters_read.sum(),
        readings_estimated=d.readings_estimated.sum(),
        readings_flagged=d.readings_flagged.sum(),
        imbalance_rate=d.imbalance_rate.mean(),
    )
    return g.mutate(
        loss_kwh=g.supply_kwh - g.sales_kwh,
        loss_rate_percent=ibis.ifelse(
            g.supply_kwh > 0, (g.supply_kwh - g.sales_kwh) * 100.0 / g.supply_kwh, _NULL
        ),
        reading_rate_percent=g.meter_days_read.cast("float64") * 100.0 / g.meter_days.cast("float64"),
    ).order_by([*keys, "month"])


def monthly_area_loss(daily_loss):
    """Monthly loss per area: sums of the daily supply and sales [kWh]; month as ``YYYYMM`` integer.

    Returns
    -------
    ibis.Table
        area_code, line_code, station_code, month, supply_kwh, sales_kwh, loss_kwh, loss_rate_percent [%],
        days, meter_days, meter_days_read, readings_estimated, readings_flagged, reading_rate_percent [%],
        imbalance_rate [1] (monthly mean).
    """
    return _monthly(daily_loss, ["area_code", "line_code", "station_code"])


def monthly_line_loss(daily_loss):
    """Monthly loss per 10 kV line: sums over the line's areas (see module docstring)."""
    return _monthly(daily_loss, ["line_code", "station_code"]).drop("imbalance_rate")


def customer_drops(customer_vee, rules: LineLossRules = LINELOSS):
    """Large customers whose monthly energy fell below a fraction of the previous month.

    Returns
    -------
    ibis.Table
        meter_id, area_code, month, energy_kwh, previous_energy_kwh.
    """
    v = customer_vee.mutate(month=_month(customer_vee.reading_date))
    m = v.group_by(["meter_id", "area_code", "month"]).aggregate(energy_kwh=v.energy_kwh.sum())
    m = m.mutate(
        previous_energy_kwh=m.energy_kwh.lag().over(ibis.window(group_by="meter_id", order_by="month"))
    )
    return m.filter(
        (m.previous_energy_kwh >= rules.large_customer_min_kwh)
        & (m.energy_kwh < rules.large_customer_drop_fraction * m.previous_energy_kwh)
    )


def events_per_area(events, meters):
    """Count of meter events per area, month and event code (for causes)."""
    e = events.inner_join(meters.select("meter_id", "area_code"), "meter_id")
    e = e.mutate(month=_month(e.timestamp.date()))
    return e.group_by(["area_code", "month", "event_code"]).aggregate(events=e.meter_id.count())


def area_flags(
    monthly: pd.DataFrame,
    *,
    targets: dict[str, float] | None = None,
    drops: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    rules: LineLossRules = LINELOSS,
) -> pd.DataFrame:
    """Flag areas per month and name their likely causes.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Output of :func:`monthly_area_loss` over consecutive months (history for swing and the
        three-month rule).
    targets : dict, optional
        ``{area_code: target loss rate [%]}``; others get ``rules.default_target_percent``.
    drops, events : pandas.DataFrame, optional
        Outputs of :func:`customer_drops` and :func:`events_per_area`.
    rules : LineLossRules
        Thresholds.

    Returns
    -------
    pandas.DataFrame
        ``monthly`` plus target_percent, previous_loss_rate_percent, negative_loss, above_target,
        swing, failing_months, failing_three_months, imbalance, flagged, causes (a list per row of
        structured causes ``{"code": ..., <parameters>}``, codes and parameters of :data:`CAUSE_CODES`;
        empty for a row that is not flagged). People read them worded by the Django side.
    """
    out = monthly.sort_values(["area_code", "month"]).reset_index(drop=True).copy()
    targets = targets or {}
    out["target_percent"] = out["area_code"].map(targets).fillna(rules.default_target_percent).astype(float)
    rate = out["loss_rate_percent"].astype(float)
    # months are YYYYMM: the previous row is the previous month only if consecutive
    ym = (out["month"] // 100) * 12 + out["month"] % 100
    same_area = out["area_code"].eq(out["area_code"].shift())
    consecutive = same_area & (ym - ym.shift() == 1)
    prev = rate.shift().where(consecutive)
    out["previous_loss_rate_percent"] = prev
    out["negative_loss"] = out["loss_kwh"] < 0
    out["above_target"] = (rate > out["target_percent"]).fillna(False)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (rate - prev).abs() / prev.abs()
    out["swing"] = (change > rules.swing_fraction).fillna(False) & (prev != 0)
    # consecutive months above target, counted per area
    run = []
    count, last_area, last_ym = 0, None, None
    for area, m, above in zip(out["area_code"], ym, out["above_target"], strict=True):
        if area != last_area or last_ym is None or m - last_ym != 1:
            count = 0
        count = count + 1 if above else 0
        run.append(count)
        last_area, last_ym = area, m
    out["failing_months"] = run
    out["failing_three_months"] = out["failing_months"] >= rules.failing_months
    out["imbalance"] = (out["imbalance_rate"] > rules.imbalance_fraction).fillna(False)
    flags = ["negative_loss", "above_target", "swing", "failing_three_months", "imbalance"]
    out["flagged"] = out[flags].any(axis=1)

    out["causes"] = pd.Series(_causes(out, drops, events, rules), index=out.index, dtype=object)
    return out


def _causes(out: pd.DataFrame, drops, events, rules: LineLossRules) -> list[list[dict]]:
    """The structured causes of each row of ``out`` (flags computed), in the order they are listed."""
    causes: list[list[dict]] = [[] for _ in range(len(out))]
    flagged = out["flagged"].to_numpy()
    low = out["reading_rate_percent"] < rules.min_reading_rate_percent
    for i in np.flatnonzero(low.to_numpy() & flagged):
        rate = round(float(out["reading_rate_percent"].iat[i]), 1)
        causes[i].append({"code": "low_reading_rate", "rate": rate})
    index = {(a, m): i for i, (a, m) in enumerate(zip(out["area_code"], out["month"], strict=True))}
    if drops is not None:
        for row in drops.itertuples(index=False):
            i = index.get((row.area_code, row.month))
            if i is not None and flagged[i]:
                causes[i].append(
                    {
                        "code": "customer_drop",
                        "meter": str(row.meter_id),
                        "before_kwh": round(float(row.previous_energy_kwh), 0),
                        "after_kwh": round(float(row.energy_kwh), 0),
                    }
                )
    if events is not None:
        for row in events.sort_values(["area_code", "month", "event_code"]).itertuples(index=False):
            i = index.get((row.area_code, row.month))
            if i is not None and flagged[i]:
                causes[i].append({"code": "events", "event": str(row.event_code), "count": int(row.events)})
    for i in np.flatnonzero(out["imbalance"].to_numpy()):
        rate = round(float(out["imbalance_rate"].iat[i]) * 100, 0)
        causes[i].append({"code": "imbalance", "rate": rate})
    # Flags with no cause in the data get the usual field explanation.
    for i in np.flatnonzero(flagged):
        if out["negative_loss"].iat[i]:
            causes[i].append({"code": "negative_loss"})
        elif out["above_target"].iat[i] and not EXPLAINING_CAUSES & {c["code"] for c in causes[i]}:
            causes[i].append({"code": "unexplained_loss"})
    return causes
