"""Combine rule and model scores into one ranked list per area and station, with reasons in Chinese.

Score [0, 1], higher = more suspect::

    score = 1 - (1 - rule_score) x (1 - model_weight x model_score)

``rule_score`` = 1 - prod(1 - weight) over the fired rules (:func:`gridcheck_analytics.rules.rule_score`);
``model_score`` is the supervised model's theft probability, or, without a model, the peer-group robust
score mapped to [0, 1] by ``1 - exp(-z / unsupervised_scale)``.  Each suspect's reasons are its fired
rules (strongest first) followed by the model's largest contributions (SHAP values of the supervised
model, or the largest directional z-scores of the peer-group scorer), so every suspect has at least one
reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridcheck_analytics.features import FEATURE_NAMES_ZH
from gridcheck_analytics.memory import gc_paused
from gridcheck_analytics.rules import RULE_VALUES, DetectionRules, evaluate_rules, rule_score

#: Direction in which each feature is suspicious: -1 low, +1 high (the unsupervised scorer's features).
DIRECTIONS = {
    "ratio_to_own": -1,
    "peer_own_ratio": -1,
    "min_change_ratio": -1,
    "trend_per_month": -1,
    "post_event_ratio": -1,
    "loss_corr": -1,
    "zero_share": 1,
    "negative_days": 1,
    "theft_events_recent": 1,
    "low_voltage_share": 1,
}
UNSUPERVISED_FEATURES = list(DIRECTIONS)

#: Weight of the model in the combined score.
SUPERVISED_WEIGHT = 0.8
UNSUPERVISED_WEIGHT = 0.6
#: Score from which a row without a fired rule is a suspect (the Django setting
#: ``GRIDCHECK_DETECTION_MIN_SCORE`` defaults to it); below it, and with no rule fired, the model's
#: explanation is not needed (``combine_scores(..., explain_min_score=)``).
SUSPECT_MIN_SCORE = 0.5
#: The peer-group scorer's z cap (z-scores are clipped there).
Z_CAP = 10.0
#: z at which the unsupervised score reaches 1 - 1/e.
UNSUPERVISED_SCALE = 6.0


def unsupervised_scores(features: pd.DataFrame, *, group_columns=("area_code", "category", "month")):
    """Peer-group robust suspicion (z units) and per-feature z of every row."""
    from gridcheck_analytics.detection.estimators import peer_group_scores

    cols = [c for c in UNSUPERVISED_FEATURES if c in features.columns]
    groups = [c for c in group_columns if c in features.columns]
    fallback = [c for c in groups if c != "area_code"]
    scores = peer_group_scores(
        features, cols, groups, directions=[DIRECTIONS[c] for c in cols], fallback_columns=fallback
    )
    return scores, cols


def _shown(value: float) -> str:
    """A feature's value in a reason: a whole number (a count of days or events) without decimals,
    other values to two."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _model_reason(feature: str, value, contribution: float, kind: str) -> dict:
    name = FEATURE_NAMES_ZH.get(feature, feature)
    missing = value is None or pd.isna(value)
    if kind == "shap":
        shown = "缺失" if missing else f"为{_shown(value)}"
        text = f"模型判断：{name}{shown}，使窃电嫌疑上升（贡献{contribution:+.2f}）"
    else:
        size = f"{contribution:.1f}" if contribution < Z_CAP else f"超过{Z_CAP:.0f}"
        shown = "-" if missing else _shown(value)
        text = f"与同台区同类用户相比：{name}为{shown}，偏离同类中位数{size}个稳健标准差"
    return {
        "code": f"model_{feature}",
        "text": text,
        "method": "unspecified",
        "method_zh": "窃电方法待现场核实",
        "evidence": {
            "feature": feature,
            "value": None if missing else float(value),
            "contribution": round(float(contribution), 4),
        },
        "source": "model",
    }


