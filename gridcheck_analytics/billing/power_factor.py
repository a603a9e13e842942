"""Power-factor adjustment (功率因数调整电费): monthly average power factor, the table row, the amount.

The three tables of (83)水电财字第215号 are rows of the rule table, one per printed row
(``power_factor.table_<standard>.pf_<power factor>``); this module only looks them up. The highest row of a
table covers every higher power factor; below the lowest row each further 0.01 adds the table's
``below_step_percent``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_bill_period,
    as_choice,
    as_decimal,
    as_optional_decimal,
)
from gridcheck_analytics.regulations.table import RuleTable

TABLE_PREFIX = "power_factor.table_"
CLASS_PREFIX = "power_factor.standard."
STEP = Decimal("0.01")


def _table_key(standard: Decimal) -> str:
    return TABLE_PREFIX + str(standard).replace(".", "_")


def standards(case: CaseBuilder) -> list[str]:
    """The standards the rule table has a table for, e.g. ``["0.80", "0.85", "0.90"]``."""
    found = {
        key[len(TABLE_PREFIX) :].split(".")[0] for key in case.table.keys() if key.startswith(TABLE_PREFIX)
    }
    return sorted(s.replace("_", ".") for s in found)


def customer_classes(case: CaseBuilder) -> list[str]:
    """The customer classes the rule table maps to a standard (``power_factor.standard.<class>``)."""
    return sorted(key[len(CLASS_PREFIX) :] for key in case.table.keys() if key.startswith(CLASS_PREFIX))


def standard_of(case: CaseBuilder, standard: object, customer_class: object) -> Decimal:
    """The standard given (one of the tables), or the one the customer class follows."""
    if standard is None and customer_class is None:
        raise CalcInputError("power_factor_standard", "is required (or power_factor_class)")
    if standard is not None:
        value = as_decimal(standard, "power_factor_standard", positive=True)
        known = standards(case)
        if value.quantize(STEP) != value or str(value.quantize(STEP)) not in known:
            raise CalcInputError(
                "power_factor_standard",
                f"no adjustment table for standard {value}; expected one of {', '.join(known)}",
            )
        return value.quantize(STEP)
    name = as_choice(customer_class, "power_factor_class", customer_classes(case))
    return case.value(CLASS_PREFIX + name).quantize(STEP)


def average_power_factor(case: CaseBuilder, energy_kwh: Decimal, reactive_kvarh: Decimal) -> Decimal:
    """Monthly average power factor kWh / √(kWh² + kvarh²), rounded as ``power_factor.rounding`` says."""
    exact = energy_kwh / (energy_kwh * energy_kwh + reactive_kvarh * reactive_kvarh).sqrt()
    quantum = case.value("power_factor.rounding")
    return exact.quantize(quantum, rounding=str(case.rule("rounding.mode").value))


def adjustment_percent(
    case: CaseBuilder, standard: Decimal, power_factor: Decimal
) -> tuple[Decimal, str, dict]:
    """The table's percentage for a rounded power factor: (percent, the row key, the inputs of the lookup)."""
    prefix = _table_key(standard) + ".pf_"
    listed = sorted(
        Decimal(key[len(prefix) :].replace("_", ".")) for key in case.table.keys() if key.startswith(prefix)
    )
    top, bottom = listed[-1], listed[0]
    if power_factor >= top:
        key = prefix + str(top).replace(".", "_")
        return case.value(key), key, {"row": f"{top}～1.00"}
    if power_factor >= bottom:
        key = prefix + str(power_factor).replace(".", "_")
        return case.value(key), key, {"row": str(power_factor)}
    key = prefix + str(bottom).replace(".", "_")
    step_key = _table_key(standard) + ".below_step_percent"
    steps = (bottom - power_factor) / STEP
    percent = case.value(key) + steps * case.value(step_key)
    return percent, step_key, {"row": str(bottom), "percent_at_row": case.value(key), "steps_below": steps}


