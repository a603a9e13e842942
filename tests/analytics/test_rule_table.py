"""The versioned rule table: loading, lookup by date and province, caps, errors, and its coverage."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gridcheck_analytics.regulations import (
    Rule,
    RuleError,
    RuleNotInForceError,
    RuleTable,
    RuleTableError,
    default_table,
    rule,
)

D = datetime.date

HEADER = """
[regulations.GYGZ-1996]
title = "《供电营业规则》"
order = "电力工业部令第8号"
"""


def _row(**fields) -> str:
    base = {
        "key": '"x.rate"',
        "regulation": '"GYGZ-1996"',
        "article": '"第一条"',
        "effective_from": "2000-01-01",
        "kind": '"fixed"',
        "value": "2",
        "unit": '"1"',
        "status": '"V"',
    }
    base.update(fields)
    return "[[rule]]\n" + "\n".join(f"{k} = {v}" for k, v in base.items()) + "\n"


@pytest.mark.parametrize(
    ("on", "regulation", "status", "kind"),
    [
        (D(1996, 10, 8), "GYGZ-1996", "V", "fixed"),  # first day of the 1996 rules
        (D(2024, 5, 31), "GYGZ-1996", "V", "fixed"),  # last day
        (D(2024, 6, 1), "GYGZ-2024", "U", "cap"),  # first day of the 2024 rules
        (D(2030, 1, 1), "GYGZ-2024", "U", "cap"),
    ],
)
def test_version_is_chosen_by_date(on, regulation, status, kind):
    row = rule("theft.penalty_multiple", on)
    assert (row.regulation.key, row.status, row.kind, row.value) == (regulation, status, kind, Decimal(3))


def test_no_row_in_force_is_a_clear_error():
    with pytest.raises(RuleNotInForceError, match=r"theft\.penalty_multiple.*1990-01-01.*1996-10-08"):
        rule("theft.penalty_multiple", D(1990, 1, 1))


def test_unknown_key_is_a_clear_error():
    with pytest.raises(RuleError, match="no rule 'theft.no_such_rule'"):
        rule("theft.no_such_rule", D(2023, 1, 1))


def test_inactive_row_raises_with_its_reason():
    # Violation item 3 is kept as an inactive 2024 row (probably deleted, U).
    assert rule("violation.over_allocation.penalty_yuan_per_kw", D(2024, 5, 31)).value == Decimal(1)
    with pytest.raises(RuleNotInForceError, match="not in force on 2024-06-01"):
        rule("violation.over_allocation.penalty_yuan_per_kw", D(2024, 6, 1))


def test_values_are_decimal_not_float():
    assert rule("late_fee.residential_rate_per_day", D(2023, 1, 1)).value == Decimal("0.001")
    assert isinstance(rule("rounding.money_yuan", D(2023, 1, 1)).value, Decimal)
    assert rule("rounding.mode", D(2023, 1, 1)).value == "ROUND_HALF_UP"
    assert rule("rounding.back_bill_before_multiple", D(2023, 1, 1)).value is True


def test_citation_names_regulation_order_and_article():
    row = rule("theft.default_days", D(2023, 1, 1))
    assert row.citation == "《供电营业规则》（电力工业部令第8号）第一百零三条"


def test_the_table_loads_once():
    assert default_table() is default_table()


@pytest.mark.parametrize(
    ("contract", "expected"),
    [(None, Decimal(3)), (Decimal(2), Decimal(2)), (Decimal(3), Decimal(3)), (Decimal(0), Decimal(0))],
)
def test_cap_takes_the_contract_value_else_the_cap(contract, expected):
    assert rule("theft.penalty_multiple", D(2024, 6, 1)).applied(contract) == expected


@pytest.mark.parametrize("contract", [Decimal("3.5"), Decimal(-1)])
def test_cap_rejects_a_contract_value_outside_it(contract):
    with pytest.raises(ValueError, match="cap"):
        rule("theft.penalty_multiple", D(2024, 6, 1)).applied(contract)


def test_fixed_row_rejects_a_contract_value():
    with pytest.raises(ValueError, match="fixed"):
        rule("theft.penalty_multiple", D(2023, 1, 1)).applied(Decimal(2))


def test_u_row_needs_review_and_says_so():
    row = rule("violation.unauthorised_source.penalty_yuan_per_kw", D(2023, 1, 1))
    assert row.needs_review
    assert "需复核" in row.review_warning() and row.key not in row.review_warning()
    assert row.used()["key"] == row.key and row.used()["description"] in row.review_warning()
    assert not rule("theft.penalty_multiple", D(2023, 1, 1)).needs_review


def test_a_review_warning_names_a_text_value_in_chinese():
    """The customer class a residential tariff counts as, and a list of categories: no English codes."""
    row = rule("theft.customer_class.residential", D(2025, 1, 1))
    assert row.value == "lighting" and "取值 照明用户，" in row.review_warning()
    exempt = rule("billing.funds.exempt_categories", D(2025, 1, 1))
    assert "取值 居民生活、农业生产" in exempt.review_warning()
    assert "lighting" not in row.review_warning() and "residential" not in exempt.review_warning()


def test_province_overlay_wins_on_its_dates_only():
    text = (
        HEADER
        + _row(value="2", effective_to="2009-12-31")
        + _row(value="3", effective_from="2010-01-01")
        + _row(value="4", effective_from="2015-01-01", province='"ZJ"')
    )
    table = RuleTable.from_toml(text)
    assert table.rule("x.rate", D(2016, 1, 1)).value == Decimal(3)
    assert table.rule("x.rate", D(2016, 1, 1), province="ZJ").value == Decimal(4)
    assert table.rule("x.rate", D(2012, 1, 1), province="ZJ").value == Decimal(3)  # overlay not yet in force
    assert table.rule("x.rate", D(2005, 1, 1), province="GD").value == Decimal(2)  # no GD overlay


def test_with_rows_adds_an_overlay_without_changing_the_table():
    base = default_table()
    national = base.rule("criminal.large.threshold_yuan", D(2020, 1, 1))
    overlay = Rule(**{**national.__dict__, "province": "ZJ", "value": Decimal(3000)})
    table = base.with_rows([overlay])
    assert table.rule("criminal.large.threshold_yuan", D(2020, 1, 1), province="ZJ").value == Decimal(3000)
    assert base.rule("criminal.large.threshold_yuan", D(2020, 1, 1), province="ZJ").value == Decimal(1000)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_row() + _row(effective_from="2005-01-01"), "overlap"),
        (_row(effective_to="2010-01-01") + _row(effective_from="2010-01-01"), "overlap"),
        (_row(status='"X"'), "status"),
        (_row(kind='"floor"'), "kind"),
        (_row(regulation='"NOPE"'), "unknown regulation"),
        (_row(effective_to="1999-01-01"), "before effective_from"),
        (_row(kind='"cap"', value='"three"'), "cap must be numeric"),
        (_row(effective_from='"2000-01-01"'), "TOML date"),
        ("[[rule]]\nkey = 'x'\n", "missing"),
    ],
)
def test_malformed_table_is_rejected_on_load(rows, message):
    with pytest.raises(RuleTableError, match=message):
        RuleTable.from_toml(HEADER + rows)


def test_every_row_is_complete_and_cited():
    table = default_table()
    for row in table.rows():
        assert row.article and row.description and row.unit, row.key
        assert row.status in {"V", "P", "U", "C"}
        assert row.effective_to is None or row.effective_to >= row.effective_from


def test_1996_and_2024_versions_meet_without_gap():
    table = default_table()
    for key in table.keys():
        rows = [r for r in table.rows(key) if r.province is None]
        for a, b in zip(rows, rows[1:], strict=False):
            assert a.effective_to + datetime.timedelta(days=1) == b.effective_from, key
        if rows[0].regulation.key == "GYGZ-1996" and rows[0].effective_to is not None:
            assert rows[-1].regulation.key == "GYGZ-2024" and rows[-1].status == "U", key


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("theft.default_days", 180),
        ("theft.hours_per_day.power", 12),
        ("theft.hours_per_day.lighting", 6),
        ("theft.single_phase_voltage_v", 220),
        ("theft.three_phase_voltage_v", 380),
        ("theft.penalty_multiple", 3),
        ("theft.admin_fine_max_multiple", 5),
        ("violation.category_change.penalty_multiple", 2),
        ("violation.category_change.default_days", 90),
        ("violation.excess_capacity.two_part_penalty_multiple", 3),
        ("violation.excess_capacity.penalty_yuan_per_kw", 50),
        ("violation.over_allocation.penalty_yuan_per_kw", 1),
        ("violation.over_allocation.energy_charge_multiple", 5),
        ("violation.sealed_equipment.two_part_penalty_multiple", 2),
        ("violation.sealed_equipment.penalty_yuan_per_kw", 30),
        ("violation.meter_interference.residential_yuan", 500),
        ("violation.meter_interference.other_yuan", 5000),
        ("violation.unauthorised_source.penalty_yuan_per_kw", 500),
        ("late_fee.residential_rate_per_day", Decimal("0.001")),
        ("late_fee.other_current_year_rate_per_day", Decimal("0.002")),
        ("late_fee.other_earlier_year_rate_per_day", Decimal("0.003")),
        ("late_fee.minimum_yuan", 1),
        ("meter_error.period_fraction.over_tolerance", Decimal("0.5")),
        ("criminal.large.threshold_yuan", 1000),
        ("criminal.huge.threshold_yuan", 30000),
        ("criminal.especially_huge.threshold_yuan", 300000),
        ("criminal.prior_offence_factor", Decimal("0.5")),
    ],
)
def test_values_of_regulations_md_on_a_2023_case(key, value):
    assert rule(key, D(2023, 1, 1)).value == Decimal(value)


@pytest.mark.parametrize(
    ("key", "value"),
    [("criminal.large.threshold_yuan", 500), ("criminal.huge.threshold_yuan", 5000)],
)
def test_1998_criminal_ranges_before_2013_04_04(key, value):
    assert rule(key, D(2013, 4, 3)).value == Decimal(value)
    assert rule(key, D(2013, 4, 4)).regulation.key == "SJ-2013"


def test_docs_list_matches_the_table():
    docs = Path(__file__).resolve().parents[2] / "docs" / "regulations.md"
    text = docs.read_text(encoding="utf-8")
    listed = text.split("<!-- rules:begin -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert listed == default_table().markdown(), "regenerate the rule list in docs/regulations.md"
