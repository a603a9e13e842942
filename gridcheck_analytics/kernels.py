"""Compiled loops (Numba) for the VEE kernel's hottest steps: one pass over each meter's days.

The NumPy form of these steps makes several whole-matrix passes and temporaries per step (a mask, a
``where``, a cumulative sum into a padded copy, a difference, a division); for a month of 1,000,000
meters that was most of the kernel's CPU.  Here each meter's row is read once and its results written
once, with the **same floating-point operations in the same order** as the NumPy form they replace, so
the results are bitwise equal (``tests/analytics/test_kernels.py`` compares them with the NumPy forms):

* a window sum is a running sum along the row (NumPy's ``cumsum``: sequential, the first value as is)
  and the difference of two of its entries;
* a mean is that sum divided by the count of present days, NaN where none.

The peer-group scorer's steps (:func:`group_median_mad` and what follows it, for
:func:`gridcheck_analytics.detection.estimators.peer_group_scores`) select each group's median exactly
instead of sorting padded matrices: the same numbers (``group_medians_numpy`` in the tests).

The functions release the GIL (``nogil``): the kernel's parts run them in threads, one per core.  They
are compiled on first use and cached next to this file (``cache=True``): a new process loads them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _running_sums(row, count, total):  # pragma: no cover - compiled
    """``count[k]``, ``total[k]``: present values and their sum among ``row[:k]`` (NumPy's cumsum order:
    entry 1 is the first value itself, each later one the previous plus the next value, 0 for NaN)."""
    n = row.shape[0]
    count[0] = 0.0
    total[0] = 0.0
    for j in range(n):
        v = row[j]
        present = not np.isnan(v)
        c = 1.0 if present else 0.0
        x = v if present else 0.0
        if j == 0:
            count[1] = c
            total[1] = x
        else:
            count[j + 1] = count[j] + c
            total[j + 1] = total[j] + x


@njit(cache=True, nogil=True, inline="always")
def _window_mean(count, total, j, window):  # pragma: no cover - compiled
    """The mean of the present values ``window`` either side of day ``j`` (``j`` included) from the
    row's :func:`_running_sums` (NaN where none): the tests' NumPy ``frame_mean``."""
    n = count.shape[0] - 1
    hi = min(j + window + 1, n)
    lo = max(j - window, 0)
    c = count[hi] - count[lo]
    return (total[hi] - total[lo]) / c if c > 0 else np.nan


@njit(cache=True, nogil=True)
def filled_consumption(reported, window):  # pragma: no cover - compiled
    """Consumption-only days: each reported value as is, a missing day the mean of the reported days
    ``window`` either side (NaN where none): ``where(isnan(rep), frame_mean(rep, w, w), rep)`` with the
    tests' NumPy ``frame_mean``."""
    m, n = reported.shape
    out = np.empty((m, n))
    count = np.empty(n + 1)
    total = np.empty(n + 1)
    for i in range(m):
        row = reported[i]
        _running_sums(row, count, total)
        for j in range(n):
            v = row[j]
            out[i, j] = v if not np.isnan(v) else _window_mean(count, total, j, window)
    return out


