"""The six false-data-injection attacks of Jokar et al. (2016), applied to daily load profiles.

Each attack takes one customer-day ``x`` (the readings of one day, e.g. 48 half-hours [kWh]) and returns
the reported (tampered) readings:

1. ``constant_factor``   h1: x_t * a, a ~ U(0.1, 0.8) fixed for the day;
2. ``random_factor_day`` h2 (per-day variant as the issue lists it): x_t * a_d, a different factor drawn
   per day (a ~ U(0.1, 0.8)) — for one day it is a constant factor, across days it varies;
3. ``cut_off_window``    h3: x_t = 0 in a window [t_s, t_e] of at least 4 hours, unchanged elsewhere;
4. ``random_factor_reading`` h4: x_t * a_t, a_t ~ U(0.1, 0.8) drawn per reading;
5. ``mean_value``        h5: mean(x) * a_t, a_t ~ U(0.1, 0.8) per reading (a flat, reduced profile);
6. ``reversed_order``    h6: x_{T-1-t} (the same energy, peak moved to the cheap hours).

Deterministic for a given ``seed``.  Data made with them are SYNTHETIC attacks on real curves and must be
reported as such.

References
----------
.. [1] P. Jokar, N. Arianpoo, V. C. M. Leung, "Electricity Theft Detection in AMI Using Customers'
   Consumption Patterns", IEEE Trans. Smart Grid 7(1):216-226, 2016, Section IV-B.
"""

from __future__ import annotations

import numpy as np

ATTACKS = (
    "constant_factor",
    "random_factor_day",
    "cut_off_window",
    "random_factor_reading",
    "mean_value",
    "reversed_order",
)
LOW, HIGH = 0.1, 0.8


def attack_day(x, kind: str, rng: np.random.Generator, *, min_window_fraction: float = 1 / 6) -> np.ndarray:
    """Apply attack ``kind`` to one day's readings ``x`` [kWh]; returns a new array."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if kind in ("constant_factor", "random_factor_day"):
        return x * rng.uniform(LOW, HIGH)
    if kind == "cut_off_window":
        w = int(rng.integers(max(1, int(np.ceil(n * min_window_fraction))), n + 1))
        s = int(rng.integers(0, n - w + 1))
        y = x.copy()
        y[s : s + w] = 0.0
        return y
    if kind == "random_factor_reading":
        return x * rng.uniform(LOW, HIGH, n)
    if kind == "mean_value":
        return np.full(n, x.mean()) * rng.uniform(LOW, HIGH, n)
    if kind == "reversed_order":
        return x[::-1].copy()
    raise ValueError(f"unknown attack {kind!r}; choose one of {ATTACKS}")


def inject(days, kinds, seed: int = 0) -> np.ndarray:
    """Attack rows of a (n_days, readings_per_day) matrix.

    Parameters
    ----------
    days : array-like of shape (n_days, n_readings)
        One row per customer-day [kWh].
    kinds : sequence of str or None, length n_days
        The attack for each row (None: leave it).
    seed : int
        Random seed.

    Returns
    -------
    ndarray
        The tampered matrix (a copy).
    """
    rng = np.random.default_rng(seed)
    out = np.array(days, dtype=float, copy=True)
    a = rng.uniform(LOW, HIGH)  # the "constant" factor, fixed across every day of this call
    for i, k in enumerate(kinds):
        if k is None:
            continue
        if k == "constant_factor":
            out[i] = out[i] * a
        else:
            out[i] = attack_day(out[i], k, rng)
    return out
