"""Late fees (电费违约金) under every practice variant, against statements computed by hand; several bills
settled by one payment; the vectorised accrual equal to the single-bill calculation."""

import dataclasses
import datetime
import random
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from penalty_helpers import D, fen

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import (
    CalcInputError,
    LateFeePractice,
    as_practice,
    default_practice,
    describe_practice,
    late_fee,
    late_fees_bulk,
    late_fees_for_payment,
)
from gridcheck_analytics.penalties.labels import inputs_text
from gridcheck_analytics.regulations import default_table

R1 = Decimal("0.001")  # residential, per day
R2 = Decimal("0.002")  # other, current year
R3 = Decimal("0.003")  # other, earlier year


def days(first, last):
    """Days from ``first`` to ``last``, both counted."""
    return (last - first).days + 1


def fees(calc):
    return {item.key: item.value for item in calc.items}


# ---------------------------------------------------------------- the practice itself


def test_default_practice_is_the_rule_tables_and_the_usual_reading():
    assert default_practice(D(2025, 1, 1)) == LateFeePractice()
    assert LateFeePractice() == LateFeePractice(
        count_payment_day=False,
        year_end="split",
        grace_days=0,
        reprice_on_tariff_rise=False,
        minimum_applies_to="bill",
    )


def test_practice_is_described_in_chinese_for_the_statement():
    lines = describe_practice(LateFeePractice(count_payment_day=True, year_end="whole", grace_days=7))
    assert lines == [
        "交纳日是否计收违约金：计收（计至交纳日当日）",
        "跨年度欠费计费方式：整笔计算（欠费跨入次年的，全部逾期天数按跨年度欠费费率）",
        "到期后宽限天数：7天（自到期日后第8天起计）",
        "欠费期间电价上涨时本金按新电价重算（《民法典》第五百一十三条）：否",
        "最低收取额适用范围：每张电费单（每张不足最低收取额按最低收取额收取）",
    ]
    assert describe_practice(LateFeePractice(), minimum_yuan=Decimal(1))[-1] == (
        "最低收取额适用范围：每张电费单（每张不足1元按1元收取）"
    )


def test_practice_from_a_dict_keeps_the_other_defaults():
    practice = as_practice({"year_end": "whole", "grace_days": "7"})
    assert practice == LateFeePractice(year_end="whole", grace_days=7)
    assert as_practice(practice) is practice


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"year_end": "yearly"}, "practice.year_end"),
        ({"count_payment_day": "yes"}, "practice.count_payment_day"),
        ({"grace_days": -1}, "practice.grace_days"),
        ({"grace_days": "1.5"}, "practice.grace_days"),
        ({"minimum_applies_to": "customer"}, "practice.minimum_applies_to"),
        ({"rounding": "down"}, "practice.rounding"),
    ],
)
def test_bad_practice_option_names_the_field(options, field):
    with pytest.raises(CalcInputError) as info:
        as_practice(options)
    assert info.value.field == field
    with pytest.raises(CalcInputError) as info:
        late_fee(
            amount_yuan=1, due_date="2025-01-01", paid_date="2025-01-05", residential=True, practice=options
        )
    assert info.value.field == field


def test_the_statement_carries_the_practice():
    calc = late_fee(
        amount_yuan=1000,
        due_date="2025-03-15",
        paid_date="2025-04-10",
        residential=True,
        practice={"grace_days": 3},
    )
    text = inputs_text(calc.item("late_fee_yuan").inputs)
    assert "计收做法 = 交纳日是否计收违约金 不计收（计至交纳日前一日）" in text
    assert "到期后宽限天数 3天（自到期日后第4天起计）" in text
    # The defaults the calculation read are cited; the option given is not.
    assert "late_fee.practice.count_payment_day" in calc.rules_used
    assert "late_fee.practice.grace_days" not in calc.rules_used


# ---------------------------------------------------------------- day count (payment day)


def test_residential_payment_day_not_counted_by_default():
    # 1,000.00 元 residential, due 2025-03-15, paid 2025-04-10: overdue 03-16 .. 04-09 = 16 + 9 = 25 days.
    calc = late_fee(amount_yuan="1000.00", due_date="2025-03-15", paid_date="2025-04-10", residential=True)
    assert days(D(2025, 3, 16), D(2025, 4, 9)) == 25
    # 1,000.00 × 0.001 × 25 = 25.00 元
    assert fees(calc) == {"fee_1_yuan": Decimal("25.00"), "late_fee_yuan": Decimal("25.00")}
    assert calc.item("fee_1_yuan").inputs["to"] == D(2025, 4, 9)


