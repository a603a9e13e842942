"""The versioned rule table: rows of ``rules.toml`` looked up by key, date and province.

Every multiplier, rate, day count, amount, cap and rounding choice that Gridcheck computes with is a row of
``rules.toml`` (``shared/domain/regulations.md``, section 1). A row is in force from ``effective_from`` to
``effective_to`` inclusive (open-ended when ``effective_to`` is absent); a case uses the row in force on its
date. A province overlay is a row with ``province`` set: for that province it wins over the national row in
force on the same date.

Statuses are those of regulations.md (``V``, ``P``, ``U``) plus ``C``: a calculation choice of this project
that no regulation fixes (rounding, day counting). regulations.md, section 8.4, lists those as "choices (not
regulation)"; giving them ``U`` would put a review warning on every result and so hide the warnings that
matter. A ``U`` row used in a calculation puts a review warning on its result.
"""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("rules.toml")

STATUSES = ("V", "P", "U", "C")
#: What each status means to a reader (the rule table's header has the full definitions).
STATUS_NAMES = {"V": "已核实", "P": "已见条文大意", "U": "未核实", "C": "计算约定"}
KINDS = ("fixed", "cap")
#: The rows' units as a reader writes them (a number without a unit, a switch, a class or a choice: none).
UNIT_NAMES = {
    "1": "",
    "switch": "",
    "class": "",
    "choice": "",
    "d": "天",
    "h": "小时",
    "h/d": "小时/天",
    "1/d": "/天",
    "a": "年",
    "month": "月",
    "kWh/year": "千瓦时/年",
    "kWh": "千瓦时",
    "kW": "千瓦",
    "元/kWh": "元/千瓦时",
    "元/kW": "元/千瓦",
    "元/kW·次": "元/千瓦·次",
    "W": "瓦",
    "V": "伏",
    "kV": "千伏",
}


def unit_name(unit: str) -> str:
    """A row's unit as people read it (:data:`UNIT_NAMES`; a unit not listed as it is)."""
    return UNIT_NAMES.get(unit, unit)


#: The rule table's text values as people read them, where a review warning prints the value.
VALUE_NAMES = {
    "lighting": "照明用户",
    "power": "电力用户",
    "basic_plus_energy": "基本电费与电度电费之和",
    "residential": "居民生活",
    "agricultural": "农业生产",
}


def value_name(value: object) -> str:
    """A row's value as people read it: a text value by :data:`VALUE_NAMES` (each of a comma list), a
    number as it is."""
    if not isinstance(value, str):
        return str(value)
    return "、".join(VALUE_NAMES.get(part.strip(), part.strip()) for part in value.split(","))


Value = Decimal | str | bool


class RuleError(LookupError):
    """No usable row of the rule table for a key, date and province."""


class RuleNotInForceError(RuleError):
    """The key exists but no active row of it is in force on the date asked for."""


class RuleTableError(ValueError):
    """The rule table itself is malformed (raised when it is loaded)."""


@dataclass(frozen=True)
class Regulation:
    """One regulation the rule table cites (``[regulations.<key>]`` in ``rules.toml``)."""

    key: str
    title: str
    order: str
    status: str


