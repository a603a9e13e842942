"""The quality gate of a retrained model and the score calibration (issue 21, items 4 and 6)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from gridcheck_analytics.detection.calibration import (
    apply_calibration,
    estimated_loss_kwh,
    fit_calibration,
    prioritise,
)
from gridcheck_analytics.detection.gate import (
    HOLD,
    PROMOTE,
    _auc,
    bootstrap_auc_difference,
    compare_models,
)


def _table(n_customers=120, months=2, seed=0):
    """Labels driven by column ``a`` (b is noise), two months per customer."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        y = int(c % 4 == 0)
        for _m in range(months):
            rows.append(
                {"account_number": f"C{c}", "label": y, "a": y * 2.0 + rng.normal(), "b": rng.normal()}
            )
    return pd.DataFrame(rows)


def test_auc_by_rank_sum_matches_hand_count():
    # pairs (pos, neg): (0.9>0.1) (0.9>0.4) (0.4=0.4 half) (0.4>0.1) -> 3.5 of 4
    assert _auc(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.4, 0.1])) == pytest.approx(3.5 / 4)


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    t = _table()
    a = t["a"].to_numpy()
    b = t["b"].to_numpy()
    one = bootstrap_auc_difference(t["label"], a, b, groups=t["account_number"], n_boot=200, random_state=3)
    two = bootstrap_auc_difference(t["label"], a, b, groups=t["account_number"], n_boot=200, random_state=3)
    assert one == two
    assert one["difference_ci"][0] <= one["difference"] <= one["difference_ci"][1]
    assert one["difference_ci"][0] > 0  # the informative column is clearly better than noise
    assert one["n_groups"] == 120


def test_better_model_is_promoted_and_clearly_worse_is_held():
    t = _table()
    good, bad = LogisticRegression(), LogisticRegression()
    better = compare_models(
        t,
        new_estimator=good,
        new_columns=["a", "b"],
        current_estimator=bad,
        current_columns=["b"],
        n_boot=200,
    )
    assert better["decision"] == PROMOTE and better["reason"] == "not_worse"
    assert better["new_auc"] > better["current_auc"]
    worse = compare_models(
        t,
        new_estimator=bad,
        new_columns=["b"],
        current_estimator=good,
        current_columns=["a", "b"],
        n_boot=200,
    )
    assert worse["decision"] == HOLD and worse["reason"] == "worse"
    assert worse["difference_ci"][1] < 0
    assert worse["folds"] == 5


def test_gate_without_current_model_promotes():
    out = compare_models(_table(), new_estimator=LogisticRegression(), new_columns=["a"])
    assert out["decision"] == PROMOTE and out["reason"] == "no_current_model"


def test_gate_refuses_a_current_model_reading_missing_columns():
    with pytest.raises(ValueError, match="zzz"):
        compare_models(
            _table(),
            new_estimator=LogisticRegression(),
            new_columns=["a"],
            current_estimator=LogisticRegression(),
            current_columns=["zzz"],
        )


def test_isotonic_calibration_is_monotone_and_spreads_tied_high_scores():
    # scores 0.99 confirmed 6 times in 20, 0.5 twice in 20: the calibrated probabilities are those rates
    scores = [0.99] * 20 + [0.5] * 20
    outcomes = [1] * 6 + [0] * 14 + [1] * 2 + [0] * 18
    cal = fit_calibration(scores, outcomes, method="isotonic", sources={"simulator": 40})
    assert cal["method"] == "isotonic" and cal["n"] == 40 and cal["n_positive"] == 8
    assert_allclose(apply_calibration(cal, [0.5, 0.99]), [0.1, 0.3])
    assert_allclose(apply_calibration(cal, [0.745]), [0.2])  # halfway between the two steps
    assert np.isnan(apply_calibration(None, [0.5])).all()


def test_platt_calibration_and_too_few_outcomes():
    rng = np.random.default_rng(0)
    s = rng.uniform(size=400)
    y = (rng.uniform(size=400) < s).astype(int)
    cal = fit_calibration(s, y)  # auto: 400 outcomes are too few for the isotonic steps
    assert cal["method"] == "platt"
    p = apply_calibration(cal, [0.1, 0.5, 0.9])
    assert p[0] < p[1] < p[2]
    assert 0.0 < p[0] and p[2] < 1.0
    with pytest.raises(ValueError, match="too few outcomes"):
        fit_calibration([0.9, 0.8, 0.1], [1, 1, 0])


