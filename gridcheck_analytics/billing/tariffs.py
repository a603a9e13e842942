"""Pricing lines of a bill: flat price, time-of-use prices, annual residential tiers, basic charge, funds.

Each line is rounded to the fen (``rounding.money_yuan``, ``rounding.mode``); a total is the sum of its
rounded lines.
"""

from __future__ import annotations

from decimal import Decimal

from gridcheck_analytics.billing.meters import REGISTER_NAMES, TIME_OF_USE_PERIODS
from gridcheck_analytics.penalties.builder import CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_decimal

DEMO_TIERS = "demo_residential"
DEMO_FUND_PREFIX = "tariff.demo.fund."


def flat_charge(case: CaseBuilder, energy_kwh: Decimal, price: object, *, key: str, label: str) -> Decimal:
    """One line: energy × flat price."""
    unit_price = as_decimal(price, "flat_price_yuan_per_kwh", nonnegative=True)
    return case.add(
        key,
        f"{label}电度电费",
        "电度电费 = 电量 × 电价",
        {"energy_kwh": energy_kwh, "price_yuan_per_kwh": unit_price},
        case.money(energy_kwh * unit_price),
        "元",
        case.rule("rounding.money_yuan"),
        ("rounding.money_yuan", "rounding.mode"),
    )


def time_of_use_charges(case: CaseBuilder, energies: dict[str, Decimal], prices: object) -> Decimal:
    """One line per time-of-use period: period energy × period price; returns their sum."""
    if not isinstance(prices, dict) or not prices:
        raise CalcInputError("time_of_use_prices_yuan_per_kwh", "must be an object of period prices")
    for period in prices:
        if period not in TIME_OF_USE_PERIODS:
            raise CalcInputError(
                f"time_of_use_prices_yuan_per_kwh.{period}",
                f"unknown period; expected {', '.join(TIME_OF_USE_PERIODS)}",
            )
    total = Decimal("0.00")
    for period in TIME_OF_USE_PERIODS:
        energy = energies.get(period)
        if energy is None:
            continue
        if period not in prices:
            raise CalcInputError(
                f"time_of_use_prices_yuan_per_kwh.{period}", f"is required ({energy} kWh to price)"
            )
        price = as_decimal(prices[period], f"time_of_use_prices_yuan_per_kwh.{period}", nonnegative=True)
        total += case.add(
            f"energy_charge_{period}_yuan",
            f"{REGISTER_NAMES[period]}段电度电费",
            "电度电费 = 时段电量 × 时段电价",
            {"energy_kwh": energy, "price_yuan_per_kwh": price},
            case.money(energy * price),
            "元",
            case.rule("rounding.money_yuan"),
            ("rounding.money_yuan", "rounding.mode"),
        )
    return total


def _tiers(case: CaseBuilder, tiers: object) -> tuple[list[tuple[Decimal | None, Decimal]], list[str]]:
    """The tiers as (upper bound kWh or None, price), from the input or the demo catalogue."""
    if tiers == DEMO_TIERS:
        keys = [
            "tariff.demo.residential.tier_1_max_kwh",
            "tariff.demo.residential.tier_2_max_kwh",
            "tariff.demo.residential.tier_1_price_yuan_per_kwh",
            "tariff.demo.residential.tier_2_price_yuan_per_kwh",
            "tariff.demo.residential.tier_3_price_yuan_per_kwh",
        ]
        v = [case.value(k) for k in keys]
        return [(v[0], v[2]), (v[1], v[3]), (None, v[4])], keys
    if not isinstance(tiers, list) or not tiers:
        raise CalcInputError("tiers", f"must be a non-empty list of tiers or {DEMO_TIERS!r}")
    parsed: list[tuple[Decimal | None, Decimal]] = []
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            raise CalcInputError(f"tiers[{i}]", "must be an object with up_to_kwh and price_yuan_per_kwh")
        last = i == len(tiers) - 1
        bound = tier.get("up_to_kwh")
        if last and bound is not None:
            raise CalcInputError(f"tiers[{i}].up_to_kwh", "the last tier is open-ended: leave it out")
        if not last:
            bound = as_decimal(bound, f"tiers[{i}].up_to_kwh", positive=True)
            if parsed and bound <= parsed[-1][0]:
                raise CalcInputError(f"tiers[{i}].up_to_kwh", "bounds must increase")
        price = as_decimal(tier.get("price_yuan_per_kwh"), f"tiers[{i}].price_yuan_per_kwh", nonnegative=True)
        parsed.append((bound, price))
    return parsed, []


