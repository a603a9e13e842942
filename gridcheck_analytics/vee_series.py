"""The time-series half of VEE: each meter's days in order, as arrays (NumPy), for a block of meters.

:func:`gridcheck_analytics.quality.validate_daily` sends every block of meters here, on DuckDB and on
Spark alike, and judges the quality code from what comes back with Ibis.  Everything that needs a
meter's days *in order* is here: energy from registers (rollover unwrapped, missing registers
interpolated), estimates of missing consumption, registers going backwards, the customer's own history
mean and the zero runs.  A block is a dense ``meters x days`` matrix, so a "previous day" is the previous
column: no sort of the readings at all, which is what makes VEE of a province's year affordable on one
machine (SQL window functions sort every meter-day once per window pass).

Definitions (energy [kWh], days as columns ``0 .. n_days - 1`` from the first day read):

* rollover: a register at or above 90 % of its capacity ``10**digits`` [kWh] followed the next day by one
  at or below 10 % wraps; every later reading gets ``capacity`` added (``unwrapped``);
* a missing register is interpolated linearly between the highest register read so far and the lowest
  register read from that day on (``filled``); energy = (filled(D) - filled(D-1)) x multiplier;
* a register more than ``backwards_tolerance_kwh`` below the highest register before it goes backwards;
* consumption-only data: a missing day is the mean of the readings ``estimate_window_days`` either side;
* history mean = mean energy of the ``history_days`` days before the day; ``hist_n`` days counted;
* a zero run is a run of days with energy <= ``zero_kwh``; its group is the non-zero day before it plus
  the run; ``zero_run_days`` is the run's length on its days and on the non-zero day before it;
  ``stopped_history`` is true when some day of the group has a history mean >= ``min_history_kwh``.
"""

from __future__ import annotations

import numpy as np

from gridcheck_analytics import kernels
from gridcheck_analytics.thresholds import VEE, VeeRules

#: Columns :func:`block_series` returns, besides the keys (meter index, day).
SERIES_COLUMNS = (
    "register_total_kwh",
    "reported_multiplier",
    "filled",
    "backwards",
    "energy_kwh",
    "is_read",
    "is_zero",
    "hist_n",
    "hist_mean",
    "zero_run_days",
    "stopped_history",
)


_MEMORY_TUNED = False


def tune_memory() -> None:
    """Make the blocks' large arrays cheap to allocate again and again (once per process).

    A block's arrays are tens of MB each.  NumPy asks Linux for transparent huge pages for arrays that
    large (``madvise``), and where the kernel compacts memory to find them on the first touch (THP
    ``defrag = madvise``, as on this project's virtual machines) every new block stalls in the kernel:
    measured, it doubled the time of VEE.  So NumPy's huge-page advice is switched off (a hint only;
    results are the same).
    """
    global _MEMORY_TUNED
    if _MEMORY_TUNED:
        return
    _MEMORY_TUNED = True
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - other NumPy versions
        return
    _set_madvise_hugepage(False)


def _lead(a: np.ndarray, fill) -> np.ndarray:
    out = np.empty_like(a)
    out[:, -1] = fill
    out[:, :-1] = a[:, 1:]
    return out


def _last_index(mask: np.ndarray, missing: int) -> np.ndarray:
    """Per cell: the last column <= this one where ``mask`` holds (``missing`` if none)."""
    idx = np.where(mask, np.arange(mask.shape[1], dtype=np.int64), np.int64(-1))
    idx = np.maximum.accumulate(idx, axis=1)
    return np.where(idx < 0, missing, idx)


def _next_index(mask: np.ndarray, missing: int, *, strictly_after: bool = False) -> np.ndarray:
    """Per cell: the first column >= this one (``>`` with ``strictly_after``) where ``mask`` holds."""
    n = mask.shape[1]
    big = np.int64(n + 1)
    idx = np.where(mask, np.arange(n, dtype=np.int64), big)
    idx = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    if strictly_after:
        idx = _lead(idx, big)
    return np.where(idx >= big, missing, idx)


