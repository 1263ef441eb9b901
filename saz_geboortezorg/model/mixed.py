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
from saz_geboortezorg.model.threads import small_blas

__all__ = [
    "MixedFit",
    "TauIntegration",
    "fit_random_intercept",
    "integrate_tau",
    "laplace_loglik",
    "median_odds_ratio",
    "mixture_quantiles",
]

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
    integration : TauIntegration or None
        The unit effects integrated over the uncertainty in tau and the fixed effects,
        and the profile-likelihood interval of tau^2 (see :func:`integrate_tau`).
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
    integration: TauIntegration | None = None

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
            # Each mode maximises a concave function; plain Newton can still overshoot
            # far from it (a unit with no events and a large tau), so steps are capped.
            step = np.clip(g / H, -2.0, 2.0)
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
    integrate: bool = True,
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
    integrate : bool
        Also integrate the unit effects over tau and compute the profile-likelihood
        interval of tau^2 (:func:`integrate_tau`; default).

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
    at_zero = theta[p] <= _LOG_TAU2_BOUNDS[0] + 1e-6
    ll, _, b, H, S = cells.evaluate(theta[:p], theta[p], gradient=False)
    # Covariance of beta as lme4's vcov(use.hessian = FALSE): the information of the
    # fixed effects given tau and the conditional modes, i.e. the Schur complement
    # X'WX - sum_j (X_j'w_j)(w_j'X_j) / H_j of the joint (beta, b) information.
    info, _ = _beta_information(cells, theta[:p], b, H)
    singular = False
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        singular = True
        cov = np.full((p, p), np.nan)
        report("the random-intercept model's information matrix is singular", strict, problems)
    with np.errstate(divide="ignore"):
        within = 1 / S
    tau2 = 0.0 if at_zero else float(np.exp(theta[p]))
    integration = None
    failed = None
    if integrate and converged and not singular:
        try:
            with small_blas(*X.shape):
                integration = integrate_tau(cells, theta[:p], tau2, float(ll))
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            failed = str(exc)
    notes = [variance_note(tau2, integration)] if at_zero or integration is not None else []
    if failed is not None:
        notes.append(
            f"the uncertainty in tau^2 could not be integrated ({failed}); the unit "
            "intervals are the plug-in conditional ones and too narrow"
        )
    return MixedFit(
        names=list(names),
        params=theta[:p].copy(),
        cov=cov,
        tau2=tau2,
        effects=b.copy(),
        effect_var=1 / H,
        within_var=within,
        loglik=float(ll),
        iterations=int(res.nit),
        converged=converged,
        problems=problems,
        notes=notes,
        integration=integration,
    )


def variance_note(tau2: float, integration: TauIntegration | None) -> str:
    """What the between-unit variance and its interval say, in words.

    "The units do not differ more than chance expects" is said only when the 95%
    interval of tau^2 supports it: it includes 0 and its upper limit means a median
    odds ratio of at most 1.10.

    Examples
    --------
    >>> t = TauIntegration(np.array([0.1]), np.array([1.0]), np.zeros((1, 2)),
    ...                    np.ones((1, 2)), tau2_lcl95=0.0, tau2_ucl95=0.08, lr_zero=0.0)
    >>> variance_note(0.0, t)
    'the between-unit variance tau^2 is estimated at zero, but its 95% interval 0 to 0.08
    (profile likelihood); median odds ratio 1.00, up to 1.31: the data cannot rule out
    real differences between units; ...'
    """
    if integration is None or not np.isfinite(integration.tau2_ucl95):
        if tau2 == 0.0:
            return (
                "the between-unit variance tau^2 is estimated at zero; its interval was not "
                "computed, so whether the units differ is not settled"
            )
        return f"between-unit variance tau^2 = {tau2:.3g}"
    lo, hi = integration.tau2_lcl95, integration.tau2_ucl95
    mor_hi = median_odds_ratio(hi)
    interval = (
        f"95% interval {lo:.3g} to {hi:.3g} (profile likelihood); median odds ratio "
        f"{median_odds_ratio(tau2):.2f}, up to {mor_hi:.2f}"
    )
    if tau2 == 0.0 and mor_hi <= 1.10:
        return (
            f"the between-unit variance tau^2 is estimated at zero ({interval}): after "
            "case-mix adjustment the units do not differ more than chance expects"
        )
    if tau2 == 0.0:
        return (
            f"the between-unit variance tau^2 is estimated at zero, but its {interval}: the "
            "data cannot rule out real differences between units; the plug-in shrunken "
            "effects are all 0, the intervals (integrated over tau) are not"
        )
    if integration.p_zero >= 0.05:
        if mor_hi <= 1.10:
            return (
                f"tau^2 = {tau2:.3g} ({interval}); tau^2 = 0 is not rejected "
                f"(p = {integration.p_zero:.2g}): the units do not differ more than "
                "chance expects"
            )
        return (
            f"tau^2 = {tau2:.3g} ({interval}); tau^2 = 0 is not rejected "
            f"(p = {integration.p_zero:.2g}), but real differences are not ruled out"
        )
    return f"tau^2 = {tau2:.3g} ({interval}); tau^2 = 0 rejected (p = {integration.p_zero:.2g})"


