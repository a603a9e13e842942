"""Services of theft detection: create, run and store a month's scoring; act on a suspect.

``detection_run_execute`` builds the archive frames from the database (``readings.selectors``, the same
frames as the line-loss analysis), calls ``gridcheck_analytics.suspects.score_month`` with a progress
callback that updates the run row (committed at once, so the run page can poll it), and writes the
month's suspects in one transaction: re-running a month replaces its suspects, carrying over the
decision taken on a customer meter (work order, dismissal).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer
from gridcheck.core.runs import RunStatus, run_create, run_enqueue, run_execute, runs_active
from gridcheck.detection.choices import CandidateStatus, SuspectStatus
from gridcheck.detection.models import (
    UNSUPERVISED_VERSION,
    DetectionRun,
    ModelCandidate,
    Suspect,
    SuspectStatusChange,
)
from gridcheck.readings.selectors import archive_frames, meter_store

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")

#: Steps of a run: reading archive and model, the scoring steps of ``score_month``, writing suspects.
CONNECT_STEP, SAVE_STEP = "connect", "save"


class WorkOrderUnavailable(Exception):
    """The inspections app (which builds work orders) is not installed."""


def _scoring_steps() -> tuple[str, ...]:
    from gridcheck_analytics import suspects

    return tuple(getattr(suspects, "STEPS", ("features", "rules", "model", "combine")))


def detection_steps() -> list[str]:
    """Every step of a run in order (for the progress bar)."""
    return [CONNECT_STEP, *_scoring_steps(), SAVE_STEP]


# -- runs --------------------------------------------------------------------------------------------


def detection_run_create(*, month, started_by=None, analysis_run=None) -> DetectionRun:
    """Record a queued detection run of ``month`` (``YYYY-MM`` or a date); refused while another run of
    the month is queued or running."""
    return run_create(
        DetectionRun,
        month=month,
        started_by=started_by,
        analysis_run=analysis_run,
        progress_total=len(detection_steps()),
    )


def active_runs():
    """Detection runs queued or running (a run whose worker died is marked failed first)."""
    return runs_active(DetectionRun)


def detection_run_enqueue(*, run: DetectionRun) -> DetectionRun:
    """Hand the run to the background worker (django-tasks) once the current transaction commits."""
    return run_enqueue(run)


def detection_run_start(*, month, started_by=None) -> DetectionRun:
    """Create a detection run and enqueue it (the "开始检测" button)."""
    return detection_run_enqueue(run=detection_run_create(month=month, started_by=started_by))


def model_version(model) -> str:
    """A model's name and version for the run record (``LoadedModel`` metadata, or the estimator's)."""
    if model is None:
        return UNSUPERVISED_VERSION
    meta = getattr(model, "metadata", None) or {}
    estimator = getattr(model, "estimator", model)
    name = meta.get("name") or getattr(model, "name", None) or type(estimator).__name__
    version = meta.get("version") or getattr(model, "version", None)
    trained = meta.get("trained_at") or meta.get("created_at")
    text = f"{name} {version}" if version else str(name)
    return f"{text} ({str(trained)[:10]})" if trained else text


def detection_model_dir() -> Path:
    """The model registry: ``GRIDCHECK_DETECTION_MODEL_DIR``, else ``models`` under the data directory."""
    configured = getattr(settings, "GRIDCHECK_DETECTION_MODEL_DIR", "")
    return Path(configured) if configured else Path(settings.GRIDCHECK_DATA_DIR) / "models"


def detection_model_load():
    """The trained detection model that scores the runs, and its version text.

    ``GRIDCHECK_DETECTION_MODEL`` when set (a saved version's or a model name's directory), else the
    registry's current model (``gridcheck detect train`` makes each model it trains current). Returns
    ``(model, version)``; ``model`` is ``None`` when no model is configured or trained, and the month is
    scored by the rules and the unsupervised peer-group score.
    """
    from gridcheck_analytics.detection.models import current_model, load_model_path

    path = getattr(settings, "GRIDCHECK_DETECTION_MODEL", "")
    model = load_model_path(path) if path else current_model(detection_model_dir())
    if model is None:
        return None, UNSUPERVISED_VERSION
    return model, model_version(model)


def detection_model_train(
    *,
    n_estimators: int = 300,
    seed: int = 0,
    min_per_class: int | None = None,
    make_current: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    trained_by=None,
):
    """Train the supervised theft model on the closed inspection cases and save it in the registry.

    The labels are ``cases.selectors.case_labels()`` (1: closed theft cases; 0: normal inspection visits,
    closed violation cases); each is paired with the customer-month features of the month before its
    case date (``gridcheck_analytics.detection.supervised``), from the meter store and the archive. The
    model is saved as the next version of ``cases-lightgbm`` in ``detection_model_dir()`` with its
    parameters, the SHA-256 of its training table, its cross-validated metrics and its label counts.
    The quality gate (:func:`model_candidate_record`) then compares it with the current model on the same
    labels and folds: not worse, it becomes the registry's current model (unless ``make_current`` is
    false), which the next detection run uses (unless ``GRIDCHECK_DETECTION_MODEL`` names another);
    clearly worse, it waits for a station head's approval. ``trained_by`` is who trained it (who may
    then not approve it).

    Returns
    -------
    gridcheck_analytics.detection.supervised.TrainingResult
        With ``candidate``, the :class:`~gridcheck.detection.models.ModelCandidate` recorded.

    Raises
    ------
    gridcheck_analytics.detection.supervised.TooFewLabels
        Too few labels of a class (``min_per_class``; by default ``MIN_LABELS_PER_CLASS``, 10).
    """
    from gridcheck.cases.selectors import case_labels
    from gridcheck_analytics.backends import connect
    from gridcheck_analytics.detection.supervised import MIN_LABELS_PER_CLASS, train_from_labels

    if min_per_class is None:
        min_per_class = MIN_LABELS_PER_CLASS
    backend = getattr(settings, "GRIDCHECK_ANALYSIS_BACKEND", "duckdb")
    registry = detection_model_dir()
    con = connect(backend)
    try:
        result = train_from_labels(
            meter_store(),
            archive_frames(),
            case_labels(),
            registry,
            n_estimators=n_estimators,
            random_state=seed,
            min_per_class=min_per_class,
            backend=backend,
            con=con,
            progress=progress,
        )
    finally:
        con.disconnect()
    result.candidate = model_candidate_record(
        result=result, registry=registry, trained_by=trained_by, seed=seed, make_current=make_current
    )
    logger.info("detection model trained: %s (%s)", result.path, result.candidate.status)
    return result


def model_candidate_record(*, result, registry: Path, trained_by=None, seed: int = 0, make_current=True):
    """Run the quality gate on a newly trained model and record it as a candidate.

    :func:`gridcheck_analytics.detection.gate.compare_models` cross-validates the new model and the current
    one on the same labels (the new training table) and the same customer-grouped folds, with seeded 95 %
    bootstrap intervals of each ROC-AUC and of their difference. Not worse beyond the interval: the new
    model becomes current (``promoted``, when ``make_current``). Clearly worse, or not comparable (the
    current model reads columns the table lacks): ``pending``, the current model stays until the head
    approves (:func:`model_candidate_approve`). The registry keeps both versions either way.
    """
    from gridcheck_analytics.detection.gate import HOLD, compare_models
    from gridcheck_analytics.detection.models import current_model, set_current

    name, version = result.metadata["name"], int(result.metadata["version"])
    try:
        current = current_model(registry)
    except FileNotFoundError:
        current = None  # the pointer names a removed version: nothing to compare with
    try:
        comparison = compare_models(
            result.table,
            new_estimator=result.estimator,
            new_columns=result.metadata["feature_columns"],
            current_estimator=None if current is None else current.estimator,
            current_columns=None if current is None else current.feature_columns,
            random_state=seed,
        )
    except ValueError as error:
        comparison = {"decision": HOLD, "reason": "not_comparable", "error": str(error)}
    promote = comparison["decision"] != HOLD
    candidate = ModelCandidate(
        name=name,
        version=version,
        path=str(result.path)[:500],
        current_name="" if current is None else str(current.metadata.get("name", "")),
        current_version=None if current is None else current.metadata.get("version"),
        status=CandidateStatus.PROMOTED if promote else CandidateStatus.PENDING,
        comparison=json_safe(comparison),
        trained_by=trained_by,
    )
    candidate.full_clean()
    candidate.save()
    if promote and make_current:
        set_current(registry, name, version)
    return candidate


def _candidate_decidable(*, candidate, user):
    from gridcheck.core.roles import APPROVE_STATION, has_capability

    if not has_capability(user, APPROVE_STATION):
        raise PermissionDenied(_("Only a station head approves or rejects a detection model."))
    if candidate.status != CandidateStatus.PENDING:
        raise ValidationError(_("Only a model waiting for approval can be approved or rejected."))
    if candidate.trained_by_id is not None and candidate.trained_by_id == user.pk:
        raise ValidationError(_("The person who trained a model cannot approve or reject it."))


@transaction.atomic
def model_candidate_approve(*, candidate, user, note: str = ""):
    """The head approves a model the gate held back, having seen the comparison: it becomes current."""
    from gridcheck_analytics.detection.models import set_current

    candidate = ModelCandidate.objects.select_for_update().get(pk=candidate.pk)
    _candidate_decidable(candidate=candidate, user=user)
    set_current(detection_model_dir(), candidate.name, candidate.version)
    candidate.status = CandidateStatus.APPROVED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.note = (note or "").strip()[:300]
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def model_candidate_reject(*, candidate, user, note: str = ""):
    """The head rejects a model the gate held back; the current model stays (the version stays saved)."""

    candidate = ModelCandidate.objects.select_for_update().get(pk=candidate.pk)
    _candidate_decidable(candidate=candidate, user=user)
    candidate.status = CandidateStatus.REJECTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.note = (note or "").strip()[:300]
    candidate.full_clean()
    candidate.save()
    return candidate


def detection_run_execute(
    *,
    run: DetectionRun,
    progress: Callable[[str, int, int], None] | None = None,
    con=None,
    model=None,
    heartbeat: bool = False,
) -> DetectionRun:
    """Score the run's month for theft and anomalies and store its suspects; the run ends succeeded or
    failed.

    Parameters
    ----------
    run : DetectionRun
        A queued run (``detection_run_create``).
    progress : callable, optional
        Also called as ``progress(step, done, total)`` (the terminal's progress bar).
    con : ibis connection, optional
        Reuse a connection (tests).
    model : optional
        A loaded detection model (tests); default: ``detection_model_load()``.

    Returns
    -------
    DetectionRun
        The run, reloaded. An error is recorded in ``run.error`` and the run marked failed; it is not
        raised.
    """
    from gridcheck_analytics.suspects import score_month

    total = len(detection_steps())
    backend = getattr(settings, "GRIDCHECK_ANALYSIS_BACKEND", "duckdb")

    def body(step_done) -> dict:
        nonlocal model, con
        if model is None:
            model, version = detection_model_load()
        else:
            version = model_version(model)
        run.model_version = version[:120]
        DetectionRun.objects.filter(pk=run.pk).update(model_version=run.model_version)
        frames = archive_frames()
        own_con = con is None
        if own_con:
            from gridcheck_analytics.backends import connect

            con = connect(backend)
        step_done(CONNECT_STEP, 1)
        try:
            frame = score_month(
                meter_store(),
                frames,
                f"{run.month:%Y-%m}",
                backend=backend,
                model=model,
                con=con,
                explain_min_score=suspect_min_score(),
                progress=lambda step, done, _t: step_done(step, 1 + done),
            )
        finally:
            if own_con:
                con.disconnect()
        counts = suspects_save(run=run, frame=frame)
        step_done(SAVE_STEP, total)
        return counts

    return run_execute(run, body, steps=total, progress=progress, heartbeat=heartbeat)


def detection_after_analysis(*, analysis_run, enqueue: bool = False, progress=None) -> DetectionRun | None:
    """Score the month of a succeeded line-loss ``analysis_run`` (the hook of ``gridcheck analyse`` and
    the analysis task). Never raises: a failure is recorded on the detection run and logged.

    Off when ``GRIDCHECK_DETECTION_AFTER_ANALYSIS`` is false. ``enqueue`` hands the run to the
    background worker instead of running it here.
    """
    if not getattr(settings, "GRIDCHECK_DETECTION_AFTER_ANALYSIS", True):
        return None
    if analysis_run.status != RunStatus.SUCCEEDED:
        return None
    try:
        run = detection_run_create(
            month=analysis_run.month, started_by=analysis_run.started_by, analysis_run=analysis_run
        )
        if enqueue:
            return detection_run_enqueue(run=run)
        return detection_run_execute(run=run, progress=progress)
    except Exception:  # noqa: BLE001 - the line-loss results stand whatever happens here
        logger.exception("detection after analysis run %s failed", analysis_run.pk)
        return None


# -- writing suspects --------------------------------------------------------------------------------


def json_safe(value):
    """``value`` with numpy/pandas scalars, NaN and timestamps turned into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray, pd.Series)):
        return [json_safe(v) for v in list(value)]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (int, str)):
        return value
    return str(value)


