"""``gridcheck detection ...``: evaluate detectors and train the supervised model (file in, file out).

::

    detection evaluate [--sgcc PATH] [--sgsc PATH] [--simulator-meters N] [--skip NAME ...]
                       [--train FILE --test FILE] [--capacity VISITS] [--boot N] [--no-tune] [--out DIR]
    detection train --labels FILE --out MODEL_DIR [--name NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path("var") / "detection-report"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridcheck detection", description="theft and anomaly detection")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("evaluate", help="evaluate detectors and baselines; write a Markdown report")
    from gridcheck_analytics.detection.evaluate import SGCC_PATH, SGSC_PATH

    e.add_argument("--sgcc", type=Path, default=SGCC_PATH, help="labelled SGCC summary features CSV")
    e.add_argument("--sgsc", type=Path, default=SGSC_PATH, help="SGSC half-hourly curves (.csv.gz)")
    e.add_argument("--simulator-meters", type=int, default=5000, help="customers simulated for (a)")
    e.add_argument("--train", type=Path, help="labelled CSV to train on (with --test)")
    e.add_argument("--test", type=Path, help="labelled CSV to score (with --train)")
    e.add_argument(
        "--skip", nargs="*", default=[], choices=["simulator", "sgcc", "sgsc"], help="data sets to leave out"
    )
    e.add_argument("--trees", type=int, default=400, help="LightGBM trees")
    e.add_argument(
        "--capacity",
        type=int,
        default=100,
        help="the station's inspection capacity, visits per month: precision of a list that long (default 100)",
    )
    e.add_argument("--boot", type=int, default=200, help="bootstrap resamples of the 95%% intervals (seeded)")
    e.add_argument("--no-tune", action="store_true", help="fixed LightGBM settings instead of nested CV")
    e.add_argument(
        "--augment",
        type=int,
        default=2,
        help="(c) further draws of the attacks on the training customers' own days, to train on (default 2)",
    )
    e.add_argument("--seed", type=int, default=0)
    e.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="report directory (default var/detection-report)"
    )
    t = sub.add_parser("train", help="train the supervised model on a labelled CSV and save it in a registry")
    t.add_argument("--labels", type=Path, required=True, help="labelled CSV (SGCC summary-feature columns)")
    t.add_argument("--out", type=Path, required=True, help="model registry directory")
    t.add_argument("--name", default="sgcc-lightgbm")
    t.add_argument("--trees", type=int, default=400)
    t.add_argument("--seed", type=int, default=0)
    return p


def _evaluate(args, ev) -> list[dict]:
    common = {"seed": args.seed, "n_boot": args.boot}
    if args.train is not None:
        return [
            ev.evaluate_train_test(
                args.train, args.test, n_estimators=args.trees, capacity=args.capacity, **common
            )
        ]
    results = []
    if "simulator" not in args.skip:
        print(f"(a) simulator, {args.simulator_meters} customers ...", flush=True)
        results.append(ev.evaluate_simulator(args.simulator_meters, seed=args.seed))
    if "sgcc" not in args.skip:
        if not args.sgcc.is_file():
            print(f"SGCC features not found at {args.sgcc}; skipped", file=sys.stderr)
        else:
            print("(b) SGCC summary features, grouped 5-fold CV (nested tuning) ...", flush=True)
            results.append(
                ev.evaluate_sgcc(
                    args.sgcc,
                    n_estimators=args.trees,
                    capacity=args.capacity,
                    tune=not args.no_tune,
                    **common,
                )
            )
    if "sgsc" not in args.skip:
        if not args.sgsc.is_file():
            print(f"SGSC curves not found at {args.sgsc}; skipped", file=sys.stderr)
        else:
            print("(c) SGSC-50 with synthetic attacks h1..h6 ...", flush=True)
            results.append(ev.evaluate_sgsc(args.sgsc, tune=not args.no_tune, augment=args.augment, **common))
    return results


def _print_result(res: dict) -> None:
    from gridcheck_analytics.detection.metrics import format_interval

    print(f"\n{res['title']}")
    for side, f in res.get("files", {}).items():
        print(f"  {side}: {f['path']}  {f['rows']} rows ({f['positives']} theft)  sha256 {f['sha256']}")
    if "files" in res:
        print("  no folds: trained once on the train file, scored once on the test file")
    for name, m in res["metrics"].items():
        line = f"  {name:32s} ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}"
        if "timings" in res:
            t = res["timings"][name]
            line += f"  fit {t['fit_seconds']:.2f} s  score {t['score_seconds']:.2f} s"
        elif "seconds" in m:
            line += f"  {m['seconds']:.1f} s"
        print(line)
        iv = res.get("intervals", {}).get(name)
        if iv:
            keys = [k for k in iv if isinstance(iv[k], dict) and not np.isnan(iv[k]["value"])]
            for key in keys:
                label = key.replace("precision_at_capacity", f"precision@capacity ({iv['capacity']})")
                label = label.replace("recall_at_capacity", f"recall@capacity ({iv['capacity']})")
                label = label.replace("precision_at_", "precision@")
                print(f"      {label:28s} {format_interval(iv[key])}")
    for name, per in res.get("per_attack_interval", {}).items():
        print(f"  per-day ROC-AUC per attack, {name}:")
        for a, iv in per.items():
            print(f"      {a} {res['attack_names'][a]:24s} {format_interval(iv)}")


def main(argv=None) -> int:
    """Run a detection subcommand; returns the exit status."""
    args = _parser().parse_args(argv)
    from gridcheck_analytics.detection import evaluate as ev

    if args.command == "evaluate":
        if (args.train is None) != (args.test is None):
            print("--train and --test go together", file=sys.stderr)
            return 2
        try:
            results = _evaluate(args, ev)
        except ev.LabelledFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not results:
            print("nothing evaluated", file=sys.stderr)
            return 1
        md = ev.write_report(results, args.out)
        for res in results:
            _print_result(res)
        print(f"\nreport: {md}")
        return 0
    if args.command == "train":
        from sklearn.model_selection import StratifiedKFold

        from gridcheck_analytics.detection.metrics import ranking_report
        from gridcheck_analytics.detection.models import save_model

        try:
            df, y = ev.read_labelled(args.labels)
        except ev.LabelledFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        X = ev.sgcc_features(df)
        splits = StratifiedKFold(5, shuffle=True, random_state=args.seed).split(X, y)
        oof = ev.cross_val_scores(
            lambda: ev.lightgbm_model(args.trees, args.seed), X.to_numpy(dtype=float), y, splits
        )
        metrics = {"cv5": ranking_report(y, oof)}
        model = ev.lightgbm_model(args.trees, args.seed).fit(X.to_numpy(dtype=float), y)
        path = save_model(
            model,
            args.out,
            args.name,
            feature_columns=list(X.columns),
            training_data=args.labels,
            metrics=metrics,
            labels=y,
        )
        print(
            f"saved {path}; 5-fold CV ROC-AUC {metrics['cv5']['roc_auc']:.3f}, PR-AUC {metrics['cv5']['pr_auc']:.3f}"
        )
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
