"""Energy balance of a network or area (线损): supplied, loss and loss rate, itemised."""

from __future__ import annotations

import datetime

from gridcheck_analytics.penalties.builder import Calculation, CaseBuilder
from gridcheck_analytics.penalties.inputs import CalcInputError, as_date, as_decimal
from gridcheck_analytics.regulations.table import RuleTable


def line_loss_balance(
    *,
    period: object,
    sales_kwh: object,
    generation_kwh: object = 0,
    purchases_kwh: object = 0,
    other_network_inputs_kwh: object = 0,
    exports_kwh: object = 0,
    own_use_kwh: object = 0,
    province: str | None = None,
    today: datetime.date | None = None,
    table: RuleTable | None = None,
) -> Calculation:
    """Energy balance: supplied = generation + purchases + inputs from other networks − exports.

    loss = supplied − station own use − sales; loss rate = loss / supplied × 100, rounded as
    ``lineloss.rate_rounding_percent`` says. A negative loss (负损) is reported as it is: it points at a
    data or metering error, not at a calculation error.

    Parameters
    ----------
    period : date or str
        A day of the period (selects the rule version).
    sales_kwh : Decimal
        Energy sold (billed) in the period [kWh].
    generation_kwh, purchases_kwh, other_network_inputs_kwh : Decimal, optional
        Energy generated, bought and received from other networks [kWh], default 0.
    exports_kwh : Decimal, optional
        Energy sent out to other networks [kWh], default 0.
    own_use_kwh : Decimal, optional
        Station own use (站用电) [kWh], default 0.
    province, today, table
        As in :func:`gridcheck_analytics.penalties.theft`.

    Returns
    -------
    Calculation
        Items ``supplied_kwh``, ``loss_kwh``, ``loss_rate_percent``.

    References
    ----------
    .. [1] regulations.md section 6 (线损率 = (供电量 − 售电量) / 供电量); workflows.md "Line loss".
    """
    on = as_date(period, "period", today)
    inputs = {
        "generation_kwh": as_decimal(generation_kwh, "generation_kwh", nonnegative=True),
        "purchases_kwh": as_decimal(purchases_kwh, "purchases_kwh", nonnegative=True),
        "other_network_inputs_kwh": as_decimal(
            other_network_inputs_kwh, "other_network_inputs_kwh", nonnegative=True
        ),
        "exports_kwh": as_decimal(exports_kwh, "exports_kwh", nonnegative=True),
    }
    own_use = as_decimal(own_use_kwh, "own_use_kwh", nonnegative=True)
    sales = as_decimal(sales_kwh, "sales_kwh", nonnegative=True)
    case = CaseBuilder("line_loss", on, province, table)
    balance_row = case.rule("lineloss.balance")
    quantum_row = case.rule("lineloss.rate_rounding_percent")
    supplied = (
        inputs["generation_kwh"]
        + inputs["purchases_kwh"]
        + inputs["other_network_inputs_kwh"]
        - inputs["exports_kwh"]
    )
    if supplied <= 0:
        raise CalcInputError(
            "purchases_kwh",
            f"supplied energy (generation + purchases + other inputs − exports) is {supplied}: must be > 0",
        )
    case.add(
        "supplied_kwh",
        "供电量",
        "供电量 = 发电量 + 购入电量 + 其他网络输入电量 − 输出电量",
        inputs,
        supplied,
        "kWh",
        balance_row,
    )
    loss = supplied - own_use - sales
    case.add(
        "loss_kwh",
        "线损电量",
        "线损电量 = 供电量 − 站用电量 − 售电量",
        {"supplied_kwh": supplied, "own_use_kwh": own_use, "sales_kwh": sales},
        loss,
        "kWh",
        balance_row,
    )
    rate = (loss / supplied * 100).quantize(quantum_row.value, rounding=str(case.rule("rounding.mode").value))
    case.add(
        "loss_rate_percent",
        "线损率",
        "线损率 = 线损电量 / 供电量 × 100%，取两位小数（四舍五入）",
        {"loss_kwh": loss, "supplied_kwh": supplied},
        rate,
        "%",
        quantum_row,
        ("lineloss.rate_rounding_percent", "rounding.mode"),
    )
    return case.calc
