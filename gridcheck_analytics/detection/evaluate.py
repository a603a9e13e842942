"""Evaluation harness: detectors and baselines side by side, on three data sets, as a Markdown report.

* (a) :func:`evaluate_simulator` — the project's simulator with injected theft and its ground truth;
  per customer (the month scores' maximum), labels from the truth file.
* (b) :func:`evaluate_sgcc` — the REAL labelled SGCC summary features (``shared/data/sgcc-features``),
  stratified 5-fold cross-validation; or :func:`evaluate_train_test` on any two files of those columns.
* (c) :func:`evaluate_sgsc` — REAL household half-hourly curves (``shared/data/sgsc-50``) with SYNTHETIC
  attacks (the six of Jokar et al. 2016, :mod:`gridcheck_analytics.detection.attacks`) injected into half
  of the days after each customer's first quarter; customer-grouped 5-fold cross-validation.

Every data set reports the LightGBM model and the logistic-regression and random-forest baselines in the
same run, with ROC-AUC, PR-AUC (average precision), precision@k and recall@k (k = 1 % and 5 % of the
population).  :func:`write_report` writes ``report.md`` and ``roc_pr.png`` (matplotlib, Agg).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from gridcheck_analytics.detection.metrics import bootstrap_report, ranking_report

SGCC_COLUMNS = [
    "mean_usage",
    "max_usage",
    "min_usage",
    "std_usage",
    "variance_usage",
    "median_usage",
    "peak_to_mean_ratio",
]


def _shared_dir() -> Path:
    """The project's shared data folder: ``GRIDCHECK_SHARED_DIR``, else ``../shared`` beside the repository,
    else ``/work/shared`` (where the development machines keep it; a clone elsewhere still finds it)."""
    candidates = [os.environ.get("GRIDCHECK_SHARED_DIR", ""), Path(__file__).resolve().parents[3] / "shared"]
    candidates.append("/work/shared")
    return next((Path(c) for c in candidates if c and Path(c).is_dir()), Path(candidates[1]))


SHARED = _shared_dir()
#: Threads per model fit in the evaluation (``GRIDCHECK_EVAL_THREADS``, default 1): many small fits on a
#: shared machine run faster one thread each than with every core each (LightGBM's OpenMP threads spin).
EVAL_THREADS = int(os.environ.get("GRIDCHECK_EVAL_THREADS", "1") or 1)
SGCC_PATH = SHARED / "data" / "sgcc-features" / "sgcc_ml_ready.csv"
SGSC_PATH = SHARED / "data" / "sgsc-50" / "sgsc_50_customers_halfhourly.csv.gz"


# --------------------------------------------------------------------------------------------- models
def lightgbm_model(n_estimators: int = 400, random_state: int = 0, **kw):
    """The supervised model as evaluated (hyperparameters fixed before looking at the test folds)."""
    from gridcheck_analytics.detection.estimators import LightGBMTheftClassifier

    params = dict(
        n_estimators=n_estimators,
        learning_rate=0.03,
        num_leaves=31,
        min_child_samples=40,
        subsample=0.8,
        colsample_bytree=0.8,
        random_state=random_state,
    )
    params.update(kw)
    return LightGBMTheftClassifier(**params)


def baselines(random_state: int = 0, rf_trees: int = 300) -> dict:
    """Logistic regression (median-imputed, standardised) and random forest (median-imputed)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logistic_regression": lambda: make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(max_iter=2000),
        ),
        "random_forest": lambda: make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            RandomForestClassifier(
                n_estimators=rf_trees, min_samples_leaf=2, n_jobs=EVAL_THREADS, random_state=random_state
            ),
        ),
    }


def _proba(model, X):
    return model.predict_proba(X)[:, -1]


def with_augmentation(X, y, train_groups, extra):
    """The training rows plus the ``extra`` rows ``(X, y, groups)`` of the training groups only.

    ``extra`` are synthetic rows (e.g. attacked copies of customers' own days): a fit may use those of its
    training customers, never those of a customer it scores.
    """
    if extra is None:
        return X, y
    if train_groups is None:
        raise ValueError("extra training rows need the training rows' groups")
    Xe, ye, ge = extra
    m = np.isin(ge, np.unique(train_groups))
    return np.vstack([X, Xe[m]]), np.concatenate([y, ye[m]])


def cross_val_scores(make, X, y, splits, *, groups=None, extra=None) -> np.ndarray:
    """Out-of-fold theft scores of ``make()`` over ``splits``.

    ``extra``: synthetic training rows ``(X, y, groups)``; each fold adds those whose group is among its
    training ``groups`` (:func:`with_augmentation`); they are never scored.
    """
    oof = np.full(len(y), np.nan)
    for tr, te in splits:
        Xt, yt = with_augmentation(X[tr], y[tr], None if groups is None else groups[tr], extra)
        m = make().fit(Xt, yt)
        oof[te] = _proba(m, X[te])
    return oof


def _run(models: dict, X, y, splits, *, groups=None, extra=None) -> tuple[dict, dict]:
    metrics, scores = {}, {}
    for name, make in models.items():
        t0 = time.perf_counter()
        s = cross_val_scores(make, X, y, splits, groups=groups, extra=extra)
        metrics[name] = ranking_report(y, s) | {"seconds": time.perf_counter() - t0}
        scores[name] = s
    return metrics, scores


# --------------------------------------------------------------------------------------------- (b) SGCC
#: Days of the SGCC series (2014-01-01 to 2016-10-31, Zheng et al. 2018): the most a summary can cover.
SGCC_SERIES_DAYS = 1035
#: Resolution of the SGCC daily readings [kWh]: every reading has two decimals.
SGCC_READING_RESOLUTION_KWH = 0.01


