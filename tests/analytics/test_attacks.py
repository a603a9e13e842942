"""The six Jokar et al. (2016) attacks h1..h6: deterministic, and each does what its definition says."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from gridcheck_analytics.detection.attacks import (
    ATTACK_NAMES,
    ATTACKS,
    HIGH,
    LOW,
    attack_code,
    attack_day,
    inject,
)

X = np.linspace(0.1, 2.0, 48)


def test_numbered_and_named_as_in_the_paper():
    assert ATTACKS == ("h1", "h2", "h3", "h4", "h5", "h6")
    assert ATTACK_NAMES == {
        "h1": "constant_factor",
        "h2": "cut_off_window",
        "h3": "random_factor_reading",
        "h4": "mean_times_factor",
        "h5": "mean_flat",
        "h6": "reversed_order",
    }
    assert attack_code("mean_flat") == "h5" and attack_code("h2") == "h2"
    with pytest.raises(ValueError, match="unknown attack"):
        attack_code("random_factor_day")  # the old per-day variant is not one of the paper's six


@pytest.mark.parametrize("kind", ATTACKS)
def test_deterministic_and_reduces_or_keeps_energy(kind):
    a = attack_day(X, kind, np.random.default_rng(1))
    b = attack_day(X, kind, np.random.default_rng(1))
    assert_array_equal(a, b)
    assert a.shape == X.shape
    assert (a >= 0).all()
    assert a.sum() <= X.sum() + 1e-9


def test_h1_constant_factor():
    ratio = attack_day(X, "h1", np.random.default_rng(0)) / X
    assert_allclose(ratio, ratio[0])
    assert LOW <= ratio[0] <= HIGH


def test_h2_cut_off_window():
    a = attack_day(X, "h2", np.random.default_rng(0))
    zero = np.flatnonzero(a == 0)
    assert len(zero) >= 8  # at least 4 hours of half-hours
    assert_array_equal(zero, np.arange(zero[0], zero[-1] + 1))  # one contiguous window
    keep = a != 0
    assert_allclose(a[keep], X[keep])


def test_h3_random_factor_reading():
    ratio = attack_day(X, "h3", np.random.default_rng(0)) / X
    assert ratio.min() >= LOW and ratio.max() <= HIGH and np.ptp(ratio) > 0


def test_h4_mean_times_factor():
    ratio = attack_day(X, "h4", np.random.default_rng(0)) / X.mean()
    assert ratio.min() >= LOW and ratio.max() <= HIGH and np.ptp(ratio) > 0


def test_h5_mean_flat():
    a = attack_day(X, "h5", np.random.default_rng(0))
    assert_allclose(a, np.full(48, X.mean()))
    assert_allclose(a.sum(), X.sum())  # the day's energy, moved flat over the day


def test_h6_reversed_order():
    assert_array_equal(attack_day(X, "h6", np.random.default_rng(0)), X[::-1])
    assert_allclose(attack_day(X, "reversed_order", np.random.default_rng(0)).sum(), X.sum())


def test_inject():
    days = np.tile(X, (4, 1))
    out = inject(days, [None, "h1", "h1", "h6"], seed=3)
    assert_array_equal(out[0], X)
    r1, r2 = out[1] / X, out[2] / X
    assert_allclose(r1, r1[0]) and assert_allclose(r2, r2[0])
    assert r1[0] != r2[0]  # every day its own factor
    assert_array_equal(out[3], X[::-1])
    assert_array_equal(
        inject(days, [None, "h4", None, "h5"], seed=3), inject(days, [None, "h4", None, "h5"], seed=3)
    )
    with pytest.raises(ValueError):
        attack_day(X, "nope", np.random.default_rng(0))
