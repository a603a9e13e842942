"""Electricity theft (窃电): stolen energy, back-billing, penalty charge, total due and criminal amount."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder, multiple_of
from gridcheck_analytics.penalties.criminal import criminal_amount_from_history, refer_if_in_force
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_bool,
    as_case_date,
    as_choice,
    as_date,
    as_decimal,
    as_decimal_list,
    as_optional_decimal,
)
from gridcheck_analytics.penalties.wiring import correction_factor as correction_factor_of
from gridcheck_analytics.regulations.table import Rule, RuleTable

THEFT_TYPES = (
    "tap_supply_facility",
    "bypass_meter",
    "seal_forged_or_opened",
    "meter_damaged",
    "meter_tampered_inaccurate",
    "other",
)
#: Bases of the stolen quantity: art. 103 ("article"), or a station practice of regulations.md section 9.
THEFT_BASES = (
    "article",
    "connected_load",
    "transformer_kva",
    "ct_correction",
    "correction_factor",
    "established_energy",
)
CUSTOMER_CLASSES = ("power", "lighting")
TARIFF_CATEGORIES = ("residential", "general_commercial", "large_industry", "agricultural")

SQRT3 = Decimal(3).sqrt()


def theft(
    *,
    case_date: object,
    theft_type: str,
    price_yuan_per_kwh: object = None,
    equipment_capacity_kw: object = None,
    meter_phases: object = None,
    marked_current_a: object = None,
    limiter_current_a: object = None,
    ct_ratio: object = None,
    pt_ratio: object = None,
    voltage_v: object = None,
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
    loads: object = None,
    correction_factor: object = None,
    wiring: object = None,
    established_energy_kwh: object = None,
    settings: object = None,
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
        The customer's category tariff at the time [元/kWh]; required unless ``loads`` gives a price per load.
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
    voltage_v : Decimal, optional
        The metering point's primary voltage [V]: line voltage (three-phase) or phase voltage
        (single-phase), i.e. the secondary voltage × the PT ratio. When given it replaces the rule's
        low-voltage value and the PT ratio is not applied again (S = √3 × U一次 × I × CT / 1000); the caller
        passes it for PT-fed meters, whose 380 V × PT would overstate S.
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
        One of ``THEFT_BASES``. ``"correction_factor"``: W = ``recorded_energy_kwh`` × (K − 1), K from
        ``correction_factor`` or ``wiring``; ``"established_energy"``: W = ``established_energy_kwh``. ``"article"`` (default) follows art. 103. The station practices (``U``,
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
    loads : list of dict, optional
        Several loads at different prices in one case, each ``{"capacity_kw", "price_yuan_per_kwh"}`` with
        optional ``"hours"`` (else the case's T) and ``"name"``; each load is a line (W_i = S_i × T_i, its
        back-bill W_i × price_i) and the back-bill is their sum. Replaces ``equipment_capacity_kw`` and
        ``price_yuan_per_kwh`` (basis ``article`` or ``connected_load``).
    correction_factor : Decimal, optional
        For ``basis="correction_factor"``: K given directly [1].
    wiring : dict, optional
        For ``basis="correction_factor"``: the fault per phase (:mod:`.wiring`), from which K is derived.
    established_energy_kwh : Decimal, optional
        For ``basis="established_energy"``: the stolen energy established otherwise (output × unit
        consumption, sub-meters, normal months...), the method named in ``basis_reason`` [kWh].
    settings : dict, optional
        Named settings of this calculation (:mod:`.settings`): ``theft.surcharge_in_base`` (surcharges in
        the back-bill and penalty base, or a separate line), ``period.count_both_ends`` (dates count both
        ends), the rounding rules, the basis switches.

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
    on = as_case_date(case_date, today)
    theft_type = as_choice(theft_type, "theft_type", THEFT_TYPES)
    prior_offence = as_bool(prior_offence, "prior_offence")
    repeated = as_bool(repeated, "repeated")
    price = as_optional_decimal(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    case = CaseBuilder("theft", on, province, table, settings)

    # The art. 103 row of this version, for its citation only (not counted as used).
    art103 = case.peek("theft.default_days")
    basis = as_choice(basis, "basis", THEFT_BASES)
    rate = as_optional_decimal(surcharge_yuan_per_kwh, "surcharge_yuan_per_kwh", nonnegative=True)
    in_base = rate is not None and case.switch("theft.surcharge_in_base", legacy=False)
    duration_known = True
    if loads is not None:
        if price is not None:
            raise CalcInputError("price_yuan_per_kwh", "conflicts with loads: give each load its own price")
        if equipment_capacity_kw is not None:
            raise CalcInputError("equipment_capacity_kw", "conflicts with loads: give each load its capacity")
        if basis not in ("article", "connected_load"):
            raise CalcInputError("loads", f"cannot be used with basis {basis!r}")
        if basis == "connected_load":
            _practice_basis(case, basis, basis_reason)
        energy, back_bill_exact, back_bill, tariff_amount, duration_known = _loads_energy(
            case,
            art103,
            loads,
            rate if in_base else None,
            (hours, days, hours_per_day, start_date, end_date, customer_class, tariff_category, today),
        )
        price_inputs: dict[str, object] = {}
    else:
        if price is None:
            raise CalcInputError("price_yuan_per_kwh", "is required")
        if basis == "ct_correction":
            energy = _ct_correction_energy(
                case, art103, recorded_energy_kwh, actual_ct_ratio, billed_ct_ratio, basis_reason
            )
        elif basis == "correction_factor":
            energy = _correction_factor_energy(
                case, art103, recorded_energy_kwh, correction_factor, wiring, basis_reason
            )
        elif basis == "established_energy":
            row = _practice_basis(case, basis, basis_reason)
            energy = case.energy(as_decimal(established_energy_kwh, "established_energy_kwh", positive=True))
            case.add(
                "stolen_energy_kwh",
                "窃电量（以其他方式查明）",
                "W = 查明的窃电量（依据见说明）",
                {"established_energy_kwh": energy, "basis": basis, "basis_reason": str(basis_reason)},
                energy,
                "kWh",
                f"{row.citation}；参照 {art103.citation}",
                [row.key, "rounding.energy_kwh", "rounding.mode"],
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
                    voltage_v,
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
        billed_price = price + rate if in_base else price
        back_bill_exact = energy * billed_price
        back_bill = case.money(back_bill_exact)
        tariff_amount = case.money(energy * price)
        price_inputs = {"stolen_energy_kwh": energy, "price_yuan_per_kwh": price}
        if in_base:
            price_inputs["surcharge_yuan_per_kwh"] = rate
    mult_row = case.rule("theft.penalty_multiple")
    if in_base:
        formula = "补交电费 = W × (电价 + 政府性基金及附加)（附加计入基数）"
    elif loads is not None:
        formula = "补交电费 = Σ 各负荷补交电费"
    else:
        formula = "补交电费 = W × 电价"
    case.add(
        "back_bill_yuan",
        "补交电费",
        formula,
        price_inputs or {"stolen_energy_kwh": energy},
        back_bill,
        "元",
        mult_row,
        ["rounding.money_yuan", *(["theft.surcharge_in_base"] if rate is not None else [])],
    )
    multiple = case.value(
        "theft.penalty_multiple",
        as_optional_decimal(contract_penalty_multiple, "contract_penalty_multiple", nonnegative=True),
        field="contract_penalty_multiple",
    )
    penalty = multiple_of(case, multiple, back_bill, back_bill_exact)
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
    if rate is not None and not in_base:
        surcharge = case.money(energy * rate)
        case.add(
            "surcharge_yuan",
            "政府性基金及附加",
            "附加 = W × 每千瓦时附加标准（单列，不计违约使用电费）",
            {"stolen_energy_kwh": energy, "surcharge_yuan_per_kwh": rate},
            surcharge,
            "元",
            "供电所设置（regulations.md 第9节：政府性基金及附加单列）",
            ["theft.surcharge_in_base"],
        )
        total += surcharge
        total_inputs["surcharge_yuan"] = surcharge
        total_formula += " + 附加"
    if damage_yuan is not None:
        damage = case.money(as_decimal(damage_yuan, "damage_yuan", nonnegative=True))
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
        {"multiple": fine_row.value, "back_bill_yuan": tariff_amount},
        case.money(fine_row.value * tariff_amount),
        "元",
        fine_row,
        ["theft.admin_fine_max_multiple"],
    )

    # Criminal amount (SJ-2013 art. 4(3)): never the 180-day estimate.
    amount = None
    if duration_known:
        amount = tariff_amount
        basis = {"proven_energy_kwh": energy, "price_yuan_per_kwh": price if loads is None else "各负荷电价"}
        formula = "盗窃数额 = 查明的窃电量 × 电价（不含附加）"
    elif normal_months_kwh is not None:
        if price is None:
            raise CalcInputError("normal_months_kwh", "cannot be used with loads (no single price)")
        amount, basis, formula = criminal_amount_from_history(
            case, normal_months_kwh, after_months_kwh, theft_months, price
        )
    if amount is None:
        case.warn(
            "窃电时间无法查明：按默认天数计算的窃电量不是刑事盗窃数额（法释〔2013〕8号第四条第三项），"
            "需按盗窃前正常月均用量推算（填写窃电前正常月份各月电量、窃电后各月计量电量与窃电月数）"
            "后再判断是否移送。"
        )
        if repeated:
            refer_if_in_force(case, Decimal(0), prior_offence, repeated)
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
        refer_if_in_force(case, amount, prior_offence, repeated)
    return case.calc


def _article_capacity(
    case: CaseBuilder,
    art103: Rule,
    theft_type: str,
    equipment_capacity_kw: object,
    meter_phases: object,
    marked_current_a: object,
    limiter_current_a: object,
    ct_ratio: object,
    pt_ratio: object,
    voltage_v: object = None,
) -> Decimal:
    """Capacity S of art. 103: the private equipment (direct tap) or the meter's current (other types).

    With ``voltage_v`` (the primary voltage of a PT-fed metering point) U is that voltage and the PT ratio,
    already inside it, is recorded but not multiplied again."""
    if theft_type == "tap_supply_facility":
        parts = as_decimal_list(equipment_capacity_kw, "equipment_capacity_kw", positive=True)
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
        phases = as_decimal(meter_phases, "meter_phases")
        if phases not in (1, 3):
            raise CalcInputError("meter_phases", f"must be 1 or 3, got {meter_phases!r}")
        if limiter_current_a is not None:
            current = as_decimal(limiter_current_a, "limiter_current_a", positive=True)
            current_name = "limiter_current_a"
        else:
            current = as_decimal(marked_current_a, "marked_current_a", positive=True)
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
        if voltage_v is not None:
            volts = as_decimal(voltage_v, "voltage_v", positive=True)
            capacity = (volts if phases == 1 else SQRT3 * volts) * current / 1000
            formula = formula.replace("× U ×", "× U一次 ×").replace("S = U ×", "S = U一次 ×")
            keys = []  # the rule's low-voltage value is not used
        inputs: dict[str, object] = {"voltage_v": volts, current_name: current}
        if ct_ratio is not None or pt_ratio is not None:
            ct = as_decimal(ct_ratio if ct_ratio is not None else 1, "ct_ratio", positive=True)
            pt = as_decimal(pt_ratio if pt_ratio is not None else 1, "pt_ratio", positive=True)
            if case.rule("theft.ct_pt_multiplier").value is not True:
                raise CalcInputError("ct_ratio", "CT/PT multiplication is switched off in the rule table")
            if voltage_v is not None:
                capacity = capacity * ct  # the PT ratio is inside the primary voltage
                formula += " × CT变比（U一次已含PT变比）"
            else:
                capacity = capacity * ct * pt
                formula += " × CT变比 × PT变比"
            inputs.update(ct_ratio=ct, pt_ratio=pt)
            keys.append("theft.ct_pt_multiplier")
        case.add("capacity_kw", "计量装置折算容量", formula, inputs, capacity, "kW", art103, keys)

    return capacity


def _practice_capacity(
    case: CaseBuilder,
    art103: Rule,
    basis: str,
    equipment_capacity_kw: object,
    transformer_kva: object,
    reason: object,
) -> Decimal:
    """Capacity S of a station-practice basis (regulations.md section 9): connected load or transformer kVA."""
    row = _practice_basis(case, basis, reason)
    if basis == "connected_load":
        parts = as_decimal_list(equipment_capacity_kw, "equipment_capacity_kw", positive=True)
        capacity = sum(parts, Decimal(0))
        name, formula, inputs = (
            "实际接入私用负荷容量",
            "S = Σ实际接入负荷（实务做法）",
            {"equipment_capacity_kw": parts},
        )
    else:
        capacity = as_decimal(transformer_kva, "transformer_kva", positive=True)
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


def _practice_basis(case: CaseBuilder, basis: str, reason: object) -> Rule:
    row = case.rule(f"theft.basis.{basis}")
    if row.value is not True:
        raise CalcInputError("basis", f"basis {basis!r} is switched off in the rule table ({row.key})")
    if not isinstance(reason, str) or not reason.strip():
        raise CalcInputError(
            "basis_reason", f"is required for the practice basis {basis!r}: say why it was chosen"
        )
    return row


def _ct_correction_energy(
    case: CaseBuilder,
    art103: Rule,
    recorded: object,
    actual_ratio: object,
    billed_ratio: object,
    reason: object,
) -> Decimal:
    """Stolen energy from a tampered CT: recorded energy × (actual CT ratio / billed CT ratio − 1)."""
    row = _practice_basis(case, "ct_correction", reason)
    recorded_kwh = as_decimal(recorded, "recorded_energy_kwh", nonnegative=True)
    actual = as_decimal(actual_ratio, "actual_ct_ratio", positive=True)
    billed = as_decimal(billed_ratio, "billed_ct_ratio", positive=True)
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
    case: CaseBuilder,
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
    given = [n for n, v in (("hours", hours), ("days", days), ("start_date", start_date)) if v is not None]
    if len(given) > 1:
        raise CalcInputError(given[1], f"conflicts with {given[0]}: give the duration one way only")
    if hours is not None and hours_per_day is not None:
        raise CalcInputError("hours_per_day", "conflicts with hours: give hours, or days × hours per day")
    if hours is not None:
        total_hours = as_decimal(hours, "hours", positive=True)
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
            n_days = as_decimal(days, "days", positive=True)
            days_inputs: dict[str, object] = {"days": n_days}
        else:
            start = as_date(start_date, "start_date", today)
            end = as_date(end_date, "end_date", today)
            if end > on:
                raise CalcInputError("end_date", f"{end} is after the case date {on}")
            both_ends = case.switch("period.count_both_ends", legacy=False)
            if end < start or (end == start and not both_ends):
                raise CalcInputError(
                    "start_date",
                    f"start {start} must be before end {end}"
                    + (
                        ""
                        if end < start
                        else " (a one-day theft: setting period.count_both_ends=true, or days=1)"
                    ),
                )
            n_days = Decimal((end - start).days + (1 if both_ends else 0))
            days_inputs = {
                "start_date": start,
                "end_date": end,
                "count_both_ends": both_ends,
                "days": n_days,
            }
        per_day = as_decimal(hours_per_day, "hours_per_day", positive=True)
        if per_day > 24:
            raise CalcInputError("hours_per_day", f"must be at most 24, got {per_day}")
        total_hours = n_days * per_day
        case.add(
            "hours",
            "窃电时间（已查明）",
            "T = 天数 × 每日小时数"
            + ("（天数 = 止日 − 起日 + 1，首尾两日均计入）" if days_inputs.get("count_both_ends") else "")
            + ("（天数 = 止日 − 起日）" if days_inputs.get("count_both_ends") is False else ""),
            {**days_inputs, "hours_per_day": per_day},
            total_hours,
            "h",
            art103,
            ["period.count_both_ends"] if "count_both_ends" in days_inputs else [],
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
    case: CaseBuilder, customer_class: str | None, tariff_category: str | None
) -> tuple[str, list[str]]:
    if customer_class is not None:
        return as_choice(customer_class, "customer_class", CUSTOMER_CLASSES), []
    if tariff_category is None:
        raise CalcInputError(
            "customer_class",
            "is required when the theft duration is unknown (power or lighting), or give tariff_category",
        )
    category = as_choice(tariff_category, "tariff_category", TARIFF_CATEGORIES)
    key = f"theft.customer_class.{category}"
    klass = str(case.rule(key).value)
    if klass not in CUSTOMER_CLASSES:
        raise CalcInputError("tariff_category", f"rule {key} maps to {klass!r}, not power or lighting")
    return klass, [key]


def _loads_energy(
    case: CaseBuilder,
    art103: Rule,
    loads: object,
    surcharge: Decimal | None,
    duration: tuple,
) -> tuple[Decimal, Decimal, Decimal, Decimal, bool]:
    """Several loads at different prices: one line each. Returns (ΣW, exact back-bill, back-bill,
    tariff-only amount, whether the duration is known)."""
    if not isinstance(loads, list | tuple) or not loads:
        raise CalcInputError("loads", "must be a non-empty list of {capacity_kw, price_yuan_per_kwh}")
    for n, load in enumerate(loads, start=1):
        if not isinstance(load, dict):
            raise CalcInputError(f"loads[{n}]", "must be an object {capacity_kw, price_yuan_per_kwh, hours}")
        unknown = set(load) - {"capacity_kw", "price_yuan_per_kwh", "hours", "name"}
        if unknown:
            raise CalcInputError(f"loads[{n}].{sorted(unknown)[0]}", "unknown field")
    shared = None
    duration_known = True
    if any(load.get("hours") is None for load in loads):
        shared, duration_known = _theft_hours(case, art103, *duration)
    total_energy = Decimal(0)
    exact_total = Decimal(0)
    back_bill = Decimal(0)
    tariff_amount = Decimal(0)
    for n, load in enumerate(loads, start=1):
        capacity = as_decimal(load.get("capacity_kw"), f"loads[{n}].capacity_kw", positive=True)
        price = as_decimal(load.get("price_yuan_per_kwh"), f"loads[{n}].price_yuan_per_kwh", positive=True)
        own = load.get("hours")
        hours = as_decimal(own, f"loads[{n}].hours", positive=True) if own is not None else shared
        energy = case.energy(capacity * hours)
        name = str(load.get("name") or f"负荷{n}")
        case.add(
            f"load_{n}_energy_kwh",
            f"窃电量（{name}）",
            "W_i = S_i × T_i（取整）",
            {"capacity_kw": capacity, "hours": hours},
            energy,
            "kWh",
            art103,
            ["rounding.energy_kwh", "rounding.mode"],
        )
        billed = price + surcharge if surcharge is not None else price
        exact = energy * billed
        line = case.money(exact)
        inputs: dict[str, object] = {"stolen_energy_kwh": energy, "price_yuan_per_kwh": price}
        if surcharge is not None:
            inputs["surcharge_yuan_per_kwh"] = surcharge
        case.add(
            f"load_{n}_back_bill_yuan",
            f"补交电费（{name}）",
            "补交电费_i = W_i × 电价_i" + ("（含附加）" if surcharge is not None else ""),
            inputs,
            line,
            "元",
            case.rule("theft.penalty_multiple"),
            ["rounding.money_yuan"],
        )
        total_energy += energy
        exact_total += exact
        back_bill += line
        tariff_amount += case.money(energy * price)
    case.add(
        "stolen_energy_kwh",
        "窃电量（各负荷合计）",
        "W = Σ W_i",
        {"load_count": len(loads)},
        total_energy,
        "kWh",
        art103,
    )
    return total_energy, exact_total, back_bill, tariff_amount, duration_known


def _correction_factor_energy(
    case: CaseBuilder,
    art103: Rule,
    recorded: object,
    factor: object,
    wiring: object,
    reason: object,
) -> Decimal:
    """Stolen energy from a correction factor: recorded energy × (K − 1), K given or from the wiring."""
    row = _practice_basis(case, "correction_factor", reason)
    recorded_kwh = as_decimal(recorded, "recorded_energy_kwh", nonnegative=True)
    if (factor is None) == (wiring is None):
        raise CalcInputError(
            "correction_factor", "give the correction factor or the wiring fault (wiring), one of them"
        )
    if factor is not None:
        k = as_decimal(factor, "correction_factor", positive=True)
    else:
        k, _ = correction_factor_of(case, wiring, f"{row.citation}；参照 {art103.citation}")
    if k <= 1:
        raise CalcInputError("correction_factor", f"{k} must exceed 1 for under-metering")
    energy = case.energy(recorded_kwh * (k - 1))
    case.add(
        "stolen_energy_kwh",
        "窃电量（更正系数法）",
        "W = 窃电期间计量电量 × (K − 1)（取整，实务做法）",
        {
            "recorded_energy_kwh": recorded_kwh,
            "correction_factor": k,
            "basis": "correction_factor",
            "basis_reason": str(reason),
        },
        energy,
        "kWh",
        f"{row.citation}；参照 {art103.citation}",
        [row.key, "rounding.energy_kwh", "rounding.mode"],
    )
    return energy
