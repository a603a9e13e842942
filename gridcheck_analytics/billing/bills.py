"""The itemised bill: metered energy, transformer loss, mixed-use shares, pricing, power factor, funds.

:func:`bill` sequences the steps in the order a bill is computed:

1. energy per register from the meter parts (or given), CT × PT applied once per part (:mod:`.meters`);
2. total and flat energy derived where not read (total = Σ periods; flat = total − other periods);
3. transformer loss (变损) of a customer metered on the low side added to the active and reactive energy,
   shared among the time-of-use periods in proportion to their energy (the remainder to flat);
4. a mixed-use share of each priced energy moved to a second category, before pricing;
5. energy charges (flat, time-of-use or annual tiers) and the second category's charge; basic charge;
6. power-factor adjustment on basic + energy charges; government funds per kWh, never adjusted;
7. the total.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridcheck_analytics.billing.meters import (
    REACTIVE,
    REGISTER_NAMES,
    TIME_OF_USE_PERIODS,
    given_energies,
    metered_energies,
)
from gridcheck_analytics.billing.power_factor import add_power_factor_lines, standard_of
from gridcheck_analytics.billing.tariffs import (
    basic_charge as basic_charge_line,
)
from gridcheck_analytics.billing.tariffs import (
    flat_charge,
    fund_charges,
    tiered_charges,
    time_of_use_charges,
)
from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_bill_period,
    as_decimal,
    as_optional_decimal,
)
from gridcheck_analytics.regulations.table import RuleTable, default_table

PRICING = ("flat_price_yuan_per_kwh", "time_of_use_prices_yuan_per_kwh", "tiers")
LOSS_FIELDS = {
    "active_kwh",
    "reactive_kvarh",
    "no_load_loss_kw",
    "load_loss_kw",
    "hours",
    "load_factor",
    "capacity_kva",
    "no_load_current_percent",
    "impedance_voltage_percent",
}


class _RememberingTable:
    """A rule table that remembers the rows it found: a bill run asks for the same few rows (rounding,
    tiers, funds) on the same date for every customer. Rows are immutable; errors are not remembered."""

    def __init__(self, table: RuleTable):
        self._table = table
        self._found: dict[tuple, object] = {}
        self._keys: list[str] | None = None

    def rule(self, key: str, on: datetime.date, province: str | None = None):
        found = self._found.get((key, on, province))
        if found is None:
            found = self._found[(key, on, province)] = self._table.rule(key, on, province)
        return found

    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = self._table.keys()
        return self._keys

    def __getattr__(self, name: str):
        return getattr(self._table, name)


#: The last table wrapped (the table, its remembering wrapper).
_REMEMBERING: list = [None, None]


def _remembering(table: RuleTable) -> _RememberingTable:
    if _REMEMBERING[0] is not table:
        _REMEMBERING[:] = [table, _RememberingTable(table)]
    return _REMEMBERING[1]


def _transformer_loss(
    case: CaseBuilder, loss: object, active_kwh: Decimal, reactive_kvarh: Decimal
) -> tuple[Decimal, Decimal]:
    """Active and reactive loss of the customer's transformer: given, or from its parameters."""
    if not isinstance(loss, dict):
        raise CalcInputError("transformer_loss", "must be an object")
    for name in loss:
        if name not in LOSS_FIELDS:
            raise CalcInputError(f"transformer_loss.{name}", "unknown field")
    row = case.rule("billing.transformer_loss.method")

    def number(name: str, **kw) -> Decimal:
        return as_decimal(loss.get(name), f"transformer_loss.{name}", **kw)

    if "active_kwh" in loss:
        active = case.energy(number("active_kwh", nonnegative=True))
        reactive = (
            case.energy(number("reactive_kvarh", nonnegative=True))
            if "reactive_kvarh" in loss
            else Decimal(0)
        )
        case.add(
            "transformer_loss_kwh", "变损有功电量（录入）", "录入", {"active_kwh": active}, active, "kWh", row
        )
        case.add(
            "transformer_loss_kvarh",
            "变损无功电量（录入）",
            "录入",
            {"reactive_kvarh": reactive},
            reactive,
            "kvarh",
            row,
        )
        return active, reactive
    no_load = number("no_load_loss_kw", nonnegative=True)
    load_loss = number("load_loss_kw", nonnegative=True)
    hours = number("hours", positive=True)
    capacity = as_optional_decimal(loss.get("capacity_kva"), "transformer_loss.capacity_kva", positive=True)
    if "load_factor" in loss:
        beta = number("load_factor", nonnegative=True)
        beta_inputs: dict[str, object] = {"load_factor": beta}
    else:
        if capacity is None:
            raise CalcInputError("transformer_loss.capacity_kva", "is required to compute the load factor")
        beta = (active_kwh * active_kwh + reactive_kvarh * reactive_kvarh).sqrt() / (capacity * hours)
        beta_inputs = {
            "energy_kwh": active_kwh,
            "reactive_energy_kvarh": reactive_kvarh,
            "capacity_kva": capacity,
        }
        case.add(
            "transformer_load_factor",
            "变压器平均负载率",
            "β = √(有功电量² + 无功电量²) / (容量 × 小时)",
            {**beta_inputs, "hours": hours},
            beta,
            "1",
            row,
        )
    active = case.energy(no_load * hours + load_loss * beta * beta * hours)
    case.add(
        "transformer_loss_kwh",
        "变损有功电量",
        "变损 = 空载损耗 × 小时 + 负载损耗 × β² × 小时",
        {"no_load_loss_kw": no_load, "load_loss_kw": load_loss, "hours": hours, "load_factor": beta},
        active,
        "kWh",
        row,
        ("billing.transformer_loss.method", "rounding.energy_kwh"),
    )
    if "no_load_current_percent" in loss or "impedance_voltage_percent" in loss:
        i0 = number("no_load_current_percent", nonnegative=True)
        uk = number("impedance_voltage_percent", nonnegative=True)
        if capacity is None:
            raise CalcInputError("transformer_loss.capacity_kva", "is required for the reactive loss")
        reactive = case.energy((i0 * capacity + uk * capacity * beta * beta) * hours / 100)
        inputs = {
            "no_load_current_percent": i0,
            "impedance_voltage_percent": uk,
            "capacity_kva": capacity,
            "hours": hours,
            "load_factor": beta,
        }
        formula = "无功变损 = (空载电流% × 容量 + 短路电压% × 容量 × β²) × 小时 / 100"
    else:
        reactive = (
            case.energy(number("reactive_kvarh", nonnegative=True))
            if "reactive_kvarh" in loss
            else Decimal(0)
        )
        inputs, formula = {"reactive_kvarh": reactive}, "录入（未给空载电流与短路电压）"
    case.add("transformer_loss_kvarh", "变损无功电量", formula, inputs, reactive, "kvarh", row)
    return active, reactive


