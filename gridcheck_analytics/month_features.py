"""A month's customer-month features read from the meter store: what a detection run of that month sees.

Shared by the monthly scoring (:func:`gridcheck_analytics.suspects.score_month`) and the supervised model's
training on case labels (:mod:`gridcheck_analytics.detection.supervised`), so that a model is trained on
exactly the features it later scores.
"""

from __future__ import annotations

import pandas as pd


def month_features(
    store,
    archive_frames: dict[str, pd.DataFrame],
    month: str,
    *,
    backend: str = "duckdb",
    con=None,
) -> pd.DataFrame:
    """The customer-month features of ``month``, exactly as :func:`score_month` computes them.

    Reads the months of history the features need (:attr:`FeatureRules.trend_months`, and the same month
    a year before: :attr:`FeatureRules.year_over_year_months`, as far as the store reaches) plus the
    month from the store, runs VEE (``quality.validate_daily``) and the area loss, and computes
    :func:`gridcheck_analytics.features.customer_month_features` for ``month`` only: nothing after the
    month's last day is read, so the features are what a detection run of that month saw (the training
    of the supervised model, :mod:`gridcheck_analytics.detection.supervised`, relies on this).
    The thresholds (VEE, features) are the rule-table rows in force on the month's last day.

    Parameters
    ----------
    store : MeterStore
        The meter-data store.
    archive_frames : dict of pandas.DataFrame
        ``meters`` (canonical, or the archive's frames).
    month : str
        ``YYYY-MM``.
    backend : {'duckdb', 'pyspark'}
        Ibis backend when ``con`` is not given.
    con : ibis connection, optional
        Reuse a connection.

    Returns
    -------
    pandas.DataFrame
        One row per customer meter with readings in ``month`` (see
        :func:`gridcheck_analytics.features.customer_month_features`).

    Raises
    ------
    ValueError
        When the store has no daily readings in the month or the history before it.
    """
    import ibis

    from gridcheck_analytics import lineloss, quality
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.features import FeatureRules, customer_month_features
    from gridcheck_analytics.pipeline import canonical_meters, month_bounds
    from gridcheck_analytics.thresholds import VeeRules

    con = con or connect(backend)
    meters_pd = canonical_meters(archive_frames)
    meters = ibis.memtable(meters_pd)
    rules = FeatureRules.in_force(month_bounds(month)[1])
    y, m = (int(x) for x in month.split("-"))
    n = y * 12 + m - 1 - max(rules.trend_months, rules.year_over_year_months)
    first_month = f"{n // 12:04d}-{n % 12 + 1:02d}"
    stored = [p for p in store.months("daily") if first_month <= p <= month]
    first_month = max(first_month, stored[0]) if stored else first_month  # no earlier data: no earlier VEE
    start = month_bounds(first_month)[0]
    month_start, end = month_bounds(month)
    vee_rules = VeeRules.in_force(end)
    wanted = [str(p) for p in pd.period_range(start, end, freq="M")]
    daily = store.table(con, "daily", wanted)
    if daily is None:
        raise ValueError(f"no daily readings in the store for {first_month}..{month}")
    area_readings = store.table(con, "area_meter", wanted)
    supply = None
    if area_readings is not None:
        areas = meters.select("area_code", "line_code", "station_code").distinct()
        supply = lineloss.area_supply_daily(area_readings, start, end, areas=areas, rules=vee_rules, con=con)
    vee = quality.validate_daily(daily, meters, start, end, area_supply=supply, rules=vee_rules, con=con)
    temp = None
    if con.name == "duckdb":
        import uuid

        temp = f"det_vee_{uuid.uuid4().hex}"
        vee = con.create_table(temp, vee, temp=True)
    try:
        area_loss = lineloss.daily_area_loss(vee, supply) if supply is not None else None
        feats = customer_month_features(
            vee,
            meters,
            month_start,
            end,
            events=store.table(con, "events", wanted),
            curves=store.table(con, "curves", [month]),
            area_loss=area_loss,
            rules=rules,
        )
        return con.execute(feats)
    finally:
        if temp is not None:
            con.raw_sql(f'DROP TABLE IF EXISTS "{temp}"')
        quality.release_series(con)
