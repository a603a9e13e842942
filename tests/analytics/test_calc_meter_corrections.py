"""Metering corrections of arts. 80–81 (issue 20): per-phase faults, loss of voltage, over-tolerance, TOU.

Each expected value is worked by hand in the docstring, in docs/regulations.md's style: the article, the
variant (setting) and the arithmetic. 1996 rules (case date 2023-05-01); energy to whole kWh and money to
the fen, half up, unless a setting says otherwise. P = phase voltage × current × cos of the angle between
the element's voltage and current; U_ab leads U_a by 30°, U_cb lags U_c by 30°.
"""

from decimal import Decimal

import pytest
from penalty_helpers import BEFORE_2024, fen, kwh

from gridcheck_analytics import penalties
from gridcheck_analytics.penalties import CalcInputError

BASE = dict(case_date=BEFORE_2024, recorded_energy_kwh=10000, price_yuan_per_kwh="0.60")


def test_three_wire_b_phase_voltage_lost_has_factor_2_art_81_2_calculated():
    """Art. 81(2) (blown PT fuse), calculated clause; 3P3W two-element, B-phase voltage lead open.

    The two voltage coils are in series across U_ac, each sees U_ac/2:
    P' = ½UI·cos(30° − φ) + ½UI·cos(30° + φ) = ½UI·2·cos30°·cosφ = (√3/2)·UI·cosφ; P = √3·UI·cosφ.
    K = 2 whatever the load (no power factor needed); ε = (2 − 1) × 100% = 100%.
    ΔW = 10,000 × (2 − 1) = 10,000 kWh; money 10,000 × 0.60 = 6,000.00 元.
    """
    result = penalties.meter_error(
        **BASE, cause="blown_pt_fuse", wiring={"meter": "3p3w", "voltage_open": ["b"]}
    )
    assert result.value("correction_factor") == Decimal("2.0000")
    assert result.value("correction_rate_percent") == 100
    assert result.value("correction_energy_kwh") == 10000
    assert result.value("correction_yuan") == Decimal("6000.00")
    assert "第八十一条第二项（按更正系数计算）" in result.item("correction_energy_kwh").article


def test_loss_of_voltage_by_normal_month_cites_the_fallback_clause():
    """Art. 81(2), fallback clause (cannot be calculated): normal month × months − recorded.

    3,000 kWh × 2 months − 4,200 kWh = 1,800 kWh; 1,800 × 0.60 = 1,080.00 元.
    """
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="blown_pt_fuse",
        price_yuan_per_kwh="0.60",
        normal_month_kwh=3000,
        months=2,
        recorded_energy_kwh=4200,
    )
    assert result.value("correction_energy_kwh") == 3000 * 2 - 4200 == 1800
    assert result.value("correction_yuan") == Decimal("1080.00")
    assert "无法计算的，以正常月份用电量为基准比较" in result.item("correction_energy_kwh").article


def test_four_wire_a_phase_ct_reversed_has_factor_3():
    """Art. 81(1), wiring error; 3P4W three-element, A-phase CT polarity reversed.

    P' = UI·cosφ·(−1 + 1 + 1) = UI·cosφ; P = 3·UI·cosφ; K = 3; ε = 200%.
    ΔW = 10,000 × 2 = 20,000 kWh; 20,000 × 0.60 = 12,000.00 元.
    """
    result = penalties.meter_error(**BASE, cause="wiring_error", wiring={"meter": "3p4w", "reversed": ["a"]})
    assert result.value("correction_factor") == 3
    assert result.value("correction_rate_percent") == 200
    assert result.value("correction_energy_kwh") == 20000
    assert result.value("correction_yuan") == Decimal("12000.00")


