"""Issue 13, section 2: uncertainty in tau^2 behind the shrunken odds ratios.

Every expected value here is derived independently of the code under test: the profile
likelihood by a general-purpose optimiser over beta, the posterior of a unit effect by
brute-force numerical integration, the median odds ratio by simulation, coverage
against the generator's truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import expit, logsumexp
from scipy.stats import binom, norm

from saz_geboortezorg.model.mixed import (
    fit_random_intercept,
    laplace_loglik,
    median_odds_ratio,
    mixture_quantiles,
)


def _data(seed, J=8, sd=0.4, n_lo=30, n_hi=300):
    rng = np.random.default_rng(seed)
    c = 300
    X = np.column_stack([np.ones(c), rng.integers(0, 2, c)])
    unit = np.concatenate([np.arange(J), rng.integers(0, J, c - J)])
    n = rng.integers(n_lo, n_hi, c).astype(float)
    eff = rng.normal(0, sd, J)
    p = expit(X @ [-2.0, 0.5] + eff[unit])
    e = rng.binomial(n.astype(int), p).astype(float)
    return X, unit, e, n, J


def _profile(X, unit, e, n, J, tau2, start):
    """Laplace log-likelihood maximised over beta by Nelder-Mead (no gradients, restarted)."""
    x = np.asarray(start, float)
    for _ in range(4):
        res = minimize(
            lambda b: -laplace_loglik(X, unit, e, n, J, b, tau2),
            x,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
        )
        x = res.x
    return -res.fun


@pytest.mark.parametrize("seed, sd", [(1, 0.4), (2, 0.0)])
def test_tau2_interval_is_where_the_profile_deviance_crosses(seed, sd):
    X, unit, e, n, J = _data(seed, sd=sd)
    fit = fit_random_intercept(X, np.arange(len(unit)), unit, e, n, J, ["a", "b"])
    integ = fit.integration
    lo, hi = integ.tau2_lcl95, integ.tau2_ucl95
    assert lo <= fit.tau2 < hi
    ll_hat = fit.loglik
    cut = 2.705543 if fit.tau2 == 0 else 3.841459
    dev_hi = 2 * (ll_hat - _profile(X, unit, e, n, J, hi, fit.params))
    assert dev_hi == pytest.approx(cut, abs=2e-3)
    if lo > 0:
        dev_lo = 2 * (ll_hat - _profile(X, unit, e, n, J, lo, fit.params))
        assert dev_lo == pytest.approx(3.841459, abs=2e-3)
    # The statistic against tau^2 = 0: the fixed-effects logistic likelihood.
    ll0 = _profile(X, unit, e, n, J, 1e-12, fit.params)
    assert integ.lr_zero == pytest.approx(max(2 * (ll_hat - ll0), 0), abs=2e-3)


def test_zero_tau2_on_true_null_is_bracketed_and_intervals_do_not_collapse():
    X, unit, e, n, J = _data(2, sd=0.0)
    fit = fit_random_intercept(X, np.arange(len(unit)), unit, e, n, J, ["a", "b"])
    integ = fit.integration
    lo, hi = integ.quantiles(0.025), integ.quantiles(0.975)
    if fit.tau2 == 0:
        assert integ.tau2_lcl95 == 0
        # plug-in intervals collapse; the integrated ones keep the width of real doubt
        assert np.sqrt(fit.effect_var).max() < 1e-3
    assert (hi - lo).min() > 0.05
    assert ((lo < 0) & (0 < hi)).all()


def test_unit_posterior_matches_brute_force_integration():
    """Intercept-only model, one binomial per unit: integrate beta, tau and b exactly."""
    rng = np.random.default_rng(11)
    J = 6
    n = np.array([80.0, 150, 300, 120, 60, 200])
    true = rng.normal(0, 0.35, J)
    e = rng.binomial(n.astype(int), expit(-1.5 + true)).astype(float)
    X = np.ones((1, 1))
    unit = np.arange(J)
    fit = fit_random_intercept(X, np.zeros(J, int), unit, e, n, J, ["(Intercept)"])
    ours_lo, ours_hi = fit.integration.quantiles(0.025), fit.integration.quantiles(0.975)

    # Brute force: flat prior on beta, half-normal(0, 1) on tau, b_j ~ N(0, tau^2).
    beta = np.linspace(-2.6, -0.4, 56)[:, None, None]
    tau = np.linspace(0.005, 1.5, 150)[None, :, None]
    b = np.linspace(-2.0, 2.0, 401)[None, None, :]
    db = b[0, 0, 1] - b[0, 0, 0]
    log_prior_b = norm.logpdf(b, 0, tau)
    log_lik = [binom.logpmf(e[j], n[j], expit(beta + b)) for j in range(J)]
    # log m_j(beta, tau) = log integral over b of p(y_j | b) N(b; 0, tau)
    log_m = np.stack([logsumexp(ll + log_prior_b, axis=2) + np.log(db) for ll in log_lik])
    log_tau_prior = norm.logpdf(tau[..., 0], 0, 1)
    total = log_m.sum(axis=0) + log_tau_prior  # (beta, tau)
    for j in range(J):
        # p(b_j | y) ∝ sum over beta, tau of p(y_j | b_j) N(b_j; 0, tau) prod_{k != j} m_k
        others = total - log_m[j]
        logp = logsumexp(others[..., None] + log_lik[j] + log_prior_b, axis=(0, 1))
        cdf = np.cumsum(np.exp(logp - logp.max()))
        cdf /= cdf[-1]
        grid = b[0, 0]
        lo, hi = np.interp([0.025, 0.975], cdf, grid)
        # b_j relative to beta: effects in the code are deviations from the intercept.
        assert ours_lo[j] == pytest.approx(lo, abs=0.06), j
        assert ours_hi[j] == pytest.approx(hi, abs=0.06), j


def test_median_odds_ratio_by_simulation():
    rng = np.random.default_rng(5)
    tau2 = 0.1
    a, b = rng.normal(0, np.sqrt(tau2), (2, 400_000))
    assert median_odds_ratio(tau2) == pytest.approx(np.median(np.exp(np.abs(a - b))), rel=3e-3)
    assert median_odds_ratio(0.0) == 1.0


def test_mixture_quantiles_against_sampling():
    rng = np.random.default_rng(8)
    w = np.array([0.2, 0.45, 0.35])
    means = np.array([[0.0, 1.0], [0.3, -1.0], [1.0, 0.0]])
    sds = np.array([[0.2, 0.5], [0.4, 0.1], [0.3, 0.2]])
    k = rng.choice(3, 400_000, p=w)
    for j in range(2):
        draws = rng.normal(means[k, j], sds[k, j])
        for q in (0.025, 0.5, 0.975):
            assert mixture_quantiles(w, means, sds, q)[j] == pytest.approx(
                np.quantile(draws, q), abs=0.01
            )


@pytest.fixture(scope="module")
def synthetic_fits():
    """Seeds 3 and 6 (60,000 births): low Apgar's tau^2 is estimated at 0 on both."""
    import tempfile
    from pathlib import Path

    import saz_geboortezorg as sg
    from saz_geboortezorg.synthetic import generate

    out = {}
    for seed in (3, 6):
        data = generate(births=60_000, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            data.write(Path(tmp), format="parquet")
            dataset = sg.load(Path(tmp))
        for spec in ("low_apgar", "pph", "oasis"):
            out[spec, seed] = (sg.casemix(dataset, spec, unit="hospital"), data.truth)
    return out


def test_intervals_cover_true_centred_hospital_effects(synthetic_fits):
    covered = {}
    for (spec, seed), (res, truth) in synthetic_fits.items():
        table = res.random_effects.table.set_index("unit")
        true = pd.Series(truth["hospital_effects"][spec]).loc[table.index]
        true = true - true.mean()
        inside = (np.log(table.or_lcl95) <= true) & (true <= np.log(table.or_ucl95))
        assert ((table.or_lcl95 < table.odds_ratio) & (table.odds_ratio < table.or_ucl95)).all()
        covered[spec, seed] = int(inside.sum()), len(inside)
    hits = sum(c for c, _ in covered.values())
    total = sum(t for _, t in covered.values())
    assert total == 6 * 17
    assert hits / total >= 0.90, covered
    for seed in (3, 6):  # the boundary case: no collapse, no wholesale miss
        assert covered["low_apgar", seed][0] >= 14, covered


def test_boundary_fit_says_what_its_interval_supports(synthetic_fits):
    for seed in (3, 6):
        res, _ = synthetic_fits["low_apgar", seed]
        re = res.random_effects
        assert re.tau2 == 0.0 and re.tau2_lcl95 == 0.0 and re.tau2_ucl95 > 0
        # plug-in intervals collapse to about [0.9998, 1.0002]; ours do not
        t = re.table
        assert (t.or_ucl95_conditional - t.or_lcl95_conditional).max() < 1e-3
        assert (t.or_ucl95 / t.or_lcl95).min() > 1.3
        note = " ".join(res.notes)
        supported = re.mor_ucl95 <= 1.10
        assert ("do not differ more than chance expects" in note) == supported
        assert re.median_odds_ratio == 1.0


def test_low_rankability_flags_empirical_bayes_ranks(synthetic_fits):
    for (_spec, _seed), (res, _) in synthetic_fits.items():
        re = res.random_effects
        flagged = any("empirical Bayes ranks" in n for n in res.notes)
        assert re.ranks_reliable == (re.rankability >= 0.7)
        assert flagged == (re.rankability < 0.7)
        assert "empirical Bayes" in res.to_dict()["random_effects"]["rank_method"]
    assert not synthetic_fits["low_apgar", 3][0].random_effects.ranks_reliable


def test_tiny_data_fit_is_a_maximum_and_its_interval_brackets_it():
    """Two units, 3 events in 100: the mode Newton once overshot to a nonsense fit."""
    n = np.array([50.0, 50.0])
    e = np.array([2.0, 1.0])
    fit = fit_random_intercept(np.ones((1, 1)), np.zeros(2, int), np.arange(2), e, n, 2, ["i"])
    p = e.sum() / n.sum()  # the pooled logistic fit: tau^2 = 0
    ll_pooled = float(np.sum(e * np.log(p) + (n - e) * np.log(1 - p)))
    assert fit.loglik >= ll_pooled - 1e-6
    assert fit.integration is not None and fit.integration.tau2_ucl95 > 0.5
    # One unit with no events, a large tau^2: the upper limit is far above the estimate.
    e3 = np.array([0.0, 7.0, 1.0])
    n3 = np.full(3, 50.0)
    fit3 = fit_random_intercept(np.ones((1, 1)), np.zeros(3, int), np.arange(3), e3, n3, 3, ["i"])
    lo, hi = fit3.integration.tau2_lcl95, fit3.integration.tau2_ucl95
    assert lo < fit3.tau2 < hi and hi > 3 * fit3.tau2
    dev = 2 * (fit3.loglik - _profile(np.ones((3, 1)), np.arange(3), e3, n3, 3, hi, fit3.params))
    assert dev == pytest.approx(3.841459, abs=5e-3)
