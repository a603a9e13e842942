"""The late-payment fee (电费违约金): a daily rate on the balance from the first overdue day."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_bool, as_date, as_decimal
from gridcheck_analytics.regulations.table import RuleTable


def late_fee(
    *,
    amount_yuan: object,
    due_date: object,
    paid_date: object,
    residential: bool,
    bill_period: object = None,
    payments: Sequence[dict] | None = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Late-payment fee: daily rate × balance, from the first overdue day up to, not including, payment.

    Residential arrears accrue 1‰ a day. Other customers accrue 2‰ a day on days in the bill's own year
    and 3‰ a day from 1 January of a later year. Partial payments reduce the balance from their day on.
    Each run of days with one rate and one balance is a line, rounded to the fen; the total is their sum,
    raised to the 1 元 minimum when it is lower (and not zero).

    Parameters
    ----------
    amount_yuan : Decimal
        The overdue bill [元].
    due_date : date or str
        Last day to pay; the first overdue day is the day after.
    paid_date : date or str
        Day the balance was paid in full (not charged).
    residential : bool
        Residential customer (1‰) or other (2‰ / 3‰).
    bill_period : date or str, optional
        A day of the billing period: selects the rule version and the bill's year (default: ``due_date``).
    payments : list of {"date", "amount_yuan"}, optional
        Partial payments before ``paid_date`` [元].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        One ``fee_<n>_yuan`` line per run of days, ``late_fee_yuan`` (the fee charged).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第九十八条；《电力供应与使用条例》第三十九条.
    """
    amount = as_decimal(amount_yuan, "amount_yuan", positive=True)
    residential = as_bool(residential, "residential")
    due = as_date(due_date, "due_date")
    paid = as_date(paid_date, "paid_date", today)
    period = as_date(bill_period, "bill_period", today) if bill_period is not None else due
    if paid <= due:
        raise CalcInputError("paid_date", f"{paid} is not after the due date {due}: no fee")
    partials = []
    for i, payment in enumerate(payments or []):
        if not isinstance(payment, dict):
            raise CalcInputError(f"payments[{i}]", "must be an object with date and amount_yuan")
        day = as_date(payment.get("date"), f"payments[{i}].date", today)
        if not due < day < paid:
            raise CalcInputError(f"payments[{i}].date", f"{day} must lie after {due} and before {paid}")
        partials.append(
            (day, as_decimal(payment.get("amount_yuan"), f"payments[{i}].amount_yuan", positive=True))
        )
    if sum((p for _, p in partials), Decimal(0)) >= amount:
        raise CalcInputError("payments", "partial payments clear the whole amount before paid_date")

    case = CaseBuilder("late_fee", period, province, table)
    if residential:
        keys = {
            "current": "late_fee.residential_rate_per_day",
            "earlier": "late_fee.residential_rate_per_day",
        }
    else:
        keys = {
            "current": "late_fee.other_current_year_rate_per_day",
            "earlier": "late_fee.other_earlier_year_rate_per_day",
        }
    # Runs of days with the same rate and balance.
    runs: list[list] = []
    day = due + datetime.timedelta(days=1)
    while day < paid:
        balance = amount - sum((p for d, p in partials if d <= day), Decimal(0))
        which = "current" if day.year == period.year else "earlier"
        if runs and runs[-1][1] == which and runs[-1][2] == balance:
            runs[-1][4] = day
            runs[-1][3] += 1
        else:
            runs.append([day, which, balance, 1, day])
        day += datetime.timedelta(days=1)
    total = Decimal("0.00")
    for n, (first, which, balance, n_days, last) in enumerate(runs, start=1):
        row = case.rule(keys[which])
        label = "居民" if residential else ("当年欠费" if which == "current" else "跨年度欠费")
        fee = case.money(balance * row.value * n_days)
        case.add(
            f"fee_{n}_yuan",
            f"电费违约金（{label}，{first} 至 {last}）",
            "违约金 = 欠费余额 × 日费率 × 天数",
            {"balance_yuan": balance, "rate_per_day": row.value, "days": n_days, "from": first, "to": last},
            fee,
            "元",
            row,
        )
        total += fee
    minimum_row = case.rule("late_fee.minimum_yuan")
    charged = max(total, case.money(minimum_row.value)) if total > 0 else total
    case.add(
        "late_fee_yuan",
        "电费违约金合计",
        "合计 = 各段之和；不足最低额按最低额收取",
        {"sum_yuan": total, "minimum_yuan": minimum_row.value},
        charged,
        "元",
        minimum_row,
    )
    return case.calc