def suspect_min_score() -> float:
    """Score from which a customer meter with no rule fired is a suspect (``GRIDCHECK_DETECTION_MIN_SCORE``).
    The scoring explains only the rows that can be suspects (a rule fired, or this score)."""
    from gridcheck_analytics.detection.combine import SUSPECT_MIN_SCORE

    return float(getattr(settings, "GRIDCHECK_DETECTION_MIN_SCORE", SUSPECT_MIN_SCORE))


def _reasons(value) -> list[dict]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    reasons = json_safe(value)
    if not isinstance(reasons, list):
        return []
    return [r for r in reasons if isinstance(r, dict) and str(r.get("text") or "").strip()]


def _ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank the kept suspects per area and per station by score (1 = most suspect)."""
    order = frame.sort_values(["score", "account_number", "meter_id"], ascending=[False, True, True])
    order = order.assign(_pos=range(len(order)))
    frame = frame.assign(
        rank_in_area=order.groupby("area_id")["_pos"].rank(method="first").astype(int),
        rank_in_station=order.groupby("station_id")["_pos"].rank(method="first").astype(int),
    )
    return frame


@transaction.atomic
def suspects_save(*, run: DetectionRun, frame: pd.DataFrame) -> dict[str, int]:
    """Write the suspects of ``score_month``'s frame for the run's month, replacing earlier ones.

    A row becomes a suspect when it has at least one reason with a text and either a rule fired (a
    reason with ``source == "rule"``) or its score reaches ``GRIDCHECK_DETECTION_MIN_SCORE`` (a low
    model score alone is not a suspicion; the scoring explains only the rows that can be suspects).
    ``below_threshold`` counts the rows scored below it with no rule fired. Suspects are ranked
    again among themselves per area and station. Area and station come from the archive (the customer's), not the
    frame. A customer meter that had a work order or was dismissed keeps that decision.
    """
    month = run.month
    scored = len(frame)
    customers = {
        acct: (pk, area_id, station_id, tariff)
        for acct, pk, area_id, station_id, tariff in Customer.objects.values_list(
            "account_number", "pk", "area_id", "station_id", "tariff_code"
        )
    }
    min_score = suspect_min_score()
    rows = []
    unknown = below = 0
    candidates = []  # (row position, reasons, score): the rows that can be suspects
    raw_reasons = frame["reasons"].tolist() if "reasons" in frame else [None] * len(frame)
    raw_scores = frame["score"].tolist() if "score" in frame else [None] * len(frame)
    for i, (raw, raw_score) in enumerate(zip(raw_reasons, raw_scores, strict=True)):
        reasons = [] if isinstance(raw, list) and not raw else _reasons(raw)  # most rows: none
        score = json_safe(raw_score)
        score = 0.0 if score is None else min(max(float(score), 0.0), 1.0)
        if score < min_score and not any(r.get("source") == "rule" for r in reasons):
            below += 1  # at most the model's explanation of an unremarkable score: not a suspect
            continue
        if reasons:
            candidates.append((i, reasons, score))
    records = frame.iloc[[i for i, _r, _s in candidates]].to_dict("records")
    for rec, (_i, reasons, score) in zip(records, candidates, strict=True):
        ids = customers.get(str(rec.get("account_number")))
        if ids is None:
            unknown += 1
            continue
        rows.append(
            {
                "account_number": str(rec["account_number"]),
                "meter_id": str(rec.get("meter_id") or "")[:40],
                "customer_id": ids[0],
                "area_id": ids[1],
                "station_id": ids[2],
                "score": round(score, 6),
                "reasons": reasons,
                "tariff_code": ids[3],
                "estimated_loss_kwh": max(float(json_safe(rec.get("estimated_loss_kwh")) or 0.0), 0.0),
            }
        )
    kept = pd.DataFrame(
        rows,
        columns=[
            "account_number",
            "meter_id",
            "customer_id",
            "area_id",
            "station_id",
            "score",
            "reasons",
            "tariff_code",
            "estimated_loss_kwh",
        ],
    )
    kept = kept.drop_duplicates(["customer_id", "meter_id"])
    if len(kept):
        kept = _ranks(kept)
        kept = suspects_prioritise(kept, month=month)

    decisions = {
        (s.customer_id, s.meter_number): s
        for s in Suspect.objects.filter(month=month).exclude(status=SuspectStatus.NEW)
    }
    Suspect.objects.filter(month=month).delete()
    objs, carried = [], 0
    for rec in kept.to_dict("records"):
        obj = Suspect(
            run=run,
            month=month,
            customer_id=rec["customer_id"],
            meter_number=rec["meter_id"],
            area_id=rec["area_id"],
            station_id=rec["station_id"],
            score=rec["score"],
            rank_in_area=int(rec["rank_in_area"]),
            rank_in_station=int(rec["rank_in_station"]),
            reasons=rec["reasons"],
            probability=rec["probability"],
            estimated_loss_kwh=round(float(rec["estimated_loss_kwh"]), 1),
            recoverable_yuan=rec["recoverable_yuan"],
            expected_yuan=rec["expected_yuan_decimal"],
            priority=int(rec["priority"]),
            within_capacity=bool(rec["within_capacity"]),
        )
        old = decisions.get((obj.customer_id, obj.meter_number))
        if old is not None:
            obj.status = old.status
            obj.status_changed_at = old.status_changed_at
            obj.status_changed_by_id = old.status_changed_by_id
            obj.status_note = old.status_note
            obj.work_order_id = old.work_order_id
            carried += 1
        objs.append(obj)
    Suspect.objects.bulk_create(objs, batch_size=1000)
    # The status log follows the customer meter to its new suspect row.
    if carried:
        for pk, customer_id, meter in (
            Suspect.objects.filter(month=month)
            .exclude(status=SuspectStatus.NEW)
            .values_list("pk", "customer_id", "meter_number")
        ):
            SuspectStatusChange.objects.filter(
                month=month, customer_id=customer_id, meter_number=meter, suspect__isnull=True
            ).update(suspect_id=pk)
    area_suspects_record(month=month)
    return {
        "scored": scored,
        "suspects": len(objs),
        "areas": int(kept["area_id"].nunique()) if len(kept) else 0,
        "below_threshold": below,
        "carried_decisions": carried,
        "unknown_accounts": unknown,
    }


def tariff_prices(*, on: dt.date) -> dict[str, Decimal]:
    """``{tariff code: price [yuan/kWh]}`` of the archive's tariff catalogue in force on ``on`` (the flat
    price of a time-of-use tariff)."""
    from gridcheck.archive.models import Tariff

    prices: dict[str, Decimal] = {}
    for code, price in (
        Tariff.objects.filter(effective_from__lte=on)
        .order_by("code", "effective_from")
        .values_list("code", "price_yuan_per_kwh")
    ):
        prices[code] = price  # the latest version by then wins
    return prices


def inspection_capacity(*, month: dt.date) -> int:
    """Visits per month a station can make to suspects: the rule-table row
    ``detection.inspection_visits_per_month`` (a station rule) in force at the month's end."""
    from gridcheck.core.periods import month_end
    from gridcheck.core.rules import rule_int

    return rule_int("detection.inspection_visits_per_month", on=month_end(month))