def test_three_wire_a_phase_reversed_depends_on_the_power_factor():
    """Art. 81(1); 3P3W, A-phase CT reversed, load cos φ = 0.8 lagging (sin φ = 0.6).

    P' = −UI·cos(30° + φ) + UI·cos(30° − φ) = UI·2·sin30°·sinφ = 0.6·UI.
    P = √3·UI·0.8 = 1.385641·UI. K = 1.385641 / 0.6 = 2.309401 → 2.3094 (setting
    rounding.correction_factor = 0.0001); ε = 130.94%.
    ΔW = 10,000 × 1.3094 = 13,094 kWh; 13,094 × 0.60 = 7,856.40 元.
    Without the power factor the input is refused: K depends on it.
    """
    wiring = {"meter": "3p3w", "reversed": ["a"], "power_factor": "0.8"}
    result = penalties.meter_error(**BASE, cause="wiring_error", wiring=wiring)
    k = (Decimal(3).sqrt() * Decimal("0.8") / Decimal("0.6")).quantize(Decimal("0.0001"))
    assert result.value("correction_factor") == k == Decimal("2.3094")
    assert result.value("correction_rate_percent") == Decimal("130.94")
    assert result.value("correction_energy_kwh") == kwh(10000 * (k - 1)) == 13094
    assert result.value("correction_yuan") == fen(13094 * Decimal("0.60")) == Decimal("7856.40")
    with pytest.raises(CalcInputError) as err:
        penalties.meter_error(**BASE, cause="wiring_error", wiring={"meter": "3p3w", "reversed": ["a"]})
    assert err.value.field == "wiring.power_factor"


def test_three_wire_a_phase_voltage_open_at_unity_power_factor():
    """Art. 81(2); 3P3W, A-phase voltage lead open, cos φ = 1: only U_cb·I_c registers.

    P' = UI·cos(30° − 0°) = (√3/2)·UI; P = √3·UI; K = 2.
    """
    wiring = {"meter": "3p3w", "voltage_open": ["a"], "power_factor": 1}
    result = penalties.meter_error(**BASE, cause="blown_pt_fuse", wiring=wiring)
    assert result.value("correction_factor") == 2


def test_mixed_cts_on_a_four_wire_meter():
    """Art. 81(1); 3P4W billed at CT 150/5 (30) but phase C has a 200/5 (40) CT.

    C element sees 30/40 = 0.75 of its current: P' = UI·cosφ·(1 + 1 + 0.75) = 2.75; P = 3.
    K = 3 / 2.75 = 1.090909 → 1.0909; ΔW = 10,000 × 0.0909 = 909 kWh; 909 × 0.60 = 545.40 元.
    """
    wiring = {"meter": "3p4w", "billed_ct_ratio": "150/5", "phase_ct_ratio": {"c": "200/5"}}
    result = penalties.meter_error(**BASE, cause="wiring_error", wiring=wiring)
    assert result.value("correction_factor") == (Decimal(3) / Decimal("2.75")).quantize(Decimal("0.0001"))
    assert result.value("correction_energy_kwh") == 909
    assert result.value("correction_yuan") == Decimal("545.40")
    assert "C相CT实际变比40" in result.item("correction_factor").inputs["fault"]


def test_correction_factor_rounding_is_a_setting():
    """Setting rounding.correction_factor = 0.01: K = 2.309401 → 2.31; ΔW = 10,000 × 1.31 = 13,100 kWh."""
    wiring = {"meter": "3p3w", "reversed": ["a"], "power_factor": "0.8"}
    result = penalties.meter_error(
        **BASE, cause="wiring_error", wiring=wiring, settings={"rounding.correction_factor": "0.01"}
    )
    assert result.value("correction_factor") == Decimal("2.31")
    assert result.value("correction_energy_kwh") == 13100
    chosen = {s["name"]: s for s in result.settings}
    assert chosen["rounding.correction_factor"]["source"] == "case"


def test_over_tolerance_half_period_on_the_energy_as_recorded():
    """Art. 80(1): a meter +5% fast, 12 months since installation; it recorded 12,600 kWh in those months.

    Half-period rule on the energy: 12,600 × ½ = 6,300 kWh recorded in the refund period.
    True energy 6,300 / 1.05 = 6,000 kWh; refund ΔW = 6,300 × (−0.05/1.05) = −300 kWh;
    −300 × 0.65 = −195.00 元. Accuracy class 2.0: |5%| > 2% so art. 80 applies.
    """
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        price_yuan_per_kwh="0.65",
        period_energy_kwh=12600,
        error_percent=5,
        accuracy_class="2.0",
    )
    assert result.value("corrected_period_energy_kwh") == 6300
    assert result.value("true_energy_kwh") == 6000
    assert result.value("correction_energy_kwh") == -300
    assert result.value("correction_yuan") == Decimal("-195.00")
    assert result.value("class_tolerance_percent") == 2


