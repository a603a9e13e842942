"""The quality gate of a retrained detection model: is the new model worse than the one in use?

A model trained by ``gridcheck detect train`` replaces the current one only when, on the **same labels
and the same customer-grouped folds**, it is not worse than the current model beyond the uncertainty of
the comparison. Both models are cross-validated on the new training table: the candidate as trained
(its estimator's parameters, its feature columns) and the current model's recipe (a clone of its
estimator, unfitted, with its own feature columns), each fold fitted on the same training customers and
scored on the same held-out customers. The ROC-AUC of each out-of-fold score and their difference
(candidate - current) get a 95 % bootstrap interval from resampling **customers** (a customer labelled
in several months stays whole), seeded so that the decision can be repeated.

Decision: ``promote`` when the upper end of the difference's interval is at least 0 (the candidate is not
shown to be worse), else ``hold`` (clearly worse: the station head decides, with these figures shown).
Without a current model, or with too few labels to cross-validate, there is nothing to compare against:
``promote`` with the reason said.

References
----------
.. [1] B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall, 1993, ch. 13
   (percentile intervals).
.. [2] J. A. Hanley and B. J. McNeil, "A method of comparing the areas under receiver operating
   characteristic curves derived from the same cases", *Radiology* 148 (1983) 839-843 (paired AUCs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: Bootstrap resamples of the comparison, and the interval's level.
N_BOOTSTRAP = 1000
LEVEL = 0.95
PROMOTE, HOLD = "promote", "hold"


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC-AUC by the rank-sum (Mann-Whitney) formula, ties counted half; NaN with one class."""
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def bootstrap_auc_difference(
    y,
    new_scores,
    current_scores,
    *,
    groups=None,
    n_boot: int = N_BOOTSTRAP,
    level: float = LEVEL,
    random_state: int = 0,
) -> dict:
    """ROC-AUC of two scores of the same labels, their difference, and percentile bootstrap intervals.

    Parameters
    ----------
    y : array-like of {0, 1}
        Labels.
    new_scores, current_scores : array-like
        Scores of the candidate and of the current model for the same rows (higher = more suspect).
    groups : array-like, optional
        The customer of each row: resampling draws whole customers. Default: each row its own group.
    n_boot : int
        Resamples; a resample with one class only is drawn again (counted in ``n_degenerate``).
    level : float
        Interval level (0.95: the 2.5 % and 97.5 % percentiles).
    random_state : int
        Seed of the resampling.

    Returns
    -------
    dict
        ``new_auc``, ``current_auc``, ``difference`` (new - current) and ``new_ci``, ``current_ci``,
        ``difference_ci`` (``[low, high]``), ``n_boot``, ``level``, ``n_groups``, ``seed``.
    """
    y = np.asarray(y, dtype=int)
    a = np.asarray(new_scores, dtype=float)
    b = np.asarray(current_scores, dtype=float)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    codes, uniq = pd.factorize(pd.Series(groups).astype(str))
    members = [np.flatnonzero(codes == g) for g in range(len(uniq))]
    rng = np.random.default_rng(random_state)
    stats = []
    degenerate = 0
    while len(stats) < n_boot and degenerate < 10 * n_boot:
        pick = rng.integers(0, len(members), len(members))
        idx = np.concatenate([members[g] for g in pick])
        yy = y[idx]
        if yy.min() == yy.max():
            degenerate += 1
            continue
        an, ac = _auc(yy, a[idx]), _auc(yy, b[idx])
        stats.append((an, ac, an - ac))
    arr = np.asarray(stats, dtype=float).reshape(-1, 3)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100

    def ci(col):
        if not len(arr):
            return [float("nan"), float("nan")]
        return [float(np.percentile(arr[:, col], lo)), float(np.percentile(arr[:, col], hi))]

    new_auc, cur_auc = _auc(y, a), _auc(y, b)
    return {
        "new_auc": new_auc,
        "current_auc": cur_auc,
        "difference": new_auc - cur_auc,
        "new_ci": ci(0),
        "current_ci": ci(1),
        "difference_ci": ci(2),
        "n_boot": len(arr),
        "n_degenerate": degenerate,
        "level": level,
        "n_groups": len(members),
        "seed": random_state,
    }


def _columns(table: pd.DataFrame, columns) -> np.ndarray:
    cols = list(columns)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ValueError(f"the training table lacks the model's column(s) {', '.join(missing)}")
    return table[cols].to_numpy(dtype=float)


def _oof(make: Callable[[], object], X: np.ndarray, y: np.ndarray, splits) -> np.ndarray:
    out = np.full(len(y), np.nan)
    for tr, te in splits:
        model = make().fit(X[tr], y[tr])
        out[te] = (
            model.suspicion_score(X[te])
            if hasattr(model, "suspicion_score")
            else model.predict_proba(X[te])[:, 1]
        )
    return out


def compare_models(
    table: pd.DataFrame,
    *,
    new_estimator,
    new_columns,
    current_estimator=None,
    current_columns=None,
    label: str = "label",
    group: str = "account_number",
    n_folds: int = 5,
    n_boot: int = N_BOOTSTRAP,
    random_state: int = 0,
) -> dict:
    """Cross-validate the candidate and the current model on the same grouped folds and decide.

    Parameters
    ----------
    table : pandas.DataFrame
        The candidate's training table (``label``, ``group`` and the feature columns of both models).
    new_estimator, current_estimator : estimator
        The candidate and the current model's estimator; each is cloned (``sklearn.base.clone``) and
        fitted on each fold's training customers. ``current_estimator`` None: no current model.
    new_columns, current_columns : list of str
        The columns each model reads, in order.
    n_folds : int
        At most this many folds (``StratifiedGroupKFold``; fewer when the smaller class has fewer
        customers).
    n_boot, random_state :
        As for :func:`bootstrap_auc_difference`; the folds use the same seed.

    Returns
    -------
    dict
        ``decision`` (``promote`` or ``hold``), ``reason`` (a code: ``no_current_model``,
        ``too_few_labels``, ``not_worse``, ``worse``), ``folds``, ``n_samples``, ``n_positive`` and the
        figures of :func:`bootstrap_auc_difference` when compared.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedGroupKFold

    y = table[label].to_numpy(dtype=int)
    groups = table[group].astype(str).to_numpy()
    base = {"n_samples": int(len(y)), "n_positive": int(y.sum()), "folds": 0}
    if current_estimator is None:
        return base | {"decision": PROMOTE, "reason": "no_current_model"}
    minority = min(len(np.unique(groups[y == 1])), len(np.unique(groups[y == 0])))
    k = min(n_folds, minority)
    if k < 2:
        return base | {"decision": PROMOTE, "reason": "too_few_labels"}
    splits = list(StratifiedGroupKFold(k, shuffle=True, random_state=random_state).split(table, y, groups))
    new = _oof(lambda: clone(new_estimator), _columns(table, new_columns), y, splits)
    cur = _oof(lambda: clone(current_estimator), _columns(table, current_columns), y, splits)
    figures = bootstrap_auc_difference(y, new, cur, groups=groups, n_boot=n_boot, random_state=random_state)
    worse = figures["difference_ci"][1] < 0
    return (
        base
        | {"folds": k, "decision": HOLD if worse else PROMOTE, "reason": "worse" if worse else "not_worse"}
        | figures
    )