@njit(cache=True, nogil=True)
def register_energy(
    register, reported, multiplier, capacity, high_fraction, low_fraction, backwards_kwh, window
):  # pragma: no cover - compiled
    """``(filled, backwards, energy)`` of a meters x days matrix of registers [kWh] (NaN where not read):
    the register steps of :mod:`gridcheck_analytics.vee_series` (rollover, interpolation, backwards, the
    estimates of the days with no register) in one pass per meter (three along its row: the registers
    unwrapped, then from the right the next register read, then the rest).
    ``reported`` is the reported consumption [kWh] as such a matrix, or ``0 x 0`` where there is none;
    ``multiplier`` and ``capacity`` [kWh] (NaN when unknown) per meter.  Bitwise the NumPy form's
    (``register_energy_numpy`` in the tests): the same operations in the same order."""
    m, n = register.shape
    has_reported = reported.shape[0] > 0
    filled = np.empty((m, n))
    backwards = np.empty((m, n), dtype=np.bool_)
    energy = np.empty((m, n))
    unwrapped = np.empty(n)
    next_value = np.empty(n)
    next_day = np.empty(n, dtype=np.int64)
    count = np.empty(n + 1)
    total = np.empty(n + 1)
    for i in range(m):
        c = capacity[i]
        cap = 0.0 if np.isnan(c) else c
        high = high_fraction * c
        low = low_fraction * c
        wraps = 0
        for j in range(n):  # a rollover: a register near the top followed by one near zero
            r = register[i, j]
            if j > 0 and register[i, j - 1] >= high and r <= low:
                wraps += 1
            unwrapped[j] = r + wraps * cap
        lowest = np.nan
        day = -1
        for j in range(n - 1, -1, -1):  # the lowest register from this day on, and the next day read
            u = unwrapped[j]
            if not np.isnan(u):
                lowest = u if np.isnan(lowest) else min(lowest, u)
                day = j
            next_value[j] = lowest
            next_day[j] = day
        if has_reported:
            _running_sums(reported[i], count, total)
        highest = np.nan  # the highest register so far
        previous_highest = np.nan
        previous_filled = np.nan
        day = -1
        k = multiplier[i]
        for j in range(n):
            u = unwrapped[j]
            present = not np.isnan(u)
            if present:
                highest = u if np.isnan(highest) else max(highest, u)
                day = j
                f = u
            else:
                after = next_day[j]
                span = float(after - day)
                if day >= 0 and after >= 0 and span > 0:
                    f = highest + (next_value[j] - highest) * (float(j) - float(day)) / span
                else:
                    f = np.nan
            backwards[i, j] = u < previous_highest - backwards_kwh
            previous_highest = highest
            filled[i, j] = f
            e = (f - previous_filled) * k
            previous_filled = f
            if np.isnan(e):
                e = np.nan
                if has_reported:
                    e = reported[i, j]
                    if np.isnan(e) and np.isnan(f):
                        e = _window_mean(count, total, j, window)
            energy[i, j] = e
    return filled, backwards, energy


@njit(cache=True, nogil=True)
def history(energy, history_days, zero_kwh):  # pragma: no cover - compiled
    """(hist_n int32, hist_mean, is_zero) of a meters x days matrix of energy [kWh]: the present days
    among the ``history_days`` before each day and their mean (NaN where none), and the present days at
    or below ``zero_kwh``.  Bitwise the NumPy form's (``history`` in the tests)."""
    m, n = energy.shape
    hist_n = np.empty((m, n), dtype=np.int32)
    hist_mean = np.empty((m, n))
    is_zero = np.empty((m, n), dtype=np.bool_)
    count = np.empty(n + 1)
    total = np.empty(n + 1)
    for i in range(m):
        row = energy[i]
        _running_sums(row, count, total)
        for j in range(n):
            lo = max(j - history_days, 0)
            c = count[j] - count[lo]
            hist_n[i, j] = np.int32(np.rint(c))
            hist_mean[i, j] = (total[j] - total[lo]) / c if c > 0 else np.nan
            v = row[j]
            is_zero[i, j] = (not np.isnan(v)) and v <= zero_kwh
    return hist_n, hist_mean, is_zero


@njit(cache=True, nogil=True)
def quality_codes(
    energy,
    is_read,
    backwards,
    reported_multiplier,
    is_zero,
    zero_run_days,
    stopped_history,
    hist_n,
    hist_mean,
    max_kwh,
    archive_multiplier,
    loaded,
    area,
    min_history_days,
    min_history_kwh,
    long_zero_run_days,
    sudden_rise_factor,
    sudden_drop_factor,
):  # pragma: no cover - compiled
    """Each meter-day's quality code as its index in ``quality.CODE_ORDER`` (int8), from the kernel's
    output as meters x days matrices: the first condition of ``quality.validate_daily``'s CASE that
    holds, in its order (NaN is SQL's null: a comparison with it is false).  ``backwards`` and ``reported_multiplier`` are
    ``0 x 0`` where the kernel has none; ``max_kwh``, ``archive_multiplier`` and ``area`` are per meter
    (its row of ``loaded``, the area's days with supply)."""
    m, n = energy.shape
    codes = np.empty((m, n), dtype=np.int8)
    has_backwards = backwards.shape[0] > 0
    has_reported = reported_multiplier.shape[0] > 0
    for i in range(m):
        limit = max_kwh[i]
        multiplier = archive_multiplier[i]
        a = area[i]
        for j in range(n):
            e = energy[i, j]
            mean = hist_mean[i, j]
            enough = hist_n[i, j] >= min_history_days and mean >= min_history_kwh
            if not is_read[i, j]:
                code = 0 if np.isnan(e) else 1
            elif has_backwards and backwards[i, j]:
                code = 2
            elif has_reported and abs(reported_multiplier[i, j] - multiplier) > 1e-9:
                code = 3
            elif e > limit:
                code = 4
            elif is_zero[i, j] and loaded[a, j] and stopped_history[i, j]:
                code = 5
            elif is_zero[i, j] and zero_run_days[i, j] >= long_zero_run_days:
                code = 6
            elif enough and e > sudden_rise_factor * mean:
                code = 7
            elif enough and e < sudden_drop_factor * mean:
                code = 8
            else:
                code = 9
            codes[i, j] = code
    return codes


