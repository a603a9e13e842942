"""The late-payment fee (电费违约金): a daily rate on the balance from the first overdue day.

:func:`late_fee` computes one bill; :func:`late_fees_for_payment` the bills one payment settles, one fee line
per bill. How the days are counted, how a year end is charged, when the fee starts, whether the principal
follows a tariff rise and what the 1 元 minimum applies to are the options of a
:class:`~gridcheck_analytics.penalties.late_fee_practice.LateFeePractice` (defaults: the rule table's
``late_fee.practice.*`` rows). The collection app's nightly accrual of many bills is
:mod:`gridcheck_analytics.penalties.late_fees_bulk`, equal to :func:`late_fee` bill by bill.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_bill_period,
    as_bool,
    as_date,
    as_decimal,
)
from gridcheck_analytics.penalties.late_fee_practice import (
    PRACTICE_RULES,
    LateFeePractice,
    as_practice,
    option_text,
)
from gridcheck_analytics.regulations.table import Rule, RuleTable

ONE_DAY = datetime.timedelta(days=1)

#: Rate class of a charged day -> rule key of its daily rate.
RATE_KEYS = {
    "residential": "late_fee.residential_rate_per_day",
    "current": "late_fee.other_current_year_rate_per_day",
    "earlier": "late_fee.other_earlier_year_rate_per_day",
}
RATE_LABELS = {"residential": "居民", "current": "当年欠费", "earlier": "跨年度欠费"}


@dataclass
class _Run:
    """Consecutive charged days of one rate and one balance."""

    first: datetime.date
    last: datetime.date
    rate: str
    balance: Decimal
    days: int = 1
    row: Rule | None = None
    fee: Decimal = Decimal(0)


@dataclass
class _Reprice:
    day: datetime.date
    ratio: Decimal
    before: Decimal
    after: Decimal


@dataclass
class _BillFee:
    """One bill's fee before the minimum: its runs, its re-pricings and their sum."""

    runs: list[_Run] = field(default_factory=list)
    reprices: list[_Reprice] = field(default_factory=list)
    total: Decimal = Decimal("0.00")

    @property
    def principal_increase(self) -> Decimal:
        return sum((r.after - r.before for r in self.reprices), Decimal("0.00"))


def charged_days(
    due: datetime.date, paid: datetime.date, practice: LateFeePractice
) -> tuple[datetime.date, datetime.date]:
    """First and last charged day of a bill due on ``due`` and paid on ``paid`` (empty when last < first)."""
    first = due + ONE_DAY * (1 + practice.grace_days)
    last = paid if practice.count_payment_day else paid - ONE_DAY
    return first, last


def _payments(payments: object, due: datetime.date, paid: datetime.date, today, prefix: str) -> list:
    if payments is None:
        return []
    if not isinstance(payments, list | tuple):
        raise CalcInputError(f"{prefix}payments", "must be a list of {date, amount_yuan}")
    partials = []
    for i, payment in enumerate(payments):
        where = f"{prefix}payments[{i}]"
        if not isinstance(payment, dict):
            raise CalcInputError(where, "must be an object with date and amount_yuan")
        day = as_date(payment.get("date"), f"{where}.date", today)
        if not due < day < paid:
            raise CalcInputError(f"{where}.date", f"{day} must lie after {due} and before {paid}")
        partials.append((day, as_decimal(payment.get("amount_yuan"), f"{where}.amount_yuan", positive=True)))
    return partials


def tariff_change_list(changes: object, today: datetime.date | None = None, field: str = "tariff_changes"):
    """``[{"date", "ratio"}, ...]`` as ``[(date, Decimal ratio)]``, sorted by date (ratio > 0)."""
    if changes is None:
        return []
    if not isinstance(changes, list | tuple):
        raise CalcInputError(field, "must be a list of {date, ratio}")
    out = []
    for i, change in enumerate(changes):
        if not isinstance(change, dict):
            raise CalcInputError(f"{field}[{i}]", "must be an object with date and ratio")
        unknown = set(change) - {"date", "ratio"}
        if unknown:
            raise CalcInputError(f"{field}[{i}].{sorted(unknown)[0]}", "unknown field (expected date, ratio)")
        day = as_date(change.get("date"), f"{field}[{i}].date", today)
        out.append((day, as_decimal(change.get("ratio"), f"{field}[{i}].ratio", positive=True)))
    return sorted(out, key=lambda c: c[0])


