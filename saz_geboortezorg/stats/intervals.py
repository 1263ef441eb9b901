"""Confidence intervals for proportions and counts.

- Wilson score interval (Wilson 1927), the interval R's ``prop.test(x, n,
  correct = FALSE)`` reports: good coverage also for small n and rates near 0 or 1.
- Exact (Clopper-Pearson 1934) binomial interval, R's ``binom.test``: guaranteed
  coverage, conservative.
- Exact Poisson interval for a count (Garwood 1936), R's ``poisson.test``: used for
  observed/expected ratios.

All functions are vectorised over numpy arrays and return ``(lower, upper)``.
A denominator of 0 gives NaN bounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from saz_geboortezorg.deprecation import renamed_arguments

__all__ = [
    "wilson",
    "clopper_pearson",
    "poisson_exact",
    "oe_interval",
    "z_value",
    "newcombe_difference",
    "level_tag",
]


@renamed_arguments(level="confidence")
def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile for a confidence level (0.95 -> 1.96)."""
    from scipy.special import ndtri  # much lighter to import than scipy.stats

    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.95")
    return float(ndtri(0.5 + confidence / 2))


def _as_counts(x, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= numerator <= denominator")
    return x, n


@renamed_arguments(level="confidence")
def wilson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x events out of n.

    Examples
    --------
    >>> lo, hi = wilson(15, 100)
    >>> round(float(lo), 6), round(float(hi), 6)
    (0.09306, 0.232836)
    """
    x, n = _as_counts(x, n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lower = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    upper = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lower, upper


@renamed_arguments(level="confidence")
def clopper_pearson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) binomial interval for x events out of n.

    Examples
    --------
    >>> lo, hi = clopper_pearson(0, 20)
    >>> float(lo), round(float(hi), 6)
    (0.0, 0.168433)
    """
    from scipy.stats import beta

    x, n = _as_counts(x, n)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(x > 0, beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        upper = np.where(x < n, beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
    lower = np.where(n > 0, lower, np.nan)
    upper = np.where(n > 0, upper, np.nan)
    return lower, upper


@renamed_arguments(level="confidence")
def poisson_exact(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval for a Poisson count; divide by the expected count
    to get an interval for an observed/expected ratio.

    Examples
    --------
    >>> lo, hi = poisson_exact(10)
    >>> round(float(lo), 5), round(float(hi), 5)
    (4.79539, 18.39036)
    """
    from scipy.stats import chi2

    k = np.asarray(count, dtype=float)
    if np.any(k < 0):
        raise ValueError("counts must be >= 0")
    alpha = 1 - confidence
    lower = np.where(k > 0, chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    upper = chi2.ppf(1 - alpha / 2, 2 * (k + 1)) / 2
    return lower, upper


@renamed_arguments(level="confidence")
def oe_interval(
    observed, expected, variance=None, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for an observed/expected ratio of a binary outcome with the *binomial*
    variance of O under the standard, ``V = sum p (1 - p)`` (not ``E``, Poisson).

    The count is rescaled to equivalent events with Poisson variance: with
    ``k = E / V`` (at least 1 for a binary outcome), ``O* = k O`` has mean ``E* = k E``
    and variance ``E*`` under the standard, so the exact (Garwood) interval of ``O*``
    divided by ``E*`` is the interval of ``O/E`` (the same scaling the funnel plot uses;
    :func:`saz_geboortezorg.compare.benchmark.funnel_for`). ``variance=None`` (or
    ``V = E``) gives the plain Poisson interval ``poisson_exact(O) / E``. For caesarean
    section the Poisson variance overstates the standard error by about a quarter.

    Examples
    --------
    >>> lo, hi = oe_interval(10, 10.0)            # Poisson: V = E
    >>> round(float(lo), 5), round(float(hi), 5)
    (0.47954, 1.83904)
    >>> lo, hi = oe_interval(10, 10.0, 8.0)       # binomial: V = 8 < E = 10
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.5248, 1.7278)
    """
    from scipy.stats import chi2

    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    v = e if variance is None else np.asarray(variance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(v > 0, e / v, 1.0)
        o_star, e_star = k * o, k * e
        alpha = 1 - confidence
        lower = np.where(o_star > 0, chi2.ppf(alpha / 2, 2 * o_star) / 2, 0.0) / e_star
        upper = chi2.ppf(1 - alpha / 2, 2 * (o_star + 1)) / 2 / e_star
    return lower, upper


@renamed_arguments(level="confidence")
def newcombe_difference(
    x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference of two proportions p1 - p2 with Newcombe's hybrid score interval.

    Parameters
    ----------
    x1, n1, x2, n2 : array-like
        Events and denominators of the two groups.
    confidence : float
        Confidence level.

    Returns
    -------
    (difference, lower, upper) : tuple of ndarray
        As proportions; NaN when a denominator is 0.

    Examples
    --------
    Newcombe (1998), table II, example (a): 56/70 versus 48/80.

    >>> d, lo, hi = newcombe_difference(56, 70, 48, 80)
    >>> round(float(d), 4), round(float(lo), 4), round(float(hi), 4)
    (0.2, 0.0524, 0.3339)
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = np.where(n1 > 0, x1 / n1, np.nan)
        p2 = np.where(n2 > 0, x2 / n2, np.nan)
    l1, u1 = wilson(x1, n1, confidence)
    l2, u2 = wilson(x2, n2, confidence)
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper


def level_tag(level: float) -> str:
    """Column suffix for a confidence level in percent: 95 -> '95', 99.8 -> '998'.

    Examples
    --------
    >>> level_tag(95), level_tag(99.8), level_tag(90.0)
    ('95', '998', '90')
    """
    text = f"{float(level):g}"
    return text.replace(".", "")
