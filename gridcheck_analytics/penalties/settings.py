"""Named settings of a case calculation: the rounding rules and the practice variants of regulations.md 9.

Each setting is a row of the rule table (its name is the row's key): the row in force on the case date is
the default, and a calculation may choose another value for itself (``settings={"rounding.mode":
"ROUND_HALF_EVEN"}``; command line ``--set rounding.mode=ROUND_HALF_EVEN``). The value chosen replaces the
row's value for that calculation only (:meth:`RuleTable.with_settings`); the result records every setting
it read, with its value and whether the case chose it (``Calculation.settings``).

An unknown name or a value outside the setting's choices raises :class:`CalcInputError` naming
``settings.<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from gridcheck_analytics.penalties.inputs import CalcInputError, as_decimal
from gridcheck_analytics.regulations.table import RuleTable, Value

ROUNDING_MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
)
QUANTA = ("100", "10", "1", "0.1", "0.01", "0.001", "0.0001", "0.000001")
PART_MONTHS = ("days_per_month", "calendar_month", "whole_month")


@dataclass(frozen=True)
class Setting:
    """One named setting: its rule key (= its name), type, allowed values and Chinese label."""

    name: str
    label: str
    kind: str  # "bool", "choice", "quantum", "fraction", "count", "number"
    description: str
    choices: tuple[str, ...] = ()

    def parse(self, raw: object) -> Value:
        """``raw`` (a JSON value or the text after ``=`` on the command line) as the row's value type."""
        field = f"settings.{self.name}"
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
                return raw.strip().lower() == "true"
            raise CalcInputError(field, f"must be true or false, got {raw!r}")
        if self.kind == "choice":
            if raw not in self.choices:
                raise CalcInputError(
                    field, f"unknown value {raw!r}; expected one of {', '.join(self.choices)}"
                )
            return str(raw)
        number = as_decimal(raw, field, positive=self.kind != "count", nonnegative=True)
        if self.kind == "quantum":
            if str(number.normalize()) not in {str(Decimal(q).normalize()) for q in QUANTA}:
                raise CalcInputError(field, f"must be one of {', '.join(QUANTA)}, got {raw!r}")
            return Decimal(number)
        if self.kind == "fraction" and number > 1:
            raise CalcInputError(field, f"must be above 0 and at most 1, got {number}")
        if self.kind == "count" and number != number.to_integral_value():
            raise CalcInputError(field, f"must be a whole number, got {number}")
        return number


def _s(name: str, label: str, kind: str, description: str, choices: tuple[str, ...] = ()) -> Setting:
    return Setting(name, label, kind, description, choices)


