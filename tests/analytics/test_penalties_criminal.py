"""Referral to the police: criminal thresholds and the criminal amount of a theft, computed by hand."""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, D, fen

from gridcheck_analytics import penalties
from gridcheck_analytics.regulations import default_table


@pytest.mark.parametrize(
    ("amount", "prior", "band"),
    [
        ("999.99", False, None),
        ("1000", False, "数额较大"),  # the threshold itself reaches the band
        ("500", True, "数额较大"),  # art. 2: 1,000 x 50 %
        ("499.99", True, None),
        ("30000", False, "数额巨大"),
        ("300000", False, "数额特别巨大"),
    ],
)
def test_criminal_threshold_bands(amount, prior, band):
    result = penalties.criminal_referral(case_date="2020-01-01", amount_yuan=amount, prior_offence=prior)
    assert result.has_flag("transfer_to_police") is (band is not None)
    if band:
        assert band in result.flags[0].reason
    assert result.warned("criminal.large.threshold_yuan")  # thresholds are U


def test_repeated_theft_is_flagged_whatever_the_amount():
    result = penalties.criminal_referral(case_date="2020-01-01", amount_yuan=10, repeated=True)
    assert result.has_flag("transfer_to_police")


def test_1998_ranges_apply_before_2013_04_04():
    assert penalties.criminal_referral(case_date="2013-04-03", amount_yuan=600).has_flag("transfer_to_police")
    assert not penalties.criminal_referral(case_date="2013-04-04", amount_yuan=600).has_flag(
        "transfer_to_police"
    )


def test_province_overlay_sets_the_threshold():
    table = default_table()
    national = table.rule("criminal.large.threshold_yuan", D(2020, 1, 1))
    overlay = type(national)(**{**national.__dict__, "province": "ZJ", "value": Decimal(3000)})
    table = table.with_rows([overlay])
    kwargs = dict(case_date="2020-01-01", amount_yuan=2000, table=table)
    assert penalties.criminal_referral(**kwargs).has_flag("transfer_to_police")
    assert not penalties.criminal_referral(**kwargs, province="ZJ").has_flag("transfer_to_police")


def test_criminal_amount_from_history_when_the_duration_is_unknown():
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="bypass_meter",
        price_yuan_per_kwh="0.65",
        meter_phases=3,
        marked_current_a=10,
        customer_class="power",
        normal_months_kwh=[900, 2000, 2000, 2000, 2000, 2000, 2000],  # only the last 6 are used
        after_months_kwh=[200, 400],
        theft_months=4,
    )
    amount = fen((Decimal(12000) / 6 - Decimal(600) / 2) * 4 * Decimal("0.65"))  # 1,700 x 4 x 0.65
    assert result.value("criminal_amount_yuan") == amount == Decimal("4420.00")
    assert result.has_flag("transfer_to_police")


def test_proven_theft_above_threshold_is_flagged():
    # Example C: 3,744.00 元 proven is above the default 1,000 元 "large" threshold.
    result = penalties.theft(
        case_date=BEFORE_2024,
        theft_type="tap_supply_facility",
        price_yuan_per_kwh="0.65",
        equipment_capacity_kw=16,
        hours=360,
    )
    assert result.value("criminal_amount_yuan") == Decimal("3744.00")
    assert result.has_flag("transfer_to_police")