# --- Uncertainty in tau and the fixed effects ----------------------------------------

#: Prior on tau (the between-unit SD of the log odds) used to integrate over tau.
TAU_PRIOR_SCALE = 1.0
TAU_PRIOR = "half-normal(0, 1) on tau, the between-unit SD of the log odds"
#: Likelihood-ratio cut-offs of the tau^2 interval: chi-square(1) at 95% (3.84) inside the
#: parameter space; at the boundary tau^2 = 0 the statistic follows the mixture
#: 0.5 chi2_0 + 0.5 chi2_1, whose 95% point is 2.71.
_LR_INTERIOR = 3.841458820694124
_LR_BOUNDARY = 2.705543454095404
_GRID_POINTS = 40
_TAU_MAX = float(np.exp(_LOG_TAU2_BOUNDS[1] / 2))


@dataclass
class TauIntegration:
    """Unit effects integrated over tau, and the profile-likelihood interval of tau^2.

    The posterior of tau is computed on a grid (midpoint rule on ``(0, tau_max)``):

        p(tau | y) ~ L_p(tau) |I(tau)|^(-1/2) pi(tau)

    with ``L_p`` the Laplace likelihood profiled over the fixed effects beta,
    ``|I(tau)|^(-1/2)`` the Laplace integral over beta under a flat prior (the
    fixed-effect information given tau) and ``pi`` the prior :data:`TAU_PRIOR`.
    Given tau, unit j's effect is approximately normal with mean the conditional mode
    ``b_j(tau)`` and variance ``1/H_j + c_j' V(tau) c_j``: the conditional variance plus
    the part due to the estimated fixed effects (``c_j = dB_j/dbeta``; this is the
    b-block of the inverse joint information of (beta, b)). The unit's posterior is the
    mixture of these normals with the grid weights; its 95% interval is the 2.5% and
    97.5% quantiles of the mixture. As tau has posterior mass away from 0, the interval
    does not collapse when tau^2 is estimated at 0.

    Attributes
    ----------
    tau : ndarray (K,)
        Grid of tau values.
    weights : ndarray (K,)
        Posterior probabilities of the grid points (sum 1).
    means, sds : ndarray (K, J)
        Mean and SD of each unit's effect given tau.
    tau2_lcl95, tau2_ucl95 : float
        Profile-likelihood 95% interval of tau^2 (NaN when not computed, e.g. pooled
        over imputations). The lower limit is 0 when the likelihood-ratio statistic for
        tau^2 = 0 is below 2.71 (boundary mixture); interior limits use 3.84, and an
        upper limit from an estimate at the boundary uses 2.71.
    lr_zero : float
        Likelihood-ratio statistic ``2 (l(tau_hat) - l(0))`` against tau^2 = 0.
    prior : str
    """

    tau: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    sds: np.ndarray
    tau2_lcl95: float = float("nan")
    tau2_ucl95: float = float("nan")
    lr_zero: float = float("nan")
    prior: str = TAU_PRIOR

    @property
    def p_zero(self) -> float:
        """p-value of the likelihood-ratio test of tau^2 = 0 (0.5 chi2_0 + 0.5 chi2_1)."""
        from scipy.stats import chi2

        if not np.isfinite(self.lr_zero):
            return float("nan")
        return float(0.5 * chi2.sf(max(self.lr_zero, 0.0), 1)) if self.lr_zero > 0 else 1.0

    @property
    def posterior_mean(self) -> np.ndarray:
        """Posterior mean of each unit's effect (log odds)."""
        return self.weights @ self.means

    @property
    def posterior_sd(self) -> np.ndarray:
        """Posterior SD of each unit's effect (log odds)."""
        second = self.weights @ (self.sds**2 + self.means**2)
        return np.sqrt(np.maximum(second - self.posterior_mean**2, 0.0))

    def quantiles(self, q: float) -> np.ndarray:
        """The q-quantile of each unit's posterior (a mixture of normals).

        Examples
        --------
        >>> t = TauIntegration(np.array([0.1, 0.2]), np.array([0.5, 0.5]),
        ...                    np.zeros((2, 1)), np.ones((2, 1)))
        >>> round(float(t.quantiles(0.975)[0]), 4)
        1.96
        """
        return mixture_quantiles(self.weights, self.means, self.sds, q)

    def tau2_quantiles(self, q: float) -> float:
        """The q-quantile of the posterior of tau^2 (linear between grid points)."""
        cdf = np.cumsum(self.weights)
        return float(np.interp(q, cdf - self.weights / 2, self.tau**2))

    @staticmethod
    def pool(parts: list[TauIntegration]) -> TauIntegration:
        """Equal-weight mixture over imputations (the posterior under multiple imputation).

        The profile-likelihood interval of tau^2 is not pooled (NaN).
        """
        m = len(parts)
        return TauIntegration(
            tau=np.concatenate([p.tau for p in parts]),
            weights=np.concatenate([p.weights / m for p in parts]),
            means=np.concatenate([p.means for p in parts]),
            sds=np.concatenate([p.sds for p in parts]),
            prior=parts[0].prior,
        )


