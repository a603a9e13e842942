"""A bill's calculation stored compactly: the fixed text of its lines once, the figures per bill.

A bill run writes tens of thousands of calculations whose lines repeat the same formulas, articles, rule
rows and review warnings; only the values and inputs (and the names of meter lines, which carry the meter)
differ from one customer to the next. :class:`Compactor` splits a :class:`Calculation` into

- a **layout**: the kind, each line's key, name, formula, unit, article and rule keys, the warnings and the
  rule rows read, identified by the SHA-256 digest of its content (stored once, whoever uses it);
- the bill's own part: ``{"layout": digest, "case_date", "lines": [[value, inputs(, name)], ...]}`` (and
  ``flags`` when any), a few hundred bytes.

:func:`expand` joins the two back into exactly ``Calculation.to_dict()``: every line with its formula,
inputs, value, unit and article, as the bill page, the API and the reports show it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation

LAYOUT_VERSION = 1


def _plain(value: object) -> object:
    """``value`` ready for JSON as ``Calculation.to_dict`` writes it (Decimals and dates as strings)."""
    if type(value) is Decimal:
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def is_compact(document: object) -> bool:
    """Whether ``document`` is the compact part of a calculation (to be joined with its layout)."""
    return isinstance(document, dict) and "layout" in document and "lines" in document


def layout_digest(layout: dict) -> str:
    """The digest that names a layout: SHA-256 of its canonical JSON."""
    text = json.dumps(layout, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Compactor:
    """Compacts calculations, keeping each distinct layout once (``layouts``: digest → layout)."""

    def __init__(self) -> None:
        self.layouts: dict[str, dict] = {}
        self._digests: dict[tuple, str] = {}
        # id(rule) → (rule, its JSON): the rule is held so that its id is never reused.
        self._rules: dict[int, tuple[object, str]] = {}

    def _rule_text(self, rule) -> str:
        known = self._rules.get(id(rule))
        if known is None:
            known = (rule, json.dumps(_plain(rule.used()), ensure_ascii=False))
            self._rules[id(rule)] = known
        return known[1]

    def compact(self, calculation: Calculation) -> dict:
        """The bill's own part of ``calculation``; its layout is added to ``layouts`` when new."""
        fixed = []
        lines = []
        for item in calculation.items:
            inputs = {k: _plain(v) for k, v in item.inputs.items()}
            value = _plain(item.value)
            if "meter" in item.inputs:  # a meter line: its name names the meter
                fixed.append((item.key, None, item.formula, item.unit, item.article, item.rules))
                lines.append([value, inputs, item.name])
            else:
                fixed.append((item.key, item.name, item.formula, item.unit, item.article, item.rules))
                lines.append([value, inputs])
        rules = tuple(self._rule_text(r) for r in calculation.rules_used.values())
        signature = (calculation.kind, tuple(fixed), tuple(calculation.warnings), rules)
        digest = self._digests.get(signature)
        if digest is None:
            layout = {
                "version": LAYOUT_VERSION,
                "kind": calculation.kind,
                "items": [
                    {"key": k, "name": n, "formula": f, "unit": u, "article": a, "rules": list(r)}
                    for k, n, f, u, a, r in fixed
                ],
                "warnings": list(calculation.warnings),
                "rules": [json.loads(text) for text in rules],
            }
            digest = layout_digest(layout)
            self._digests[signature] = digest
            self.layouts[digest] = layout
        document: dict = {"layout": digest, "case_date": calculation.case_date.isoformat(), "lines": lines}
        if calculation.flags:
            document["flags"] = [_plain(flag.__dict__) for flag in calculation.flags]
        return document


def expand(document: dict, layout: dict) -> dict:
    """``Calculation.to_dict()`` of a compact ``document`` and its ``layout``."""
    items = []
    for fixed, line in zip(layout["items"], document["lines"], strict=True):
        items.append(
            {
                "key": fixed["key"],
                "name": line[2] if len(line) > 2 else fixed["name"],
                "formula": fixed["formula"],
                "inputs": dict(line[1]),
                "value": line[0],
                "unit": fixed["unit"],
                "article": fixed["article"],
                "rules": list(fixed["rules"]),
            }
        )
    return {
        "kind": layout["kind"],
        "case_date": document["case_date"],
        "items": items,
        "flags": [dict(f) for f in document.get("flags", [])],
        "warnings": list(layout["warnings"]),
        "rules": [dict(r) for r in layout["rules"]],
    }
