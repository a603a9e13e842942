"""The analytics command line: file in, file out, no database.

``python -m gridcheck_analytics.cli calc theft|violation|late-fee|meter-error --input FILE.json`` reads the
case facts as a JSON object (the keyword arguments of the function in ``gridcheck_analytics.penalties``, or
for ``power-factor``, ``bill`` and ``line-loss`` in ``gridcheck_analytics.billing``;
numbers may be JSON numbers or strings, dates ``YYYY-MM-DD``), computes the case under the rule in force on
its date and prints the itemised result as JSON (Decimals as strings), so that anyone can check a case by
hand. ``violation`` needs ``"violation_type"``. ``late-fee`` takes one bill (the arguments of ``late_fee``)
or one payment settling several, ``{"bills": [...], "paid_date": ..., "practice": {...}}``
(``late_fees_for_payment``: one fee line per bill), and adds ``"practice"`` (its options and their Chinese
lines) to the output. ``case`` stacks several sanctions into one total (``penalties.case_total``).
``--province`` picks a province overlay (one the rule table has; another is an error), ``--rules FILE`` reads
another rule table, and ``--set NAME=VALUE`` (repeatable) chooses a named setting for this calculation (a
rounding rule or a practice variant, ``penalties.SETTINGS``), over the input's ``"settings"`` object; the
output's ``"settings"`` lists every setting the calculation read, its value and whether the case chose it.
A file saved with a byte-order mark is read as if it had none. Exit status: 0 on success, 2 on bad input:
one line ``error: …`` naming the field, never a traceback.
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
from gridcheck_analytics.penalties.settings import SETTINGS, apply_settings, parse_assignment
from gridcheck_analytics.regulations.table import RuleError, RuleTable, RuleTableError, default_table

CALCULATIONS: dict[str, Callable[..., penalties.Calculation]] = {
    "theft": penalties.theft,
    "violation": penalties.violation,
    "late-fee": penalties.late_fee,
    "meter-error": penalties.meter_error,
    "criminal-referral": penalties.criminal_referral,
    "power-factor": billing.power_factor_adjustment,
    "bill": billing.bill,
    "line-loss": billing.line_loss_balance,
    "case": penalties.case_total,
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


def calc(
    name: str,
    facts: dict,
    *,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: dict | None = None,
) -> dict:
    """Run one calculation on a dict of facts and return the JSON-ready result.

    ``table`` is the rule table (default ``rules.toml``); ``settings`` (name -> value) are chosen over the
    facts' own ``"settings"``.

    Raises
    ------
    penalties.CalcInputError
        A field is missing, unknown or invalid.
    """
    if not isinstance(facts, dict):
        raise penalties.CalcInputError("input", "must be a JSON object of case facts")
    if settings:
        own = facts.get("settings") or {}
        if not isinstance(own, dict):
            raise penalties.CalcInputError("settings", "must be an object of setting names and values")
        facts = {**facts, "settings": {**own, **settings}}
    signature = _signature(name, facts)
    function = _function(name, facts)
    accepts = set(inspect.signature(function).parameters)
    if signature is not None:
        allowed = set(signature.parameters) | ({"violation_type"} if name == "violation" else set())
        for key in facts:
            if key in RESERVED or key not in allowed:
                if key == "settings":
                    raise penalties.CalcInputError(key, f"calc {name} takes no settings")
                raise penalties.CalcInputError(key, f"unknown field for calc {name}")
        for key, parameter in signature.parameters.items():
            if parameter.default is inspect.Parameter.empty and key not in facts:
                raise penalties.CalcInputError(key, "is required")
    extra: dict[str, object] = {"province": province, "today": today}
    if table is not None and ("table" in accepts or name == "violation"):
        extra["table"] = table
    result = function(**facts, **extra).to_dict()
    if name == "late-fee":
        result["practice"] = _late_fee_practice(facts, result, province, table)
    return result


def _late_fee_practice(facts: dict, result: dict, province: str | None, table: RuleTable | None) -> dict:
    """The late-fee practice the result used: its options and the statement's Chinese lines."""
    on = datetime.date.fromisoformat(result["case_date"])
    chosen, _ = apply_settings(table or default_table(), facts.get("settings"))
    practice = penalties.as_practice(
        facts.get("practice") or {}, base=penalties.default_practice(on, province, chosen)
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
    calc_parser.add_argument("--rules", default=None, help="another rule table (a rules.toml file)")
    calc_parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"choose a named setting for this calculation (one of: {', '.join(sorted(SETTINGS))})",
    )
    return parser


def _read(path: str) -> str:
    """The input file's text (``-``: stdin), a leading byte-order mark dropped."""
    if path == "-":
        text = sys.stdin.read()
    else:
        text = Path(path).read_bytes().decode("utf-8")
    return text.removeprefix("\ufeff")


def _error(message: str) -> int:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``main(["calc", "theft", "--input", "case.json"])`` returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        text = _read(args.input)
    except OSError as exc:
        return _error(f"cannot read --input {args.input}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _error(f"--input {args.input} is not UTF-8 text")
    if not text.strip():
        return _error(f"--input {args.input} is empty: expected a JSON object of case facts")
    try:
        facts = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return _error(f"{args.input} is not valid JSON: {exc}")
    except (ValueError, RecursionError) as exc:
        return _error(f"{args.input} is not valid JSON: {exc}")
    try:
        table = RuleTable.from_path(args.rules) if args.rules else default_table()
    except OSError as exc:
        return _error(f"cannot read --rules {args.rules}: {exc.strerror or exc}")
    except (RuleTableError, ValueError, KeyError) as exc:
        return _error(f"--rules {args.rules} is not a usable rule table: {exc}")
    if args.province is not None and args.province not in table.provinces():
        known = ", ".join(table.provinces()) or "none"
        return _error(f"unknown province {args.province!r} (the rule table has overlays for: {known})")
    try:
        settings = dict(parse_assignment(item) for item in args.set)
        result = calc(
            args.calculation,
            facts,
            province=args.province,
            today=datetime.date.today(),
            table=table if args.rules else None,
            settings=settings,
        )
    except penalties.CalcInputError as exc:
        return _error(f"field {exc}")
    except RuleError as exc:
        return _error(str(exc))
    except (ValueError, ArithmeticError, TypeError, KeyError) as exc:
        return _error(f"cannot compute calc {args.calculation}: {exc}")
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