def test_residential_payment_day_counted():
    # Payment day counted: 03-16 .. 04-10 = 26 days; 1,000.00 × 0.001 × 26 = 26.00 元.
    calc = late_fee(
        amount_yuan="1000.00",
        due_date="2025-03-15",
        paid_date="2025-04-10",
        residential=True,
        practice=LateFeePractice(count_payment_day=True),
    )
    assert calc.value("late_fee_yuan") == fen(1000 * R1 * 26) == Decimal("26.00")
    assert calc.item("fee_1_yuan").inputs["to"] == D(2025, 4, 10)


def test_payment_day_counted_charges_a_partial_payments_day_on_the_balance_before_it():
    # 1,000 元 residential due 03-01, 600 元 paid 03-12, the rest 03-22.
    # Not counted: 03-02 .. 03-11 on 1,000 (10 days) + 03-12 .. 03-21 on 400 (10 days) = 10.00 + 4.00.
    # Counted: 03-02 .. 03-12 on 1,000 (11 days) + 03-13 .. 03-22 on 400 (10 days) = 11.00 + 4.00.
    facts = dict(
        amount_yuan=1000,
        due_date="2023-03-01",
        paid_date="2023-03-22",
        residential=True,
        payments=[{"date": "2023-03-12", "amount_yuan": 600}],
    )
    assert late_fee(**facts).value("late_fee_yuan") == Decimal("14.00")
    counted = late_fee(**facts, practice={"count_payment_day": True})
    assert fees(counted) == {
        "fee_1_yuan": fen(1000 * R1 * 11),
        "fee_2_yuan": fen(400 * R1 * 10),
        "late_fee_yuan": Decimal("15.00"),
    }


# ---------------------------------------------------------------- year end


COMMERCIAL_2025 = dict(
    amount_yuan="10000.00", due_date="2025-12-15", residential=False, bill_period="2025-11"
)


def test_year_end_split_commercial_bill_of_2025_paid_2026_01_20():
    calc = late_fee(**COMMERCIAL_2025, paid_date="2026-01-20")
    # 2025-12-16 .. 12-31: 16 days × 2‰ × 10,000 = 320.00
    # 2026-01-01 .. 01-19: 19 days × 3‰ × 10,000 = 570.00
    assert fen(10000 * R2 * 16) == Decimal("320.00") and fen(10000 * R3 * 19) == Decimal("570.00")
    assert fees(calc) == {
        "fee_1_yuan": Decimal("320.00"),
        "fee_2_yuan": Decimal("570.00"),
        "late_fee_yuan": Decimal("890.00"),
    }
    assert "当年欠费" in calc.item("fee_1_yuan").name and "跨年度欠费" in calc.item("fee_2_yuan").name


def test_year_end_whole_charges_every_day_at_the_earlier_year_rate_once_crossed():
    calc = late_fee(**COMMERCIAL_2025, paid_date="2026-01-20", practice={"year_end": "whole"})
    # 12-16 .. 01-19: 35 days, all × 3‰ × 10,000 = 1,050.00
    assert days(D(2025, 12, 16), D(2026, 1, 19)) == 35
    assert fees(calc) == {"fee_1_yuan": Decimal("1050.00"), "late_fee_yuan": Decimal("1050.00")}
    assert "整笔按跨年度计" in calc.item("fee_1_yuan").name


def test_year_end_whole_is_judged_on_the_charged_days():
    # Paid 2026-01-01, payment day not counted: last charged day 12-31, no crossing: 16 × 2‰ = 320.00.
    for year_end in ("split", "whole"):
        calc = late_fee(**COMMERCIAL_2025, paid_date="2026-01-01", practice={"year_end": year_end})
        assert calc.value("late_fee_yuan") == Decimal("320.00")
    # Payment day counted: 01-01 is charged. Split: 16 × 2‰ + 1 × 3‰ = 320 + 30; whole: 17 × 3‰ = 510.
    counted = {"count_payment_day": True}
    split = late_fee(**COMMERCIAL_2025, paid_date="2026-01-01", practice=counted)
    whole = late_fee(**COMMERCIAL_2025, paid_date="2026-01-01", practice={**counted, "year_end": "whole"})
    assert split.value("late_fee_yuan") == Decimal("350.00")
    assert whole.value("late_fee_yuan") == fen(10000 * R3 * 17) == Decimal("510.00")


