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
as ``vcov(fit, use.hessian = FALSE)`` (the fixed-effect information given tau and the
conditional modes; lme4's default differentiates numerically and differs in the
fourth decimal), the conditional modes (``ranef``) and their conditional variances
``1 / H_j`` (``condVar``).
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
    notes: list[str] = field(default_factory=list)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


class _Cells:
    """Pattern-by-unit cells; linear predictors are computed per pattern, then indexed."""

    def __init__(self, X, pattern, unit, events, trials, n_units):
        from scipy import sparse

        # Cells sorted by unit, so that per-unit sums are contiguous (np.add.reduceat).
        order = np.argsort(unit, kind="stable")
        self.X = np.ascontiguousarray(X, dtype=float)
        self.pattern = np.asarray(pattern)[order]
        self.unit = np.asarray(unit)[order]
        self.e = np.asarray(events, float)[order]
        self.n = np.asarray(trials, float)[order]
        self.J = n_units
        self.m = X.shape[0]
        counts = np.bincount(self.unit, minlength=n_units)
        if (counts == 0).any():
            raise ValueError("every unit needs at least one cell")
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.indptr = np.concatenate([[0], np.cumsum(counts)])
        self._sparse = sparse.csr_matrix
        self.b = np.zeros(n_units)

    def _sum(self, v):
        return np.add.reduceat(v, self.starts)

    def _unit_by_x(self, v):
        """sum over each unit's cells of v_i * x_i, as a (J, p) array."""
        mat = self._sparse((v, self.pattern, self.indptr), shape=(self.J, self.m))
        return np.asarray(mat @ self.X)

    def _x_by(self, v):
        """sum over all cells of v_i * x_i, as a (p,) array."""
        return self.X.T @ np.bincount(self.pattern, weights=v, minlength=self.m)

    def modes(self, eta0, tau2, tol=1e-12, max_iter=100):
        """Conditional modes b_j by vectorised Newton (warm-started)."""
        b = self.b.copy()
        for _ in range(max_iter):
            p = _expit(eta0 + b[self.unit])
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
        eta0 = (self.X @ beta)[self.pattern]
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
        db_dbeta = -self._unit_by_x(w) / H[:, None]
        dH_dbeta = self._unit_by_x(d) + D[:, None] * db_dbeta
        g_beta = self._x_by(self.e - self.n * p) - 0.5 * np.sum(dH_dbeta / H[:, None], axis=0)
        db_dtau2 = b / (tau2**2 * H)
        dS_dtau2 = D * db_dtau2
        g_tau2 = np.sum(b**2) / (2 * tau2**2) - 0.5 * np.sum((S + tau2 * dS_dtau2) / (1 + tau2 * S))
        return ll, np.concatenate([g_beta, [g_tau2 * tau2]]), b, H, S


def _expit(x):
    from scipy.special import expit

    return expit(x)


def laplace_loglik(X, unit, events, trials, n_units, beta, tau2, pattern=None) -> float:
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
    pattern = np.arange(len(unit)) if pattern is None else pattern
    cells = _Cells(X, pattern, unit, events, trials, n_units)
    return float(cells.evaluate(np.asarray(beta, float), np.log(tau2), gradient=False)[0])


def fit_random_intercept(
    X: np.ndarray,
    pattern: np.ndarray,
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
    X : ndarray (m, p)
        Design rows of the covariate patterns (with intercept).
    pattern : ndarray (c,)
        Pattern (row of X) of each cell.
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
    >>> fit = fit_random_intercept(X, np.arange(20), unit, rng.binomial(200, p).astype(float),
    ...                            trials, 10, ["(Intercept)"])
    >>> fit.tau2 > 0.05, fit.effects.shape
    (True, (10,))
    """
    from scipy.optimize import minimize

    problems = [] if problems is None else problems
    cells = _Cells(X, pattern, unit, events, trials, n_units)
    p = X.shape[1]
    beta0 = np.zeros(p) if start is None else np.asarray(start, float)
    # Precondition: beta = beta0 + L z with L L' the inverse Fisher information of the
    # fixed-effects model, so that the optimiser sees a well-scaled problem.
    mu = _expit(X @ beta0)
    n_pat = np.bincount(cells.pattern, weights=cells.n, minlength=cells.m)
    info = X.T @ ((n_pat * mu * (1 - mu))[:, None] * X)
    try:
        L = np.linalg.cholesky(np.linalg.inv(info + 1e-10 * np.eye(p)))
    except np.linalg.LinAlgError:
        L = np.eye(p)

    def unpack(z):
        return np.concatenate([beta0 + L @ z[:p], z[p:]])

    def objective(theta):
        ll, g, *_ = cells.evaluate(theta[:p], theta[p])
        return -ll, -g

    def objective_z(z):
        f, g = objective(unpack(z))
        return f, np.concatenate([L.T @ g[:p], g[p:]])

    z0 = np.concatenate([np.zeros(p), [np.log(0.1)]])
    bounds = [(None, None)] * p + [_LOG_TAU2_BOUNDS]
    from saz_geboortezorg.model.threads import small_blas

    with small_blas(*X.shape):
        res = minimize(
            objective_z,
            z0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-8, "maxcor": 30},
        )
    res.x = unpack(res.x)
    theta = res.x
    converged = bool(res.success) or (np.max(np.abs(res.jac)) < 1e-4)
    if not converged:
        report(
            "the random-intercept model did not converge "
            f"({res.message}); its between-unit variance and unit effects are not reliable.",
            strict,
            problems,
        )
    notes = []
    at_zero = theta[p] <= _LOG_TAU2_BOUNDS[0] + 1e-6
    if at_zero:
        notes.append(
            "the between-unit variance is estimated at zero: after case-mix adjustment the "
            "units do not differ more than chance expects; all shrunken effects are 0"
        )
    ll, _, b, H, S = cells.evaluate(theta[:p], theta[p], gradient=False)
    # Covariance of beta as lme4's vcov(use.hessian = FALSE): the information of the
    # fixed effects given tau and the conditional modes, i.e. the Schur complement
    # X'WX - sum_j (X_j'w_j)(w_j'X_j) / H_j of the joint (beta, b) information.
    w = cells.n * _expit((X @ theta[:p])[cells.pattern] + b[cells.unit])
    w = w * (1 - w / cells.n)
    XtWX = X.T @ (np.bincount(cells.pattern, weights=w, minlength=cells.m)[:, None] * X)
    WX = cells._unit_by_x(w)
    info = XtWX - (WX / H[:, None]).T @ WX
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
        report("the random-intercept model's information matrix is singular", strict, problems)
    with np.errstate(divide="ignore"):
        within = 1 / S
    return MixedFit(
        names=list(names),
        params=theta[:p].copy(),
        cov=cov,
        tau2=0.0 if at_zero else float(np.exp(theta[p])),
        effects=b.copy(),
        effect_var=1 / H,
        within_var=within,
        loglik=float(ll),
        iterations=int(res.nit),
        converged=converged,
        problems=problems,
        notes=notes,
    )