def _register_energy(register, reported, multiplier, capacity, rules: VeeRules):
    """(filled register, backwards, energy) from registers (``reported``: the reported consumption, or
    ``None``); see the module docstring.  One compiled pass per meter (:func:`kernels.register_energy`)."""
    return kernels.register_energy(
        np.ascontiguousarray(register, dtype=np.float64),
        np.zeros((0, 0)) if reported is None else np.ascontiguousarray(reported, dtype=np.float64),
        np.ascontiguousarray(multiplier, dtype=np.float64),
        np.ascontiguousarray(capacity, dtype=np.float64),
        float(rules.rollover_high_fraction),
        float(rules.rollover_low_fraction),
        float(rules.backwards_tolerance_kwh),
        int(rules.estimate_window_days),
    )


def _history(energy: np.ndarray, rules: VeeRules):
    """(hist_n, hist_mean, is_zero): the customer's own history before each day, and the zero days."""
    return kernels.history(
        np.ascontiguousarray(energy, dtype=np.float64), int(rules.history_days), float(rules.zero_kwh)
    )


def _zero_runs(is_zero: np.ndarray, hist_mean: np.ndarray, rules: VeeRules):
    """(zero_run_days, stopped_history) of the rows given (meters with at least one zero day)."""
    n = is_zero.shape[1]
    zero_next = _lead(is_zero, False)
    in_run = is_zero | zero_next
    nonzero = ~is_zero
    prev_nonzero = _last_index(nonzero, -1)
    next_nonzero = _next_index(nonzero, n, strictly_after=True)
    zero_run_days = np.where(in_run, next_nonzero - prev_nonzero - 1, 0)
    with np.errstate(invalid="ignore"):
        high = hist_mean >= rules.min_history_kwh
    high_prefix = np.zeros((is_zero.shape[0], n + 1), dtype=np.int64)
    np.cumsum(high, axis=1, out=high_prefix[:, 1:])
    rows = np.arange(is_zero.shape[0])[:, None]
    group_high = high_prefix[rows, next_nonzero] - high_prefix[rows, np.maximum(prev_nonzero, 0)]
    return zero_run_days, in_run & (group_high > 0)


def _history_and_zero_runs(energy: np.ndarray, rules: VeeRules):
    """(hist_n, hist_mean, is_zero, zero_run_days, stopped_history); see the module docstring.

    The zero-run arrays are computed only for the meters that have a zero day (few, usually).
    """
    hist_n, hist_mean, is_zero = _history(energy, rules)
    zero_run_days = np.zeros(energy.shape, dtype=np.int32)
    stopped_history = np.zeros(energy.shape, dtype=bool)
    rows = np.flatnonzero(is_zero.any(axis=1))
    if len(rows):
        zero_run_days[rows], stopped_history[rows] = _zero_runs(is_zero[rows], hist_mean[rows], rules)
    return hist_n, hist_mean, is_zero, zero_run_days, stopped_history


