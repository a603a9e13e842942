"""The likely causes of a flagged area, from the analysis' cause texts to structured data and Chinese.

``gridcheck_analytics.lineloss.area_flags`` names causes as short English texts (``"low reading rate
95.0 %"``, ``"events: cover_opened x 2"``...). They are parsed here once into structured causes
(``{"code": ..., ...}``, kept in ``AreaMonthLoss.causes``) and rendered for people through gettext.
Flags with no cause in the data get the usual field explanation (negative loss: a wrong customer-area
link or multiplier; loss above target with full readings: theft or unmetered supply).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from gridcheck.readings.choices import EventCode

_PATTERNS = [
    (re.compile(r"low reading rate ([\d.]+) %"), lambda m: {"code": "low_reading_rate", "rate": float(m[1])}),
    (
        re.compile(r"large customer's drop: meter (\S+) ([\d.]+) -> ([\d.]+) kWh"),
        lambda m: {
            "code": "customer_drop",
            "meter": m[1],
            "before_kwh": float(m[2]),
            "after_kwh": float(m[3]),
        },
    ),
    (re.compile(r"events: (\w+) x (\d+)"), lambda m: {"code": "events", "event": m[1], "count": int(m[2])}),
    (re.compile(r"three-phase imbalance ([\d.]+) %"), lambda m: {"code": "imbalance", "rate": float(m[1])}),
]


def causes_parse(text: str, *, negative_loss: bool = False, above_target: bool = False) -> list[dict]:
    """Structured causes from the analysis' ``causes`` text (``"; "``-joined), plus the flag defaults."""
    causes = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        for pattern, build in _PATTERNS:
            match = pattern.fullmatch(part)
            if match:
                causes.append(build(match))
                break
        else:
            causes.append({"code": "other", "text": part})
    codes = {c["code"] for c in causes}
    if negative_loss:
        causes.append({"code": "negative_loss"})
    elif above_target and not codes & {"low_reading_rate", "customer_drop", "events"}:
        causes.append({"code": "unexplained_loss"})
    return causes


def cause_text(cause: dict) -> str:
    """One cause as a sentence in the active language."""
    code = cause.get("code")
    if code == "low_reading_rate":
        return _("Low reading rate (%(rate).1f %%): missing readings understate sales") % cause
    if code == "customer_drop":
        return (
            _("Large customer's consumption fell: meter %(meter)s %(before_kwh).0f → %(after_kwh).0f kWh")
            % cause
        )
    if code == "events":
        try:
            label = EventCode(cause["event"]).label
        except ValueError:
            label = cause["event"]
        return _("Meter events: %(event)s × %(count)s") % {"event": label, "count": cause["count"]}
    if code == "imbalance":
        return _("Three-phase imbalance %(rate).0f %% at the transformer") % cause
    if code == "theft_suspects":
        return _("%(count)d customer(s) on the theft-detection list (%(accounts)s): inspect them first") % {
            "count": cause["count"],
            "accounts": ", ".join(cause.get("accounts") or []),
        }
    if code == "negative_loss":
        return _(
            "Negative loss: customers may be linked to the wrong area, or the summary meter's multiplier is wrong"
        )
    if code == "unexplained_loss":
        return _(
            "Loss above target with no anomaly in the data: suspect theft or unmetered supply; inspect on site"
        )
    return str(cause.get("text", ""))


def causes_render(causes: list[dict]) -> str:
    """All causes, one per line."""
    return "\n".join(cause_text(c) for c in causes)