def _z_reasons(features):
    """``reason(c, value, z)``: :func:`_model_reason` of ``features[c]`` with kind ``"z"``, the same dict,
    from Python floats and with the feature's names looked up once (it runs for every explained row)."""
    names = [FEATURE_NAMES_ZH.get(c, c) for c in features]
    codes = [f"model_{c}" for c in features]
    method_zh = "窃电方法待现场核实"
    over = f"超过{Z_CAP:.0f}"

    def reason(c: int, value: float, contribution: float) -> dict:
        missing = value != value  # NaN
        size = f"{contribution:.1f}" if contribution < Z_CAP else over
        shown = "-" if missing else _shown(value)
        return {
            "code": codes[c],
            "text": f"与同台区同类用户相比：{names[c]}为{shown}，偏离同类中位数{size}个稳健标准差",
            "method": "unspecified",
            "method_zh": method_zh,
            "evidence": {
                "feature": features[c],
                "value": None if missing else value,
                "contribution": round(contribution, 4),
            },
            "source": "model",
        }

    return reason


def combine_scores(
    features: pd.DataFrame,
    *,
    model=None,
    model_features: list[str] | None = None,
    top_reasons: int = 3,
    explain_top: int | None = None,
    explain_min_score: float | None = None,
    rules: DetectionRules = RULE_VALUES,
    feature_rows: bool = False,
) -> pd.DataFrame:
    """Score every customer-month and attach its reasons.

    Parameters
    ----------
    features : pandas.DataFrame
        Customer-month features (:func:`gridcheck_analytics.features.customer_month_features`).
    model : LightGBMTheftClassifier, optional
        Supervised model; without one the peer-group robust score is used.
    model_features : list of str, optional
        Columns the model was trained on (default :data:`gridcheck_analytics.features.FEATURE_COLUMNS`).
    top_reasons : int
        Model contributions listed per suspect.
    explain_top : int, optional
        Explain only the ``explain_top`` highest-scored rows, the suspects list (the others carry their
        fired rules only, possibly none); all rows when None.
    explain_min_score : float, optional
        Explain only the rows that can become suspects: a rule fired, or the score at least this
        (:data:`SUSPECT_MIN_SCORE` where the caller keeps suspects that way); the others carry no
        reasons. With ``explain_top`` both must hold. All rows when None. The model's explanation is
        most of the scoring's time (SHAP values, or the reasons' dicts and their JSON), and most rows of
        a month are neither.
    rules : DetectionRules
        Thresholds of the rule detectors (default: the rule-table rows in force today).
    feature_rows : bool
        Add ``feature_row``: each row's position in ``features`` (what
        :func:`gridcheck_analytics.suspects.with_estimated_loss` reads instead of looking up meter ids).

    Returns
    -------
    pandas.DataFrame
        ``features``' identifier columns, ``rule_score``, ``model_score``, ``score`` [0-1],
        ``rank_in_area``, ``rank_in_station`` (1 = most suspect) and ``reasons`` (list of dicts: code,
        text, method, method_zh, evidence, source), sorted by score descending.
    """
    from gridcheck_analytics.features import FEATURE_COLUMNS

    f = features.reset_index(drop=True)
    fired = evaluate_rules(f, rules)
    r = rule_score(f, fired)
    (u, z), ucols = unsupervised_scores(f)
    if model is not None:
        cols = model_features or FEATURE_COLUMNS
        missing = [c for c in cols if c not in f.columns]
        if missing:
            raise ValueError(
                f"the model expects feature column(s) the customer-month features lack: {', '.join(missing)}; "
                "use a model trained on gridcheck_analytics.features.FEATURE_COLUMNS"
            )
        X = f[cols].to_numpy(dtype=float)
        m = model.suspicion_score(X)
        score = 1.0 - (1.0 - r) * (1.0 - SUPERVISED_WEIGHT * m)
    else:
        m = 1.0 - np.exp(-u / UNSUPERVISED_SCALE)
        score = 1.0 - (1.0 - r) * (1.0 - UNSUPERVISED_WEIGHT * m)
    out = f[
        [
            c
            for c in ("meter_id", "account_number", "area_code", "station_code", "category", "month")
            if c in f
        ]
    ].copy()
    out["rule_score"] = r
    out["model_score"] = m
    out["score"] = score
    # reasons
    by_row: dict[int, list] = {}
    if len(fired):
        key = pd.MultiIndex.from_frame(f[["meter_id", "month"]])
        pos = pd.Series(np.arange(len(f)), index=key)
        fired = fired.assign(
            _row=pos.reindex(pd.MultiIndex.from_frame(fired[["meter_id", "month"]])).to_numpy()
        )
        # one pass over the fired rows (in their order), not one frame per customer-month
        keys = ("code", "text", "method", "method_zh", "evidence")
        columns = [fired[k].tolist() for k in keys]
        for row, *values in zip(fired["_row"].tolist(), *columns, strict=True):
            by_row.setdefault(int(row), []).append(dict(zip(keys, values, strict=True)) | {"source": "rule"})
    order = np.argsort(-score, kind="stable")
    explained = order if explain_top is None else order[:explain_top]
    if explain_min_score is not None:
        candidate = np.asarray(score, dtype=float) >= explain_min_score
        if by_row:
            candidate[np.fromiter(by_row, dtype=np.int64, count=len(by_row))] = True
        explained = explained[candidate[explained]]
    contrib_rows = {}
    if model is not None and len(explained):
        cols = model_features or FEATURE_COLUMNS
        sv = model.shap_values(f.loc[explained, cols].to_numpy(dtype=float))
        for j, i in enumerate(explained):
            idx = np.argsort(-sv[j])[:top_reasons]
            contrib_rows[int(i)] = [
                _model_reason(cols[c], f.at[i, cols[c]], sv[j, c], "shap") for c in idx if sv[j, c] > 0
            ]
    zcols = np.asarray(ucols)
    values = f[ucols].to_numpy(dtype=float)
    full = np.zeros(len(f), dtype=bool)
    full[explained] = True
    with gc_paused():  # a list per row: the cyclic collector would walk the heap many times over
        reasons = [by_row.get(i, []) for i in range(len(f))]  # outside the explained top: fired rules
    rows = np.flatnonzero(full)
    # the top z of every explained row (only those: a row's order is its own) as Python numbers, once
    # (not one NumPy scalar per reason)
    z_rows = z[rows]
    ztop = np.argsort(-z_rows, axis=1)[:, :top_reasons] if z.shape[1] else np.zeros((len(rows), 0), dtype=int)
    top_c = ztop.tolist()
    top_z = np.take_along_axis(z_rows, ztop, axis=1).tolist()
    top_v = np.take_along_axis(values[rows], ztop, axis=1).tolist()
    z_reason = _z_reasons(zcols)
    for i, idx, zs, vs in zip(rows.tolist(), top_c, top_z, top_v, strict=True):
        rs = reasons[i]
        extra = contrib_rows.get(i)
        if not extra:
            extra = [z_reason(c, v, zz) for c, zz, v in zip(idx, zs, vs, strict=True) if zz > 0]
            if not extra and not rs and idx:
                extra = [z_reason(idx[0], vs[0], zs[0])]
        reasons[i] = rs + extra
    out["reasons"] = reasons
    if feature_rows:
        out["feature_row"] = np.arange(len(f), dtype=np.int64)
    out = out.iloc[order].reset_index(drop=True)
    for level in ("area", "station"):
        col = f"{level}_code"
        if col in out:
            # the rows are in score order (ties in the features' order): a row's rank in its group is
            # its place there, what ``rank(method="first", ascending=False)`` of the score gives
            out[f"rank_in_{level}"] = (
                out.groupby([col, "month"] if "month" in out else [col], dropna=False, sort=False)
                .cumcount()
                .to_numpy(dtype=np.int64)
                + 1
            )
    return out
