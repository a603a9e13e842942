"""The rule detectors, one function per rule (see :mod:`gridcheck_analytics.rules`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridcheck_analytics.features import FEATURES, THEFT_EVENT_METHODS
from gridcheck_analytics.rules.base import (
    EVENT_ZH,
    METHODS,
    REASON_COLUMNS,
    RULE_VALUES,
    DetectionRules,
    fmt,
    reasons,
)
from gridcheck_analytics.schema import category_name


def _col(f: pd.DataFrame, name: str) -> pd.Series:
    if name in f.columns:
        return pd.to_numeric(f[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=f.index)


def _pct(x) -> str:
    return "-" if x is None or np.isnan(x) else f"{x * 100:.0f}%"


def drop_after_event(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """Consumption dropped after a cover-open, loss-of-voltage, loss-of-current or reversal event.

    Fires when a theft-type event happened within the lookback window and the month's mean is below
    :attr:`DetectionRules.post_event_drop_ratio` of the mean of the 30 days before the event.  The method
    follows the event: cover opened -> bypass, loss of voltage / phase failure -> under-voltage, loss of
    current -> under-current, reversed -> phase shift.

    Returns
    -------
    pandas.DataFrame
        Reasons (:data:`~gridcheck_analytics.rules.REASON_COLUMNS`).
    """
    ratio = _col(features, "post_event_ratio")
    pre = _col(features, "pre_event_mean_kwh")
    mask = (ratio < rules.post_event_drop_ratio) & (pre >= rules.min_history_kwh)

    def text(r):
        ev = EVENT_ZH.get(r.get("last_event_code"), r.get("last_event_code"))
        m = METHODS[THEFT_EVENT_METHODS.get(r.get("last_event_code"), "unspecified")]
        return (
            f"{str(r.get('last_event_date'))[:10]}电能表报“{ev}”事件后，本月日均电量{fmt(r['mean_kwh'])} kWh，"
            f"仅为事件前30天日均{fmt(r['pre_event_mean_kwh'])} kWh的{_pct(r['post_event_ratio'])}，疑似{m}窃电"
        )

    return reasons(
        features,
        mask,
        "drop_after_event",
        lambda r: THEFT_EVENT_METHODS.get(r.get("last_event_code"), "unspecified"),
        0.9,
        text,
        ["last_event_code", "last_event_date", "pre_event_mean_kwh", "mean_kwh", "post_event_ratio"],
    )


def drop_with_area_loss(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """The customer's consumption dropped while its area's loss rate rose.

    Fires when ``ratio_to_own`` < :attr:`DetectionRules.area_drop_ratio` and the area's loss rate rose by
    more than :attr:`DetectionRules.area_loss_rise_pp` percentage points on the month before.  Energy that
    leaves the customer's meter and reappears as area loss points to unmetered use (bypass or tapping).
    """
    ratio = _col(features, "ratio_to_own")
    rise = _col(features, "area_loss_change_pp")
    hist = _col(features, "hist_mean_kwh")
    mask = (
        (ratio < rules.area_drop_ratio) & (rise > rules.area_loss_rise_pp) & (hist >= rules.min_history_kwh)
    )

    def text(r):
        corr = r.get("loss_corr")
        extra = (
            "" if corr is None or np.isnan(corr) or corr >= 0 else f"，日电量与台区损失电量相关系数{corr:.2f}"
        )
        return (
            f"本月日均电量{fmt(r['mean_kwh'])} kWh，为前几个月日均{fmt(r['hist_mean_kwh'])} kWh的"
            f"{_pct(r['ratio_to_own'])}；同期所在台区线损率上升{fmt(r['area_loss_change_pp'], 2)}个百分点"
            f"（本月{fmt(r['area_loss_rate_percent'], 2)}%）{extra}，少计电量可能转为台区损失，疑似绕越计量用电"
        )

    return reasons(
        features,
        mask,
        "drop_with_area_loss",
        "bypass",
        0.6,
        text,
        [
            "mean_kwh",
            "hist_mean_kwh",
            "ratio_to_own",
            "area_loss_rate_percent",
            "area_loss_change_pp",
            "loss_corr",
        ],
    )


def reversed_energy(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """Negative daily energy (register running backwards) or a reversal event: phase-shift theft."""
    neg = _col(features, "negative_days").fillna(0)
    ev = _col(features, "events_reversed").fillna(0)
    mask = (neg > 0) | (ev > 0)

    def text(r):
        return (
            f"本月出现反向电量{int(r['negative_days'] or 0)}天、电能表“倒走”事件{int(r['events_reversed'] or 0)}次，"
            "接线可能被改动使电能表反转或少计，疑似移相法窃电"
        )

    return reasons(
        features, mask, "reversed_energy", "phase_shift", 0.7, text, ["negative_days", "events_reversed"]
    )


def impossible_for_capacity(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """The busiest day exceeds 24 h at contracted capacity, or what the meter can register at all.

    Above capacity: the customer uses more than its contract allows (违约用电, excess capacity).  Above the
    meter's limit (phases x rated voltage x maximum current x 24 h x multiplier): a meter or multiplier
    fault, since the meter cannot physically register it.
    """
    cap = _col(features, "capacity_ratio")
    lim = _col(features, "meter_limit_ratio")
    mask = (cap > rules.impossible_ratio) | (lim > rules.impossible_ratio)

    def method(r):
        return (
            "meter_fault"
            if (r.get("meter_limit_ratio") or 0) > rules.impossible_ratio
            else "contract_violation"
        )

    def text(r):
        return (
            f"本月最大日电量{fmt(r['max_kwh'])} kWh，为合同容量{fmt(r.get('contracted_capacity_kva'), 0)} kVA"
            f"满载24小时电量的{_pct(r['capacity_ratio'])}、电能表可计最大日电量{fmt(r.get('max_kwh_per_day'), 0)} kWh的"
            f"{_pct(r['meter_limit_ratio'])}，与容量不符，疑似超容量用电或计量/倍率异常"
        )

    return reasons(
        features,
        mask,
        "impossible_for_capacity",
        method,
        0.5,
        text,
        ["max_kwh", "contracted_capacity_kva", "capacity_ratio", "max_kwh_per_day", "meter_limit_ratio"],
    )


def zero_active_business(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """A non-residential customer that used power before records zero on most days of the month."""
    cat = (
        features["category"].astype(str).str.lower()
        if "category" in features
        else pd.Series("", index=features.index)
    )
    business = ~cat.str.contains("resid|居民|unknown", regex=True)
    zero = _col(features, "zero_share")
    hist = _col(features, "hist_mean_kwh")
    mask = business & (zero >= rules.zero_share) & (hist >= rules.min_history_kwh)

    def text(r):
        return (
            f"经营类用户（{category_name(r.get('category'))}）本月{_pct(r['zero_share'])}的天数电量为零，"
            f"而此前日均{fmt(r['hist_mean_kwh'])} kWh，经营中的用户不应长期零电量，疑似绕越电能表用电"
        )

    return reasons(
        features,
        mask,
        "zero_active_business",
        "bypass",
        0.7,
        text,
        ["category", "zero_share", "hist_mean_kwh"],
    )


def ct_ratio_out_of_range(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """The CT ratio puts the normal primary current outside 30-100 % of the CT's rated primary current.

    Below 30 % the CT's error grows negative (under-registration; a larger CT than the archive's is the
    error-expansion method); above 100 % (120 % saturates) the CT is undersized.

    References
    ----------
    .. [1] shared/domain/workflows.md, "Metering, seals and census".
    """
    pct = _col(features, "ct_load_percent")
    mask = (pct < rules.ct_min_percent) | (pct > rules.ct_max_percent)

    def text(r):
        low, high = f"{rules.ct_min_percent:.0f}%", f"{rules.ct_max_percent:.0f}%"
        side = f"低于{low}" if r["ct_load_percent"] < rules.ct_min_percent else f"高于{high}"
        return (
            f"CT变比（综合倍率{fmt(r.get('multiplier'), 0)}）下正常一次电流约为额定一次电流的"
            f"{fmt(r['ct_load_percent'], 0)}%，{side}（应在{low}～{high}之间），计量误差增大，需核查是否扩差"
        )

    return reasons(
        features,
        mask,
        "ct_ratio_out_of_range",
        "error_expansion",
        0.3,
        text,
        ["multiplier", "ct_load_percent"],
    )


def under_voltage_curve(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """Many 15-minute points of the month below 80 % of rated voltage: under-voltage theft."""
    share = _col(features, "low_voltage_share")
    mask = share >= rules.low_voltage_share

    def text(r):
        return (
            f"本月负荷曲线中{_pct(r['low_voltage_share'])}的15分钟点电压低于额定电压的"
            f"{FEATURES.low_voltage_fraction * 100:.0f}%，电压回路可能被断开或串接，疑似欠压法窃电"
        )

    return reasons(features, mask, "under_voltage_curve", "under_voltage", 0.8, text, ["low_voltage_share"])


def sudden_drop_vs_peers(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """Consumption fell below half its own history while peers of the same category and area did not."""
    own = _col(features, "ratio_to_own")
    peer = _col(features, "peer_own_ratio")
    hist = _col(features, "hist_mean_kwh")
    mask = (own < rules.peer_drop_ratio) & (peer < rules.peer_drop_ratio) & (hist >= rules.min_history_kwh)

    def text(r):
        return (
            f"本月日均电量{fmt(r['mean_kwh'])} kWh，为自身前几个月日均{fmt(r['hist_mean_kwh'])} kWh的"
            f"{_pct(r['ratio_to_own'])}，同台区同类用户同期无此变化（相对降幅{_pct(r['peer_own_ratio'])}），"
            "电量突降，疑似欠流、绕越等窃电，需现场核实"
        )

    return reasons(
        features,
        mask,
        "sudden_drop_vs_peers",
        "unspecified",
        0.5,
        text,
        ["mean_kwh", "hist_mean_kwh", "ratio_to_own", "peer_own_ratio"],
    )


def drop_year_over_year(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES) -> pd.DataFrame:
    """Consumption well below the same month a year before (同比).

    Fires when the month's mean is below :attr:`DetectionRules.year_over_year_ratio` of the same month's
    mean a year earlier (at least ``min_history_kwh`` then).  Comparing with the same month cancels the
    season, and unlike the comparison with the last few months it still sees a theft that began months
    ago (an under-voltage or under-current wiring that has been in place since spring, say).  The method
    follows a theft-type event of the last months when there is one; otherwise it is left to the site.
    """
    ratio = _col(features, "yoy_ratio")
    before = _col(features, "last_year_mean_kwh")
    mask = (ratio < rules.year_over_year_ratio) & (before >= rules.min_history_kwh)

    def method(r):
        if (r.get("theft_events_recent") or 0) > 0:
            return THEFT_EVENT_METHODS.get(r.get("last_event_code"), "unspecified")
        return "unspecified"

    def text(r):
        return (
            f"本月日均电量{fmt(r['mean_kwh'])} kWh，仅为去年同月日均{fmt(r['last_year_mean_kwh'])} kWh的"
            f"{_pct(r['yoy_ratio'])}（同比下降，已排除季节影响），用电长期偏低，疑似欠压、欠流等少计电量，需现场核实"
        )

    return reasons(
        features,
        mask,
        "drop_year_over_year",
        method,
        0.5,
        text,
        ["mean_kwh", "last_year_mean_kwh", "yoy_ratio"],
    )


#: Every rule, in the order reasons are listed.
RULES = (
    drop_after_event,
    under_voltage_curve,
    reversed_energy,
    zero_active_business,
    drop_with_area_loss,
    sudden_drop_vs_peers,
    drop_year_over_year,
    impossible_for_capacity,
    ct_ratio_out_of_range,
)


def evaluate_rules(features: pd.DataFrame, rules: DetectionRules = RULE_VALUES, only=None) -> pd.DataFrame:
    """Run every rule (or those named in ``only``) and concatenate their reasons, strongest first."""
    parts = [r(features, rules) for r in RULES if only is None or r.__name__ in only]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in REASON_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["meter_id", "month", "weight"], ascending=[True, True, False], kind="stable")


def rule_score(features: pd.DataFrame, reasons_frame: pd.DataFrame) -> np.ndarray:
    """Score in [0, 1] per row of ``features`` from its fired rules: 1 - prod(1 - weight).

    Rows are matched on (meter_id, month).
    """
    if reasons_frame.empty:
        return np.zeros(len(features))
    r = reasons_frame.assign(_log=np.log1p(-reasons_frame["weight"].astype(float).clip(upper=0.999)))
    agg = r.groupby(["meter_id", "month"])["_log"].sum()
    key = pd.MultiIndex.from_frame(features[["meter_id", "month"]])
    s = agg.reindex(key).fillna(0.0).to_numpy()
    return 1.0 - np.exp(s)
