"""The supervised theft model trained on inspection outcomes: features of the month before each case.

A label is the outcome of one inspection of one customer: 1 when theft was found (a closed theft case),
0 when the customer was inspected and found without theft (a normal visit, a closed violation case).
Each label is paired with the customer-month features of the **month before the case date's month**,
computed exactly as the detection run of that month computed them
(:func:`gridcheck_analytics.month_features.month_features`): the data the inspector could have had when deciding
to go, nothing recorded after it (a case often ends the theft, and the consumption recovers).  A case of
2025-11-12 is paired with the features of 2025-10.

:func:`train_from_labels` builds that table, trains :class:`LightGBMTheftClassifier` on
:data:`gridcheck_analytics.features.FEATURE_COLUMNS` (the columns :func:`combine_scores` passes to the
model), cross-validates it when both classes have at least two labels (stratified k-fold,
k = min(5, labels of the smaller class)) and saves it in a model registry
(:func:`gridcheck_analytics.detection.models.save_model`) with its parameters, the SHA-256 of the
training table (labels and features), the metrics and the label counts.  Too few labels of either class
raise :class:`TooFewLabels`, naming the class that is short.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns of a labels frame (``cases.selectors.case_labels()`` rows, ``gridcheck cases labels`` CSV).
LABEL_COLUMNS = ("account_number", "meter_asset_numbers", "label", "case_date")
#: Registry name of the model trained on inspection labels.
MODEL_NAME = "cases-lightgbm"
#: Labels of each class needed before a model is trained (an engineering choice: below this the trees
#: learn single customers, and the cross-validation has too few positives to mean anything).
MIN_LABELS_PER_CLASS = 10
#: At most this many cross-validation folds.
MAX_CV_FOLDS = 5
CLASS_NAMES = {1: "theft", 0: "normal"}


class TooFewLabels(ValueError):
    """Too few labels of a class to train on.

    Attributes
    ----------
    counts : dict
        ``{1: theft labels, 0: normal labels}`` usable for training (with meter data).
    minimum : int
        Labels needed of each class.
    short : list of int
        The classes below ``minimum`` (1, 0 or both).
    unmatched : int
        Labels left out because the store has no features for the month before their case date.
    """

    def __init__(self, counts: dict[int, int], minimum: int, unmatched: int = 0):
        self.counts = {1: int(counts.get(1, 0)), 0: int(counts.get(0, 0))}
        self.minimum = int(minimum)
        self.unmatched = int(unmatched)
        self.short = [c for c in (1, 0) if self.counts[c] < self.minimum]
        parts = " and ".join(f"{self.counts[c]} {CLASS_NAMES[c]} (label {c})" for c in self.short)
        message = f"too few labels to train: {parts}; at least {self.minimum} of each class are needed"
        if self.unmatched:
            message += (
                f" ({self.unmatched} label(s) left out: no meter data for the month before the case date)"
            )
        super().__init__(message)


@dataclass
class TrainingResult:
    """What :func:`train_from_labels` made: the saved version, its metadata and the training table."""

    path: Path
    metadata: dict
    estimator: object
    table: pd.DataFrame
    unmatched: pd.DataFrame


def feature_month(case_date) -> str:
    """The month (``YYYY-MM``) whose features a label of ``case_date`` is paired with: the month before."""
    return (pd.Period(pd.Timestamp(case_date), freq="M") - 1).strftime("%Y-%m")


def _meter_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def normalize_labels(labels) -> pd.DataFrame:
    """Labels as a frame: ``label_id, account_number, meter_asset_numbers`` (list), ``label`` (0/1),
    ``case_date`` (date), ``feature_month`` (``YYYY-MM``).

    Parameters
    ----------
    labels : pandas.DataFrame or iterable of tuples
        Columns (or tuple items) :data:`LABEL_COLUMNS`; ``meter_asset_numbers`` a list or a
        ``;``-separated string (the CSV of ``gridcheck cases labels``), possibly empty, in which case the
        customer's meters are found by ``account_number``.
    """
    if isinstance(labels, pd.DataFrame):
        frame = labels.copy()
        if "meter_asset_numbers" not in frame and "meter_id" in frame:
            frame["meter_asset_numbers"] = frame["meter_id"]
        missing = [c for c in LABEL_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"labels lack column(s) {', '.join(missing)}")
        frame = frame[list(LABEL_COLUMNS)]
    else:
        frame = pd.DataFrame(list(labels), columns=list(LABEL_COLUMNS))
    frame = frame.reset_index(drop=True)
    frame["account_number"] = frame["account_number"].astype(str).str.strip()
    frame["meter_asset_numbers"] = frame["meter_asset_numbers"].map(_meter_list)
    label = pd.to_numeric(frame["label"], errors="coerce")
    bad = ~label.isin([0, 1])
    if bad.any():
        raise ValueError(
            f"labels must be 0 or 1; row {int(np.flatnonzero(bad)[0])} has {frame['label'][bad].iat[0]!r}"
        )
    frame["label"] = label.astype(int)
    dates = pd.to_datetime(frame["case_date"], errors="coerce")
    if dates.isna().any():
        raise ValueError(f"case_date missing or unreadable in row {int(np.flatnonzero(dates.isna())[0])}")
    frame["case_date"] = dates.dt.date
    frame["feature_month"] = [feature_month(d) for d in frame["case_date"]]
    frame.insert(0, "label_id", np.arange(len(frame)))
    return frame


def label_counts(labels: pd.DataFrame) -> dict[int, int]:
    """``{1: theft labels, 0: normal labels}``."""
    y = labels["label"].to_numpy()
    return {1: int((y == 1).sum()), 0: int((y == 0).sum())}


def _match(month_labels: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """(label_id, meter_id) pairs: the label's meters that have features, else its account's meters."""
    meters = month_labels[["label_id", "meter_asset_numbers"]].explode("meter_asset_numbers")
    meters = meters.dropna().rename(columns={"meter_asset_numbers": "meter_id"})
    ids = features[["meter_id", "account_number"]].astype(str)
    by_meter = meters.merge(ids[["meter_id"]], on="meter_id")
    rest = month_labels[~month_labels["label_id"].isin(by_meter["label_id"])]
    by_account = rest[["label_id", "account_number"]].merge(ids, on="account_number")
    return pd.concat([by_meter, by_account[["label_id", "meter_id"]]], ignore_index=True)


def labelled_features(
    store,
    archive_frames: dict[str, pd.DataFrame],
    labels,
    *,
    backend: str = "duckdb",
    con=None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training table: each label's customer meters with the features of the month before the case.

    Parameters
    ----------
    store : MeterStore
        The meter-data store.
    archive_frames : dict of pandas.DataFrame
        ``meters`` (as for :func:`gridcheck_analytics.suspects.score_month`).
    labels : pandas.DataFrame or iterable of tuples
        See :func:`normalize_labels`.
    backend, con :
        As for :func:`gridcheck_analytics.month_features.month_features`.
    progress : callable, optional
        Called as ``progress(month, done, total)`` after each feature month.

    Returns
    -------
    table : pandas.DataFrame
        One row per labelled (meter, month), sorted by month and meter: ``account_number, meter_id,
        month`` (``YYYYMM``), ``case_date`` (the latest case of the row), ``label`` (1 when any label of
        the row is theft) and every column of :data:`gridcheck_analytics.features.FEATURE_COLUMNS`.
        A label of a customer with several meters labels each of them.
    unmatched : pandas.DataFrame
        The labels (:func:`normalize_labels` columns) left out: no meter data for their feature month.
    """
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.features import FEATURE_COLUMNS
    from gridcheck_analytics.month_features import month_features

    labs = labels if isinstance(labels, pd.DataFrame) and "label_id" in labels else normalize_labels(labels)
    columns = ["account_number", "meter_id", "month", "case_date", "label", *FEATURE_COLUMNS]
    stored = set(store.months("daily"))
    months = sorted(labs["feature_month"].unique())
    con = con or connect(backend)
    parts, matched_ids = [], set()
    for done, month in enumerate(months, start=1):
        if month in stored:  # else no readings that month: its labels are left out
            feats = month_features(store, archive_frames, month, con=con)
            if len(feats):
                feats = feats.assign(meter_id=feats["meter_id"].astype(str))
                month_labels = labs[labs["feature_month"] == month]
                pairs = _match(month_labels, feats)
                if len(pairs):
                    matched_ids.update(pairs["label_id"])
                    rows = pairs.merge(month_labels[["label_id", "label", "case_date"]], on="label_id")
                    rows = rows.groupby("meter_id", as_index=False).agg(
                        label=("label", "max"), case_date=("case_date", "max")
                    )
                    parts.append(rows.merge(feats, on="meter_id")[columns])
        if progress:
            progress(month, done, len(months))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    table = table.sort_values(["month", "meter_id"], ignore_index=True)
    table["label"] = table["label"].astype(int)
    table["month"] = table["month"].astype(int)
    table["account_number"] = table["account_number"].astype(str)
    table[FEATURE_COLUMNS] = table[FEATURE_COLUMNS].astype(float)
    unmatched = labs[~labs["label_id"].isin(matched_ids)].reset_index(drop=True)
    return table, unmatched


