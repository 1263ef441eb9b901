"""Random-intercept logistic model by maximum likelihood (Laplace approximation).

Model: ``logit P(y_ij = 1) = x_ij' beta + b_j`` with ``b_j ~ N(0, tau^2)`` for unit j.
This is what ``lme4::glmer(y ~ x + (1 | unit), family = binomial, nAGQ = 1)`` fits,
and the tests check agreement with it.

The marginal likelihood of unit j integrates b_j out. The Laplace approximation
expands the integrand around its mode ``b_j^`` (the conditional mode):

    log L_j ~= sum_i [e_i eta_i - n_i log(1 + exp(eta_i))] - b_j^2 / (2 tau^2)
               - 1/2 log(tau^2 H_j),      H_j = sum_i n_i p_i (1 - p_i) + 1 / tau^2

with ``eta_i = x_i' beta + b_j^``, summed over the unit's covariate cells i (events
``e_i`` out of ``n_i``). For given (beta, tau) the modes are independent 1-D Newton
problems, solved for all units at once on the collapsed cells. The outer problem over
``(beta, log tau^2)`` is solved with L-BFGS-B using the exact gradient of the Laplace
log-likelihood (which accounts for the modes moving with the parameters).

Outputs follow lme4: ``tau2`` (``theta^2``), the fixed effects with standard errors
from the numerical Hessian of the Laplace log-likelihood, the conditional modes
(``ranef``) and their conditional variances ``1 / H_j`` (``condVar``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from saz_geboortezorg.model.problems import report

__all__ = ["MixedFit", "fit_random_intercept", "laplace_loglik"]

_LOG_TAU2_BOUNDS = (-18.0, 6.0)


@dataclass
class MixedFit:
    """Estimates of the random-intercept logistic model.

    Attributes
    ----------
    names : list of str
    params, cov : ndarray
        Fixed effects and their covariance.
    tau2 : float
        Between-unit variance of the log-odds.
    effects, effect_var : ndarray (J,)
        Conditional modes of the unit effects (log odds) and conditional variances.
    within_var : ndarray (J,)
        ``1 / sum_i n_i p_i (1 - p_i)``: the sampling variance of a unit's log odds
        if it were estimated on its own data (used for rankability).
    loglik : float
        Laplace log-likelihood (without the binomial coefficients).
    """

    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    tau2: float
    effects: np.ndarray
    effect_var: np.ndarray
    within_var: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    problems: list[str] = field(default_factory=list)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


class _Cells:
    def __init__(self, X, unit, events, trials, n_units):
        self.X = X
        self.unit = unit
        self.e = events
        self.n = trials
        self.J = n_units
        self.b = np.zeros(n_units)

    def _sum(self, v):
        return np.bincount(self.unit, weights=v, minlength=self.J)

    def modes(self, eta0, tau2, tol=1e-12, max_iter=100):
        """Conditional modes b_j by vectorised Newton (warm-started)."""
        b = self.b.copy()
        for _ in range(max_iter):
            eta = eta0 + b[self.unit]
            p = _expit(eta)
            g = self._sum(self.e - self.n * p) - b / tau2
            H = self._sum(self.n * p * (1 - p)) + 1 / tau2
            step = g / H
            b += step
            if np.max(np.abs(step)) < tol:
                break
        self.b = b
        return b

    def evaluate(self, beta, log_tau2, gradient=True):
        tau2 = float(np.exp(log_tau2))
        eta0 = self.X @ beta
        b = self.modes(eta0, tau2)
        eta = eta0 + b[self.unit]
        p = _expit(eta)
        w = self.n * p * (1 - p)
        S = self._sum(w)
        H = S + 1 / tau2
        ll = (
            np.sum(self.e * eta - self.n * np.logaddexp(0.0, eta))
            - np.sum(b**2) / (2 * tau2)
            - 0.5 * np.sum(np.log1p(tau2 * S))
        )
        if not gradient:
            return ll, None, b, H, S
        d = w * (1 - 2 * p)
        D = self._sum(d)
        # d b_j / d beta = -(sum_i w_i x_i) / H_j
        WX = np.zeros((self.J, self.X.shape[1]))
        DX = np.zeros_like(WX)
        for k in range(self.X.shape[1]):
            WX[:, k] = self._sum(w * self.X[:, k])
            DX[:, k] = self._sum(d * self.X[:, k])
        db_dbeta = -WX / H[:, None]
        dH_dbeta = DX + D[:, None] * db_dbeta
        g_beta = self.X.T @ (self.e - self.n * p) - 0.5 * np.sum(dH_dbeta / H[:, None], axis=0)
        db_dtau2 = b / (tau2**2 * H)
        dS_dtau2 = D * db_dtau2
        g_tau2 = np.sum(b**2) / (2 * tau2**2) - 0.5 * np.sum((S + tau2 * dS_dtau2) / (1 + tau2 * S))
        return ll, np.concatenate([g_beta, [g_tau2 * tau2]]), b, H, S


def _expit(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def laplace_loglik(X, unit, events, trials, n_units, beta, tau2) -> float:
    """Laplace log-likelihood at given parameters (for checks).

    Examples
    --------
    >>> X = np.ones((2, 1)); unit = np.array([0, 1])
    >>> round(laplace_loglik(X, unit, np.array([3., 5.]), np.array([10., 10.]), 2,
    ...                      np.array([-0.5]), 0.2), 4)
    -13.7252

    (Numerical integration of the same likelihood gives -13.7204: the Laplace
    approximation is close but not exact, as in lme4 with ``nAGQ = 1``.)
    """
    cells = _Cells(X, unit, events, trials, n_units)
    return float(cells.evaluate(np.asarray(beta, float), np.log(tau2), gradient=False)[0])


def fit_random_intercept(
    X: np.ndarray,
    unit: np.ndarray,
    events: np.ndarray,
    trials: np.ndarray,
    n_units: int,
    names: list[str],
    *,
    start: np.ndarray | None = None,
    max_iter: int = 1000,
    strict: bool = True,
    problems: list[str] | None = None,
) -> MixedFit:
    """Fit the random-intercept logistic model on pattern-by-unit cells.

    Parameters
    ----------
    X : ndarray (c, p)
        Design rows of the cells (with intercept).
    unit : ndarray (c,)
        Unit index of each cell, 0..n_units-1.
    events, trials : ndarray (c,)
    n_units : int
    names : list of str
    start : ndarray, optional
        Starting fixed effects (e.g. the fixed-effects logistic fit).
    max_iter : int
        Iterations allowed for the optimiser; not converging is reported.
    strict : bool
        Raise on problems (default) or warn.

    Returns
    -------
    MixedFit

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> unit = np.repeat(np.arange(10), 2); X = np.ones((20, 1))
    >>> trials = np.full(20, 200.0)
    >>> p = 1 / (1 + np.exp(-(-1 + rng.normal(0, 0.5, 10)[unit])))
    >>> fit = fit_random_intercept(X, unit, rng.binomial(200, p).astype(float), trials, 10,
    ...                            ["(Intercept)"])
    >>> fit.tau2 > 0.05, fit.effects.shape
    (True, (10,))
    """
    from scipy.optimize import minimize

    problems = [] if problems is None else problems
    cells = _Cells(X, unit, events, trials, n_units)
    p = X.shape[1]
    if start is None:
        start = np.zeros(p)
    x0 = np.concatenate([np.asarray(start, float), [np.log(0.1)]])

    def objective(theta):
        ll, g, *_ = cells.evaluate(theta[:p], theta[p])
        return -ll, -g

    bounds = [(None, None)] * p + [_LOG_TAU2_BOUNDS]
    res = minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-7, "maxcor": 30},
    )
    theta = res.x
    converged = bool(res.success) or (np.max(np.abs(res.jac)) < 1e-4)
    if not converged:
        report(
            "the random-intercept model did not converge "
            f"({res.message}); its between-unit variance and unit effects are not reliable.",
            strict,
            problems,
        )
    if theta[p] <= _LOG_TAU2_BOUNDS[0] + 1e-6:
        problems.append(
            "the between-unit variance is estimated at zero: after case-mix adjustment the "
            "units do not differ more than chance; all shrunken effects are 0"
        )
    # Standard errors of beta: numerical Hessian of the Laplace log-likelihood.
    step = 1e-5
    hess = np.zeros((p + 1, p + 1))
    for k in range(p + 1):
        hi, lo = theta.copy(), theta.copy()
        hi[k] += step
        lo[k] -= step
        hess[k] = (objective(hi)[1] - objective(lo)[1]) / (2 * step)
    hess = (hess + hess.T) / 2
    try:
        cov_all = np.linalg.inv(hess)
        cov = (
            cov_all[:p, :p]
            if theta[p] > _LOG_TAU2_BOUNDS[0] + 1e-6
            else np.linalg.inv(hess[:p, :p])
        )
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
        report("the random-intercept model's information matrix is singular", strict, problems)
    ll, _, b, H, S = cells.evaluate(theta[:p], theta[p], gradient=False)
    with np.errstate(divide="ignore"):
        within = 1 / S
    return MixedFit(
        names=list(names),
        params=theta[:p].copy(),
        cov=cov,
        tau2=float(np.exp(theta[p])),
        effects=b.copy(),
        effect_var=1 / H,
        within_var=within,
        loglik=float(ll),
        iterations=int(res.nit),
        converged=converged,
        problems=problems,
    )
