"""Ranking metrics of a detector: ROC-AUC, PR-AUC (average precision), precision@k and recall@k.

Scores are "higher = more suspect".  Ties in the top-k cut are broken by a stable sort on the score
(descending), i.e. by input order.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def _check(y_true, scores):
    y = np.asarray(y_true).astype(int).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError("y_true and scores must have the same length")
    return y, s


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve [1]; NaN when only one class is present."""
    y, s = _check(y_true, scores)
    if y.min(initial=0) == y.max(initial=0):
        return float("nan")
    return float(roc_auc_score(y, s))


def pr_auc(y_true, scores) -> float:
    """Area under the precision-recall curve as average precision [1]; NaN without positives."""
    y, s = _check(y_true, scores)
    if y.sum() == 0:
        return float("nan")
    return float(average_precision_score(y, s))


def _top(scores, k: int) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    return order[: max(0, min(int(k), len(scores)))]


def precision_at_k(y_true, scores, k: int) -> float:
    """Share of positives among the ``k`` highest scores [1]."""
    y, s = _check(y_true, scores)
    top = _top(s, k)
    return float(y[top].mean()) if len(top) else float("nan")


def recall_at_k(y_true, scores, k: int) -> float:
    """Share of all positives found among the ``k`` highest scores [1]."""
    y, s = _check(y_true, scores)
    if y.sum() == 0:
        return float("nan")
    return float(y[_top(s, k)].sum() / y.sum())


def k_for_fraction(n: int, fraction: float) -> int:
    """``k`` for the top ``fraction`` of ``n`` (at least 1)."""
    return max(1, int(round(n * fraction)))


def ranking_report(y_true, scores, fractions=(0.01, 0.05)) -> dict:
    """All metrics in one dict: roc_auc, pr_auc, precision/recall at each fraction of the population."""
    y, s = _check(y_true, scores)
    out = {"roc_auc": roc_auc(y, s), "pr_auc": pr_auc(y, s)}
    for f in fractions:
        k = k_for_fraction(len(y), f)
        tag = f"{f * 100:g}pct"
        out[f"precision_at_{tag}"] = precision_at_k(y, s, k)
        out[f"recall_at_{tag}"] = recall_at_k(y, s, k)
    return out


#: Absolute list lengths an inspector acts on (the top k of the ranking).
TOP_K = (50, 100, 200, 500)


def capacity_k(visits_per_month: int, months: float = 1.0) -> int:
    """The list length a station can inspect: ``visits_per_month`` x ``months`` (at least 1)."""
    return max(1, int(round(visits_per_month * months)))


def _point(y, s, ks, capacity) -> dict:
    out = {"roc_auc": roc_auc(y, s), "pr_auc": pr_auc(y, s)}
    for k in ks:
        out[f"precision_at_{k}"] = precision_at_k(y, s, k) if k <= len(y) else float("nan")
    if capacity:
        out["precision_at_capacity"] = precision_at_k(y, s, capacity)
        out["recall_at_capacity"] = recall_at_k(y, s, capacity)
    return out


def bootstrap_report(
    y_true, scores, *, ks=TOP_K, capacity: int | None = None, n_boot: int = 200, seed: int = 0, level=0.95
) -> dict:
    """Point values and percentile bootstrap intervals of what an inspector acts on.

    Metrics: ``roc_auc``, ``pr_auc``, ``precision_at_<k>`` for each ``k`` in ``ks`` (NaN when fewer than
    ``k`` rows are scored) and, with ``capacity`` (the station's list length, :func:`capacity_k`),
    ``precision_at_capacity`` and ``recall_at_capacity``.  The interval resamples the scored rows with
    replacement ``n_boot`` times (seeded: the same input gives the same interval) and takes the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles; resamples with one class only are skipped.

    Returns ``{metric: {"value": v, "low": lo, "high": hi}}`` plus ``"n"``, ``"positives"`` and
    ``"capacity"``.
    """
    y, s = _check(y_true, scores)
    ks = tuple(int(k) for k in ks)
    point = _point(y, s, ks, capacity)
    rng = np.random.default_rng(seed)
    draws = {m: [] for m in point}
    n = len(y)
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        yb = y[idx]
        if yb.min() == yb.max():
            continue
        for m, v in _point(yb, s[idx], ks, capacity).items():
            draws[m].append(v)
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    out = {}
    for m, v in point.items():
        d = np.asarray(draws[m], dtype=float)
        d = d[~np.isnan(d)]
        if np.isnan(v) or not len(d):
            out[m] = {"value": v, "low": float("nan"), "high": float("nan")}
        else:
            out[m] = {"value": v, "low": float(np.quantile(d, lo_q)), "high": float(np.quantile(d, hi_q))}
    return out | {"n": int(n), "positives": int(y.sum()), "capacity": capacity}


def format_interval(m: dict) -> str:
    """``0.731 [0.712, 0.750]`` (``-`` for NaN)."""
    v = m["value"]
    if v is None or np.isnan(v):
        return "-"
    if np.isnan(m["low"]):
        return f"{v:.3f}"
    return f"{v:.3f} [{m['low']:.3f}, {m['high']:.3f}]"
