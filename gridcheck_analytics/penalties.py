"""Case calculations: stolen energy, back-billing, penalty charges, violations, late fees, metering refunds.

Every function is pure: it takes the case facts (keyword-only), reads every regulated number from the
versioned rule table (``gridcheck_analytics.regulations``) under the rule in force on the case date, and
returns a :class:`Calculation`: an itemised list in which each figure shows its formula, its inputs, its
value, its unit and the article it follows, plus review warnings (a ``U`` row was used) and flags (transfer
to the police). Money is :class:`~decimal.Decimal`, rounded as the ``rounding.*`` rows say (energy to whole
kWh, money to 0.01 元, half up, by default).

Inputs are coerced at this boundary (numbers from ``str``/``int``/``float``, dates from ISO strings); a bad
input raises :class:`CalcInputError` naming the field. Sign convention of metering corrections: positive is
energy or money the customer owes (补收), negative is a refund (退还).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gridcheck_analytics.regulations.table import Rule, RuleNotInForceError, RuleTable, default_table

THEFT_TYPES = (
    "tap_supply_facility",
    "bypass_meter",
    "seal_forged_or_opened",
    "meter_damaged",
    "meter_tampered_inaccurate",
    "other",
)
#: Bases of the stolen quantity: art. 103 ("article"), or a station practice of regulations.md section 9.
THEFT_BASES = ("article", "connected_load", "transformer_kva", "ct_correction")
CUSTOMER_CLASSES = ("power", "lighting")
TARIFF_CATEGORIES = ("residential", "general_commercial", "large_industry", "agricultural")
VIOLATION_TYPES = (
    "category_change",
    "excess_capacity",
    "over_allocation",
    "sealed_equipment",
    "meter_interference",
    "unauthorised_source",
)
METER_ERROR_CAUSES = (
    "over_tolerance",
    "pt_voltage_drop",
    "other_non_human",
    "wiring_error",
    "blown_pt_fuse",
    "wrong_multiplier",
)
METER_CLASSES = ("0.5", "1.0", "2.0")

SQRT3 = Decimal(3).sqrt()


class CalcInputError(ValueError):
    """A case input is missing or invalid; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Item:
    """One figure of a calculation: what it is, how it was computed, from what, under which article."""

    key: str
    name: str
    formula: str
    inputs: dict[str, object]
    value: Decimal
    unit: str
    article: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    """A finding for a person to act on (e.g. transfer to the police); the software only raises it."""

    key: str
    name: str
    reason: str
    article: str