def days_with_reading(mean_kwh, variance_kwh2, *, max_days: int = SGCC_SERIES_DAYS) -> np.ndarray:
    """Number of days a summary row was computed from, recovered from its mean and sample variance.

    A customer's SGCC summary is taken over the days that have a reading (the missing days left out), so
    the count of those days is the data's completeness, a signal an inspector knows (a meter that stops
    reporting). The file does not give the count, but it is fixed by the arithmetic: the readings are
    whole hundredths of a kWh, so with ``n`` days the total ``n · mean`` is a whole number of 0.01 kWh,
    and the sum of squares ``(n − 1) · variance + n · mean²`` (sample variance, ``ddof=1``) a whole
    number of 0.0001 kWh². The ``n`` in ``1 … max_days`` meeting both is the count; where none or more
    than one does (a constant series fits every ``n``), the count is unknown (NaN).

    Parameters: ``mean_kwh`` [kWh/day] and ``variance_kwh2`` [kWh²] as arrays of the same length.
    Returns float days (NaN where unknown). In production the count comes straight from the meter-data
    store; this recovers it for a file that only kept the summary.
    """
    mean_all = np.asarray(mean_kwh, dtype=float)
    variance_all = np.asarray(variance_kwh2, dtype=float)
    days = np.arange(1, max_days + 1, dtype=float)[None, :]
    resolution = SGCC_READING_RESOLUTION_KWH
    out = np.full(len(mean_all), np.nan)
    # Rows × candidate days in blocks of rows (a block's matrices are a few MB, not GB for a whole file).
    for start in range(0, len(mean_all), 2000):
        mean = mean_all[start : start + 2000, None]
        variance = variance_all[start : start + 2000, None]
        total = mean * days / resolution
        squares = ((days - 1) * variance + days * mean * mean) / resolution**2
        # Tolerances well above the float64 rounding of the stored mean and variance (relative 1e-16).
        fits = (np.abs(total - np.round(total)) < 1e-6) & (
            np.abs(squares - np.round(squares)) < np.maximum(1e-3, 1e-14 * np.abs(squares))
        )
        one = fits.sum(axis=1) == 1
        block = out[start : start + 2000]
        block[one] = fits[one].argmax(axis=1) + 1
    return out


