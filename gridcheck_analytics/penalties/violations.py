"""Violations of supply rules (违约用电): the six items of art. 100, back-billing and penalty charges."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder, multiple_of
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_bool,
    as_case_date,
    as_choice,
    as_count,
    as_date,
    as_decimal,
    as_decimal_list,
    as_optional_decimal,
)
from gridcheck_analytics.regulations.table import Rule, RuleTable

#: The part-month conventions of basic-charge back-bills, as a notice writes them.
PART_MONTH_TEXT = {
    "days_per_month": "不足一月按天数/每月折算天数",
    "calendar_month": "不足一月按天数/当月日历天数",
    "whole_month": "不足一月按整月",
}

VIOLATION_TYPES = (
    "category_change",
    "excess_capacity",
    "over_allocation",
    "sealed_equipment",
    "meter_interference",
    "unauthorised_source",
)


def _months(
    case: CaseBuilder, months: object, days: object, start_date: object = None, end_date: object = None
) -> tuple[Decimal, dict[str, object]]:
    """Months of use: ``months``, or ``days`` / days per month, or the dates ``start_date``..``end_date``
    split into whole calendar months and part months (settings ``basic_charge.part_month`` and
    ``basic_charge.count_both_ends``)."""
    given = [n for n, v in (("months", months), ("days", days), ("start_date", start_date)) if v is not None]
    if len(given) > 1:
        raise CalcInputError(given[1], f"conflicts with {given[0]}: give the period one way only")
    if months is not None:
        value = as_decimal(months, "months", positive=True)
        return value, {"months": value}
    if days is not None:
        n_days = as_decimal(days, "days", positive=True)
        per_month = case.value("basic_charge.days_per_month")
        return n_days / per_month, {"days": n_days, "days_per_month": per_month}
    if start_date is None and end_date is None:
        raise CalcInputError("months", "is required (or days, or start_date and end_date)")
    start = as_date(start_date, "start_date")
    end = as_date(end_date, "end_date")
    both_ends = case.rule("basic_charge.count_both_ends").value is True
    last = end if both_ends else end - datetime.timedelta(days=1)
    if last < start:
        raise CalcInputError("end_date", f"{end} leaves no day after {start}")
    convention = str(case.rule("basic_charge.part_month").value)
    per_month = case.value("basic_charge.days_per_month") if convention == "days_per_month" else None
    whole = 0
    parts: list[str] = []
    total = Decimal(0)
    day = start
    while day <= last:
        month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        upto = min(month_end, last)
        covered = (upto - day).days + 1
        in_month = calendar.monthrange(day.year, day.month)[1]
        if covered == in_month:
            whole += 1
            total += 1
        else:
            parts.append(f"{day:%Y-%m}：{covered}天")
            if convention == "whole_month":
                total += 1
            elif convention == "calendar_month":
                total += Decimal(covered) / in_month
            else:
                total += Decimal(covered) / per_month
        day = upto + datetime.timedelta(days=1)
    inputs: dict[str, object] = {
        "start_date": start,
        "end_date": end,
        "count_both_ends": both_ends,
        "part_month": PART_MONTH_TEXT[convention],
        "whole_months": whole,
        "part_months": "；".join(parts) or "无",
    }
    if per_month is not None:
        inputs["days_per_month"] = per_month
    return total, inputs


def _basic_charge_back_bill(
    case: CaseBuilder,
    charge: object,
    capacity: Decimal,
    capacity_name: str,
    period: dict[str, object],
    known: tuple[object, object],
) -> tuple[Decimal, dict[str, object], str]:
    """The basic charge to back-bill (exact): price × capacity × months, or a known amount with its source."""
    amount, source = known
    if amount is not None:
        if charge is not None or any(v is not None for v in period.values()):
            raise CalcInputError(
                "basic_charge_yuan", "conflicts with the basic charge's price and period: give one of them"
            )
        if not isinstance(source, str) or not source.strip():
            raise CalcInputError("basic_charge_source", "is required with basic_charge_yuan: name its source")
        value = as_decimal(amount, "basic_charge_yuan", positive=True)
        return (
            value,
            {"basic_charge_yuan": value, "basic_charge_source": source.strip()},
            "补交 = 已知基本电费金额",
        )
    price = as_decimal(charge, "basic_charge_yuan_per_kva_month", positive=True)
    n_months, month_inputs = _months(case, **period)
    inputs = {"basic_charge_yuan_per_kva_month": price, capacity_name: capacity, **month_inputs}
    if "start_date" in month_inputs:
        inputs["months"] = n_months.quantize(Decimal("0.0001"))
    return price * capacity * n_months, inputs, "补交 = 基本电价 × 容量 × 使用月数"


def violation(*, violation_type: str, **facts: object) -> Calculation:
    """Dispatch to the calculation of one of the six violations of art. 100 (see ``VIOLATION_TYPES``).

    Parameters
    ----------
    violation_type : str
        One of ``VIOLATION_TYPES``.
    **facts
        The keyword arguments of that violation's function.

    Returns
    -------
    Calculation

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条；《电力供应与使用条例》第三十条.
    """
    kind = as_choice(violation_type, "violation_type", VIOLATION_TYPES)
    return VIOLATIONS[kind](**facts)


def violation_category_change(
    *,
    case_date: object,
    price_difference_yuan_per_kwh: object,
    energy_kwh: object = None,
    capacity_kw: object = None,
    hours_per_day: object = None,
    days: object = None,
    contract_penalty_multiple: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
    monthly_kwh: object = None,
    high_tariff_share: object = None,
    baseline_monthly_kwh: object = None,
) -> Calculation:
    """Item 1: tariff category changed. Back-bill the tariff difference; penalty 2 × the difference.

    The energy at the higher tariff is ``energy_kwh`` when metered, else capacity × hours per day × days,
    with days defaulting to the 3 months (90 days) of the rule table when the dates are unknown.

    Parameters
    ----------
    case_date : date or str
        Date of the violation (selects the rule version).
    price_difference_yuan_per_kwh : Decimal
        Higher tariff minus the tariff billed [元/kWh].
    energy_kwh : Decimal, optional
        Energy used at the wrong tariff [kWh].
    capacity_kw : Decimal, optional
        Capacity of the load on the wrong tariff [kW].
    hours_per_day : Decimal, optional
        Hours of use per day, from evidence (art. 100 sets none) [h/d].
    days : Decimal, optional
        Days of use; absent: the rule table's default [d].
    monthly_kwh : list of Decimal, optional
        The monthly consumption history of the violation months [kWh]; the back-billed share is
        ``high_tariff_share`` × Σ months, or, with ``baseline_monthly_kwh`` (normal months before the change),
        Σ max(0, month − baseline average) (rounded to whole kWh).
    high_tariff_share : Decimal, optional
        Share of each month's energy used at the higher tariff (0 < share ≤ 1).
    baseline_monthly_kwh : list of Decimal, optional
        Monthly consumption of normal months before the change [kWh].
    contract_penalty_multiple : Decimal, optional
        The contract's multiple where the rule is a cap (2024) [1].
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``energy_kwh``, ``back_bill_yuan``, ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第一项.
    """
    on = as_case_date(case_date, today)
    diff = as_decimal(price_difference_yuan_per_kwh, "price_difference_yuan_per_kwh", positive=True)
    case = CaseBuilder("violation.category_change", on, province, table, settings)
    mult_row = case.rule("violation.category_change.penalty_multiple")
    sources = [
        n
        for n, v in (("energy_kwh", energy_kwh), ("monthly_kwh", monthly_kwh), ("capacity_kw", capacity_kw))
        if v is not None
    ]
    if len(sources) > 1:
        raise CalcInputError(sources[1], f"conflicts with {sources[0]}: give the energy one way only")
    if monthly_kwh is not None:
        energy = _history_energy(case, mult_row, monthly_kwh, high_tariff_share, baseline_monthly_kwh)
    elif energy_kwh is not None:
        energy = case.energy(as_decimal(energy_kwh, "energy_kwh", positive=True))
        case.add("energy_kwh", "高价类别用电量", "按计量", {"energy_kwh": energy}, energy, "kWh", mult_row)
    else:
        capacity = as_decimal(capacity_kw, "capacity_kw", positive=True)
        per_day = as_decimal(hours_per_day, "hours_per_day", positive=True)
        rules = []
        if days is None:
            n_days = case.value("violation.category_change.default_days")
            days_name = "default_days"
            rules.append("violation.category_change.default_days")
        else:
            n_days = as_decimal(days, "days", positive=True)
            days_name = "days"
        energy = case.energy(capacity * per_day * n_days)
        case.add(
            "energy_kwh",
            "高价类别用电量",
            "W = 容量 × 每日小时数 × 天数（起讫日期不明按三个月）",
            {"capacity_kw": capacity, "hours_per_day": per_day, days_name: n_days},
            energy,
            "kWh",
            mult_row,
            rules,
        )
    exact = energy * diff
    back_bill = case.money(exact)
    case.add(
        "back_bill_yuan",
        "补交差额电费",
        "差额电费 = W × 电价差",
        {"energy_kwh": energy, "price_difference_yuan_per_kwh": diff},
        back_bill,
        "元",
        mult_row,
    )
    multiple = case.value(
        "violation.category_change.penalty_multiple",
        as_optional_decimal(contract_penalty_multiple, "contract_penalty_multiple", nonnegative=True),
        field="contract_penalty_multiple",
    )
    penalty = multiple_of(case, multiple, back_bill, exact)
    case.add(
        "penalty_yuan",
        "违约使用电费",
        "违约使用电费 = 倍数 × 差额电费",
        {"multiple": multiple, "back_bill_yuan": back_bill},
        penalty,
        "元",
        mult_row,
    )
    _total(case, back_bill, penalty, mult_row)
    return case.calc


def _history_energy(
    case: CaseBuilder, row: Rule, monthly: object, share: object, baseline: object
) -> Decimal:
    """Energy at the higher tariff from the monthly consumption history (the back-billed share)."""
    months = as_decimal_list(monthly, "monthly_kwh", nonnegative=True)
    if (share is None) == (baseline is None):
        raise CalcInputError(
            "high_tariff_share", "give the share used at the higher tariff, or baseline_monthly_kwh (one)"
        )
    if share is not None:
        fraction = as_decimal(share, "high_tariff_share", positive=True)
        if fraction > 1:
            raise CalcInputError("high_tariff_share", f"must be at most 1, got {fraction}")
        energy = case.energy(sum(months, Decimal(0)) * fraction)
        inputs: dict[str, object] = {"monthly_kwh": months, "high_tariff_share": fraction}
        formula = "W = Σ各月电量 × 高价类别用电比例（取整）"
    else:
        normal = as_decimal_list(baseline, "baseline_monthly_kwh", nonnegative=True)
        average = sum(normal, Decimal(0)) / len(normal)
        energy = case.energy(sum((max(m - average, Decimal(0)) for m in months), Decimal(0)))
        inputs = {
            "monthly_kwh": months,
            "baseline_monthly_kwh": normal,
            "baseline_average_kwh": average.quantize(Decimal("0.01")),
        }
        formula = "W = Σ max(0, 各月电量 − 改变类别前正常月份平均电量)（取整）"
    case.add("energy_kwh", "高价类别用电量（按月用电记录）", formula, inputs, energy, "kWh", row)
    return energy


def _total(case: CaseBuilder, back_bill: Decimal, penalty: Decimal, row: Rule) -> None:
    case.add(
        "total_due_yuan",
        "应交合计",
        "合计 = 补交电费 + 违约使用电费",
        {"back_bill_yuan": back_bill, "penalty_yuan": penalty},
        case.money(back_bill + penalty),
        "元",
        row,
    )


def violation_excess_capacity(
    *,
    case_date: object,
    extra_capacity_kva: object,
    two_part: bool,
    basic_charge_yuan_per_kva_month: object = None,
    months: object = None,
    days: object = None,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
    start_date: object = None,
    end_date: object = None,
    basic_charge_yuan: object = None,
    basic_charge_source: str | None = None,
) -> Calculation:
    """Item 2: excess capacity (私增容量).

    Two-part tariff: back-bill = basic charge × extra capacity × months; penalty = 3 × back-bill. Others:
    no back-bill; penalty = 50 元/kW (kVA) × extra capacity.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    extra_capacity_kva : Decimal
        Capacity added without permission [kVA] (kW counted alike).
    two_part : bool
        Whether the customer is on the two-part tariff.
    basic_charge_yuan_per_kva_month : Decimal, optional
        Basic charge, two-part customers [元/(kVA·month)].
    months : Decimal, optional
        Months the extra capacity was used [month]; or ``days`` [d] (divided by the days per month row).
    days : Decimal, optional
        See ``months``.
    contract_value : Decimal, optional
        The contract's multiple (two-part) or 元/kW (others) where the 2024 rule is a cap.
    province, today, table, settings
        As in :func:`theft`.
    start_date, end_date : date, optional
        The period of use by dates (two-part), instead of ``months`` or ``days``: whole calendar months count
        1, part months as the settings ``basic_charge.part_month`` and ``basic_charge.count_both_ends`` say.
    basic_charge_yuan : Decimal, optional
        A known basic-charge amount to back-bill (two-part) [元], instead of price × capacity × months.
    basic_charge_source : str, optional
        Where the amount comes from (a bill, a tariff notice); required with ``basic_charge_yuan``.

    Returns
    -------
    Calculation
        Items ``back_bill_yuan`` (two-part only), ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第二项.
    """
    on = as_case_date(case_date, today)
    extra = as_decimal(extra_capacity_kva, "extra_capacity_kva", positive=True)
    contract = as_optional_decimal(contract_value, "contract_value", nonnegative=True)
    case = CaseBuilder("violation.excess_capacity", on, province, table, settings)
    period = {"months": months, "days": days, "start_date": start_date, "end_date": end_date}
    _excess_capacity_items(
        case,
        extra,
        as_bool(two_part, "two_part"),
        basic_charge_yuan_per_kva_month,
        period,
        contract,
        known=(basic_charge_yuan, basic_charge_source),
    )
    return case.calc


def _excess_capacity_items(
    case: CaseBuilder,
    extra: Decimal,
    two_part: bool,
    basic_charge: object,
    period: dict[str, object],
    contract: Decimal | None,
    prefix: str = "",
    known: tuple[object, object] = (None, None),
) -> Decimal:
    if two_part:
        row = case.rule("violation.excess_capacity.two_part_penalty_multiple")
        exact, inputs, formula = _basic_charge_back_bill(
            case, basic_charge, extra, "extra_capacity_kva", period, known
        )
        back_bill = case.money(exact)
        case.add(
            f"{prefix}back_bill_yuan",
            "补交私增容量基本电费",
            formula,
            inputs,
            back_bill,
            "元",
            row,
        )
        multiple = case.value("violation.excess_capacity.two_part_penalty_multiple", contract)
        penalty = multiple_of(case, multiple, back_bill, exact)
        case.add(
            f"{prefix}penalty_yuan",
            "违约使用电费（私增容量）",
            "违约使用电费 = 倍数 × 私增容量基本电费",
            {"multiple": multiple, "back_bill_yuan": back_bill},
            penalty,
            "元",
            row,
        )
    else:
        row = case.rule("violation.excess_capacity.penalty_yuan_per_kw")
        rate = case.value("violation.excess_capacity.penalty_yuan_per_kw", contract)
        back_bill = Decimal("0.00")
        penalty = case.money(rate * extra)
        case.add(
            f"{prefix}penalty_yuan",
            "违约使用电费（私增容量）",
            "违约使用电费 = 每千瓦标准 × 私增容量",
            {"yuan_per_kw": rate, "extra_capacity_kva": extra},
            penalty,
            "元",
            row,
        )
    if not prefix:
        _total(case, back_bill, penalty, row)
    return back_bill + penalty


def violation_over_allocation(
    *,
    case_date: object,
    peak_overuse_kw: object,
    excess_energy_kwh: object,
    price_yuan_per_kwh: object,
    times: object = 1,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """Item 3: exceeding the planned allocation: 1 元/kW of peak over-use each time + 5 × the excess charge.

    Inactive from 2024-06-01 (probably deleted in the 2024 rules, ``U``): a later case raises
    :class:`~gridcheck_analytics.regulations.RuleNotInForceError`.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    peak_overuse_kw : Decimal
        Peak load above the allocation [kW].
    excess_energy_kwh : Decimal
        Energy above the allocation [kWh].
    price_yuan_per_kwh : Decimal
        Current tariff [元/kWh].
    times : int
        Number of times [1].
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``capacity_penalty_yuan``, ``energy_penalty_yuan``, ``total_due_yuan`` (no back-bill).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第三项.
    """
    on = as_case_date(case_date, today)
    peak = as_decimal(peak_overuse_kw, "peak_overuse_kw", positive=True)
    excess = as_decimal(excess_energy_kwh, "excess_energy_kwh", nonnegative=True)
    price = as_decimal(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    n = as_count(times, "times")
    case = CaseBuilder("violation.over_allocation", on, province, table, settings)
    row = case.rule("violation.over_allocation.penalty_yuan_per_kw")
    per_kw = row.value
    first = case.money(per_kw * peak * n)
    case.add(
        "capacity_penalty_yuan",
        "超用负荷违约使用电费",
        "= 每千瓦标准 × 超用负荷 × 次数",
        {"yuan_per_kw": per_kw, "peak_overuse_kw": peak, "times": n},
        first,
        "元",
        row,
    )
    multiple = case.value("violation.over_allocation.energy_charge_multiple")
    case_energy = case.energy(excess)
    second = multiple_of(case, multiple, case.money(case_energy * price), case_energy * price)
    case.add(
        "energy_penalty_yuan",
        "超用电量违约使用电费",
        "= 倍数 × 超用电量 × 电价",
        {"multiple": multiple, "excess_energy_kwh": case_energy, "price_yuan_per_kwh": price},
        second,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), first + second, row)
    return case.calc


def violation_sealed_equipment(
    *,
    case_date: object,
    capacity_kva: object,
    two_part: bool,
    basic_charge_yuan_per_kva_month: object = None,
    months: object = None,
    days: object = None,
    times: object = 1,
    also_excess_capacity: bool = False,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
    start_date: object = None,
    end_date: object = None,
    basic_charge_yuan: object = None,
    basic_charge_source: str | None = None,
) -> Calculation:
    """Item 4: using suspended or sealed equipment (暂停/封存设备).

    Two-part: back-bill = basic charge × capacity × months, penalty = 2 × back-bill. Others: penalty =
    30 元/kW (kVA) × capacity × times. When the equipment was also excess capacity, the item-2 lines
    are added (prefixed ``excess_``).

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    capacity_kva : Decimal
        Capacity of the equipment used [kVA].
    two_part : bool
        Whether the customer is on the two-part tariff.
    basic_charge_yuan_per_kva_month : Decimal, optional
        Basic charge, two-part customers [元/(kVA·month)].
    months, days : Decimal, optional
        Period of use [month] or [d].
    times : int
        Number of times, other customers [1].
    also_excess_capacity : bool
        The equipment was also excess capacity: add item 2.
    contract_value : Decimal, optional
        The contract's value where the 2024 rule is a cap.
    province, today, table, settings
        As in :func:`theft`.
    start_date, end_date, basic_charge_yuan, basic_charge_source
        As in :func:`violation_excess_capacity`.

    Returns
    -------
    Calculation
        Items ``back_bill_yuan`` (two-part), ``penalty_yuan``, optional ``excess_*``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第四项、第二项.
    """
    on = as_case_date(case_date, today)
    capacity = as_decimal(capacity_kva, "capacity_kva", positive=True)
    contract = as_optional_decimal(contract_value, "contract_value", nonnegative=True)
    two_part = as_bool(two_part, "two_part")
    also_excess_capacity = as_bool(also_excess_capacity, "also_excess_capacity")
    case = CaseBuilder("violation.sealed_equipment", on, province, table, settings)
    period = {"months": months, "days": days, "start_date": start_date, "end_date": end_date}
    known = (basic_charge_yuan, basic_charge_source)
    back_bill = Decimal("0.00")
    if two_part:
        row = case.rule("violation.sealed_equipment.two_part_penalty_multiple")
        exact, inputs, formula = _basic_charge_back_bill(
            case, basic_charge_yuan_per_kva_month, capacity, "capacity_kva", period, known
        )
        back_bill = case.money(exact)
        case.add(
            "back_bill_yuan",
            "补交擅用设备基本电费",
            formula,
            inputs,
            back_bill,
            "元",
            row,
        )
        multiple = case.value("violation.sealed_equipment.two_part_penalty_multiple", contract)
        penalty = multiple_of(case, multiple, back_bill, exact)
        case.add(
            "penalty_yuan",
            "违约使用电费（擅用暂停/封存设备）",
            "违约使用电费 = 倍数 × 补交基本电费",
            {"multiple": multiple, "back_bill_yuan": back_bill},
            penalty,
            "元",
            row,
        )
    else:
        row = case.rule("violation.sealed_equipment.penalty_yuan_per_kw")
        rate = case.value("violation.sealed_equipment.penalty_yuan_per_kw", contract)
        n = as_count(times, "times")
        penalty = case.money(rate * capacity * n)
        case.add(
            "penalty_yuan",
            "违约使用电费（擅用暂停/封存设备）",
            "违约使用电费 = 每千瓦每次标准 × 设备容量 × 次数",
            {"yuan_per_kw": rate, "capacity_kva": capacity, "times": n},
            penalty,
            "元",
            row,
        )
    total_inputs: dict[str, object] = {"back_bill_yuan": back_bill, "penalty_yuan": penalty}
    total = back_bill + penalty
    if also_excess_capacity:
        extra = _excess_capacity_items(
            case, capacity, two_part, basic_charge_yuan_per_kva_month, period, None, "excess_", known
        )
        total += extra
        total_inputs["excess_capacity_yuan"] = extra
    case.add("total_due_yuan", "应交合计", "合计 = 各项之和", total_inputs, case.money(total), "元", row)
    return case.calc


def violation_meter_interference(
    *,
    case_date: object,
    residential: bool,
    times: object = 1,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """Item 5: moving, altering or operating the company's meter or equipment: a fixed sum each time.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    residential : bool
        Residential customer (500 元 a time) or other (5,000 元 a time).
    times : int
        Number of times [1].
    contract_value : Decimal, optional
        The contract's sum where the 2024 rule is a cap [元].
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第五项.
    """
    on = as_case_date(case_date, today)
    n = as_count(times, "times")
    residential = as_bool(residential, "residential")
    case = CaseBuilder("violation.meter_interference", on, province, table, settings)
    key = f"violation.meter_interference.{'residential' if residential else 'other'}_yuan"
    row = case.rule(key)
    sum_each = case.value(key, as_optional_decimal(contract_value, "contract_value", nonnegative=True))
    penalty = case.money(sum_each * n)
    case.add(
        "penalty_yuan",
        "违约使用电费（私自迁移、更动、操作计量装置等）",
        "违约使用电费 = 每次标准 × 次数",
        {"yuan_each": sum_each, "times": n, "residential": residential},
        penalty,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), penalty, row)
    return case.calc


def violation_unauthorised_source(
    *,
    case_date: object,
    source_capacity_kw: object,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """Item 6: unauthorised source or own generator in parallel: 500 元/kW (kVA) (``U``); disconnect at once.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    source_capacity_kw : Decimal
        Capacity of the source [kW] (kVA counted alike).
    contract_value : Decimal, optional
        The contract's rate where the 2024 rule is a cap [元/kW].
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``penalty_yuan``, ``total_due_yuan``; always a review warning (the amount is ``U``).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第六项.
    """
    on = as_case_date(case_date, today)
    capacity = as_decimal(source_capacity_kw, "source_capacity_kw", positive=True)
    case = CaseBuilder("violation.unauthorised_source", on, province, table, settings)
    key = "violation.unauthorised_source.penalty_yuan_per_kw"
    row = case.rule(key)
    rate = case.value(key, as_optional_decimal(contract_value, "contract_value", nonnegative=True))
    penalty = case.money(rate * capacity)
    case.add(
        "penalty_yuan",
        "违约使用电费（擅自引入/供出电源或自备电源并网）",
        "违约使用电费 = 每千瓦标准 × 电源容量（并当即拆除接线）",
        {"yuan_per_kw": rate, "source_capacity_kw": capacity},
        penalty,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), penalty, row)
    return case.calc


VIOLATIONS = {
    "category_change": violation_category_change,
    "excess_capacity": violation_excess_capacity,
    "over_allocation": violation_over_allocation,
    "sealed_equipment": violation_sealed_equipment,
    "meter_interference": violation_meter_interference,
    "unauthorised_source": violation_unauthorised_source,
}