def test_error_within_the_accuracy_class_is_refused():
    """Art. 80(1) is for errors over tolerance: +1.5% on a class 2.0 meter is within ±2%."""
    with pytest.raises(CalcInputError) as err:
        penalties.meter_error(
            case_date=BEFORE_2024,
            cause="over_tolerance",
            recorded_energy_kwh=6300,
            error_percent="1.5",
            accuracy_class="2.0",
        )
    assert err.value.field == "error_percent"


def test_energy_only_correction_needs_no_price():
    """Art. 80(1): 6,300 kWh at +5%: ΔW = −300 kWh, no price given, so no money line."""
    result = penalties.meter_error(
        case_date=BEFORE_2024, cause="over_tolerance", recorded_energy_kwh=6300, error_percent=5
    )
    assert result.value("correction_energy_kwh") == -300
    with pytest.raises(KeyError):
        result.item("correction_yuan")


def test_time_of_use_split_over_peak_flat_valley():
    """Art. 80(1), +5% fast, split by period: ratio −0.05/1.05 = −1/21.

    Peak 2,100 → −100 kWh × 0.96 = −96.00 元; flat 2,520 → −120 kWh × 0.60 = −72.00 元;
    valley 1,680 → −80 kWh × 0.27 = −21.60 元. Total −300 kWh, −189.60 元.
    """
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        error_percent=5,
        time_of_use_kwh={"peak": 2100, "flat": 2520, "valley": 1680},
        time_of_use_prices_yuan_per_kwh={"peak": "0.96", "flat": "0.60", "valley": "0.27"},
    )
    assert result.value("peak_correction_energy_kwh") == -100
    assert result.value("flat_correction_yuan") == Decimal("-72.00")
    assert result.value("valley_correction_yuan") == Decimal("-21.60")
    assert result.value("correction_energy_kwh") == -300
    assert result.value("correction_yuan") == Decimal("-96.00") + Decimal("-72.00") + Decimal("-21.60")


def test_time_of_use_energy_only():
    """The same split with no prices: energy lines only."""
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        error_percent=5,
        time_of_use_kwh={"peak": 2100, "flat": 2520, "valley": 1680},
    )
    assert result.value("correction_energy_kwh") == -300
    with pytest.raises(KeyError):
        result.item("correction_yuan")


def test_half_period_fraction_is_a_setting():
    """Setting meter_error.period_fraction.over_tolerance = 1 (whole period): 12,600 / 1.05 = 12,000;
    refund −600 kWh."""
    result = penalties.meter_error(
        case_date=BEFORE_2024,
        cause="over_tolerance",
        period_energy_kwh=12600,
        error_percent=5,
        settings={"meter_error.period_fraction.over_tolerance": 1},
    )
    assert result.value("correction_energy_kwh") == -600


def test_meter_error_conflicting_energies_are_refused():
    with pytest.raises(CalcInputError) as err:
        penalties.meter_error(
            case_date=BEFORE_2024,
            cause="over_tolerance",
            error_percent=5,
            recorded_energy_kwh=6300,
            time_of_use_kwh={"peak": 1},
        )
    assert err.value.field == "recorded_energy_kwh"


@pytest.mark.parametrize(
    ("wiring", "field"),
    [
        ({"meter": "3p3w", "reversed": ["b"]}, "wiring.reversed"),
        ({"meter": "3p4w"}, "wiring"),
        ({"meter": "2p"}, "wiring.meter"),
        ({"meter": "3p4w", "reversed": ["a"], "colour": "red"}, "wiring.colour"),
        ({"meter": "3p4w", "phase_ct_ratio": {"a": "200/5"}}, "wiring.billed_ct_ratio"),
        ({"meter": "3p3w", "voltage_open": ["a", "c"]}, "wiring"),
        ({"meter": "3p3w", "reversed": ["a"], "power_factor": "1.2"}, "wiring.power_factor"),
    ],
)
def test_bad_wiring_names_the_field(wiring, field):
    """A 3P3W meter has no B-phase current element; a fault must be described; both voltage leads of a
    3P3W meter open register nothing (the normal-month comparison applies)."""
    with pytest.raises(CalcInputError) as err:
        penalties.meter_error(**BASE, cause="wiring_error", wiring=wiring)
    assert err.value.field == field


def test_wiring_only_for_wiring_and_loss_of_voltage():
    with pytest.raises(CalcInputError) as err:
        penalties.meter_error(**BASE, cause="over_tolerance", error_percent=5, correction_factor=2)
    assert err.value.field == "correction_factor"
