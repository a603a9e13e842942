"""The analytics command line: file in, file out, no database.

``python -m gridcheck_analytics.cli calc theft|violation|late-fee|meter-error --input FILE.json`` reads the
case facts as a JSON object (the keyword arguments of the function in ``gridcheck_analytics.penalties``, or
for ``power-factor``, ``bill`` and ``line-loss`` in ``gridcheck_analytics.billing``;
numbers may be JSON numbers or strings, dates ``YYYY-MM-DD``), computes the case under the rule in force on
its date and prints the itemised result as JSON (Decimals as strings), so that anyone can check a case by
hand. ``violation`` needs ``"violation_type"``. ``late-fee`` takes one bill (the arguments of ``late_fee``)
or one payment settling several, ``{"bills": [...], "paid_date": ..., "practice": {...}}``
(``late_fees_for_payment``: one fee line per bill), and adds ``"practice"`` (its options and their Chinese
lines) to the output. ``--province`` picks a province overlay. Exit status: 0 on
success, 2 on bad input (the message names the field).
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import json
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from gridcheck_analytics import billing, penalties
from gridcheck_analytics.regulations.table import RuleError

CALCULATIONS: dict[str, Callable[..., penalties.Calculation]] = {
    "theft": penalties.theft,
    "violation": penalties.violation,
    "late-fee": penalties.late_fee,
    "meter-error": penalties.meter_error,
    "criminal-referral": penalties.criminal_referral,
    "power-factor": billing.power_factor_adjustment,
    "bill": billing.bill,
    "line-loss": billing.line_loss_balance,
}
#: Keyword arguments the command line sets itself, never read from the input file.
RESERVED = ("today", "table", "province")


def _function(name: str, facts: dict) -> Callable[..., penalties.Calculation]:
    """The function that computes ``name`` for these facts: ``late-fee`` with ``bills`` is one payment
    settling several bills (:func:`penalties.late_fees_for_payment`), else one bill."""
    if name == "late-fee" and "bills" in facts:
        return penalties.late_fees_for_payment
    return CALCULATIONS[name]


def _signature(name: str, facts: dict) -> inspect.Signature | None:
    """Signature of the function that computes ``name`` for these facts (None: unknown violation type)."""
    function = _function(name, facts)
    if name == "violation":
        kind = facts.get("violation_type")
        if kind not in penalties.VIOLATIONS:
            return None  # penalties.violation names the field
        function = penalties.VIOLATIONS[kind]
    return inspect.signature(function)


def calc(name: str, facts: dict, *, province: str | None = None, today: datetime.date | None = None) -> dict:
    """Run one calculation on a dict of facts and return the JSON-ready result.

    Raises
    ------
    penalties.CalcInputError
        A field is missing, unknown or invalid.
    """
    if not isinstance(facts, dict):
        raise penalties.CalcInputError("input", "must be a JSON object of case facts")
    signature = _signature(name, facts)
    if signature is not None:
        allowed = set(signature.parameters) | ({"violation_type"} if name == "violation" else set())
        for key in facts:
            if key in RESERVED or key not in allowed:
                raise penalties.CalcInputError(key, f"unknown field for calc {name}")
        for key, parameter in signature.parameters.items():
            if parameter.default is inspect.Parameter.empty and key not in facts:
                raise penalties.CalcInputError(key, "is required")
    result = _function(name, facts)(**facts, province=province, today=today).to_dict()
    if name == "late-fee":
        result["practice"] = _late_fee_practice(facts, result, province)
    return result


def _late_fee_practice(facts: dict, result: dict, province: str | None) -> dict:
    """The late-fee practice the result used: its options and the statement's Chinese lines."""
    on = datetime.date.fromisoformat(result["case_date"])
    practice = penalties.as_practice(
        facts.get("practice") or {}, base=penalties.default_practice(on, province)
    )
    minimum = next(r["value"] for r in result["rules"] if r["key"] == "late_fee.minimum_yuan")
    return {
        "options": practice.as_dict(),
        "statement": penalties.describe_practice(practice, minimum_yuan=Decimal(minimum)),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gridcheck", description="Gridcheck analytics commands")
    commands = parser.add_subparsers(dest="command", required=True)
    calc_parser = commands.add_parser(
        "calc", help="compute a case from a JSON file and print the itemised result"
    )
    calc_parser.add_argument("calculation", choices=sorted(CALCULATIONS))
    calc_parser.add_argument("--input", required=True, help="JSON file of case facts ('-' for stdin)")
    calc_parser.add_argument("--province", default=None, help="province overlay of the rule table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``main(["calc", "theft", "--input", "case.json"])`` returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.input == "-":
            text = sys.stdin.read()
        else:
            text = Path(args.input).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read --input {args.input}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        facts = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        print(f"error: {args.input} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        result = calc(args.calculation, facts, province=args.province, today=datetime.date.today())
    except penalties.CalcInputError as exc:
        print(f"error: field {exc}", file=sys.stderr)
        return 2
    except RuleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