def test_year_end_does_not_split_a_residential_bill():
    # 1,000.00 元 residential due 2025-12-20 paid 2026-01-10: 12-21 .. 01-09 = 11 + 9 = 20 days at 1‰,
    # one line: 20.00 元.
    calc = late_fee(amount_yuan="1000.00", due_date="2025-12-20", paid_date="2026-01-10", residential=True)
    assert fees(calc) == {"fee_1_yuan": Decimal("20.00"), "late_fee_yuan": Decimal("20.00")}


# ---------------------------------------------------------------- grace days


def test_grace_days_start_the_fee_later():
    # regulations.md 4: 300.00 元 due 03-15 paid 04-05. Grace 7 days: charged 03-23 .. 04-04 = 9 + 4 = 13 days;
    # 300 × 0.001 × 13 = 3.90 元 (20 days, 6.00 元, without grace).
    calc = late_fee(
        amount_yuan=300,
        due_date="2023-03-15",
        paid_date="2023-04-05",
        residential=True,
        practice={"grace_days": 7},
    )
    assert calc.item("fee_1_yuan").inputs["from"] == D(2023, 3, 23)
    assert calc.value("late_fee_yuan") == fen(300 * R1 * 13) == Decimal("3.90")


def test_payment_inside_the_grace_days_owes_nothing_not_even_the_minimum():
    calc = late_fee(
        amount_yuan=300,
        due_date="2023-03-15",
        paid_date="2023-03-20",
        residential=True,
        practice={"grace_days": 7},
    )
    assert fees(calc) == {"late_fee_yuan": Decimal("0.00")}


# ---------------------------------------------------------------- re-pricing on a tariff rise


REPRICE = {"reprice_on_tariff_rise": True}
COMMERCIAL_MARCH = dict(
    amount_yuan="10000.00",
    due_date="2025-03-15",
    paid_date="2025-04-10",
    residential=False,
    bill_period="2025-02",
)


def test_reprice_ratio_1_05_from_a_mid_period_day():
    calc = late_fee(
        **COMMERCIAL_MARCH, practice=REPRICE, tariff_changes=[{"date": "2025-04-01", "ratio": "1.05"}]
    )
    # Balance 10,000.00 × 1.05 = 10,500.00 from 04-01.
    # 03-16 .. 03-31: 16 days × 2‰ × 10,000.00 = 320.00
    # 04-01 .. 04-09:  9 days × 2‰ × 10,500.00 = 189.00
    assert fees(calc) == {
        "reprice_1_yuan": Decimal("10500.00"),
        "fee_1_yuan": fen(10000 * R2 * 16),
        "fee_2_yuan": fen(10500 * R2 * 9),
        "principal_increase_yuan": Decimal("500.00"),
        "late_fee_yuan": Decimal("509.00"),
    }
    assert calc.item("reprice_1_yuan").article == "《中华人民共和国民法典》第五百一十三条"


def test_reprice_is_off_by_default_and_a_fall_is_never_applied():
    rise = [{"date": "2025-04-01", "ratio": "1.05"}]
    # Off: 25 days × 2‰ × 10,000 = 500.00, the tariff change unused.
    assert fees(late_fee(**COMMERCIAL_MARCH, tariff_changes=rise)) == {
        "fee_1_yuan": Decimal("500.00"),
        "late_fee_yuan": Decimal("500.00"),
    }
    fall = late_fee(
        **COMMERCIAL_MARCH, practice=REPRICE, tariff_changes=[{"date": "2025-04-01", "ratio": "0.95"}]
    )
    assert fees(fall) == {
        "reprice_1_yuan": Decimal("10000.00"),
        "fee_1_yuan": Decimal("500.00"),
        "principal_increase_yuan": Decimal("0.00"),
        "late_fee_yuan": Decimal("500.00"),
    }
    assert "按原价格执行" in fall.item("reprice_1_yuan").name


def test_reprice_only_rises_strictly_inside_the_overdue_span():
    changes = [{"date": "2025-03-15", "ratio": "1.10"}, {"date": "2025-04-10", "ratio": "1.10"}]
    calc = late_fee(**COMMERCIAL_MARCH, practice=REPRICE, tariff_changes=changes)
    assert fees(calc) == {"fee_1_yuan": Decimal("500.00"), "late_fee_yuan": Decimal("500.00")}


