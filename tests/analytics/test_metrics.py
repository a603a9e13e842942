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
