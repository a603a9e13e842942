"""Late-fee benchmark: the nightly accrual of N synthetic open bills (no database).

Prints figures, not a test. Builds N open bills as NumPy columns (balance in fen, due date, billing
period, residential flag; 60 % residential, billing periods over the last 24 months so that many
non-residential bills cross a year end, 10 % of balances under 10 元 so that the 1 元 minimum applies), then
times :func:`gridcheck_analytics.penalties.late_fees_bulk` for each practice variant asked for and prints
bills, seconds, bills/s and the peak resident memory of the process. ``--check K`` recomputes K random
bills with the single-bill :func:`~gridcheck_analytics.penalties.late_fee` and stops on any difference.

Target: 1,000,000 bills in under 60 s. The Django side (reading the open balances from the database and
writing the accruals back) is not measured here.

Usage::

    .venv/bin/python benchmarks/late_fee_benchmark.py --bills 1000000 --check 200
"""

from __future__ import annotations

import argparse
import datetime
import resource
import sys
import time
from decimal import Decimal

import numpy as np

from gridcheck_analytics.penalties import LateFeePractice, late_fee, late_fees_bulk

PRACTICES = {
    "default": LateFeePractice(),
    "payment_day": LateFeePractice(count_payment_day=True),
    "whole_year": LateFeePractice(year_end="whole"),
    "grace_7": LateFeePractice(grace_days=7),
}


def synthetic_bills(n: int, as_of: datetime.date, seed: int) -> dict[str, np.ndarray]:
    """N open bills: columns as the collection app would read them from its receivables."""
    rng = np.random.default_rng(seed)
    as_of64 = np.datetime64(as_of, "D")
    month = as_of64.astype("datetime64[M]") - rng.integers(1, 25, n).astype("timedelta64[M]")
    period = (month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    due = period + rng.integers(10, 31, n).astype("timedelta64[D]")  # due in the next month
    balance = np.where(
        rng.random(n) < 0.1,
        rng.integers(1, 1_000, n),  # under 10 元
        rng.lognormal(mean=10.5, sigma=1.5, size=n).astype(np.int64) + 1,  # ~360 元 median, long tail
    ).astype(np.int64)
    return {
        "balance_fen": balance,
        "due_date": due,
        "bill_period": period,
        "residential": rng.random(n) < 0.6,
    }


def peak_memory_mb() -> float:
    """Peak resident memory of this process [MB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=datetime.date(2026, 1, 20))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--practice", choices=sorted(PRACTICES), action="append")
    parser.add_argument("--check", type=int, default=0, help="recompute K random bills one by one")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    bills = synthetic_bills(args.bills, args.as_of, args.seed)
    built = time.perf_counter() - start
    print(f"bills: {args.bills:,}  as of {args.as_of}  (built in {built:.2f} s)")
    print(
        f"{'practice':<12} {'seconds':>8} {'bills/s':>14} {'charged':>10} {'total fee 元':>18} {'peak MB':>8}"
    )
    for name in args.practice or sorted(PRACTICES):
        practice = PRACTICES[name]
        start = time.perf_counter()
        result = late_fees_bulk(**bills, as_of=args.as_of, practice=practice)
        seconds = time.perf_counter() - start
        charged = int((result.fee_fen > 0).sum())
        total = Decimal(int(result.fee_fen.sum())).scaleb(-2)
        print(
            f"{name:<12} {seconds:>8.3f} {args.bills / seconds:>14,.0f} {charged:>10,} {total:>18,} "
            f"{peak_memory_mb():>8.0f}"
        )
        if args.check:
            rng = np.random.default_rng(args.seed + 1)
            for i in rng.choice(args.bills, size=min(args.check, args.bills), replace=False):
                due = bills["due_date"][i].astype(datetime.date)
                if args.as_of <= due:
                    expected = Decimal("0.00")
                else:
                    expected = late_fee(
                        amount_yuan=Decimal(int(bills["balance_fen"][i])).scaleb(-2),
                        due_date=due,
                        paid_date=args.as_of,
                        residential=bool(bills["residential"][i]),
                        bill_period=bills["bill_period"][i].astype(datetime.date),
                        practice=practice,
                    ).value("late_fee_yuan")
                if result.fee_yuan(int(i)) != expected:
                    print(f"  MISMATCH bill {i}: bulk {result.fee_yuan(int(i))}, late_fee {expected}")
                    return 1
            print(f"  {args.check} random bills equal to late_fee")
    return 0


if __name__ == "__main__":
    sys.exit(main())