def detection_calibration():
    """The fitted score calibration of the model registry (``calibration.json``), or ``None``."""
    from gridcheck_analytics.detection.calibration import load_calibration

    return load_calibration(detection_model_dir())


def _suspect_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``score_month``'s frame that ``suspects_save`` keeps as suspects (reasons, and a rule
    fired or the score at least ``GRIDCHECK_DETECTION_MIN_SCORE``)."""
    min_score = suspect_min_score()
    keep = []
    for rec in frame[["score", "reasons"]].to_dict("records"):
        reasons = _reasons(rec.get("reasons"))
        score = float(json_safe(rec.get("score")) or 0.0)
        keep.append(bool(reasons) and (score >= min_score or any(r.get("source") == "rule" for r in reasons)))
    return frame[np.asarray(keep, dtype=bool)] if len(frame) else frame


def month_truth_labels(truth: pd.DataFrame, month: dt.date) -> set[str]:
    """Meters of the simulator's truth (``meter_truth.parquet``) stealing during ``month``."""
    from gridcheck.core.periods import month_end

    start, end = pd.Timestamp(month.replace(day=1)), pd.Timestamp(month_end(month))
    t = truth[truth["truth"] == "theft"]
    active = (pd.to_datetime(t["start_date"]) <= end) & (pd.to_datetime(t["end_date"]) >= start)
    return set(t.loc[active, "meter_id"].astype(str))