def test_reprice_then_a_partial_payment_on_the_same_day():
    # 04-01: 10,000.00 × 1.05 = 10,500.00, then 4,500.00 paid: 6,000.00 from 04-01.
    # 16 days × 2‰ × 10,000 = 320.00; 9 days × 2‰ × 6,000 = 108.00; total 428.00.
    calc = late_fee(
        **COMMERCIAL_MARCH,
        practice=REPRICE,
        tariff_changes=[{"date": "2025-04-01", "ratio": "1.05"}],
        payments=[{"date": "2025-04-01", "amount_yuan": 4500}],
    )
    assert calc.value("late_fee_yuan") == Decimal("428.00")
    assert calc.value("principal_increase_yuan") == Decimal("500.00")


def test_reprice_rounds_the_new_balance_to_the_fen():
    # 333.33 × 1.0333 = 344.429889 -> 344.43 from 04-01 (residential): 16 × 0.33333 -> 5.33; 9 × 0.34443 -> 3.10
    calc = late_fee(
        amount_yuan="333.33",
        due_date="2025-03-15",
        paid_date="2025-04-10",
        residential=True,
        practice=REPRICE,
        tariff_changes=[{"date": "2025-04-01", "ratio": "1.0333"}],
    )
    assert calc.value("reprice_1_yuan") == Decimal("344.43")
    assert calc.value("fee_1_yuan") == fen(Decimal("333.33") * R1 * 16) == Decimal("5.33")
    assert calc.value("fee_2_yuan") == fen(Decimal("344.43") * R1 * 9) == Decimal("3.10")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ("1.05", "tariff_changes"),
        ([{"date": "2025-04-01"}], "tariff_changes[0].ratio"),
        ([{"date": "2025-04-01", "ratio": 0}], "tariff_changes[0].ratio"),
        ([{"date": "April", "ratio": 1.1}], "tariff_changes[0].date"),
        ([{"date": "2025-04-01", "ratio": 1.1, "price": 1}], "tariff_changes[0].price"),
    ],
)
def test_bad_tariff_change_names_the_field(changes, field):
    with pytest.raises(CalcInputError) as info:
        late_fee(**COMMERCIAL_MARCH, practice=REPRICE, tariff_changes=changes)
    assert info.value.field == field


# ---------------------------------------------------------------- minimum


def test_minimum_one_yuan_under_every_day_count():
    # 20.00 元 residential due 03-01 paid 03-12: 10 days × 0.02 = 0.20 (11 days, 0.22, counted): 1.00 元.
    for counted in (False, True):
        calc = late_fee(
            amount_yuan=20,
            due_date="2023-03-01",
            paid_date="2023-03-12",
            residential=True,
            practice={"count_payment_day": counted},
        )
        assert calc.value("fee_1_yuan") == fen(20 * R1 * (11 if counted else 10))
        assert calc.value("late_fee_yuan") == Decimal("1.00")


# ---------------------------------------------------------------- several bills, one payment


BILLS = [
    # A: residential 1,000.00 due 03-15: 03-16 .. 04-09, 25 days × 1‰ = 25.00
    {"bill_number": "A", "amount_yuan": "1000.00", "due_date": "2025-03-15", "residential": True},
    # B: commercial 5,000.00 of December 2024 due 2025-01-15: every charged day is in a later year:
    # 01-16 .. 04-09 = 16 + 28 + 31 + 9 = 84 days × 3‰ × 5,000 = 1,260.00
    {
        "bill_number": "B",
        "amount_yuan": "5000.00",
        "due_date": "2025-01-15",
        "residential": False,
        "bill_period": "2024-12",
    },
    # C: residential 20.00 due 04-01: 04-02 .. 04-09, 8 days × 0.02 = 0.16, raised to 1.00
    {"bill_number": "C", "amount_yuan": "20.00", "due_date": "2025-04-01", "residential": True},
    # D: not yet due on 04-10: 0.00
    {"bill_number": "D", "amount_yuan": "80.00", "due_date": "2025-04-15", "residential": True},
]


