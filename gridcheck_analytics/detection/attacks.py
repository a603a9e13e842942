"""The six false-data-injection attacks of Jokar et al. (2016), applied to daily load profiles.

Each attack takes one customer-day ``x`` (the readings of one day, e.g. 48 half-hours [kWh]) and returns
the reported (tampered) readings.  Numbered and named as in the paper (Section IV-B, eqs. 4-9):

==== ====================== ====================================================================
code name                   reported reading
==== ====================== ====================================================================
h1   constant_factor        x_t * a, a ~ U(0.1, 0.8) drawn once for the day
h2   cut_off_window         0 in a window [t_s, t_s + w) of at least 4 hours, x_t elsewhere
h3   random_factor_reading  x_t * a_t, a_t ~ U(0.1, 0.8) drawn per reading
h4   mean_times_factor      mean(x) * a_t, a_t ~ U(0.1, 0.8) drawn per reading
h5   mean_flat              mean(x) for every reading (the day's energy, a flat profile)
h6   reversed_order         x_{T-1-t} (the same energy, the peak moved to the cheap night hours)
==== ====================== ====================================================================

h5 and h6 do not lower the day's energy: they shift it in time (under a time-of-use tariff they lower
the bill).  Deterministic for a given generator / ``seed``.  Data made with them are SYNTHETIC attacks
on real curves and must be reported as such.

References
----------
.. [1] P. Jokar, N. Arianpoo, V. C. M. Leung, "Electricity Theft Detection in AMI Using Customers'
   Consumption Patterns", IEEE Trans. Smart Grid 7(1):216-226, 2016, Section IV-B.
"""

from __future__ import annotations

import numpy as np

#: The attack codes in the paper's order.
ATTACKS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: Code -> descriptive name.
ATTACK_NAMES = {
    "h1": "constant_factor",
    "h2": "cut_off_window",
    "h3": "random_factor_reading",
    "h4": "mean_times_factor",
    "h5": "mean_flat",
    "h6": "reversed_order",
}
_BY_NAME = {v: k for k, v in ATTACK_NAMES.items()}
LOW, HIGH = 0.1, 0.8
#: h2's shortest window [hours].
MIN_WINDOW_HOURS = 4.0


def attack_code(kind: str) -> str:
    """``"h1"`` for ``"h1"`` or ``"constant_factor"``; ValueError for anything else."""
    if kind in ATTACK_NAMES:
        return kind
    if kind in _BY_NAME:
        return _BY_NAME[kind]
    raise ValueError(f"unknown attack {kind!r}; choose one of {ATTACKS} or {tuple(_BY_NAME)}")


def attack_day(
    x, kind: str, rng: np.random.Generator, *, min_window_fraction: float | None = None
) -> np.ndarray:
    """Apply attack ``kind`` (code ``h1``..``h6`` or its name) to one day's readings ``x`` [kWh].

    ``min_window_fraction``: h2's shortest window as a fraction of the day (default 4 hours, i.e. 1/6).
    Returns a new array.
    """
    code = attack_code(kind)
    x = np.asarray(x, dtype=float)
    n = len(x)
    if code == "h1":
        return x * rng.uniform(LOW, HIGH)
    if code == "h2":
        frac = MIN_WINDOW_HOURS / 24 if min_window_fraction is None else min_window_fraction
        w = int(rng.integers(max(1, int(np.ceil(n * frac))), n + 1))
        s = int(rng.integers(0, n - w + 1))
        y = x.copy()
        y[s : s + w] = 0.0
        return y
    if code == "h3":
        return x * rng.uniform(LOW, HIGH, n)
    if code == "h4":
        return np.full(n, x.mean()) * rng.uniform(LOW, HIGH, n)
    if code == "h5":
        return np.full(n, x.mean())
    return x[::-1].copy()  # h6


def inject(days, kinds, seed: int = 0) -> np.ndarray:
    """Attack rows of a (n_days, readings_per_day) matrix, each row with its own draws.

    Parameters
    ----------
    days : array-like of shape (n_days, n_readings)
        One row per customer-day [kWh].
    kinds : sequence of str or None, length n_days
        The attack for each row (code or name; None: leave it).
    seed : int
        Random seed.

    Returns
    -------
    ndarray
        The tampered matrix (a copy).
    """
    rng = np.random.default_rng(seed)
    out = np.array(days, dtype=float, copy=True)
    for i, k in enumerate(kinds):
        if k is not None:
            out[i] = attack_day(out[i], k, rng)
    return out
