"""The SGSC attack evaluation on tiny synthetic curves: protocol (unseen customers), every attack reported."""

import numpy as np
import pandas as pd

from gridcheck_analytics.detection.attacks import ATTACKS
from gridcheck_analytics.detection.evaluate import REVERSAL_WEIGHTS, evaluate_sgsc, write_report


def _data(n_cust=6, n_days=70, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    rows, idx = [], []
    for c in range(n_cust):
        peak = 34 + 2 * c
        base = 0.1 + 0.6 * np.exp(-((t - peak) ** 2) / 12) + 0.3 * np.exp(-((t - 15) ** 2) / 8)
        for d in range(n_days):
            rows.append(base * rng.uniform(0.85, 1.15) * rng.uniform(0.9, 1.1, 48))
            idx.append((1000 + c, pd.Timestamp("2013-03-01") + pd.Timedelta(days=d)))
    return pd.DataFrame(idx, columns=["customer_id", "day"]), np.array(rows)


def test_protocol_and_per_attack_auc(tmp_path):
    res = evaluate_sgsc(
        data=_data(),
        folds=3,
        n_estimators=40,
        tune=False,
        with_baselines=False,
        n_boot=20,
        min_warmup_days=14,
    )
    tested = [c for fold in res["test_customers"] for c in fold]
    assert sorted(tested) == list(
        range(1000, 1006)
    )  # every customer scored once, by a model that never saw it
    assert set(res["per_attack_roc_auc"]["lightgbm"]) == set(ATTACKS)
    assert all(n > 0 for n in res["attack_counts"].values())
    assert res["n"] == 6 * (70 - 17)  # first max(14, 25 %) = 17 days of each customer: history only
    # two further draws of the attacks on the training customers' own days: three times the real rows
    # (each fold trains on the 4 customers it does not score)
    assert res["augment"] == 2 and res["training_rows_per_fold"] == [3 * 4 * 53] * 3
    # each day is also compared with itself reversed against the same history (paired differences, h6)
    assert (
        res["paired"]
        and "pair_nn3_l1" in res["feature_columns"]
        and "pair_total_kwh" not in res["feature_columns"]
    )
    # the score is the day's against its reversal's, weighted per fold on the training customers only
    assert len(res["reversal_weights"]) == 3 and set(res["reversal_weights"]) <= set(REVERSAL_WEIGHTS)
    assert set(res["per_attack_roc_auc"]) == {"lightgbm", "lightgbm_day_alone"}
    per = res["per_attack_roc_auc"]["lightgbm"]
    assert per["h5"] > 0.9 and per["h6"] > 0.8 and per["h1"] > 0.7  # regular synthetic curves: easy
    iv = res["per_attack_interval"]["lightgbm"]["h1"]
    assert iv["low"] <= iv["value"] <= iv["high"]
    assert len(res["per_attack_per_fold"]["lightgbm"]["h6"]) == 3
    md = write_report([res], tmp_path).read_text()
    assert "h5 mean_flat" in md and "Test customers per fold" in md and "P@50" in md