def min_child_samples(n_samples: int) -> int:
    """LightGBM's ``min_child_samples`` for ``n_samples`` labels: n/20 within [3, 40] (a leaf of 40, the
    evaluated setting, would leave tens of labels a single split)."""
    return int(np.clip(n_samples // 20, 3, 40))


def cross_validated_metrics(make: Callable[[], object], X, y, *, groups=None, random_state: int = 0) -> dict:
    """Out-of-fold ranking metrics of ``make()``: stratified k-fold, k = min(5, smaller class).

    With ``groups`` (e.g. the customer of each label) the folds keep a group's labels together
    (``StratifiedGroupKFold``), so a customer labelled in several months is never scored by a model that
    saw it; k is then at most the number of groups in the smaller class.

    Returns ``{"cv_folds": k, "cv": ranking_report(...)}``, or ``{"cv_folds": 0, "cv": None,
    "cv_skipped": why}`` when the smaller class has fewer than two labels (groups).
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    from gridcheck_analytics.detection.evaluate import cross_val_scores
    from gridcheck_analytics.detection.metrics import ranking_report

    y = np.asarray(y, dtype=int)
    if groups is None:
        minority = int(min((y == 1).sum(), (y == 0).sum()))
    else:
        groups = np.asarray(groups)
        minority = int(min(len(np.unique(groups[y == 1])), len(np.unique(groups[y == 0]))))
    k = min(MAX_CV_FOLDS, minority)
    if k < 2:
        return {
            "cv_folds": 0,
            "cv": None,
            "cv_skipped": (
                f"cross-validation needs at least 2 labels of each class; the smaller class has {minority}"
            ),
        }
    if groups is None:
        splits = StratifiedKFold(k, shuffle=True, random_state=random_state).split(X, y)
    else:
        splits = StratifiedGroupKFold(k, shuffle=True, random_state=random_state).split(X, y, groups)
    oof = cross_val_scores(make, np.asarray(X, dtype=float), y, splits)
    return {
        "cv_folds": k,
        "cv": ranking_report(y, oof),
        "cv_grouped_by": None if groups is None else "customer",
    }


def train_from_labels(
    store,
    archive_frames: dict[str, pd.DataFrame],
    labels: pd.DataFrame | Iterable[tuple],
    registry,
    *,
    name: str = MODEL_NAME,
    n_estimators: int = 300,
    random_state: int = 0,
    min_per_class: int = MIN_LABELS_PER_CLASS,
    backend: str = "duckdb",
    con=None,
    progress: Callable[[str, int, int], None] | None = None,
) -> TrainingResult:
    """Train the supervised theft model on inspection labels and save it as the next version of ``name``.

    Parameters
    ----------
    store : MeterStore
        The meter-data store.
    archive_frames : dict of pandas.DataFrame
        ``meters`` (as for :func:`gridcheck_analytics.suspects.score_month`).
    labels : pandas.DataFrame or iterable of tuples
        ``account_number, meter_asset_numbers, label, case_date`` (:func:`normalize_labels`).
    registry : path
        Model registry directory (:mod:`gridcheck_analytics.detection.models`).
    name : str
        Model name in the registry.
    n_estimators, random_state : int
        LightGBM trees and seed (:func:`gridcheck_analytics.detection.evaluate.lightgbm_model`).
    min_per_class : int
        Labels of each class needed, counted before and after pairing them with meter data.
    backend, con, progress :
        As for :func:`labelled_features`.

    Returns
    -------
    TrainingResult
        ``path`` (the version directory), ``metadata`` (as saved), ``estimator``, ``table`` (the training
        table whose SHA-256 is saved), ``unmatched`` (labels without meter data).

    Raises
    ------
    TooFewLabels
        When either class has fewer than ``min_per_class`` labels.

    References
    ----------
    .. [1] G. Ke et al., "LightGBM: A Highly Efficient Gradient Boosting Decision Tree", NeurIPS 2017.
    """
    from gridcheck_analytics.detection.evaluate import lightgbm_model
    from gridcheck_analytics.detection.models import METADATA, save_model
    from gridcheck_analytics.features import FEATURE_COLUMNS

    labs = normalize_labels(labels)
    counts = label_counts(labs)
    if min(counts.values()) < min_per_class:
        raise TooFewLabels(counts, min_per_class)
    table, unmatched = labelled_features(
        store, archive_frames, labs, backend=backend, con=con, progress=progress
    )
    y = table["label"].to_numpy(dtype=int)
    samples = {1: int((y == 1).sum()), 0: int((y == 0).sum())}
    if min(samples.values()) < min_per_class:
        raise TooFewLabels(samples, min_per_class, unmatched=len(unmatched))
    X = table[FEATURE_COLUMNS].to_numpy(dtype=float)
    leaf = min_child_samples(len(y))

    def make():
        return lightgbm_model(n_estimators, random_state, min_child_samples=leaf)

    groups = table["account_number"].astype(str).to_numpy() if "account_number" in table.columns else None
    metrics = cross_validated_metrics(make, X, y, groups=groups, random_state=random_state)
    estimator = make().fit(X, y)
    months = sorted(table["month"].unique().tolist())
    path = save_model(
        estimator,
        registry,
        name,
        feature_columns=list(FEATURE_COLUMNS),
        training_data=table,
        metrics=metrics,
        labels=y,
        extra={
            "label_source": "inspection outcomes (closed cases, normal visits)",
            "feature_month": "the month before the case date's month",
            "labels": {
                "given": int(len(labs)),
                "theft": counts[1],
                "normal": counts[0],
                "without_meter_data": int(len(unmatched)),
            },
            "feature_months": [f"{m // 100:04d}-{m % 100:02d}" for m in months],
        },
    )
    metadata = json.loads((path / METADATA).read_text(encoding="utf-8"))
    return TrainingResult(path=path, metadata=metadata, estimator=estimator, table=table, unmatched=unmatched)
