"""``gridcheck detection ...``: evaluate detectors and train the supervised model (file in, file out).

::

    detection evaluate [--sgcc PATH] [--sgsc PATH] [--simulator-meters N] [--skip NAME ...]
                       [--train FILE --test FILE] [--out DIR]
    detection train --labels FILE --out MODEL_DIR [--name NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def main(argv=None) -> int:
    """Run a detection subcommand; returns the exit status."""
    args = _parser().parse_args(argv)
    from gridcheck_analytics.detection import evaluate as ev

    if args.command == "evaluate":
        if (args.train is None) != (args.test is None):
            print("--train and --test go together", file=sys.stderr)
            return 2
        results = []
        if args.train is not None:
            results.append(
                ev.evaluate_train_test(args.train, args.test, seed=args.seed, n_estimators=args.trees)
            )
        else:
            if "simulator" not in args.skip:
                print(f"(a) simulator, {args.simulator_meters} customers ...", flush=True)
                results.append(ev.evaluate_simulator(args.simulator_meters, seed=args.seed))
            if "sgcc" not in args.skip:
                if not args.sgcc.is_file():
                    print(f"SGCC features not found at {args.sgcc}; skipped", file=sys.stderr)
                else:
                    print("(b) SGCC summary features, 5-fold CV ...", flush=True)
                    results.append(ev.evaluate_sgcc(args.sgcc, seed=args.seed, n_estimators=args.trees))
            if "sgsc" not in args.skip:
                if not args.sgsc.is_file():
                    print(f"SGSC curves not found at {args.sgsc}; skipped", file=sys.stderr)
                else:
                    print("(c) SGSC-50 with synthetic attacks ...", flush=True)
                    results.append(ev.evaluate_sgsc(args.sgsc, seed=args.seed))
        if not results:
            print("nothing evaluated", file=sys.stderr)
            return 1
        md = ev.write_report(results, args.out)
        for res in results:
            print(f"\n{res['title']}")
            for name, m in res["metrics"].items():
                print(
                    f"  {name:32s} ROC-AUC {m['roc_auc']:.3f}  PR-AUC {m['pr_auc']:.3f}  "
                    f"P@1% {m['precision_at_1pct']:.3f}  R@1% {m['recall_at_1pct']:.3f}"
                )
        print(f"\nreport: {md}")
        return 0
    if args.command == "train":
        from sklearn.model_selection import StratifiedKFold

        from gridcheck_analytics.detection.metrics import ranking_report
        from gridcheck_analytics.detection.models import save_model

        df, y = ev.read_labelled(args.labels)
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
