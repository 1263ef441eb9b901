"""Fixed-effects logistic model on collapsed covariate patterns (statsmodels GLM).

The model is fitted to ``(events, trials - events)`` per distinct covariate pattern
(statsmodels' binomial GLM with a two-column response). The binomial likelihood of
the patterns equals the record-level Bernoulli likelihood up to a constant, so the
estimates and standard errors are identical to a record-level fit; the tests check
this and compare both with R's ``glm``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from saz_geboortezorg.model.problems import report
from saz_geboortezorg.model.threads import small_blas

__all__ = ["FixedFit", "fit_logistic", "check_separation", "check_aliasing"]


@dataclass
class FixedFit:
    """Estimates of a fixed-effects GLM.

    Attributes
    ----------
    names : list of str
    params, se : ndarray
    cov : ndarray
    fitted : ndarray
        Fitted mean per pattern (probability, or mean cost).
    scale : float
        Dispersion (1 for the binomial model).
    iterations : int
    converged : bool
    """

    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    scale: float = 1.0
    iterations: int = 0
    converged: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def check_aliasing(X: np.ndarray, names: list[str], strict: bool, problems: list[str]) -> None:
    """Report terms that are linear combinations of earlier ones (R would give NA)."""
    if X.shape[0] < X.shape[1]:
        report(
            f"the model has {X.shape[1]} terms but the data only {X.shape[0]} distinct "
            "covariate patterns; use fewer covariates or coarser categories",
            strict,
            problems,
        )
        return
    r = np.linalg.qr(X / np.maximum(np.abs(X).max(axis=0), 1e-300), mode="r")
    d = np.abs(np.diag(r))
    aliased = [names[j] for j in np.flatnonzero(d < 1e-9 * max(d.max(), 1.0))]
    if aliased:
        report(
            f"term(s) {', '.join(aliased)} cannot be estimated: they are determined by the "
            "other terms (for example an interaction cell with no records). Remove or merge them.",
            strict,
            problems,
        )


def check_separation(
    design, pattern_codes, events, trials, outcome: str, strict: bool, problems: list[str]
) -> None:
    """Report levels in which nobody, or everybody, has the outcome (separation).

    Such a level's odds ratio is infinite: maximum likelihood does not exist and a
    fitted value would be an artefact of when the algorithm stopped.
    """
    total_e, total_t = events.sum(), trials.sum()
    if total_e == 0 or total_e == total_t:
        report(
            f"outcome {outcome!r}: {'no' if total_e == 0 else 'every'} record in the analysis "
            "has the outcome, so there is nothing to model",
            strict,
            problems,
        )
        return
    index = {t.name: j for j, t in enumerate(design.terms)}
    for a, b in design.interactions:
        ta, tb = design.terms[index[a]], design.terms[index[b]]
        if any(t.covariate.type == "continuous" and not t.covariate.bands for t in (ta, tb)):
            continue
        ka, kb = len(ta.levels), len(tb.levels)
        cell = pattern_codes[:, index[a]] * kb + pattern_codes[:, index[b]]
        e = np.bincount(cell, weights=events, minlength=ka * kb)
        t = np.bincount(cell, weights=trials, minlength=ka * kb)
        for c in np.flatnonzero((t > 0) & ((e == 0) | (e == t))):
            la, lb = ta.levels[c // kb], tb.levels[c % kb]
            if not (ta.basis[c // kb].any() and tb.basis[c % kb].any()):
                continue  # a reference cell: covered by the main effects
            which = "none" if e[c] == 0 else "all"
            report(
                f"separation: {which} of the {int(t[c])} records with {a} = {la!r} and "
                f"{b} = {lb!r} had outcome {outcome!r}, so the interaction {a}:{b} cannot be "
                "estimated. Drop the interaction or merge levels in the spec.",
                strict,
                problems,
            )
    for j, term in enumerate(design.terms):
        if term.covariate.type == "continuous" and not term.covariate.bands:
            continue
        k = len(term.levels)
        e = np.bincount(pattern_codes[:, j], weights=events, minlength=k)
        t = np.bincount(pattern_codes[:, j], weights=trials, minlength=k)
        for level, ei, ti in zip(term.levels, e, t, strict=True):
            if ti > 0 and (ei == 0 or ei == ti):
                which = "none" if ei == 0 else "all"
                report(
                    f"separation: {which} of the {int(ti)} records with {term.name} = {level!r} "
                    f"had outcome {outcome!r}, so its odds ratio is "
                    f"{'zero' if ei == 0 else 'infinite'} and cannot be estimated. Merge this "
                    "level with a neighbouring one (or drop the covariate) in the spec.",
                    strict,
                    problems,
                )


def fit_logistic(
    X: np.ndarray,
    events: np.ndarray,
    trials: np.ndarray,
    names: list[str],
    *,
    max_iter: int = 100,
    strict: bool = True,
    problems: list[str] | None = None,
) -> FixedFit:
    """Binomial GLM (logit link) on patterns.

    Parameters
    ----------
    X : ndarray (m, p)
        Design matrix of the patterns, with an intercept column.
    events, trials : ndarray (m,)
    names : list of str
    max_iter : int
        IRLS iterations allowed; a fit that needs more is reported.
    strict : bool
        Raise :class:`~saz_geboortezorg.model.problems.FitError` on problems (default)
        or warn.

    Returns
    -------
    FixedFit

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> fit = fit_logistic(X, np.array([10.0, 30.0]), np.array([100.0, 100.0]), ["a", "b"])
    >>> np.round(fit.params, 4).tolist()   # log(10/90), log(30/70) - log(10/90)
    [-2.1972, 1.3499]
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    problems = [] if problems is None else problems
    endog = np.column_stack([events, trials - events])
    model = GLM(endog, X, family=families.Binomial())
    with warnings.catch_warnings(), small_blas(*X.shape):
        # Separation and convergence are checked and reported in words by this module.
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=max_iter, tol=1e-13, tol_criterion="params")
    converged = bool(res.converged)
    iterations = int(res.fit_history.get("iteration", 0))
    if not converged:
        report(
            f"the logistic model did not converge in {max_iter} iterations; the estimates are "
            "not reliable. This usually means (quasi-)separation: simplify the covariates.",
            strict,
            problems,
        )
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    big = [names[j] for j in np.flatnonzero((np.abs(params) > 15) | (np.sqrt(np.diag(cov)) > 1e3))]
    if big:
        report(
            f"possible quasi-separation: term(s) {', '.join(big)} have extreme estimates or "
            "standard errors; merge sparse levels in the spec.",
            strict,
            problems,
        )
    return FixedFit(
        names=list(names),
        params=params,
        cov=cov,
        fitted=np.asarray(res.fittedvalues, dtype=float)
        if np.ndim(res.fittedvalues) == 1
        else res.predict(),
        scale=1.0,
        iterations=iterations,
        converged=converged,
        problems=problems,
    )
