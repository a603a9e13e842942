"""Metered energy of a bill: register differences × multiplier, rollover, meter and multiplier changes.

A bill's metering comes in *parts*: one per meter (and multiplier) in service during the period. A meter
changed mid-period gives two parts, the old meter's from its start reading to its removal reading and the
new meter's from its installation reading to the end; a multiplier change without a meter change is two
parts of the same meter. Each part's energy is its register difference × its own CT ratio × PT ratio,
applied once, rounded as ``rounding.energy_kwh`` says; the bill's energy of a register is the sum of its
parts.
"""

from __future__ import annotations

from decimal import Decimal

from gridcheck_analytics.penalties.builder import CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_bool, as_count, as_decimal

#: Active registers, in the order a bill lists them, and the reactive register.
ACTIVE_REGISTERS = ("total", "sharp", "peak", "flat", "valley")
TIME_OF_USE_PERIODS = ("sharp", "peak", "flat", "valley")
REACTIVE = "reactive"
REGISTER_NAMES = {
    "total": "总",
    "sharp": "尖峰",
    "peak": "峰",
    "flat": "平",
    "valley": "谷",
    "reactive": "无功",
}


def unit_of(register: str) -> str:
    """kvarh for the reactive register, kWh for the others."""
    return "kvarh" if register == REACTIVE else "kWh"


def _as_object(value: object, name: str) -> dict:
    if not isinstance(value, dict):
        raise CalcInputError(name, "must be a JSON object")
    return value


def _register_difference(
    reading: dict, where: str, digits: int | None
) -> tuple[Decimal, dict[str, object], str]:
    """End − start of one register, across a rollover when the reading says so."""
    start = as_decimal(reading.get("start"), f"{where}.start", nonnegative=True)
    end = as_decimal(reading.get("end"), f"{where}.end", nonnegative=True)
    rollover = as_bool(reading.get("rollover", False), f"{where}.rollover")
    unknown = set(reading) - {"start", "end", "rollover"}
    if unknown:
        raise CalcInputError(f"{where}.{sorted(unknown)[0]}", "unknown field")
    inputs: dict[str, object] = {"start": start, "end": end}
    if digits is not None:
        modulus = Decimal(10) ** digits
        for value, field in ((start, "start"), (end, "end")):
            if value >= modulus:
                raise CalcInputError(
                    f"{where}.{field}", f"{value} does not fit a register of {digits} digits"
                )
    if rollover:
        if digits is None:
            raise CalcInputError("register_digits", f"is required for the rollover of {where}")
        if end >= start:
            raise CalcInputError(f"{where}.rollover", f"end {end} is not below start {start}: no rollover")
        inputs.update(register_digits=digits, rollover=True)
        return end + Decimal(10) ** digits - start, inputs, "(止码 + 10^位数 − 起码)"
    if end < start:
        raise CalcInputError(
            where,
            f"register went backwards (表码倒走): end {end} is below start {start}; "
            "mark a rollover, or enter a meter change as two parts",
        )
    return end - start, inputs, "(止码 − 起码)"


def metered_energies(case: CaseBuilder, meters: object) -> dict[str, Decimal]:
    """Add a line per part and register, and a sum line per register; return the sums by register."""
    if not isinstance(meters, list) or not meters:
        raise CalcInputError("meters", "must be a non-empty list of meter parts")
    energy_row = case.rule("rounding.energy_kwh")
    registers_of_first: set[str] | None = None
    parts: dict[str, list[Decimal]] = {}
    for i, raw in enumerate(meters):
        where = f"meters[{i}]"
        part = _as_object(raw, where)
        unknown = set(part) - {"meter", "ct_ratio", "pt_ratio", "register_digits", "registers"}
        if unknown:
            raise CalcInputError(f"{where}.{sorted(unknown)[0]}", "unknown field")
        ct = as_decimal(part.get("ct_ratio", 1), f"{where}.ct_ratio", positive=True)
        pt = as_decimal(part.get("pt_ratio", 1), f"{where}.pt_ratio", positive=True)
        digits = part.get("register_digits")
        digits = None if digits is None else as_count(digits, f"{where}.register_digits")
        registers = _as_object(part.get("registers"), f"{where}.registers")
        if not registers:
            raise CalcInputError(f"{where}.registers", "must name at least one register")
        for name in registers:
            if name not in (*ACTIVE_REGISTERS, REACTIVE):
                raise CalcInputError(
                    f"{where}.registers.{name}",
                    f"unknown register; expected {', '.join((*ACTIVE_REGISTERS, REACTIVE))}",
                )
        if registers_of_first is None:
            registers_of_first = set(registers)
        elif set(registers) != registers_of_first:
            raise CalcInputError(f"{where}.registers", "every meter part must read the same registers")
        meter = str(part.get("meter") or f"#{i + 1}")
        for name in (*ACTIVE_REGISTERS, REACTIVE):
            if name not in registers:
                continue
            reg_where = f"{where}.registers.{name}"
            diff, inputs, difference = _register_difference(
                _as_object(registers[name], reg_where), reg_where, digits
            )
            energy = case.energy(diff * ct * pt)
            case.add(
                f"meter_{i + 1}_{name}_{unit_of(name).lower()}",
                f"表计 {meter} {REGISTER_NAMES[name]}电量",
                f"电量 = {difference} × CT变比 × PT变比",
                {**inputs, "difference": diff, "ct_ratio": ct, "pt_ratio": pt, "meter": meter},
                energy,
                unit_of(name),
                energy_row,
                ("rounding.energy_kwh",),
            )
            parts.setdefault(name, []).append(energy)
    totals = {}
    for name, energies in parts.items():
        total = sum(energies, Decimal(0))
        if len(energies) > 1:
            case.add(
                f"{name}_{unit_of(name).lower()}",
                f"{REGISTER_NAMES[name]}电量（各段合计）",
                "电量 = 各表计分段电量之和（换表或换倍率）",
                {f"part_{n + 1}": e for n, e in enumerate(energies)},
                total,
                unit_of(name),
                energy_row,
            )
        totals[name] = total
    return totals


def given_energies(case: CaseBuilder, energies: object) -> dict[str, Decimal]:
    """Energies given directly (already multiplied), one line each."""
    given = _as_object(energies, "energies")
    if not given:
        raise CalcInputError("energies", "must name at least one register")
    totals = {}
    for name in given:
        if name not in (*ACTIVE_REGISTERS, REACTIVE):
            raise CalcInputError(f"energies.{name}", "unknown register")
    for name in (*ACTIVE_REGISTERS, REACTIVE):
        if name in given:
            value = case.energy(as_decimal(given[name], f"energies.{name}", nonnegative=True))
            case.add(
                f"{name}_{unit_of(name).lower()}",
                f"{REGISTER_NAMES[name]}电量（录入）",
                "录入的计费电量（已乘倍率）",
                {"energy": given[name]},
                value,
                unit_of(name),
                case.rule("rounding.energy_kwh"),
            )
            totals[name] = value
    return totals
