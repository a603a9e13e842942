"""Per-case calculation settings: the practice variants and rounding choices a case may set.

The calculator declares its named settings (``gridcheck_analytics.penalties.settings.SETTINGS``: rounding
rules, surcharges in the base or as a line, counting both ends of a period, part months, the basis
switches...), each a row of the rule table whose value in force is the default. A case records its
choices in ``Case.calc_settings`` (``{name: value}``; no entry means the rule table's default) and the
services pass them to the calculator as its ``settings`` argument; the basis of the stolen energy is the
calculator's ``basis`` argument. The calculation records the settings it read (``calculation["settings"]``)
and the case page and the notice print the case's choices (``describe``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gridcheck_analytics import penalties

try:  # the calculator's named settings (issue 20)
    from gridcheck_analytics.penalties.settings import QUANTA
    from gridcheck_analytics.penalties.settings import SETTINGS as CALC_SETTINGS
except ImportError:  # pragma: no cover - an older calculator without named settings
    CALC_SETTINGS, QUANTA = {}, ()


@dataclass(frozen=True)
class CaseSetting:
    """One setting a case may choose: ``name`` (the calculator's), its ``label``, its ``choices``
    (value, label); ``choices`` empty: a number typed in."""

    name: str
    label: object
    choices: tuple[tuple[str, object], ...]
    help_text: object = ""


#: Labels of the calculator's choice values.
VALUE_LABELS = {
    "true": _("Yes"),
    "false": _("No"),
    "ROUND_HALF_UP": _("Round half up"),
    "ROUND_HALF_EVEN": _("Round half to even"),
    "ROUND_HALF_DOWN": _("Round half down"),
    "ROUND_UP": _("Round away from zero"),
    "ROUND_DOWN": _("Round towards zero"),
    "ROUND_CEILING": _("Round up (ceiling)"),
    "ROUND_FLOOR": _("Round down (floor)"),
    "days_per_month": _("Days / days per month (30, also in 31-day months)"),
    "calendar_month": _("Days / days of that calendar month"),
    "whole_month": _("A part month counts as a whole month"),
    "power": _("Power customer"),
    "lighting": _("Lighting customer"),
    "article": _("Article 103: capacity × hours"),
    "connected_load": _("Private load actually connected (practice)"),
    "transformer_kva": _("Bypassed transformer's capacity (practice)"),
    "ct_correction": _("Correction rate of the CT ratios on the recorded energy (practice)"),
    "correction_factor": _("Correction factor on the recorded energy (practice)"),
    "established_energy": _("Energy established otherwise (practice)"),
}

#: The basis of the stolen energy: an argument of the theft calculator, chosen per case.
BASIS = "basis"
#: Prefixes of the calculator's settings that concern theft cases and violation cases.
PREFIXES = {
    "theft": ("rounding.", "theft.", "period."),
    "violation": ("rounding.", "basic_charge.", "violation.", "period."),
}


def _setting(name: str) -> CaseSetting:
    if name == BASIS:
        bases = getattr(penalties, "THEFT_BASES", ("article",))
        return CaseSetting(
            BASIS,
            _("basis of the stolen energy"),
            tuple((b, VALUE_LABELS.get(b, b)) for b in bases),
            _("A practice basis needs its reason (basis reason) and gives a review warning."),
        )
    calc = CALC_SETTINGS[name]
    if calc.kind == "bool":
        choices = (("true", VALUE_LABELS["true"]), ("false", VALUE_LABELS["false"]))
    elif calc.kind == "choice":
        choices = tuple((c, VALUE_LABELS.get(c, c)) for c in calc.choices)
    elif calc.kind == "quantum":
        choices = tuple((q, q) for q in QUANTA)
    else:
        choices = ()
    return CaseSetting(name, calc.label, choices)


def _function(kind: str, violation_type: str = ""):
    if kind == "theft":
        return penalties.theft
    return penalties.VIOLATIONS.get(violation_type) if violation_type else None


def settings_for(kind: str, violation_type: str = "") -> list[CaseSetting]:
    """The settings a case of this kind may choose: those its calculator accepts (a violation of no
    type yet: those of every violation)."""
    params = set()
    if kind == "theft":
        params = set(inspect.signature(penalties.theft).parameters)
    else:
        functions = [_function(kind, violation_type)] if violation_type else penalties.VIOLATIONS.values()
        for function in functions:
            if function is not None:
                params |= set(inspect.signature(function).parameters)
    names = [BASIS] if kind == "theft" and BASIS in params else []
    if "settings" in params:
        names += [n for n in CALC_SETTINGS if n.startswith(PREFIXES.get(kind, ()))]
    return [_setting(n) for n in names]


def all_settings() -> list[CaseSetting]:
    """Every setting of either kind, once (the form's fields)."""
    seen: dict[str, CaseSetting] = {}
    for kind in ("theft", "violation"):
        for setting in settings_for(kind):
            seen.setdefault(setting.name, setting)
    return list(seen.values())


def setting_label(name: str) -> str:
    if name == BASIS or name in CALC_SETTINGS:
        return str(_setting(name).label)
    return name


def value_label(name: str, value: object) -> str:
    text = str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    label = VALUE_LABELS.get(text)
    return str(label) if label is not None else text


def describe(chosen: dict | None) -> list[tuple[str, str]]:
    """(label, value label) of each chosen setting, for the case page and the notice."""
    return [(setting_label(k), value_label(k, v)) for k, v in (chosen or {}).items() if v not in (None, "")]


def as_calc_value(value: str) -> object:
    """A form choice as the calculator reads it (text; the calculator parses switches and numbers)."""
    return value