def block_series(
    meter_index: np.ndarray,
    day: np.ndarray,
    register: np.ndarray,
    reported: np.ndarray,
    reported_multiplier: np.ndarray,
    *,
    n_meters: int,
    n_days: int,
    multiplier: np.ndarray,
    capacity_kwh: np.ndarray,
    registers: bool = True,
    rules: VeeRules = VEE,
    out_first: int = 0,
    out_last: int | None = None,
) -> dict[str, np.ndarray]:
    """VEE time series of a block of meters over consecutive days.

    Parameters
    ----------
    meter_index : numpy.ndarray of int
        Per reading: the meter's row in the block, ``0 .. n_meters - 1``.
    day : numpy.ndarray of int
        Per reading: the day's column, ``0 .. n_days - 1`` (readings outside are ignored).
    register, reported, reported_multiplier : numpy.ndarray of float or None
        Per reading: register total [kWh], reported consumption [kWh], multiplier the source reported;
        NaN where absent, ``None`` where absent throughout.
    n_meters, n_days : int
        Size of the block.
    multiplier : numpy.ndarray of float
        Per meter (``n_meters``): the archive's multiplier (CT ratio x PT ratio) [1].
    capacity_kwh : numpy.ndarray of float
        Per meter: register capacity ``10**register_digits`` [kWh] (NaN when unknown).
    registers : bool
        False for consumption only (no register steps).
    rules : VeeRules
        Thresholds.
    out_first, out_last : int
        Columns returned, inclusive (default: all).

    Returns
    -------
    dict of numpy.ndarray
        Flat arrays in (meter, day) order over the returned columns: ``meter_index``, ``day`` and
        :data:`SERIES_COLUMNS` (floats NaN where null; ``hist_n`` and ``zero_run_days`` int32);
        ``None`` for a column that is null throughout (no registers, no reported multiplier, no
        register steps: ``filled`` and ``backwards``).
    """
    tune_memory()
    keep = (day >= 0) & (day < n_days) & (meter_index >= 0) & (meter_index < n_meters)
    cell = meter_index[keep].astype(np.int64) * n_days + day[keep].astype(np.int64)

    def grid(values):
        """The readings as a meters x days matrix (NaN where none); ``None`` when all are NaN."""
        if values is None:
            return None
        values = values[keep]
        if not len(values) or np.isnan(values).all():
            return None
        g = np.full(n_meters * n_days, np.nan)
        g[cell] = values
        return g.reshape(n_meters, n_days)

    return grid_series(
        grid(register),
        grid(reported),
        grid(reported_multiplier),
        n_meters=n_meters,
        n_days=n_days,
        multiplier=multiplier,
        capacity_kwh=capacity_kwh,
        registers=registers,
        rules=rules,
        out_first=out_first,
        out_last=out_last,
    )


def grid_series(
    reg: np.ndarray | None,
    rep: np.ndarray | None,
    rep_mult: np.ndarray | None,
    *,
    n_meters: int,
    n_days: int,
    multiplier: np.ndarray,
    capacity_kwh: np.ndarray,
    registers: bool = True,
    rules: VeeRules = VEE,
    out_first: int = 0,
    out_last: int | None = None,
    flat: bool = True,
) -> dict[str, np.ndarray]:
    """:func:`block_series` of readings already laid out as ``n_meters x n_days`` matrices (register,
    reported consumption, reported multiplier; NaN where absent, ``None`` where the block has none).
    ``flat=False``: the :data:`SERIES_COLUMNS` as those ``n_meters x n_days`` matrices, every day (no
    keys; ``out_first`` and ``out_last`` unused), for a caller that takes the days it returns as columns
    of them (no copy of each column's returned days)."""
    tune_memory()
    out_last = n_days - 1 if out_last is None else out_last
    if registers and reg is not None:
        filled, backwards, energy = _register_energy(reg, rep, multiplier, capacity_kwh, rules)
    else:
        filled, backwards = None, None
        energy = np.full((n_meters, n_days), np.nan) if rep is None else rep
        if rep is not None and np.isnan(rep).any():
            energy = kernels.filled_consumption(rep, int(rules.estimate_window_days))
    hist_n, hist_mean, is_zero, zero_run_days, stopped = _history_and_zero_runs(energy, rules)
    if reg is None and rep is None:
        is_read = np.zeros(energy.shape, dtype=bool)
    elif reg is None or rep is None:
        is_read = ~np.isnan(rep if reg is None else reg)
    else:
        is_read = ~(np.isnan(reg) & np.isnan(rep))
    series = (reg, rep_mult, filled, backwards, energy, is_read, is_zero, hist_n, hist_mean, zero_run_days)
    series += (stopped,)
    if not flat:
        return dict(zip(SERIES_COLUMNS, series, strict=True))
    cols = slice(out_first, out_last + 1)
    width = out_last - out_first + 1
    out = {
        "meter_index": np.repeat(np.arange(n_meters, dtype=np.int32), width),
        "day": np.tile(np.arange(out_first, out_last + 1, dtype=np.int32), n_meters),
    }
    for name, values in zip(SERIES_COLUMNS, series, strict=True):
        out[name] = None if values is None else np.ascontiguousarray(values[:, cols]).ravel()
    return out
