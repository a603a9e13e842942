"""Day features against the customer's own earlier days: no look-ahead, and the attacks move them."""

import numpy as np
import pandas as pd
import pytest

from gridcheck_analytics.detection.day_features import REVERSAL_INVARIANT, day_features, paired_day_features


def _curves(n_cust=2, n_days=40, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    base = 0.2 + 0.8 * np.exp(-((t - 38) ** 2) / 20)  # an evening peak
    rows, cust, dates = [], [], []
    for c in range(n_cust):
        for d in range(n_days):
            rows.append(base * rng.uniform(0.9, 1.1) + rng.normal(0, 0.02, 48).clip(-0.1, 0.1))
            cust.append(100 + c)
            dates.append(pd.Timestamp("2013-01-01") + pd.Timedelta(days=d))
    return np.array(rows).clip(0), np.array(cust), np.array(dates)


def test_a_day_sees_only_earlier_days():
    days, cust, dates = _curves()
    f = day_features(days, cust, dates)
    later = days.copy()
    later[30:40] *= 5  # change customer 100's last ten days
    g = day_features(later, cust, dates)
    pd.testing.assert_frame_equal(f.iloc[:30], g.iloc[:30])  # earlier days unchanged
    pd.testing.assert_frame_equal(f.iloc[40:], g.iloc[40:])  # the other customer unchanged
    new = ["nn3_rev_gain", "nn3_rev_corr_gain", "weekday_rev_gain", "hour_rank_rev_gain", "edges_rev_gain"]
    assert f.iloc[30:40][new].notna().all().all()  # the shape-history features are among those compared
    assert f.iloc[:7]["total_to_own"].isna().all()  # fewer than 7 earlier days: no history
    assert f.iloc[7:40]["total_to_own"].notna().all() and f.iloc[40:47]["total_to_own"].isna().all()


def test_input_order_does_not_matter():
    days, cust, dates = _curves()
    perm = np.random.default_rng(1).permutation(len(days))
    f = day_features(days, cust, dates)
    g = day_features(days[perm], cust[perm], dates[perm])
    pd.testing.assert_frame_equal(f.iloc[perm].reset_index(drop=True), g)


@pytest.mark.parametrize(
    "change, column, direction",
    [
        (lambda x: x * 0.4, "total_to_own", -1),  # h1
        (lambda x: x[::-1], "rev_minus_corr", +1),  # h6
        (lambda x: x[::-1], "energy_times_rev_gain", +1),  # h6: the evening's energy comes in the morning
        (lambda x: x[::-1], "energy_t25_diff", -1),  # h6: a quarter of the day's energy used far earlier
        (lambda x: x[::-1], "nn3_rev_gain", +1),  # h6: reversed, it comes close to its nearest earlier days
        (lambda x: x[::-1], "weekday_rev_gain", +1),  # h6: reversed, it fits the same weekdays' profile
        (lambda x: x[::-1], "hour_rank_rev_gain", +1),  # h6: its hours rank extreme among the earlier days'
        (lambda x: x[::-1], "edges_rev_gain", +1),  # h6: the first and last four hours swapped
        (lambda x: np.full(48, x.mean()), "distinct_share", -1),  # h5
        (lambda x: np.where(np.arange(48) < 20, 0.0, x), "zero_run", +1),  # h2
    ],
)
def test_attacked_day_stands_out(change, column, direction):
    days, cust, dates = _curves(n_cust=1)
    normal = day_features(days, cust, dates).iloc[20:][column]
    days[30] = change(days[30])
    value = day_features(days, cust, dates).iloc[30][column]
    if direction > 0:
        assert value > normal.drop(30).max()
    else:
        assert value < normal.drop(30).min()


def test_reversed_day_breaks_continuity_across_midnight():
    """A day's first half-hour follows the day before's last; a reversed day's last half-hour does."""
    rng = np.random.default_rng(3)
    series = 3 + np.cumsum(rng.normal(0, 0.05, 40 * 48))  # one continuous curve cut into days
    days = series.reshape(40, 48).clip(0)
    cust = np.full(40, 7)
    dates = pd.date_range("2013-01-01", periods=40).to_numpy()
    normal = day_features(days, cust, dates)["midnight_rev_gain"]
    days[30] = days[30][::-1]
    reversed_ = day_features(days, cust, dates)["midnight_rev_gain"]
    assert np.isnan(normal.iloc[0])  # no day before
    assert (normal.iloc[1:] < 0).mean() > 0.65  # mostly negative: the day starts where the last one ended
    assert normal.iloc[30] < 0 < reversed_.iloc[30]


def test_reversed_unusual_day_is_told_by_its_nearest_earlier_days():
    """An unusual but recurring day (a sharp late-morning rise, slow decay) is far from the median profile
    (the evening peak) either way round; among the individual earlier days, only its reversal is new."""
    rng = np.random.default_rng(5)
    t = np.arange(48)
    evening = 0.2 + 0.8 * np.exp(-((t - 38) ** 2) / 20)
    outing = 0.2 + np.where(t >= 20, 1.5 * np.exp(-(t - 20) / 6.0), 0.0)  # asymmetric in time
    kinds = ["outing" if d % 6 == 3 else "evening" for d in range(40)]
    days = np.array([(outing if k == "outing" else evening) * rng.uniform(0.9, 1.1) for k in kinds])
    days = (days + rng.normal(0, 0.02, days.shape)).clip(0)
    cust = np.full(40, 1)
    dates = pd.date_range("2013-01-01", periods=40).to_numpy()
    f = day_features(days, cust, dates)
    assert kinds[33] == "outing"
    assert f["nn3_rev_gain"].iloc[33] < 0  # as given it is close to the earlier outings
    assert f["profile_corr"].iloc[33] < 0.5  # though far from the median profile
    days[33] = days[33][::-1]
    g = day_features(days, cust, dates)
    assert g["nn3_rev_gain"].iloc[33] > 0.3  # reversed back it is an earlier outing again
    pd.testing.assert_frame_equal(f.iloc[:33], g.iloc[:33])  # no earlier day sees it


def test_scored_days_are_described_against_the_same_history():
    days, cust, dates = _curves()
    f = day_features(days, cust, dates)
    pd.testing.assert_frame_equal(day_features(days, cust, dates, scored=days.copy()), f)
    # each day reversed against the reported history: row i is what day_features gives day i reversed
    g = day_features(days, cust, dates, scored=days[:, ::-1].copy())
    for i in (10, 25, 39, 52):
        one = days.copy()
        one[i] = one[i, ::-1]
        pd.testing.assert_series_equal(g.iloc[i], day_features(one, cust, dates).iloc[i])
    assert (g["rev_minus_corr"].iloc[10:40] > f["rev_minus_corr"].iloc[10:40]).all()  # reversed: fits worse
    with pytest.raises(ValueError):
        day_features(days, cust, dates, scored=days[:5])


def test_paired_features_see_only_earlier_days_and_flip_sign_when_the_day_is_reversed():
    days, cust, dates = _curves()
    f = paired_day_features(days, cust, dates)
    pair = [c for c in f.columns if c.startswith("pair_")]
    assert len(pair) == len(day_features(days, cust, dates).columns) - len(REVERSAL_INVARIANT)
    later = days.copy()
    later[30:40] *= 5  # customer 100's last ten days
    pd.testing.assert_frame_equal(f.iloc[:30], paired_day_features(later, cust, dates).iloc[:30])
    one = days.copy()
    one[20] = one[20, ::-1]  # day 20 reversed (h6): the same pair, the other way round
    g = paired_day_features(one, cust, dates)
    np.testing.assert_allclose(g.iloc[20][pair], -f.iloc[20][pair], atol=1e-9)
    assert g.iloc[20]["pair_nn3_l1"] > 0 > f.iloc[20]["pair_nn3_l1"]  # the real order is nearer earlier days