def test_several_bills_one_payment_one_line_per_bill():
    calc = late_fees_for_payment(bills=BILLS, paid_date="2025-04-10")
    assert days(D(2025, 1, 16), D(2025, 4, 9)) == 84
    assert fees(calc) == {
        "bill_1_fee_yuan": fen(1000 * R1 * 25),
        "bill_2_fee_yuan": fen(5000 * R3 * 84),
        "bill_3_fee_yuan": Decimal("1.00"),
        "bill_4_fee_yuan": Decimal("0.00"),
        "late_fee_yuan": Decimal("1286.00"),  # 25.00 + 1,260.00 + 1.00 + 0.00
    }
    assert calc.kind == "late_fee_payment" and calc.case_date == D(2025, 4, 10)
    line = calc.item("bill_3_fee_yuan")
    assert line.inputs["bill_number"] == "C" and "电费单 C" in line.name
    assert line.inputs["segments"] == ["20.00 × 0.001 × 8天（2025-04-02 至 2025-04-09，居民） = 0.16"]
    assert calc.item("bill_4_fee_yuan").inputs["segments"] == ["未逾期"]


def test_one_payment_each_line_equals_the_bill_alone():
    practice = LateFeePractice(count_payment_day=True, year_end="whole")
    calc = late_fees_for_payment(bills=BILLS[:3], paid_date="2026-01-05", practice=practice)
    for n, bill in enumerate(BILLS[:3], start=1):
        facts = {k: v for k, v in bill.items() if k != "bill_number"}
        alone = late_fee(**facts, paid_date="2026-01-05", practice=practice)
        assert calc.value(f"bill_{n}_fee_yuan") == alone.value("late_fee_yuan")


def test_minimum_per_payment_instead_of_per_bill():
    # C's 0.16 is no longer raised: 25.00 + 1,260.00 + 0.16 = 1,285.16
    calc = late_fees_for_payment(
        bills=BILLS, paid_date="2025-04-10", practice={"minimum_applies_to": "payment"}
    )
    assert calc.value("bill_3_fee_yuan") == Decimal("0.16")
    assert calc.value("late_fee_yuan") == Decimal("1285.16")
    # Two small bills, 5 days each: 20 × 0.005 = 0.10, 30 × 0.005 = 0.15.
    small = [
        {"bill_number": "S1", "amount_yuan": 20, "due_date": "2025-04-04", "residential": True},
        {"bill_number": "S2", "amount_yuan": 30, "due_date": "2025-04-04", "residential": True},
    ]
    per_payment = late_fees_for_payment(
        bills=small, paid_date="2025-04-10", practice={"minimum_applies_to": "payment"}
    )
    assert per_payment.value("late_fee_yuan") == Decimal("1.00")  # 0.25 raised once
    per_bill = late_fees_for_payment(bills=small, paid_date="2025-04-10")
    assert per_bill.value("late_fee_yuan") == Decimal("2.00")  # each raised to 1.00


def test_one_payment_re_prices_with_the_customers_tariff_changes():
    bills = [
        {**BILLS[0]},
        # B keeps its own (no) tariff changes
        {**BILLS[2], "amount_yuan": "2000.00", "tariff_changes": []},
    ]
    calc = late_fees_for_payment(
        bills=bills,
        paid_date="2025-04-10",
        practice=REPRICE,
        tariff_changes=[{"date": "2025-04-01", "ratio": "1.05"}],
    )
    # A: 16 days × 1‰ × 1,000 = 16.00; 04-01 .. 04-09: 9 days × 1‰ × 1,050.00 = 9.45 -> 25.45
    # C: 2,000 × 1‰ × 8 = 16.00 (no re-pricing)
    assert fees(calc) == {
        "bill_1_reprice_1_yuan": Decimal("1050.00"),
        "bill_1_fee_yuan": Decimal("25.45"),
        "bill_2_fee_yuan": Decimal("16.00"),
        "principal_increase_yuan": Decimal("50.00"),
        "late_fee_yuan": Decimal("41.45"),
    }