def sgcc_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The seven SGCC summary columns plus scale-free ratios and shape statistics (the LightGBM model's).

    The file has no daily series and no customer id, so the profile and peer features of the SGSC
    evaluation cannot be computed here; what the seven columns still give is the distribution's shape:
    skew (mean against median), how far the peak and the floor lie from the mean in standard deviations,
    the spread against the median, the levels on a log scale, and the data's completeness: the days with a
    reading (:func:`days_with_reading`) and the energy over them (``total_kwh``).
    """
    f = frame[SGCC_COLUMNS].astype(float).copy()
    eps = 1e-6
    f["cv"] = f.std_usage / (f.mean_usage.abs() + eps)
    f["max_over_mean"] = f.max_usage / (f.mean_usage.abs() + eps)
    f["median_over_mean"] = f.median_usage / (f.mean_usage.abs() + eps)
    f["min_over_mean"] = f.min_usage / (f.mean_usage.abs() + eps)
    f["max_over_median"] = f.max_usage / (f.median_usage.abs() + eps)
    f["log_mean"] = np.log1p(f.mean_usage.clip(lower=0))
    sd = f.std_usage + eps
    f["skew_proxy"] = (f.mean_usage - f.median_usage) / sd
    f["max_z"] = (f.max_usage - f.mean_usage) / sd
    f["min_z"] = (f.mean_usage - f.min_usage) / sd
    f["std_over_median"] = f.std_usage / (f.median_usage.abs() + eps)
    f["log_std"] = np.log1p(f.std_usage.clip(lower=0))
    f["log_max"] = np.log1p(f.max_usage.clip(lower=0))
    f["log_median"] = np.log1p(f.median_usage.clip(lower=0))
    f["days_with_reading"] = days_with_reading(f.mean_usage, f.variance_usage)
    f["total_kwh"] = f.mean_usage * f.days_with_reading
    return f


class LabelledFileError(ValueError):
    """A labelled file that cannot be used: one line naming the file and the columns it needs."""


def file_facts(path) -> dict:
    """Name, rows and SHA-256 of a data file (what a train/test report names)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return {"path": str(path), "sha256": h.hexdigest()}


def read_labelled(path, columns=None) -> tuple[pd.DataFrame, np.ndarray]:
    """A labelled CSV with the SGCC summary columns and ``label`` (0 normal, 1 theft).

    Raises :class:`LabelledFileError` (one line: the file, what is wrong, the columns needed) for a file
    that is missing, empty, unreadable, lacks a column or has a label other than 0/1.
    """
    need = [*(columns or SGCC_COLUMNS), "label"]
    want = f"needs columns {', '.join(need)}"
    path = Path(path)
    if not path.is_file():
        raise LabelledFileError(f"{path}: file not found; {want}")
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise LabelledFileError(f"{path}: empty file; {want}") from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LabelledFileError(f"{path}: not a readable CSV ({first}); {want}") from None
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise LabelledFileError(f"{path}: missing column(s) {', '.join(missing)}; {want}")
    if df.empty:
        raise LabelledFileError(f"{path}: no data rows; {want}")
    label = pd.to_numeric(df["label"], errors="coerce")
    if not label.isin([0, 1]).all():
        raise LabelledFileError(f"{path}: column label must be 0 or 1 in every row; {want}")
    bad = [c for c in need[:-1] if pd.to_numeric(df[c], errors="coerce").isna().any()]
    if bad:
        raise LabelledFileError(f"{path}: empty or non-numeric values in column(s) {', '.join(bad)}; {want}")
    return df, label.astype(int).to_numpy()


#: The LightGBM settings the nested cross-validation chooses from (inner folds only).
LIGHTGBM_GRID = (
    {"num_leaves": 31, "min_child_samples": 40},
    {"num_leaves": 15, "min_child_samples": 100},
    {"num_leaves": 7, "min_child_samples": 200, "trees_factor": 3, "learning_rate": 0.01},
)


def _lgbm(n_estimators, seed, params):
    """LightGBM with grid ``params``; ``trees_factor`` scales ``n_estimators`` (slower learning, more trees)."""
    p = dict(params)
    n = max(1, int(round(n_estimators * p.pop("trees_factor", 1))))
    return lightgbm_model(n, seed, n_jobs=EVAL_THREADS, **p)


def tune_lightgbm(
    X, y, groups, *, grid=LIGHTGBM_GRID, inner_folds: int = 3, n_estimators=400, seed=0, extra=None
):
    """Choose LightGBM settings by grouped, stratified inner cross-validation on the training rows only.

    The objective is the inner folds' PR-AUC (the top of the ranking, where the inspector acts).
    Returns ``(best_params, {str(params): inner PR-AUC})``.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from gridcheck_analytics.detection.metrics import pr_auc

    inner = list(StratifiedGroupKFold(inner_folds, shuffle=True, random_state=seed + 1).split(X, y, groups))
    scores = {}
    for params in grid:
        make = lambda p=params: _lgbm(n_estimators, seed, p)  # noqa: E731
        oof = cross_val_scores(make, X, y, inner, groups=groups, extra=extra)
        scores[str(params)] = pr_auc(y, oof)
    best = max(grid, key=lambda p: scores[str(p)])
    return dict(best), scores


def nested_cv_scores(X, y, groups, outer, *, grid=LIGHTGBM_GRID, n_estimators=400, seed=0, extra=None):
    """Out-of-fold LightGBM scores where each outer fold's settings were tuned on its training rows.

    ``extra``: synthetic training rows ``(X, y, groups)``; every fit, inner or outer, adds those of its own
    training groups only (:func:`with_augmentation`), and only real rows are validated or scored.
    """
    oof = np.full(len(y), np.nan)
    chosen = []
    for tr, te in outer:
        params, _ = tune_lightgbm(
            X[tr], y[tr], groups[tr], grid=grid, n_estimators=n_estimators, seed=seed, extra=extra
        )
        chosen.append(params)
        Xt, yt = with_augmentation(X[tr], y[tr], groups[tr], extra)
        oof[te] = _proba(_lgbm(n_estimators, seed, params).fit(Xt, yt), X[te])
    return oof, chosen


def evaluate_sgcc(
    path=SGCC_PATH,
    *,
    folds: int = 5,
    seed: int = 0,
    n_estimators: int = 400,
    max_rows=None,
    rf_trees: int = 300,
    tune: bool = True,
    capacity: int | None = None,
    n_boot: int = 200,
):
    """Grouped, stratified k-fold CV on the labelled SGCC summary features: LightGBM vs LR and RF.

    Each row is one customer (the file has no customer id), so grouping by row is grouping by customer.
    With ``tune`` LightGBM's settings are chosen per outer fold by :func:`tune_lightgbm` on that fold's
    training rows (nested CV: the test fold never chooses).  Metrics with bootstrap intervals
    (:func:`~gridcheck_analytics.detection.metrics.bootstrap_report`) on the pooled out-of-fold scores.
    """
    from sklearn.model_selection import StratifiedGroupKFold, train_test_split

    df, y = read_labelled(path)
    if max_rows and len(df) > max_rows:
        df, _ = train_test_split(df, train_size=max_rows, stratify=y, random_state=seed)
        y = df["label"].astype(int).to_numpy()
    raw = df[SGCC_COLUMNS].to_numpy(dtype=float)
    eng = sgcc_features(df).to_numpy(dtype=float)
    groups = np.arange(len(y))  # one row per customer
    splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(raw, y, groups))
    t0 = time.perf_counter()
    if tune:
        s, chosen = nested_cv_scores(eng, y, groups, splits, n_estimators=n_estimators, seed=seed)
    else:
        s, chosen = (
            cross_val_scores(lambda: lightgbm_model(n_estimators, seed, n_jobs=EVAL_THREADS), eng, y, splits),
            [],
        )
    metrics = {"lightgbm": ranking_report(y, s) | {"seconds": time.perf_counter() - t0}}
    scores = {"lightgbm": s}
    m2, s2 = _run(baselines(seed, rf_trees=rf_trees), raw, y, splits)
    metrics |= m2
    scores |= s2
    intervals = {
        name: bootstrap_report(y, sc, capacity=capacity, n_boot=n_boot, seed=seed)
        for name, sc in scores.items()
    }
    return {
        "name": "sgcc",
        "title": f"(b) SGCC summary features — REAL labels, grouped stratified {folds}-fold CV",
        "n": len(y),
        "positives": int(y.sum()),
        "metrics": metrics,
        "intervals": intervals,
        "scores": scores,
        "y": y,
        "folds": folds,
        "chosen_params": chosen,
        "note": (
            f"{path}; one row per customer, folds grouped by customer (row) and stratified; "
            f"LightGBM on the 7 columns + {eng.shape[1] - 7} derived"
            + (", settings chosen per outer fold by an inner 3-fold grouped CV (nested)" if tune else "")
            + "; baselines on the 7 columns; intervals: bootstrap of the pooled out-of-fold scores"
        ),
    }


def evaluate_train_test(train, test, *, seed: int = 0, n_estimators: int = 400, capacity=None, n_boot=200):
    """Train on one labelled file, score another (same columns as the SGCC summary features): no folds."""
    dtr, ytr = read_labelled(train)
    dte, yte = read_labelled(test)
    files = {
        "train": file_facts(train) | {"rows": len(dtr), "positives": int(ytr.sum())},
        "test": file_facts(test) | {"rows": len(dte), "positives": int(yte.sum())},
    }
    models = {"lightgbm": (lambda: lightgbm_model(n_estimators, seed, n_jobs=EVAL_THREADS), True)}
    models |= {k: (v, False) for k, v in baselines(seed).items()}
    metrics, scores, timings = {}, {}, {}
    for name, (make, engineered) in models.items():
        t0 = time.perf_counter()
        Xtr = (sgcc_features(dtr) if engineered else dtr[SGCC_COLUMNS]).to_numpy(dtype=float)
        Xte = (sgcc_features(dte) if engineered else dte[SGCC_COLUMNS]).to_numpy(dtype=float)
        model = make().fit(Xtr, ytr)
        t1 = time.perf_counter()
        s = _proba(model, Xte)
        t2 = time.perf_counter()
        timings[name] = {"fit_seconds": t1 - t0, "score_seconds": t2 - t1}
        metrics[name] = ranking_report(yte, s) | {"seconds": t2 - t0}
        scores[name] = s
    intervals = {
        name: bootstrap_report(yte, sc, capacity=capacity, n_boot=n_boot, seed=seed)
        for name, sc in scores.items()
    }
    return {
        "name": "train_test",
        "title": f"Train on {Path(train).name}, test on {Path(test).name} (no folds)",
        "n": len(yte),
        "positives": int(yte.sum()),
        "metrics": metrics,
        "intervals": intervals,
        "scores": scores,
        "y": yte,
        "files": files,
        "timings": timings,
        "note": "no folds: one model per kind fitted on the train file, scored once on the test file",
    }


# --------------------------------------------------------------------------------------------- (c) SGSC
def sgsc_days(path=SGSC_PATH) -> tuple[pd.DataFrame, np.ndarray]:
    """Complete days (all 48 half-hours, no DST duplicates) per customer: (index frame, matrix [kWh])."""
    from gridcheck_analytics.io.readers import read_sgsc_days

    return read_sgsc_days(path)


#: LightGBM settings the SGSC nested CV chooses from.
SGSC_GRID = (
    {"num_leaves": 31, "min_child_samples": 40},
    {"num_leaves": 63, "min_child_samples": 20},
)


#: Weights of the reversed day's score that :func:`paired_scores` chooses from (0: the day's score alone).
REVERSAL_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _lowest_attack_auc(y, score, kinds) -> float:
    from gridcheck_analytics.detection.metrics import roc_auc

    aucs = [roc_auc(y[(kinds == a) | (y == 0)], score[(kinds == a) | (y == 0)]) for a in set(kinds[y == 1])]
    return float(np.nanmin(aucs))


def paired_scores(make, X, X_rev, y, kinds, groups, splits, *, extra=None, weights=REVERSAL_WEIGHTS, seed=0):
    """Out-of-fold scores ``logit p(day) - w * logit p(day reversed)`` and each outer fold's ``w``.

    One model scores each day and the same day reversed in time against the same history (``X_rev``, rows
    aligned with ``X``): a reversed day (h6) scores higher than its reversal (the real day), a real day
    lower, whatever the customer's usual level of score.  ``w`` trades h6 against the other attacks (whose
    reversal is as suspect as they are); it is chosen per outer fold by an inner grouped 3-fold CV on the
    training customers only, maximising the lowest per-attack ROC-AUC (``kinds``: the attack of each row).
    ``make(train_index)``: a fresh model for an outer fold's training rows (e.g. the nested CV's settings).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    oof = np.full(len(y), np.nan)
    chosen = []
    for fold, (tr, te) in enumerate(splits):
        X_tr, X_rev_tr, y_tr, groups_tr = X[tr], X_rev[tr], y[tr], groups[tr]  # each copied once a fold
        inner = StratifiedGroupKFold(3, shuffle=True, random_state=seed + 1).split(X_tr, y_tr, groups_tr)
        p, p_rev = np.full(len(tr), np.nan), np.full(len(tr), np.nan)
        for itr, ite in inner:
            Xt, yt = with_augmentation(X_tr[itr], y_tr[itr], groups_tr[itr], extra)
            m = make(fold).fit(Xt, yt)
            p[ite], p_rev[ite] = _proba(m, X_tr[ite]), _proba(m, X_rev_tr[ite])
        w = max(
            weights, key=lambda w: (_lowest_attack_auc(y_tr, _logit(p) - w * _logit(p_rev), kinds[tr]), -w)
        )
        chosen.append(w)
        Xt, yt = with_augmentation(X_tr, y_tr, groups_tr, extra)
        m = make(fold).fit(Xt, yt)
        oof[te] = _logit(_proba(m, X[te])) - w * _logit(_proba(m, X_rev[te]))
    return oof, chosen