@njit(cache=True, nogil=True)
def month_stats(energy, weekend, zero_kwh):  # pragma: no cover - compiled
    """Per meter of a meters x days matrix of one month's energy [kWh] (NaN where absent): present days,
    their sum, mean, population standard deviation, maximum, days within ``zero_kwh`` of zero, days below
    ``-zero_kwh``, and the mean of the weekdays and of the ``weekend`` days present (NaN where none).
    Sums run along the days in order (the NumPy form's pairwise sums differ in the last bits)."""
    m, n = energy.shape
    days = np.zeros(m, dtype=np.int64)
    total = np.zeros(m)
    mean = np.full(m, np.nan)
    std = np.full(m, np.nan)
    peak = np.full(m, -np.inf)
    zero_days = np.zeros(m)
    negative_days = np.zeros(m)
    weekday_mean = np.full(m, np.nan)
    weekend_mean = np.full(m, np.nan)
    for i in range(m):
        k = 0
        s = 0.0
        s_week = 0.0
        s_end = 0.0
        n_week = 0
        n_end = 0
        top = -np.inf
        zeros = 0
        negatives = 0
        for j in range(n):
            e = energy[i, j]
            if np.isnan(e):
                continue
            k += 1
            s += e
            if weekend[j]:
                s_end += e
                n_end += 1
            else:
                s_week += e
                n_week += 1
            if e > top:
                top = e
            if abs(e) <= zero_kwh:
                zeros += 1
            if e < -zero_kwh:
                negatives += 1
        days[i] = k
        if k == 0:
            continue
        total[i] = s
        mu = s / k
        mean[i] = mu
        squares = 0.0
        for j in range(n):
            e = energy[i, j]
            if not np.isnan(e):
                squares += (e - mu) * (e - mu)
        std[i] = np.sqrt(squares / k)
        peak[i] = top
        zero_days[i] = zeros
        negative_days[i] = negatives
        if n_week:
            weekday_mean[i] = s_week / n_week
        if n_end:
            weekend_mean[i] = s_end / n_end
    return days, total, mean, std, peak, zero_days, negative_days, weekday_mean, weekend_mean


@njit(cache=True, nogil=True)
def loss_correlation(energy, loss, area_of_meter):  # pragma: no cover - compiled
    """Per meter of a meters x days matrix of one month's energy [kWh] (NaN where absent): the days that
    have both its energy and its area's loss (``loss[area_of_meter[i]]``, areas x days [kWh], NaN where
    none) and the population correlation of the two over those days; NaN where there is no such day or
    either series is constant (DuckDB's ``corr``: a standard deviation of zero), as is one day alone.
    Two passes along each meter's row (the sums, then the deviations from their means), the area's
    loss read in place: no matrix of the meters' losses, no masks
    (``features.meter_months.loss_correlation_of_grid``)."""
    m, n = energy.shape
    pairs = np.zeros(m, dtype=np.int64)
    corr = np.full(m, np.nan)
    for i in range(m):
        a = area_of_meter[i]
        k = 0
        sx = 0.0
        sy = 0.0
        x_low = np.inf
        x_high = -np.inf
        y_low = np.inf
        y_high = -np.inf
        for j in range(n):
            x = energy[i, j]
            y = loss[a, j]
            if np.isnan(x) or np.isnan(y):
                continue
            k += 1
            sx += x
            sy += y
            x_low = min(x_low, x)
            x_high = max(x_high, x)
            y_low = min(y_low, y)
            y_high = max(y_high, y)
        pairs[i] = k
        if k < 2 or x_low == x_high or y_low == y_high:
            continue
        mx = sx / k
        my = sy / k
        sxx = 0.0
        syy = 0.0
        sxy = 0.0
        for j in range(n):
            x = energy[i, j]
            y = loss[a, j]
            if np.isnan(x) or np.isnan(y):
                continue
            dx = x - mx
            dy = y - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        scale = np.sqrt(sxx / k) * np.sqrt(syy / k)
        if scale != 0.0:
            corr[i] = (sxy / k) / scale
    return pairs, corr


