"""Gamma GLM with log link for positive continuous outcomes (cost per pregnancy).

Fitted on collapsed patterns: the gamma score equations depend on the records of a
pattern only through their number and mean, so the pattern means with the counts as
variance weights give the record-level estimates. The dispersion is estimated as R's
``summary.glm`` does (Pearson chi-square over residual degrees of freedom), from the
per-pattern sums of y and y squared, and the standard errors use it.
"""

from __future__ import annotations

import warnings

import numpy as np

from saz_geboortezorg.model.logistic import FixedFit
from saz_geboortezorg.model.problems import report
from saz_geboortezorg.model.threads import small_blas

__all__ = ["fit_gamma"]


def fit_gamma(
    X: np.ndarray,
    total: np.ndarray,
    sumsq: np.ndarray,
    count: np.ndarray,
    names: list[str],
    *,
    max_iter: int = 100,
    strict: bool = True,
    problems: list[str] | None = None,
) -> FixedFit:
    """Gamma GLM (log link) from per-pattern sums.

    Parameters
    ----------
    X : ndarray (m, p)
    total, sumsq, count : ndarray (m,)
        Sum of y, sum of y squared and number of records per pattern.

    Returns
    -------
    FixedFit
        ``fitted`` is the mean per pattern, ``scale`` the Pearson dispersion.

    Examples
    --------
    Two groups of two records (99, 101) and (299, 301), a log-link model with an
    indicator for the second group: the means are fitted exactly.

    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    >>> f = fit_gamma(X, np.array([200.0, 299.0, 301.0]), np.array([2e4 + 2, 299.0**2, 301.0**2]),
    ...               np.array([2.0, 1.0, 1.0]), ["a", "b"])
    >>> np.round(np.exp(f.params), 6).tolist()
    [100.0, 3.0]
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    problems = [] if problems is None else problems
    mean = total / count
    model = GLM(mean, X, family=families.Gamma(families.links.Log()), var_weights=count)
    with warnings.catch_warnings(), small_blas(*X.shape):
        # Separation and convergence are checked and reported in words by this module.
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=max_iter, tol=1e-13, tol_criterion="params")
    if not res.converged:
        report(
            f"the gamma model did not converge in {max_iter} iterations; the estimates are "
            "not reliable. Simplify the covariates.",
            strict,
            problems,
        )
    mu = np.asarray(res.fittedvalues, dtype=float)
    n, p = count.sum(), X.shape[1]
    pearson = np.sum((sumsq - 2 * mu * total + count * mu**2) / mu**2)
    scale = float(pearson / (n - p)) if n > p else float("nan")
    cov = np.asarray(res.normalized_cov_params, dtype=float) * scale
    return FixedFit(
        names=list(names),
        params=np.asarray(res.params, dtype=float),
        cov=cov,
        fitted=mu,
        scale=scale,
        iterations=int(res.fit_history.get("iteration", 0)),
        converged=bool(res.converged),
        problems=problems,
    )