def evaluate_sgsc(
    path=SGSC_PATH,
    *,
    folds: int = 5,
    seed: int = 0,
    n_estimators: int = 300,
    attack_share: float = 0.5,
    warmup_fraction: float = 0.25,
    min_warmup_days: int = 28,
    tune: bool = True,
    with_baselines: bool = True,
    n_boot: int = 200,
    augment: int = 2,
    paired: bool = True,
    data=None,
):
    """Real SGSC curves with SYNTHETIC Jokar attacks h1..h6: per-attack, per-day ROC-AUC on unseen customers.

    Protocol: each customer's first ``warmup_fraction`` of its complete days (at least ``min_warmup_days``)
    is never attacked and never scored (the history the first scored days compare with).  Of the later
    days, ``attack_share`` are attacked, each with one of h1..h6 at random (seeded; every day its own
    draws).  Each day's features (:func:`~gridcheck_analytics.detection.day_features.day_features`) use
    only that day and the customer's REPORTED days before it (attacked ones included), as in production.
    Customers are split into ``folds`` groups (stratified by the attacked share); a model trained on the
    days of the other groups' customers scores each group's days, so every score is for a customer never
    seen in training.  With ``tune`` LightGBM's settings are chosen per outer fold by an inner grouped CV
    on the training customers only.  Per attack: ROC-AUC of that attack's days against the normal days of
    the same test customers, pooled over the folds, with a bootstrap interval; also per fold.

    ``augment``: further random draws of the attacks on every customer's own days (as Jokar et al. train
    on synthetic attacks of a customer's own history; no labels needed), added to the TRAINING rows of
    each fit for its training customers only -- a scored customer's synthetic days never train the model
    that scores it, and only the first draw's days are scored.  0: no augmentation.

    ``paired``: add the differences between each day and the same day reversed in time against the same
    history (:func:`~gridcheck_analytics.detection.day_features.paired_day_features`, aimed at h6).

    ``data``: ``(index, days)`` as :func:`sgsc_days` returns them (tests), instead of reading ``path``.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from gridcheck_analytics.detection.attacks import ATTACK_NAMES, ATTACKS, inject
    from gridcheck_analytics.detection.day_features import day_features, paired_day_features
    from gridcheck_analytics.detection.metrics import roc_auc

    idx, days = data if data is not None else sgsc_days(path)
    idx = idx.reset_index(drop=True)
    customer = idx["customer_id"].to_numpy()
    dates = idx["day"].to_numpy()

    def scenario(draw_seed):
        """Warm-up mask, attacked mask, attack kinds and features of one random draw of the attacks."""
        rng = np.random.default_rng(draw_seed)
        warm = np.zeros(len(idx), dtype=bool)
        for cust in pd.unique(customer):
            rows = np.flatnonzero(customer == cust)
            rows = rows[np.argsort(dates[rows], kind="stable")]
            warm[rows[: max(min_warmup_days, int(len(rows) * warmup_fraction))]] = True
        attacked = ~warm & (rng.random(len(idx)) < attack_share)
        kinds = np.array([None] * len(idx), dtype=object)
        kinds[attacked] = rng.choice(ATTACKS, size=int(attacked.sum()))
        tampered = days.copy()
        for j, cust in enumerate(pd.unique(customer)):
            rows = np.flatnonzero(customer == cust)
            tampered[rows] = inject(days[rows], list(kinds[rows]), seed=draw_seed * 1000 + j)
        if paired:
            f, f_rev = paired_day_features(tampered, customer, dates, with_reversed=True)
            return warm, attacked, kinds, f, f_rev
        return warm, attacked, kinds, day_features(tampered, customer, dates), None

    t0 = time.perf_counter()
    warm, attacked, kinds, feats, feats_rev = scenario(seed)
    keep = ~warm
    X = feats[keep].to_numpy(dtype=float)
    y = attacked[keep].astype(int)
    groups = customer[keep]
    k = kinds[keep]
    # Jokar-style augmentation: further draws of the attacks on the customers' own days, used only to
    # train (a fit adds those of its training customers; the customers it scores are never among them)
    extra = None
    if augment:
        parts = [scenario(seed + 101 + c) for c in range(augment)]
        extra = (
            np.vstack([p[3][~p[0]].to_numpy(dtype=float) for p in parts]),
            np.concatenate([p[1][~p[0]].astype(int) for p in parts]),
            np.concatenate([customer[~p[0]] for p in parts]),
        )
    t_feat = time.perf_counter() - t0
    splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(X, y, groups))
    metrics, scores, chosen, weights = {}, {}, [], []
    t0 = time.perf_counter()
    if tune:
        s, chosen = nested_cv_scores(
            X, y, groups, splits, grid=SGSC_GRID, n_estimators=n_estimators, seed=seed, extra=extra
        )
    else:
        make = lambda: lightgbm_model(n_estimators, seed, n_jobs=EVAL_THREADS)  # noqa: E731
        s = cross_val_scores(make, X, y, splits, groups=groups, extra=extra)
    if paired:  # each day against its own reversal, with the same model (settings as chosen above)
        s_day = s
        make_fold = (  # noqa: E731
            (lambda f: _lgbm(n_estimators, seed, chosen[f]))
            if tune
            else (lambda f: lightgbm_model(n_estimators, seed, n_jobs=EVAL_THREADS))
        )
        X_rev = feats_rev[keep].to_numpy(dtype=float)
        s, weights = paired_scores(make_fold, X, X_rev, y, k, groups, splits, extra=extra, seed=seed)
        metrics["lightgbm_day_alone"] = ranking_report(y, s_day)
        scores["lightgbm_day_alone"] = s_day
    metrics = {"lightgbm": ranking_report(y, s) | {"seconds": time.perf_counter() - t0}} | metrics
    scores = {"lightgbm": s} | scores
    if with_baselines:
        m2, s2 = _run(baselines(seed, rf_trees=200), X, y, splits, groups=groups, extra=extra)
        metrics |= m2
        scores |= s2
    per_attack, per_attack_ci, per_fold = {}, {}, {}
    for name, sc in scores.items():
        per_attack[name], per_attack_ci[name], per_fold[name] = {}, {}, {}
        for a in ATTACKS:
            sel = (k == a) | (y == 0)
            rep = bootstrap_report(y[sel], sc[sel], ks=(), n_boot=n_boot, seed=seed)["roc_auc"]
            per_attack[name][a] = rep["value"]
            per_attack_ci[name][a] = rep
            per_fold[name][a] = [roc_auc(y[te][sel[te]], sc[te][sel[te]]) for _, te in splits]
    intervals = {name: bootstrap_report(y, sc, n_boot=n_boot, seed=seed) for name, sc in scores.items()}
    test_customers = [sorted(int(c) for c in np.unique(groups[te])) for _, te in splits]
    n_cust = len(pd.unique(customer))
    return {
        "name": "sgsc",
        "title": f"(c) SGSC-50 real curves with SYNTHETIC Jokar attacks h1..h6 — customer-grouped {folds}-fold CV",
        "n": len(y),
        "positives": int(y.sum()),
        "metrics": metrics,
        "intervals": intervals,
        "scores": scores,
        "y": y,
        "per_attack_roc_auc": per_attack,
        "per_attack_interval": per_attack_ci,
        "per_attack_per_fold": per_fold,
        "attack_names": ATTACK_NAMES,
        "attack_counts": {a: int((k == a).sum()) for a in ATTACKS},
        "test_customers": test_customers,
        "chosen_params": chosen,
        "feature_columns": list(feats.columns),
        "augment": augment,
        "paired": paired,
        "reversal_weights": weights,
        "training_rows_per_fold": [
            len(tr) + (0 if extra is None else int(np.isin(extra[2], groups[tr]).sum())) for tr, _ in splits
        ],
        "note": (
            f"{n_cust} customers, {len(idx)} complete days; each customer's first {warmup_fraction:.0%} of days "
            f"(at least {min_warmup_days}) = warm-up history, never attacked or scored; "
            f"{attack_share:.0%} of later days attacked (h1..h6 at random); a day's features use only the "
            f"customer's reported days before it; {folds} folds of whole customers (each scored by a model "
            f"that never saw it); training rows augmented with {augment} further draw(s) of the attacks "
            f"on the training customers' own days; "
            + ("each day also against itself reversed in time (paired differences); " if paired else "")
            + f"features in {t_feat:.1f} s"
        ),
    }


# --------------------------------------------------------------------------------------------- (a) simulator
def sim_archive(n: int, seed: int = 0, customers_per_area: int = 100) -> dict[str, pd.DataFrame]:
    """A hand-made archive (areas, customers, metering points, meters) in the demo county's spelling."""
    rng = np.random.default_rng(seed)
    n_areas = max(1, n // customers_per_area)
    areas = pd.DataFrame(
        {
            "code": [f"A{i:04d}" for i in range(n_areas)],
            "line_code": [f"L{i // 10:03d}" for i in range(n_areas)],
            "station_code": [f"S{i // 30:02d}" for i in range(n_areas)],
        }
    )
    business = rng.random(n) < 0.1
    customers = pd.DataFrame(
        {
            "account_number": [f"C{i:07d}" for i in range(n)],
            "area_code": areas["code"].to_numpy()[rng.integers(0, n_areas, n)],
            "category": np.where(business, "general_commercial", "residential"),
            "contracted_capacity_kva": np.where(business, rng.choice([30.0, 50.0, 80.0], n), 8.0),
        }
    )
    points = pd.DataFrame(
        {
            "account_number": customers["account_number"],
            "code": [f"MP{i:07d}" for i in range(n)],
            "ct_ratio": np.where(business, "100/5", ""),
        }
    )
    meters = pd.DataFrame(
        {
            "metering_point_code": points["code"],
            "asset_number": [f"E{i:08d}" for i in range(n)],
            "phase": np.where(business, "three", "single"),
            "rated_current": np.where(business, "1.5(6)A", "5(60)A"),
        }
    )
    return {"areas": areas, "customers": customers, "metering_points": points, "meters": meters}


def simulator_features(n_meters: int = 5000, seed: int = 0, con=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate 13 months, compute customer-month features for months 4..13; return (features, truth)."""
    import ibis

    from gridcheck_analytics import lineloss, quality
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.features import customer_month_features
    from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings

    meters = archive_frames_to_meters(sim_archive(n_meters, seed))
    sim = simulate_readings(meters, start="2025-01-01", months=13, seed=seed)
    con = con or connect()
    mt = ibis.memtable(meters)
    start, end = dt.date(2025, 1, 1), dt.date(2026, 1, 31)
    vee = quality.validate_daily(ibis.memtable(sim["daily"]), mt, start, end)
    vee = con.create_table(f"eval_vee_{uuid.uuid4().hex}", vee, temp=True)
    areas = mt.select("area_code", "line_code", "station_code").distinct()
    supply = lineloss.area_supply_daily(ibis.memtable(sim["area_meter"]), start, end, areas=areas)
    loss = lineloss.daily_area_loss(vee, supply)
    f = customer_month_features(
        vee,
        meters,
        dt.date(2025, 4, 1),
        end,
        events=ibis.memtable(sim["events"]),
        curves=ibis.memtable(sim["curves"]),
        area_loss=loss,
    )
    return con.execute(f), sim["truth"]


def _month_labels(features: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """1 where the customer-month overlaps a theft period of the truth."""
    th = truth[truth["truth"] == "theft"]
    lab = np.zeros(len(features), dtype=int)
    m = features["month"].astype(int).to_numpy()
    first = pd.to_datetime((m * 100 + 1).astype(str), format="%Y%m%d")
    last = first + pd.offsets.MonthEnd(0)
    pos = {mid: i for i, mid in enumerate(th["meter_id"])}
    meter = features["meter_id"].astype(str).to_numpy()
    s = pd.to_datetime(th["start_date"]).to_numpy()
    e = pd.to_datetime(th["end_date"]).to_numpy()
    for i, mid in enumerate(meter):
        j = pos.get(mid)
        if j is not None and s[j] <= last[i].to_datetime64() and e[j] >= first[i].to_datetime64():
            lab[i] = 1
    return lab


def evaluate_simulator(
    n_meters: int = 5000, *, seed: int = 0, folds: int = 5, n_estimators: int = 300, capacity=None, n_boot=200
):
    """Detectors on the simulator's ground truth, per customer (max over months 4..13)."""
    from sklearn.model_selection import StratifiedGroupKFold

    from gridcheck_analytics.detection.combine import combine_scores, unsupervised_scores
    from gridcheck_analytics.detection.estimators import IsolationForestScorer
    from gridcheck_analytics.features import FEATURE_COLUMNS
    from gridcheck_analytics.rules import evaluate_rules, rule_score

    t0 = time.perf_counter()
    feats, truth = simulator_features(n_meters, seed)
    feats = feats.reset_index(drop=True)
    t_feat = time.perf_counter() - t0
    y_month = _month_labels(feats, truth)
    thieves = set(truth.loc[truth["truth"] == "theft", "meter_id"])
    meter = feats["meter_id"].astype(str).to_numpy()
    X = feats[FEATURE_COLUMNS].to_numpy(dtype=float)

    month_scores = {}
    r = rule_score(feats, evaluate_rules(feats))
    month_scores["rules"] = r
    (u, _), _cols = unsupervised_scores(feats)
    month_scores["peer_robust"] = u
    month_scores["rules+peer_robust (no labels)"] = 1 - (1 - r) * (1 - 0.6 * (1 - np.exp(-u / 6.0)))
    month_scores["isolation_forest"] = IsolationForestScorer(random_state=seed).fit(X).suspicion_score(X)
    cust_codes = pd.factorize(meter)[0]
    cust_y = np.isin(meter, list(thieves)).astype(int)
    splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(X, cust_y, cust_codes))
    models = {"lightgbm": lambda: lightgbm_model(n_estimators, seed, n_jobs=EVAL_THREADS)} | baselines(
        seed, rf_trees=200
    )
    for name, make in models.items():
        month_scores[name] = cross_val_scores(make, X, y_month, splits)
    month_scores["rules+lightgbm"] = 1 - (1 - r) * (1 - 0.8 * month_scores["lightgbm"])

    per_customer = pd.DataFrame({"meter_id": meter, **month_scores}).groupby("meter_id").max()
    y = per_customer.index.isin(list(thieves)).astype(int)
    metrics = {name: ranking_report(y, per_customer[name].to_numpy()) for name in month_scores}
    intervals = {
        name: bootstrap_report(y, per_customer[name].to_numpy(), capacity=capacity, n_boot=n_boot, seed=seed)
        for name in month_scores
    }
    # every suspect has a reason: the combined list of the last month, top 1 % of customers
    last = feats[feats["month"] == feats["month"].max()]
    ranked = combine_scores(last)
    k = max(1, int(round(0.01 * len(ranked))))
    with_reason = float((ranked["reasons"].head(k).map(len) > 0).mean())
    example = ranked.head(3)[["meter_id", "score", "reasons"]]
    return {
        "name": "simulator",
        "title": f"(a) Simulator ground truth — {n_meters} customers x 13 months, per customer",
        "n": len(y),
        "positives": int(y.sum()),
        "metrics": metrics,
        "intervals": intervals,
        "scores": {k2: per_customer[k2].to_numpy() for k2 in month_scores},
        "y": y,
        "share_top1pct_with_reason": with_reason,
        "example": example,
        "note": (
            f"features for months 2025-04..2026-01 in {t_feat:.1f} s (DuckDB, VEE included); "
            "supervised models cross-validated by customer (StratifiedGroupKFold) on customer-months labelled "
            "by the truth's theft periods; faults count as negatives"
        ),
    }


# --------------------------------------------------------------------------------------------- report
def _fmt(v) -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.3f}"


