"""Random-intercept model: gradient, zero variance, ranks, rankability."""

from __future__ import annotations

import numpy as np
import pytest

from saz_geboortezorg.model.mixed import _Cells, fit_random_intercept
from saz_geboortezorg.model.rank import rank_table, rankability


def _cells(seed=0, J=8, sd=0.5):
    rng = np.random.default_rng(seed)
    c = 400
    X = np.column_stack([np.ones(c), rng.integers(0, 2, c), rng.integers(0, 2, c)])
    unit = rng.integers(0, J, c)
    n = rng.integers(5, 60, c).astype(float)
    eff = rng.normal(0, sd, J)
    p = 1 / (1 + np.exp(-(X @ [-1.0, 0.4, -0.3] + eff[unit])))
    e = rng.binomial(n.astype(int), p).astype(float)
    return X, unit, e, n, J


def test_exact_gradient_of_laplace_loglik():
    X, unit, e, n, J = _cells()
    cells = _Cells(X, np.arange(len(unit)), unit, e, n, J)
    theta = np.array([-0.8, 0.2, -0.1, np.log(0.3)])
    _, g, *_ = cells.evaluate(theta[:3], theta[3])
    h = 1e-6
    for k in range(4):
        hi, lo = theta.copy(), theta.copy()
        hi[k] += h
        lo[k] -= h
        num = (
            cells.evaluate(hi[:3], hi[3], gradient=False)[0]
            - cells.evaluate(lo[:3], lo[3], gradient=False)[0]
        ) / (2 * h)
        assert g[k] == pytest.approx(num, rel=1e-5, abs=1e-6)


def test_zero_between_unit_variance_is_said():
    X, unit, e, n, J = _cells(sd=0.0, seed=3)
    fit = fit_random_intercept(X, np.arange(len(unit)), unit, e, n, J, ["a", "b", "c"])
    if fit.tau2 == 0.0:
        assert any("zero" in note for note in fit.notes)
        assert np.allclose(fit.effects, 0, atol=1e-4)
    else:
        assert fit.tau2 < 0.05


def test_non_converging_optimiser_is_reported():
    from saz_geboortezorg.model import FitError

    X, unit, e, n, J = _cells()
    with pytest.raises(FitError, match="random-intercept model did not converge"):
        fit_random_intercept(X, np.arange(len(unit)), unit, e, n, J, ["a", "b", "c"], max_iter=1)


def test_rankability_and_ranks():
    assert rankability(0.3, np.array([0.1, 0.1, 0.5])) == pytest.approx(0.75)
    t = rank_table(np.array([0.0, -2.0, 2.0, 0.1]), np.full(4, 1e-8), better="higher")
    assert t.expected_rank.tolist() == [2.0, 1.0, 4.0, 3.0]
    assert t.p_best_quartile.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert t.p_worst_quartile.tolist() == [0.0, 1.0, 0.0, 0.0]
    # Uncertain effects: probabilities between 0 and 1, ranks average to (J + 1) / 2.
    u = rank_table(np.zeros(17), np.ones(17))
    assert u.expected_rank.mean() == pytest.approx(9.0)
    assert ((u.p_best_quartile > 0.15) & (u.p_best_quartile < 0.35)).all()
