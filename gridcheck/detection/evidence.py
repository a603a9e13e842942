"""How the evidence behind a reason is shown: labels with units for the analytics' feature names.

The analytics put the feature values a rule looked at into each reason's ``evidence`` dict under their
feature names (``gridcheck_analytics.features``); this maps them to what an inspector reads. A name not
listed here is shown as it is.
"""

from django.utils.translation import gettext_lazy as _

from gridcheck_analytics.schema import category_name

#: feature name -> (label, unit or "", kind); kind: "ratio" (shown as %), "number", "text", "event".
EVIDENCE_LABELS = {
    "mean_kwh": (_("Daily mean this month"), "kWh", "number"),
    "hist_mean_kwh": (_("Daily mean of the months before"), "kWh", "number"),
    "last_year_mean_kwh": (_("Daily mean in the same month last year"), "kWh", "number"),
    "yoy_ratio": (_("This month / the same month last year"), "", "ratio"),
    "ratio_to_own": (_("This month / own history"), "", "ratio"),
    "peer_own_ratio": (_("Peers' change (this month / history)"), "", "ratio"),
    "post_event_ratio": (_("After the event / before it"), "", "ratio"),
    "pre_event_mean_kwh": (_("Daily mean in the 30 days before the event"), "kWh", "number"),
    "last_event_code": (_("Meter event"), "", "event"),
    "last_event_date": (_("Event date"), "", "text"),
    "area_loss_rate_percent": (_("Area loss rate this month"), "%", "number"),
    "area_loss_change_pp": (_("Change of the area loss rate"), _("pp"), "number"),
    "loss_corr": (_("Correlation with the area's daily loss"), "", "number"),
    "max_kwh": (_("Busiest day"), "kWh", "number"),
    "max_kwh_per_day": (_("Most the supply can deliver per day"), "kWh", "number"),
    "capacity_ratio": (_("Busiest day / contracted capacity × 24 h"), "", "ratio"),
    "meter_limit_ratio": (_("Busiest day / meter maximum × 24 h"), "", "ratio"),
    "contracted_capacity_kva": (_("Contracted capacity"), "kVA", "number"),
    "zero_share": (_("Share of days with zero consumption"), "", "ratio"),
    "zero_days": (_("Days with zero consumption"), _("days"), "number"),
    "ct_load_percent": (_("Load / CT rated primary current"), "%", "number"),
    "low_voltage_share": (_("Share of readings below 80 % voltage"), "", "ratio"),
    "imbalance_rate": (_("Three-phase current imbalance"), "", "ratio"),
    "negative_days": (_("Days with reverse energy"), _("days"), "count"),
    "events_reversed": (_("Reverse-energy events"), "", "count"),
    "theft_events_recent": (_("Theft-type meter events lately"), "", "count"),
    "multiplier": (_("Multiplier"), "", "number"),
    "category": (_("Category"), "", "category"),
    "night_share": (_("Share of consumption at night (0-6 h)"), "", "ratio"),
    "min_change_ratio": (_("Largest month-on-month fall"), "", "ratio"),
    "change_ratio": (_("This month / last month"), "", "ratio"),
    "peer_ratio": (_("Consumption / peers in the area"), "", "ratio"),
    "contribution": (_("Contribution"), "", "number"),
    "score": (_("Model score"), "", "number"),
    "peer_score": (_("Peer-group score"), "", "number"),
}

EVENT_LABELS = {
    "cover_opened": _("Meter cover opened"),
    "loss_of_voltage": _("Loss of voltage"),
    "loss_of_current": _("Loss of current"),
    "reversed": _("Reverse energy"),
    "phase_failure": _("Phase failure"),
}


def _number(value) -> str:
    value = float(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _kind(key: str) -> tuple[str, str]:
    """(unit, kind) guessed from a feature name not listed above."""
    if key.endswith("_kwh"):
        return "kWh", "number"
    if key.endswith(("_ratio", "_share")):
        return "", "ratio"
    if key.endswith("_percent"):
        return "%", "number"
    if key.endswith("_days") or key.startswith("events_"):
        return "", "count"
    return "", "text"


def _label(key: str):
    from gridcheck_analytics.features import FEATURE_NAMES_ZH

    if key in EVIDENCE_LABELS:
        return EVIDENCE_LABELS[key]
    return (FEATURE_NAMES_ZH.get(key, key), *_kind(key))


def _format(value, unit, kind) -> str:
    if value is None or value == "":
        return "—"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "ratio" and number:
        return f"{float(value) * 100:.0f} %"
    if kind == "count" and number:
        return f"{float(value):,.0f} {unit}".strip()
    if kind == "number" and number:
        return f"{_number(value)} {unit}".strip()
    if kind == "event":
        return str(EVENT_LABELS.get(value, value))
    if kind == "category":
        return category_name(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | dict):
        return ", ".join(f"{v}" for v in (value if isinstance(value, list) else value.values()))
    text = str(value)
    return text[:10] if len(text) == 19 and text.endswith(" 00:00:00") else text


def evidence_rows(evidence) -> list[dict]:
    """``[{"key", "label", "value"}]`` of a reason's evidence, in the order given, for people.

    A model's reason carries ``{"feature", "value", "contribution"}``: shown as the feature's value and
    its contribution.
    """
    rows = []
    if not isinstance(evidence, dict):
        return rows
    if "feature" in evidence and "value" in evidence:
        label, unit, kind = _label(str(evidence["feature"]))
        rows.append(
            {"key": evidence["feature"], "label": str(label), "value": _format(evidence["value"], unit, kind)}
        )
        evidence = {k: v for k, v in evidence.items() if k not in ("feature", "value")}
    for key, value in evidence.items():
        label, unit, kind = _label(key)
        rows.append({"key": key, "label": str(label), "value": _format(value, unit, kind)})
    return rows
