"""The six Jokar et al. (2016) attacks: deterministic, and each does what its definition says."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from gridcheck_analytics.detection.attacks import ATTACKS, HIGH, LOW, attack_day, inject

X = np.linspace(0.1, 2.0, 48)


@pytest.mark.parametrize("kind", ATTACKS)
def test_deterministic_and_reduces_or_keeps_energy(kind):
    a = attack_day(X, kind, np.random.default_rng(1))
    b = attack_day(X, kind, np.random.default_rng(1))
    assert_array_equal(a, b)
    assert a.shape == X.shape
    assert (a >= 0).all()
    assert a.sum() <= X.sum() + 1e-9


def test_constant_factor():
    a = attack_day(X, "constant_factor", np.random.default_rng(0))
    ratio = a / X
    assert_allclose(ratio, ratio[0])
    assert LOW <= ratio[0] <= HIGH


def test_random_factor_reading():
    ratio = attack_day(X, "random_factor_reading", np.random.default_rng(0)) / X
    assert ratio.min() >= LOW and ratio.max() <= HIGH and np.ptp(ratio) > 0


def test_cut_off_window():
    a = attack_day(X, "cut_off_window", np.random.default_rng(0))
    zero = np.flatnonzero(a == 0)
    assert len(zero) >= 8  # at least 4 hours of half-hours
    assert_array_equal(zero, np.arange(zero[0], zero[-1] + 1))  # one contiguous window
    keep = a != 0
    assert_allclose(a[keep], X[keep])


def test_mean_value():
    a = attack_day(X, "mean_value", np.random.default_rng(0))
    ratio = a / X.mean()
    assert ratio.min() >= LOW and ratio.max() <= HIGH


def test_reversed_order():
    assert_array_equal(attack_day(X, "reversed_order", np.random.default_rng(0)), X[::-1])
    assert_allclose(attack_day(X, "reversed_order", np.random.default_rng(0)).sum(), X.sum())


def test_inject():
    days = np.tile(X, (4, 1))
    out = inject(days, [None, "constant_factor", "constant_factor", "reversed_order"], seed=3)
    assert_array_equal(out[0], X)
    assert_allclose(out[1], out[2])  # one constant factor for the call
    assert_array_equal(out[3], X[::-1])
    assert_array_equal(
        inject(days, [None, "mean_value", None, None], seed=3),
        inject(days, [None, "mean_value", None, None], seed=3),
    )
    with pytest.raises(ValueError):
        attack_day(X, "nope", np.random.default_rng(0))
