"""The versioned rule table of regulations.md: every regulated number, once, as data (``rules.toml``).

``rule(key, on, province=None)`` returns the :class:`Rule` in force on a date; see ``docs/regulations.md``.
"""

from gridcheck_analytics.regulations.table import (
    RULES_PATH,
    Regulation,
    Rule,
    RuleError,
    RuleNotInForceError,
    RuleTable,
    RuleTableError,
    default_table,
    rule,
)

__all__ = [
    "RULES_PATH",
    "Regulation",
    "Rule",
    "RuleError",
    "RuleNotInForceError",
    "RuleTable",
    "RuleTableError",
    "default_table",
    "rule",
]