#: Every named setting, by name (= rule key).
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        _s("rounding.mode", "取整方式", "choice", "rounding mode of every rounded figure", ROUNDING_MODES),
        _s("rounding.energy_kwh", "电量取整单位(kWh)", "quantum", "unit energy is rounded to"),
        _s("rounding.money_yuan", "金额取整单位(元)", "quantum", "unit money is rounded to"),
        _s(
            "rounding.back_bill_before_multiple",
            "先将补交电费取整再乘倍数",
            "bool",
            "true: the back-bill is rounded to the fen before the penalty multiple; false: the multiple "
            "applies to the unrounded back-bill",
        ),
        _s(
            "rounding.correction_factor",
            "更正系数取整单位",
            "quantum",
            "unit a correction factor derived from the wiring is rounded to before it is applied",
        ),
        _s(
            "theft.surcharge_in_base",
            "政府性基金及附加计入补交电费及违约使用电费基数",
            "bool",
            "true: the surcharges per kWh are added to the price, so they are in the back-bill and the "
            "penalty base; false: the surcharges are a separate line, outside the penalty",
        ),
        _s(
            "period.count_both_ends",
            "按起止日期计算天数时首尾两日均计入",
            "bool",
            "theft periods by dates: true counts end − start + 1 days (a one-day theft is start = end); "
            "false counts end − start",
        ),
        _s(
            "basic_charge.count_both_ends",
            "基本电费追补首尾两日均计入",
            "bool",
            "basic-charge back-bills by dates: true counts the first and the last day; false counts "
            "end − start days",
        ),
        _s(
            "basic_charge.part_month",
            "基本电费不足一月的折算方式",
            "choice",
            "days_per_month: the days of a part month / basic_charge.days_per_month (30, even in 31-day "
            "months); calendar_month: / the days of that calendar month; whole_month: a part month counts "
            "as a whole month",
            PART_MONTHS,
        ),
        _s("basic_charge.days_per_month", "每月折算天数", "number", "days of a month for part months"),
        _s(
            "violation.category_change.default_days",
            "改变用电类别起讫日期不明时的天数",
            "number",
            "days of the 3-month default of art. 100(1) (90 in exam practice)",
        ),
        _s(
            "theft.ct_pt_multiplier",
            "窃电容量乘CT、PT变比",
            "bool",
            "multiply a secondary-side marked current's capacity by the CT and PT ratios",
        ),
        _s("theft.basis.connected_load", "允许按实际接入负荷计算窃电量", "bool", "practice basis switch"),
        _s("theft.basis.transformer_kva", "允许按变压器容量计算窃电量", "bool", "practice basis switch"),
        _s("theft.basis.ct_correction", "允许按CT变比更正率计算窃电量", "bool", "practice basis switch"),
        _s(
            "theft.basis.correction_factor",
            "允许按更正系数计算窃电量",
            "bool",
            "practice basis switch: W = recorded energy × (K − 1)",
        ),
        _s(
            "theft.basis.established_energy",
            "允许按其他方式查明的电量计算窃电量",
            "bool",
            "practice basis switch: W established otherwise (basis named)",
        ),
        _s(
            "meter_error.period_fraction.over_tolerance",
            "超差退补时间比例",
            "fraction",
            "share of the time since the last test over which an over-tolerance error is corrected",
        ),
        _s(
            "late_fee.practice.count_payment_day",
            "交纳日是否计收违约金",
            "bool",
            "late fee: charge the payment day too",
        ),
        _s(
            "late_fee.practice.year_end",
            "跨年度欠费计费方式",
            "choice",
            "late fee across 1 January: split (day by day) or whole (every day at the earlier-year rate)",
            ("split", "whole"),
        ),
        _s("late_fee.practice.grace_days", "到期后宽限天数", "count", "late fee: days after due not charged"),
        _s(
            "late_fee.practice.reprice_on_tariff_rise",
            "电价上涨时本金按新电价重算",
            "bool",
            "late fee: re-price the balance on a tariff rise",
        ),
        _s(
            "late_fee.practice.minimum_applies_to",
            "最低收取额适用范围",
            "choice",
            "late fee: the 1 元 minimum per bill or per payment",
            ("bill", "payment"),
        ),
    )
}
for _category in ("residential", "general_commercial", "large_industry", "agricultural"):
    SETTINGS[f"theft.customer_class.{_category}"] = _s(
        f"theft.customer_class.{_category}",
        "电价类别对应的用户类别（照明/电力）",
        "choice",
        "class for the default hours per day when only the tariff category is known",
        ("power", "lighting"),
    )


def parse_settings(settings: object) -> dict[str, Value]:
    """``settings`` (a mapping name -> value, or ``None``) checked and typed as the rows' values."""
    if settings is None:
        return {}
    if not isinstance(settings, Mapping):
        raise CalcInputError("settings", "must be an object of setting names and values")
    parsed: dict[str, Value] = {}
    for name, raw in settings.items():
        if name not in SETTINGS:
            raise CalcInputError(
                f"settings.{name}", f"unknown setting; expected one of {', '.join(sorted(SETTINGS))}"
            )
        parsed[name] = SETTINGS[name].parse(raw)
    return parsed


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` of the command line's ``--set`` as (name, value text)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise CalcInputError("--set", f"expected NAME=VALUE, got {text!r}")
    if name not in SETTINGS:
        raise CalcInputError(
            f"settings.{name}", f"unknown setting; expected one of {', '.join(sorted(SETTINGS))}"
        )
    return name, value.strip()


def apply_settings(table: RuleTable, settings: object) -> tuple[RuleTable, dict[str, Value]]:
    """The table with the calculation's settings applied, and the settings as parsed."""
    parsed = parse_settings(settings)
    for name in parsed:
        try:
            table.rows(name)
        except LookupError:
            raise CalcInputError(f"settings.{name}", "has no row in this rule table") from None
    return (table.with_settings(parsed) if parsed else table), parsed


def setting_text(value: object) -> str:
    """A setting's value as printed (switches as 是/否)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
