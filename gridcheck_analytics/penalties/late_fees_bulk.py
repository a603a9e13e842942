"""The late-payment fee of many open bills at once (the collection app's nightly accrual), vectorised.

:func:`late_fees_bulk` takes columns (NumPy arrays, or anything ``numpy.asarray`` reads: pyarrow arrays,
pandas columns, lists) of open bills and returns each bill's fee **if paid in full on** ``as_of``, in whole
fen (``int64``), equal bill by bill to :func:`~gridcheck_analytics.penalties.late_fees.late_fee` with
``paid_date=as_of``, the same practice and no partial payments: the same charged days, the same runs (one
per rate), each run rounded half up to the fen, and the same 1 元 minimum.

What it does not do, by design:

- **Partial payments.** The balance is taken as constant over the whole overdue span. A bill that was
  partly paid after its due date accrued on a higher balance before the payment: compute it with
  :func:`late_fee` and its ``payments`` (few bills are).
- **Re-pricing on a tariff rise.** Tariff rises are per customer; :func:`late_fees_bulk` refuses
  ``tariff_changes`` under ``practice.reprice_on_tariff_rise`` (use :func:`late_fee`).

Rule rows: as in :func:`late_fee`, the rates, the minimum and the rounding of a bill are the rows in force
on its **billing period** (regulations.md 1: "billing period for fees"), not on each overdue day; a rate row
that changes within a bill's overdue span therefore does not change that bill's rate. The rows are looked
up once per distinct billing period. Rounding must be ``ROUND_HALF_UP`` to 0.01 元 (the table's
``rounding.*`` rows); any other rounding row is refused rather than approximated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from gridcheck_analytics.penalties.inputs import CalcInputError, as_date
from gridcheck_analytics.penalties.late_fee_practice import LateFeePractice, as_practice, default_practice
from gridcheck_analytics.penalties.late_fees import RATE_KEYS
from gridcheck_analytics.regulations.table import RuleTable, default_table

#: Products (balance fen × rate numerator × days × 2) must stay below this to be exact in int64.
_INT64_SAFE = 2**62


@dataclass(frozen=True)
class BulkLateFees:
    """The fee of each bill, aligned with the input arrays (all ``int64``).

    Attributes
    ----------
    fee_fen : ndarray
        The fee charged if paid in full on ``as_of`` [fen] (the minimum applied; 0 when nothing is charged).
    sum_fen : ndarray
        The sum of the rounded runs before the minimum [fen].
    current_days, earlier_days : ndarray
        Charged days at the current-year rate and at the earlier-year rate; a residential bill's days are
        all ``current_days`` (one rate).
    current_fee_fen, earlier_fee_fen : ndarray
        The rounded fee of each run [fen].
    """

    fee_fen: np.ndarray
    sum_fen: np.ndarray
    current_days: np.ndarray
    earlier_days: np.ndarray
    current_fee_fen: np.ndarray
    earlier_fee_fen: np.ndarray

    def fee_yuan(self, i: int) -> Decimal:
        """Bill ``i``'s fee as Decimal yuan (exact)."""
        return Decimal(int(self.fee_fen[i])).scaleb(-2)


def _column(values: object, name: str) -> np.ndarray:
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        try:
            return np.asarray(values.to_numpy(zero_copy_only=False))  # pyarrow
        except TypeError:
            return np.asarray(values.to_numpy())  # pandas
    return np.asarray(values)