def add_power_factor_lines(
    case: CaseBuilder,
    *,
    energy_kwh: Decimal,
    reactive_kvarh: Decimal,
    standard: Decimal,
    base_yuan: Decimal | None,
    base_inputs: dict[str, object],
) -> Decimal | None:
    """Add the power factor, its percentage and (with a base) the amount to ``case``; return the amount."""
    if energy_kwh <= 0:
        raise CalcInputError(
            "energy_kwh", f"active energy must be greater than 0 to compute a power factor, got {energy_kwh}"
        )
    pf = average_power_factor(case, energy_kwh, reactive_kvarh)
    case.add(
        "power_factor",
        "月平均功率因数",
        "cosφ = 有功电量 / √(有功电量² + 无功电量²)，取两位小数（四舍五入）",
        {"energy_kwh": energy_kwh, "reactive_energy_kvarh": reactive_kvarh},
        pf,
        "1",
        case.rule("power_factor.rounding"),
        ("power_factor.rounding", "rounding.mode"),
    )
    percent, key, lookup = adjustment_percent(case, standard, pf)
    below = "below_step_percent" in key
    case.add(
        "power_factor_adjustment_percent",
        "功率因数调整电费增减百分数",
        "查表：超出标准减收、低于标准增收"
        + ("；低于表末行时 = 末行百分数 + 每低0.01的增收百分数 × 档数" if below else ""),
        {"standard": standard, "power_factor": pf, **lookup},
        percent,
        "%",
        case.rule(key),
        (key,),
    )
    if base_yuan is None:
        return None
    base_row = case.rule("power_factor.adjustment_base")
    amount = case.money(base_yuan * percent / 100)
    case.add(
        "power_factor_adjustment_yuan",
        "功率因数调整电费",
        "调整电费 = (基本电费 + 电度电费) × 增减百分数；政府性基金及附加不参加调整",
        {**base_inputs, "base_yuan": base_yuan, "percent": percent},
        amount,
        "元",
        base_row,
        ("power_factor.adjustment_base", "rounding.money_yuan"),
    )
    return amount


def power_factor_adjustment(
    *,
    bill_period: object,
    energy_kwh: object,
    reactive_energy_kvarh: object,
    power_factor_standard: object = None,
    power_factor_class: object = None,
    basic_charge_yuan: object = None,
    energy_charge_yuan: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Power-factor adjustment of one month: average power factor, table percentage, amount.

    Parameters
    ----------
    bill_period : date or str
        The billing month (``YYYY-MM``, read as its last day) or a day of it (selects the rule version).
    energy_kwh : Decimal
        Active energy of the month [kWh]; must be greater than 0.
    reactive_energy_kvarh : Decimal
        Reactive energy of the month [kvarh].
    power_factor_standard : Decimal, optional
        0.90, 0.85 or 0.80 (a standard with a table in the rule table).
    power_factor_class : str, optional
        The customer class the standard follows from (``power_factor.standard.<class>`` rows), when no
        standard is given.
    basic_charge_yuan, energy_charge_yuan : Decimal, optional
        The month's basic charge and energy charge [元]; with either, the amount is computed on their sum.
        Government funds and surcharges are never part of it.
    province, today, table
        As in :func:`gridcheck_analytics.penalties.theft`.

    Returns
    -------
    Calculation
        Items ``power_factor``, ``power_factor_adjustment_percent`` and, with charges,
        ``power_factor_adjustment_yuan`` (positive: surcharge, negative: rebate).

    References
    ----------
    .. [1] 《功率因数调整电费办法》（（83）水电财字第215号）及其附表一至三.
    """
    on = as_bill_period(bill_period, "bill_period", today)
    energy = as_decimal(energy_kwh, "energy_kwh", positive=True)
    reactive = as_decimal(reactive_energy_kvarh, "reactive_energy_kvarh", nonnegative=True)
    basic = as_optional_decimal(basic_charge_yuan, "basic_charge_yuan", nonnegative=True)
    charge = as_optional_decimal(energy_charge_yuan, "energy_charge_yuan", nonnegative=True)
    case = CaseBuilder("power_factor", on, province, table)
    standard = standard_of(case, power_factor_standard, power_factor_class)
    base = None
    inputs: dict[str, object] = {}
    if basic is not None or charge is not None:
        inputs = {
            "basic_charge_yuan": basic or Decimal("0.00"),
            "energy_charge_yuan": charge or Decimal("0.00"),
        }
        base = inputs["basic_charge_yuan"] + inputs["energy_charge_yuan"]
    add_power_factor_lines(
        case,
        energy_kwh=energy,
        reactive_kvarh=reactive,
        standard=standard,
        base_yuan=base,
        base_inputs=inputs,
    )
    return case.calc
