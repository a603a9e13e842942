"""One case total of several sanctions (regulations.md 9, "sanctions that stack").

A theft penalty, a fixed fee for damaging or opening sealed equipment (a violation of art. 100(5)) and the
cost of replacing damaged metering equipment are separate lines of one case; each keeps its own article and
the case total is their sum. Every part is computed under the same case date, province and settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_case_date, as_decimal
from gridcheck_analytics.penalties.theft_cases import theft as theft_calculation
from gridcheck_analytics.penalties.violations import violation as violation_calculation
from gridcheck_analytics.regulations.table import RuleTable

#: Fields a part may not set itself: the case sets them for every part.
CASE_FIELDS = ("case_date", "province", "today", "table", "settings")


def _part_facts(facts: object, field: str) -> dict:
    if not isinstance(facts, Mapping):
        raise CalcInputError(field, "must be an object of the calculation's facts")
    for key in facts:
        if key in CASE_FIELDS:
            raise CalcInputError(f"{field}.{key}", "is set once for the whole case, not per part")
    return dict(facts)


def case_total(
    *,
    case_date: object,
    theft: object = None,
    violations: object = None,
    equipment_replacement_yuan: object = None,
    equipment_replacement_source: str | None = None,
    settled_yuan: object = None,
    settled_document: str | None = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
    settings: object = None,
) -> Calculation:
    """The lines of every sanction of one case and their total, each line citing its own article.

    Parameters
    ----------
    case_date : date or str
        Date of the case (selects the rule version of every part).
    theft : dict, optional
        The keyword arguments of :func:`~gridcheck_analytics.penalties.theft` (without ``case_date``).
    violations : list of dict, optional
        Each the keyword arguments of :func:`~gridcheck_analytics.penalties.violation` (with
        ``violation_type``), e.g. ``{"violation_type": "meter_interference", "residential": false}`` for
        opening a sealed meter.
    equipment_replacement_yuan : Decimal, optional
        Cost of replacing damaged metering equipment [元], with ``equipment_replacement_source`` (the
        invoice or price list it comes from).
    settled_yuan : Decimal, optional
        The amount agreed in mediation or judged by a court [元], with ``settled_document`` (the agreement
        or judgment). Recorded beside the computed total (regulations.md 9, "settled amount"): the line
        ``settled_amount_yuan`` never changes ``total_due_yuan``.
    province, today, table, settings
        As in :func:`~gridcheck_analytics.penalties.theft`; shared by every part.

    Returns
    -------
    Calculation
        The parts' items with their keys prefixed (``theft_…``, ``violation_1_…``), optional
        ``equipment_replacement_yuan`` and ``total_due_yuan``.
    """
    on = as_case_date(case_date, today)
    case = CaseBuilder("case", on, province, table, settings)
    parts: list[tuple[str, Calculation]] = []
    if theft is not None:
        facts = _part_facts(theft, "theft")
        parts.append(
            (
                "theft_",
                theft_calculation(
                    case_date=on, province=province, today=today, table=table, settings=settings, **facts
                ),
            )
        )
    if violations is not None:
        if not isinstance(violations, list | tuple):
            raise CalcInputError("violations", "must be a list of violations")
        for n, facts in enumerate(violations, start=1):
            facts = _part_facts(facts, f"violations[{n - 1}]")
            parts.append(
                (
                    f"violation_{n}_",
                    violation_calculation(
                        case_date=on, province=province, today=today, table=table, settings=settings, **facts
                    ),
                )
            )
    total = Decimal("0.00")
    total_inputs: dict[str, object] = {}
    for prefix, part in parts:
        for item in part.items:
            case.add(
                prefix + item.key,
                item.name,
                item.formula,
                item.inputs,
                item.value,
                item.unit,
                item.article,
                item.rules,
            )
        for key, row in part.rules_used.items():
            case.calc.rules_used.setdefault(key, row)
        for warning in part.warnings:
            case.warn(warning)
        case.calc.flags.extend(part.flags)
        part_total = part.value("total_due_yuan")
        total += part_total
        if prefix == "theft_":
            total_inputs["theft_total_yuan"] = part_total
        else:
            total_inputs.setdefault("violation_totals_yuan", []).append(part_total)
    if equipment_replacement_yuan is not None:
        if not isinstance(equipment_replacement_source, str) or not equipment_replacement_source.strip():
            raise CalcInputError(
                "equipment_replacement_source", "is required with equipment_replacement_yuan: name its source"
            )
        cost = case.money(
            as_decimal(equipment_replacement_yuan, "equipment_replacement_yuan", nonnegative=True)
        )
        row = case.rule("theft.damage_compensation")
        case.add(
            "equipment_replacement_yuan",
            "损坏计量装置更换费用",
            "按更换费用",
            {
                "equipment_replacement_yuan": cost,
                "equipment_replacement_source": equipment_replacement_source.strip(),
            },
            cost,
            "元",
            row,
        )
        total += cost
        total_inputs["equipment_replacement_yuan"] = cost
    if not total_inputs:
        raise CalcInputError(
            "theft", "the case has no part: give theft, violations or equipment_replacement_yuan"
        )
    case.add(
        "total_due_yuan",
        "本案应交合计",
        "合计 = 各项应交之和（各项依其条款分列）",
        total_inputs,
        case.money(total),
        "元",
        "各项条款见分项",
    )
    if settled_yuan is not None:
        if not isinstance(settled_document, str) or not settled_document.strip():
            raise CalcInputError(
                "settled_document", "is required with settled_yuan: name the agreement or judgment"
            )
        settled = case.money(as_decimal(settled_yuan, "settled_yuan", nonnegative=True))
        case.add(
            "settled_amount_yuan",
            "协商或判决确定金额（另行记录，不改变计算金额）",
            "按协议或判决",
            {"computed_total_yuan": case.money(total), "settled_document": settled_document.strip()},
            settled,
            "元",
            "regulations.md 第9节（结案金额与计算金额分别记录）",
        )
    return case.calc
