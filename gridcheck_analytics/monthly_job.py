"""The whole monthly job: VEE once, line loss and flags, features, rules, model scoring, suspects written.

:func:`monthly_run` is a plain function of the meter store, the archive frames and an Ibis connection
(DuckDB, or PySpark in local mode or on a cluster whose workers see the store's folder), so that any
scheduler can run it.  The month's intermediate results live in the derived store
(:mod:`gridcheck_analytics.monthly`); this module adds the scoring on top of them.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from gridcheck_analytics.detection.combine import SUSPECT_MIN_SCORE
from gridcheck_analytics.heap import heap_kept
from gridcheck_analytics.memory import gc_paused
from gridcheck_analytics.monthly import MonthlyRun, month_bounds, run_month
from gridcheck_analytics.thresholds import LineLossRules, VeeRules

#: Steps reported to ``progress`` by :func:`monthly_run`.
STEPS = ("connect", "vee", "features", "loss", "scoring")


def score(
    run: MonthlyRun,
    month: str,
    features: pd.DataFrame,
    model=None,
    explain_min_score: float | None = SUSPECT_MIN_SCORE,
) -> pd.DataFrame:
    """Rules and model over the month's features (:func:`detection.combine.combine_scores`), the suspects
    frame of :func:`gridcheck_analytics.suspects.score_month`, also written to the month's partition.
    Rows explained: those with a rule fired or a score at least ``explain_min_score`` (all when None); the
    others carry no reasons (``[]``)."""
    from gridcheck_analytics.detection.combine import combine_scores
    from gridcheck_analytics.rules import DetectionRules
    from gridcheck_analytics.suspects import SUSPECT_COLUMNS, _unwrap, with_estimated_loss

    t0 = time.perf_counter()
    estimator, columns = _unwrap(model)
    rules = DetectionRules.in_force(month_bounds(month)[1])
    ranked = combine_scores(
        features,
        model=estimator,
        model_features=columns,
        rules=rules,
        explain_min_score=explain_min_score,
        feature_rows=True,
    )
    ranked = with_estimated_loss(ranked, features)[SUSPECT_COLUMNS]
    t0 = run._time("rules and model scoring", t0)
    path = run.derived.path(month, "suspects")
    tmp = path.with_name(f".suspects-{uuid.uuid4().hex}.parquet")
    try:
        _write_suspects(ranked, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    run._time("suspects written", t0)
    return ranked


def _write_suspects(ranked: pd.DataFrame, path, pieces: int = 4) -> None:
    """``ranked`` to one Parquet file, its reasons as JSON text; a piece of the rows is written (Arrow's
    writer, in a thread) while the next piece's JSON is made."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reasons = ranked["reasons"].tolist()
    # the whole frame's types (a piece of all-null text would otherwise be typed null)
    schema = pa.Schema.from_pandas(ranked.assign(reasons=""), preserve_index=False)
    bounds = np.linspace(0, len(ranked), pieces + 1).astype(int).tolist()
    with pq.ParquetWriter(path, schema) as writer, ThreadPoolExecutor(1) as pool:
        pending = None
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            texts = [json.dumps(r, ensure_ascii=False, default=str) if r else "[]" for r in reasons[lo:hi]]
            piece = ranked.iloc[lo:hi].assign(reasons=texts)
            table = pa.Table.from_pandas(piece, schema=schema, preserve_index=False)
            if pending is not None:
                pending.result()  # one write at a time, in order
            pending = pool.submit(writer.write_table, table)
        if pending is not None:
            pending.result()


def monthly_run(
    store,
    archive_frames: dict[str, pd.DataFrame],
    month: str,
    *,
    con=None,
    backend: str = "duckdb",
    targets: dict[str, float] | None = None,
    history_months: int = 3,
    model=None,
    explain_min_score: float | None = SUSPECT_MIN_SCORE,
    force: bool = True,
    scoring: bool = True,
    vee_rules: VeeRules | None = None,
    loss_rules: LineLossRules | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """The whole monthly run of ``month`` (``YYYY-MM``): VEE once, loss and flags, features, scoring.

    Parameters
    ----------
    store : MeterStore
        The meter-data store; the month's derived partition is (re)written under it.
    archive_frames : dict of pandas.DataFrame
        ``meters`` (canonical, or the archive's frames).
    month : str
        ``YYYY-MM``.
    con : ibis connection, optional
        Default: a new connection of ``backend``.
    targets : dict, optional
        ``{area_code: target loss rate [%]}``.
    history_months : int
        Months before ``month`` in ``area_monthly_history`` (swing and three-month rules).
    model : optional
        A supervised model (``detection.models.load_model``); default: the unsupervised score.
    explain_min_score : float, optional
        Reasons only for the rows with a rule fired or a score at least this, the rows that can be
        suspects (default :data:`~gridcheck_analytics.detection.combine.SUSPECT_MIN_SCORE`); every row
        when None.
    force : bool
        Recompute the month even when its fingerprint holds (re-running a month replaces its partition).
        Earlier months are computed only where missing or stale.
    scoring : bool
        Score the features and write the suspects (``suspects.parquet`` of the month).
    vee_rules, loss_rules : optional
        Thresholds; by default the rule-table rows in force on each month's last day.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each step of :data:`STEPS`.

    Returns
    -------
    dict
        The line-loss frames of :func:`gridcheck_analytics.monthly.loss_results`; ``features``;
        ``suspects`` (as :func:`gridcheck_analytics.suspects.score_month` returns them); ``timings``
        (seconds per stage); ``months_validated`` (the months whose VEE ran in this call).
    """
    steps = STEPS if scoring else STEPS[:-1]
    done = 0

    def step(name):
        nonlocal done
        done += 1
        if progress:
            progress(name, done, len(steps))

    # each month reuses the memory the month before freed; the cyclic collector off (the run makes
    # objects by the million, almost no cycles: each collection walked every object alive, imports' too)
    with heap_kept(), gc_paused():
        run, out = run_month(
            store,
            archive_frames,
            month,
            con=con,
            backend=backend,
            targets=targets,
            history_months=history_months,
            force=force,
            vee_rules=vee_rules,
            loss_rules=loss_rules,
            progress=step,
            # the scoring while the loss results are read (DuckDB: in a thread of their own)
            after_features=(lambda run, features: score(run, month, features, model, explain_min_score))
            if scoring
            else None,
        )
        if scoring:
            out["suspects"] = out.pop("after")
            step("scoring")
    out["timings"] = dict(run.timings)
    out["months_validated"] = list(run.validated)
    return out
