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

    Read from the derived store of the monthly run (:mod:`gridcheck_analytics.monthly`): the month's
    validated days (its VEE ran once, in the line-loss run or here if missing or stale) and the
    per-meter monthly rows of the months of history the features need (:attr:`FeatureRules.trend_months`,
    and the same month a year before: :attr:`FeatureRules.year_over_year_months`, as far as the store
    reaches), and :func:`gridcheck_analytics.features.customer_month_features` for ``month`` only:
    nothing after the month's last day is read, so the features are what a detection run of that month
    saw (the training of the supervised model, :mod:`gridcheck_analytics.detection.supervised`, relies
    on this).
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
    from gridcheck_analytics.monthly import month_features as derived_month_features

    return derived_month_features(store, archive_frames, month, con=con, backend=backend)
