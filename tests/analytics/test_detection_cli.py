"""``gridcheck detection evaluate``: bad --train/--test files give one line naming the file and the columns;
the train/test report names the files (rows, SHA-256), says there are no folds and prints intervals."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.detection.cli import main
from gridcheck_analytics.detection.evaluate import SGCC_COLUMNS


def _labelled_csv(path, n, seed):
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(rng.gamma(2.0, 3.0, size=(n, len(SGCC_COLUMNS))), columns=SGCC_COLUMNS)
    f["label"] = (f["std_usage"] / f["mean_usage"] + rng.normal(0, 0.3, n) > 1.2).astype(int)
    f.to_csv(path, index=False)
    return path


def _bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join([*SGCC_COLUMNS, "label"]) + "\n")
    no_col = tmp_path / "nocol.csv"
    _labelled_csv(no_col, 30, 0)
    pd.read_csv(no_col).drop(columns=["median_usage"]).to_csv(no_col, index=False)
    no_label = tmp_path / "nolabel.csv"
    _labelled_csv(no_label, 30, 0)
    pd.read_csv(no_label).drop(columns=["label"]).to_csv(no_label, index=False)
    return {
        "missing": (tmp_path / "absent.csv", "file not found"),
        "empty": (empty, "empty file"),
        "header only": (header_only, "no data rows"),
        "lacks a column": (no_col, "missing column(s) median_usage"),
        "lacks the label": (no_label, "missing column(s) label"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "header only", "lacks a column", "lacks the label"])
@pytest.mark.parametrize("side", ["--train", "--test"])
def test_bad_file_one_line(tmp_path, capsys, case, side):
    good = _labelled_csv(tmp_path / "good.csv", 200, 1)
    bad, reason = _bad_files(tmp_path)[case]
    files = {"--train": good, "--test": good} | {side: bad}
    args = [
        "evaluate",
        "--train",
        str(files["--train"]),
        "--test",
        str(files["--test"]),
        "--out",
        str(tmp_path),
    ]
    assert main([*args, "--trees", "5", "--boot", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(bad) in err and reason in err
    assert "needs columns mean_usage, max_usage" in err and "peak_to_mean_ratio, label" in err


def test_train_with_a_bad_labels_file(tmp_path, capsys):
    assert main(["train", "--labels", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "reg")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "absent.csv: file not found" in err


def test_train_test_report(tmp_path, capsys):
    a = _labelled_csv(tmp_path / "a.csv", 400, 0)
    b = _labelled_csv(tmp_path / "b.csv", 300, 1)
    out = tmp_path / "report"
    args = ["evaluate", "--train", str(a), "--test", str(b), "--out", str(out), "--trees", "20"]
    assert main([*args, "--boot", "20", "--capacity", "40"]) == 0
    printed = capsys.readouterr().out
    sha = hashlib.sha256(b.read_bytes()).hexdigest()
    assert f"{b}  300 rows" in printed and sha in printed
    assert "no folds" in printed
    assert "precision@100" in printed and "precision@capacity (40)" in printed
    assert "precision@500" not in printed  # 300 test rows: no top 500
    line = next(x for x in printed.splitlines() if "precision@50 " in x)
    assert "[" in line and "]" in line  # with its interval
    assert "fit " in printed and "score " in printed  # per-model timings
    md = (out / "report.md").read_text()
    assert "No folds" in md and sha in md and "| 300 |" in md and "P@capacity (40)" in md
