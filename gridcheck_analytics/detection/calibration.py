"""Scores that rank: the suspicion score calibrated to the probability that an inspection confirms theft or
a violation, the energy a suspect's month lacks, and the expected recovery that orders the list.

* :func:`fit_calibration` fits an isotonic regression (or Platt's logistic curve) of inspection outcomes
  (1: theft or violation confirmed; 0: nothing found) on the score the suspect had; the closed cases and,
  in the demo, the simulator's truth are the outcomes. The fitted curve is kept as its breakpoints (JSON),
  :func:`apply_calibration` maps scores to probabilities by linear interpolation between them.
* :func:`estimated_loss_kwh` estimates what a customer-month lacks against its own baselines: the
  customer's history times the peers' seasonal change, the 30 days before its latest theft-type event, and
  the same month a year before; the highest baseline minus the month's mean, times the month's days.
* :func:`prioritise` orders a station's suspects by expected recoverable yuan (probability x estimated
  kWh x the customer's tariff) and marks the first ``capacity`` of each station: the month's inspection
  list.

References
----------
.. [1] B. Zadrozny and C. Elkan, "Transforming classifier scores into accurate multiclass probability
   estimates", KDD 2002 (isotonic calibration).
.. [2] J. Platt, "Probabilistic outputs for support vector machines and comparisons to regularized
   likelihood methods", in *Advances in Large Margin Classifiers*, MIT Press, 1999.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

#: File of the calibration in the model registry.
CALIBRATION = "calibration.json"
#: Outcomes of each class needed before a calibration is fitted (below it the curve is noise).
MIN_PER_CLASS = 5
METHODS = ("auto", "isotonic", "platt")
#: ``auto`` fits the isotonic steps from this many outcomes on, Platt's curve below it: isotonic
#: regression over a few dozen outcomes makes steps of probability 0 and 1 that no inspection supports
#: (Niculescu-Mizil and Caruana, "Predicting good probabilities with supervised learning", ICML 2005:
#: isotonic overfits below about a thousand calibration samples, where Platt's two parameters do better).
ISOTONIC_MIN_OUTCOMES = 1000


def fit_calibration(scores, outcomes, *, method: str = "auto", sources: dict | None = None) -> dict:
    """Fit the probability of a confirmed finding given the suspicion score.

    Parameters
    ----------
    scores : array-like
        Suspicion scores [0-1] the inspected suspects had.
    outcomes : array-like of {0, 1}
        1 when the inspection confirmed theft or a violation, 0 when it found nothing.
    method : {'auto', 'isotonic', 'platt'}
        ``sklearn.isotonic.IsotonicRegression`` (monotone steps) or a logistic regression on the score
        (Platt); ``auto``: isotonic from :data:`ISOTONIC_MIN_OUTCOMES` outcomes on, else Platt.
    sources : dict, optional
        Counts of outcomes per source (e.g. ``{"cases": 40, "simulator": 900}``), kept in the result.

    Returns
    -------
    dict
        ``method``, ``x`` and ``y`` (the curve's breakpoints: score -> probability, ``x`` increasing),
        ``n``, ``n_positive``, ``sources``, ``fitted_at`` (UTC, ISO).

    Raises
    ------
    ValueError
        Unknown method, or fewer than :data:`MIN_PER_CLASS` outcomes of a class.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    s = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    y = np.asarray(outcomes, dtype=int)
    ok = ~np.isnan(s)
    s, y = s[ok], y[ok]
    n1, n0 = int((y == 1).sum()), int((y == 0).sum())
    if min(n1, n0) < MIN_PER_CLASS:
        raise ValueError(
            f"too few outcomes to calibrate: {n1} confirmed and {n0} without finding; "
            f"at least {MIN_PER_CLASS} of each are needed"
        )
    if method == "auto":
        method = "isotonic" if len(y) >= ISOTONIC_MIN_OUTCOMES else "platt"
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)
        x, p = iso.X_thresholds_, iso.y_thresholds_
    else:
        from sklearn.linear_model import LogisticRegression

        # Platt's targets: (N+ + 1) / (N+ + 2) for a positive, 1 / (N- + 2) for a negative, so that no
        # outcome is taken as certain; fitted as weighted pairs (label 1 with weight t, label 0 with 1 - t).
        t = np.where(y == 1, (n1 + 1) / (n1 + 2), 1 / (n0 + 2))
        xs = np.concatenate([s, s]).reshape(-1, 1)
        ys = np.concatenate([np.ones(len(s)), np.zeros(len(s))])
        lr = LogisticRegression(C=1e6).fit(xs, ys, sample_weight=np.concatenate([t, 1 - t]))
        x = np.linspace(0.0, 1.0, 101)
        p = lr.predict_proba(x.reshape(-1, 1))[:, 1]
    return {
        "method": method,
        "x": [round(float(v), 6) for v in x],
        "y": [round(float(v), 6) for v in p],
        "n": int(len(y)),
        "n_positive": n1,
        "sources": dict(sources or {}),
        "fitted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def apply_calibration(calibration: dict | None, scores) -> np.ndarray:
    """Probabilities [0-1] of ``scores`` on the calibration's curve; NaN everywhere without one."""
    s = np.asarray(scores, dtype=float)
    if not calibration or not calibration.get("x"):
        return np.full(s.shape, np.nan)
    x = np.asarray(calibration["x"], dtype=float)
    y = np.asarray(calibration["y"], dtype=float)
    if len(x) == 1:
        return np.where(np.isnan(s), np.nan, y[0])
    return np.clip(np.interp(s, x, y), 0.0, 1.0)


def save_calibration(registry, calibration: dict) -> Path:
    """Write ``<registry>/calibration.json`` (whole, then renamed into place)."""
    root = Path(registry)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{CALIBRATION}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(calibration, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, root / CALIBRATION)
    return root / CALIBRATION


def load_calibration(registry) -> dict | None:
    """The registry's calibration, ``None`` when none was fitted."""
    path = Path(registry) / CALIBRATION
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return pd.to_numeric(frame[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=frame.index, dtype=float)


def estimated_loss_kwh(features: pd.DataFrame) -> pd.Series:
    """Energy a customer-month lacks against its own baselines [kWh in the month], at least 0.

    Baselines [kWh/day]: the history mean (``hist_mean_kwh``) times the peers' change over the same months
    (``ratio_to_own / peer_own_ratio``: the season), the mean of the 30 days before the latest theft-type
    event (``mean_kwh / post_event_ratio``) and the same month a year before (``last_year_mean_kwh``).
    The highest available one minus ``mean_kwh``, times ``days``; 0 when none is available.
    """
    mean = _col(features, "mean_kwh")
    hist = _col(features, "hist_mean_kwh")
    with np.errstate(divide="ignore", invalid="ignore"):
        season = _col(features, "ratio_to_own") / _col(features, "peer_own_ratio")
        season = season.where(np.isfinite(season) & (season > 0), 1.0)
        pre_event = mean / _col(features, "post_event_ratio")
    pre_event = pre_event.where(np.isfinite(pre_event))
    baselines = pd.concat([hist * season, pre_event, _col(features, "last_year_mean_kwh")], axis=1)
    baseline = baselines.max(axis=1, skipna=True)
    days = _col(features, "days").fillna(30.0)
    lack = ((baseline - mean).clip(lower=0.0) * days).fillna(0.0)
    return lack.round(1)


def prioritise(
    suspects: pd.DataFrame,
    *,
    capacity: int,
    station: str = "station_id",
    probability: str = "probability",
    recoverable: str = "recoverable_yuan",
    score: str = "score",
) -> pd.DataFrame:
    """Order each station's suspects by expected recovery and mark the station's inspection list.

    ``expected_yuan = probability x recoverable`` (NaN probability: the list keeps the score's order);
    ties and uncalibrated suspects fall back to the score. ``priority`` is the position in the station
    (1 = inspect first); ``within_capacity`` marks the first ``capacity`` of each station.
    """
    out = suspects.copy()
    p = pd.to_numeric(out[probability], errors="coerce").astype(float)
    amount = pd.to_numeric(out[recoverable], errors="coerce").astype(float).fillna(0.0)
    out["expected_yuan"] = (p * amount).round(2)
    key = out["expected_yuan"].fillna(-1.0)
    order = out.assign(_key=key).sort_values(
        [station, "_key", score], ascending=[True, False, False], kind="mergesort"
    )
    order["priority"] = order.groupby(station).cumcount() + 1
    out["priority"] = order["priority"].reindex(out.index).astype(int)
    out["within_capacity"] = out["priority"] <= int(capacity)
    return out