def plot_curves(results: list[dict], path) -> Path:
    """One row per data set: ROC and precision-recall curves of every model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    fig, axes = plt.subplots(len(results), 2, figsize=(11, 4.2 * len(results)), squeeze=False)
    for row, res in zip(axes, results, strict=True):
        y = res["y"]
        for name, s in res["scores"].items():
            ok = ~np.isnan(s)
            if y[ok].min() == y[ok].max():
                continue
            fpr, tpr, _ = roc_curve(y[ok], s[ok])
            p, r, _ = precision_recall_curve(y[ok], s[ok])
            row[0].plot(fpr, tpr, label=f"{name} ({res['metrics'][name]['roc_auc']:.3f})")
            row[1].plot(r, p, label=f"{name} ({res['metrics'][name]['pr_auc']:.3f})")
        row[0].plot([0, 1], [0, 1], "k:", lw=0.8)
        row[0].set(xlabel="false positive rate", ylabel="true positive rate", title=f"{res['name']}: ROC")
        row[1].axhline(y.mean(), color="k", ls=":", lw=0.8)
        row[1].set(xlabel="recall", ylabel="precision", title=f"{res['name']}: precision-recall")
        row[0].legend(fontsize=7, loc="lower right")
        row[1].legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _interval_table(intervals: dict) -> list[str]:
    from gridcheck_analytics.detection.metrics import format_interval

    first = next(iter(intervals.values()))
    keys = [k for k in first if isinstance(first[k], dict)]
    head = [
        k.replace("precision_at_", "P@").replace("recall_at_", "R@").replace("_auc", "-AUC") for k in keys
    ]
    head = [h.replace("capacity", f"capacity ({first['capacity']})") for h in head]
    lines = [
        "What an inspector acts on, with bootstrap 95 % intervals (resampled scored rows, seeded):",
        "",
        "| model | " + " | ".join(head) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    for name, iv in intervals.items():
        lines.append(f"| {name} | " + " | ".join(format_interval(iv[k]) for k in keys) + " |")
    return [*lines, ""]


def _attack_table(res: dict) -> list[str]:
    from gridcheck_analytics.detection.metrics import format_interval

    names = res.get("attack_names", {})
    attacks = list(next(iter(res["per_attack_roc_auc"].values())))
    lines = [
        "Per-day ROC-AUC per synthetic attack (that attack's days against the normal days of the same "
        "test customers; bootstrap 95 % interval):",
        "",
        "| model | " + " | ".join(f"{a} {names.get(a, '')}".strip() for a in attacks) + " | mean | min |",
        "|---" * (len(attacks) + 3) + "|",
    ]
    for name, per in res["per_attack_roc_auc"].items():
        ci = res.get("per_attack_interval", {}).get(name, {})
        cells = [format_interval(ci[a]) if a in ci else _fmt(per[a]) for a in attacks]
        vals = [per[a] for a in attacks]
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {_fmt(np.nanmean(vals))} | {_fmt(np.nanmin(vals))} |"
        )
    lines.append("")
    if res.get("attack_counts"):
        lines.append(
            "Attacked days per type: " + ", ".join(f"{a} {n}" for a, n in res["attack_counts"].items()) + "."
        )
    if res.get("test_customers"):
        lines.append(
            "Test customers per fold (each fold scored by a model trained on the others' customers only): "
            + "; ".join(
                f"fold {i + 1}: {', '.join(map(str, c))}" for i, c in enumerate(res["test_customers"])
            )
            + "."
        )
    if res.get("chosen_params"):
        lines.append(
            "LightGBM settings chosen per outer fold (inner grouped CV): "
            + "; ".join(map(str, res["chosen_params"]))
            + "."
        )
    return [*lines, ""]


def write_report(results: list[dict], out_dir) -> Path:
    """Write ``report.md`` (tables) and ``roc_pr.png`` into ``out_dir``; returns the Markdown path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png = plot_curves(results, out / "roc_pr.png")
    lines = [
        "# Gridcheck detection evaluation",
        "",
        f"Generated {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} by `gridcheck detection evaluate`.",
        "Scores: higher = more suspect. P@x% / R@x%: precision / recall of the top x % of the evaluated "
        "population; P@k: of the top k rows; capacity: the station's visits per month (`--capacity`). "
        "Baselines (logistic regression, random forest) ran in the same run on the same folds.",
        "",
    ]
    cols = ["roc_auc", "pr_auc", "precision_at_1pct", "recall_at_1pct", "precision_at_5pct", "recall_at_5pct"]
    for res in results:
        lines += [
            f"## {res['title']}",
            "",
            f"n = {res['n']}, positives = {res['positives']} ({res['positives'] / max(res['n'], 1):.1%}). {res['note']}",
            "",
            "| model | ROC-AUC | PR-AUC | P@1% | R@1% | P@5% | R@5% |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, m in res["metrics"].items():
            lines.append(f"| {name} | " + " | ".join(_fmt(m.get(c)) for c in cols) + " |")
        lines.append("")
        if res.get("files"):
            lines += [
                "No folds: each model was fitted once on the train file and scored once on the test file.",
                "",
            ]
            lines += ["| file | path | rows | theft | SHA-256 |", "|---|---|---|---|---|"]
            for side, f in res["files"].items():
                lines.append(f"| {side} | `{f['path']}` | {f['rows']} | {f['positives']} | `{f['sha256']}` |")
            lines += ["", "| model | fit [s] | score [s] |", "|---|---|---|"]
            for name, t in res["timings"].items():
                lines.append(f"| {name} | {t['fit_seconds']:.2f} | {t['score_seconds']:.2f} |")
            lines.append("")
        if res.get("intervals"):
            lines += _interval_table(res["intervals"])
        if res.get("chosen_params") and "per_attack_roc_auc" not in res:
            lines += [
                "LightGBM settings chosen per outer fold (inner grouped CV on its training rows): "
                + "; ".join(map(str, res["chosen_params"]))
                + ".",
                "",
            ]
        if "per_attack_roc_auc" in res:
            lines += _attack_table(res)
        if "share_top1pct_with_reason" in res:
            lines += [
                f"Share of the top 1 % suspects (last month, combined list) with at least one reason: "
                f"{res['share_top1pct_with_reason']:.0%}.",
                "",
                "Example suspects (highest scores of the last month):",
                "",
            ]
            for row in res["example"].itertuples():
                lines.append(f"* {row.meter_id} (score {row.score:.3f}):")
                lines += [f"  * {r['text']}" for r in row.reasons[:4]]
            lines.append("")
    lines += [f"![ROC and precision-recall curves]({png.name})", ""]
    md = out / "report.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    return md
