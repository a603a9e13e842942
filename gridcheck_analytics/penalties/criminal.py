"""Referral to the police (移送): the criminal amount of a theft and the thresholds it is compared with."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import as_bool, as_case_date, as_decimal, as_decimal_list
from gridcheck_analytics.regulations.table import RuleNotInForceError, RuleTable


def criminal_amount_from_history(
    case: CaseBuilder,
    normal_months_kwh: object,
    after_months_kwh: object,
    theft_months: object,
    price: Decimal,
) -> tuple[Decimal, dict[str, object], str]:
    """The criminal amount by the monthly-average method (SJ-2013 art. 4(3)): (amount, inputs, formula)."""
    n_months = int(case.value("criminal.normal_months"))
    normal = as_decimal_list(normal_months_kwh, "normal_months_kwh", nonnegative=True)[-n_months:]
    after = as_decimal_list(after_months_kwh, "after_months_kwh", nonnegative=True)
    months = as_decimal(theft_months, "theft_months", positive=True)
    normal_avg = sum(normal, Decimal(0)) / len(normal)
    after_avg = sum(after, Decimal(0)) / len(after)
    drop = max(normal_avg - after_avg, Decimal(0))
    amount = case.money(drop * months * price)
    basis = {
        "normal_months_kwh": normal,
        "after_months_kwh": after,
        "theft_months": months,
        "price_yuan_per_kwh": price,
    }
    formula = "盗窃数额 = (盗窃前正常月均用量 − 盗窃后月均计量用量) × 窃电月数 × 电价（正常月份最多取6个月）"
    return amount, basis, formula


def refer_if_in_force(case: CaseBuilder, amount: Decimal, prior_offence: bool, repeated: bool) -> None:
    """:func:`_refer`, or a warning when the table has no criminal thresholds for the case date."""
    try:
        _refer(case, amount, prior_offence, repeated)
    except RuleNotInForceError as exc:
        case.warn(f"未判断是否移送：规则表中此日期无盗窃数额标准（{exc}）")


def _refer(case: CaseBuilder, amount: Decimal, prior_offence: bool, repeated: bool) -> None:
    large_row = case.rule("criminal.large.threshold_yuan")
    large = large_row.value
    if prior_offence:
        large = large * case.value("criminal.prior_offence_factor")
    huge = case.value("criminal.huge.threshold_yuan")
    especially = case.value("criminal.especially_huge.threshold_yuan")
    band = None
    if amount >= especially:
        band = "数额特别巨大"
    elif amount >= huge:
        band = "数额巨大"
    elif amount >= large:
        band = "数额较大"
    if band is not None:
        case.flag(
            "transfer_to_police",
            "建议移送公安或司法机关",
            f"盗窃数额 {amount} 元 达到“{band}”起点（较大 {large} 元、巨大 {huge} 元、特别巨大 {especially} 元）",
            large_row.citation,
        )
    elif repeated:
        case.flag(
            "transfer_to_police",
            "建议移送公安或司法机关",
            "多次盗窃：不论数额均构成盗窃（刑法第二百六十四条）",
            large_row.citation,
        )


def criminal_referral(
    *,
    case_date: object,
    amount_yuan: object,
    prior_offence: bool = False,
    repeated: bool = False,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """Whether a theft amount reaches the criminal thresholds, and which band.

    Parameters
    ----------
    case_date : date or str
        Date of the theft (selects SJ-2013 or the 1998 ranges).
    amount_yuan : Decimal
        The criminal amount (proven quantity × price, or the monthly-average method) [元].
    prior_offence : bool
        SJ-2013 art. 2 circumstance: the "large" threshold × 0.5.
    repeated : bool
        Repeated theft: flagged whatever the amount.
    province : str, optional
        Province overlay with the province's own figures.
    today : date, optional
        When given, dates after it are rejected.
    table : RuleTable, optional
        Rule table to use.

    Returns
    -------
    Calculation
        Item ``criminal_amount_yuan``; flag ``transfer_to_police`` when a threshold is reached.

    References
    ----------
    .. [1] 法释〔2013〕8号 第一条、第二条；刑法第二百六十四条.
    """
    on = as_case_date(case_date, today)
    amount = as_decimal(amount_yuan, "amount_yuan", nonnegative=True)
    prior_offence = as_bool(prior_offence, "prior_offence")
    repeated = as_bool(repeated, "repeated")
    case = CaseBuilder("criminal_referral", on, province, table, settings)
    case.add(
        "criminal_amount_yuan",
        "盗窃数额（刑事）",
        "给定",
        {"amount_yuan": amount},
        amount,
        "元",
        "法释〔2013〕8号 第四条",
    )
    _refer(case, amount, prior_offence, repeated)
    return case.calc
