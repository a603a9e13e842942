"""The supervised model trained on inspection labels: label months, training, registry, held-out ranking.

A simulated station of 300 customers over 2025 (12 % with injected theft): labels are made from the
simulator's truth the way inspections would make them (a theft case after the theft, a normal visit of
an honest customer), for two thirds of the customers; the other third is held out and only scored.
"""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.detection.metrics import roc_auc
from gridcheck_analytics.detection.models import data_sha256, load_model
from gridcheck_analytics.detection.supervised import (
    MODEL_NAME,
    TooFewLabels,
    feature_month,
    normalize_labels,
    train_from_labels,
)
from gridcheck_analytics.features import FEATURE_COLUMNS

#: The months whose features the labels use (few, to keep the test fast) and the month scored.
LABEL_MONTHS = ["2025-08", "2025-10", "2025-12"]
SCORED_MONTH = "2025-11"


@pytest.mark.parametrize(
    ("case_date", "month"),
    [
        (dt.date(2025, 11, 12), "2025-10"),
        (dt.date(2025, 11, 1), "2025-10"),
        (dt.date(2025, 1, 31), "2024-12"),
        ("2026-03-05", "2026-02"),
    ],
)
def test_features_come_from_the_month_before_the_case(case_date, month):
    assert feature_month(case_date) == month


def test_labels_from_rows_and_csv_spelling():
    rows = [("C1", ["E1", "E2"], 1, dt.date(2025, 11, 12)), ("C2", [], 0, dt.date(2025, 9, 1))]
    a = normalize_labels(rows)
    csv = pd.DataFrame(
        {
            "account_number": ["C1", "C2"],
            "meter_asset_numbers": ["E1;E2", np.nan],
            "label": [1, 0],
            "case_date": ["2025-11-12", "2025-09-01"],
        }
    )
    b = normalize_labels(csv)
    for f in (a, b):
        assert f["meter_asset_numbers"].tolist() == [["E1", "E2"], []]
        assert f["feature_month"].tolist() == ["2025-10", "2025-08"]
        assert f["label"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="0 or 1"):
        normalize_labels([("C1", [], 2, dt.date(2025, 1, 1))])


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    from gridcheck_analytics.detection.evaluate import sim_archive
    from gridcheck_analytics.readings_sim import archive_frames_to_meters, simulate_readings
    from gridcheck_analytics.store import MeterStore

    root = tmp_path_factory.mktemp("supervised")
    store = MeterStore(root / "data")
    frames = sim_archive(300, seed=1)
    meters = archive_frames_to_meters(frames)
    sim = simulate_readings(meters, start="2025-01-01", months=12, seed=1, theft_fraction=0.12, store=store)
    return {"root": root, "store": store, "frames": frames, "meters": meters, "truth": sim["truth"]}


def _overlap_days(start, end, month: str) -> int:
    p = pd.Period(month, "M")
    first, last = max(pd.Timestamp(start), p.start_time), min(pd.Timestamp(end), p.end_time.normalize())
    return max(0, (last - first).days + 1)


def _labels(station, held_out):
    """Theft cases of the training thieves (the month their theft showed most), visits of honest customers."""
    meters, truth = station["meters"], station["truth"]
    account = dict(zip(meters["meter_id"], meters["account_number"], strict=True))
    rows = []
    for t in truth[truth["truth"] == "theft"].itertuples():
        if t.meter_id in held_out:
            continue
        days = {m: _overlap_days(t.start_date, t.end_date, m) for m in LABEL_MONTHS}
        month = max(days, key=days.get)
        if days[month] >= 10:
            case = (pd.Period(month, "M") + 1).start_time + pd.Timedelta(days=9)
            rows.append((account[t.meter_id], [t.meter_id], 1, case.date()))
    honest = [m for m in meters["meter_id"] if m not in held_out and m not in set(truth["meter_id"])]
    for i, m in enumerate(honest[:90]):
        case = (pd.Period(LABEL_MONTHS[i % 3], "M") + 1).start_time + pd.Timedelta(days=3)
        rows.append((account[m], [], 0, case.date()))  # no meter given: found by account
    return rows