def _dates(values: object, name: str) -> np.ndarray:
    column = _column(values, name)
    try:
        if np.issubdtype(column.dtype, np.datetime64) and np.datetime_data(column.dtype)[0] == "M":
            # A month reads as its last day, as as_bill_period reads "YYYY-MM".
            return (column + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
        out = column.astype("datetime64[D]")
    except (TypeError, ValueError):
        raise CalcInputError(name, "must be dates (datetime64, date32 or YYYY-MM-DD)") from None
    if np.isnat(out).any():
        raise CalcInputError(name, f"has a missing date at index {int(np.flatnonzero(np.isnat(out))[0])}")
    return out


def _balance_fen(balance_fen: object, balance_yuan: object) -> np.ndarray:
    if (balance_fen is None) == (balance_yuan is None):
        raise CalcInputError("balance_fen", "give exactly one of balance_fen and balance_yuan")
    if balance_fen is not None:
        column = _column(balance_fen, "balance_fen")
        if not np.issubdtype(column.dtype, np.integer):
            raise CalcInputError("balance_fen", f"must be whole fen (an integer array), got {column.dtype}")
        fen = column.astype(np.int64)
        name = "balance_fen"
    else:
        column = _column(balance_yuan, "balance_yuan")
        if column.dtype == object:  # Decimal yuan: exact
            try:
                scaled = [Decimal(v).scaleb(2) for v in column]
            except Exception:
                raise CalcInputError("balance_yuan", "must be numbers") from None
            if any(v != v.to_integral_value() for v in scaled):
                raise CalcInputError("balance_yuan", "must be whole fen (0.01 元)")
            fen = np.array([int(v) for v in scaled], dtype=np.int64)
        else:
            yuan = column.astype(np.float64)
            fen = np.rint(yuan * 100).astype(np.int64)
            if not np.allclose(fen, yuan * 100, rtol=0, atol=1e-6):
                raise CalcInputError("balance_yuan", "must be whole fen (0.01 元)")
        name = "balance_yuan"
    if (fen <= 0).any():
        raise CalcInputError(name, f"must be greater than 0 (index {int(np.flatnonzero(fen <= 0)[0])})")
    return fen


def _ratio(value: Decimal, key: str) -> tuple[int, int]:
    if not isinstance(value, Decimal):
        raise CalcInputError(key, f"rule value {value!r} is not a number")
    num, den = value.as_integer_ratio()
    return num, den


def _rows_by_period(
    periods: np.ndarray, province: str | None, table: RuleTable
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """For each bill: index of its distinct period, rate numerators/denominators, minimum in fen."""
    unique, inverse = np.unique(periods, return_inverse=True)
    rates = {
        f"{rate}_{part}": np.empty(len(unique), np.int64) for rate in RATE_KEYS for part in ("num", "den")
    }
    minimum = np.empty(len(unique), np.int64)
    for i, day64 in enumerate(unique):
        on = day64.astype(datetime.date)
        mode = table.rule("rounding.mode", on, province).value
        quantum = table.rule("rounding.money_yuan", on, province).value
        if mode != "ROUND_HALF_UP" or quantum != Decimal("0.01"):
            raise CalcInputError(
                "bill_period",
                f"{on}: bulk late fees round half up to 0.01 元; the rule table says {mode} to {quantum}",
            )
        for rate, key in RATE_KEYS.items():
            num, den = _ratio(table.rule(key, on, province).value, key)
            rates[f"{rate}_num"][i], rates[f"{rate}_den"][i] = num, den
        minimum_yuan = table.rule("late_fee.minimum_yuan", on, province).value
        minimum_fen = Decimal(minimum_yuan).scaleb(2)
        if minimum_fen != minimum_fen.to_integral_value():
            raise CalcInputError("late_fee.minimum_yuan", f"{minimum_yuan} is not whole fen")
        minimum[i] = int(minimum_fen)
    return inverse.reshape(-1), rates, minimum


def _run_fen(balance: np.ndarray, num: np.ndarray, den: np.ndarray, days: np.ndarray) -> np.ndarray:
    """round_half_up(balance × num/den × days) in fen, exactly, in int64."""
    product = balance * num * days
    return (2 * product + den) // (2 * den)


def late_fees_bulk(
    *,
    due_date: object,
    bill_period: object,
    residential: object,
    as_of: object,
    balance_fen: object = None,
    balance_yuan: object = None,
    practice: LateFeePractice | dict | None = None,
    tariff_changes: object = None,
    province: str | None = None,
    table: RuleTable | None = None,
) -> BulkLateFees:
    """Each open bill's late fee if paid in full on ``as_of``, in fen, vectorised.

    Parameters
    ----------
    due_date : array of dates
        Each bill's last day to pay (``datetime64``, pyarrow ``date32``, ``datetime.date`` or ISO strings).
    bill_period : array of dates or months
        A day of each bill's billing period (a ``datetime64[M]`` month reads as its last day): the bill's
        year and its rule rows.
    residential : array of bool
        Residential (1‰) or other (2‰ / 3‰).
    as_of : date or str
        The payment day assumed (the fee a customer paying in full on that day owes). For the fee accrued
        through the night of day D under the default practice (payment day not counted), pass D + 1.
    balance_fen, balance_yuan : array
        Each bill's unpaid balance: whole fen (integers), or yuan (Decimal objects, exact; floats are
        accepted when they are whole fen). Exactly one of them.
    practice : LateFeePractice or dict, optional
        As in :func:`late_fee`; default: the rule table's rows in force on ``as_of``.
        ``minimum_applies_to`` has no effect (each bill is its own payment).
    tariff_changes : optional
        Refused (``CalcInputError``) under ``practice.reprice_on_tariff_rise``; ignored otherwise.
    province, table
        As in :func:`late_fee`.

    Returns
    -------
    BulkLateFees
        ``fee_fen`` and the runs, aligned with the inputs. A bill not overdue on ``as_of`` (or inside its
        grace days) has 0.

    Raises
    ------
    CalcInputError
        A column is missing, of unequal length, not dates / whole fen / bools, or a refused case.
    """
    table = table or default_table()
    day = as_date(as_of, "as_of")
    chosen = (
        default_practice(day, province, table)
        if practice is None
        else as_practice(practice, base=default_practice(day, province, table))
    )
    if chosen.reprice_on_tariff_rise and tariff_changes:
        raise CalcInputError(
            "tariff_changes",
            "bulk late fees do not re-price principals on tariff rises; compute those bills with late_fee",
        )
    balance = _balance_fen(balance_fen, balance_yuan)
    due = _dates(due_date, "due_date")
    period = _dates(bill_period, "bill_period")
    res = _column(residential, "residential")
    if res.dtype != np.bool_:
        raise CalcInputError("residential", f"must be booleans, got {res.dtype}")
    n = len(balance)
    for name, column in (("due_date", due), ("bill_period", period), ("residential", res)):
        if column.shape != (n,):
            raise CalcInputError(name, f"has shape {column.shape}; expected ({n},) like the balances")

    which, rates, minimum = _rows_by_period(period, province, table)
    as_of64 = np.datetime64(day, "D")
    one = np.timedelta64(1, "D")
    first = due + one * (1 + chosen.grace_days)
    last = as_of64 if chosen.count_payment_day else as_of64 - one
    total_days = np.maximum((last - first).astype(np.int64) + 1, 0)
    year = period.astype("datetime64[Y]")
    new_year = (year + np.timedelta64(1, "Y")).astype("datetime64[D]")  # 1 January after the bill's year
    in_year = np.clip((np.minimum(last, new_year - one) - first).astype(np.int64) + 1, 0, total_days)
    current_days = in_year
    earlier_days = total_days - in_year
    if chosen.year_end == "whole":
        crossed = earlier_days > 0
        current_days = np.where(crossed, 0, total_days)
        earlier_days = np.where(crossed, total_days, 0)
    current_days = np.where(res, total_days, current_days)
    earlier_days = np.where(res, 0, earlier_days)

    cur_num = np.where(res, rates["residential_num"][which], rates["current_num"][which])
    cur_den = np.where(res, rates["residential_den"][which], rates["current_den"][which])
    ear_num = rates["earlier_num"][which]
    ear_den = rates["earlier_den"][which]
    if n:
        worst = int(balance.max()) * int(max(cur_num.max(), ear_num.max())) * int(total_days.max()) * 2
        if worst + int(max(cur_den.max(), ear_den.max())) >= _INT64_SAFE:
            raise CalcInputError(
                "balance_fen", "balance × rate × days is too large for exact int64 arithmetic"
            )
    current_fee = _run_fen(balance, cur_num, cur_den, current_days)
    earlier_fee = _run_fen(balance, ear_num, ear_den, earlier_days)
    total = current_fee + earlier_fee
    fee = np.where(total > 0, np.maximum(total, minimum[which]), 0)
    return BulkLateFees(
        fee_fen=fee,
        sum_fen=total,
        current_days=current_days,
        earlier_days=earlier_days,
        current_fee_fen=current_fee,
        earlier_fee_fen=earlier_fee,
    )
