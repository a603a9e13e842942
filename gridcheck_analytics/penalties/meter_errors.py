"""Metering errors (计量退补): correction energy and money, positive a back-bill, negative a refund."""

from __future__ import annotations

import datetime

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_case_date, as_choice, as_decimal
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
    on = as_case_date(case_date, today)
    cause = as_choice(cause, "cause", METER_ERROR_CAUSES)
    price = as_decimal(price_yuan_per_kwh, "price_yuan_per_kwh", positive=True)
    case = CaseBuilder(f"meter_error.{cause}", on, province, table)
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

    if cause == "over_tolerance":
        recorded = as_decimal(recorded_energy_kwh, "recorded_energy_kwh", nonnegative=True)
        gamma = as_decimal(error_percent, "error_percent") / 100
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
        delta = case.energy(recorded * (drop - allowed) / (1 - drop))
        formula = "ΔW = W_recorded × (d − d_allowed) / (1 − d)"
        inputs = {"recorded_energy_kwh": recorded, "drop": drop, "allowed_drop": allowed}
        case.warn(
            "需复核：第八十条第二项未给出压降补收公式，ΔW = W × (d − d允许)/(1 − d) 为本系统按比例推导。"
        )
    elif cause in ("other_non_human", "blown_pt_fuse"):
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
        delta = case.energy(recorded * (correct / wrong - 1))
        formula = "ΔW = W_recorded × (P_correct / P_wrong − 1)"
        inputs = {"recorded_energy_kwh": recorded, "correct_power_kw": correct, "wrong_power_kw": wrong}
    else:  # wrong_multiplier
        diff = as_decimal(register_difference_kwh, "register_difference_kwh", nonnegative=True)
        actual = as_decimal(actual_multiplier, "actual_multiplier", positive=True)
        billed = as_decimal(billed_multiplier, "billed_multiplier", positive=True)
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