@dataclass
class Calculation:
    """The itemised result of one case calculation."""

    kind: str
    case_date: datetime.date
    items: list[Item] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rules_used: dict[str, Rule] = field(default_factory=dict)

    def item(self, key: str) -> Item:
        """The item named ``key``."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"no item {key!r} in this {self.kind} calculation")

    def value(self, key: str) -> Decimal:
        """The value of the item named ``key``."""
        return self.item(key).value

    def has_flag(self, key: str) -> bool:
        """Whether a flag named ``key`` was raised."""
        return any(f.key == key for f in self.flags)

    def to_dict(self) -> dict:
        """A JSON-ready dict: Decimals and dates as strings."""
        return _jsonable(
            {
                "kind": self.kind,
                "case_date": self.case_date,
                "items": [item.__dict__ for item in self.items],
                "flags": [flag.__dict__ for flag in self.flags],
                "warnings": self.warnings,
                "rules": [
                    {
                        "key": r.key,
                        "citation": r.citation,
                        "effective_from": r.effective_from,
                        "effective_to": r.effective_to,
                        "province": r.province,
                        "kind": r.kind,
                        "value": r.value,
                        "unit": r.unit,
                        "status": r.status,
                    }
                    for r in self.rules_used.values()
                ],
            }
        )


def _jsonable(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, datetime.date):
        return obj.isoformat()
    return obj


# ------------------------------------------------------------------------------------------- input boundary


def _dec(value: object, name: str, *, positive: bool = False, nonnegative: bool = False) -> Decimal:
    if value is None:
        raise CalcInputError(name, "is required")
    if isinstance(value, bool):
        raise CalcInputError(name, f"must be a number, got {value!r}")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except Exception:
        raise CalcInputError(name, f"must be a number, got {value!r}") from None
    if not number.is_finite():
        raise CalcInputError(name, f"must be a finite number, got {value!r}")
    if positive and number <= 0:
        raise CalcInputError(name, f"must be greater than 0, got {number}")
    if nonnegative and number < 0:
        raise CalcInputError(name, f"must not be negative, got {number}")
    return number


def _opt_dec(value: object, name: str, **kwargs) -> Decimal | None:
    return None if value is None else _dec(value, name, **kwargs)


def _date(value: object, name: str, today: datetime.date | None = None) -> datetime.date:
    if value is None:
        raise CalcInputError(name, "is required")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise CalcInputError(name, f"must be a date YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, datetime.date):
        raise CalcInputError(name, f"must be a date YYYY-MM-DD, got {value!r}")
    if today is not None and value > today:
        raise CalcInputError(name, f"{value} is in the future (today is {today})")
    return value


def _choice(value: object, name: str, choices: Sequence[str]) -> str:
    if value is None:
        raise CalcInputError(name, f"is required (one of {', '.join(choices)})")
    if value not in choices:
        raise CalcInputError(name, f"unknown value {value!r}; expected one of {', '.join(choices)}")
    return str(value)


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise CalcInputError(name, f"must be true or false, got {value!r}")
    return value


def _count(value: object, name: str) -> int:
    number = _dec(value, name, positive=True)
    if number != number.to_integral_value():
        raise CalcInputError(name, f"must be a whole number, got {number}")
    return int(number)


def _dec_list(
    value: object, name: str, *, positive: bool = False, nonnegative: bool = False
) -> list[Decimal]:
    if value is None:
        raise CalcInputError(name, "is required")
    if not isinstance(value, list | tuple):
        value = [value]
    if not value:
        raise CalcInputError(name, "must not be empty")
    return [_dec(v, f"{name}[{i}]", positive=positive, nonnegative=nonnegative) for i, v in enumerate(value)]


# ------------------------------------------------------------------------------------------- the builder


class _Case:
    """Collects the items of one calculation and the rules it read."""

    def __init__(self, kind: str, on: datetime.date, province: str | None, table: RuleTable | None):
        self.on = on
        self.province = province
        self.table = table or default_table()
        self.calc = Calculation(kind=kind, case_date=on)

    def rule(self, key: str) -> Rule:
        row = self.table.rule(key, self.on, self.province)
        self.calc.rules_used.setdefault(key, row)
        if row.needs_review:
            self.warn(row.review_warning())
        return row

    def value(
        self, key: str, contract_value: Decimal | None = None, field: str = "contract_value"
    ) -> Decimal:
        row = self.rule(key)
        try:
            return row.applied(contract_value)
        except ValueError as exc:
            raise CalcInputError(field, str(exc)) from None

    def warn(self, message: str) -> None:
        if message not in self.calc.warnings:
            self.calc.warnings.append(message)

    def _round(self, value: Decimal, quantum_key: str) -> Decimal:
        quantum = self.value(quantum_key)
        mode = self.rule("rounding.mode").value
        return value.quantize(quantum, rounding=str(mode))

    def energy(self, value: Decimal) -> Decimal:
        return self._round(value, "rounding.energy_kwh")

    def money(self, value: Decimal) -> Decimal:
        return self._round(value, "rounding.money_yuan")

    def add(
        self,
        key: str,
        name: str,
        formula: str,
        inputs: dict[str, object],
        value: Decimal,
        unit: str,
        article: str | Rule,
        rules: Sequence[str] = (),
    ) -> Decimal:
        citation = article.citation if isinstance(article, Rule) else article
        self.calc.items.append(Item(key, name, formula, dict(inputs), value, unit, citation, tuple(rules)))
        return value

    def flag(self, key: str, name: str, reason: str, article: str) -> None:
        self.calc.flags.append(Flag(key, name, reason, article))


def _case_date(case_date: object, today: datetime.date | None) -> datetime.date:
    return _date(case_date, "case_date", today)


# ------------------------------------------------------------------------------------------- theft (窃电)


def theft(
    *,
    case_date: object,
    theft_type: str,
    price_yuan_per_kwh: object,
    equipment_capacity_kw: object = None,
    meter_phases: object = None,
    marked_current_a: object = None,
    limiter_current_a: object = None,
    ct_ratio: object = None,
    pt_ratio: object = None,
    hours: object = None,
    days: object = None,
    hours_per_day: object = None,
    start_date: object = None,
    end_date: object = None,
    customer_class: str | None = None,
    tariff_category: str | None = None,
    contract_penalty_multiple: object = None,
    surcharge_yuan_per_kwh: object = None,
    damage_yuan: object = None,
    basis: str = "article",
    basis_reason: str | None = None,
    transformer_kva: object = None,
    recorded_energy_kwh: object = None,
    actual_ct_ratio: object = None,
    billed_ct_ratio: object = None,
    normal_months_kwh: object = None,
    after_months_kwh: object = None,
    theft_months: object = None,
    prior_offence: bool = False,
    repeated: bool = False,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Stolen energy, back-billing, penalty charge and total due of an electricity-theft case.

    Stolen energy W = S × T. S is the private equipment's rated capacity for a direct tap (kVA counted as
    kW), else the capacity of the meter's marked current I_b (or the current limiter's setting):
    ``S = 220 × I / 1000`` single-phase, ``S = √3 × 380 × I / 1000`` three-phase, times CT × PT when the
    current is secondary-side (a ``U`` practice). T is the actual hours (``hours``, ``days × hours_per_day``
    or the dates ``end_date − start_date`` in days × ``hours_per_day``); when none is given the duration is
    unknown and T = default days × 12 h/d (power customer) or 6 h/d (lighting customer). Back-bill =
    W × price; penalty = multiple × back-bill (the 2024 multiple is a cap: the contract's value applies);
    total = back-bill + penalty (+ surcharge line, + damage line). The administrative fine ceiling
    (5 × back-bill) is recorded, not billed. The criminal amount (SJ-2013 art. 4(3)) is proven W × price
    when the duration is known, else the monthly-average method when history is given; at or above the
    provincial "large" threshold the case is flagged for transfer to the police.

    Parameters
    ----------
    case_date : date or str
        Date of the theft (selects the rule version).
    theft_type : str
        One of ``THEFT_TYPES`` (``tap_supply_facility`` uses equipment capacity, the others the meter).
    price_yuan_per_kwh : Decimal
        The customer's category tariff at the time [元/kWh].
    equipment_capacity_kw : Decimal or list of Decimal, optional
        Rated capacity of each piece of private equipment on a direct tap [kW] (kVA counted as kW).
    meter_phases : int, optional
        1 or 3, for meter-based types.
    marked_current_a : Decimal, optional
        The meter's marked current I_b (标定电流) [A].
    limiter_current_a : Decimal, optional
        Setting of a fitted current limiter [A]; replaces I_b.
    ct_ratio, pt_ratio : Decimal, optional
        CT and PT ratios when I_b is secondary-side [1].
    hours : Decimal, optional
        Proven theft hours [h].
    days : Decimal, optional
        Proven theft days [d], with ``hours_per_day``.
    hours_per_day : Decimal, optional
        Proven hours per day [h/d].
    start_date, end_date : date, optional
        Proven theft period; days = end − start [d], with ``hours_per_day``.
    customer_class : {"power", "lighting"}, optional
        Class for the default hours per day when the duration is unknown.
    tariff_category : str, optional
        One of ``TARIFF_CATEGORIES``; mapped to a class by the (``U``) rule table when no class is given.
    contract_penalty_multiple : Decimal, optional
        The supply contract's penalty multiple where the rule is a cap (2024) [1].
    surcharge_yuan_per_kwh : Decimal, optional
        Government funds and surcharges billed per kWh (a station setting) [元/kWh]; its own line.
    damage_yuan : Decimal, optional
        Repair cost or compensation for damaged supply facilities [元]; its own line.
    basis : str
        One of ``THEFT_BASES``. ``"article"`` (default) follows art. 103. The station practices (``U``,
        a review warning, each a switch row ``theft.basis.<name>``) need ``basis_reason``:
        ``"connected_load"`` S = the private load actually connected (``equipment_capacity_kw``);
        ``"transformer_kva"`` S = the bypassed transformer's ``transformer_kva``; ``"ct_correction"``
        W = ``recorded_energy_kwh`` × (``actual_ct_ratio`` / ``billed_ct_ratio`` − 1), no hours.
    basis_reason : str, optional
        Why a practice basis was chosen (shown on the case).
    transformer_kva : Decimal, optional
        Rated capacity of a bypassed transformer [kVA].
    recorded_energy_kwh : Decimal, optional
        Energy recorded during the theft, for ``ct_correction`` [kWh].
    actual_ct_ratio, billed_ct_ratio : Decimal, optional
        The CT ratio actually installed and the one billed, for ``ct_correction`` [1].
    normal_months_kwh : list of Decimal, optional
        Monthly energy of the normal months before the theft (last 6 used) [kWh].
    after_months_kwh : list of Decimal, optional
        Monthly metered energy after the theft began [kWh].
    theft_months : Decimal, optional
        Months of theft for the criminal amount [month].
    prior_offence : bool
        SJ-2013 art. 2 circumstance: the "large" threshold is halved.
    repeated : bool
        Repeated theft: a crime whatever the amount.
    province : str, optional
        Province overlay of the rule table.
    today : date, optional
        When given, dates after it are rejected.
    table : RuleTable, optional
        Rule table to use (default: ``rules.toml``).

    Returns
    -------
    Calculation
        Items ``capacity_kw``, ``hours``, ``stolen_energy_kwh`` [kWh], ``back_bill_yuan``, ``penalty_yuan``,
        ``total_due_yuan`` [元], optional ``surcharge_yuan``, ``damage_yuan``, the recorded
        ``admin_fine_max_yuan`` and ``criminal_amount_yuan``; flag ``transfer_to_police``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百零一条（窃电行为）、第一百零二条（补交电费与三倍违约使用电费）、
       第一百零三条（窃电量的确定）、第一百零四条（损坏供电设施）.
    .. [2] 《电力法》第七十一条；《电力供应与使用条例》第四十一条（五倍以下罚款）.
    .. [3] 法释〔2013〕8号 第一条、第二条、第四条第三项（盗窃数额与移送）.
    """
    on = _case_date(case_date, today)
    theft_type = _choice(theft_type, "theft_type", THEFT_TYPES)
    prior_offence = _bool(prior_offence, "prior_offence")
    repeated = _bool(repeated, "repeated")
    price = _dec(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    case = _Case("theft", on, province, table)

    # The art. 103 row of this version, for its citation only (not counted as used).
    art103 = case.table.rule("theft.default_days", on, province)
    basis = _choice(basis, "basis", THEFT_BASES)
    duration_known = True
    if basis == "ct_correction":
        energy = _ct_correction_energy(
            case, art103, recorded_energy_kwh, actual_ct_ratio, billed_ct_ratio, basis_reason
        )
    else:
        if basis == "article":
            capacity = _article_capacity(
                case,
                art103,
                theft_type,
                equipment_capacity_kw,
                meter_phases,
                marked_current_a,
                limiter_current_a,
                ct_ratio,
                pt_ratio,
            )
        else:
            capacity = _practice_capacity(
                case, art103, basis, equipment_capacity_kw, transformer_kva, basis_reason
            )
        total_hours, duration_known = _theft_hours(
            case,
            art103,
            hours,
            days,
            hours_per_day,
            start_date,
            end_date,
            customer_class,
            tariff_category,
            today,
        )
        energy = case.energy(capacity * total_hours)
        case.add(
            "stolen_energy_kwh",
            "窃电量",
            "W = S × T（取整）",
            {"capacity_kw": capacity, "hours": total_hours},
            energy,
            "kWh",
            art103,
            ["rounding.energy_kwh", "rounding.mode"],
        )
    back_bill_exact = energy * price
    back_bill = case.money(back_bill_exact)
    mult_row = case.rule("theft.penalty_multiple")
    case.add(
        "back_bill_yuan",
        "补交电费",
        "补交电费 = W × 电价",
        {"stolen_energy_kwh": energy, "price_yuan_per_kwh": price},
        back_bill,
        "元",
        mult_row,
        ["rounding.money_yuan"],
    )
    multiple = case.value(
        "theft.penalty_multiple",
        _opt_dec(contract_penalty_multiple, "contract_penalty_multiple", nonnegative=True),
        field="contract_penalty_multiple",
    )
    penalty = _multiple_of(case, multiple, back_bill, back_bill_exact)
    case.add(
        "penalty_yuan",
        "违约使用电费",
        "违约使用电费 = 倍数 × 补交电费",
        {"multiple": multiple, "back_bill_yuan": back_bill},
        penalty,
        "元",
        mult_row,
        ["theft.penalty_multiple", "rounding.back_bill_before_multiple"],
    )
    total = back_bill + penalty
    total_inputs: dict[str, object] = {"back_bill_yuan": back_bill, "penalty_yuan": penalty}
    total_formula = "合计 = 补交电费 + 违约使用电费"
    if surcharge_yuan_per_kwh is not None:
        rate = _dec(surcharge_yuan_per_kwh, "surcharge_yuan_per_kwh", nonnegative=True)
        surcharge = case.money(energy * rate)
        case.add(
            "surcharge_yuan",
            "政府性基金及附加",
            "附加 = W × 每千瓦时附加标准（供电所设置，不计违约使用电费）",
            {"stolen_energy_kwh": energy, "surcharge_yuan_per_kwh": rate},
            surcharge,
            "元",
            "供电所设置（regulations.md 第9节）",
        )
        total += surcharge
        total_inputs["surcharge_yuan"] = surcharge
        total_formula += " + 附加"
    if damage_yuan is not None:
        damage = case.money(_dec(damage_yuan, "damage_yuan", nonnegative=True))
        case.add(
            "damage_yuan",
            "损坏供电设施修复费用或赔偿",
            "按修复费用或赔偿金额",
            {"damage_yuan": damage},
            damage,
            "元",
            case.rule("theft.damage_compensation"),
            ["theft.damage_compensation"],
        )
        total += damage
        total_inputs["damage_yuan"] = damage
        total_formula += " + 损坏赔偿"
    case.add("total_due_yuan", "应交合计", total_formula, total_inputs, total, "元", mult_row)

    fine_row = case.rule("theft.admin_fine_max_multiple")
    case.add(
        "admin_fine_max_yuan",
        "行政罚款上限（电力管理部门决定，仅记录，不计入应交）",
        "罚款上限 = 5 × 应交电费（补交电费）",
        {"multiple": fine_row.value, "back_bill_yuan": back_bill},
        case.money(fine_row.value * back_bill),
        "元",
        fine_row,
        ["theft.admin_fine_max_multiple"],
    )

    # Criminal amount (SJ-2013 art. 4(3)): never the 180-day estimate.
    amount = None
    if duration_known:
        amount = back_bill
        basis = {"proven_energy_kwh": energy, "price_yuan_per_kwh": price}
        formula = "盗窃数额 = 查明的窃电量 × 电价"
    elif normal_months_kwh is not None:
        amount, basis, formula = _criminal_amount_from_history(
            case, normal_months_kwh, after_months_kwh, theft_months, price
        )
    if amount is None:
        case.warn(
            "窃电时间无法查明：按默认天数计算的窃电量不是刑事盗窃数额（法释〔2013〕8号第四条第三项），"
            "需按盗窃前正常月均用量推算（提供 normal_months_kwh、after_months_kwh、theft_months）后再判断是否移送。"
        )
        if repeated:
            _refer_if_in_force(case, Decimal(0), prior_offence, repeated)
    else:
        case.add(
            "criminal_amount_yuan",
            "盗窃数额（刑事）",
            formula,
            basis,
            amount,
            "元",
            "法释〔2013〕8号 第四条第三项",
        )
        _refer_if_in_force(case, amount, prior_offence, repeated)
    return case.calc


def _article_capacity(
    case: _Case,
    art103: Rule,
    theft_type: str,
    equipment_capacity_kw: object,
    meter_phases: object,
    marked_current_a: object,
    limiter_current_a: object,
    ct_ratio: object,
    pt_ratio: object,
) -> Decimal:
    """Capacity S of art. 103: the private equipment (direct tap) or the meter's current (other types)."""
    if theft_type == "tap_supply_facility":
        parts = _dec_list(equipment_capacity_kw, "equipment_capacity_kw", positive=True)
        capacity = sum(parts, Decimal(0))
        case.add(
            "capacity_kw",
            "私接设备额定容量",
            "S = ΣP（千伏安视同千瓦）",
            {"equipment_capacity_kw": parts},
            capacity,
            "kW",
            art103,
        )
    else:
        phases = _dec(meter_phases, "meter_phases")
        if phases not in (1, 3):
            raise CalcInputError("meter_phases", f"must be 1 or 3, got {meter_phases!r}")
        if limiter_current_a is not None:
            current = _dec(limiter_current_a, "limiter_current_a", positive=True)
            current_name = "limiter_current_a"
        else:
            current = _dec(marked_current_a, "marked_current_a", positive=True)
            current_name = "marked_current_a"
        if phases == 1:
            volts = case.value("theft.single_phase_voltage_v")
            capacity = volts * current / 1000
            formula = f"S = U × I / 1000（单相，I 取{'限流器整定电流' if current_name.startswith('limiter') else '标定电流'}）"
            keys = ["theft.single_phase_voltage_v"]
        else:
            volts = case.value("theft.three_phase_voltage_v")
            capacity = SQRT3 * volts * current / 1000
            formula = f"S = √3 × U × I / 1000（三相，I 取{'限流器整定电流' if current_name.startswith('limiter') else '标定电流'}）"
            keys = ["theft.three_phase_voltage_v"]
        inputs: dict[str, object] = {"voltage_v": volts, current_name: current}
        if ct_ratio is not None or pt_ratio is not None:
            ct = _dec(ct_ratio if ct_ratio is not None else 1, "ct_ratio", positive=True)
            pt = _dec(pt_ratio if pt_ratio is not None else 1, "pt_ratio", positive=True)
            if case.rule("theft.ct_pt_multiplier").value is not True:
                raise CalcInputError("ct_ratio", "CT/PT multiplication is switched off in the rule table")
            capacity = capacity * ct * pt
            formula += " × CT变比 × PT变比"
            inputs.update(ct_ratio=ct, pt_ratio=pt)
            keys.append("theft.ct_pt_multiplier")
        case.add("capacity_kw", "计量装置折算容量", formula, inputs, capacity, "kW", art103, keys)

    return capacity


def _practice_capacity(
    case: _Case,
    art103: Rule,
    basis: str,
    equipment_capacity_kw: object,
    transformer_kva: object,
    reason: object,
) -> Decimal:
    """Capacity S of a station-practice basis (regulations.md section 9): connected load or transformer kVA."""
    row = _practice_basis(case, basis, reason)
    if basis == "connected_load":
        parts = _dec_list(equipment_capacity_kw, "equipment_capacity_kw", positive=True)
        capacity = sum(parts, Decimal(0))
        name, formula, inputs = (
            "实际接入私用负荷容量",
            "S = Σ实际接入负荷（实务做法）",
            {"equipment_capacity_kw": parts},
        )
    else:
        capacity = _dec(transformer_kva, "transformer_kva", positive=True)
        name, formula, inputs = (
            "绕越变压器容量",
            "S = 变压器容量（千伏安视同千瓦，实务做法）",
            {"transformer_kva": capacity},
        )
    case.add(
        "capacity_kw",
        name,
        formula,
        {**inputs, "basis": basis, "basis_reason": str(reason)},
        capacity,
        "kW",
        f"{row.citation}；参照 {art103.citation}",
        [row.key],
    )
    return capacity


def _practice_basis(case: _Case, basis: str, reason: object) -> Rule:
    row = case.rule(f"theft.basis.{basis}")
    if row.value is not True:
        raise CalcInputError("basis", f"basis {basis!r} is switched off in the rule table ({row.key})")
    if not isinstance(reason, str) or not reason.strip():
        raise CalcInputError(
            "basis_reason", f"is required for the practice basis {basis!r}: say why it was chosen"
        )
    return row


def _ct_correction_energy(
    case: _Case, art103: Rule, recorded: object, actual_ratio: object, billed_ratio: object, reason: object
) -> Decimal:
    """Stolen energy from a tampered CT: recorded energy × (actual CT ratio / billed CT ratio − 1)."""
    row = _practice_basis(case, "ct_correction", reason)
    recorded_kwh = _dec(recorded, "recorded_energy_kwh", nonnegative=True)
    actual = _dec(actual_ratio, "actual_ct_ratio", positive=True)
    billed = _dec(billed_ratio, "billed_ct_ratio", positive=True)
    if actual <= billed:
        raise CalcInputError(
            "actual_ct_ratio", f"{actual} must exceed the billed ratio {billed} for under-metering"
        )
    energy = case.energy(recorded_kwh * (actual / billed - 1))
    case.add(
        "stolen_energy_kwh",
        "窃电量（更正率法）",
        "W = 窃电期间计量电量 × (实际CT变比 / 计费CT变比 − 1)（取整，实务做法）",
        {
            "recorded_energy_kwh": recorded_kwh,
            "actual_ct_ratio": actual,
            "billed_ct_ratio": billed,
            "basis": "ct_correction",
            "basis_reason": str(reason),
        },
        energy,
        "kWh",
        f"{row.citation}；参照 {art103.citation}",
        [row.key, "rounding.energy_kwh", "rounding.mode"],
    )
    return energy


def _theft_hours(
    case: _Case,
    art103: Rule,
    hours: object,
    days: object,
    hours_per_day: object,
    start_date: object,
    end_date: object,
    customer_class: str | None,
    tariff_category: str | None,
    today: datetime.date | None,
) -> tuple[Decimal, bool]:
    """Theft hours T: proven (hours, days × h/d, or dates × h/d), else the default of art. 103."""
    on = case.on
    duration_known = True
    if hours is not None:
        total_hours = _dec(hours, "hours", positive=True)
        case.add(
            "hours",
            "窃电时间（已查明）",
            "T = 查明的窃电小时数",
            {"hours": total_hours},
            total_hours,
            "h",
            art103,
        )
    elif days is not None or start_date is not None or end_date is not None:
        if days is not None:
            n_days = _dec(days, "days", positive=True)
            days_inputs: dict[str, object] = {"days": n_days}
        else:
            start = _date(start_date, "start_date", today)
            end = _date(end_date, "end_date", today)
            if end > on:
                raise CalcInputError("end_date", f"{end} is after the case date {on}")
            if end <= start:
                raise CalcInputError("start_date", f"start {start} must be before end {end}")
            n_days = Decimal((end - start).days)
            days_inputs = {"start_date": start, "end_date": end, "days": n_days}
        per_day = _dec(hours_per_day, "hours_per_day", positive=True)
        if per_day > 24:
            raise CalcInputError("hours_per_day", f"must be at most 24, got {per_day}")
        total_hours = n_days * per_day
        case.add(
            "hours",
            "窃电时间（已查明）",
            "T = 天数 × 每日小时数",
            {**days_inputs, "hours_per_day": per_day},
            total_hours,
            "h",
            art103,
        )
    else:
        duration_known = False
        klass, class_keys = _customer_class(case, customer_class, tariff_category)
        default_days = case.value("theft.default_days")
        per_day_key = f"theft.hours_per_day.{klass}"
        per_day = case.value(per_day_key)
        total_hours = default_days * per_day
        case.add(
            "hours",
            "窃电时间（无法查明，按默认天数）",
            f"T = 默认天数 × 每日小时数（{'电力用户' if klass == 'power' else '照明用户'}）",
            {"days": default_days, "hours_per_day": per_day, "customer_class": klass},
            total_hours,
            "h",
            art103,
            ["theft.default_days", per_day_key, *class_keys],
        )

    return total_hours, duration_known


def _customer_class(
    case: _Case, customer_class: str | None, tariff_category: str | None
) -> tuple[str, list[str]]:
    if customer_class is not None:
        return _choice(customer_class, "customer_class", CUSTOMER_CLASSES), []
    if tariff_category is None:
        raise CalcInputError(
            "customer_class",
            "is required when the theft duration is unknown (power or lighting), or give tariff_category",
        )
    category = _choice(tariff_category, "tariff_category", TARIFF_CATEGORIES)
    key = f"theft.customer_class.{category}"
    klass = str(case.rule(key).value)
    if klass not in CUSTOMER_CLASSES:
        raise CalcInputError("tariff_category", f"rule {key} maps to {klass!r}, not power or lighting")
    return klass, [key]


def _multiple_of(case: _Case, multiple: Decimal, rounded: Decimal, exact: Decimal) -> Decimal:
    """``multiple × amount``: of the rounded amount or the exact one, as ``rounding.back_bill_before_multiple``."""
    before = case.rule("rounding.back_bill_before_multiple").value
    return case.money(multiple * (rounded if before is True else exact))


def _criminal_amount_from_history(
    case: _Case, normal_months_kwh: object, after_months_kwh: object, theft_months: object, price: Decimal
) -> tuple[Decimal, dict[str, object], str]:
    n_months = int(case.value("criminal.normal_months"))
    normal = _dec_list(normal_months_kwh, "normal_months_kwh", nonnegative=True)[-n_months:]
    after = _dec_list(after_months_kwh, "after_months_kwh", nonnegative=True)
    months = _dec(theft_months, "theft_months", positive=True)
    normal_avg = sum(normal, Decimal(0)) / len(normal)
    after_avg = sum(after, Decimal(0)) / len(after)
    drop = max(normal_avg - after_avg, Decimal(0))
    amount = case.money(drop * months * price)
    basis = {
        "normal_months_kwh": normal,
        "after_months_kwh": after,
        "theft_months": months,
        "price_yuan_per_kwh": price,
    }
    formula = "盗窃数额 = (盗窃前正常月均用量 − 盗窃后月均计量用量) × 窃电月数 × 电价（正常月份最多取6个月）"
    return amount, basis, formula


def _refer_if_in_force(case: _Case, amount: Decimal, prior_offence: bool, repeated: bool) -> None:
    """:func:`_refer`, or a warning when the table has no criminal thresholds for the case date."""
    try:
        _refer(case, amount, prior_offence, repeated)
    except RuleNotInForceError as exc:
        case.warn(f"未判断是否移送：规则表中此日期无盗窃数额标准（{exc}）")


def _refer(case: _Case, amount: Decimal, prior_offence: bool, repeated: bool) -> None:
    large_row = case.rule("criminal.large.threshold_yuan")
    large = large_row.value
    if prior_offence:
        large = large * case.value("criminal.prior_offence_factor")
    huge = case.value("criminal.huge.threshold_yuan")
    especially = case.value("criminal.especially_huge.threshold_yuan")
    band = None
    if amount >= especially:
        band = "数额特别巨大"
    elif amount >= huge:
        band = "数额巨大"
    elif amount >= large:
        band = "数额较大"
    if band is not None:
        case.flag(
            "transfer_to_police",
            "建议移送公安或司法机关",
            f"盗窃数额 {amount} 元 达到“{band}”起点（较大 {large} 元、巨大 {huge} 元、特别巨大 {especially} 元）",
            large_row.citation,
        )
    elif repeated:
        case.flag(
            "transfer_to_police",
            "建议移送公安或司法机关",
            "多次盗窃：不论数额均构成盗窃（刑法第二百六十四条）",
            large_row.citation,
        )


def criminal_referral(
    *,
    case_date: object,
    amount_yuan: object,
    prior_offence: bool = False,
    repeated: bool = False,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Whether a theft amount reaches the criminal thresholds, and which band.

    Parameters
    ----------
    case_date : date or str
        Date of the theft (selects SJ-2013 or the 1998 ranges).
    amount_yuan : Decimal
        The criminal amount (proven quantity × price, or the monthly-average method) [元].
    prior_offence : bool
        SJ-2013 art. 2 circumstance: the "large" threshold × 0.5.
    repeated : bool
        Repeated theft: flagged whatever the amount.
    province : str, optional
        Province overlay with the province's own figures.
    today : date, optional
        When given, dates after it are rejected.
    table : RuleTable, optional
        Rule table to use.

    Returns
    -------
    Calculation
        Item ``criminal_amount_yuan``; flag ``transfer_to_police`` when a threshold is reached.

    References
    ----------
    .. [1] 法释〔2013〕8号 第一条、第二条；刑法第二百六十四条.
    """
    on = _case_date(case_date, today)
    amount = _dec(amount_yuan, "amount_yuan", nonnegative=True)
    prior_offence = _bool(prior_offence, "prior_offence")
    repeated = _bool(repeated, "repeated")
    case = _Case("criminal_referral", on, province, table)
    case.add(
        "criminal_amount_yuan",
        "盗窃数额（刑事）",
        "给定",
        {"amount_yuan": amount},
        amount,
        "元",
        "法释〔2013〕8号 第四条",
    )
    _refer(case, amount, prior_offence, repeated)
    return case.calc


# ------------------------------------------------------------------------------------ violations (违约用电)


def _months(case: _Case, months: object, days: object) -> tuple[Decimal, dict[str, object]]:
    if months is not None:
        value = _dec(months, "months", positive=True)
        return value, {"months": value}
    if days is None:
        raise CalcInputError("months", "is required (or days)")
    n_days = _dec(days, "days", positive=True)
    per_month = case.value("basic_charge.days_per_month")
    return n_days / per_month, {"days": n_days, "days_per_month": per_month}


def violation(*, violation_type: str, **facts: object) -> Calculation:
    """Dispatch to the calculation of one of the six violations of art. 100 (see ``VIOLATION_TYPES``).

    Parameters
    ----------
    violation_type : str
        One of ``VIOLATION_TYPES``.
    **facts
        The keyword arguments of that violation's function.

    Returns
    -------
    Calculation

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条；《电力供应与使用条例》第三十条.
    """
    kind = _choice(violation_type, "violation_type", VIOLATION_TYPES)
    return VIOLATIONS[kind](**facts)


def violation_category_change(
    *,
    case_date: object,
    price_difference_yuan_per_kwh: object,
    energy_kwh: object = None,
    capacity_kw: object = None,
    hours_per_day: object = None,
    days: object = None,
    contract_penalty_multiple: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 1: tariff category changed. Back-bill the tariff difference; penalty 2 × the difference.

    The energy at the higher tariff is ``energy_kwh`` when metered, else capacity × hours per day × days,
    with days defaulting to the 3 months (90 days) of the rule table when the dates are unknown.

    Parameters
    ----------
    case_date : date or str
        Date of the violation (selects the rule version).
    price_difference_yuan_per_kwh : Decimal
        Higher tariff minus the tariff billed [元/kWh].
    energy_kwh : Decimal, optional
        Energy used at the wrong tariff [kWh].
    capacity_kw : Decimal, optional
        Capacity of the load on the wrong tariff [kW].
    hours_per_day : Decimal, optional
        Hours of use per day, from evidence (art. 100 sets none) [h/d].
    days : Decimal, optional
        Days of use; absent: the rule table's default [d].
    contract_penalty_multiple : Decimal, optional
        The contract's multiple where the rule is a cap (2024) [1].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``energy_kwh``, ``back_bill_yuan``, ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第一项.
    """
    on = _case_date(case_date, today)
    diff = _dec(price_difference_yuan_per_kwh, "price_difference_yuan_per_kwh", positive=True)
    case = _Case("violation.category_change", on, province, table)
    mult_row = case.rule("violation.category_change.penalty_multiple")
    if energy_kwh is not None:
        energy = case.energy(_dec(energy_kwh, "energy_kwh", positive=True))
        case.add("energy_kwh", "高价类别用电量", "按计量", {"energy_kwh": energy}, energy, "kWh", mult_row)
    else:
        capacity = _dec(capacity_kw, "capacity_kw", positive=True)
        per_day = _dec(hours_per_day, "hours_per_day", positive=True)
        rules = []
        if days is None:
            n_days = case.value("violation.category_change.default_days")
            days_name = "default_days"
            rules.append("violation.category_change.default_days")
        else:
            n_days = _dec(days, "days", positive=True)
            days_name = "days"
        energy = case.energy(capacity * per_day * n_days)
        case.add(
            "energy_kwh",
            "高价类别用电量",
            "W = 容量 × 每日小时数 × 天数（起讫日期不明按三个月）",
            {"capacity_kw": capacity, "hours_per_day": per_day, days_name: n_days},
            energy,
            "kWh",
            mult_row,
            rules,
        )
    exact = energy * diff
    back_bill = case.money(exact)
    case.add(
        "back_bill_yuan",
        "补交差额电费",
        "差额电费 = W × 电价差",
        {"energy_kwh": energy, "price_difference_yuan_per_kwh": diff},
        back_bill,
        "元",
        mult_row,
    )
    multiple = case.value(
        "violation.category_change.penalty_multiple",
        _opt_dec(contract_penalty_multiple, "contract_penalty_multiple", nonnegative=True),
        field="contract_penalty_multiple",
    )
    penalty = _multiple_of(case, multiple, back_bill, exact)
    case.add(
        "penalty_yuan",
        "违约使用电费",
        "违约使用电费 = 倍数 × 差额电费",
        {"multiple": multiple, "back_bill_yuan": back_bill},
        penalty,
        "元",
        mult_row,
    )
    _total(case, back_bill, penalty, mult_row)
    return case.calc


def _total(case: _Case, back_bill: Decimal, penalty: Decimal, row: Rule) -> None:
    case.add(
        "total_due_yuan",
        "应交合计",
        "合计 = 补交电费 + 违约使用电费",
        {"back_bill_yuan": back_bill, "penalty_yuan": penalty},
        back_bill + penalty,
        "元",
        row,
    )


def violation_excess_capacity(
    *,
    case_date: object,
    extra_capacity_kva: object,
    two_part: bool,
    basic_charge_yuan_per_kva_month: object = None,
    months: object = None,
    days: object = None,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 2: excess capacity (私增容量).

    Two-part tariff: back-bill = basic charge × extra capacity × months; penalty = 3 × back-bill. Others:
    no back-bill; penalty = 50 元/kW (kVA) × extra capacity.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    extra_capacity_kva : Decimal
        Capacity added without permission [kVA] (kW counted alike).
    two_part : bool
        Whether the customer is on the two-part tariff.
    basic_charge_yuan_per_kva_month : Decimal, optional
        Basic charge, two-part customers [元/(kVA·month)].
    months : Decimal, optional
        Months the extra capacity was used [month]; or ``days`` [d] (divided by the days per month row).
    days : Decimal, optional
        See ``months``.
    contract_value : Decimal, optional
        The contract's multiple (two-part) or 元/kW (others) where the 2024 rule is a cap.
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``back_bill_yuan`` (two-part only), ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第二项.
    """
    on = _case_date(case_date, today)
    extra = _dec(extra_capacity_kva, "extra_capacity_kva", positive=True)
    contract = _opt_dec(contract_value, "contract_value", nonnegative=True)
    case = _Case("violation.excess_capacity", on, province, table)
    _excess_capacity_items(
        case, extra, _bool(two_part, "two_part"), basic_charge_yuan_per_kva_month, months, days, contract
    )
    return case.calc


def _excess_capacity_items(
    case: _Case,
    extra: Decimal,
    two_part: bool,
    basic_charge: object,
    months: object,
    days: object,
    contract: Decimal | None,
    prefix: str = "",
) -> Decimal:
    if two_part:
        row = case.rule("violation.excess_capacity.two_part_penalty_multiple")
        charge = _dec(basic_charge, "basic_charge_yuan_per_kva_month", positive=True)
        n_months, month_inputs = _months(case, months, days)
        exact = charge * extra * n_months
        back_bill = case.money(exact)
        case.add(
            f"{prefix}back_bill_yuan",
            "补交私增容量基本电费",
            "补交 = 基本电价 × 私增容量 × 使用月数",
            {"basic_charge_yuan_per_kva_month": charge, "extra_capacity_kva": extra, **month_inputs},
            back_bill,
            "元",
            row,
        )
        multiple = case.value("violation.excess_capacity.two_part_penalty_multiple", contract)
        penalty = _multiple_of(case, multiple, back_bill, exact)
        case.add(
            f"{prefix}penalty_yuan",
            "违约使用电费（私增容量）",
            "违约使用电费 = 倍数 × 私增容量基本电费",
            {"multiple": multiple, "back_bill_yuan": back_bill},
            penalty,
            "元",
            row,
        )
    else:
        row = case.rule("violation.excess_capacity.penalty_yuan_per_kw")
        rate = case.value("violation.excess_capacity.penalty_yuan_per_kw", contract)
        back_bill = Decimal("0.00")
        penalty = case.money(rate * extra)
        case.add(
            f"{prefix}penalty_yuan",
            "违约使用电费（私增容量）",
            "违约使用电费 = 每千瓦标准 × 私增容量",
            {"yuan_per_kw": rate, "extra_capacity_kva": extra},
            penalty,
            "元",
            row,
        )
    if not prefix:
        _total(case, back_bill, penalty, row)
    return back_bill + penalty


def violation_over_allocation(
    *,
    case_date: object,
    peak_overuse_kw: object,
    excess_energy_kwh: object,
    price_yuan_per_kwh: object,
    times: object = 1,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 3: exceeding the planned allocation: 1 元/kW of peak over-use each time + 5 × the excess charge.

    Inactive from 2024-06-01 (probably deleted in the 2024 rules, ``U``): a later case raises
    :class:`~gridcheck_analytics.regulations.RuleNotInForceError`.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    peak_overuse_kw : Decimal
        Peak load above the allocation [kW].
    excess_energy_kwh : Decimal
        Energy above the allocation [kWh].
    price_yuan_per_kwh : Decimal
        Current tariff [元/kWh].
    times : int
        Number of times [1].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``capacity_penalty_yuan``, ``energy_penalty_yuan``, ``total_due_yuan`` (no back-bill).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第三项.
    """
    on = _case_date(case_date, today)
    peak = _dec(peak_overuse_kw, "peak_overuse_kw", positive=True)
    excess = _dec(excess_energy_kwh, "excess_energy_kwh", nonnegative=True)
    price = _dec(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    n = _count(times, "times")
    case = _Case("violation.over_allocation", on, province, table)
    row = case.rule("violation.over_allocation.penalty_yuan_per_kw")
    per_kw = row.value
    first = case.money(per_kw * peak * n)
    case.add(
        "capacity_penalty_yuan",
        "超用负荷违约使用电费",
        "= 每千瓦标准 × 超用负荷 × 次数",
        {"yuan_per_kw": per_kw, "peak_overuse_kw": peak, "times": n},
        first,
        "元",
        row,
    )
    multiple = case.value("violation.over_allocation.energy_charge_multiple")
    case_energy = case.energy(excess)
    second = _multiple_of(case, multiple, case.money(case_energy * price), case_energy * price)
    case.add(
        "energy_penalty_yuan",
        "超用电量违约使用电费",
        "= 倍数 × 超用电量 × 电价",
        {"multiple": multiple, "excess_energy_kwh": case_energy, "price_yuan_per_kwh": price},
        second,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), first + second, row)
    return case.calc


def violation_sealed_equipment(
    *,
    case_date: object,
    capacity_kva: object,
    two_part: bool,
    basic_charge_yuan_per_kva_month: object = None,
    months: object = None,
    days: object = None,
    times: object = 1,
    also_excess_capacity: bool = False,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 4: using suspended or sealed equipment (暂停/封存设备).

    Two-part: back-bill = basic charge × capacity × months, penalty = 2 × back-bill. Others: penalty =
    30 元/kW (kVA) × capacity × times. When the equipment was also excess capacity, the item-2 lines
    are added (prefixed ``excess_``).

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    capacity_kva : Decimal
        Capacity of the equipment used [kVA].
    two_part : bool
        Whether the customer is on the two-part tariff.
    basic_charge_yuan_per_kva_month : Decimal, optional
        Basic charge, two-part customers [元/(kVA·month)].
    months, days : Decimal, optional
        Period of use [month] or [d].
    times : int
        Number of times, other customers [1].
    also_excess_capacity : bool
        The equipment was also excess capacity: add item 2.
    contract_value : Decimal, optional
        The contract's value where the 2024 rule is a cap.
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``back_bill_yuan`` (two-part), ``penalty_yuan``, optional ``excess_*``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第四项、第二项.
    """
    on = _case_date(case_date, today)
    capacity = _dec(capacity_kva, "capacity_kva", positive=True)
    contract = _opt_dec(contract_value, "contract_value", nonnegative=True)
    two_part = _bool(two_part, "two_part")
    also_excess_capacity = _bool(also_excess_capacity, "also_excess_capacity")
    case = _Case("violation.sealed_equipment", on, province, table)
    back_bill = Decimal("0.00")
    if two_part:
        row = case.rule("violation.sealed_equipment.two_part_penalty_multiple")
        charge = _dec(basic_charge_yuan_per_kva_month, "basic_charge_yuan_per_kva_month", positive=True)
        n_months, month_inputs = _months(case, months, days)
        exact = charge * capacity * n_months
        back_bill = case.money(exact)
        case.add(
            "back_bill_yuan",
            "补交擅用设备基本电费",
            "补交 = 基本电价 × 设备容量 × 使用月数",
            {"basic_charge_yuan_per_kva_month": charge, "capacity_kva": capacity, **month_inputs},
            back_bill,
            "元",
            row,
        )
        multiple = case.value("violation.sealed_equipment.two_part_penalty_multiple", contract)
        penalty = _multiple_of(case, multiple, back_bill, exact)
        case.add(
            "penalty_yuan",
            "违约使用电费（擅用暂停/封存设备）",
            "违约使用电费 = 倍数 × 补交基本电费",
            {"multiple": multiple, "back_bill_yuan": back_bill},
            penalty,
            "元",
            row,
        )
    else:
        row = case.rule("violation.sealed_equipment.penalty_yuan_per_kw")
        rate = case.value("violation.sealed_equipment.penalty_yuan_per_kw", contract)
        n = _count(times, "times")
        penalty = case.money(rate * capacity * n)
        case.add(
            "penalty_yuan",
            "违约使用电费（擅用暂停/封存设备）",
            "违约使用电费 = 每千瓦每次标准 × 设备容量 × 次数",
            {"yuan_per_kw": rate, "capacity_kva": capacity, "times": n},
            penalty,
            "元",
            row,
        )
    total_inputs: dict[str, object] = {"back_bill_yuan": back_bill, "penalty_yuan": penalty}
    total = back_bill + penalty
    if also_excess_capacity:
        extra = _excess_capacity_items(
            case, capacity, two_part, basic_charge_yuan_per_kva_month, months, days, None, prefix="excess_"
        )
        total += extra
        total_inputs["excess_capacity_yuan"] = extra
    case.add("total_due_yuan", "应交合计", "合计 = 各项之和", total_inputs, total, "元", row)
    return case.calc


def violation_meter_interference(
    *,
    case_date: object,
    residential: bool,
    times: object = 1,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 5: moving, altering or operating the company's meter or equipment: a fixed sum each time.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    residential : bool
        Residential customer (500 元 a time) or other (5,000 元 a time).
    times : int
        Number of times [1].
    contract_value : Decimal, optional
        The contract's sum where the 2024 rule is a cap [元].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``penalty_yuan``, ``total_due_yuan``.

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第五项.
    """
    on = _case_date(case_date, today)
    n = _count(times, "times")
    residential = _bool(residential, "residential")
    case = _Case("violation.meter_interference", on, province, table)
    key = f"violation.meter_interference.{'residential' if residential else 'other'}_yuan"
    row = case.rule(key)
    sum_each = case.value(key, _opt_dec(contract_value, "contract_value", nonnegative=True))
    penalty = case.money(sum_each * n)
    case.add(
        "penalty_yuan",
        "违约使用电费（私自迁移、更动、操作计量装置等）",
        "违约使用电费 = 每次标准 × 次数",
        {"yuan_each": sum_each, "times": n, "residential": residential},
        penalty,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), penalty, row)
    return case.calc


def violation_unauthorised_source(
    *,
    case_date: object,
    source_capacity_kw: object,
    contract_value: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Item 6: unauthorised source or own generator in parallel: 500 元/kW (kVA) (``U``); disconnect at once.

    Parameters
    ----------
    case_date : date or str
        Date of the violation.
    source_capacity_kw : Decimal
        Capacity of the source [kW] (kVA counted alike).
    contract_value : Decimal, optional
        The contract's rate where the 2024 rule is a cap [元/kW].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``penalty_yuan``, ``total_due_yuan``; always a review warning (the amount is ``U``).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第一百条第六项.
    """
    on = _case_date(case_date, today)
    capacity = _dec(source_capacity_kw, "source_capacity_kw", positive=True)
    case = _Case("violation.unauthorised_source", on, province, table)
    key = "violation.unauthorised_source.penalty_yuan_per_kw"
    row = case.rule(key)
    rate = case.value(key, _opt_dec(contract_value, "contract_value", nonnegative=True))
    penalty = case.money(rate * capacity)
    case.add(
        "penalty_yuan",
        "违约使用电费（擅自引入/供出电源或自备电源并网）",
        "违约使用电费 = 每千瓦标准 × 电源容量（并当即拆除接线）",
        {"yuan_per_kw": rate, "source_capacity_kw": capacity},
        penalty,
        "元",
        row,
    )
    _total(case, Decimal("0.00"), penalty, row)
    return case.calc


VIOLATIONS = {
    "category_change": violation_category_change,
    "excess_capacity": violation_excess_capacity,
    "over_allocation": violation_over_allocation,
    "sealed_equipment": violation_sealed_equipment,
    "meter_interference": violation_meter_interference,
    "unauthorised_source": violation_unauthorised_source,
}


# ------------------------------------------------------------------------------ late-payment fee (电费违约金)


def late_fee(
    *,
    amount_yuan: object,
    due_date: object,
    paid_date: object,
    residential: bool,
    bill_period: object = None,
    payments: Sequence[dict] | None = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Late-payment fee: daily rate × balance, from the first overdue day up to, not including, payment.

    Residential arrears accrue 1‰ a day. Other customers accrue 2‰ a day on days in the bill's own year
    and 3‰ a day from 1 January of a later year. Partial payments reduce the balance from their day on.
    Each run of days with one rate and one balance is a line, rounded to the fen; the total is their sum,
    raised to the 1 元 minimum when it is lower (and not zero).

    Parameters
    ----------
    amount_yuan : Decimal
        The overdue bill [元].
    due_date : date or str
        Last day to pay; the first overdue day is the day after.
    paid_date : date or str
        Day the balance was paid in full (not charged).
    residential : bool
        Residential customer (1‰) or other (2‰ / 3‰).
    bill_period : date or str, optional
        A day of the billing period: selects the rule version and the bill's year (default: ``due_date``).
    payments : list of {"date", "amount_yuan"}, optional
        Partial payments before ``paid_date`` [元].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        One ``fee_<n>_yuan`` line per run of days, ``late_fee_yuan`` (the fee charged).

    References
    ----------
    .. [1] 《供电营业规则》（1996）第九十八条；《电力供应与使用条例》第三十九条.
    """
    amount = _dec(amount_yuan, "amount_yuan", positive=True)
    residential = _bool(residential, "residential")
    due = _date(due_date, "due_date")
    paid = _date(paid_date, "paid_date", today)
    period = _date(bill_period, "bill_period", today) if bill_period is not None else due
    if paid <= due:
        raise CalcInputError("paid_date", f"{paid} is not after the due date {due}: no fee")
    partials = []
    for i, payment in enumerate(payments or []):
        if not isinstance(payment, dict):
            raise CalcInputError(f"payments[{i}]", "must be an object with date and amount_yuan")
        day = _date(payment.get("date"), f"payments[{i}].date", today)
        if not due < day < paid:
            raise CalcInputError(f"payments[{i}].date", f"{day} must lie after {due} and before {paid}")
        partials.append((day, _dec(payment.get("amount_yuan"), f"payments[{i}].amount_yuan", positive=True)))
    if sum((p for _, p in partials), Decimal(0)) >= amount:
        raise CalcInputError("payments", "partial payments clear the whole amount before paid_date")

    case = _Case("late_fee", period, province, table)
    if residential:
        keys = {
            "current": "late_fee.residential_rate_per_day",
            "earlier": "late_fee.residential_rate_per_day",
        }
    else:
        keys = {
            "current": "late_fee.other_current_year_rate_per_day",
            "earlier": "late_fee.other_earlier_year_rate_per_day",
        }
    # Runs of days with the same rate and balance.
    runs: list[list] = []
    day = due + datetime.timedelta(days=1)
    while day < paid:
        balance = amount - sum((p for d, p in partials if d <= day), Decimal(0))
        which = "current" if day.year == period.year else "earlier"
        if runs and runs[-1][1] == which and runs[-1][2] == balance:
            runs[-1][4] = day
            runs[-1][3] += 1
        else:
            runs.append([day, which, balance, 1, day])
        day += datetime.timedelta(days=1)
    total = Decimal("0.00")
    for n, (first, which, balance, n_days, last) in enumerate(runs, start=1):
        row = case.rule(keys[which])
        label = "居民" if residential else ("当年欠费" if which == "current" else "跨年度欠费")
        fee = case.money(balance * row.value * n_days)
        case.add(
            f"fee_{n}_yuan",
            f"电费违约金（{label}，{first} 至 {last}）",
            "违约金 = 欠费余额 × 日费率 × 天数",
            {"balance_yuan": balance, "rate_per_day": row.value, "days": n_days, "from": first, "to": last},
            fee,
            "元",
            row,
        )
        total += fee
    minimum_row = case.rule("late_fee.minimum_yuan")
    charged = max(total, case.money(minimum_row.value)) if total > 0 else total
    case.add(
        "late_fee_yuan",
        "电费违约金合计",
        "合计 = 各段之和；不足最低额按最低额收取",
        {"sum_yuan": total, "minimum_yuan": minimum_row.value},
        charged,
        "元",
        minimum_row,
    )
    return case.calc


# --------------------------------------------------------------------------- metering errors (计量退补)


def meter_error(
    *,
    case_date: object,
    cause: str,
    price_yuan_per_kwh: object,
    recorded_energy_kwh: object = None,
    error_percent: object = None,
    elapsed_months: object = None,
    actual_drop_percent: object = None,
    allowed_drop_percent: object = None,
    meter_class: str | None = None,
    correct_power_kw: object = None,
    wrong_power_kw: object = None,
    register_difference_kwh: object = None,
    actual_multiplier: object = None,
    billed_multiplier: object = None,
    normal_month_kwh: object = None,
    months: object = None,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Metering-error correction energy and money (positive: back-bill; negative: refund).

    * ``over_tolerance`` (art. 80(1)): ΔW = W_recorded × (−γ / (1 + γ)), γ = error_percent / 100, over
      half the time since the last test (``recorded_energy_kwh`` is the energy recorded in that half).
    * ``pt_voltage_drop`` (art. 80(2)): ΔW = W_recorded × (d − d_allowed) / (1 − d), the whole time since
      commissioning; d_allowed from the meter class rows or ``allowed_drop_percent``. The text gives no
      formula: this proportional form is Gridcheck's, and the result carries a review warning.
    * ``other_non_human`` (80(3)) and ``blown_pt_fuse`` (81(2)): ΔW = normal month × months − recorded.
    * ``wiring_error`` (81(1)): ΔW = W_recorded × (P_correct / P_wrong − 1), the whole time since the test.
    * ``wrong_multiplier`` (81(3)): ΔW = register difference × (M_actual − M_billed).

    Money = ΔW (rounded to whole kWh) × price.

    Parameters
    ----------
    case_date : date or str
        Date the error was corrected (selects the rule version).
    cause : str
        One of ``METER_ERROR_CAUSES``.
    price_yuan_per_kwh : Decimal
        The customer's tariff [元/kWh].
    recorded_energy_kwh : Decimal, optional
        Energy the meter recorded over the correction period [kWh].
    error_percent : Decimal, optional
        Meter error γ, + for fast [%].
    elapsed_months : Decimal, optional
        Months since the last test or installation, to show the period [month].
    actual_drop_percent, allowed_drop_percent : Decimal, optional
        PT secondary voltage drop, measured and allowed [%].
    meter_class : {"0.5", "1.0", "2.0"}, optional
        Meter accuracy class, for the allowed drop.
    correct_power_kw, wrong_power_kw : Decimal, optional
        Power the meter registers with the correct and the wrong wiring [kW].
    register_difference_kwh : Decimal, optional
        Register difference over the period [kWh on the register].
    actual_multiplier, billed_multiplier : Decimal, optional
        Actual and billed multipliers (倍率) [1].
    normal_month_kwh : Decimal, optional
        Energy of a normal month [kWh].
    months : Decimal, optional
        Months affected, from the reading records [month].
    province, today, table
        As in :func:`theft`.

    Returns
    -------
    Calculation
        Items ``period_months`` (when ``elapsed_months`` is given), ``correction_energy_kwh`` [kWh],
        ``correction_yuan`` [元].

    References
    ----------
    .. [1] 《供电营业规则》（1996）第八十条、第八十一条.
    """
    on = _case_date(case_date, today)
    cause = _choice(cause, "cause", METER_ERROR_CAUSES)
    price = _dec(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    case = _Case(f"meter_error.{cause}", on, province, table)
    fraction_keys = {
        "over_tolerance": "meter_error.period_fraction.over_tolerance",
        "pt_voltage_drop": "meter_error.period_fraction.pt_voltage_drop",
        "wiring_error": "meter_error.period_fraction.wiring",
    }
    # The row that carries the method's article (and, for a 2024 case, its review warning).
    article_row = case.rule(fraction_keys.get(cause) or f"meter_error.method.{cause}")
    article = article_row.citation
    if cause in fraction_keys and elapsed_months is not None:
        elapsed = _dec(elapsed_months, "elapsed_months", positive=True)
        fraction = case.value(fraction_keys[cause])
        case.add(
            "period_months",
            "退补时间",
            "退补月数 = 自上次校验或换装（投运）起的月数 × 比例",
            {"elapsed_months": elapsed, "fraction": fraction},
            elapsed * fraction,
            "month",
            article_row,
            [fraction_keys[cause]],
        )

    if cause == "over_tolerance":
        recorded = _dec(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        gamma = _dec(error_percent, "error_percent") / 100
        if gamma <= -1:
            raise CalcInputError("error_percent", "must be greater than -100")
        true_energy = case.energy(recorded / (1 + gamma))
        case.add(
            "true_energy_kwh",
            "实际用电量",
            "W_true = W_recorded / (1 + γ)",
            {"recorded_energy_kwh": recorded, "gamma": gamma},
            true_energy,
            "kWh",
            article,
        )
        delta = case.energy(recorded * (-gamma / (1 + gamma)))
        formula = "ΔW = W_recorded × (−γ / (1 + γ))"
        inputs: dict[str, object] = {"recorded_energy_kwh": recorded, "gamma": gamma}
    elif cause == "pt_voltage_drop":
        recorded = _dec(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        drop = _dec(actual_drop_percent, "actual_drop_percent", nonnegative=True) / 100
        if allowed_drop_percent is not None:
            allowed = _dec(allowed_drop_percent, "allowed_drop_percent", nonnegative=True) / 100
        else:
            klass = _choice(meter_class, "meter_class", METER_CLASSES)
            allowed = case.value(f"meter_error.allowed_pt_drop.class_{klass.replace('.', '_')}")
        if drop >= 1:
            raise CalcInputError("actual_drop_percent", "must be below 100")
        if drop <= allowed:
            raise CalcInputError(
                "actual_drop_percent", f"drop {drop} is within the allowed {allowed}: no back-bill"
            )
        delta = case.energy(recorded * (drop - allowed) / (1 - drop))
        formula = "ΔW = W_recorded × (d − d_allowed) / (1 − d)"
        inputs = {"recorded_energy_kwh": recorded, "drop": drop, "allowed_drop": allowed}
        case.warn(
            "需复核：第八十条第二项未给出压降补收公式，ΔW = W × (d − d允许)/(1 − d) 为本系统按比例推导。"
        )
    elif cause in ("other_non_human", "blown_pt_fuse"):
        recorded = _dec(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        normal = _dec(normal_month_kwh, "normal_month_kwh", nonnegative=True)
        n_months = _dec(months, "months", positive=True)
        delta = case.energy(normal * n_months - recorded)
        formula = "ΔW = 正常月份电量 × 月数 − 故障期间记录电量"
        inputs = {"normal_month_kwh": normal, "months": n_months, "recorded_energy_kwh": recorded}
    elif cause == "wiring_error":
        recorded = _dec(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        correct = _dec(correct_power_kw, "correct_power_kw", positive=True)
        wrong = _dec(wrong_power_kw, "wrong_power_kw")
        if wrong == 0:
            raise CalcInputError(
                "wrong_power_kw", "must not be 0 (use normal-month comparison for a dead meter)"
            )
        delta = case.energy(recorded * (correct / wrong - 1))
        formula = "ΔW = W_recorded × (P_correct / P_wrong − 1)"
        inputs = {"recorded_energy_kwh": recorded, "correct_power_kw": correct, "wrong_power_kw": wrong}
    else:  # wrong_multiplier
        diff = _dec(register_difference_kwh, "register_difference_kwh", nonnegative=True)
        actual = _dec(actual_multiplier, "actual_multiplier", positive=True)
        billed = _dec(billed_multiplier, "billed_multiplier", positive=True)
        delta = case.energy(diff * (actual - billed))
        formula = "ΔW = 示数差 × (实际倍率 − 计费倍率)"
        inputs = {"register_difference_kwh": diff, "actual_multiplier": actual, "billed_multiplier": billed}

    word = "应退" if delta < 0 else "应补"
    case.add(
        "correction_energy_kwh", f"{word}电量（正为补收，负为退还）", formula, inputs, delta, "kWh", article
    )
    money = case.money(delta * price)
    case.add(
        "correction_yuan",
        f"{word}电费（正为补收，负为退还）",
        "ΔE = ΔW × 电价",
        {"correction_energy_kwh": delta, "price_yuan_per_kwh": price},
        money,
        "元",
        article,
    )
    return case.calc
