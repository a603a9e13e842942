"""Nested CV: the settings of each outer fold are chosen on that fold's training rows only."""

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from gridcheck_analytics.detection import evaluate


def test_tuning_never_sees_the_test_fold(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    y = (X[:, 0] + rng.normal(0, 0.5, 240) > 0.8).astype(int)
    groups = np.repeat(np.arange(60), 4)  # four rows per customer
    outer = list(StratifiedGroupKFold(3, shuffle=True, random_state=0).split(X, y, groups))
    seen = []
    real = evaluate.tune_lightgbm

    def spy(Xt, yt, gt, **kw):
        seen.append(set(np.unique(gt)))
        return real(Xt, yt, gt, **kw)

    monkeypatch.setattr(evaluate, "tune_lightgbm", spy)
    grid = (
        {"num_leaves": 4, "min_child_samples": 5},
        {"num_leaves": 8, "min_child_samples": 10, "trees_factor": 2},
    )
    oof, chosen = evaluate.nested_cv_scores(X, y, groups, outer, grid=grid, n_estimators=10)
    assert len(seen) == 3 and len(chosen) == 3
    for (tr, te), tuned_on in zip(outer, seen, strict=True):
        assert tuned_on == set(groups[tr]) and not tuned_on & set(groups[te])
    assert all(c in [dict(g) for g in grid] for c in chosen)
    assert not np.isnan(oof).any()
    assert evaluate._lgbm(10, 0, grid[1]).n_estimators == 20  # trees_factor scales the trees