def detection_calibration_fit(
    *, truth: pd.DataFrame | None = None, truth_month: dt.date | None = None, method: str = "auto"
) -> dict:
    """Fit the score calibration on inspection outcomes and save it in the model registry.

    Outcomes: every suspect whose inspection closed (``Suspect.outcome``: theft or violation confirmed
    1, nothing found 0) with the score it had, plus, when ``truth`` is given (the demo's simulator
    truth), the suspects ``score_month`` would keep in ``truth_month`` (1: the meter steals that month,
    0: it does not). Scored with the model of :func:`detection_model_load`. Raises ``ValueError`` with
    too few outcomes of a class (:data:`gridcheck_analytics.detection.calibration.MIN_PER_CLASS`).
    """
    from gridcheck.detection.choices import SuspectOutcome
    from gridcheck_analytics.detection.calibration import fit_calibration, save_calibration

    scores, outcomes = [], []
    closed = Suspect.objects.exclude(outcome="").values_list("score", "outcome")
    for score, outcome in closed:
        scores.append(float(score))
        outcomes.append(int(outcome in (SuspectOutcome.THEFT, SuspectOutcome.VIOLATION)))
    sources = {"closed_cases": len(scores)}
    if truth is not None and truth_month is not None:
        from gridcheck_analytics.backends import connect
        from gridcheck_analytics.suspects import score_month

        backend = getattr(settings, "GRIDCHECK_ANALYSIS_BACKEND", "duckdb")
        model, _version = detection_model_load()
        con = connect(backend)
        try:
            frame = score_month(
                meter_store(),
                archive_frames(),
                f"{truth_month:%Y-%m}",
                backend=backend,
                model=model,
                con=con,
                explain_min_score=suspect_min_score(),
            )
        finally:
            con.disconnect()
        kept = _suspect_rows(frame)
        thieves = month_truth_labels(truth, truth_month)
        scores.extend(kept["score"].astype(float).tolist())
        outcomes.extend(int(m in thieves) for m in kept["meter_id"].astype(str))
        sources["simulator"] = int(len(kept))
        sources["simulator_month"] = f"{truth_month:%Y-%m}"
    calibration = fit_calibration(scores, outcomes, method=method, sources=sources)
    save_calibration(detection_model_dir(), calibration)
    return calibration