@njit(cache=True, nogil=True)
def cell_counts(group, n_groups, code, energy, n_codes):  # pragma: no cover - compiled
    """Per cell (group x day x code, flat index ``(group * days + day) * n_codes + code``) of a part's
    meter-days (``group`` per meter, ``0 .. n_groups - 1``; ``code`` and ``energy`` meters x days):
    the meter-days, their energy total (NaN counted as 0) and the meter-days with energy.  The same
    numbers as NumPy's ``bincount`` over the flat keys (additions in the meter-days' order)."""
    m, n = energy.shape
    size = n_groups * n * n_codes
    readings = np.zeros(size, dtype=np.int64)
    total = np.zeros(size)
    with_energy = np.zeros(size, dtype=np.int64)
    for i in range(m):
        base = group[i] * n
        for j in range(n):
            key = (base + j) * n_codes + code[i, j]
            readings[key] += 1
            e = energy[i, j]
            if np.isnan(e):
                total[key] += 0.0
            else:
                total[key] += e
                with_energy[key] += 1
    return readings, total, with_energy


# --- the peer-group scorer's medians (gridcheck_analytics.detection.estimators.peer_group_scores) -------


@njit(cache=True, nogil=True)
def group_order(codes, n_groups):  # pragma: no cover - compiled
    """The rows grouped by ``codes`` (``0 .. n_groups - 1``), a counting sort: ``(order, starts)``, the
    rows of group ``g`` are ``order[starts[g]:starts[g + 1]]``, in the rows' order."""
    n = codes.shape[0]
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(n):
        starts[codes[i] + 1] += 1
    for g in range(n_groups):
        starts[g + 1] += starts[g]
    fill = starts[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        c = codes[i]
        order[fill[c]] = i
        fill[c] += 1
    return order, starts


@njit(cache=True, nogil=True)
def _select(a, n, k):  # pragma: no cover - compiled
    """Rearranges ``a[:n]`` (no NaN) so that ``a[k]`` is its k-th smallest value (from 0), every value
    before it no larger and every one after no smaller.  Quickselect with a median-of-three pivot and
    branch-free partitions (Lomuto's, the swap done whatever the comparison): the values below the
    pivot first, then, where ``k`` is not among them, those equal to it (ties cost one pass, not one
    pass each); short ranges by insertion."""
    lo = 0
    hi = n  # the range [lo, hi) holds the k-th
    while hi - lo > 6:
        x = a[lo]
        y = a[(lo + hi) >> 1]
        z = a[hi - 1]
        if x > y:
            x, y = y, x
        if y > z:
            y = z
        if x > y:
            y = x
        pivot = y  # one of the range's values: each round leaves at least it out
        p = lo
        for i in range(lo, hi):  # [lo, p) < pivot <= [p, i)
            v = a[i]
            a[i] = a[p]
            a[p] = v
            p += v < pivot
        if k < p:
            hi = p
            continue
        q = p
        for i in range(p, hi):  # [p, q) == pivot < [q, i)
            v = a[i]
            a[i] = a[q]
            a[q] = v
            q += not (pivot < v)
        if k < q:
            return
        lo = q
    for p in range(lo + 1, hi):
        v = a[p]
        q = p - 1
        while q >= lo and a[q] > v:
            a[q + 1] = a[q]
            q -= 1
        a[q + 1] = v


@njit(cache=True, nogil=True)
def _median(a, n):  # pragma: no cover - compiled
    """The median of ``a[:n]`` (no NaN; reordered): the middle value, or the half sum of the two middle
    values ``(lo + hi) / 2``; NaN where ``n`` is 0."""
    if n == 0:
        return np.nan
    k = n // 2
    _select(a, n, k)
    hi = a[k]
    if n % 2 == 1:
        return hi
    lo = a[0]
    for q in range(1, k):  # a[:k] <= a[k]: the largest of them is the other middle value
        if a[q] > lo:
            lo = a[q]
    return (lo + hi) / 2


@njit(cache=True, nogil=True)
def _group_cell(values, order, starts, g, j, buf, med, mad, with_mad):  # pragma: no cover - compiled
    """``med[g, j]`` and ``mad[g, j]`` of :func:`group_median_mad`."""
    m = 0
    for p in range(starts[g], starts[g + 1]):
        v = values[order[p], j]
        if not np.isnan(v):
            buf[m] = v
            m += 1
    c = _median(buf, m)
    med[g, j] = c
    if with_mad:
        m_dev = 0
        for q in range(m):
            v = abs(buf[q] - c)
            if not np.isnan(v):  # NaN where an infinity meets itself as the median, or no median
                buf[m_dev] = v
                m_dev += 1
        mad[g, j] = _median(buf, m_dev)


@njit(cache=True, nogil=True)
def group_median_mad(values, order, starts, with_mad):  # pragma: no cover - compiled
    """Per group (rows ``order[starts[g]:starts[g + 1]]``, :func:`group_order`) and column of ``values``:
    the median of the non-NaN values (NaN where none) and, when ``with_mad``, the median of their
    absolute deviations from it, ``abs(value - median)``, those that are not NaN (an infinite value
    and median); ``(median, mad)``, ``mad`` 0 x k without.  The selection is exact: the numbers of a
    sort (``group_medians_numpy`` in the tests).  A group's rows are read column by column where the
    columns are contiguous (a Fortran-ordered matrix, as pandas gives), else group by group."""
    n_groups = starts.shape[0] - 1
    k = values.shape[1]
    med = np.empty((n_groups, k))
    mad = np.empty((n_groups if with_mad else 0, k))
    largest = 0
    for g in range(n_groups):
        largest = max(largest, starts[g + 1] - starts[g])
    buf = np.empty(largest)
    if values.strides[0] < values.strides[1]:
        for j in range(k):
            for g in range(n_groups):
                _group_cell(values, order, starts, g, j, buf, med, mad, with_mad)
    else:
        for g in range(n_groups):
            for j in range(k):
                _group_cell(values, order, starts, g, j, buf, med, mad, with_mad)
    return med, mad


@njit(cache=True, nogil=True)
def directional_z(values, center, scale, codes, directions, z_cap, out):  # pragma: no cover - compiled
    """``out[i, j]``: the directional z of ``values[i, j]`` against its group's ``center`` and ``scale``
    (row ``codes[i]``): ``z = (value - centre) / scale``, ``-z`` where the direction is negative, ``z``
    where positive, ``abs(z)`` otherwise; NaN as 0, then clipped to ``[0, z_cap]``, as NumPy's
    ``clip(nan_to_num(z, nan=0.0), 0.0, z_cap)`` (a zero keeps its sign).  Written as selections, not
    branches (three times faster)."""
    n, k = values.shape
    for i in range(n):
        g = codes[i]
        for j in range(k):
            z = (values[i, j] - center[g, j]) / scale[g, j]
            d = directions[j]
            z = -z if d < 0 else (z if d > 0 else abs(z))
            z = 0.0 if np.isnan(z) else z
            z = 0.0 if z < 0.0 else z
            out[i, j] = z_cap if z > z_cap else z


@njit(cache=True, nogil=True)
def row_top(z, top_k):  # pragma: no cover - compiled
    """The ``top_k`` largest values of each row of ``z`` (no NaN), in ascending order: NumPy's
    ``sort(partition(z, -top_k, axis=1)[:, -top_k:], axis=1)`` (the largest taken ``top_k`` times)."""
    n, k = z.shape
    top = np.empty((n, top_k))
    row = np.empty(k)
    for i in range(n):
        for j in range(k):
            row[j] = z[i, j]
        m = k
        for r in range(top_k):
            best = 0
            value = row[0]
            for j in range(1, m):
                v = row[j]
                larger = v > value
                best = j if larger else best
                value = v if larger else value
            top[i, top_k - 1 - r] = value
            m -= 1
            row[best] = row[m]
    return top


@njit(cache=True, nogil=True, inline="always")
def _compare_bytes(a, a_lo, a_hi, b, b_lo, b_hi):  # pragma: no cover - compiled
    """-1, 0 or 1: the bytes ``a[a_lo:a_hi]`` before, equal to or after ``b[b_lo:b_hi]``."""
    n = min(a_hi - a_lo, b_hi - b_lo)
    for i in range(n):
        x = a[a_lo + i]
        y = b[b_lo + i]
        if x != y:
            return -1 if x < y else 1
    if a_hi - a_lo == b_hi - b_lo:
        return 0
    return -1 if a_hi - a_lo < b_hi - b_lo else 1


@njit(cache=True, nogil=True)
def strictly_ascending(offsets, data):  # pragma: no cover - compiled
    """Whether the strings of an Arrow string array (``offsets``, ``data``) ascend in byte order, no two
    equal."""
    for i in range(offsets.shape[0] - 2):
        if _compare_bytes(data, offsets[i], offsets[i + 1], data, offsets[i + 1], offsets[i + 2]) >= 0:
            return False
    return True


@njit(cache=True, nogil=True)
def positions_in_sorted(key_offsets, key_data, offsets, data):  # pragma: no cover - compiled
    """The position of each string of (``offsets``, ``data``) among the keys (``key_offsets``,
    ``key_data``: strictly ascending in byte order), -1 for one not among them.  A string after the one
    before it is searched from there, in steps that double (a row group's dictionary of a file sorted by
    meter is ascending: about one comparison a string); any other by a binary search of all the keys."""
    n_keys = key_offsets.shape[0] - 1
    out = np.empty(offsets.shape[0] - 1, np.int64)
    start = 0  # the insertion point of the string before
    for i in range(out.shape[0]):
        s_lo, s_hi = offsets[i], offsets[i + 1]
        lo, hi = 0, n_keys
        if (
            start < n_keys
            and _compare_bytes(key_data, key_offsets[start], key_offsets[start + 1], data, s_lo, s_hi) < 0
        ):
            # after the key at start: gallop forward
            lo, step = start + 1, 1
            hi = lo
            while (
                hi < n_keys
                and _compare_bytes(key_data, key_offsets[hi], key_offsets[hi + 1], data, s_lo, s_hi) < 0
            ):
                lo = hi + 1
                hi = min(n_keys, hi + step)
                step *= 2
        elif start < n_keys and start > 0:
            # at or before the key at start: search the keys up to it
            hi = start
        while lo < hi:
            mid = (lo + hi) // 2
            if _compare_bytes(key_data, key_offsets[mid], key_offsets[mid + 1], data, s_lo, s_hi) < 0:
                lo = mid + 1
            else:
                hi = mid
        start = lo
        found = (
            lo < n_keys
            and _compare_bytes(key_data, key_offsets[lo], key_offsets[lo + 1], data, s_lo, s_hi) == 0
        )
        out[i] = lo if found else -1
    return out


@njit(cache=True, nogil=True)
def scatter_readings(grid, key_of_entry, entry, day, first_day, values):  # pragma: no cover - compiled
    """Each reading into its cell of ``grid`` (meters x days): row ``key_of_entry[entry[i]]`` (the meter
    key of the reading's dictionary entry; negative: not a keyed meter, skipped), column ``day[i] -
    first_day`` (days outside ``grid`` skipped); ``values`` with NaN for none.  In the readings' order:
    of two readings of one cell the later counts."""
    n_days = grid.shape[1]
    for i in range(entry.shape[0]):
        key = key_of_entry[entry[i]]
        d = day[i] - first_day
        if key >= 0 and 0 <= d < n_days:
            grid[key, d] = values[i]
