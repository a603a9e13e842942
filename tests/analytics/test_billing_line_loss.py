"""Line-loss energy balance: supplied, loss, loss rate to two decimals, errors."""

import datetime
from decimal import Decimal

import pytest

from gridcheck_analytics.billing import line_loss_balance
from gridcheck_analytics.penalties import CalcInputError

ON = datetime.date(2024, 3, 31)


def test_full_balance():
    # supplied = 20,000 + 500,000 + 30,000 − 50,000 = 500,000 kWh
    # loss = 500,000 − 2,000 − 462,345 = 35,655 kWh; rate = 35,655 / 500,000 × 100 = 7.131 % → 7.13 %
    result = line_loss_balance(
        period=ON,
        generation_kwh=20000,
        purchases_kwh=500000,
        other_network_inputs_kwh=30000,
        exports_kwh=50000,
        own_use_kwh=2000,
        sales_kwh=462345,
    )
    assert result.value("supplied_kwh") == Decimal(500000)
    assert result.value("loss_kwh") == Decimal(35655)
    assert result.value("loss_rate_percent") == Decimal("7.13")
    assert result.item("loss_kwh").formula and result.item("supplied_kwh").inputs["exports_kwh"] == 50000


def test_rate_rounds_half_up():
    # purchases 8,000, sales 7,999: 1 / 8,000 × 100 = 0.0125 → 0.01
    assert line_loss_balance(period=ON, purchases_kwh=8000, sales_kwh=7999).value(
        "loss_rate_percent"
    ) == Decimal("0.01")
    # purchases 2,000, sales 1,999.9: 0.1 / 2,000 × 100 = 0.005 → 0.01 (half up)
    result = line_loss_balance(period=ON, purchases_kwh=2000, sales_kwh="1999.9")
    assert result.value("loss_rate_percent") == Decimal("0.01")


def test_negative_loss_is_reported_not_refused():
    # purchases 1,000, sales 1,020: loss −20 kWh, rate −2.00 % (负损: a data error to look at)
    result = line_loss_balance(period=ON, purchases_kwh=1000, sales_kwh=1020)
    assert result.value("loss_kwh") == Decimal(-20)
    assert result.value("loss_rate_percent") == Decimal("-2.00")


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"purchases_kwh": 0}, "purchases_kwh"),  # zero supply
        ({"purchases_kwh": 100, "exports_kwh": 100}, "purchases_kwh"),  # exports cancel the supply
        ({"sales_kwh": -1}, "sales_kwh"),
        ({"generation_kwh": "x"}, "generation_kwh"),
        ({"period": "2024-13-01"}, "period"),
    ],
)
def test_bad_input_names_the_field(facts, field):
    with pytest.raises(CalcInputError) as info:
        line_loss_balance(**{"period": ON, "purchases_kwh": 1000, "sales_kwh": 900, **facts})
    assert info.value.field == field
