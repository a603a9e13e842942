"""The likely causes of a flagged area, worded for people: the one place where a cause becomes a sentence.

``gridcheck_analytics.lineloss.area_flags`` names the causes as structured data, ``{"code": ...,
<parameters>}`` (codes and parameters: ``gridcheck_analytics.lineloss.CAUSE_CODES``, including the field
explanations of a flag with no cause in the data: ``negative_loss``, ``unexplained_loss``); theft
detection adds ``theft_suspects`` (``lineloss.services.area_theft_suspects_set``). They are stored as they
are in ``AreaMonthLoss.causes``; :func:`cause_text` words one through gettext, with its numbers formatted
and rounded, and :func:`causes_render` all of them for ``AreaMonthLoss.causes_text``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcheck.readings.choices import EventCode


def _event_label(code: str) -> str:
    try:
        return str(EventCode(code).label)
    except ValueError:
        return code


def cause_text(cause: dict) -> str:
    """One cause as a sentence in the active language.

    A code this module does not know (a row stored by an older version) shows its ``text``, if any.
    """
    code = cause.get("code")
    if code == "low_reading_rate":
        return _("Low reading rate (%(rate).1f %%): missing readings understate sales") % cause
    if code == "customer_drop":
        return (
            _("Large customer's consumption fell: meter %(meter)s %(before_kwh).0f → %(after_kwh).0f kWh")
            % cause
        )
    if code == "events":
        return _("Meter events: %(event)s × %(count)s") % {
            "event": _event_label(cause["event"]),
            "count": cause["count"],
        }
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
