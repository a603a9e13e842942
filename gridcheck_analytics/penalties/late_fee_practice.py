"""The practice variants of the late-payment fee (电费违约金): named settings a company chooses.

regulations.md sections 4 and 9: the articles fix the rates and the 1 元 minimum; stations' worked
calculations differ on how the days are counted, how a year end is charged, when the fee starts, whether the
principal follows a tariff rise and what the minimum applies to. Each is one option of
:class:`LateFeePractice`; the defaults are rows ``late_fee.practice.*`` of the rule table (status C, the
usual reading), and :func:`describe_practice` writes the options in Chinese for the statement.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from gridcheck_analytics.penalties.inputs import CalcInputError, as_bool, as_choice, as_decimal
from gridcheck_analytics.regulations.table import Rule, RuleTable, default_table

YEAR_END_RULES = ("split", "whole")
MINIMUM_SCOPES = ("bill", "payment")

#: Option name -> rule key of its default.
PRACTICE_RULES = {
    "count_payment_day": "late_fee.practice.count_payment_day",
    "year_end": "late_fee.practice.year_end",
    "grace_days": "late_fee.practice.grace_days",
    "reprice_on_tariff_rise": "late_fee.practice.reprice_on_tariff_rise",
    "minimum_applies_to": "late_fee.practice.minimum_applies_to",
}

#: Option name -> its Chinese name on a statement.
PRACTICE_LABELS = {
    "count_payment_day": "交纳日是否计收违约金",
    "year_end": "跨年度欠费计费方式",
    "grace_days": "到期后宽限天数",
    "reprice_on_tariff_rise": "欠费期间电价上涨时本金按新电价重算（《民法典》第五百一十三条）",
    "minimum_applies_to": "最低收取额适用范围",
}


@dataclass(frozen=True)
class LateFeePractice:
    """How a company computes the late-payment fee where the articles leave a choice.

    The defaults are the usual reading (the rule table's ``late_fee.practice.*`` rows say the same).

    Attributes
    ----------
    count_payment_day : bool
        ``False`` (default): days are charged from the first charged day up to, **not including**, the
        payment day (regulations.md 4: 300 元 due 03-15 paid 04-05 is 20 days, 03-16..04-04). ``True``: the
        payment day is charged too (21 days). With ``True`` a partial payment reduces the balance from the
        day after it (its own day is charged on the balance before it); with ``False`` from its own day.
    year_end : {"split", "whole"}
        Other (non-residential) customers only; the bill's year is the year of its billing period.
        ``"split"`` (default): each charged day in the bill's year at the current-year rate (2‰), each
        charged day from 1 January of a later year at the earlier-year rate (3‰). ``"whole"``: when any
        charged day falls in a later year than the bill's, **every** charged day of the bill (those in the
        bill's own year too) is charged at the earlier-year rate; when none does, every day at the
        current-year rate. The crossing is judged on the charged days, so a bill paid on 1 January with the
        payment day not counted has not crossed.
    grace_days : int
        Days after the due date not charged (default 0: the fee runs from the day after the due date, 从逾期之日
        起). With ``n`` the first charged day is ``due_date + 1 + n`` (one 1996 municipal notice starts on the
        8th day after the payment notice: due date = notice date, ``grace_days = 7``). The rate of each day
        is unchanged.
    reprice_on_tariff_rise : bool
        《民法典》第五百一十三条 (before 2021 《合同法》第六十三条): a government-priced good paid late is paid at
        the new price when the price rose, at the old price when it fell. ``True``: the unpaid balance is
        multiplied by the ratio new price / price just before, from the day of each rise strictly after
        the due date and strictly before the payment day, rounded to the fen; the fee runs on the re-priced
        balance from that day and the increase is owed as principal. A fall (ratio below 1) is never
        applied. ``False`` (default): tariff changes are ignored.
    minimum_applies_to : {"bill", "payment"}
        The 1 元 minimum (``late_fee.minimum_yuan``) when one payment settles several bills: ``"bill"``
        (default) raises each bill's fee that is above zero and under the minimum to it; ``"payment"``
        raises only the payment's total. A single bill is the same either way.
    """

    count_payment_day: bool = False
    year_end: str = "split"
    grace_days: int = 0
    reprice_on_tariff_rise: bool = False
    minimum_applies_to: str = "bill"

    def __post_init__(self) -> None:
        as_bool(self.count_payment_day, "practice.count_payment_day")
        as_choice(self.year_end, "practice.year_end", YEAR_END_RULES)
        if isinstance(self.grace_days, bool) or not isinstance(self.grace_days, int) or self.grace_days < 0:
            raise CalcInputError(
                "practice.grace_days", f"must be a whole number >= 0, got {self.grace_days!r}"
            )
        as_bool(self.reprice_on_tariff_rise, "practice.reprice_on_tariff_rise")
        as_choice(self.minimum_applies_to, "practice.minimum_applies_to", MINIMUM_SCOPES)

    def as_dict(self) -> dict[str, object]:
        """The options as a JSON-ready dict (what a company's setting stores)."""
        return dataclasses.asdict(self)


def _option(name: str, value: object) -> object:
    field = f"practice.{name}"
    if name == "grace_days":
        number = as_decimal(value, field, nonnegative=True)
        if number != number.to_integral_value():
            raise CalcInputError(field, f"must be a whole number of days, got {number}")
        return int(number)
    if name in ("year_end", "minimum_applies_to"):
        return as_choice(value, field, YEAR_END_RULES if name == "year_end" else MINIMUM_SCOPES)
    return as_bool(value, field)


def practice_rules(
    on: datetime.date, province: str | None = None, table: RuleTable | None = None
) -> dict[str, Rule]:
    """The rule rows of the default options in force on ``on`` (option name -> row)."""
    table = table or default_table()
    return {name: table.rule(key, on, province) for name, key in PRACTICE_RULES.items()}


def default_practice(
    on: datetime.date, province: str | None = None, table: RuleTable | None = None
) -> LateFeePractice:
    """The practice of the rule table's ``late_fee.practice.*`` rows in force on ``on``."""
    rows = practice_rules(on, province, table)
    return LateFeePractice(**{name: _option(name, row.value) for name, row in rows.items()})


def as_practice(
    value: object, *, base: LateFeePractice | None = None, field: str = "practice"
) -> LateFeePractice:
    """A :class:`LateFeePractice` from itself or a dict of options (unnamed options from ``base``).

    Raises
    ------
    CalcInputError
        Not a practice or a dict, an unknown option (``practice.<name>``) or a bad value.
    """
    if isinstance(value, LateFeePractice):
        return value
    if not isinstance(value, Mapping):
        raise CalcInputError(field, f"must be an object of options {', '.join(PRACTICE_RULES)}")
    options = (base or LateFeePractice()).as_dict()
    for name, option in value.items():
        if name not in PRACTICE_RULES:
            raise CalcInputError(
                f"{field}.{name}", f"unknown option; expected one of {', '.join(PRACTICE_RULES)}"
            )
        options[name] = _option(name, option)
    return LateFeePractice(**options)


def option_text(name: str, value: object, minimum_yuan: Decimal | None = None) -> str:
    """One option's value in Chinese, as the statement writes it."""
    if name == "count_payment_day":
        return "计收（计至交纳日当日）" if value else "不计收（计至交纳日前一日）"
    if name == "year_end":
        if value == "split":
            return "分段计算（12月31日及以前按当年欠费费率，次年1月1日起按跨年度欠费费率）"
        return "整笔计算（欠费跨入次年的，全部逾期天数按跨年度欠费费率）"
    if name == "grace_days":
        return "0天（自到期日次日起计）" if value == 0 else f"{value}天（自到期日后第{value + 1}天起计）"
    if name == "reprice_on_tariff_rise":
        return "是（自调价日起按新电价重算；电价下降不重算）" if value else "否"
    minimum = f"{minimum_yuan}元" if minimum_yuan is not None else "最低收取额"
    if value == "bill":
        return f"每张电费单（每张不足{minimum}按{minimum}收取）"
    return f"一次缴费合计（合计不足{minimum}按{minimum}收取）"


def describe_practice(practice: LateFeePractice, *, minimum_yuan: Decimal | None = None) -> list[str]:
    """The practice in Chinese for a statement, one ``名称：取值`` string per option.

    ``minimum_yuan`` (the ``late_fee.minimum_yuan`` row's value) is written into the minimum's line when
    given.
    """
    return [
        f"{PRACTICE_LABELS[name]}：{option_text(name, value, minimum_yuan)}"
        for name, value in practice.as_dict().items()
    ]
