"""Intervals against statsmodels (an independent implementation) and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson
from statsmodels.stats.proportion import proportion_confint

from saz_geboortezorg.stats.intervals import clopper_pearson, poisson_exact, wilson

CASES = [(0, 1), (0, 20), (1, 20), (15, 100), (50, 100), (99, 100), (100, 100), (3, 12000)]


@pytest.mark.parametrize(("x", "n"), CASES)
def test_wilson_and_exact_match_statsmodels(x, n):
    lo, hi = wilson(x, n)
    ref = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)
    lo, hi = clopper_pearson(x, n)
    ref = proportion_confint(x, n, alpha=0.05, method="beta")
    ref = (0.0 if x == 0 else ref[0], 1.0 if x == n else ref[1])
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)


def test_closed_forms_at_the_edges():
    # x = 0: upper = 1 - (alpha/2)^(1/n); x = n: lower = (alpha/2)^(1/n)
    assert float(clopper_pearson(0, 30)[1]) == pytest.approx(1 - 0.025 ** (1 / 30), rel=1e-12)
    assert float(clopper_pearson(30, 30)[0]) == pytest.approx(0.025 ** (1 / 30), rel=1e-12)


def test_zero_denominator_gives_nan_and_bad_counts_raise():
    assert all(np.isnan(v) for v in wilson(0, 0))
    assert all(np.isnan(v) for v in clopper_pearson(0, 0))
    with pytest.raises(ValueError):
        wilson(5, 3)
    with pytest.raises(ValueError):
        poisson_exact(-1)


@pytest.mark.parametrize("k", [0, 1, 4, 10, 57])
def test_poisson_exact_is_the_garwood_interval(k):
    lo, hi = poisson_exact(k)
    # defining property: P(X >= k | lo) = 0.025 and P(X <= k | hi) = 0.025
    if k > 0:
        assert poisson.sf(k - 1, float(lo)) == pytest.approx(0.025, rel=1e-8)
    else:
        assert float(lo) == 0
    assert poisson.cdf(k, float(hi)) == pytest.approx(0.025, rel=1e-8)


def test_vectorised():
    lo, hi = wilson(np.array([1, 2]), np.array([10, 10]))
    assert lo.shape == (2,) and (lo < hi).all()


def test_agrees_with_r():
    """Values from R 4.2 (prop.test, binom.test, poisson.test): reference/make_intervals_reference.R."""
    from pathlib import Path

    import pandas as pd

    ref = pd.read_csv(Path(__file__).parent / "reference" / "intervals.csv")
    for row in ref.itertuples():
        assert wilson(row.x, row.n) == pytest.approx((row.wilson_lcl, row.wilson_ucl), abs=1e-12)
        exact = clopper_pearson(row.x, row.n)
        assert exact == pytest.approx((row.exact_lcl, row.exact_ucl), abs=1e-12)
        assert poisson_exact(row.x) == pytest.approx((row.poisson_lcl, row.poisson_ucl), rel=1e-10)