def _bill_fee(
    case: CaseBuilder,
    *,
    amount: Decimal,
    due: datetime.date,
    paid: datetime.date,
    period: datetime.date,
    residential: bool,
    partials: list,
    changes: list,
    practice: LateFeePractice,
    prefix: str = "",
) -> _BillFee:
    """The runs of charged days of one bill, each rounded to the fen, and their sum (no minimum)."""
    result = _BillFee()
    first, last = charged_days(due, paid, practice)
    if residential:
        whole_rate = "residential"
    elif practice.year_end == "whole" and last >= first:
        whole_rate = "earlier" if last.year > period.year else "current"
    else:
        whole_rate = None
    rises = [(d, r) for d, r in changes if due < d < paid] if practice.reprice_on_tariff_rise else []
    balance = amount
    day = due + ONE_DAY
    while day <= last:
        start = balance
        for rise_day, ratio in rises:
            if rise_day == day:
                after = case.money(start * ratio) if ratio > 1 else start
                result.reprices.append(_Reprice(day, ratio, start, after))
                start = after
        end = start - sum((p for d, p in partials if d == day), Decimal(0))
        if end <= 0:
            raise CalcInputError(
                f"{prefix}payments", "partial payments clear the whole amount before paid_date"
            )
        balance = end
        if day >= first:
            charged = start if practice.count_payment_day else end
            rate = whole_rate or ("current" if day.year <= period.year else "earlier")
            run = result.runs[-1] if result.runs else None
            if run is not None and run.rate == rate and run.balance == charged and run.last + ONE_DAY == day:
                run.last, run.days = day, run.days + 1
            else:
                result.runs.append(_Run(day, day, rate, charged))
        day += ONE_DAY
    for run in result.runs:
        run.row = case.rule(RATE_KEYS[run.rate])
        run.fee = case.money(run.balance * run.row.value * run.days)
        result.total += run.fee
    return result


def _resolve_practice(practice: object, case: CaseBuilder) -> LateFeePractice:
    """The practice asked for; options not given are the rule table's defaults (their rows are cited)."""
    if isinstance(practice, LateFeePractice):
        return practice
    given = practice if isinstance(practice, dict) else {}
    base = {}
    for name, key in PRACTICE_RULES.items():
        if name not in given:
            base[name] = case.rule(key).value
    defaults = as_practice(base, base=LateFeePractice(), field="practice")
    return defaults if practice is None else as_practice(practice, base=defaults)


def _practice_inputs(practice: LateFeePractice, minimum_yuan: Decimal) -> dict[str, str]:
    return {name: option_text(name, value, minimum_yuan) for name, value in practice.as_dict().items()}


def _add_reprices(case: CaseBuilder, fee: _BillFee, prefix: str, article: str) -> None:
    for n, r in enumerate(fee.reprices, start=1):
        rise = r.ratio > 1
        case.add(
            f"{prefix}reprice_{n}_yuan",
            f"欠费本金按新电价重算（{r.day} 起）" if rise else f"电价下调，按原价格执行（{r.day}）",
            "重算后余额 = 余额 × 新电价/原电价" if rise else "电价下降不重算",
            {"balance_yuan": r.before, "ratio": r.ratio, "from": r.day},
            r.after,
            "元",
            article,
        )


REPRICE_ARTICLE = "《中华人民共和国民法典》第五百一十三条"


