"""The compiled loops of :mod:`gridcheck_analytics.kernels` equal the NumPy forms they replaced, bit for
bit (the NumPy forms are kept here as the definitions)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from gridcheck_analytics import kernels, vee_series
from gridcheck_analytics.thresholds import VEE


def rolling_sum(values, before, after):
    """The NumPy form: per cell, the sum of the columns ``before`` before to ``after`` after."""
    m, n = values.shape
    width = before + n + 1 + max(after, 0)
    p = np.empty((m, width), dtype=np.float64)
    p[:, : before + 1] = 0.0
    np.cumsum(values, axis=1, out=p[:, before + 1 : before + 1 + n])
    p[:, before + 1 + n :] = p[:, before + n : before + n + 1]
    return p[:, after + before + 1 : after + before + 1 + n] - p[:, :n]


def frame_mean(values, before, after):
    present = ~np.isnan(values)
    count = rolling_sum(present.astype(np.float64), before, after)
    total = rolling_sum(np.where(present, values, 0.0), before, after)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan), count


def history(energy, history_days, zero_kwh):
    present = ~np.isnan(energy)
    hist_n = rolling_sum(present.astype(np.float64), history_days, -1)
    hist_sum = rolling_sum(np.where(present, energy, 0.0), history_days, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        hist_mean = np.where(hist_n > 0, hist_sum / hist_n, np.nan)
        is_zero = present & (energy <= zero_kwh)
    return np.rint(hist_n).astype(np.int32), hist_mean, is_zero


def matrix(seed, meters=300, days=62, missing=0.15):
    """Daily energy with gaps, whole gappy rows, zeros, negative zeros and values of very different size
    (where the order of additions shows in the last bits)."""
    rng = np.random.default_rng(seed)
    e = rng.gamma(2.0, 3.0, (meters, days)) * rng.choice([1e-3, 1.0, 1e4], (meters, 1))
    e[rng.random(e.shape) < 0.1] = 0.0
    e[rng.random(e.shape) < 0.02] = -0.0
    e[rng.random(e.shape) < missing] = np.nan
    e[0] = np.nan
    e[1, :40] = np.nan
    e[2, 0] = -0.0
    return e


def register_energy_numpy(register, reported, multiplier, capacity, rules):
    """The NumPy form of :func:`kernels.register_energy` (whole-matrix steps; see vee_series' docstring)."""
    lag = lambda a: np.concatenate([np.full((a.shape[0], 1), np.nan), a[:, :-1]], axis=1)  # noqa: E731
    cap = np.where(np.isnan(capacity), 0.0, capacity)[:, None]
    prev = lag(register)
    with np.errstate(invalid="ignore"):
        wrap = (prev >= rules.rollover_high_fraction * capacity[:, None]) & (
            register <= rules.rollover_low_fraction * capacity[:, None]
        )
    unwrapped = register + np.cumsum(wrap, axis=1) * cap
    present = ~np.isnan(unwrapped)
    n = register.shape[1]
    prev_val = np.fmax.accumulate(unwrapped, axis=1)  # highest register so far (NaN before the first)
    next_val = np.fmin.accumulate(unwrapped[:, ::-1], axis=1)[:, ::-1]  # lowest from this day on
    prev_day = vee_series._last_index(present, -1)
    next_day = vee_series._next_index(present, -1)
    cols = np.arange(n, dtype=np.float64)
    span = (next_day - prev_day).astype(np.float64)
    ok = (prev_day >= 0) & (next_day >= 0) & (span > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        interpolated = np.where(
            ok, prev_val + (next_val - prev_val) * (cols - prev_day) / np.where(ok, span, 1.0), np.nan
        )
        backwards = unwrapped < lag(prev_val) - rules.backwards_tolerance_kwh
    filled = np.where(present, unwrapped, interpolated)
    from_registers = (filled - lag(filled)) * multiplier[:, None]
    w = rules.estimate_window_days
    near = frame_mean(reported, w, w)[0]
    estimated = np.where(np.isnan(filled), near, np.nan)
    energy = np.where(
        np.isnan(from_registers), np.where(np.isnan(reported), estimated, reported), from_registers
    )
    return filled, backwards, energy


def registers(seed, meters=400, days=60):
    """Registers [kWh] with gaps (single days, runs, whole rows, the first and last days), rollovers of a
    small register, NaN capacities, steps backwards, and a reported consumption on some days."""
    rng = np.random.default_rng(seed)
    capacity = rng.choice([1e4, 1e5, 1e8, np.nan], meters)
    daily = rng.gamma(2.0, 3.0, (meters, days)) * rng.choice([1e-3, 1.0, 50.0], (meters, 1))
    start = rng.uniform(0, 1e4, (meters, 1))
    register = start + np.cumsum(daily, axis=1)
    known = ~np.isnan(capacity)
    register[known] = np.mod(register[known], capacity[known][:, None])  # wraps where it passes the top
    back = rng.random(register.shape) < 0.01
    register[back] -= rng.uniform(0.0, 20.0, back.sum())
    register[rng.random(register.shape) < 0.12] = np.nan
    register[0] = np.nan
    register[1, :25] = np.nan
    register[2, -10:] = np.nan
    register[3, 10:30] = np.nan
    register[4] = 9_000.0 + np.arange(days) * 60.0  # a 10,000 kWh register near its top, then wrapping
    register[4] = np.mod(register[4], 1e4)
    capacity[4] = 1e4
    reported = np.where(rng.random(register.shape) < 0.3, daily, np.nan)
    reported[5] = np.nan
    multiplier = rng.choice([1.0, 30.0, 0.5, np.nan], meters, p=[0.6, 0.2, 0.15, 0.05])
    multiplier[4] = 1.0
    return register, reported, multiplier, capacity


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("with_reported", [True, False])
def test_the_register_energy_equals_the_numpy_form(seed, with_reported):
    register, reported, multiplier, capacity = registers(seed)
    if not with_reported:
        reported = np.full(register.shape, np.nan)
    want = register_energy_numpy(register, reported, multiplier, capacity, VEE)
    got = kernels.register_energy(
        register,
        reported if with_reported else np.zeros((0, 0)),
        multiplier,
        capacity,
        VEE.rollover_high_fraction,
        VEE.rollover_low_fraction,
        VEE.backwards_tolerance_kwh,
        VEE.estimate_window_days,
    )
    for name, g, w in zip(("filled", "backwards", "energy"), got, want, strict=True):
        np.testing.assert_array_equal(g, w, err_msg=name)
        assert g.dtype == w.dtype, name
        if g.dtype == np.float64:
            assert np.signbit(g).tolist() == np.signbit(w).tolist(), name
    filled, backwards, energy = got
    # the cases are there: interpolated, estimated and read days, rollovers and steps backwards
    assert backwards.any() and np.isnan(filled[0]).all()
    assert (np.isnan(register) & ~np.isnan(filled)).any()
    assert (energy[4, 1:] > 0).all()  # across the wrap of the small register
    assert with_reported == bool((np.isnan(filled) & ~np.isnan(energy)).any())


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("window", [1, 3, 10])
def test_the_filled_consumption_equals_the_numpy_form(seed, window):
    e = matrix(seed)
    got = kernels.filled_consumption(e, window)
    want = np.where(np.isnan(e), frame_mean(e, window, window)[0], e)
    np.testing.assert_array_equal(got, want)
    assert np.signbit(got).tolist() == np.signbit(want).tolist()
    assert np.isnan(got[0]).all() and not np.isnan(got[1, 40:]).any()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("history_days", "zero_kwh"), [(30, 0.0), (7, 0.5), (1, 1e-9)])
def test_the_history_equals_the_numpy_form(seed, history_days, zero_kwh):
    e = matrix(seed)
    for got, want in zip(
        kernels.history(e, history_days, zero_kwh), history(e, history_days, zero_kwh), strict=True
    ):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    hist_n, hist_mean, _ = kernels.history(e, history_days, zero_kwh)
    assert (hist_n[:, 0] == 0).all() and np.isnan(hist_mean[:, 0]).all()
    assert hist_n.max() == history_days


def codes_numpy(out, max_kwh, archive_multiplier, loaded, rules):
    """The NumPy form of the quality codes (``np.select`` over the CASE's conditions, per meter-day)."""
    energy, is_read = out["energy_kwh"], out["is_read"]
    none = np.zeros(len(energy), dtype=bool)
    reported = out["reported_multiplier"]
    hist_mean, judged = out["hist_mean"], out["hist_n"] >= rules.min_history_days
    with np.errstate(invalid="ignore"):
        enough = judged & (hist_mean >= float(rules.min_history_kwh))
        conditions = [
            ~is_read & np.isnan(energy),
            ~is_read,
            none if out["backwards"] is None else out["backwards"],
            none if reported is None else np.abs(reported - archive_multiplier) > 1e-9,
            energy > max_kwh,
            out["is_zero"] & loaded & out["stopped_history"],
            out["is_zero"] & (out["zero_run_days"] >= rules.long_zero_run_days),
            enough & (energy > float(rules.sudden_rise_factor) * hist_mean),
            enough & (energy < float(rules.sudden_drop_factor) * hist_mean),
        ]
    return np.select(conditions, np.arange(len(conditions), dtype=np.int8), len(conditions)).astype(np.int8)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("inputs", ["both", "no registers", "no reported multiplier"])
def test_the_quality_codes_equal_the_numpy_form(seed, inputs):
    from gridcheck_analytics.quality import _codes
    from gridcheck_analytics.thresholds import VEE

    rng = np.random.default_rng(seed)
    meters, days, areas = 400, 31, 5
    shape = (meters, days + 4)  # the kernel's matrices: the days read, the month's 31 of them from column 3
    energy = matrix(seed, meters, days + 4, missing=0.05)
    hist_mean = np.where(rng.random(shape) < 0.1, np.nan, rng.gamma(2.0, 3.0, shape))
    out = {
        "energy_kwh": energy.ravel(),
        "is_read": (rng.random(shape) > 0.08).ravel(),
        "backwards": None if inputs == "no registers" else (rng.random(shape) < 0.03).ravel(),
        "reported_multiplier": None
        if inputs == "no reported multiplier"
        else np.where(rng.random(shape) < 0.3, np.nan, rng.choice([1.0, 30.0, 30.0 + 1e-12], shape)).ravel(),
        "is_zero": (rng.random(shape) < 0.2).ravel(),
        "zero_run_days": rng.integers(0, 12, shape).astype(np.int32).ravel(),
        "stopped_history": (rng.random(shape) < 0.5).ravel(),
        "hist_n": rng.integers(0, 31, shape).astype(np.int32).ravel(),
        "hist_mean": hist_mean.ravel(),
    }
    max_kwh = np.where(rng.random(meters) < 0.1, np.nan, rng.choice([5.0, 50.0, 5e5], meters))
    multiplier = np.where(rng.random(meters) < 0.1, np.nan, rng.choice([1.0, 30.0], meters))
    area = rng.integers(0, areas + 1, meters)
    loaded = rng.random((areas + 1, days)) < 0.7
    cols = slice(3, 3 + days)
    series = {name: None if values is None else values.reshape(shape) for name, values in out.items()}
    got = _codes(series, cols, max_kwh, multiplier, area, loaded, VEE)
    month = {
        name: None if m is None else np.ascontiguousarray(m[:, cols]).ravel() for name, m in series.items()
    }
    want = codes_numpy(
        month,
        np.repeat(max_kwh, days),
        np.repeat(multiplier, days),
        loaded[np.repeat(area, days), np.tile(np.arange(days), meters)],
        VEE,
    )
    np.testing.assert_array_equal(got.ravel(), want)
    assert len(np.unique(want)) >= 8  # most conditions are met somewhere


def test_float_array_equals_arrows_conversion():
    from gridcheck_analytics.quality import float_array

    e = matrix(3).ravel()
    for values in (e, np.nan_to_num(e), e[:13], np.full(9, np.nan), np.zeros(0)):
        got, want = float_array(values), pa.array(values, pa.float64(), from_pandas=True)
        assert got.equals(want) and got.null_count == want.null_count
        assert got.to_pylist() == want.to_pylist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_month_stats_equal_the_numpy_form(seed):
    e = matrix(seed, days=31)
    weekend = np.arange(31) % 7 >= 5
    days, total, mean, std, peak, zeros, negatives, week, end = kernels.month_stats(e, weekend, 0.01)
    present = ~np.isnan(e)
    x = np.where(present, e, 0.0)
    np.testing.assert_array_equal(days, present.sum(axis=1))
    rows = days > 0
    assert not rows[0] and not rows[1] and rows[2:].all()  # rows 0 and 1: no day of the month
    with np.errstate(invalid="ignore", divide="ignore"):
        want_mean = x.sum(axis=1) / days
        want = {
            "total": x.sum(axis=1),
            "mean": want_mean,
            "std": np.sqrt(np.where(present, (e - want_mean[:, None]) ** 2, 0.0).sum(axis=1) / days),
            "peak": np.where(present, e, -np.inf).max(axis=1),
            "week": x[:, ~weekend].sum(axis=1) / present[:, ~weekend].sum(axis=1),
            "end": x[:, weekend].sum(axis=1) / present[:, weekend].sum(axis=1),
        }
    got = {"total": total, "mean": mean, "std": std, "peak": peak, "week": week, "end": end}
    for name, values in want.items():
        np.testing.assert_allclose(got[name][rows], values[rows], rtol=1e-12, atol=0, err_msg=name)
    np.testing.assert_array_equal(zeros[rows], (present & (np.abs(e) <= 0.01)).sum(axis=1)[rows])
    np.testing.assert_array_equal(negatives[rows], (present & (e < -0.01)).sum(axis=1)[rows])
    assert np.isnan(mean[0]) and np.isnan(week[0]) and np.isnan(end[0])


@pytest.mark.parametrize("seed", [0, 1])
def test_the_cell_counts_equal_numpys_bincount(seed):
    rng = np.random.default_rng(seed)
    e = matrix(seed, days=31)
    groups, n_codes = 7, 10
    group = rng.integers(0, groups, len(e))
    code = rng.integers(0, n_codes, e.shape).astype(np.int8)
    readings, total, with_energy = kernels.cell_counts(group, groups, code, e, n_codes)
    key = ((group.reshape(-1, 1) * 31 + np.arange(31)) * n_codes + code).ravel()
    size = groups * 31 * n_codes
    present = ~np.isnan(e.ravel())
    np.testing.assert_array_equal(readings, np.bincount(key, minlength=size))
    np.testing.assert_array_equal(
        total, np.bincount(key, weights=np.where(present, e.ravel(), 0.0), minlength=size)
    )
    np.testing.assert_array_equal(with_energy, np.bincount(key[present], minlength=size))
    assert readings.sum() == e.size and with_energy.sum() == present.sum()


def group_medians_numpy(codes, values):
    """The NumPy form of the per-group medians (NaN skipped): the rows gathered group by group into a
    matrix padded with NaN (one per power of two of the group sizes), sorted along its rows; the middle
    value, or the half sum of the two middle values; NaN for a group without values."""
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    out = np.full((n_groups, values.shape[1]), np.nan)
    if not len(codes):
        return out
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=n_groups)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    sorted_codes = codes[order]
    position = np.arange(len(codes), dtype=np.int64) - starts[sorted_codes]
    size_class = np.zeros(n_groups, dtype=np.int64)
    present = counts > 0
    size_class[present] = np.ceil(np.log2(counts[present])).astype(np.int64)
    for c in np.unique(size_class[present]):
        groups = np.flatnonzero(present & (size_class == c))
        width = int(counts[groups].max())
        row_of_group = np.full(n_groups, -1, dtype=np.int64)
        row_of_group[groups] = np.arange(len(groups))
        rows = row_of_group[sorted_codes]
        take = rows >= 0
        rows, cols = rows[take], position[take]
        m = np.full((values.shape[1], len(groups), width), np.nan)
        m[:, rows, cols] = values[order[take]].T
        m.sort(axis=-1)
        n = width - np.isnan(m).sum(axis=-1)
        lo = np.take_along_axis(m, (np.maximum(n - 1, 0) // 2)[..., None], axis=-1)[..., 0]
        hi = np.take_along_axis(m, (np.maximum(n, 1) // 2 - (n == 0))[..., None], axis=-1)[..., 0]
        out[groups] = np.where(n == 0, np.nan, np.where(n % 2 == 1, lo, (lo + hi) / 2)).T
    return out


def grouped_values(seed, rows=20_000, features=5):
    """Group codes with empty groups, groups of 1 and 2 and a few large ones (thousands of rows), and
    values with NaN (whole groups of a feature too), many ties, zeros, infinities and very different
    sizes."""
    rng = np.random.default_rng(seed)
    sizes = np.concatenate([[1] * 50, [2] * 50, [0] * 20, rng.integers(3, 60, 200), [1, 2, 3, 4, 5000, 6001]])
    rng.shuffle(sizes)
    codes = np.repeat(np.arange(len(sizes)), sizes)[:rows]
    rng.shuffle(codes)
    n = len(codes)
    x = rng.normal(size=(n, features)) * rng.choice([1e-3, 1.0, 1e6], features)
    x[:, 0] = rng.integers(0, 4, n)  # ties
    x[:, 1] = np.round(x[:, 1], 1)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.002] = np.inf
    x[rng.random(x.shape) < 0.002] = -np.inf
    x[codes == codes[0], 2] = np.nan  # a group without values of a feature
    x[np.isin(codes, codes[:5]), 3] = 7.0  # groups of one value repeated
    return codes.astype(np.int64), x


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layout", ["C", "F", "slice"])
def test_the_group_medians_and_mads_equal_the_numpy_form(seed, layout):
    codes, x = grouped_values(seed)
    x = {"C": x, "F": np.asfortranarray(x), "slice": np.asfortranarray(x)[:, 1:4]}[layout]
    n_groups = int(codes.max()) + 1
    order, starts = kernels.group_order(codes, n_groups)
    np.testing.assert_array_equal(order, np.argsort(codes, kind="stable"))
    np.testing.assert_array_equal(np.diff(starts), np.bincount(codes, minlength=n_groups))
    med, mad = kernels.group_median_mad(x, order, starts, True)
    want = group_medians_numpy(codes, x)
    with np.errstate(invalid="ignore"):
        want_mad = group_medians_numpy(codes, np.abs(x - want[codes]))
    assert np.array_equal(med, want, equal_nan=True)
    assert np.array_equal(mad, want_mad, equal_nan=True)
    assert kernels.group_median_mad(x, order, starts, False)[1].shape == (0, x.shape[1])
    sizes = np.bincount(codes)
    assert {0, 1, 2}.issubset(sizes) and sizes.max() > 5000
    assert np.isnan(med[sizes == 0]).all() and not np.isnan(med[sizes > 0]).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_the_selection_gives_the_median_of_a_sort(seed):
    """Many short and long arrays: sorted, reversed, all equal, two values, organ pipes."""
    rng = np.random.default_rng(seed)
    for n in [*range(1, 70), 101, 1000, 4097]:
        base = rng.normal(size=n)
        for a in (
            base,
            np.sort(base),
            np.sort(base)[::-1],
            np.zeros(n),
            rng.integers(0, 2, n) * 1.0,
            np.concatenate([np.arange(n // 2), np.arange(n - n // 2)[::-1]]) * 1.0,
        ):
            a = np.ascontiguousarray(a, dtype=np.float64)
            s = np.sort(a)
            want = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
            assert kernels._median(a.copy(), n) == want
    assert np.isnan(kernels._median(np.zeros(0), 0))


def test_the_column_medians_equal_numpys_nanmedian():
    import warnings

    from gridcheck_analytics.detection.estimators import _column_median_mad

    _, x = grouped_values(3, features=6)
    x[:, 5] = np.nan
    for rows in (x, np.asfortranarray(x), x[:599], x[:600], x[:1001], x[:0]):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanmedian(rows, axis=0)
            want_mad = np.nanmedian(np.abs(rows - want), axis=0)
        got, got_mad = _column_median_mad(rows)
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(got_mad, want_mad, equal_nan=True)


def directional_z_numpy(values, center, scale, codes, directions, z_cap):
    z = (values - center[codes]) / scale[codes]
    z = np.where(directions < 0, -z, np.where(directions > 0, z, np.abs(z)))
    return np.clip(np.nan_to_num(z, nan=0.0), 0.0, z_cap)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_directional_z_and_the_top_values_equal_the_numpy_form(seed):
    codes, x = grouped_values(seed, features=6)
    x[:50] = 0.0
    x[50:100] = -0.0
    rng = np.random.default_rng(seed)
    n_groups = int(codes.max()) + 1
    center = rng.normal(size=(n_groups, 6))
    center[: n_groups // 3] = rng.choice([0.0, -0.0, np.nan], (n_groups // 3, 6))
    scale = rng.choice([1e-300, 1e-9, 0.5, 3.0], (n_groups, 6))
    directions = np.array([-1.0, 1.0, 0.0, -1.0, 1.0, 0.0])
    z = np.empty(x.shape)
    with np.errstate(all="ignore"):
        kernels.directional_z(x, center, scale, codes, directions, 10.0, z)
        want = directional_z_numpy(x, center, scale, codes, directions, 10.0)
    assert z.tobytes() == want.tobytes()  # bit for bit, the sign of zeros too
    assert (z == 10.0).any() and (z == 0.0).any() and np.signbit(z).any()
    for k in (1, 2, 3, 6):
        top = kernels.row_top(z, k)
        want_top = np.sort(np.partition(z, -k, axis=1)[:, -k:], axis=1)
        assert np.array_equal(top, want_top)
        assert top.mean(axis=1).tobytes() == want_top.mean(axis=1).tobytes()


def test_group_medians_keeps_its_shapes():
    from gridcheck_analytics.detection.estimators import group_medians

    codes, x = grouped_values(4, rows=3000)
    assert np.array_equal(
        group_medians(codes, x[:, 1]), group_medians_numpy(codes, x[:, 1:2])[:, 0], equal_nan=True
    )
    assert np.array_equal(group_medians(codes, x), group_medians_numpy(codes, x), equal_nan=True)
    assert group_medians(np.zeros(0, dtype=np.int64), np.zeros((0, 3))).shape == (0, 3)
    assert group_medians(np.array([2, 2]), np.array([1.0, 4.0])).tolist()[2] == 2.5


@pytest.mark.parametrize("seed", range(3))
def test_the_positions_in_sorted_ids_equal_a_search_of_the_list(seed):
    """``positions_in_sorted``: each string's place among ids in byte order (-1 if absent), for strings
    in order (a row group's dictionary: searched forward from the one before) or not, sliced arrays,
    empty and non-ASCII strings; ``strictly_ascending`` tells the ids it may search."""
    from gridcheck_analytics.quality import _string_buffers

    rng = np.random.default_rng(seed)
    letters = ["a", "b", "é", "c", "d"]

    def words(n):
        return ["".join(rng.choice(letters, rng.integers(0, 5))) for _ in range(n)]

    for _ in range(200):
        ids = sorted(set(words(int(rng.integers(0, 40)))), key=str.encode)
        probe = words(int(rng.integers(0, 50)))
        if rng.random() < 0.5:
            probe.sort(key=str.encode)
        strings = pa.array(["x", *probe], pa.string()).slice(1)
        got = kernels.positions_in_sorted(
            *_string_buffers(pa.array(ids, pa.string())), *_string_buffers(strings)
        )
        assert got.tolist() == [ids.index(s) if s in ids else -1 for s in probe]
        assert kernels.strictly_ascending(*_string_buffers(pa.array(ids, pa.string())))
    assert not kernels.strictly_ascending(*_string_buffers(pa.array(["b", "a"])))
    assert not kernels.strictly_ascending(*_string_buffers(pa.array(["a", "a"])))
