"""The robust variance of a unit's total cost (issue 13, costs)."""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.stats.variance import residual_squares, robust_total_variance


def test_collapsed_and_record_level_agree_with_numpy():
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 1500.0, 400)
    mu = np.where(np.arange(400) % 2 == 0, 2800.0, 3400.0)
    codes = np.arange(400) % 3
    # counts per unit are 134, 133, 133: the factor n/(n-1) per unit
    n = np.bincount(codes)
    by_hand = np.array([((y - mu)[codes == j] ** 2).sum() * n[j] / (n[j] - 1) for j in range(3)])
    got = robust_total_variance(y, mu, codes, 3, model=np.zeros(3))
    np.testing.assert_allclose(got, by_hand, rtol=1e-12)
    # collapsed: one pattern per (unit, mu), with sums and sums of squares
    key = codes * 2 + (np.arange(400) % 2)
    total = np.bincount(key, weights=y)
    total_sq = np.bincount(key, weights=y * y)
    count = np.bincount(key).astype(float)
    mu_cell = np.array([2800.0, 3400.0] * 3)
    got_c = robust_total_variance(
        total, mu_cell, np.repeat(np.arange(3), 2), 3, model=np.zeros(3), sq=total_sq, counts=count
    )
    np.testing.assert_allclose(got_c, by_hand, rtol=1e-9)
    assert residual_squares(np.array([3.0]), np.array([5.0]), np.array([1.5]), 2.0)[0] == 0.5


def test_small_units_are_never_narrower_than_the_model():
    y, mu = np.array([100.0, 102.0, 98.0]), np.array([100.0] * 3)
    got = robust_total_variance(y, mu, np.zeros(3, int), 1, model=np.array([5000.0]))
    assert got[0] == 5000.0  # 3 records: the tiny residual variance is not trusted alone
    big = robust_total_variance(y, mu, np.zeros(3, int), 1, model=np.array([5000.0]), min_records=2)
    assert big[0] == 8 * 3 / 2


def test_robust_intervals_cover_a_heavy_tailed_unit_where_one_dispersion_does_not():
    """Two kinds of unit with the same mean cost: light-tailed, and one where 2% of
    pregnancies need neonatal intensive care (30 times the cost). One gamma dispersion
    for all misjudges both; the robust variance covers each at about 95%."""
    rng = np.random.default_rng(7)
    n, reps, mean = 600, 400, 3000.0
    cover = {"robust": [0, 0], "model": [0, 0]}
    for _ in range(reps):
        light = rng.gamma(4.0, mean / 4.0, n)
        nicu = rng.random(n) < 0.02
        heavy = np.where(nicu, rng.gamma(4.0, 30 * mean / 4.0, n), rng.gamma(4.0, 1.0, n))
        heavy *= mean / (0.02 * 30 * mean + 0.98 * 4.0)  # same expected mean as light
        y = np.concatenate([light, heavy])
        codes = np.repeat([0, 1], n)
        mu = np.full(2 * n, mean)
        phi = np.mean(((y - mu) / mu) ** 2)  # one Pearson dispersion for both units
        model = phi * np.bincount(codes, weights=mu**2)
        for name, var in (
            ("robust", robust_total_variance(y, mu, codes, 2, model=model)),
            ("model", model),
        ):
            o = np.bincount(codes, weights=y)
            inside = np.abs(o - n * mean) <= 1.959964 * np.sqrt(var)
            for j in (0, 1):
                cover[name][j] += int(inside[j])
    robust = np.array(cover["robust"]) / reps
    model = np.array(cover["model"]) / reps
    assert (robust > 0.91).all() and (robust < 0.985).all(), robust
    assert model[0] > 0.99 and model[1] < 0.9, model  # too wide for one, too narrow for the other