def mixture_quantiles(weights, means, sds, q: float, tol: float = 1e-9) -> np.ndarray:
    """Quantile q of mixtures of normals, one mixture per column of ``means``.

    Parameters
    ----------
    weights : ndarray (K,)
        Mixture weights (sum 1), shared by all columns.
    means, sds : ndarray (K, J)
    q : float

    Examples
    --------
    >>> w = np.array([0.5, 0.5]); m = np.array([[-0.5], [0.5]]); s = np.ones((2, 1))
    >>> abs(round(float(mixture_quantiles(w, m, s, 0.5)[0]), 6))
    0.0
    >>> from scipy.stats import norm  # check: the mixture CDF at the 97.5% quantile
    >>> x = mixture_quantiles(w, m, s, 0.975)[0]
    >>> round(float(0.5 * norm.cdf(x + 0.5) + 0.5 * norm.cdf(x - 0.5)), 6)
    0.975
    """
    from scipy.special import ndtr

    w = np.asarray(weights, float)[:, None]
    means = np.asarray(means, float)
    sds = np.maximum(np.asarray(sds, float), 1e-12)
    lo = (means - 9 * sds).min(axis=0)
    hi = (means + 9 * sds).max(axis=0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = (w * ndtr((mid[None, :] - means) / sds)).sum(axis=0) < q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.max(hi - lo) < tol:
            break
    return 0.5 * (lo + hi)


def _beta_information(cells: _Cells, beta, b, H):
    """Fixed-effect information given tau and the modes, and dB/dbeta (J, p).

    ``X'WX - sum_j (X_j'w_j)(w_j'X_j) / H_j``: the Schur complement of the joint
    (beta, b) information, as lme4's ``vcov(use.hessian = FALSE)``.
    """
    X = cells.X
    w = cells.n * _expit((X @ beta)[cells.pattern] + b[cells.unit])
    w = w * (1 - w / cells.n)
    XtWX = X.T @ (np.bincount(cells.pattern, weights=w, minlength=cells.m)[:, None] * X)
    WX = cells._unit_by_x(w)
    return XtWX - (WX / H[:, None]).T @ WX, WX / H[:, None]


def _profile_point(cells: _Cells, beta, tau: float, tol: float = 1e-8, max_iter: int = 50):
    """Laplace log-likelihood maximised over beta at fixed tau (Newton, step-halving).

    Returns ``(loglik, beta, b, H, info, C)`` with ``info`` the fixed-effect information
    and ``C`` = dB/dbeta at the optimum.
    """
    # tau = 0 is evaluated at tau^2 = 1e-30: the fixed-effects logistic likelihood.
    log_tau2 = max(2 * np.log(tau) if tau > 0 else -np.inf, -69.0)
    beta = np.asarray(beta, float).copy()
    ll, g, b, H, _ = cells.evaluate(beta, log_tau2)
    info, C = _beta_information(cells, beta, b, H)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(info, g[:-1])
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while True:
            new = beta + t * step
            ll_new, g_new, b_new, H_new, _ = cells.evaluate(new, log_tau2)
            if ll_new >= ll - 1e-10 or t < 1e-6:
                break
            t /= 2
        if not ll_new >= ll - 1e-10:
            cells.evaluate(beta, log_tau2)  # modes back at the best beta
            break
        beta, ll, g, b, H = new, ll_new, g_new, b_new, H_new
        info, C = _beta_information(cells, beta, b, H)
        if np.max(np.abs(t * step)) < tol:
            break
    return ll, beta, b, H, info, C


def integrate_tau(
    cells: _Cells,
    beta: np.ndarray,
    tau2: float,
    loglik: float,
    *,
    points: int = _GRID_POINTS,
    prior_scale: float = TAU_PRIOR_SCALE,
) -> TauIntegration:
    """Integrate the unit effects over tau; profile-likelihood interval of tau^2.

    See :class:`TauIntegration` for the method. ``beta``, ``tau2`` and ``loglik`` are
    the maximum-likelihood fit. The grid (``points`` midpoints) spans the tau where the
    log posterior is within 12 of its value at the estimate (about +-5 posterior SD),
    down to 0 when that is within reach.
    """
    from scipy.optimize import brentq

    tau_hat = float(np.sqrt(tau2))
    profile_cache: dict[float, tuple] = {}
    state = {"beta": np.asarray(beta, float).copy()}

    def profile(t):
        if t not in profile_cache:
            out = _profile_point(cells, state["beta"], t)
            state["beta"] = out[1]
            profile_cache[t] = out
        return profile_cache[t]

    def log_post(out, t):
        ll, _, _, _, info, _ = out
        sign, logdet = np.linalg.slogdet(info)
        return ll - 0.5 * logdet - 0.5 * (t / prior_scale) ** 2

    # 1. Profile-likelihood interval of tau^2.
    ll_zero = profile(0.0)[0]
    lr_zero = max(2 * (loglik - ll_zero), 0.0)

    def deviance(t):
        ll_t = profile(t)[0]
        if ll_t > loglik + 1e-6 * max(1.0, abs(loglik)):
            raise ValueError(
                f"the profile likelihood at tau^2 = {t**2:.3g} exceeds the maximum-likelihood "
                "fit's: the fit is not at the maximum"
            )
        return 2 * (loglik - ll_t)

    at_boundary = tau2 == 0.0
    if at_boundary or lr_zero <= _LR_INTERIOR:
        # 0 is in the interval (lr_zero <= 2.71), or every tau^2 > 0 down to 0 is.
        lower = 0.0
    else:
        lower = brentq(lambda t: deviance(t) - _LR_INTERIOR, 0.0, tau_hat, xtol=1e-7) ** 2
    cut = _LR_BOUNDARY if at_boundary else _LR_INTERIOR
    state["beta"] = np.asarray(beta, float).copy()
    hi = max(tau_hat * 1.5, 0.05)
    while deviance(hi) <= cut and hi < _TAU_MAX:
        hi *= 1.5
    if deviance(hi) > cut:
        upper = brentq(lambda t: deviance(t) - cut, tau_hat, hi, xtol=1e-7) ** 2
    else:
        upper = float("inf")
    # 2. The grid: where the log posterior of tau is within 12 of its value at the
    #    estimate (about +-5 SD), found from the interval (which spans about 4 SD).
    t_ref = max(tau_hat, 0.01)
    f_ref = log_post(profile(t_ref), t_ref)
    t_lo, t_hi = np.sqrt(lower), min(np.sqrt(upper), _TAU_MAX)
    step = 0.75 * max(t_hi - t_lo, 0.01)
    t_lo = max(t_lo - step, 0.0)
    while t_lo > 0 and log_post(profile(t_lo), t_lo) > f_ref - 12:
        t_lo = max(t_lo - step, 0.0)
    t_hi = t_hi + step
    while log_post(profile(t_hi), t_hi) > f_ref - 12 and t_hi < _TAU_MAX:
        t_hi += step
    grid = t_lo + (t_hi - t_lo) * (np.arange(points) + 0.5) / points  # midpoint rule
    # 3. Posterior weights and the unit effects given tau.
    state["beta"] = np.asarray(beta, float).copy()
    logf, means, sds = [], [], []
    for t in grid:
        out = profile(t)
        _, _, b, H, info, C = out
        V = np.linalg.inv(info)
        var = 1 / H + np.einsum("jp,pq,jq->j", C, V, C)
        logf.append(log_post(out, t))
        means.append(b.copy())
        sds.append(np.sqrt(var))
    logf = np.asarray(logf)
    weights = np.exp(logf - logf.max())
    weights /= weights.sum()
    return TauIntegration(
        tau=grid,
        weights=weights,
        means=np.asarray(means),
        sds=np.asarray(sds),
        tau2_lcl95=float(lower),
        tau2_ucl95=float(upper),
        lr_zero=float(lr_zero),
        prior=TAU_PRIOR
        if prior_scale == TAU_PRIOR_SCALE
        else f"half-normal(0, {prior_scale:g}) on tau, the between-unit SD of the log odds",
    )


def median_odds_ratio(tau2: float) -> float:
    """Median odds ratio ``exp(sqrt(2 tau^2) * 0.6745)`` (Merlo et al. 2006).

    The median, over pairs of units, of the odds ratio between the higher- and the
    lower-risk unit for the same woman.

    Examples
    --------
    >>> median_odds_ratio(0.0), round(median_odds_ratio(0.1), 4)
    (1.0, 1.3521)
    """
    from scipy.stats import norm

    return float(np.exp(np.sqrt(2 * tau2) * norm.ppf(0.75)))
