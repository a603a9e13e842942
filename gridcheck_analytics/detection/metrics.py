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
