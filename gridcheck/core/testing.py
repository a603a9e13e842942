"""Helpers for the tests of every app; the running site never imports this module."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from gridcheck_analytics.regulations import RuleTable, default_table


def rule_table_with(values: dict[str, object], table: RuleTable | None = None) -> RuleTable:
    """``table`` (default: the rule table of ``rules.toml``) with every row of each key of ``values``
    carrying that value instead; the other rows, the dates and the citations are unchanged."""
    table = table or default_table()
    unknown = set(values) - set(table.keys())
    if unknown:
        raise KeyError(f"no such rule: {', '.join(sorted(unknown))}")
    rows = []
    for row in table.rows():
        if row.key in values:
            value = values[row.key]
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = Decimal(str(value))
            row = dataclasses.replace(row, value=value)
        rows.append(row)
    return RuleTable(rows, table.regulations)


def patch_rules(monkeypatch, values: dict[str, object]) -> RuleTable:
    """Make ``gridcheck.core.rules`` read ``values`` for the rest of one test (pytest's ``monkeypatch``)."""
    table = rule_table_with(values)
    monkeypatch.setattr("gridcheck.core.rules.default_table", lambda: table)
    return table