@dataclass(frozen=True)
class Rule:
    """One row of the rule table.

    ``value`` is a :class:`~decimal.Decimal` for numbers, a ``str`` for named choices (a rounding mode) and
    a ``bool`` for switches. ``kind == "cap"`` means "不高于": the supply contract's value applies when the
    contract sets one, else the cap (see :meth:`applied`). ``active`` is false for a row kept to record that
    a rule stopped applying (e.g. violation item 3 under the 2024 rules).
    """

    key: str
    regulation: Regulation
    article: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    kind: str
    value: Value
    unit: str
    status: str
    description: str
    province: str | None = None
    active: bool = True

    def in_force(self, on: datetime.date) -> bool:
        """Whether this row is in force on ``on`` (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def citation(self) -> str:
        """The article this row follows, e.g. ``《供电营业规则》（电力工业部令第8号）第一百零三条``."""
        reg = self.regulation
        order = f"（{reg.order}）" if reg.order else ""
        return f"{reg.title}{order}{self.article}"

    @property
    def needs_review(self) -> bool:
        """Whether using this row puts a review warning on the result (status ``U``)."""
        return self.status == "U"

    @property
    def meaning(self) -> str:
        """What the row means, in words (its description without the closing punctuation)."""
        return self.description.rstrip("。；; ")

    def review_warning(self) -> str:
        """The review warning a result carries when it used this row, in words (the row's key is not
        shown to the reader: the list of the rows a result used names it, :meth:`used`)."""
        description = self.meaning
        unit = unit_name(self.unit)
        unit = f" {unit}" if unit else ""
        return (
            f"需复核：{description}。取值 {value_name(self.value)}{unit}，依据{self.citation}"
            f"（{self.effective_from} 起），该条规则尚未核实。"
        )

    def used(self) -> dict:
        """The row as a result stores it among the rows it was computed under (a case's or a bill's
        ``rules``): its key, what it means (``description``), citation, dates, kind, value, unit, status."""
        return {
            "key": self.key,
            "description": self.meaning,
            "citation": self.citation,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "province": self.province,
            "kind": self.kind,
            "value": self.value,
            "unit": self.unit,
            "status": self.status,
        }

    def applied(self, contract_value: Decimal | None = None) -> Decimal:
        """The value a case uses: the row's value, or for a cap the contract's value when it sets one.

        Parameters
        ----------
        contract_value : Decimal, optional
            The value the supply contract (供用电合同) sets, in the row's unit. Only a ``cap`` row takes it;
            it must not exceed the cap.

        Returns
        -------
        Decimal
            The value in the row's unit.
        """
        if not isinstance(self.value, Decimal):
            raise RuleError(f"rule {self.key} is not numeric (value {self.value!r})")
        if contract_value is None:
            return self.value
        if self.kind != "cap":
            raise ValueError(
                f"rule {self.key} is fixed at {self.value} {self.unit}; a contract value does not apply"
            )
        if contract_value < 0 or contract_value > self.value:
            raise ValueError(
                f"contract value {contract_value} {self.unit} is outside 0..{self.value} (the cap of rule {self.key})"
            )
        return contract_value


def _date(value: object, where: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise RuleTableError(f"{where}: expected a TOML date (YYYY-MM-DD), got {value!r}")
    return value


class RuleTable:
    """The rule table: rows grouped by key, looked up by date and province."""

    def __init__(self, rows: Iterable[Rule], regulations: dict[str, Regulation]):
        self.regulations = dict(regulations)
        #: Per-calculation settings (key -> value) that replace the value of the row in force.
        self.overrides: dict[str, Value] = {}
        self._rows: dict[str, list[Rule]] = {}
        for row in rows:
            self._rows.setdefault(row.key, []).append(row)
        for key, rows_of_key in self._rows.items():
            rows_of_key.sort(key=lambda r: (r.province or "", r.effective_from))
            self._check_no_overlap(key, rows_of_key)

    @staticmethod
    def _check_no_overlap(key: str, rows: list[Rule]) -> None:
        for a, b in zip(rows, rows[1:], strict=False):
            if a.province != b.province:
                continue
            if a.effective_to is None or a.effective_to >= b.effective_from:
                raise RuleTableError(
                    f"rule {key} (province {a.province or 'national'}): rows from {a.effective_from} and "
                    f"{b.effective_from} overlap"
                )

    @classmethod
    def from_toml(cls, text: str, source: str = "<string>") -> RuleTable:
        """Build a table from the text of a ``rules.toml`` file (numbers are read as Decimal)."""
        data = tomllib.loads(text, parse_float=Decimal)
        regulations = {}
        for key, reg in data.get("regulations", {}).items():
            regulations[key] = Regulation(
                key=key, title=reg["title"], order=reg.get("order", ""), status=reg.get("status", "V")
            )
        rows = []
        for n, raw in enumerate(data.get("rule", []), start=1):
            where = f"{source}: rule #{n} ({raw.get('key', '?')})"
            missing = {
                "key",
                "regulation",
                "article",
                "effective_from",
                "kind",
                "value",
                "unit",
                "status",
            } - set(raw)
            if missing:
                raise RuleTableError(f"{where}: missing {', '.join(sorted(missing))}")
            if raw["regulation"] not in regulations:
                raise RuleTableError(f"{where}: unknown regulation {raw['regulation']!r}")
            if raw["status"] not in STATUSES:
                raise RuleTableError(f"{where}: status must be one of {STATUSES}")
            if raw["kind"] not in KINDS:
                raise RuleTableError(f"{where}: kind must be one of {KINDS}")
            value = raw["value"]
            if isinstance(value, int) and not isinstance(value, bool):
                value = Decimal(value)
            if not isinstance(value, Decimal | str | bool):
                raise RuleTableError(f"{where}: value must be a number, a string or a boolean")
            if raw["kind"] == "cap" and not isinstance(value, Decimal):
                raise RuleTableError(f"{where}: a cap must be numeric")
            start = _date(raw["effective_from"], where)
            end = _date(raw.get("effective_to"), where)
            if end is not None and end < start:
                raise RuleTableError(f"{where}: effective_to {end} is before effective_from {start}")
            rows.append(
                Rule(
                    key=raw["key"],
                    regulation=regulations[raw["regulation"]],
                    article=raw["article"],
                    effective_from=start,
                    effective_to=end,
                    kind=raw["kind"],
                    value=value,
                    unit=raw["unit"],
                    status=raw["status"],
                    description=raw.get("description", ""),
                    province=raw.get("province"),
                    active=raw.get("active", True),
                )
            )
        return cls(rows, regulations)

    @classmethod
    def from_path(cls, path: Path | str) -> RuleTable:
        """Build a table from a ``rules.toml`` file."""
        path = Path(path)
        return cls.from_toml(path.read_text(encoding="utf-8"), source=str(path))

    def has(self, key: str) -> bool:
        """Whether the table has any row of ``key``."""
        return key in self._rows

    def keys(self) -> list[str]:
        """Every rule key, sorted."""
        return sorted(self._rows)

    def rows(self, key: str | None = None) -> list[Rule]:
        """Every row (of one key when given), sorted by key, province and date."""
        if key is not None:
            if key not in self._rows:
                raise RuleError(f"no rule {key!r} in the rule table")
            return list(self._rows[key])
        return [row for k in self.keys() for row in self._rows[k]]

    def with_rows(self, rows: Iterable[Rule]) -> RuleTable:
        """A new table with ``rows`` added (an overlay or a test row); this table is unchanged."""
        table = RuleTable([*self.rows(), *rows], self.regulations)
        table.overrides = dict(self.overrides)
        return table

    def with_settings(self, overrides: dict[str, Value]) -> RuleTable:
        """A new table in which the row in force of each key of ``overrides`` takes the value given.

        A setting chosen for one calculation (``gridcheck_analytics.penalties.settings``): the row keeps its
        key, dates and citation; its value is replaced, its status becomes ``C`` (a choice, not a regulated
        value) and its description records the row's own value. This table is unchanged.
        """
        table = RuleTable(self.rows(), self.regulations)
        table.overrides = {**self.overrides, **overrides}
        return table

    def provinces(self) -> list[str]:
        """Every province that has an overlay row, sorted."""
        return sorted({row.province for rows in self._rows.values() for row in rows if row.province})

    def earliest(self, key: str) -> datetime.date | None:
        """The first day any row of ``key`` is in force (None: unknown key)."""
        rows = self._rows.get(key)
        return min(r.effective_from for r in rows) if rows else None

    def markdown(self) -> str:
        """Every row as a Markdown table (the rule list of ``docs/regulations.md`` is this text)."""
        lines = [
            "| Key | Regulation | Article | In force | Kind | Value | Unit | Status |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in self.rows():
            span = (
                f"{row.effective_from} to {row.effective_to}"
                if row.effective_to
                else f"from {row.effective_from}"
            )
            if row.province:
                span += f" ({row.province})"
            value = str(row.value).lower() if isinstance(row.value, bool) else str(row.value)
            if not row.active:
                value += " (inactive)"
            lines.append(
                f"| `{row.key}` | {row.regulation.key} | {row.article} | {span} | {row.kind} | {value} | "
                f"{row.unit} | {row.status} |"
            )
        return "\n".join(lines) + "\n"

    def rule(self, key: str, on: datetime.date, province: str | None = None) -> Rule:
        """The row of ``key`` in force on ``on``; a province overlay wins over the national row.

        Parameters
        ----------
        key : str
            Rule key, e.g. ``"theft.penalty_multiple"``.
        on : datetime.date
            The case date (theft or violation date; billing period for fees).
        province : str, optional
            Province code of the overlay to prefer (e.g. ``"ZJ"``).

        Returns
        -------
        Rule

        Raises
        ------
        RuleError
            The key is unknown.
        RuleNotInForceError
            No row of the key is in force on ``on``, or the row in force is inactive.
        """
        if key not in self._rows:
            raise RuleError(f"no rule {key!r} in the rule table")
        candidates = [r for r in self._rows[key] if r.in_force(on)]
        chosen = None
        if province is not None:
            chosen = next((r for r in candidates if r.province == province), None)
        if chosen is None:
            chosen = next((r for r in candidates if r.province is None), None)
        if chosen is None:
            spans = ", ".join(
                f"{r.effective_from}..{r.effective_to or ''}" + (f" ({r.province})" if r.province else "")
                for r in self._rows[key]
            )
            raise RuleNotInForceError(f"rule {key!r} has no row in force on {on} (rows: {spans})")
        if not chosen.active:
            raise RuleNotInForceError(
                f"rule {key!r} is not in force on {on}: {chosen.citation} "
                f"({chosen.effective_from} 起, status {chosen.status}): {chosen.description}"
            )
        if key in self.overrides:
            value = self.overrides[key]
            if value != chosen.value:
                own = str(chosen.value).lower() if isinstance(chosen.value, bool) else chosen.value
                chosen = dataclasses.replace(
                    chosen,
                    value=value,
                    status="C",
                    description=f"本次计算设置（规则表取值 {own}）：{chosen.description}",
                )
        return chosen


@cache
def default_table() -> RuleTable:
    """The rule table of ``rules.toml`` next to this module, loaded once."""
    return RuleTable.from_path(RULES_PATH)


def rule(key: str, on: datetime.date, province: str | None = None) -> Rule:
    """The row of ``key`` in force on ``on`` in the default table (see :meth:`RuleTable.rule`)."""
    return default_table().rule(key, on, province)
