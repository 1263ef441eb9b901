"""The central step of the federated random intercept (saz_geboortezorg.federated.mixed),
without the mock client: its sums, gradient and Hessian against the pooled code."""

from __future__ import annotations

import numpy as np
import pytest

from saz_geboortezorg.federated.mixed import LaplaceNewton, cell_sums, unpack
from saz_geboortezorg.model.mixed import _Cells, fit_random_intercept


def _data(seed, J=9, tau=0.5, n=400):
    """Cells of 3 covariate patterns in J units of unequal size, and a split of every
    unit's cells over 3 nodes (a unit's records in several nodes)."""
    rng = np.random.default_rng(seed)
    X = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    unit = np.repeat(np.arange(J), 3)
    pattern = np.tile([0, 1, 2], J)
    trials = rng.integers(20, n, size=3 * J).astype(float)
    eta = X[pattern] @ np.array([-1.2, 0.6, -0.4]) + rng.normal(0, tau, J)[unit]
    events = rng.binomial(trials.astype(int), 1 / (1 + np.exp(-eta))).astype(float)
    node = rng.integers(0, 3, size=3 * J)
    return X, pattern, unit, events, trials, J, node


def test_node_sums_add_up_to_the_pooled_sums():
    X, pattern, unit, events, trials, J, node = _data(1)
    beta, b = np.array([-1.0, 0.5, -0.3]), np.linspace(-0.4, 0.4, J)
    whole = cell_sums(X, pattern, unit, events, trials, J, beta, b)
    parts = [
        cell_sums(X, pattern[m], unit[m], events[m], trials[m], J, beta, b)
        for m in (node == k for k in range(3))
    ]
    assert np.allclose(sum(parts), whole, rtol=1e-12, atol=1e-9)
    # per hospital, from first principles
    s = unpack(whole, 3, J)
    p = 1 / (1 + np.exp(-((X @ beta)[pattern] + b[unit])))
    for j in range(J):
        m = unit == j
        assert np.isclose(s["g"][j], np.sum(events[m] - trials[m] * p[m]))
        w = trials[m] * p[m] * (1 - p[m])
        assert np.isclose(s["S"][j], w.sum())
        assert np.allclose(s["WX"][j], (w[:, None] * X[pattern[m]]).sum(axis=0))


def _grad(cells, theta):
    return cells.evaluate(theta[:3], float(theta[3]))[1]


def test_gradient_and_hessian_are_the_pooled_likelihoods():
    """At the pooled optimum (exact modes): the central gradient is the pooled code's,
    and its Hessian is the finite-difference Hessian of the pooled gradient except for
    the terms it leaves out (sum_j [sum c x x' - D_j sum d x x' / H_j] / (2 H_j))."""
    X, pattern, unit, events, trials, J, _ = _data(2)
    pooled = fit_random_intercept(
        X, pattern, unit, events, trials, J, ["a", "b", "c"], integrate=False
    )
    cells = _Cells(X, pattern, unit, events, trials, J)
    theta = np.concatenate([pooled.params, [np.log(pooled.tau2)]])
    ll, grad, b, H, S = cells.evaluate(theta[:3], theta[3])
    fit = LaplaceNewton(["a", "b", "c"], theta[:3], J)
    fit.theta, fit.b = float(theta[3]), b.copy()
    state = fit._state(unpack(cell_sums(X, pattern, unit, events, trials, J, theta[:3], b), 3, J))
    assert np.isclose(state["loglik"], ll, rtol=1e-13)
    assert np.allclose(state["gradient"], grad, atol=1e-9)
    eps = 1e-6
    fd = np.array(
        [
            (_grad(cells, theta + eps * e) - _grad(cells, theta - eps * e)) / (2 * eps)
            for e in np.eye(4)
        ]
    )
    fd = (fd + fd.T) / 2
    eta = (X @ theta[:3])[pattern] + b[unit]
    p = 1 / (1 + np.exp(-eta))
    w = trials * p * (1 - p)
    d, c = w * (1 - 2 * p), w * (1 - 6 * p * (1 - p))
    left_out = np.zeros((3, 3))
    for j in range(J):
        m = unit == j
        Xj = X[pattern[m]]
        left_out -= (
            0.5 * ((Xj * c[m, None]).T @ Xj - d[m].sum() * (Xj * d[m, None]).T @ Xj / H[j]) / H[j]
        )
    expected = state["hessian"].copy()
    expected[:3, :3] += left_out
    assert np.allclose(fd, expected, rtol=1e-5, atol=1e-5 * np.abs(fd).max())


@pytest.mark.parametrize("seed, tau", [(3, 0.5), (4, 0.0), (5, 1.5)])
def test_fit_reaches_the_pooled_maximum(seed, tau):
    X, pattern, unit, events, trials, J, node = _data(seed, tau=tau)
    names = ["a", "b", "c"]
    pooled = fit_random_intercept(X, pattern, unit, events, trials, J, names, integrate=False)
    fit = LaplaceNewton(names, np.zeros(3), J)
    while not fit.done:
        beta, b = fit.point()
        total = sum(
            cell_sums(X, pattern[m], unit[m], events[m], trials[m], J, beta, b)
            for m in (node == k for k in range(3))
        )
        fit.update(unpack(total, 3, J))
    res = fit.result()
    assert res.converged and fit.rounds <= 30
    assert np.max(np.abs(res.params - pooled.params) / pooled.se) < 1e-5
    assert np.isclose(res.tau2, pooled.tau2, rtol=1e-5, atol=1e-9)
    assert np.allclose(res.effects, pooled.effects, atol=1e-6)
    assert np.allclose(res.effect_var, pooled.effect_var, rtol=1e-5)
    assert res.loglik >= pooled.loglik - 1e-9 * abs(pooled.loglik)
