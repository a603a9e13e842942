"""Learned detectors: scikit-learn contract, peer-group scores, SHAP, combined ranking, score_month, SGCC."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.utils.estimator_checks import parametrize_with_checks

from gridcheck_analytics.detection.combine import combine_scores
from gridcheck_analytics.detection.estimators import (
    IsolationForestScorer,
    LightGBMTheftClassifier,
    PeerGroupRobustScorer,
    peer_group_scores,
)
from gridcheck_analytics.detection.evaluate import SGCC_PATH, days_with_reading, evaluate_sgcc


@parametrize_with_checks(
    [
        PeerGroupRobustScorer(),
        IsolationForestScorer(n_estimators=20, random_state=0),
        LightGBMTheftClassifier(n_estimators=20, min_child_samples=2, random_state=0, n_jobs=1),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_peer_group_robust_by_hand():
    X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    est = PeerGroupRobustScorer(directions=[1], top_k=1, z_cap=1e9).fit(X)
    # median 3, MAD = median(|x - 3|) = 1 -> scale 1.4826
    assert_allclose(est.center_, [3.0])
    assert_allclose(est.scale_, [1.4826])
    assert_allclose(est.suspicion_score(X), [0, 0, 0, 1 / 1.4826, 97 / 1.4826])
    low = PeerGroupRobustScorer(directions=[-1], top_k=1).fit(X)
    assert_allclose(low.suspicion_score([[0.0]]), [3 / 1.4826])
    assert est.predict(X)[-1] == -1


def test_peer_groups_use_their_own_median():
    f = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 30, "x": [1.0] * 29 + [0.1] + [10.0] * 29 + [1.0]})
    f["x"] += np.tile(np.linspace(-0.01, 0.01, 30), 2)
    s, z = peer_group_scores(f, ["x"], ["g"], directions=[-1], min_group=20, top_k=1)
    # the low member of each group is its outlier, although 1.0 is normal in group a
    assert s[29] == s[:30].max() and s[59] == s[30:].max()
    assert s[:29].max() < 2 and s[29] > 5 and s[59] > 5


def _peer_group_scores_by_row(frame, cols, groups, directions, fallback, min_group=20, top_k=2):
    """The peer-group scores by their row-by-row definition (pandas' group medians over every row)."""
    X = frame[cols].to_numpy(dtype=float)
    overall = PeerGroupRobustScorer(directions=directions, top_k=top_k).fit(X)
    center = np.broadcast_to(overall.center_, X.shape).copy()
    scale = np.broadcast_to(overall.scale_, X.shape).copy()
    for level in (fallback, groups):
        codes = frame.groupby(level, sort=False, dropna=False).ngroup().to_numpy()
        big = np.bincount(codes)[codes] >= min_group
        df = pd.DataFrame(X)
        med = df.groupby(codes).transform("median").to_numpy()
        mad = (df - med).abs().groupby(codes).transform("median").to_numpy() * 1.4826
        ok = big[:, None] & ~np.isnan(med)
        center = np.where(ok, med, center)
        floor = np.maximum(1e-6 * np.maximum(np.abs(center), 1.0), 1e-9)
        scale = np.where(ok, np.where(np.isnan(mad) | (mad <= floor), scale, mad), scale)
    d = overall.directions_
    z = (X - center) / scale
    z = np.clip(np.nan_to_num(np.where(d < 0, -z, np.where(d > 0, z, np.abs(z))), nan=0.0), 0.0, 10.0)
    return np.sort(z, axis=1)[:, -top_k:].mean(axis=1), z


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_peer_group_scores_per_group_equal_the_row_by_row_definition(seed):
    """The medians and MADs per group (``group_medians``, levels composed per group) give exactly the
    scores of pandas' group medians over every row: small groups, all-NaN groups, ties, a null key, and
    a fallback level that the groups do not nest in."""
    rng = np.random.default_rng(seed)
    n = 3000
    f = pd.DataFrame(
        {
            "area": rng.choice(
                ["A", "B", "C", None, *[f"s{i}" for i in range(40)]], n, p=[0.25] * 3 + [0.05] + [0.005] * 40
            ),
            "category": rng.choice(["resident", "shop", None], n),
            "month": rng.choice([202501, 202502], n),
            "tier": rng.choice(["x", "y"], n),
        }
    )
    for j in range(4):
        f[f"x{j}"] = rng.normal(size=n).round(int(rng.integers(0, 3)))
        f.loc[rng.random(n) < 0.2, f"x{j}"] = np.nan
    f.loc[f["area"] == "s3", "x1"] = np.nan  # a group without values of one feature
    cols, directions = [f"x{j}" for j in range(4)], [-1, 1, 0, -1]
    for groups, fallback in (
        (["area", "category", "month"], ["category", "month"]),  # nested (the scoring's levels)
        (["area", "category"], ["tier"]),  # not nested
    ):
        want = _peer_group_scores_by_row(f, cols, groups, directions, fallback)
        got = peer_group_scores(f, cols, groups, directions=directions, fallback_columns=fallback)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        assert (got[0] > 0).mean() > 0.5


def test_shap_native_equals_shap_package():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    m = LightGBMTheftClassifier(n_estimators=30, random_state=0, n_jobs=1).fit(X, y)
    native = m.shap_values(X[:20])
    assert native.shape == (20, 4)
    assert_allclose(native, m.shap_values(X[:20], method="shap"), rtol=1e-5, atol=1e-6)
    # the contributions explain the log-odds: sum + expected value = raw score
    raw = m.booster_.predict(X[:20], raw_score=True)
    bias = m.booster_.predict(X[:20], pred_contrib=True)[:, -1]
    assert_allclose(native.sum(axis=1) + bias, raw, rtol=1e-6)
    assert np.abs(native[:, 0]).mean() > np.abs(native[:, 3]).mean()


def _month_features(n=60):
    rng = np.random.default_rng(1)
    f = pd.DataFrame(
        {
            "meter_id": [f"M{i}" for i in range(n)],
            "account_number": [f"C{i}" for i in range(n)],
            "area_code": ["A1"] * (n // 2) + ["A2"] * (n - n // 2),
            "station_code": "S1",
            "category": "residential",
            "month": 202504,
        }
    )
    from gridcheck_analytics.features import FEATURE_COLUMNS

    for c in FEATURE_COLUMNS:
        f[c] = rng.normal(1.0, 0.05, n)
    f[[c for c in FEATURE_COLUMNS if c.startswith("events_")] + ["negative_days", "theft_events_recent"]] = (
        0.0
    )
    f["hist_mean_kwh"] = 10.0
    f["low_voltage_share"] = 0.0
    f["area_loss_change_pp"] = 0.0
    f["ct_load_percent"] = np.nan
    f["capacity_ratio"] = 0.1
    f["meter_limit_ratio"] = 0.05
    for c in ("pre_event_mean_kwh", "contracted_capacity_kva", "multiplier", "max_kwh_per_day"):
        f[c] = np.nan
    f["last_event_code"] = None
    f["last_event_date"] = None
    f.loc[5, ["ratio_to_own", "peer_own_ratio", "mean_kwh"]] = [0.2, 0.2, 2.0]  # a sudden drop: a rule fires
    f.loc[40, "zero_share"] = 0.3  # odd, no rule
    return f


def test_combined_ranking_has_reasons_for_every_suspect():
    out = combine_scores(_month_features())
    assert out.iloc[0]["meter_id"] == "M5"
    assert out["reasons"].map(len).min() >= 1
    top = out.iloc[0]["reasons"]
    assert top[0]["source"] == "rule" and top[0]["code"] == "sudden_drop_vs_peers"
    assert any(r["source"] == "model" for r in top)
    assert out["score"].between(0, 1).all()
    assert (out["score"].diff().dropna() <= 0).all()
    a1 = out[out.area_code == "A1"].sort_values("rank_in_area")
    assert list(a1["rank_in_area"]) == list(range(1, len(a1) + 1))
    assert out.loc[out.meter_id == "M5", "rank_in_station"].item() == 1


def test_the_ranks_are_the_score_ranks_with_ties_in_the_features_order():
    """``rank_in_area``/``rank_in_station``: pandas' ``rank(method="first", ascending=False)`` of the score
    per group and month, ties (many rows score 0) ranked in the order of the features."""
    one = _month_features()
    twins = one.assign(meter_id=one["meter_id"] + "b", account_number=one["account_number"] + "b")
    f = pd.concat([one, twins, one.assign(month=202506)], ignore_index=True)  # a twin: the same score
    f["area_code"] = np.where(np.arange(len(f)) % 3 == 0, "A3", f["area_code"])
    out = combine_scores(f)
    assert out.duplicated(["area_code", "month", "score"]).any()  # ties are there
    for level in ("area", "station"):
        want = (
            out.groupby([f"{level}_code", "month"], dropna=False)["score"]
            .rank(method="first", ascending=False)
            .astype(int)
        )
        assert out[f"rank_in_{level}"].tolist() == want.tolist()


def test_explaining_only_possible_suspects_keeps_their_reasons():
    f = _month_features()
    every = combine_scores(f)
    some = combine_scores(f, explain_min_score=0.5)
    assert_allclose(some["score"], every["score"])
    assert list(some["meter_id"]) == list(every["meter_id"])
    rule = every["reasons"].map(lambda rs: any(r["source"] == "rule" for r in rs))
    candidate = rule | (every["score"] >= 0.5)
    assert 0 < candidate.sum() < len(every)  # both kinds of row are there
    assert list(some.loc[candidate, "reasons"]) == list(every.loc[candidate, "reasons"])
    assert (some.loc[~candidate, "reasons"].map(len) == 0).all()  # no rule fired: nothing to explain


def test_combined_ranking_with_supervised_model_uses_shap():
    from gridcheck_analytics.features import FEATURE_COLUMNS

    f = _month_features(200)
    f.loc[5, ["ratio_to_own", "peer_own_ratio", "mean_kwh"]] = 1.0  # no rule fires anywhere
    y = np.zeros(len(f), dtype=int)
    y[::10] = 1
    f.loc[y == 1, "ratio_to_own"] = 0.3
    model = LightGBMTheftClassifier(n_estimators=20, min_child_samples=5, random_state=0, n_jobs=1).fit(
        f[FEATURE_COLUMNS].to_numpy(float), y
    )
    out = combine_scores(f, model=model, explain_top=30)
    assert out.head(30)["reasons"].map(len).min() >= 1  # the explained suspects list
    head = out.iloc[0]["reasons"]
    assert any(r["source"] == "model" and r["code"] == "model_ratio_to_own" for r in head)
    assert set(out.head(20)["meter_id"]) == set(f.loc[y == 1, "meter_id"])


def test_score_month_on_simulated_station(tmp_path):
    from test_readings_sim import archive

    from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings
    from gridcheck_analytics.store import MeterStore
    from gridcheck_analytics.suspects import SUSPECT_COLUMNS, score_month

    store = MeterStore(tmp_path)
    frames = archive()
    sim = simulate_readings(
        archive_frames_to_meters(frames),
        start="2025-01-01",
        months=13,
        seed=3,
        theft_fraction=0.04,
        store=store,
    )
    steps = []
    out = score_month(store, frames, "2025-10", progress=lambda s, d, t: steps.append((s, d, t)))
    assert list(out.columns) == SUSPECT_COLUMNS
    assert [s for s, _, _ in steps] == ["features", "rules", "model", "combine"]
    assert len(out) == 250 and out["meter_id"].is_unique
    assert out["reasons"].map(len).min() >= 1
    truth = sim["truth"]
    active = truth[
        (truth.truth == "theft")
        & (truth.start_date <= pd.Timestamp("2025-10-31").date())
        & (truth.end_date >= pd.Timestamp("2025-10-01").date())
    ]
    # the top 3 are thieves active in October, each with a rule reason naming its method
    top = out.head(3)
    assert set(top["meter_id"]) <= set(active["meter_id"])
    assert all(r[0]["source"] == "rule" for r in top["reasons"])


@pytest.mark.skipif(
    not SGCC_PATH.is_file(), reason=f"shared SGCC features not found at {SGCC_PATH} (../shared absent)"
)
def test_sgcc_smoke():
    res = evaluate_sgcc(SGCC_PATH, folds=3, n_estimators=40, max_rows=3000, rf_trees=40)
    m = res["metrics"]
    assert set(m) == {"lightgbm", "logistic_regression", "random_forest"}
    assert res["n"] == 3000 and 200 < res["positives"] < 300  # stratified: 8.5 %
    for name in m:
        assert 0.55 < m[name]["roc_auc"] < 0.95
        assert m[name]["pr_auc"] > 0.085  # above the base rate


def test_days_with_reading_recovered_from_mean_and_sample_variance():
    """Series of 0.01 kWh readings: the count is recovered exactly or left unknown, never guessed wrong."""
    rng = np.random.default_rng(7)
    days = rng.integers(2, 1035, size=200)
    series = [np.round(rng.gamma(2.0, rng.uniform(0.5, 40.0), size=d), 2) for d in days]
    mean = [x.mean() for x in series]
    variance = [x.var(ddof=1) for x in series]
    got = days_with_reading(mean, variance)
    known = ~np.isnan(got)
    assert known.mean() > 0.9
    assert (got[known] == days[known]).all()
    # A constant series fits every count: unknown, not the first candidate.
    assert np.isnan(days_with_reading([5.0], [0.0])[0])


def test_model_with_other_columns_is_refused():
    f = _month_features(30)
    m = LightGBMTheftClassifier(n_estimators=5, min_child_samples=2, n_jobs=1).fit(
        np.random.default_rng(0).normal(size=(40, 2)), [0, 1] * 20
    )
    with pytest.raises(ValueError, match="mean_usage"):
        combine_scores(f, model=m, model_features=["mean_usage", "max_usage"])


def test_peer_scores_of_a_feature_without_values_warn_of_nothing():
    """A feature with no value in the month (all NaN: e.g. no curves at all) scores 0 and raises no
    warning, in the scorer's threads too (a warning turned into an error here would fail the call)."""
    import warnings

    rng = np.random.default_rng(2)
    n = 300
    f = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", "c"], n),
            **{f"x{i}": rng.normal(size=n) for i in range(4)},
            "empty": np.nan,
        }
    )
    cols = ["x0", "x1", "empty", "x2", "x3"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, z = peer_group_scores(f, cols, ["g"], directions=[1, 1, -1, 1, 1], min_group=20)
    assert np.isfinite(s).all()
    assert (z[:, cols.index("empty")] == 0).all()
    assert (z[:, cols.index("x0")] > 0).any()


def test_a_reason_shows_a_count_without_decimals():
    """A peer-group reason reads "事件数为1", not "1.00"; other values to two decimals, a missing one as "-"."""
    from gridcheck_analytics.detection.combine import _model_reason, _z_reasons

    reason = _z_reasons(["theft_event_count", "trend_per_month"])
    assert "为1，" in reason(0, 1.0, 3.2)["text"]
    assert "为-0.04，" in reason(1, -0.0412, 2.0)["text"]
    assert "为-，" in reason(1, float("nan"), 2.0)["text"]
    assert "为1,200，" in _model_reason("theft_event_count", 1200.0, 4.0, "z")["text"]
    assert "为0.75，" in _model_reason("trend_per_month", 0.754, 4.0, "shap")["text"]
