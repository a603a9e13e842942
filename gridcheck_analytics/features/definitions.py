"""What the features are: their columns, Chinese names, the theft-type events and the windows."""

from __future__ import annotations

from dataclasses import dataclass

from gridcheck_analytics.schema import EVENT_NAMES_ZH, EventCode
from gridcheck_analytics.thresholds import TableValues, rule_field

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
class FeatureRules(TableValues):
    """Windows and thresholds of the features: rows ``features.*`` of the rule table.

    Engineering choices of this project (status ``C``); ``FeatureRules.in_force(on)`` gives the rows in
    force on a date, ``FeatureRules()`` those in force today (see :mod:`gridcheck_analytics.thresholds`).
    """

    #: Months before the month that form the customer's own history.
    history_months: int = rule_field("features.history_months", int)
    #: Months (including the month) of the trend slope.
    trend_months: int = rule_field("features.trend_months", int)
    #: Months back of the year-over-year comparison (the same month a year before) that scoring reads.
    year_over_year_months: int = rule_field("features.year_over_year_months", int)
    #: Consumption at or below this is a zero day [kWh].
    zero_kwh: float = rule_field("features.zero_kwh", float)
    #: Theft-type events this many days before month end count as recent [days].
    event_lookback_days: int = rule_field("features.event_lookback_days", int)
    #: Days before an event that form its "before" mean [days].
    pre_event_days: int = rule_field("features.pre_event_days", int)
    #: A curve point below this fraction of the rated voltage is low.
    low_voltage_fraction: float = rule_field("features.low_voltage_fraction", float)
    #: Secondary rated current of a CT [A] (x/5 A CTs).
    ct_secondary_a: float = rule_field("features.ct_secondary_a", float)


FEATURES = FeatureRules()
