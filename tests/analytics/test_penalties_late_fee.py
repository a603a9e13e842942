"""Late-payment fees (电费违约金) against the worked examples of regulations.md, computed by hand."""

from decimal import Decimal

from penalty_helpers import D, fen

from gridcheck_analytics import penalties


def test_example_late_fee_residential():
    result = penalties.late_fee(
        amount_yuan=300, due_date="2023-03-15", paid_date="2023-04-05", residential=True
    )
    days = (D(2023, 4, 5) - D(2023, 3, 16)).days  # 03-16 .. 04-04 = 20 days
    assert days == 20
    assert result.value("late_fee_yuan") == fen(300 * Decimal("0.001") * days) == Decimal("6.00")


def test_example_late_fee_commercial_across_new_year():
    result = penalties.late_fee(
        amount_yuan="10000.00",
        due_date="2023-12-15",
        paid_date="2024-01-10",
        residential=False,
        bill_period="2023-11-01",
    )
    in_2023 = 16  # 12-16 .. 12-31
    in_2024 = 9  # 01-01 .. 01-09
    assert result.value("fee_1_yuan") == fen(10000 * Decimal("0.002") * in_2023) == Decimal("320.00")
    assert result.value("fee_2_yuan") == fen(10000 * Decimal("0.003") * in_2024) == Decimal("270.00")
    assert result.value("late_fee_yuan") == Decimal("590.00")


def test_example_late_fee_minimum():
    result = penalties.late_fee(
        amount_yuan=20, due_date="2023-03-01", paid_date="2023-03-12", residential=True
    )
    assert result.value("fee_1_yuan") == fen(20 * Decimal("0.001") * 10) == Decimal("0.20")
    assert result.value("late_fee_yuan") == Decimal("1.00")


def test_late_fee_partial_payment_recomputes_on_the_balance():
    result = penalties.late_fee(
        amount_yuan=1000,
        due_date="2023-03-01",
        paid_date="2023-03-22",
        residential=True,
        payments=[{"date": "2023-03-12", "amount_yuan": 600}],
    )
    # 03-02 .. 03-11: 10 days on 1,000; 03-12 .. 03-21: 10 days on 400.
    assert result.value("late_fee_yuan") == fen(1000 * Decimal("0.001") * 10) + fen(
        400 * Decimal("0.001") * 10
    )
    assert result.value("late_fee_yuan") == Decimal("14.00")


def test_late_fee_rounds_each_line_half_up():
    # 1,234.50 x 0.001 x 1 = 1.2345 -> 1.23; x 5 days = 6.1725 -> 6.17
    result = penalties.late_fee(
        amount_yuan="1234.50", due_date="2023-03-01", paid_date="2023-03-07", residential=True
    )
    assert result.value("late_fee_yuan") == fen(Decimal("1234.50") * Decimal("0.001") * 5) == Decimal("6.17")


def test_late_fee_bill_period_may_be_a_month():
    # "2023-11" reads as 2023-11-30: the regulations.md commercial example, 590.00 元.
    result = penalties.late_fee(
        amount_yuan="10000.00",
        due_date="2023-12-15",
        paid_date="2024-01-10",
        residential=False,
        bill_period="2023-11",
    )
    assert result.value("late_fee_yuan") == Decimal("590.00")
    assert result.case_date == D(2023, 11, 30)