@pytest.mark.parametrize(
    ("bills", "field"),
    [
        ([], "bills"),
        ("A", "bills"),
        (["A"], "bills[0]"),
        ([{**BILLS[0], "due_date": "15/03/2025"}], "bills[0].due_date"),
        ([BILLS[0], {**BILLS[1], "amount_yuan": -5}], "bills[1].amount_yuan"),
        ([BILLS[0], {k: v for k, v in BILLS[1].items() if k != "residential"}], "bills[1].residential"),
        ([{**BILLS[0], "bill_number": ""}], "bills[0].bill_number"),
        ([BILLS[0], BILLS[0]], "bills[1].bill_number"),
        ([{**BILLS[0], "customer": "x"}], "bills[0].customer"),
        ([{**BILLS[0], "payments": [{"date": "2025-04-20", "amount_yuan": 1}]}], "bills[0].payments[0].date"),
        ([{**BILLS[0], "payments": [{"date": "2025-04-01", "amount_yuan": 1000}]}], "bills[0].payments"),
        ([{**BILLS[0], "tariff_changes": [{"date": "2025-04-01"}]}], "bills[0].tariff_changes[0].ratio"),
    ],
)
def test_bad_bill_names_the_field(bills, field):
    with pytest.raises(CalcInputError) as info:
        late_fees_for_payment(bills=bills, paid_date="2025-04-10")
    assert info.value.field == field


# ---------------------------------------------------------------- rule rows in force


def _rate_change_table():
    """A province overlay whose residential rate changes to 2‰ on 2025-04-01 (a made-up row)."""
    table = default_table()
    base = table.rule("late_fee.residential_rate_per_day", D(2025, 1, 1))
    before = dataclasses.replace(
        base, province="XX", effective_from=D(2024, 6, 1), effective_to=D(2025, 3, 31)
    )
    after = dataclasses.replace(base, province="XX", effective_from=D(2025, 4, 1), value=Decimal("0.002"))
    return table.with_rows([before, after])


def test_rate_row_changing_inside_the_overdue_span_does_not_change_the_bills_rate():
    # The bill's rows are those in force on its billing period (regulations.md 1), not on each day:
    # 2025-03 bill, 25 days: all at the March row's 1‰ = 25.00 (not 16 × 1‰ + 9 × 2‰).
    table = _rate_change_table()
    facts = dict(amount_yuan=1000, due_date="2025-03-15", paid_date="2025-04-10", residential=True)
    march = late_fee(**facts, bill_period="2025-03", province="XX", table=table)
    april = late_fee(**facts, bill_period="2025-04-01", province="XX", table=table)
    assert march.value("late_fee_yuan") == Decimal("25.00")
    assert april.value("late_fee_yuan") == Decimal("50.00")
    bulk = late_fees_bulk(
        balance_fen=[100000, 100000],
        due_date=["2025-03-15", "2025-03-15"],
        bill_period=["2025-03-31", "2025-04-01"],
        residential=[True, True],
        as_of="2025-04-10",
        province="XX",
        table=table,
    )
    assert bulk.fee_fen.tolist() == [2500, 5000]


# ---------------------------------------------------------------- bulk accrual equals the single bill


def _random_bills(n, seed):
    rng = random.Random(seed)
    bills = []
    for _ in range(n):
        period = D(rng.choice([2023, 2024, 2025]), rng.randint(1, 12), 1) + datetime.timedelta(
            days=rng.randint(0, 27)
        )
        due = period + datetime.timedelta(days=rng.randint(-20, 45))
        kind = rng.random()
        if kind < 0.2:
            balance = rng.randint(1, 2000)  # up to 20 元: the 1 元 minimum
        elif kind < 0.9:
            balance = rng.randint(1, 3_000_000)
        else:
            balance = rng.randint(1, 2_000_000_000)  # up to 20 million 元
        bills.append((balance, due, period, rng.random() < 0.4))
    return bills


@pytest.mark.parametrize(
    "practice",
    [
        LateFeePractice(),
        LateFeePractice(count_payment_day=True),
        LateFeePractice(year_end="whole"),
        LateFeePractice(year_end="whole", count_payment_day=True, grace_days=7),
        LateFeePractice(grace_days=3, reprice_on_tariff_rise=True, minimum_applies_to="payment"),
    ],
)
@pytest.mark.parametrize("as_of", [D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 20)])
def test_bulk_equals_the_single_bill_on_random_bills(practice, as_of):
    bills = _random_bills(300, seed=as_of.toordinal() + practice.grace_days)
    result = late_fees_bulk(
        balance_fen=np.array([b[0] for b in bills], dtype=np.int64),
        due_date=np.array([b[1] for b in bills], dtype="datetime64[D]"),
        bill_period=np.array([b[2] for b in bills], dtype="datetime64[D]"),
        residential=np.array([b[3] for b in bills]),
        as_of=as_of,
        practice=practice,
    )
    crossings = minimums = 0
    for i, (balance, due, period, residential) in enumerate(bills):
        if as_of <= due:
            expected = Decimal("0.00")
        else:
            calc = late_fee(
                amount_yuan=Decimal(balance).scaleb(-2),
                due_date=due,
                paid_date=as_of,
                residential=residential,
                bill_period=period,
                practice=practice,
            )
            expected = calc.value("late_fee_yuan")
            runs = [item for item in calc.items if item.key.startswith("fee_")]
            crossings += len(runs) == 2
            minimums += expected == 1 and calc.item("late_fee_yuan").inputs["sum_yuan"] < 1
            assert Decimal(int(result.sum_fen[i])).scaleb(-2) == calc.item("late_fee_yuan").inputs["sum_yuan"]
        assert result.fee_yuan(i) == expected, (bills[i], practice, as_of)
    # The sample holds the cases that matter.
    assert minimums > 0
    if practice.year_end == "split" and as_of.year == 2026 and (as_of.day > 1 or practice.count_payment_day):
        assert crossings > 0


