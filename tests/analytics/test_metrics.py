"""Ranking metrics, values computed by hand."""

import math

import pytest
from numpy.testing import assert_allclose

from gridcheck_analytics.detection.metrics import (
    k_for_fraction,
    pr_auc,
    precision_at_k,
    ranking_report,
    recall_at_k,
    roc_auc,
)

Y = [1, 0, 1, 0, 0]
S = [0.9, 0.8, 0.7, 0.2, 0.1]


def test_roc_auc_by_hand():
    # positive-negative pairs: (0.9 > all 3), (0.7 > 0.2, 0.1 but < 0.8) -> 5 of 6
    assert_allclose(roc_auc(Y, S), 5 / 6)


def test_pr_auc_by_hand():
    # average precision: hits at ranks 1 and 3 -> (1/1 + 2/3) / 2
    assert_allclose(pr_auc(Y, S), (1 + 2 / 3) / 2)


@pytest.mark.parametrize(
    "k, p, r", [(1, 1.0, 0.5), (2, 0.5, 0.5), (3, 2 / 3, 1.0), (5, 0.4, 1.0), (10, 0.4, 1.0)]
)
def test_precision_recall_at_k(k, p, r):
    assert_allclose(precision_at_k(Y, S, k), p)
    assert_allclose(recall_at_k(Y, S, k), r)


def test_edge_cases():
    assert math.isnan(roc_auc([0, 0], [0.1, 0.2]))
    assert math.isnan(pr_auc([0, 0], [0.1, 0.2]))
    assert math.isnan(recall_at_k([0, 0], [0.1, 0.2], 1))
    assert k_for_fraction(50, 0.01) == 1
    assert k_for_fraction(1000, 0.01) == 10
    with pytest.raises(ValueError):
        roc_auc([0, 1], [0.1])


def test_ranking_report_keys():
    rep = ranking_report(Y, S, fractions=(0.2,))
    assert set(rep) == {"roc_auc", "pr_auc", "precision_at_20pct", "recall_at_20pct"}
    assert_allclose(rep["precision_at_20pct"], 1.0)


def test_bootstrap_report_intervals():
    import numpy as np

    from gridcheck_analytics.detection.metrics import bootstrap_report, capacity_k, format_interval

    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.2).astype(int)
    s = y * 0.3 + rng.random(600)
    rep = bootstrap_report(y, s, ks=(50, 100, 1000), capacity=capacity_k(30, 2), n_boot=60, seed=1)
    assert rep["capacity"] == 60 and rep["n"] == 600 and rep["positives"] == int(y.sum())
    for key in ("roc_auc", "pr_auc", "precision_at_50", "precision_at_100", "precision_at_capacity"):
        m = rep[key]
        assert m["low"] <= m["value"] <= m["high"], key
        assert m["high"] - m["low"] > 0, key
    assert_allclose(rep["precision_at_100"]["value"], precision_at_k(y, s, 100))
    assert_allclose(rep["recall_at_capacity"]["value"], recall_at_k(y, s, 60))
    assert math.isnan(rep["precision_at_1000"]["value"])  # fewer rows than k: no value, not a short list's
    assert bootstrap_report(y, s, n_boot=60, seed=1) == bootstrap_report(y, s, n_boot=60, seed=1)  # seeded
    assert format_interval(rep["precision_at_1000"]) == "-"
    assert format_interval({"value": 0.5, "low": 0.4, "high": 0.6}) == "0.500 [0.400, 0.600]"
