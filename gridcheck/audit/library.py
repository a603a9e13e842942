"""The audit rule library, loaded: importing the rule modules registers every rule."""

from gridcheck.audit import rules  # noqa: F401 - the import registers the rules
from gridcheck.audit.engine import RULES, RuleDefinition


def rules_load() -> dict[str, RuleDefinition]:
    """Every rule of the library, by code."""
    return RULES
