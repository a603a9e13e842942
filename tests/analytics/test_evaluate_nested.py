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


def test_augmented_rows_train_only_their_own_training_customers(monkeypatch):
    """Synthetic rows of a customer never train a model that scores (or validates on) that customer."""
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(30), 6)
    X = np.column_stack([rng.normal(size=180), groups])  # column 1 names the customer of each row
    y = (X[:, 0] + rng.normal(0, 0.5, 180) > 0.5).astype(int)
    ge = np.repeat(np.arange(30), 4)
    extra = (np.column_stack([rng.normal(size=120) + 1, ge]), np.ones(120, dtype=int), ge)
    outer = list(StratifiedGroupKFold(3, shuffle=True, random_state=0).split(X, y, groups))
    fits = []
    real = evaluate._lgbm

    def spy(n, seed, params):
        model = real(n, seed, params)
        fit = model.fit

        def recording_fit(Xf, yf, *a, **k):
            fits.append((set(Xf[:, 1].astype(int)), len(yf)))
            return fit(Xf, yf, *a, **k)

        model.fit = recording_fit
        return model

    monkeypatch.setattr(evaluate, "_lgbm", spy)
    grid = ({"num_leaves": 4, "min_child_samples": 5},)
    oof, _ = evaluate.nested_cv_scores(X, y, groups, outer, grid=grid, n_estimators=5, extra=extra)
    assert not np.isnan(oof).any()
    # per outer fold: 3 inner fits then the outer fit
    assert len(fits) == 3 * 4
    for i, (tr, te) in enumerate(outer):
        train_customers = set(groups[tr])
        outer_seen, outer_rows = fits[4 * i + 3]
        assert outer_seen == train_customers and not outer_seen & set(groups[te])
        assert outer_rows == len(tr) + 4 * len(train_customers)  # every training customer's synthetic rows
        for seen, _ in fits[4 * i : 4 * i + 3]:
            assert seen < train_customers  # an inner fit: a part of the outer training customers only
    Xa, ya = evaluate.with_augmentation(X[:6], y[:6], groups[:6], extra)
    assert len(ya) == 6 + 4 and set(Xa[:, 1].astype(int)) == {0}