def test_bulk_reads_pyarrow_columns_months_and_decimal_yuan():
    table = pa.table(
        {
            "balance_yuan": pa.array(
                [Decimal("300.00"), Decimal("10000.00"), Decimal("20.00")], pa.decimal128(12, 2)
            ),
            "due_date": pa.array([D(2023, 3, 15), D(2023, 12, 15), D(2023, 3, 1)], pa.date32()),
            "residential": pa.array([True, False, True]),
        }
    )
    result = late_fees_bulk(
        balance_yuan=table["balance_yuan"],
        due_date=table["due_date"],
        bill_period=np.array(["2023-02", "2023-11", "2023-02"], dtype="datetime64[M]"),
        residential=table["residential"],
        as_of="2024-01-10",
    )
    # 300 × 1‰ × 300 days (03-16 .. 2024-01-09) = 90.00; the regulations.md commercial example 590.00;
    # 20 × 1‰ × 314 days (03-02 .. 2024-01-09) = 6.28.
    assert result.fee_fen.tolist() == [9000, 59000, 628]
    assert result.current_days.tolist() == [300, 16, 314] and result.earlier_days.tolist() == [0, 9, 0]
    assert result.fee_yuan(1) == Decimal("590.00")


def test_bulk_float_yuan_must_be_whole_fen():
    kwargs = dict(due_date=["2025-01-01"], bill_period=["2025-01-01"], residential=[True], as_of="2025-02-01")
    # 1,234.56 × 1‰ × 30 days (01-02 .. 01-31) = 37.0368 -> 37.04
    assert late_fees_bulk(balance_yuan=[1234.56], **kwargs).fee_fen.tolist() == [3704]
    with pytest.raises(CalcInputError) as info:
        late_fees_bulk(balance_yuan=[12.345], **kwargs)
    assert info.value.field == "balance_yuan"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(balance_fen=[100], balance_yuan=[1]), "balance_fen"),
        (dict(balance_fen=[1.5]), "balance_fen"),
        (dict(balance_fen=[0]), "balance_fen"),
        (dict(balance_fen=[100, 200]), "due_date"),
        (dict(balance_fen=[100], residential=[1]), "residential"),
        (dict(balance_fen=[100], due_date=["soon"]), "due_date"),
        (dict(balance_fen=[100], as_of="tomorrow"), "as_of"),
        (
            dict(
                balance_fen=[100],
                practice=REPRICE,
                tariff_changes=[{"date": "2025-01-15", "ratio": "1.05"}],
            ),
            "tariff_changes",
        ),
        (dict(balance_fen=[2**62]), "balance_fen"),
    ],
)
def test_bulk_refuses_what_it_cannot_compute_naming_the_field(kwargs, field):
    base = dict(due_date=["2025-01-01"], bill_period=["2025-01-01"], residential=[True], as_of="2025-02-01")
    with pytest.raises(CalcInputError) as info:
        late_fees_bulk(**{**base, **kwargs})
    assert info.value.field == field


def test_bulk_of_no_bills_is_empty():
    empty = np.array([], dtype="datetime64[D]")
    result = late_fees_bulk(
        balance_fen=np.array([], np.int64),
        due_date=empty,
        bill_period=empty,
        residential=np.array([], bool),
        as_of="2025-01-01",
    )
    assert result.fee_fen.shape == (0,)


def test_public_names():
    for name in ("LateFeePractice", "late_fees_bulk", "late_fees_for_payment", "describe_practice"):
        assert name in penalties.__all__