def test_train_on_labels_save_and_rank_held_out_thieves(station):
    meters, truth = station["meters"], station["truth"]
    rng = np.random.default_rng(0)
    ids = meters["meter_id"].to_numpy()
    held_out = set(rng.choice(ids, size=len(ids) // 3, replace=False))
    rows = _labels(station, held_out)
    n_theft = sum(r[2] for r in rows)
    assert n_theft >= 15
    registry = station["root"] / "models"
    seen = []
    res = train_from_labels(
        station["store"],
        station["frames"],
        rows,
        registry,
        n_estimators=100,
        progress=lambda month, done, total: seen.append((month, done, total)),
    )
    assert seen == [(m, i, 3) for i, m in enumerate(LABEL_MONTHS, start=1)]
    # the version directory and what is saved with the model
    assert res.path == registry / MODEL_NAME / "1"
    assert (res.path / "model.joblib").is_file() and (res.path / "model.txt").is_file()
    meta = json.loads((res.path / "metadata.json").read_text(encoding="utf-8"))
    assert meta["version"] == 1 and meta["name"] == MODEL_NAME
    assert meta["feature_columns"] == FEATURE_COLUMNS
    assert meta["training_data_sha256"] == data_sha256(res.table)
    assert meta["params"]["n_estimators"] == 100 and meta["params"]["min_child_samples"] == len(rows) // 20
    assert meta["n_samples"] == len(rows) and meta["n_positive"] == n_theft  # every label found its meter
    assert meta["labels"] == {"given": len(rows), "theft": n_theft, "normal": 90, "without_meter_data": 0}
    assert meta["feature_months"] == LABEL_MONTHS
    assert meta["metrics"]["cv_folds"] == 5
    assert meta["metrics"]["cv"]["roc_auc"] > 0.9
    # the table pairs each label with its meter's features of the month before the case
    assert set(res.table["month"]) == {202508, 202510, 202512}
    first = res.table[res.table["label"] == 1].iloc[0]
    assert first["meter_id"] in set(truth.loc[truth["truth"] == "theft", "meter_id"])

    # scoring a month with the saved model: held-out thieves active that month rank above the honest
    from gridcheck_analytics.suspects import score_month

    model = load_model(registry, MODEL_NAME)
    out = score_month(station["store"], station["frames"], SCORED_MONTH, model=model)
    theft = truth[truth["truth"] == "theft"]
    active = set(
        theft.loc[
            [
                _overlap_days(s, e, SCORED_MONTH) >= 10
                for s, e in zip(theft.start_date, theft.end_date, strict=True)
            ],
            "meter_id",
        ]
    )
    held = out[
        out["meter_id"].isin(held_out)
        & (out["meter_id"].isin(active) | ~out["meter_id"].isin(truth["meter_id"]))
    ]
    y = held["meter_id"].isin(active).astype(int).to_numpy()
    assert y.sum() >= 4
    assert roc_auc(y, held["model_score"]) > 0.95
    top = held.sort_values("model_score", ascending=False).head(int(y.sum()) // 2)
    assert top["meter_id"].isin(active).all()
    # the model's reasons are SHAP contributions, in Chinese
    reasons = [r for rs in out.head(5)["reasons"] for r in rs if r["source"] == "model"]
    assert reasons and all(r["text"].startswith("模型判断：") for r in reasons)
    assert all(r["code"].removeprefix("model_") in FEATURE_COLUMNS for r in reasons)


def test_too_few_labels_names_the_short_class(station, tmp_path):
    rows = [("C0000001", [], 1, dt.date(2025, 9, 10))] * 3 + [("C0000002", [], 0, dt.date(2025, 9, 10))] * 12
    with pytest.raises(TooFewLabels, match="3 theft \\(label 1\\)") as error:
        train_from_labels(station["store"], station["frames"], rows, tmp_path)
    assert error.value.short == [1] and error.value.counts == {1: 3, 0: 12}
    assert not (tmp_path / MODEL_NAME).exists()


def test_labels_without_meter_data_are_left_out_and_counted(station, tmp_path):
    meters = station["meters"]
    accounts = meters["account_number"].tolist()
    # 10 theft labels, but 8 of them from 2020, years before the store's data
    rows = [(accounts[i], [], 1, dt.date(2020, 5, 1) if i < 8 else dt.date(2025, 9, 10)) for i in range(10)]
    rows += [(accounts[i], [], 0, dt.date(2025, 9, 10)) for i in range(10, 22)]
    with pytest.raises(TooFewLabels, match="8 label\\(s\\) left out") as error:
        train_from_labels(station["store"], station["frames"], rows, tmp_path, min_per_class=10)
    assert error.value.counts == {1: 2, 0: 12} and error.value.unmatched == 8


def test_cross_validation_keeps_a_customer_in_one_fold(monkeypatch):
    """A customer labelled in several months is never scored by a model trained on its other months."""
    import numpy as np

    import gridcheck_analytics.detection.evaluate as evaluate
    from gridcheck_analytics.detection.supervised import cross_validated_metrics

    rng = np.random.default_rng(3)
    groups = np.repeat([f"C{i:02d}" for i in range(30)], 3)  # 30 customers, 3 labelled months each
    y = np.repeat(rng.permutation([1] * 10 + [0] * 20), 3)
    X = rng.normal(size=(len(y), 4)) + y[:, None]
    seen = []
    real = evaluate.cross_val_scores

    def spy(make, X, y, splits):
        splits = list(splits)
        seen.extend(splits)
        return real(make, X, y, splits)

    monkeypatch.setattr(evaluate, "cross_val_scores", spy)
    from sklearn.linear_model import LogisticRegression

    out = cross_validated_metrics(LogisticRegression, X, y, groups=groups)
    assert out["cv_folds"] == 5 and out["cv_grouped_by"] == "customer" and out["cv"]["roc_auc"] > 0.8
    assert len(seen) == 5
    for train, test in seen:
        assert not set(groups[train]) & set(groups[test])
    seen.clear()
    cross_validated_metrics(LogisticRegression, X, y)  # without groups a customer's months split up
    assert any(set(groups[train]) & set(groups[test]) for train, test in seen)
