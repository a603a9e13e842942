"""Model registry: save with metadata, versions counted up, load back with the same predictions."""

import json

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.detection.estimators import LightGBMTheftClassifier
from gridcheck_analytics.detection.models import (
    current_model,
    data_sha256,
    list_models,
    load_model,
    load_model_path,
    save_model,
    set_current,
)


def test_save_and_load(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0.5).astype(int)
    data = tmp_path / "train.csv"
    pd.DataFrame(X, columns=["a", "b", "c"]).assign(label=y).to_csv(data, index=False)
    model = LightGBMTheftClassifier(n_estimators=10, random_state=0, n_jobs=1).fit(X, y)
    p1 = save_model(
        model,
        tmp_path / "reg",
        "m",
        feature_columns=["a", "b", "c"],
        training_data=data,
        metrics={"roc_auc": 0.9},
        labels=y,
    )
    p2 = save_model(
        model, tmp_path / "reg", "m", feature_columns=["a", "b", "c"], training_data=data, labels=y
    )
    assert p1.name == "1" and p2.name == "2"
    meta = json.loads((p1 / "metadata.json").read_text())
    assert meta["training_data_sha256"] == data_sha256(data) and len(meta["training_data_sha256"]) == 64
    assert meta["metrics"] == {"roc_auc": 0.9}
    assert meta["params"]["n_estimators"] == 10
    assert meta["n_samples"] == 200 and meta["n_positive"] == int(y.sum())
    assert (p1 / "model.txt").is_file()
    loaded = load_model(tmp_path / "reg", "m")
    assert loaded.metadata["version"] == 2
    assert loaded.feature_columns == ["a", "b", "c"]
    np.testing.assert_allclose(loaded.suspicion_score(X), model.suspicion_score(X))
    assert load_model(tmp_path / "reg", "m", version=1).metadata["version"] == 1
    assert list(list_models(tmp_path / "reg")["version"]) == [1, 2]
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "reg", "other")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "reg", "m", version=9)


def test_sha256_of_frames_is_stable():
    f = pd.DataFrame({"a": [1.0, 2.0]})
    assert data_sha256(f) == data_sha256(f.copy())
    assert data_sha256(f) != data_sha256(f.assign(a=[1.0, 3.0]))


def _labelled_csv(path, n, seed):
    from gridcheck_analytics.detection.evaluate import SGCC_COLUMNS

    rng = np.random.default_rng(seed)
    f = pd.DataFrame(rng.gamma(2.0, 3.0, size=(n, len(SGCC_COLUMNS))), columns=SGCC_COLUMNS)
    f["label"] = (f["std_usage"] / f["mean_usage"] + rng.normal(0, 0.3, n) > 1.2).astype(int)
    f.to_csv(path, index=False)
    return path


def test_cli_train_and_train_test_evaluate(tmp_path, capsys):
    from gridcheck_analytics.detection.cli import main

    a = _labelled_csv(tmp_path / "a.csv", 400, 0)
    b = _labelled_csv(tmp_path / "b.csv", 300, 1)
    assert main(["train", "--labels", str(a), "--out", str(tmp_path / "reg"), "--trees", "20"]) == 0
    loaded = load_model(tmp_path / "reg", "sgcc-lightgbm")
    assert loaded.metadata["training_data_sha256"] == data_sha256(a)
    assert 0.5 < loaded.metadata["metrics"]["cv5"]["roc_auc"] <= 1
    out = tmp_path / "report"
    args = ["evaluate", "--train", str(a), "--test", str(b), "--out", str(out), "--trees", "20"]
    assert main(args) == 0
    md = (out / "report.md").read_text()
    assert "lightgbm" in md and "logistic_regression" in md and "random_forest" in md
    assert (out / "roc_pr.png").stat().st_size > 1000
    assert main(["evaluate", "--train", str(a), "--out", str(out)]) == 2


def test_current_pointer_and_paths(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    model = LightGBMTheftClassifier(n_estimators=5, min_child_samples=5, random_state=0, n_jobs=1).fit(X, y)
    reg = tmp_path / "reg"
    for _ in range(2):
        save_model(model, reg, "m", feature_columns=["a", "b"], training_data=X, labels=y)
    assert current_model(reg) is None  # nothing chosen yet: no model scores the runs
    assert current_model(tmp_path / "absent") is None
    set_current(reg, "m", 1)
    assert json.loads((reg / "current.json").read_text())["version"] == 1
    assert current_model(reg).metadata["version"] == 1  # the pointer, not the newest version
    with pytest.raises(FileNotFoundError):
        set_current(reg, "m", 3)
    assert current_model(reg).metadata["version"] == 1  # a refused pointer leaves the old one
    assert load_model_path(reg / "m" / "1").metadata["version"] == 1
    assert load_model_path(reg / "m").metadata["version"] == 2  # a name directory: its latest
    with pytest.raises(FileNotFoundError):
        load_model_path(reg / "other")
    import shutil

    shutil.rmtree(reg / "m" / "1")
    with pytest.raises(FileNotFoundError):
        current_model(reg)  # a pointer to a removed version is an error, not a silent fallback
