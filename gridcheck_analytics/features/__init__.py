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

Modules: :mod:`.definitions` (columns, names, :class:`FeatureRules`), :mod:`.expressions` (shared
Ibis pieces), :mod:`.meter_months` (first stage), :mod:`.peers` (second stage) and
:mod:`.customer_months` (:func:`customer_month_features`, the buckets). Every public name is importable
from the package itself.
"""

from gridcheck_analytics.features.customer_months import (
    METERS_PER_BUCKET,
    TEMP_PREFIX,
    customer_month_features,
    release_features,
)
from gridcheck_analytics.features.definitions import (
    COUNTED_EVENTS,
    FEATURE_COLUMNS,
    FEATURE_NAMES_ZH,
    FEATURES,
    THEFT_EVENT_METHODS,
    FeatureRules,
)
from gridcheck_analytics.features.meter_months import monthly_consumption

__all__ = [
    "COUNTED_EVENTS",
    "FEATURES",
    "FEATURE_COLUMNS",
    "FEATURE_NAMES_ZH",
    "METERS_PER_BUCKET",
    "TEMP_PREFIX",
    "THEFT_EVENT_METHODS",
    "FeatureRules",
    "customer_month_features",
    "monthly_consumption",
    "release_features",
]
