"""Metering errors (计量退补): correction energy and money, positive a back-bill, negative a refund."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import (
    CalcInputError,
    as_case_date,
    as_choice,
    as_decimal,
    as_optional_decimal,
)
from gridcheck_analytics.penalties.wiring import correction_factor as correction_factor_of
from gridcheck_analytics.regulations.table import RuleTable

METER_ERROR_CAUSES = (
    "over_tolerance",
    "pt_voltage_drop",
    "other_non_human",
    "wiring_error",
    "blown_pt_fuse",
    "wrong_multiplier",
)
METER_CLASSES = ("0.5", "1.0", "2.0")
#: Accuracy classes of active-energy meters; the allowed error is the class number in percent.
ACCURACY_CLASSES = ("0.2S", "0.2", "0.5S", "0.5", "1.0", "2.0", "3.0")
TOU_PERIODS = ("sharp", "peak", "flat", "valley")
TOU_LABELS = {"sharp": "尖峰", "peak": "高峰", "flat": "平段", "valley": "低谷"}


def meter_error(
    *,
    case_date: object,
    cause: str,
    price_yuan_per_kwh: object = None,
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
    settings: object = None,
    wiring: object = None,
    correction_factor: object = None,
    period_energy_kwh: object = None,
    accuracy_class: str | None = None,
    time_of_use_kwh: object = None,
    time_of_use_prices_yuan_per_kwh: object = None,
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

    * ``wiring_error`` and ``blown_pt_fuse`` with ``wiring`` (a fault per phase, :mod:`.wiring`) or
      ``correction_factor``: ΔW = W_recorded × (K − 1), the correction factor and rate printed; for a blown
      PT fuse (loss of voltage) this is the "calculated" clause of art. 81(2), the normal-month comparison
      its fallback, each cited so.

    Money = ΔW (rounded to whole kWh) × price; without a price the correction is energy only.
    ``period_energy_kwh`` (over_tolerance): the energy as recorded since the last test; the half-period
    rule is applied to it (× ``meter_error.period_fraction.over_tolerance``). ``accuracy_class``: the
    error must exceed the class's ±% (else refused). ``time_of_use_kwh`` ({peak, flat, valley}: the recorded
    energy of each period) with ``time_of_use_prices_yuan_per_kwh``: one correction split over the periods,
    each at its price (energy only without prices).

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
    province, today, table, settings
        As in :func:`theft` (settings: ``rounding.*``, ``meter_error.period_fraction.over_tolerance``).
    wiring : dict, optional
        The fault per phase (``wiring_error``, ``blown_pt_fuse``): ``meter`` ("3p3w"/"3p4w"),
        ``billed_ct_ratio``, ``phase_ct_ratio``, ``reversed``, ``voltage_open``, ``power_factor``,
        ``leading`` (:mod:`.wiring`); K and the correction rate are printed.
    correction_factor : Decimal, optional
        K given directly instead of ``wiring`` [1].
    period_energy_kwh : Decimal, optional
        ``over_tolerance``: the energy recorded since the last test, as the meter recorded it [kWh].
    accuracy_class : str, optional
        ``over_tolerance``: one of ``ACCURACY_CLASSES``; an error within ±class % is refused.
    time_of_use_kwh : dict, optional
        Recorded energy per period (``sharp``, ``peak``, ``flat``, ``valley``) instead of
        ``recorded_energy_kwh`` [kWh].
    time_of_use_prices_yuan_per_kwh : dict, optional
        The price of each period [元/kWh]; without it the split is energy only.

    Returns
    -------
    Calculation
        Items ``period_months`` (when ``elapsed_months`` is given), ``correction_energy_kwh`` [kWh],
        ``correction_yuan`` [元].

    References
    ----------
    .. [1] 《供电营业规则》（1996）第八十条、第八十一条.
    """
    on = as_case_date(case_date, today)
    cause = as_choice(cause, "cause", METER_ERROR_CAUSES)
    price = as_optional_decimal(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    case = CaseBuilder(f"meter_error.{cause}", on, province, table, settings)
    fraction_keys = {
        "over_tolerance": "meter_error.period_fraction.over_tolerance",
        "pt_voltage_drop": "meter_error.period_fraction.pt_voltage_drop",
        "wiring_error": "meter_error.period_fraction.wiring",
    }
    # The row that carries the method's article (and, for a 2024 case, its review warning).
    article_row = case.rule(fraction_keys.get(cause) or f"meter_error.method.{cause}")
    article = article_row.citation
    if cause in fraction_keys and elapsed_months is not None:
        elapsed = as_decimal(elapsed_months, "elapsed_months", positive=True)
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

    tou = _tou_energies(time_of_use_kwh, recorded_energy_kwh, period_energy_kwh)
    if tou is not None:
        recorded_energy_kwh = sum(tou.values(), Decimal(0))
    if period_energy_kwh is not None:
        if cause != "over_tolerance":
            raise CalcInputError("period_energy_kwh", "applies to over_tolerance only (art. 80(1))")
        if recorded_energy_kwh is not None:
            raise CalcInputError(
                "recorded_energy_kwh", "conflicts with period_energy_kwh: give the energy one way only"
            )
        whole = as_decimal(period_energy_kwh, "period_energy_kwh", nonnegative=True)
        fraction = case.value(fraction_keys[cause])
        recorded_energy_kwh = case.energy(whole * fraction)
        case.add(
            "corrected_period_energy_kwh",
            "退补期间记录电量",
            "W_退补期间 = 自上次校验或换装起的记录电量 × 比例（取整）",
            {"period_energy_kwh": whole, "fraction": fraction},
            recorded_energy_kwh,
            "kWh",
            article_row,
            [fraction_keys[cause], "rounding.energy_kwh"],
        )
    has_factor = wiring is not None or correction_factor is not None
    if has_factor and cause not in ("wiring_error", "blown_pt_fuse"):
        raise CalcInputError(
            "wiring" if wiring is not None else "correction_factor",
            "applies to wiring_error and blown_pt_fuse (art. 81(1), 81(2)) only",
        )
    ratio: Decimal | None = None  # ΔW / W_recorded, for a time-of-use split
    if cause == "over_tolerance":
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        gamma = as_decimal(error_percent, "error_percent") / 100
        if gamma <= -1:
            raise CalcInputError("error_percent", "must be greater than -100")
        if accuracy_class is not None:
            klass = as_choice(accuracy_class, "accuracy_class", ACCURACY_CLASSES)
            tolerance = Decimal(klass.rstrip("S"))
            case.add(
                "class_tolerance_percent",
                "准确度等级允许误差",
                "|γ| > 准确度等级允许误差（超差才按第八十条第一项退补）",
                {"accuracy_class": klass, "error_percent": gamma * 100},
                tolerance,
                "%",
                article,
            )
            if abs(gamma * 100) <= tolerance:
                raise CalcInputError(
                    "error_percent",
                    f"{gamma * 100}% is within the ±{tolerance}% of accuracy class {klass}: "
                    "no correction under art. 80(1)",
                )
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
        ratio = -gamma / (1 + gamma)
        delta = case.energy(recorded * ratio)
        formula = "ΔW = W_recorded × (−γ / (1 + γ))"
        inputs: dict[str, object] = {"recorded_energy_kwh": recorded, "gamma": gamma}
    elif cause == "pt_voltage_drop":
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        drop = as_decimal(actual_drop_percent, "actual_drop_percent", nonnegative=True) / 100
        if allowed_drop_percent is not None:
            allowed = as_decimal(allowed_drop_percent, "allowed_drop_percent", nonnegative=True) / 100
        else:
            klass = as_choice(meter_class, "meter_class", METER_CLASSES)
            allowed = case.value(f"meter_error.allowed_pt_drop.class_{klass.replace('.', '_')}")
        if drop >= 1:
            raise CalcInputError("actual_drop_percent", "must be below 100")
        if drop <= allowed:
            raise CalcInputError(
                "actual_drop_percent", f"drop {drop} is within the allowed {allowed}: no back-bill"
            )
        ratio = (drop - allowed) / (1 - drop)
        delta = case.energy(recorded * ratio)
        formula = "ΔW = W_recorded × (d − d_allowed) / (1 − d)"
        inputs = {"recorded_energy_kwh": recorded, "drop": drop, "allowed_drop": allowed}
        case.warn(
            "需复核：第八十条第二项未给出压降补收公式，ΔW = W × (d − d允许)/(1 − d) 为本系统按比例推导。"
        )
    elif has_factor:
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        clause = "（按更正系数计算）" if cause == "blown_pt_fuse" else ""
        article = f"{article}{clause}"
        if (wiring is None) == (correction_factor is None):
            raise CalcInputError(
                "correction_factor", "give the correction factor or the wiring fault, not both"
            )
        if correction_factor is not None:
            k = as_decimal(correction_factor, "correction_factor", positive=True)
        else:
            k, _ = correction_factor_of(case, wiring, article)
        ratio = k - 1
        delta = case.energy(recorded * ratio)
        formula = "ΔW = W_recorded × (K − 1)"
        inputs = {"recorded_energy_kwh": recorded, "correction_factor": k}
    elif cause in ("other_non_human", "blown_pt_fuse"):
        if tou is not None:
            raise CalcInputError("time_of_use_kwh", f"cannot split a {cause} normal-month comparison")
        if cause == "blown_pt_fuse":
            article = f"{article}（无法计算的，以正常月份用电量为基准比较）"
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        normal = as_decimal(normal_month_kwh, "normal_month_kwh", nonnegative=True)
        n_months = as_decimal(months, "months", positive=True)
        delta = case.energy(normal * n_months - recorded)
        formula = "ΔW = 正常月份电量 × 月数 − 故障期间记录电量"
        inputs = {"normal_month_kwh": normal, "months": n_months, "recorded_energy_kwh": recorded}
    elif cause == "wiring_error":
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        correct = as_decimal(correct_power_kw, "correct_power_kw", positive=True)
        wrong = as_decimal(wrong_power_kw, "wrong_power_kw")
        if wrong == 0:
            raise CalcInputError(
                "wrong_power_kw", "must not be 0 (use normal-month comparison for a dead meter)"
            )
        ratio = correct / wrong - 1
        delta = case.energy(recorded * ratio)
        formula = "ΔW = W_recorded × (P_correct / P_wrong − 1)"
        inputs = {"recorded_energy_kwh": recorded, "correct_power_kw": correct, "wrong_power_kw": wrong}
    else:  # wrong_multiplier
        if tou is not None:
            raise CalcInputError("time_of_use_kwh", "cannot split a register-difference correction")
        diff = as_decimal(register_difference_kwh, "register_difference_kwh", nonnegative=True)
        actual = as_decimal(actual_multiplier, "actual_multiplier", positive=True)
        billed = as_decimal(billed_multiplier, "billed_multiplier", positive=True)
        delta = case.energy(diff * (actual - billed))
        formula = "ΔW = 示数差 × (实际倍率 − 计费倍率)"
        inputs = {"register_difference_kwh": diff, "actual_multiplier": actual, "billed_multiplier": billed}

    if tou is not None:
        _time_of_use(case, tou, ratio, time_of_use_prices_yuan_per_kwh, price, formula, article)
        return case.calc
    word = "应退" if delta < 0 else "应补"
    case.add(
        "correction_energy_kwh", f"{word}电量（正为补收，负为退还）", formula, inputs, delta, "kWh", article
    )
    if price is None:
        return case.calc  # an energy-only correction
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


def _tou_energies(tou: object, recorded: object, period: object) -> dict[str, Decimal] | None:
    if tou is None:
        return None
    if recorded is not None or period is not None:
        raise CalcInputError(
            "recorded_energy_kwh" if recorded is not None else "period_energy_kwh",
            "conflicts with time_of_use_kwh: give the energy one way only",
        )
    if not isinstance(tou, dict) or not tou:
        raise CalcInputError("time_of_use_kwh", "must be an object {peak, flat, valley: kWh}")
    energies = {}
    for name, value in tou.items():
        period_name = as_choice(name, "time_of_use_kwh", TOU_PERIODS)
        energies[period_name] = as_decimal(value, f"time_of_use_kwh.{name}", nonnegative=True)
    return energies


def _time_of_use(
    case: CaseBuilder,
    tou: dict[str, Decimal],
    ratio: Decimal | None,
    prices: object,
    price: Decimal | None,
    formula: str,
    article: str,
) -> None:
    """One correction split over the time-of-use periods: ΔW_i = W_i × ratio, money at each period's price."""
    if price is not None:
        raise CalcInputError("price_yuan_per_kwh", "conflicts with time_of_use_kwh: give the period prices")
    if prices is not None and not isinstance(prices, dict):
        raise CalcInputError(
            "time_of_use_prices_yuan_per_kwh", "must be an object {peak, flat, valley: 元/kWh}"
        )
    total_energy = Decimal(0)
    total_money = Decimal(0)
    for name, recorded in tou.items():
        delta = case.energy(recorded * ratio)
        total_energy += delta
        case.add(
            f"{name}_correction_energy_kwh",
            f"{TOU_LABELS[name]}更正电量（正为补收，负为退还）",
            formula.replace("W_recorded", f"W_{name}"),
            {"recorded_energy_kwh": recorded, "correction_ratio": ratio},
            delta,
            "kWh",
            article,
        )
        if prices is not None:
            if name not in prices:
                raise CalcInputError(f"time_of_use_prices_yuan_per_kwh.{name}", "is required")
            p = as_decimal(prices[name], f"time_of_use_prices_yuan_per_kwh.{name}", positive=True)
            money = case.money(delta * p)
            total_money += money
            case.add(
                f"{name}_correction_yuan",
                f"{TOU_LABELS[name]}更正电费",
                "ΔE_i = ΔW_i × 电价_i",
                {"correction_energy_kwh": delta, "price_yuan_per_kwh": p},
                money,
                "元",
                article,
            )
    word = "应退" if total_energy < 0 else "应补"
    case.add(
        "correction_energy_kwh",
        f"{word}电量合计（正为补收，负为退还）",
        "ΔW = Σ ΔW_i（各时段分别取整）",
        {"periods": "、".join(TOU_LABELS[n] for n in tou)},
        total_energy,
        "kWh",
        article,
    )
    if prices is not None:
        case.add(
            "correction_yuan",
            f"{word}电费合计（正为补收，负为退还）",
            "ΔE = Σ ΔE_i",
            {"periods": "、".join(TOU_LABELS[n] for n in tou)},
            total_money,
            "元",
            article,
        )