def _share_out(case: CaseBuilder, periods: dict[str, Decimal], amount: Decimal) -> dict[str, Decimal]:
    """``amount`` kWh shared among the periods in proportion to their energy; the remainder to flat (or last)."""
    total = sum(periods.values(), Decimal(0))
    rest = "flat" if "flat" in periods else list(periods)[-1]
    shares = {}
    for period, energy in periods.items():
        if period != rest:
            shares[period] = case.energy(amount * energy / total) if total else Decimal(0)
    shares[rest] = amount - sum(shares.values(), Decimal(0))
    return shares


def _pricing_choice(**given: object) -> str:
    chosen = [name for name in PRICING if given[name] is not None]
    if len(chosen) != 1:
        raise CalcInputError("flat_price_yuan_per_kwh", f"give exactly one of {', '.join(PRICING)}")
    return chosen[0]


def bill(
    *,
    bill_period: object,
    meters: object = None,
    energies: object = None,
    flat_price_yuan_per_kwh: object = None,
    time_of_use_prices_yuan_per_kwh: object = None,
    tiers: object = None,
    energy_billed_earlier_in_year_kwh: object = 0,
    basic_charge: object = None,
    power_factor_standard: object = None,
    power_factor_class: object = None,
    transformer_loss: object = None,
    mixed_use: object = None,
    funds: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """An itemised monthly bill.

    Parameters
    ----------
    bill_period : date or str
        The billing month (``YYYY-MM``, read as its last day) or a day of it (selects the rule version).
    meters : list of objects, optional
        Meter parts (one per meter or multiplier in service): ``meter``, ``ct_ratio``, ``pt_ratio`` (default 1),
        ``register_digits`` (for a rollover), ``registers``: ``{"total"|"sharp"|"peak"|"flat"|"valley"|
        "reactive": {"start", "end", "rollover"}}``.
    energies : object, optional
        Instead of ``meters``: energies by register, already multiplied [kWh, kvarh].
    flat_price_yuan_per_kwh, time_of_use_prices_yuan_per_kwh, tiers
        Exactly one: a single price [元/kWh]; prices by period ``{"peak": ..}`` [元/kWh]; annual tiers
        ``[{"up_to_kwh", "price_yuan_per_kwh"}, ..., {"price_yuan_per_kwh"}]`` or ``"demo_residential"``.
    energy_billed_earlier_in_year_kwh : Decimal, optional
        Tiers only: energy billed earlier in the tier year [kWh].
    basic_charge : object, optional
        Two-part tariff: ``{"capacity_kva", "price_yuan_per_kva_month"}`` or
        ``{"max_demand_kw", "price_yuan_per_kw_month"}``.
    power_factor_standard, power_factor_class : optional
        As in :func:`power_factor_adjustment`; with either, the bill carries the adjustment (needs reactive).
    transformer_loss : object, optional
        Low-side metering: ``{"active_kwh", "reactive_kvarh"}``, or ``{"no_load_loss_kw", "load_loss_kw",
        "hours", "load_factor" | "capacity_kva", "no_load_current_percent", "impedance_voltage_percent"}``.
    mixed_use : object, optional
        ``{"share", "price_yuan_per_kwh", "category"}``: a share (0..1) of each priced energy billed under a
        second category at a flat price.
    funds : list, optional
        Government funds and surcharges: ``{"name", "rate_yuan_per_kwh"}`` or a catalogue name
        (``tariff.demo.fund.<name>``).
    province, today, table
        As in :func:`gridcheck_analytics.penalties.theft`.

    Returns
    -------
    Calculation
        Energy lines, ``energy_charge_yuan``, ``basic_charge_yuan``, the power-factor lines, ``fund_<n>_yuan``
        and ``total_yuan``.

    References
    ----------
    .. [1] 《功率因数调整电费办法》（（83）水电财字第215号）; 《供电营业规则》（1996）第七十条 (mixed use).
    """
    on = as_bill_period(bill_period, "bill_period", today)
    pricing = _pricing_choice(
        flat_price_yuan_per_kwh=flat_price_yuan_per_kwh,
        time_of_use_prices_yuan_per_kwh=time_of_use_prices_yuan_per_kwh,
        tiers=tiers,
    )
    if (meters is None) == (energies is None):
        raise CalcInputError("meters", "give exactly one of meters or energies")
    case = CaseBuilder("bill", on, province, _remembering(table or default_table()))
    energy_row = case.rule("rounding.energy_kwh")
    read = metered_energies(case, meters) if meters is not None else given_energies(case, energies)
    periods = {p: read[p] for p in TIME_OF_USE_PERIODS if p in read}
    if "total" in read:
        total = read["total"]
    elif periods:
        total = sum(periods.values(), Decimal(0))
        case.add("total_kwh", "总电量", "总电量 = 各时段电量之和", dict(periods), total, "kWh", energy_row)
    else:
        raise CalcInputError("meters" if meters is not None else "energies", "no active register to bill")
    time_of_use = pricing == "time_of_use_prices_yuan_per_kwh"
    if time_of_use:
        if not periods:
            raise CalcInputError(
                "time_of_use_prices_yuan_per_kwh", "needs time-of-use registers (peak, valley ...)"
            )
        if "flat" not in periods:
            flat = total - sum(periods.values(), Decimal(0))
            if flat < 0:
                raise CalcInputError("meters", f"the period registers exceed the total by {-flat} kWh")
            case.add(
                "flat_kwh", "平段电量", "平段 = 总电量 − 其他时段电量", {"total_kwh": total, **periods}, flat, "kWh",
                energy_row,
            )  # fmt: skip
            periods["flat"] = flat
            periods = {p: periods[p] for p in TIME_OF_USE_PERIODS if p in periods}
    reactive = read.get(REACTIVE)

    if transformer_loss is not None:
        loss_kwh, loss_kvarh = _transformer_loss(case, transformer_loss, total, reactive or Decimal(0))
        if time_of_use:
            for period, share in _share_out(case, periods, loss_kwh).items():
                periods[period] += share
                case.add(
                    f"billed_{period}_kwh",
                    f"{REGISTER_NAMES[period]}段计费电量（含变损）",
                    "计费电量 = 抄见电量 + 按电量比例分摊的变损（余数计入平段）",
                    {"metered_kwh": periods[period] - share, "loss_share_kwh": share},
                    periods[period],
                    "kWh",
                    case.rule("billing.transformer_loss.method"),
                )
        total += loss_kwh
        case.add(
            "billed_kwh", "计费总电量（含变损）", "计费电量 = 抄见电量 + 变损", {"metered_kwh": total - loss_kwh,
            "loss_kwh": loss_kwh}, total, "kWh", case.rule("billing.transformer_loss.method"),
        )  # fmt: skip
        if reactive is not None or loss_kvarh:
            reactive = (reactive or Decimal(0)) + loss_kvarh
            case.add(
                "billed_reactive_kvarh", "计费无功电量（含变损）", "无功 = 抄见无功 + 无功变损",
                {"loss_kvarh": loss_kvarh}, reactive, "kvarh", case.rule("billing.transformer_loss.method"),
            )  # fmt: skip

    priced = dict(periods) if time_of_use else {"total": total}
    second_charge = Decimal("0.00")
    if mixed_use is not None:
        second_charge = _mixed_use(case, mixed_use, priced)

    if pricing == "flat_price_yuan_per_kwh":
        charges = flat_charge(
            case, priced["total"], flat_price_yuan_per_kwh, key="energy_charge_main_yuan", label=""
        )
    elif time_of_use:
        charges = time_of_use_charges(case, priced, time_of_use_prices_yuan_per_kwh)
    else:
        earlier = as_decimal(
            energy_billed_earlier_in_year_kwh, "energy_billed_earlier_in_year_kwh", nonnegative=True
        )
        charges = tiered_charges(case, priced["total"], tiers, earlier)
    money_row = case.rule("rounding.money_yuan")
    energy_charge = case.add(
        "energy_charge_yuan",
        "电度电费合计",
        "电度电费 = 各电度电费行之和",
        {"main_yuan": charges, "second_category_yuan": second_charge},
        charges + second_charge,
        "元",
        money_row,
    )
    basic = basic_charge_line(case, basic_charge) if basic_charge is not None else Decimal("0.00")

    adjustment = Decimal("0.00")
    if power_factor_standard is not None or power_factor_class is not None:
        standard = standard_of(case, power_factor_standard, power_factor_class)
        if reactive is None:
            raise CalcInputError(
                "meters", "a reactive register (or energy) is needed for the power-factor adjustment"
            )
        adjustment = add_power_factor_lines(
            case,
            energy_kwh=total,
            reactive_kvarh=reactive,
            standard=standard,
            base_yuan=basic + energy_charge,
            base_inputs={"basic_charge_yuan": basic, "energy_charge_yuan": energy_charge},
        )
    fund_total = fund_charges(case, total, funds) if funds is not None else Decimal("0.00")
    case.add(
        "total_yuan",
        "应收电费合计",
        "合计 = 电度电费 + 基本电费 + 功率因数调整电费 + 政府性基金及附加",
        {
            "energy_charge_yuan": energy_charge,
            "basic_charge_yuan": basic,
            "power_factor_adjustment_yuan": adjustment,
            "funds_yuan": fund_total,
        },
        energy_charge + basic + adjustment + fund_total,
        "元",
        money_row,
    )
    return case.calc


def _mixed_use(case: CaseBuilder, mixed: object, priced: dict[str, Decimal]) -> Decimal:
    """Move ``share`` of each priced energy to a second category; add its charge line and return it."""
    if not isinstance(mixed, dict):
        raise CalcInputError("mixed_use", "must be an object with share, price_yuan_per_kwh, category")
    for name in mixed:
        if name not in ("share", "price_yuan_per_kwh", "category"):
            raise CalcInputError(f"mixed_use.{name}", "unknown field")
    share = as_decimal(mixed.get("share"), "mixed_use.share", positive=True)
    if share >= 1:
        raise CalcInputError("mixed_use.share", f"must be below 1, got {share}")
    price = as_decimal(mixed.get("price_yuan_per_kwh"), "mixed_use.price_yuan_per_kwh", nonnegative=True)
    category = str(mixed.get("category") or "第二类别")
    row = case.rule("billing.mixed_use.method")
    moved = Decimal(0)
    for period, energy in priced.items():
        part = case.energy(energy * share)
        priced[period] = energy - part
        moved += part
        label = "总" if period == "total" else REGISTER_NAMES[period] + "段"
        case.add(
            f"mixed_use_{period}_kwh",
            f"{category}分算电量（{label}）",
            "分算电量 = 计费电量 × 比例；主类别电量 = 计费电量 − 分算电量",
            {"energy_kwh": energy, "share": share, "main_kwh": priced[period]},
            part,
            "kWh",
            row,
            ("billing.mixed_use.method", "rounding.energy_kwh"),
        )
    return flat_charge(case, moved, price, key="energy_charge_second_yuan", label=f"{category}")
