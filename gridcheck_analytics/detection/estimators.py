"""Learned detectors with scikit-learn's estimator API.

Score sign (stated once): :meth:`suspicion_score` and ``predict_proba[:, 1]`` are "higher = more suspect".
The outlier detectors also offer scikit-learn's ``score_samples`` / ``decision_function`` with
scikit-learn's sign (lower = more abnormal) and ``predict`` in {1 normal, -1 outlier}.

* :class:`PeerGroupRobustScorer` — unsupervised, for areas without labels: robust z-scores (median and
  MAD) of each feature against the fitted population (fit one per peer group with
  :func:`peer_group_scores`), in the suspicious direction of each feature, combined by the mean of the
  largest ``top_k``.
* :class:`IsolationForestScorer` — unsupervised, scikit-learn's Isolation Forest with median imputation.
* :class:`LightGBMTheftClassifier` — supervised gradient-boosted trees (LightGBM) with TreeSHAP feature
  contributions (:meth:`LightGBMTheftClassifier.shap_values`; the ``shap`` package's ``TreeExplainer`` or
  LightGBM's own ``pred_contrib``, which compute the same TreeSHAP values).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from gridcheck_analytics import kernels

_MAD_TO_SIGMA = 1.4826


class PeerGroupRobustScorer(OutlierMixin, BaseEstimator):
    """Robust z-score outlier detector (median / MAD), direction-aware.

    Parameters
    ----------
    directions : array-like of {-1, 0, 1}, optional
        Per feature: -1 when low values are suspicious (a drop), 1 when high values are, 0 for both.
        Default: 0 for every feature.
    top_k : int
        The score is the mean of the ``top_k`` largest directional z-scores of a sample.
    z_cap : float
        z-scores are clipped at this value so that one feature cannot dominate.
    contamination : float
        Expected share of outliers; sets ``offset_`` for ``predict`` and ``decision_function``.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Medians of the training data (NaN ignored).
    scale_ : ndarray of shape (n_features,)
        MAD x 1.4826 (a robust standard deviation), floored to avoid division by zero.
    offset_ : float
        ``score_samples`` threshold below which a sample is an outlier.
    """

    def __init__(self, directions=None, top_k: int = 2, z_cap: float = 10.0, contamination: float = 0.01):
        self.directions = directions
        self.top_k = top_k
        self.z_cap = z_cap
        self.contamination = contamination

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None):
        """Learn medians and MADs of ``X``; ``y`` is ignored."""
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        self._fit_center_scale(X)
        self.offset_ = float(np.quantile(-self._suspicion(X), self.contamination))
        return self

    def _fit_center_scale(self, X):
        """``center_``, ``scale_`` and ``directions_`` of ``X`` (all of :meth:`fit` but ``offset_``)."""
        center, mad = _column_median_mad(X)
        mad = mad * _MAD_TO_SIGMA
        center = np.where(np.isnan(center), 0.0, center)
        spread = np.nanstd(np.where(np.isnan(X), center, X), axis=0) if X.shape[0] else np.zeros(X.shape[1])
        floor = np.maximum(1e-6 * np.maximum(np.abs(center), 1.0), 1e-9)
        scale = np.where(np.isnan(mad) | (mad <= floor), np.maximum(spread, floor), mad)
        self.center_ = center
        self.scale_ = scale
        self.directions_ = self._directions(X.shape[1])
        return self

    def _directions(self, n):
        if self.directions is None:
            return np.zeros(n)
        d = np.asarray(self.directions, dtype=float)
        if d.shape != (n,):
            raise ValueError(f"directions must have one value per feature ({n})")
        return d

    def _z(self, X):
        z = (X - self.center_) / self.scale_
        d = self.directions_
        z = np.where(d < 0, -z, np.where(d > 0, z, np.abs(z)))
        return np.clip(np.nan_to_num(z, nan=0.0), 0.0, self.z_cap)

    def _suspicion(self, X):
        z = self._z(X)
        k = max(1, min(int(self.top_k), z.shape[1]))
        top = np.sort(z, axis=1)[:, -k:]
        return top.mean(axis=1)

    def suspicion_score(self, X):
        """Suspicion per sample [z units], higher = more suspect."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        return self._suspicion(X)

    def feature_z(self, X):
        """Directional robust z-scores per feature, clipped to [0, ``z_cap``] (the explanation) [z units]."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        return self._z(X)

    def score_samples(self, X):
        """scikit-learn's sign: lower = more abnormal (``-suspicion_score``)."""
        return -self.suspicion_score(X)

    def decision_function(self, X):
        """``score_samples - offset_``: negative for outliers."""
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """1 for inliers, -1 for outliers."""
        return np.where(self.decision_function(X) < 0, -1, 1)