def test_estimated_loss_takes_the_highest_baseline():
    f = pd.DataFrame(
        {
            "mean_kwh": [2.0, 5.0, 3.0],
            "hist_mean_kwh": [10.0, 4.0, np.nan],
            "ratio_to_own": [0.2, 1.25, np.nan],
            "peer_own_ratio": [0.25, 1.25, np.nan],  # peers' change 0.8: the season lowers the baseline
            "post_event_ratio": [np.nan, np.nan, 0.5],  # 6 kWh/day before the event
            "last_year_mean_kwh": [np.nan, 4.5, np.nan],
            "days": [30, 31, 30],
        }
    )
    # row 0: 10 x 0.8 = 8 -> (8 - 2) x 30 = 180; row 1: baselines 4, 4.5 < 5 -> 0; row 2: (6 - 3) x 30
    assert_allclose(estimated_loss_kwh(f), [180.0, 0.0, 90.0])


def test_prioritise_orders_by_expected_yuan_and_cuts_at_capacity():
    s = pd.DataFrame(
        {
            "station_id": [1, 1, 1, 2],
            "score": [0.99, 0.99, 0.5, 0.9],
            "probability": [0.3, 0.3, 0.1, np.nan],
            "recoverable_yuan": [100.0, 500.0, 2000.0, 50.0],
        }
    )
    out = prioritise(s, capacity=2)
    assert_allclose(out["expected_yuan"].iloc[:3], [30.0, 150.0, 200.0])
    assert out["priority"].tolist() == [3, 2, 1, 1]
    assert out["within_capacity"].tolist() == [False, True, True, True]


def test_with_estimated_loss_maps_each_ranked_meter_to_its_first_feature_row():
    """``suspects.with_estimated_loss`` (Arrow's lookup of the ids) gives what the map by text ids gave:
    a meter's first features row, 0 for a meter without one, integer ids matched as text."""
    from gridcheck_analytics.suspects import with_estimated_loss

    f = pd.DataFrame(
        {
            "meter_id": [7, 8, 7, 9, 10],
            "mean_kwh": [1.0, 2.0, 0.5, 3.0, 1.0],
            "hist_mean_kwh": [5.0, 2.0, 9.0, np.nan, 4.0],
            "days": [30.0, 30.0, 30.0, 31.0, np.nan],
        }
    )
    ranked = pd.DataFrame({"meter_id": ["9", "7", "11", "8", "10"], "score": [0.9, 0.8, 0.7, 0.6, 0.5]})
    lack = pd.Series(estimated_loss_kwh(f).to_numpy(), index=f["meter_id"].astype(str))
    lack = lack[~lack.index.duplicated()]  # the definition: the first row of a meter counts
    want = ranked["meter_id"].astype(str).map(lack).fillna(0.0).to_numpy()
    got = with_estimated_loss(ranked.copy(), f)["estimated_loss_kwh"].to_numpy()
    assert_allclose(got, want, rtol=0, atol=0)
    assert got.tolist() == [0.0, 120.0, 0.0, 0.0, 90.0]


def test_with_estimated_loss_reads_the_feature_rows_that_combine_scores_gives():
    """``combine_scores(feature_rows=True)`` then ``with_estimated_loss``: each ranked row takes its own
    features row (the column dropped after), the same values as the lookup by meter id."""
    from gridcheck_analytics.detection.combine import combine_scores
    from gridcheck_analytics.suspects import with_estimated_loss

    rng = np.random.default_rng(5)
    n = 60
    f = pd.DataFrame(
        {
            "meter_id": [f"M{i:03d}" for i in range(n)],
            "area_code": rng.choice(["A1", "A2"], n),
            "category": "resident",
            "month": 202601,
            "mean_kwh": rng.uniform(0, 10, n),
            "hist_mean_kwh": rng.uniform(0, 10, n),
            "days": 31.0,
            "ratio_to_own": rng.uniform(0, 2, n),
            "zero_share": rng.uniform(0, 1, n),
        }
    )
    with_rows = combine_scores(f, feature_rows=True)
    plain = combine_scores(f)
    assert with_rows["feature_row"].tolist() != list(range(n))  # sorted by score: not the features' order
    assert f["meter_id"].take(with_rows["feature_row"]).tolist() == with_rows["meter_id"].tolist()
    got = with_estimated_loss(with_rows.copy(), f)
    want = with_estimated_loss(plain.copy(), f)
    assert "feature_row" not in got
    assert got["estimated_loss_kwh"].tolist() == want["estimated_loss_kwh"].tolist()
    assert (got["estimated_loss_kwh"] > 0).any()