def _yuan(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def suspects_prioritise(kept: pd.DataFrame, *, month: dt.date) -> pd.DataFrame:
    """Add the calibrated probability, the recoverable and expected yuan, the station priority and the
    month's inspection list (``within_capacity``) to the kept suspects.

    Probability: :func:`gridcheck_analytics.detection.calibration.apply_calibration` of the score (NaN
    without a calibration: the list keeps the score's order). Recoverable yuan: the estimated unmetered
    kWh x the customer's tariff in force at the month's end. Capacity: :func:`inspection_capacity`.
    """
    from gridcheck.core.periods import month_end
    from gridcheck_analytics.detection.calibration import apply_calibration, prioritise

    prices = tariff_prices(on=month_end(month))
    probability = apply_calibration(detection_calibration(), kept["score"].to_numpy(dtype=float))
    kept = kept.assign(probability=probability)
    recoverable = [
        _yuan(Decimal(str(round(kwh, 1))) * prices[code]) if code in prices else None
        for kwh, code in zip(kept["estimated_loss_kwh"], kept["tariff_code"], strict=True)
    ]
    kept["recoverable_yuan"] = recoverable
    kept["_recoverable"] = [float(v) if v is not None else 0.0 for v in recoverable]
    kept = prioritise(kept, capacity=inspection_capacity(month=month), recoverable="_recoverable")
    kept["probability"] = [None if math.isnan(p) else round(float(p), 4) for p in kept["probability"]]
    kept["expected_yuan_decimal"] = [
        None if p is None or r is None else _yuan(Decimal(str(p)) * r)
        for p, r in zip(kept["probability"], kept["recoverable_yuan"], strict=True)
    ]
    return kept


def area_suspects_record(*, month: dt.date) -> int:
    """Tell the month's line-loss results which customers of each area are suspected (not dismissed) and
    how much of the area's loss they explain (kWh, and its expectation under the calibrated probability)."""
    from gridcheck.lineloss.services import area_theft_suspects_set

    suspects: dict[int, list[str]] = {}
    explained: dict[int, float] = {}
    expected: dict[int, float] = {}
    for area_id, account, kwh, probability in (
        Suspect.objects.filter(month=month)
        .exclude(status=SuspectStatus.DISMISSED)
        .order_by("area_id", "rank_in_area")
        .values_list("area_id", "customer__account_number", "estimated_loss_kwh", "probability")
    ):
        suspects.setdefault(area_id, []).append(account)
        kwh = float(kwh or 0.0)
        # What the suspects would explain if found, and its expectation under the calibrated probability
        # (the whole of it while no calibration is fitted).
        explained[area_id] = explained.get(area_id, 0.0) + kwh
        weight = 1.0 if probability is None else float(probability)
        expected[area_id] = expected.get(area_id, 0.0) + weight * kwh
    return area_theft_suspects_set(
        month=month, suspects=suspects, explained_kwh=explained, expected_kwh=expected
    )


# -- acting on a suspect -----------------------------------------------------------------------------


def _status_change(*, suspect: Suspect, to_status: str, user, note: str = "", work_order=None) -> None:
    now = timezone.now()
    change = SuspectStatusChange(
        suspect=suspect,
        customer_id=suspect.customer_id,
        station_id=suspect.station_id,
        area_id=suspect.area_id,
        month=suspect.month,
        meter_number=suspect.meter_number,
        from_status=suspect.status,
        to_status=to_status,
        changed_by=user,
        note=note[:300],
        work_order=work_order,
    )
    change.full_clean()
    change.save()
    suspect.status = to_status
    suspect.status_changed_at = now
    suspect.status_changed_by = user
    suspect.status_note = note[:300]
    if work_order is not None:
        suspect.work_order = work_order
    suspect.full_clean()
    suspect.save()


def work_order_reason(suspect: Suspect) -> str:
    """The work order's reason, in Chinese for the inspector: month, score and the suspect's reasons."""
    with translation.override(settings.LANGUAGE_CODE):
        head = _("Theft suspect %(month)s (score %(score).2f, rank %(rank)s in the area)") % {
            "month": f"{suspect.month:%Y-%m}",
            "score": suspect.score,
            "rank": suspect.rank_in_area,
        }
        lines = [f"{i}. {r['text']}" for i, r in enumerate(suspect.reasons, start=1)]
        meter = _("Meter %(meter)s") % {"meter": suspect.meter_number} if suspect.meter_number else ""
    return "\n".join([head + (f" · {meter}" if meter else ""), *lines])


def inspections_available() -> bool:
    if not apps.is_installed("gridcheck.inspections"):
        return False
    try:
        from gridcheck.inspections.services import work_order_create  # noqa: F401
    except ImportError:
        return False
    return True


@transaction.atomic
def suspect_work_order_create(*, suspect: Suspect, user, due_on: dt.date | None = None):
    """Create an inspection work order for ``suspect`` (the "生成检查工单" button) and mark the suspect.

    Calls ``gridcheck.inspections.services.work_order_create(source="suspect", ...)``; raises
    ``WorkOrderUnavailable`` when the inspections app is not installed, ``ValidationError`` when the
    suspect already has a work order. The status change is logged (``SuspectStatusChange``).
    """
    if not inspections_available():
        raise WorkOrderUnavailable(_("Inspection work orders are not available."))
    from gridcheck.inspections.services import work_order_create

    suspect = Suspect.objects.select_for_update().select_related("customer").get(pk=suspect.pk)
    if suspect.status == SuspectStatus.WORK_ORDER_CREATED and suspect.work_order_id:
        raise ValidationError(_("This suspect already has a work order."))
    work_order = work_order_create(
        source="suspect",
        customer=suspect.customer,
        reason=work_order_reason(suspect),
        created_by=user,
        due_on=due_on,
        related=suspect,
    )
    _status_change(
        suspect=suspect, to_status=SuspectStatus.WORK_ORDER_CREATED, user=user, work_order=work_order
    )
    return work_order


@transaction.atomic
def suspect_dismiss(*, suspect: Suspect, user, note: str) -> Suspect:
    """Set a suspect aside (e.g. a known seasonal business), with the reason why; logged."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say why the suspect is dismissed."))
    suspect = Suspect.objects.select_for_update().get(pk=suspect.pk)
    if suspect.status == SuspectStatus.WORK_ORDER_CREATED:
        raise ValidationError(_("A suspect with a work order is followed up there."))
    _status_change(suspect=suspect, to_status=SuspectStatus.DISMISSED, user=user, note=note)
    area_suspects_record(month=suspect.month)
    return suspect


@transaction.atomic
def suspect_reopen(*, suspect: Suspect, user, note: str = "") -> Suspect:
    """Put a dismissed suspect back on the list; logged."""
    suspect = Suspect.objects.select_for_update().get(pk=suspect.pk)
    if suspect.status != SuspectStatus.DISMISSED:
        raise ValidationError(_("Only a dismissed suspect can be reopened."))
    _status_change(suspect=suspect, to_status=SuspectStatus.NEW, user=user, note=note)
    area_suspects_record(month=suspect.month)
    return suspect


# --- the closed loop: what the inspection of a suspect proved -----------------------------------------


def suspect_outcomes_record(*, work_order, outcome: str | None = None) -> int:
    """Record on the suspects of ``work_order`` what their inspection proved: ``outcome`` when given (a
    closed case's kind), else a case opened from the work order's visits (theft or violation), else no
    problem found. Returns how many suspects were updated. The closed cases are also the supervised
    model's labels (``detection_model_train``)."""
    from gridcheck.cases.models import Case
    from gridcheck.detection.choices import SuspectOutcome

    if outcome is None:
        kinds = set(
            Case.objects.filter(visit__work_order=work_order)
            .exclude(status="rejected")
            .values_list("kind", flat=True)
        )
        outcome = (
            SuspectOutcome.THEFT
            if "theft" in kinds
            else SuspectOutcome.VIOLATION
            if "violation" in kinds
            else SuspectOutcome.NO_PROBLEM
        )
    return Suspect.objects.filter(work_order=work_order).update(
        outcome=outcome, outcome_on=timezone.localdate()
    )


def on_work_order_closed(sender, *, work_order, **kwargs) -> None:
    suspect_outcomes_record(work_order=work_order)


def on_case_closed(sender, *, case, **kwargs) -> None:
    from gridcheck.detection.choices import SuspectOutcome

    work_order = getattr(case.visit, "work_order", None) if case.visit_id else None
    if work_order is not None:
        suspect_outcomes_record(work_order=work_order, outcome=SuspectOutcome(case.kind))