def peer_group_scores(
    frame: pd.DataFrame,
    feature_columns: list[str],
    group_columns: list[str],
    *,
    directions=None,
    min_group: int = 20,
    top_k: int = 2,
    fallback_columns: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Suspicion per row from a :class:`PeerGroupRobustScorer` fitted on its peer group.

    Groups (e.g. area and category) smaller than ``min_group`` are scored against their fallback group
    (``fallback_columns``, e.g. category), and groups of that smaller than ``min_group`` against the
    whole frame.

    Returns
    -------
    scores : ndarray of shape (n_rows,)
        Suspicion [z units], higher = more suspect.
    z : ndarray of shape (n_rows, n_features)
        Directional z-scores per feature (for the reasons).
    """
    X = frame[feature_columns].to_numpy(dtype=float)
    scorer = PeerGroupRobustScorer(directions=directions, top_k=top_k)
    X = validate_data(scorer, X, ensure_all_finite="allow-nan", dtype=np.float64)
    d = scorer._directions(X.shape[1])
    levels = [
        _Level(frame.groupby(list(cols), sort=False, dropna=False).ngroup().to_numpy())
        for cols in (fallback_columns, group_columns)
        if cols
    ]
    codes = np.zeros(len(X), dtype=np.int64)  # the rows' group at the level reached (one: all rows)
    for level in levels:
        codes = level.after(codes)
    z = np.empty(X.shape)

    def z_of(a: int, b: int) -> None:
        """The directional z of features ``a``..``b - 1`` into ``z`` (each feature's numbers are its own)."""
        x = X[:, a:b]
        # the overall centre and scale (the fallback of the smallest groups): the scorer's fit without
        # its outlier threshold, which nothing here reads (a sort of the whole z matrix)
        overall = PeerGroupRobustScorer()._fit_center_scale(x)
        # coarse level first, the finer one overrides it; each level's centre and scale per group (per
        # row where a level does not nest in the one before)
        center, scale = overall.center_[None, :], overall.scale_[None, :]
        for level in levels:
            center, scale = _group_stats(x, level, center, scale, min_group)
        kernels.directional_z(x, center, scale, codes, d[a:b], float(scorer.z_cap), z[:, a:b])

    # the features in two or more slices, in threads (the kernels release the GIL, as NumPy's sums);
    # slices of at least two features, so that every sum over the rows runs in the same order as over
    # the whole matrix (a single column's sum would be NumPy's pairwise one): the same numbers
    n_features = X.shape[1]
    slices = max(1, min(os.cpu_count() or 1, 4, n_features // 2))
    bounds = np.linspace(0, n_features, slices + 1).astype(int)
    if slices == 1:
        z_of(0, n_features)
    else:
        with ThreadPoolExecutor(slices) as pool:
            list(pool.map(z_of, bounds[:-1], bounds[1:]))
    k = max(1, min(int(top_k), z.shape[1]))
    # the k largest of each row, sorted as a sort of the row would leave them (the same mean)
    out = kernels.row_top(z, k).mean(axis=1)
    return out, z


def _column_median_mad(X):
    """``np.nanmedian(X, axis=0)`` and ``np.nanmedian(np.abs(X - median), axis=0)``: the same numbers
    (NaN where a column has no value), by :func:`gridcheck_analytics.kernels.group_median_mad` from 600
    rows (below, NumPy's masked median, which sums the middle value with itself, is kept)."""
    if X.shape[0] < 600:
        # only the columns with a value (an empty one is NaN): NumPy warns of an all-NaN column, and
        # silencing that (``warnings.catch_warnings``) is not safe in the scorer's threads
        center, mad = np.full(X.shape[1], np.nan), np.full(X.shape[1], np.nan)
        some = ~np.isnan(X).all(axis=0)
        if some.any():
            with np.errstate(all="ignore"):
                center[some] = np.nanmedian(X[:, some], axis=0)
                mad[some] = np.nanmedian(np.abs(X[:, some] - center[some]), axis=0)
        return center, mad
    starts = np.array([0, X.shape[0]], dtype=np.int64)
    med, mad = kernels.group_median_mad(X, np.arange(X.shape[0], dtype=np.int64), starts, True)
    return med[0], mad[0]


def group_medians(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Median of each column of ``values`` per group (``codes`` 0 .. G - 1), NaN skipped: shape (G, k).

    The same numbers as pandas' ``groupby(codes).median()`` (the middle value, or the half sum of the two
    middle values: both exact), by an exact selection per group and column
    (:func:`gridcheck_analytics.kernels.group_median_mad`).  A group with no value has NaN.
    """
    codes = np.asarray(codes, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return group_medians(codes, values[:, None])[:, 0]
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    order, starts = kernels.group_order(codes, n_groups)
    return kernels.group_median_mad(values, order, starts, False)[0]


class _Level:
    """A grouping level of :func:`peer_group_scores`: its codes per row, the rows grouped
    (:func:`gridcheck_analytics.kernels.group_order`), the rows per group and, once :meth:`after` has
    seen the level before, each group's group there (``parent``), or None where the level does not
    nest in it (then the level before's values are taken per row)."""

    def __init__(self, codes):
        self.codes = np.asarray(codes, dtype=np.int64)
        n_groups = int(self.codes.max()) + 1 if len(self.codes) else 0
        self.order, self.starts = kernels.group_order(self.codes, n_groups)
        self.count = np.diff(self.starts)
        self.parent = None
        self.before = None

    def after(self, codes):
        """Relates the level to the rows' codes at the level before; returns the rows' codes at this level
        (per row, ``arange``, where it does not nest)."""
        level = self.codes
        first = np.full(len(self.count), -1, dtype=np.int64)
        first[level[::-1]] = np.arange(len(level))[::-1]  # a row of each group
        parent = codes[first]
        if not np.array_equal(parent[level], codes):  # not nested: the level before's values per row
            self.before = codes
            return np.arange(len(level))
        self.parent = parent
        return level


def _group_stats(X, level, center, scale, min_group):
    """One level of :func:`peer_group_scores`: per group of ``level`` (a :class:`_Level`), the median and
    the MAD x 1.4826 where the group has ``min_group`` rows, else the centre and scale of its group at the
    level before (``center``, ``scale``: per group there).  Returns (centre, scale) per group of
    ``level``, or per row where the level does not nest in the level before.

    The numbers of the row by row definition (``np.where`` over every row), computed per group.
    """
    med, mad = kernels.group_median_mad(X, level.order, level.starts, True)
    if level.parent is None:  # not nested: the level before's values per row
        codes = level.codes
        return _choose(
            med[codes], mad[codes], level.count[codes], center[level.before], scale[level.before], min_group
        )
    return _choose(med, mad, level.count, center[level.parent], scale[level.parent], min_group)


def _choose(med, mad, count, center, scale, min_group):
    """The median and MAD where the group is big enough (and they are usable), else ``center``/``scale``."""
    mad = mad * _MAD_TO_SIGMA
    ok = (count >= min_group)[:, None] & ~np.isnan(med)
    center = np.where(ok, med, center)
    floor = np.maximum(1e-6 * np.maximum(np.abs(center), 1.0), 1e-9)
    scale = np.where(ok, np.where(np.isnan(mad) | (mad <= floor), scale, mad), scale)
    return center, scale


class IsolationForestScorer(OutlierMixin, BaseEstimator):
    """Isolation Forest with median imputation of missing features.

    Parameters
    ----------
    n_estimators : int
        Trees.
    max_samples : int, float or 'auto'
        Samples per tree.
    contamination : 'auto' or float
        As in :class:`sklearn.ensemble.IsolationForest`.
    random_state : int, optional
        Seed.

    Attributes
    ----------
    medians_ : ndarray
        Imputation values.
    forest_ : IsolationForest
        The fitted forest.
    """

    def __init__(self, n_estimators: int = 200, max_samples="auto", contamination="auto", random_state=None):
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.contamination = contamination
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _impute(self, X):
        return np.where(np.isnan(X), self.medians_, X)

    def fit(self, X, y=None):
        """Fit the forest on ``X`` (NaN imputed by column medians); ``y`` is ignored."""
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(X, axis=0)
        self.medians_ = np.where(np.isnan(med), 0.0, med)
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=self.max_samples,
            contamination=self.contamination,
            random_state=self.random_state,
        ).fit(self._impute(X))
        self.offset_ = self.forest_.offset_
        return self

    def _x(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        return self._impute(X)

    def score_samples(self, X):
        """scikit-learn's sign: lower = more abnormal."""
        X = self._x(X)
        return self.forest_.score_samples(X)

    def decision_function(self, X):
        """Negative for outliers."""
        X = self._x(X)
        return self.forest_.decision_function(X)

    def predict(self, X):
        """1 for inliers, -1 for outliers."""
        X = self._x(X)
        return self.forest_.predict(X)

    def suspicion_score(self, X):
        """Higher = more suspect (``-score_samples``)."""
        return -self.score_samples(X)


class LightGBMTheftClassifier(ClassifierMixin, BaseEstimator):
    """Supervised theft classifier: LightGBM gradient-boosted trees with TreeSHAP explanations.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, min_child_samples, subsample, colsample_bytree, reg_lambda :
        LightGBM hyperparameters (``subsample`` applies every iteration).
    class_weight : dict, 'balanced' or None
        As in LightGBM.
    random_state : int, optional
        Seed.
    n_jobs : int, optional
        Threads (LightGBM's default when None).

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    booster_ : lightgbm.LGBMClassifier
        The fitted LightGBM model.
    n_features_in_ : int
    """

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        class_weight=None,
        random_state=None,
        n_jobs=None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y):
        """Fit on features ``X`` and labels ``y`` (1 = theft for binary use)."""
        import lightgbm as lgb

        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        check_classification_targets(y)
        enc = LabelEncoder().fit(y)
        self.classes_ = enc.classes_
        yi = enc.transform(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"LightGBMTheftClassifier needs at least 2 classes; got {len(self.classes_)} class"
            )
        self.booster_ = lgb.LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1 if self.subsample < 1 else 0,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            class_weight=self.class_weight,
            random_state=self.random_state,
            n_jobs=self.n_jobs if self.n_jobs is not None else -1,
            verbose=-1,
        ).fit(X, yi)
        return self

    def _x(self, X):
        check_is_fitted(self)
        return validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order."""
        X = self._x(X)
        return self.booster_.predict_proba(X)

    def predict(self, X):
        """Most probable class."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def suspicion_score(self, X):
        """Probability of the last class (theft for labels {0, 1}), higher = more suspect."""
        return self.predict_proba(X)[:, -1]

    def shap_values(self, X, method: str = "native"):
        """TreeSHAP contributions to the log-odds of the last class, shape (n_samples, n_features).

        Parameters
        ----------
        method : {'native', 'shap'}
            ``'native'``: LightGBM's ``pred_contrib=True`` (TreeSHAP in LightGBM's C++ code, threaded);
            ``'shap'``: the ``shap`` package's ``TreeExplainer``.  Both give the same values.
        """
        X = self._x(X)
        if method == "shap":
            import shap

            vals = shap.TreeExplainer(self.booster_.booster_).shap_values(X)
            if isinstance(vals, list):
                vals = vals[-1]
            vals = np.asarray(vals)
            return vals[..., -1] if vals.ndim == 3 else vals
        contrib = self.booster_.predict(X, pred_contrib=True)
        if isinstance(contrib, list):
            contrib = contrib[-1]
        contrib = np.asarray(contrib)
        n = self.n_features_in_
        if contrib.shape[1] == n + 1:
            return contrib[:, :n]
        # multiclass: blocks of (n + 1) per class; take the last class
        return contrib[:, -(n + 1) : -1]