def late_fee(
    *,
    amount_yuan: object,
    due_date: object,
    paid_date: object,
    residential: bool,
    bill_period: object = None,
    payments: Sequence[dict] | None = None,
    practice: LateFeePractice | dict | None = None,
    tariff_changes: Sequence[dict] | None = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """Late-payment fee: daily rate × balance over the charged days, each run rounded, 1 元 minimum.

    Residential arrears accrue 1‰ a day. Other customers accrue 2‰ a day on days in the bill's own year
    and 3‰ a day from 1 January of a later year (``practice.year_end``). Partial payments reduce the
    balance from their day on. The charged days run from the day after the due date (plus
    ``practice.grace_days``) up to, not including, the payment day (``practice.count_payment_day``). Each
    run of days with one rate and one balance is a line, rounded to the fen; the total is their sum, raised
    to the 1 元 minimum when it is lower and not zero (a payment inside the grace days owes nothing).

    Parameters
    ----------
    amount_yuan : Decimal
        The overdue bill [元].
    due_date : date or str
        Last day to pay; the first overdue day is the day after.
    paid_date : date or str
        Day the balance was paid in full.
    residential : bool
        Residential customer (1‰) or other (2‰ / 3‰).
    bill_period : date or str, optional
        A day of the billing period or a month ``YYYY-MM``: selects the rule version and the bill's year
        (default: ``due_date``).
    payments : list of {"date", "amount_yuan"}, optional
        Partial payments after ``due_date`` and before ``paid_date`` [元].
    practice : LateFeePractice or dict, optional
        The company's practice; options a dict leaves out, or all when ``None``, are the rule table's
        ``late_fee.practice.*`` rows in force on the billing period.
    tariff_changes : list of {"date", "ratio"}, optional
        Changes of the customer's tariff, ``ratio`` = new price / price just before. Used only with
        ``practice.reprice_on_tariff_rise``, and only those strictly after ``due_date`` and before
        ``paid_date``; a fall is listed and not applied.
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        ``reprice_<n>_yuan`` per tariff change applied (the balance after it), one ``fee_<n>_yuan`` line
        per run of days, ``principal_increase_yuan`` (only when the principal was re-priced: what the
        re-pricing adds to the principal owed) and ``late_fee_yuan`` (the fee charged; its inputs carry the
        practice in Chinese).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第九十八条；《电力供应与使用条例》第三十九条；《民法典》第五百一十三条.
    """
    amount = as_decimal(amount_yuan, "amount_yuan", positive=True)
    residential = as_bool(residential, "residential")
    due = as_date(due_date, "due_date")
    paid = as_date(paid_date, "paid_date", today)
    period = as_bill_period(bill_period, "bill_period", today) if bill_period is not None else due
    if paid <= due:
        raise CalcInputError("paid_date", f"{paid} is not after the due date {due}: no fee")
    partials = _payments(payments, due, paid, today, "")
    if sum((p for _, p in partials), Decimal(0)) >= amount:
        raise CalcInputError("payments", "partial payments clear the whole amount before paid_date")
    changes = tariff_change_list(tariff_changes, today)

    case = CaseBuilder("late_fee", period, province, table, settings)
    case.date_field = "bill_period" if bill_period is not None else "due_date"
    chosen = _resolve_practice(practice, case)
    fee = _bill_fee(
        case,
        amount=amount,
        due=due,
        paid=paid,
        period=period,
        residential=residential,
        partials=partials,
        changes=changes,
        practice=chosen,
    )
    _add_reprices(case, fee, "", REPRICE_ARTICLE)
    for n, run in enumerate(fee.runs, start=1):
        label = RATE_LABELS[run.rate]
        if chosen.year_end == "whole" and run.rate == "earlier":
            label += "，整笔按跨年度计"
        case.add(
            f"fee_{n}_yuan",
            f"电费违约金（{label}，{run.first} 至 {run.last}）",
            "违约金 = 欠费余额 × 日费率 × 天数",
            {
                "balance_yuan": run.balance,
                "rate_per_day": run.row.value,
                "days": run.days,
                "from": run.first,
                "to": run.last,
            },
            run.fee,
            "元",
            run.row,
        )
    if fee.reprices:
        case.add(
            "principal_increase_yuan",
            "逾期付款遇电价上涨应补交的本金",
            "Σ（重算后余额 − 重算前余额）",
            {"sum_yuan": fee.principal_increase},
            fee.principal_increase,
            "元",
            REPRICE_ARTICLE,
        )
    minimum_row = case.rule("late_fee.minimum_yuan")
    total = fee.total
    charged = max(total, case.money(minimum_row.value)) if total > 0 else total
    case.add(
        "late_fee_yuan",
        "电费违约金合计",
        "合计 = 各段之和；不足最低额按最低额收取",
        {
            "sum_yuan": total,
            "minimum_yuan": minimum_row.value,
            "practice": _practice_inputs(chosen, minimum_row.value),
        },
        charged,
        "元",
        minimum_row,
    )
    return case.calc


BILL_FIELDS = (
    "bill_number",
    "amount_yuan",
    "due_date",
    "residential",
    "bill_period",
    "payments",
    "tariff_changes",
)


def late_fees_for_payment(
    *,
    bills: Sequence[dict],
    paid_date: object,
    practice: LateFeePractice | dict | None = None,
    tariff_changes: Sequence[dict] | None = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """The late fees of several bills settled by one payment: one fee line per bill and the total.

    Each bill is computed as :func:`late_fee` computes it alone (its rates and minimum from the rule rows
    in force on its own billing period), paid on ``paid_date``. A bill not yet overdue on ``paid_date`` has
    a 0.00 line. With ``practice.minimum_applies_to == "bill"`` each bill's fee is raised to the minimum;
    with ``"payment"`` only the total is (the row in force on ``paid_date``).

    Parameters
    ----------
    bills : list of dict
        ``{"bill_number", "amount_yuan", "due_date", "residential", "bill_period"?, "payments"?,
        "tariff_changes"?}`` as the arguments of :func:`late_fee` (a bill's own ``tariff_changes`` replace
        the payment's).
    paid_date : date or str
        Day the payment settles the bills in full.
    practice : LateFeePractice or dict, optional
        As in :func:`late_fee`; defaults in force on ``paid_date``.
    tariff_changes : list of {"date", "ratio"}, optional
        The customer's tariff changes, for every bill (see :func:`late_fee`).
    province, today, table, settings
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Kind ``late_fee_payment``, case date ``paid_date``: ``bill_<n>_reprice_<m>_yuan`` where a principal
        was re-priced, ``bill_<n>_fee_yuan`` per bill in the order given (inputs: bill number, amount, due
        date, the runs as text ``余额 × 日费率 × 天数 = 违约金``), ``principal_increase_yuan`` when any
        principal was re-priced, and ``late_fee_yuan`` (the total charged).
    """
    paid = as_date(paid_date, "paid_date", today)
    if not isinstance(bills, list | tuple) or not bills:
        raise CalcInputError("bills", "must be a non-empty list of bills")
    shared_changes = tariff_change_list(tariff_changes, today)
    case = CaseBuilder("late_fee_payment", paid, province, table, settings)
    case.date_field = "paid_date"
    chosen = _resolve_practice(practice, case)
    total = Decimal("0.00")
    increase = Decimal("0.00")
    numbers = set()
    for n, bill in enumerate(bills, start=1):
        prefix = f"bills[{n - 1}]."
        if not isinstance(bill, dict):
            raise CalcInputError(
                f"bills[{n - 1}]", "must be an object (bill_number, amount_yuan, due_date, ...)"
            )
        for key in bill:
            if key not in BILL_FIELDS:
                raise CalcInputError(prefix + key, "unknown field of a bill")
        number = bill.get("bill_number")
        if number is None or str(number).strip() == "":
            raise CalcInputError(prefix + "bill_number", "is required")
        number = str(number).strip()
        if number in numbers:
            raise CalcInputError(prefix + "bill_number", f"{number} appears twice")
        numbers.add(number)
        amount = as_decimal(bill.get("amount_yuan"), prefix + "amount_yuan", positive=True)
        due = as_date(bill.get("due_date"), prefix + "due_date")
        if "residential" not in bill:
            raise CalcInputError(prefix + "residential", "is required")
        residential = as_bool(bill["residential"], prefix + "residential")
        period = (
            as_bill_period(bill["bill_period"], prefix + "bill_period", today)
            if bill.get("bill_period") is not None
            else due
        )
        partials = _payments(bill.get("payments"), due, max(paid, due + ONE_DAY), today, prefix)
        if sum((p for _, p in partials), Decimal(0)) >= amount:
            raise CalcInputError(
                prefix + "payments", "partial payments clear the whole amount before paid_date"
            )
        changes = (
            tariff_change_list(bill["tariff_changes"], today, prefix + "tariff_changes")
            if "tariff_changes" in bill
            else shared_changes
        )
        sub = CaseBuilder("late_fee", period, province, case.table)
        sub.date_field = prefix + ("bill_period" if bill.get("bill_period") is not None else "due_date")
        minimum_row = sub.rule("late_fee.minimum_yuan")
        overdue = paid > due
        fee = (
            _bill_fee(
                sub,
                amount=amount,
                due=due,
                paid=paid,
                period=period,
                residential=residential,
                partials=partials,
                changes=changes,
                practice=chosen,
                prefix=prefix,
            )
            if overdue
            else _BillFee()
        )
        for key, row in sub.calc.rules_used.items():
            if case.calc.rules_used.setdefault(key, row) is not row:
                case.calc.rules_used.setdefault(f"{key}@{row.effective_from}", row)
        for warning in sub.calc.warnings:
            case.warn(warning)
        per_bill = chosen.minimum_applies_to == "bill"
        value = max(fee.total, sub.money(minimum_row.value)) if per_bill and fee.total > 0 else fee.total
        _add_reprices(case, fee, f"bill_{n}_", REPRICE_ARTICLE)
        segments = [
            f"{run.balance} × {run.row.value} × {run.days}天（{run.first} 至 {run.last}，{RATE_LABELS[run.rate]}）"
            f" = {run.fee}"
            for run in fee.runs
        ]
        inputs: dict[str, object] = {
            "bill_number": number,
            "amount_yuan": amount,
            "due_date": due,
            "segments": segments or ["未逾期" if not overdue else "无计收天数"],
            "sum_yuan": fee.total,
        }
        if per_bill:
            inputs["minimum_yuan"] = minimum_row.value
        citations = list(dict.fromkeys(run.row.citation for run in fee.runs)) or [minimum_row.citation]
        case.add(
            f"bill_{n}_fee_yuan",
            f"电费违约金（电费单 {number}，{'居民' if residential else '其他用户'}）",
            "各段违约金之和（余额 × 日费率 × 天数）" + ("；不足最低额按最低额收取" if per_bill else ""),
            inputs,
            value,
            "元",
            "；".join(citations),
        )
        total += value
        increase += fee.principal_increase
    if increase:
        case.add(
            "principal_increase_yuan",
            "逾期付款遇电价上涨应补交的本金",
            "Σ 各电费单（重算后余额 − 重算前余额）",
            {"sum_yuan": increase},
            increase,
            "元",
            REPRICE_ARTICLE,
        )
    minimum_row = case.rule("late_fee.minimum_yuan")
    per_payment = chosen.minimum_applies_to == "payment"
    charged = max(total, case.money(minimum_row.value)) if per_payment and total > 0 else total
    case.add(
        "late_fee_yuan",
        f"电费违约金合计（{len(bills)} 张电费单）",
        "合计 = 各电费单违约金之和" + ("；不足最低额按最低额收取" if per_payment else ""),
        {
            "sum_yuan": total,
            "minimum_yuan": minimum_row.value,
            "practice": _practice_inputs(chosen, minimum_row.value),
        },
        charged,
        "元",
        minimum_row,
    )
    return case.calc
