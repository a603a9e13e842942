"""Monthly theft and anomaly scoring: one ranked list of suspects per area and station, with reasons.

``score_month(store, archive_frames, month)`` is the entry point the Django side (``detection/services.py``)
calls.  It computes the customer-month features (:mod:`gridcheck_analytics.features`), fires the rule
detectors (:mod:`gridcheck_analytics.rules`), scores with the learned detectors
(:mod:`gridcheck_analytics.detection`) and combines everything into one ranked list
(:func:`gridcheck_analytics.detection.combine.combine_scores`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gridcheck_analytics.month_features import month_features

#: Columns of the frame :func:`score_month` returns, in order.
SUSPECT_COLUMNS = [
    "account_number",
    "meter_id",
    "area_code",
    "station_code",
    "month",
    "rule_score",
    "model_score",
    "score",
    "rank_in_area",
    "rank_in_station",
    "reasons",
    "estimated_loss_kwh",
]

STEPS = ("features", "rules", "model", "combine")


def score_month(
    store,
    archive_frames: dict[str, pd.DataFrame],
    month: str,
    *,
    backend: str = "duckdb",
    model=None,
    con=None,
    explain_min_score: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> pd.DataFrame:
    """Score every customer of ``month`` for theft and anomalies and rank them.

    Parameters
    ----------
    store : MeterStore
        The meter-data store (daily, events, area_meter, curves).
    archive_frames : dict of pandas.DataFrame
        ``meters`` (canonical, or the archive's frames, as for :func:`pipeline.run_monthly`).
    month : str
        ``YYYY-MM``; features use the months before it as history.
    backend : {'duckdb', 'pyspark'}
        Ibis backend when ``con`` is not given.
    model : LoadedModel or estimator, optional
        A supervised model (from :func:`gridcheck_analytics.detection.models.load_model`); without one the
        unsupervised peer-group score and the rules are used.
    con : ibis connection, optional
        Reuse a connection.
    explain_min_score : float, optional
        Reasons only for the rows with a rule fired or a score at least this (the rows a caller can
        keep as suspects, :func:`~gridcheck_analytics.detection.combine.combine_scores`); every row when
        None.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each step of :data:`STEPS`.

    Returns
    -------
    pandas.DataFrame
        One row per customer meter, sorted by score descending, columns :data:`SUSPECT_COLUMNS`:
        ``account_number``, ``meter_id``, ``area_code``, ``station_code``, ``month`` (``YYYYMM``),
        ``rule_score``, ``model_score``, ``score`` [0-1, higher is more
        suspect], ``rank_in_area`` and ``rank_in_station`` (1 = most suspect), ``reasons`` (list of dicts
        with ``code``, ``text`` (Chinese), ``method`` (theft method code), ``method_zh``, ``evidence``
        (dict of values), ``source`` ('rule' or 'model')), ``estimated_loss_kwh`` (what the month lacks
        against the customer's own baselines [kWh],
        :func:`gridcheck_analytics.detection.calibration.estimated_loss_kwh`).
    """

    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.detection.combine import combine_scores
    from gridcheck_analytics.pipeline import month_bounds
    from gridcheck_analytics.rules import DetectionRules

    done = 0

    def step(name):
        nonlocal done
        done += 1
        if progress:
            progress(name, done, len(STEPS))

    con = con or connect(backend)
    frame = month_features(store, archive_frames, month, con=con)
    step("features")
    estimator, columns = _unwrap(model)
    step("rules")
    step("model")
    detection_rules = DetectionRules.in_force(month_bounds(month)[1])
    ranked = combine_scores(
        frame,
        model=estimator,
        model_features=columns,
        rules=detection_rules,
        explain_min_score=explain_min_score,
        feature_rows=True,
    )
    step("combine")
    return with_estimated_loss(ranked, frame)[SUSPECT_COLUMNS]


def with_estimated_loss(ranked: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """``ranked`` with ``estimated_loss_kwh``: what each meter's month lacks against its own baselines
    [kWh] (:func:`gridcheck_analytics.detection.calibration.estimated_loss_kwh` over ``features``).

    Each ranked row takes its row of ``features``: ``ranked["feature_row"]`` where it is given
    (:func:`~gridcheck_analytics.detection.combine.combine_scores` with ``feature_rows=True``; the column
    is dropped), else the meter's first row."""
    from gridcheck_analytics.detection.calibration import estimated_loss_kwh

    lack = np.asarray(estimated_loss_kwh(features).to_numpy(), dtype=float)
    if "feature_row" in ranked:
        row = ranked.pop("feature_row").to_numpy(dtype=np.int64)
    else:
        # each ranked meter's first row in the features (Arrow's hash lookup: pandas' took 1 s for
        # 1,000,000)
        ids = pa.array(features["meter_id"].astype(str), pa.string())
        row = pc.index_in(pa.array(ranked["meter_id"].astype(str), pa.string()), value_set=ids)
        row = row.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    value = np.where(row >= 0, lack[np.maximum(row, 0)] if len(lack) else 0.0, 0.0)
    ranked["estimated_loss_kwh"] = np.where(np.isnan(value), 0.0, value)
    return ranked


def _unwrap(model):
    """(estimator, feature columns) from a LoadedModel, an estimator or None."""
    if model is None:
        return None, None
    if hasattr(model, "estimator") and hasattr(model, "metadata"):
        return model.estimator, model.metadata.get("feature_columns")
    return model, None