def tiered_charges(case: CaseBuilder, energy_kwh: Decimal, tiers: object, earlier_kwh: Decimal) -> Decimal:
    """One line per tier the bill's energy reaches, counting the year's energy billed before this bill.

    The bill's energy occupies the annual range (earlier, earlier + energy]; the part of it inside
    (lower, upper] of a tier is priced at that tier.
    """
    parsed, keys = _tiers(case, tiers)
    article = case.rule(keys[0]) if keys else case.rule("rounding.money_yuan")
    start, end = earlier_kwh, earlier_kwh + energy_kwh
    total = Decimal("0.00")
    lower = Decimal(0)
    for n, (upper, price) in enumerate(parsed, start=1):
        top = end if upper is None else min(end, upper)
        in_tier = max(Decimal(0), top - max(start, lower))
        if in_tier > 0:
            total += case.add(
                f"energy_charge_tier_{n}_yuan",
                f"第{n}档电度电费",
                "档内电量 = min(年累计止, 档上限) − max(年累计起, 档下限)；电费 = 档内电量 × 档电价",
                {
                    "year_before_kwh": start,
                    "year_after_kwh": end,
                    "tier_lower_kwh": lower,
                    "tier_upper_kwh": upper,
                    "energy_kwh": in_tier,
                    "price_yuan_per_kwh": price,
                },
                case.money(in_tier * price),
                "元",
                article,
                (*keys, "rounding.money_yuan"),
            )
        if upper is not None:
            lower = upper
    return total


def basic_charge(case: CaseBuilder, basic: object) -> Decimal:
    """Two-part tariff: capacity kVA × price, or maximum demand kW × price, for the month."""
    if not isinstance(basic, dict):
        raise CalcInputError("basic_charge", "must be an object")
    if "capacity_kva" in basic:
        quantity = as_decimal(basic["capacity_kva"], "basic_charge.capacity_kva", positive=True)
        price = as_decimal(
            basic.get("price_yuan_per_kva_month"), "basic_charge.price_yuan_per_kva_month", positive=True
        )
        name, formula, inputs = "基本电费（按容量）", "基本电费 = 容量 × 容量电价", {"capacity_kva": quantity}
        inputs["price_yuan_per_kva_month"] = price
    elif "max_demand_kw" in basic:
        quantity = as_decimal(basic["max_demand_kw"], "basic_charge.max_demand_kw", positive=True)
        price = as_decimal(
            basic.get("price_yuan_per_kw_month"), "basic_charge.price_yuan_per_kw_month", positive=True
        )
        name, formula = "基本电费（按最大需量）", "基本电费 = 最大需量 × 需量电价"
        inputs = {"max_demand_kw": quantity, "price_yuan_per_kw_month": price}
    else:
        raise CalcInputError("basic_charge", "needs capacity_kva or max_demand_kw")
    return case.add(
        "basic_charge_yuan",
        name,
        formula,
        inputs,
        case.money(quantity * price),
        "元",
        case.rule("rounding.money_yuan"),
        ("rounding.money_yuan", "rounding.mode"),
    )


#: The catalogue funds of the last table asked about (the table, its fund names): one look through the
#: table's keys per table, not per bill.
_CATALOGUE: list = [None, []]


def _catalogue_funds(table) -> list[str]:
    if _CATALOGUE[0] is not table:
        names = [k[len(DEMO_FUND_PREFIX) :] for k in table.keys() if k.startswith(DEMO_FUND_PREFIX)]
        _CATALOGUE[:] = [table, names]
    return _CATALOGUE[1]


def fund_charges(case: CaseBuilder, energy_kwh: Decimal, funds: object) -> Decimal:
    """One line per government fund or surcharge: billed energy × rate (never adjusted by power factor)."""
    if not isinstance(funds, list):
        raise CalcInputError("funds", "must be a list")
    total = Decimal("0.00")
    for i, fund in enumerate(funds):
        if isinstance(fund, str):
            key = DEMO_FUND_PREFIX + fund
            known = _catalogue_funds(case.table)
            if fund not in known:
                raise CalcInputError(
                    f"funds[{i}]", f"unknown catalogue fund {fund!r}; expected one of {', '.join(known)}"
                )
            row = case.rule(key)
            name, rate, article, rules = row.description, row.value, row, (key, "rounding.money_yuan")
        elif isinstance(fund, dict):
            name = str(fund.get("name") or f"基金及附加 {i + 1}")
            rate = as_decimal(
                fund.get("rate_yuan_per_kwh"), f"funds[{i}].rate_yuan_per_kwh", nonnegative=True
            )
            article, rules = case.rule("rounding.money_yuan"), ("rounding.money_yuan",)
        else:
            raise CalcInputError(
                f"funds[{i}]", "must be a catalogue name or an object with name and rate_yuan_per_kwh"
            )
        total += case.add(
            f"fund_{i + 1}_yuan",
            f"政府性基金及附加：{name}",
            "基金 = 计费电量 × 征收标准（不参加功率因数调整）",
            {"energy_kwh": energy_kwh, "rate_yuan_per_kwh": rate},
            case.money(energy_kwh * rate),
            "元",
            article,
            rules,
        )
    return total
