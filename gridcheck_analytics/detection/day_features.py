"""Features of one customer-day of interval readings against the customer's own earlier days.

What the attacks of :mod:`~gridcheck_analytics.detection.attacks` change, and what a day-level model
needs to see it:

* the day's **level** against the customer's own typical day: the ratio of the day's total to the median
  (and the 75th/90th percentiles) of the previous 28 days, to the median of the previous 8 days of the
  same kind (weekday or weekend) and to the day before (h1 a constant factor, h2 a cut-off window);
* the day's **shape** against the customer's typical profile (the median of each interval over the
  previous 28 days, so robust to a few odd days and following the season): the correlation with the
  profile and with the profile reversed in time (h6), the L1 distance of the normalised shapes, the shift
  of the peak, the change of the night, evening and morning shares and of the energy's centre in time, and
  the spread of the interval-by-interval log ratios to the profile (h1 keeps it narrow, h3 and h4 widen it);
* the day's own **shape statistics** -- peak time, night/day shares, autocorrelation at a lag of one hour
  and of one interval, roughness, zero share, longest zero run (h2), distinct values (h5 is flat) -- and
  each as a robust z-score against the same statistic over the previous 28 days (median and MAD);
* the correlation with the day before (a lag of 24 hours), as given and reversed;
* the times by which the day's energy reaches 10/25/75/90 % against the profile's (the morning ramp, the
  evening tail) and how much closer the reversed day's times come (h6);
* the continuity across midnight: the day's first reading against the day before's last, and its last
  reading against the same (a reversed day joins the day before at its end: h6);
* each interval against the spread of the same interval on earlier days (robust z: median and IQR of the
  previous 28 days): mean absolute z, the extremes, the share above 3, and how much better the day fits
  its history reversed in time (h6); the day's total as a robust z against the earlier totals (h1);
* the shape in eight 3-hour blocks against the profile's blocks (less noisy than single intervals):
  correlation as given and reversed, how much closer the reversed day's shares come, the largest share
  difference.
* the hourly shape against the customer's individual earlier days of the last 16 weeks
  (:func:`_shape_history`, :data:`SHAPE_WINDOW`): the distance to the nearest ones and the highest
  correlations, as given and reversed (a reversed day is far from every real day, its reversal close to
  some); the same-weekday profile; each hour's rank among the same hour on the earlier days; the first
  and last four hours (h6).

Only days before the scored day enter its history (as in production: the day is scored when it arrives),
and the history is what was reported -- attacked days included, which is why it is robust (medians).
Days with fewer than ``min_days`` earlier days get NaN for the history features (LightGBM takes NaN).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

EPS = 1e-6
#: Days of history that :func:`_shape_history` compares a day with (16 weeks: more earlier days to find
#: the nearest among; 28, 56 and 112 days were compared on the SGSC evaluation, docs/detection.md).
SHAPE_WINDOW = 112
#: Own-shape statistics that also get a robust z-score against the customer's previous days.
HISTORY_Z = (
    "cv",
    "max_over_mean",
    "night_share",
    "evening_share",
    "morning_share",
    "time_centre",
    "ac_1h",
    "ac_slot",
    "roughness",
    "zero_run",
    "first_last_ratio",
    "distinct_share",
    "ramp_asymmetry",
    "peak_slot",
)


def _rowcorr(a, b) -> np.ndarray:
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    return (a * b).sum(1) / (np.sqrt((a**2).sum(1) * (b**2).sum(1)) + EPS)


def _longest_zero_run(d) -> np.ndarray:
    z = d <= 1e-4
    best = np.zeros(len(d))
    cur = np.zeros(len(d))
    for t in range(d.shape[1]):
        cur = np.where(z[:, t], cur + 1, 0)
        best = np.maximum(best, cur)
    return best / d.shape[1]


def _ramp_asymmetry(d) -> np.ndarray:
    """Skewness of the interval-to-interval changes: its sign flips when the day is reversed in time
    (slow rises and sharp falls become sharp rises and slow falls)."""
    diff = np.diff(d, axis=1)
    sd = diff.std(1)
    return (diff**3).mean(1) / (sd**3 + EPS)


#: Shares of the day's energy whose times :func:`_energy_times` gives.
ENERGY_QUANTILES = (0.1, 0.25, 0.75, 0.9)


def _energy_times(shares) -> np.ndarray:
    """Per row, the time (fraction of the day) by which the cumulative share reaches each of
    :data:`ENERGY_QUANTILES`; NaN rows stay NaN."""
    cum = np.cumsum(shares, axis=1)
    n = shares.shape[1]
    t = np.stack([(cum < q).sum(1) / n for q in ENERGY_QUANTILES], axis=1)
    return np.where(np.isnan(shares).any(1, keepdims=True), np.nan, t)


def own_day_features(days) -> pd.DataFrame:
    """Statistics of each day alone (no history): level, spread, shares of the day, peak, autocorrelation."""
    days = np.asarray(days, dtype=float)
    n = days.shape[1]
    h = max(1, n // 24)  # readings per hour
    tot = days.sum(1)
    mean = days.mean(1)
    slot = np.arange(n)
    srt = np.sort(np.round(days, 4), axis=1)
    return pd.DataFrame(
        {
            "total_kwh": tot,
            "cv": days.std(1) / (mean + EPS),
            "max_over_mean": days.max(1) / (mean + EPS),
            "min_over_mean": days.min(1) / (mean + EPS),
            "zero_share": (days <= 1e-4).mean(1),
            "zero_run": _longest_zero_run(days),
            "night_share": days[:, : 6 * h].sum(1) / (tot + EPS),
            "morning_share": days[:, 6 * h : 12 * h].sum(1) / (tot + EPS),
            "evening_share": days[:, 17 * h : 22 * h].sum(1) / (tot + EPS),
            "peak_slot": days.argmax(1) / n,
            "time_centre": (days * slot).sum(1) / (tot + EPS) / n,
            "ac_1h": _rowcorr(days[:, h:], days[:, :-h]),
            "ac_slot": _rowcorr(days[:, 1:], days[:, :-1]),
            "roughness": np.abs(np.diff(days, axis=1)).mean(1) / (mean + EPS),
            "distinct_share": ((np.diff(srt, axis=1) > 0).sum(1) + 1) / n,
            "first_last_ratio": (days[:, :h].sum(1) + EPS) / (days[:, -h:].sum(1) + EPS),
            "ramp_asymmetry": _ramp_asymmetry(days),
        }
    )


def _history(D, weekend, window, min_days, X=None) -> dict:
    """Each row of ``X`` (default ``D``) against the rows of ``D`` before it (its history)."""
    X = D if X is None else X
    n = D.shape[1]
    h = max(1, n // 24)
    P = pd.DataFrame(D).rolling(window, min_periods=min_days).median().shift(1).to_numpy()
    tot = pd.Series(D.sum(1))
    tot_x = pd.Series(X.sum(1))
    roll = tot.rolling(window, min_periods=min_days)
    med, q75 = roll.median().shift(1), roll.quantile(0.75).shift(1)
    q90 = tot.rolling(2 * window, min_periods=min_days).quantile(0.9).shift(1)
    same = tot.groupby(pd.Series(weekend)).transform(lambda s: s.rolling(8, min_periods=3).median().shift(1))
    prev = np.vstack([np.full(n, np.nan), D[:-1]])
    c = {
        "total_to_own": (tot_x / (med + EPS)).to_numpy(),
        "total_to_q75": (tot_x / (q75 + EPS)).to_numpy(),
        "total_to_q90": (tot_x / (q90 + EPS)).to_numpy(),
        "total_to_daytype": (tot_x / (same + EPS)).to_numpy(),
        "total_to_prev": (tot_x / (tot.shift(1) + EPS)).to_numpy(),
        "profile_corr": _rowcorr(X, P),
        "profile_rev_corr": _rowcorr(X, P[:, ::-1]),
        "prev_day_corr": _rowcorr(X, prev),  # autocorrelation at 24 hours
        "prev_day_rev_corr": _rowcorr(X[:, ::-1], prev),
    }
    c["rev_minus_corr"] = c["profile_rev_corr"] - c["profile_corr"]
    # continuity across midnight: the day's first half-hour follows the day before's last one, while a
    # reversed day starts with its own last half-hour (24 hours after the day before's last) and ends with
    # the one that follows it; scaled by the day before's mean reading
    scale = prev.mean(1) + 0.02  # NaN for the first day (no day before)
    c["midnight_jump"] = np.abs(X[:, 0] - prev[:, -1]) / scale
    c["midnight_rev_gain"] = c["midnight_jump"] - np.abs(X[:, -1] - prev[:, -1]) / scale
    Pn = P / (P.sum(1, keepdims=True) + EPS)
    Dn = X / (X.sum(1, keepdims=True) + EPS)
    c["shape_l1"] = np.abs(Dn - Pn).sum(1)
    c["shape_rev_l1"] = np.abs(Dn[:, ::-1] - Pn).sum(1)
    # times at which the day's cumulative energy reaches 10/25/75/90 %, against the profile's (the
    # morning ramp and the evening tail move when the day is reversed), and how much closer reversal comes
    tq_d, tq_r, tq_p = _energy_times(Dn), _energy_times(Dn[:, ::-1]), _energy_times(Pn)
    for j, q in enumerate(ENERGY_QUANTILES):
        c[f"energy_t{int(q * 100)}_diff"] = tq_d[:, j] - tq_p[:, j]
    c["energy_times_rev_gain"] = np.abs(tq_d - tq_p).sum(1) - np.abs(tq_r - tq_p).sum(1)
    peak_p = np.where(np.isnan(P).any(1), np.nan, np.nan_to_num(P).argmax(1))
    c["peak_shift"] = np.abs(X.argmax(1) - peak_p) / n
    c["night_share_diff"] = Dn[:, : 6 * h].sum(1) - Pn[:, : 6 * h].sum(1)
    c["evening_share_diff"] = Dn[:, 17 * h : 22 * h].sum(1) - Pn[:, 17 * h : 22 * h].sum(1)
    c["time_centre_diff"] = ((Dn - Pn) * np.arange(n)).sum(1) / n
    r = np.log((X + 0.01) / (P + 0.01))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without history: all-NaN
        c["slot_ratio_median"] = np.nanmedian(r, 1)
        c["slot_ratio_iqr"] = np.nanpercentile(r, 75, 1) - np.nanpercentile(r, 25, 1)
    c["slot_ratio_low_share"] = np.where(np.isnan(P).any(1), np.nan, (r < np.log(0.85)).mean(1))
    # each half-hour against the spread of the same half-hour on earlier days (robust z: median, IQR)
    roll = pd.DataFrame(D).rolling(window, min_periods=min_days)
    iqr = (roll.quantile(0.75) - roll.quantile(0.25)).shift(1).to_numpy() + 0.02
    z = (X - P) / iqr
    z_rev = (X[:, ::-1] - P) / iqr
    c["slot_z_abs"] = np.abs(z).mean(1)
    c["slot_z_max"] = z.max(1)
    c["slot_z_min"] = z.min(1)
    c["slot_z_high_share"] = np.where(np.isnan(P).any(1), np.nan, (z > 3).mean(1))
    c["reversed_fits_better"] = np.abs(z).mean(1) - np.abs(z_rev).mean(1)
    # the same in 3-hour blocks (eight a day): less noise than single half-hours
    b = max(1, n // 8)
    Db = X[:, : 8 * b].reshape(len(X), 8, b).sum(2)
    Pb = P[:, : 8 * b].reshape(len(P), 8, b).sum(2)
    Db_rev = X[:, ::-1][:, : 8 * b].reshape(len(X), 8, b).sum(2)
    Dbn = Db / (Db.sum(1, keepdims=True) + EPS)
    Dbn_rev = Db_rev / (Db_rev.sum(1, keepdims=True) + EPS)
    Pbn = Pb / (Pb.sum(1, keepdims=True) + EPS)
    c["block_corr"] = _rowcorr(Db, Pb)
    c["block_rev_corr"] = _rowcorr(Db_rev, Pb)
    c["block_rev_gain"] = np.abs(Dbn - Pbn).sum(1) - np.abs(Dbn_rev - Pbn).sum(1)
    c["block_max_share_diff"] = np.abs(Dbn - Pbn).max(1)
    tot_iqr = (roll_t := tot.rolling(window, min_periods=min_days)).quantile(0.75) - roll_t.quantile(0.25)
    c["total_z"] = ((tot_x - med) / (tot_iqr.shift(1) + 0.05)).clip(-50, 50).to_numpy()
    return c


def _windows(X, window: int) -> np.ndarray:
    """Shape ``(n, window, ...)``: for row ``i``, rows ``i - window .. i - 1`` of ``X`` (NaN before the first)."""
    Xp = np.concatenate([np.full((window,) + X.shape[1:], np.nan), X])
    return Xp[np.arange(len(X))[:, None] + np.arange(window)[None, :]]


def _hourly_shares(D) -> np.ndarray:
    """Each day's hourly energy as shares of the day (24 columns; a day without energy: zeros)."""
    n = D.shape[1]
    h = max(1, n // 24)
    hourly = D[:, : 24 * h].reshape(len(D), 24, h).sum(2)
    return hourly / (hourly.sum(1, keepdims=True) + EPS)


def _nearest(dist, k: int, min_days: int, largest: bool = False) -> np.ndarray:
    """Per row, the mean of the ``k`` smallest (``largest``: largest) of the non-NaN values; NaN for rows
    with fewer than ``min_days`` values."""
    ok = (~np.isnan(dist)).sum(1) >= min_days
    v = np.sort(-dist if largest else dist, axis=1)[:, :k]  # NaN sort last
    v = -v if largest else v
    return np.where(ok, v.mean(1), np.nan)


def _shape_history(D, weekday, window: int, min_days: int, X=None) -> dict:
    """Features of each day's shape against the customer's individual earlier days (not only their median).

    * nearest earlier days: the L1 distance of the day's hourly shares [fraction of the day's energy] to
      its nearest earlier days (mean of the 1 and of the 3 nearest among the previous ``window``) and the
      highest correlations, for the day as given and reversed in time; a reversed day (h6) is far from
      every real day but its reversal is the real day, close to some of them, even where the median profile
      is flat or the day is unusual;
    * the same-weekday profile (median of the same weekdays among the previous ``window`` days, at least
      two): correlation and L1 distance of the shares, as given and reversed, and the energy's centre in
      time against the profile's;
    * each hour's rank among the same hour's shares on the earlier days: how far from the middle, the
      share outside all of them, and how much closer reversal brings the ranks;
    * the first and last four hours' shares against their medians on the earlier days, and how much
      closer they come when swapped (reversal swaps them).
    """
    S = _hourly_shares(D if X is None else X)  # the scored days (default: the days themselves)
    Sr = S[:, ::-1]
    W = _windows(_hourly_shares(D), window)  # (days, window, 24): the earlier days
    out: dict[str, np.ndarray] = {}
    d = np.abs(S[:, None, :] - W).sum(2)
    d_rev = np.abs(Sr[:, None, :] - W).sum(2)
    for k in (1, 3):
        a, b = _nearest(d, k, min_days), _nearest(d_rev, k, min_days)
        out[f"nn{k}_l1"] = a
        out[f"nn{k}_rev_l1"] = b
        out[f"nn{k}_rev_gain"] = a - b

    def _z(x):
        x = x - np.mean(x, axis=-1, keepdims=True)
        return x / (np.sqrt((x**2).sum(-1, keepdims=True)) + EPS)

    Wz = _z(W)
    cor = np.einsum("ik,ijk->ij", _z(S), Wz)
    cor_rev = np.einsum("ik,ijk->ij", _z(Sr), Wz)
    a, b = _nearest(cor, 3, min_days, largest=True), _nearest(cor_rev, 3, min_days, largest=True)
    out["nn3_corr"] = a
    out["nn3_rev_corr_gain"] = b - a
    # the same weekday among the earlier days
    same = (
        _windows(np.asarray(weekday, dtype=float)[:, None], window)[:, :, 0] == np.asarray(weekday)[:, None]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without same-weekday history: all-NaN
        Pw = np.nanmedian(np.where(same[:, :, None], W, np.nan), axis=1)
        med_first = np.nanmedian(W[:, :, :4].sum(2), axis=1)
        med_last = np.nanmedian(W[:, :, -4:].sum(2), axis=1)
    Pw = np.where((same.sum(1) >= 2)[:, None], Pw, np.nan)
    Pw = Pw / (Pw.sum(1, keepdims=True) + EPS)
    out["weekday_corr"] = _rowcorr(S, Pw)
    out["weekday_rev_corr_gain"] = _rowcorr(Sr, Pw) - out["weekday_corr"]
    out["weekday_l1"] = np.abs(S - Pw).sum(1)
    out["weekday_rev_gain"] = out["weekday_l1"] - np.abs(Sr - Pw).sum(1)
    t = (np.arange(24) + 0.5) / 24
    c_day, c_w = (S * t).sum(1), (Pw * t).sum(1)
    out["weekday_centre_diff"] = c_day - c_w
    out["weekday_centre_rev_gain"] = np.abs(c_day - c_w) - np.abs((Sr * t).sum(1) - c_w)
    # each hour's rank among the same hour on the earlier days (0: below all, 1: above all)
    cnt = (~np.isnan(W)).sum(1)
    ok = (cnt.min(1) >= min_days)[:, None]

    def _rank(X):
        below = (W < X[:, None, :]).sum(1) + 0.5 * (W == X[:, None, :]).sum(1)
        return np.where(ok, below / np.maximum(cnt, 1), np.nan)

    R, R_rev = _rank(S), _rank(Sr)
    out["hour_rank_dev"] = np.abs(R - 0.5).mean(1)
    out["hour_rank_rev_gain"] = out["hour_rank_dev"] - np.abs(R_rev - 0.5).mean(1)
    outside = lambda r: ((r <= 0) | (r >= 1)).mean(1)  # noqa: E731
    out["hour_outside_share"] = np.where(ok[:, 0], outside(R), np.nan)
    out["hour_outside_rev_gain"] = np.where(ok[:, 0], outside(R) - outside(R_rev), np.nan)
    # first and last four hours against the earlier days (reversal swaps them)
    first, last = S[:, :4].sum(1), S[:, -4:].sum(1)
    hist_ok = (~np.isnan(W[:, :, 0])).sum(1) >= min_days
    med_first, med_last = np.where(hist_ok, med_first, np.nan), np.where(hist_ok, med_last, np.nan)
    out["first4h_diff"] = first - med_first
    out["last4h_diff"] = last - med_last
    out["edges_rev_gain"] = (np.abs(first - med_first) + np.abs(last - med_last)) - (
        np.abs(last - med_first) + np.abs(first - med_last)
    )
    return out


def day_features(
    days,
    customer,
    dates,
    *,
    window: int = 28,
    min_days: int = 7,
    shape_window: int = SHAPE_WINDOW,
    scored=None,
) -> pd.DataFrame:
    """One row per customer-day (input order): own statistics, then each against the customer's earlier days.

    Parameters
    ----------
    days : array of shape (n_days, readings_per_day)
        Reported readings [kWh] (e.g. 48 half-hours).
    customer : array of n_days
        Customer of each row.
    dates : array of n_days
        Date of each row; a customer's history is its rows with earlier dates.
    window, min_days :
        Days of history (the last ``window`` before the day); fewer than ``min_days``: NaN.
    shape_window :
        Days of history of :func:`_shape_history` (nearest earlier days, same weekdays, hour ranks).
    scored : array of the shape of ``days``, optional
        The days to describe, row by row, instead of ``days`` themselves, each against the history of
        ``days`` (the same earlier rows): e.g. ``days[:, ::-1]``, each day reversed in time against the
        customer's reported history (:func:`paired_day_features`).
    """
    days = np.asarray(days, dtype=float)
    scored = days if scored is None else np.asarray(scored, dtype=float)
    if scored.shape != days.shape:
        raise ValueError(f"scored days have shape {scored.shape}, the history {days.shape}")
    customer = np.asarray(customer)
    dates = pd.to_datetime(pd.Series(np.asarray(dates))).reset_index(drop=True)
    own = own_day_features(days)
    own_x = own if scored is days else own_day_features(scored)
    out = own_x.copy()
    weekday = dates.dt.day_of_week.to_numpy()
    weekend = weekday >= 5
    cols: dict[str, np.ndarray] = {}
    for cust in pd.unique(customer):
        rows = np.flatnonzero(customer == cust)
        rows = rows[np.argsort(dates.iloc[rows].to_numpy(), kind="stable")]
        c = _history(days[rows], weekend[rows], window, min_days, X=scored[rows])
        c |= _shape_history(days[rows], weekday[rows], shape_window, min_days, X=scored[rows])
        for col in HISTORY_Z:
            s = pd.Series(own[col].to_numpy()[rows])
            m = s.rolling(window, min_periods=min_days).median().shift(1)
            mad = (s - m).abs().rolling(window, min_periods=min_days).median().shift(1)
            c[f"{col}_z"] = ((own_x[col].to_numpy()[rows] - m) / (mad + 1e-3)).clip(-50, 50).to_numpy()
        for k, v in c.items():
            cols.setdefault(k, np.full(len(days), np.nan))[rows] = v
    for k, v in cols.items():
        out[k] = v
    return out


#: Columns of :func:`day_features` that reversing a day in time leaves unchanged (its energy, level, spread,
#: zeros, distinct values, roughness and autocorrelations): no paired difference for them.
REVERSAL_INVARIANT = (
    "total_kwh",
    "cv",
    "max_over_mean",
    "min_over_mean",
    "zero_share",
    "zero_run",
    "ac_1h",
    "ac_slot",
    "roughness",
    "distinct_share",
    "total_to_own",
    "total_to_q75",
    "total_to_q90",
    "total_to_daytype",
    "total_to_prev",
    "total_z",
    "cv_z",
    "max_over_mean_z",
    "ac_1h_z",
    "ac_slot_z",
    "roughness_z",
    "zero_run_z",
    "distinct_share_z",
)


def paired_day_features(days, customer, dates, *, with_reversed: bool = False, **kw):
    """:func:`day_features` and, for each column that reversal changes, the difference between the day as
    given and the same day reversed in time against the same history (``pair_`` columns).

    A counterfactual comparison for h6: an attacked reversed day, reversed again, is the real day and fits
    the customer's earlier days, a real day reversed does not; so the sign of each difference tells which
    of the two orders is the customer's.  Uses only the day and the customer's earlier days.
    ``with_reversed``: also return the same columns for each day reversed (against the same history), so
    that a model can score both orders: ``(features, features_of_the_reversed_days)``.
    """
    days = np.asarray(days, dtype=float)
    given = day_features(days, customer, dates, **kw)
    rev = day_features(days, customer, dates, scored=days[:, ::-1].copy(), **kw)
    cols = [c for c in given.columns if c not in REVERSAL_INVARIANT]
    pair = given[cols] - rev[cols]
    out = pd.concat([given, pair.add_prefix("pair_")], axis=1)
    if with_reversed:
        return out, pd.concat([rev, (-pair).add_prefix("pair_")], axis=1)
    return out
