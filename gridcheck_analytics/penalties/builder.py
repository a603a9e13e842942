"""The builder of a case calculation: itemised figures, flags, review warnings and the rules read.

:class:`CaseBuilder` reads every regulated number from the rule table under the row in force on the case
date, rounds energy and money as the ``rounding.*`` rows say and collects the :class:`Item` list of the
:class:`Calculation` it returns.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gridcheck_analytics.penalties.inputs import CalcInputError
from gridcheck_analytics.penalties.settings import SETTINGS, apply_settings, setting_text
from gridcheck_analytics.regulations.table import Rule, RuleNotInForceError, RuleTable, default_table

#: ``CaseBuilder``'s ``settings`` when the calculation takes none (its result lists no settings).
NO_SETTINGS = object()


class DateBeforeRulesError(CalcInputError, RuleNotInForceError):
    """The date that selects the rule version is before the first row of a rule: ``field`` names it."""


@dataclass(frozen=True)
class Item:
    """One figure of a calculation: what it is, how it was computed, from what, under which article."""

    key: str
    name: str
    formula: str
    inputs: dict[str, object]
    value: Decimal
    unit: str
    article: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """A finding for a person to act on (e.g. transfer to the police); the software only raises it."""

    key: str
    name: str
    reason: str
    article: str


@dataclass
class Calculation:
    """The itemised result of one case calculation."""

    kind: str
    case_date: datetime.date
    items: list[Item] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rules_used: dict[str, Rule] = field(default_factory=dict)
    #: Settings this calculation chose itself (name -> value); the others read are the rule table's.
    settings_given: dict[str, object] = field(default_factory=dict)
    #: Whether this kind of calculation takes named settings (then ``to_dict`` lists those it read).
    takes_settings: bool = False

    @property
    def settings(self) -> list[dict[str, object]]:
        """Every named setting the calculation read: name, Chinese label, value and its source.

        ``source`` is ``"case"`` when the calculation chose the value, ``"rule table"`` when it is the row's.
        """
        return [
            {
                "name": key,
                "label": SETTINGS[key].label,
                "value": row.value,
                "text": setting_text(row.value),
                "source": "case" if key in self.settings_given else "rule table",
            }
            for key, row in self.rules_used.items()
            if key in SETTINGS
        ]

    def item(self, key: str) -> Item:
        """The item named ``key``."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"no item {key!r} in this {self.kind} calculation")

    def value(self, key: str) -> Decimal:
        """The value of the item named ``key``."""
        return self.item(key).value

    def has_flag(self, key: str) -> bool:
        """Whether a flag named ``key`` was raised."""
        return any(f.key == key for f in self.flags)

    def warned(self, key: str) -> bool:
        """Whether the calculation carries the review warning of a rule-table row it used whose key is
        ``key`` or starts with it (a warning names its row in words, not by key)."""
        return any(
            row.key.startswith(key) and row.review_warning() in self.warnings
            for row in self.rules_used.values()
        )

    def to_dict(self) -> dict:
        """A JSON-ready dict: Decimals and dates as strings."""
        return _jsonable(
            {
                "kind": self.kind,
                "case_date": self.case_date,
                "items": [item.__dict__ for item in self.items],
                "flags": [flag.__dict__ for flag in self.flags],
                "warnings": self.warnings,
                **({"settings": self.settings} if self.takes_settings else {}),
                "rules": [r.used() for r in self.rules_used.values()],
            }
        )


def _jsonable(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, datetime.date):
        return obj.isoformat()
    return obj


class CaseBuilder:
    """Collects the items of one calculation and the rules it read."""

    def __init__(
        self,
        kind: str,
        on: datetime.date,
        province: str | None,
        table: RuleTable | None,
        settings: object = NO_SETTINGS,
    ):
        self.on = on
        self.province = province
        #: The input field that holds the date selecting the rule version (named in errors).
        self.date_field = "case_date"
        takes = settings is not NO_SETTINGS
        self.table, given = apply_settings(table or default_table(), settings if takes else None)
        self.calc = Calculation(kind=kind, case_date=on, settings_given=given, takes_settings=takes)

    def rule(self, key: str) -> Rule:
        try:
            row = self.table.rule(key, self.on, self.province)
        except RuleNotInForceError:
            self._before_rules(key)
            raise
        self.calc.rules_used.setdefault(key, row)
        if row.needs_review:
            self.warn(row.review_warning())
        return row

    def switch(self, key: str, legacy: bool) -> bool:
        """A switch row's value; ``legacy`` (the behaviour before the row existed) when a table lacks it."""
        if not self.table.has(key):
            return legacy
        return self.rule(key).value is True

    def peek(self, key: str) -> Rule:
        """The row of ``key`` in force, for a citation only (not counted as used, no warning)."""
        try:
            return self.table.rule(key, self.on, self.province)
        except RuleNotInForceError:
            self._before_rules(key)
            raise

    def _before_rules(self, key: str) -> None:
        first = self.table.earliest(key)
        if first is not None and self.on < first:
            raise DateBeforeRulesError(
                self.date_field,
                f"{self.on} is before the rules existed: rule {key!r} has no row in force on {self.on} "
                f"(its first row starts {first})",
            ) from None

    def value(
        self, key: str, contract_value: Decimal | None = None, field: str = "contract_value"
    ) -> Decimal:
        row = self.rule(key)
        try:
            return row.applied(contract_value)
        except ValueError as exc:
            raise CalcInputError(field, str(exc)) from None

    def warn(self, message: str) -> None:
        if message not in self.calc.warnings:
            self.calc.warnings.append(message)

    def _round(self, value: Decimal, quantum_key: str) -> Decimal:
        quantum = self.value(quantum_key)
        mode = self.rule("rounding.mode").value
        return value.quantize(quantum, rounding=str(mode))

    def energy(self, value: Decimal) -> Decimal:
        return self._round(value, "rounding.energy_kwh")

    def money(self, value: Decimal) -> Decimal:
        return self._round(value, "rounding.money_yuan")

    def add(
        self,
        key: str,
        name: str,
        formula: str,
        inputs: dict[str, object],
        value: Decimal,
        unit: str,
        article: str | Rule,
        rules: Sequence[str] = (),
    ) -> Decimal:
        citation = article.citation if isinstance(article, Rule) else article
        self.calc.items.append(Item(key, name, formula, dict(inputs), value, unit, citation, tuple(rules)))
        return value

    def flag(self, key: str, name: str, reason: str, article: str) -> None:
        self.calc.flags.append(Flag(key, name, reason, article))


def multiple_of(case: CaseBuilder, multiple: Decimal, rounded: Decimal, exact: Decimal) -> Decimal:
    """``multiple × amount``: of the rounded amount or the exact one, as ``rounding.back_bill_before_multiple``."""
    before = case.rule("rounding.back_bill_before_multiple").value
    return case.money(multiple * (rounded if before is True else exact))
