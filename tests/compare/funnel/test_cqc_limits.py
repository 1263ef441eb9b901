"""CQC overdispersion-adjusted limits: squared back to the ratio scale (FunnelPlotR issue #33).

Two independent checks of the corrected limits:

1. an algebraic one: under the CQC random-effects model Y = sqrt(O/E) ~ N(1, s^2 + tau^2)
   (Y >= 0, so O/E = Y^2 is monotone in Y) the p-quantile q of O/E solves
   P(Y <= sqrt(q)) = p; solved here numerically with the normal CDF, not with the
   library's formula; when P(Y <= 0) >= p the lower limit is 0;
2. a simulation: units drawn from that model with Poisson counts; about 2.5% fall above
   the corrected 95% upper limit, far more above FunnelPlotR's unsquared one.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from saz_geboortezorg.compare.funnel import limits as L
from tests.compare.funnel import reference as ref

Z = {95: 1.959964, 99.8: 3.090232}


def quantile_of_square(p: float, sigma: float) -> float:
    """p-quantile of O/E = Y^2 with Y ~ N(1, sigma^2) on Y >= 0, by root finding on its CDF."""

    def cdf(q: float) -> float:
        return stats.norm.cdf((np.sqrt(q) - 1) / sigma)

    if cdf(0.0) >= p:
        return 0.0
    return optimize.brentq(lambda q: cdf(q) - p, 0.0, (1 + 12 * sigma) ** 2, xtol=1e-15, rtol=1e-14)


@pytest.mark.parametrize("level", [95, 99.8])
@pytest.mark.parametrize("n", [2.0, 10.0, 57.3, 400.0, 5000.0])
@pytest.mark.parametrize("tau2", [0.0, 0.002, 0.02])
def test_cqc_adjusted_limits_match_algebraic_derivation(level, n, tau2):
    sigma = np.sqrt(1 / (4 * n) + tau2)
    # same (rounded) normal quantile as the library, so the comparison can be tight
    p_low = stats.norm.sf(Z[level])
    lo_expected = quantile_of_square(p_low, sigma)
    hi_expected = quantile_of_square(1 - p_low, sigma)
    lo, hi = L.adjusted(
        np.array([n]), level, data_type="SR", sr_method="CQC", target=1.0, tau2=tau2
    )
    np.testing.assert_allclose(hi[0], hi_expected, rtol=1e-9)
    np.testing.assert_allclose(lo[0], lo_expected, rtol=1e-9, atol=1e-12)


def test_cqc_adjusted_limits_by_simulation():
    rng = np.random.default_rng(5)
    n_units, expected, tau2 = 200_000, 400.0, 0.005
    theta = rng.normal(1.0, np.sqrt(tau2), n_units)  # true effect on the square-root scale
    observed = rng.poisson(expected * theta**2)
    ratio = observed / expected
    lo, hi = L.adjusted(
        np.array([expected]), 95, data_type="SR", sr_method="CQC", target=1.0, tau2=tau2
    )
    above, below = np.mean(ratio > hi[0]), np.mean(ratio < lo[0])
    assert 0.02 < above < 0.03 and 0.02 < below < 0.03
    fpr_lo, fpr_hi = L.funnelplotr_cqc_adjusted(np.array([expected]), 95, tau2=tau2)
    assert np.mean(ratio > fpr_hi[0]) > 0.12  # FunnelPlotR's limits flag far too many units


def test_corrected_limits_are_wider_than_unadjusted_and_funnelplotr_narrower():
    """With tau2 > 0 the adjusted limits must contain the unadjusted ones (ours do).

    FunnelPlotR's are narrower than its own unadjusted limits for the smaller units
    (expected < 140 in this dataset, tau2 = 0.0067) and, with tau2 = 0, everywhere.
    """
    g = ref.limits("sr_od_cqc_adj")
    n = g["number_seq"]
    big = n > 20  # where the normal approximation is reasonable
    assert (g.loc[big, "ucl95_adj"] > g.loc[big, "ucl95_unadj"]).all()
    assert (g.loc[big, "lcl95_adj"] < g.loc[big, "lcl95_unadj"]).all()
    assert (g.loc[big, "ucl998_adj"] > g.loc[big, "ucl998_unadj"]).all()
    small = n < 100
    assert (g.loc[small, "odul95"] < g.loc[small, "ul95"]).all()
    mid = (n > 5) & (n < 90)
    assert (g.loc[mid, "odll95"] > g.loc[mid, "ll95"]).all()
    g0 = ref.limits("sr_od_cqc_unadj")  # FunnelPlotR's 'OD' columns there use tau2 = 0
    assert (g0["odul95"] < g0["ul95"]).all()


def test_cqc_without_between_variance_approximates_poisson_limits():
    n = np.array([100.0, 400.0, 2500.0])
    lo, hi = L.adjusted(n, 95, data_type="SR", sr_method="CQC", target=1.0, tau2=0.0)
    plo, phi_ = L.poisson_exact(n, 95)
    np.testing.assert_allclose(lo, plo, rtol=0.02)
    np.testing.assert_allclose(hi, phi_, rtol=0.02)


def test_cqc_lower_limit_is_zero_when_the_sqrt_scale_limit_is_negative():
    lo, hi = L.adjusted(
        np.array([1.5]), 99.8, data_type="SR", sr_method="CQC", target=1.0, tau2=0.3
    )
    assert lo[0] == 0.0 and hi[0] > 1
