"""The variance of a unit's total amount (cost) under a fitted model, robust to the
model's variance function.

A gamma model states Var(y) = phi mu^2 with one dispersion phi for every unit. Costs are
not like that: a NICU hospital's costs have a far heavier tail than a unit whose women
rarely need neonatal care, so one phi makes the NICU hospitals' intervals too narrow and
the others' too wide (issue 13: empirical / model SD per hospital 0.46-1.92). The robust
(sandwich, "empirical") variance of the unit's total uses the residuals themselves:

    V_j = n_j / (n_j - 1) * sum_i (y_i - mu_i)^2

with the small-sample factor n/(n-1). With few records the sum of squared residuals
says little about a heavy tail, so below ``min_records`` the model's variance is used
when it is larger (never narrower than the model for a small unit).

Examples
--------
>>> import numpy as np
>>> robust_total_variance(np.array([10.0, 30.0]), np.array([20.0, 20.0]), np.array([0, 0]),
...                       1, model=np.array([50.0]), min_records=1).tolist()
[400.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["robust_total_variance", "residual_squares", "MIN_RECORDS"]

#: Below this many records a unit's robust variance is not trusted alone.
MIN_RECORDS = 30


def residual_squares(
    total: np.ndarray, total_sq: np.ndarray, mu: np.ndarray, count: np.ndarray
) -> np.ndarray:
    """Sum of (y - mu)^2 over records that share one fitted mean ``mu``, from their
    count, sum and sum of squares (collapsed covariate patterns).

    Examples
    --------
    >>> residual_squares(np.array([40.0]), np.array([1000.0]), np.array([20.0]),
    ...                  np.array([2.0])).tolist()
    [200.0]
    """
    return np.maximum(total_sq - 2 * mu * total + count * mu**2, 0.0)


def robust_total_variance(
    y: np.ndarray,
    mu: np.ndarray,
    codes: np.ndarray,
    n_units: int,
    *,
    model: np.ndarray,
    min_records: int = MIN_RECORDS,
    sq: np.ndarray | None = None,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """Per unit, the robust variance of its total: n/(n - 1) sum (y - mu)^2; the model's
    variance ``model`` where that is larger and the unit has fewer than ``min_records``.

    ``y``/``mu``/``codes`` are per record, or per covariate pattern with ``sq`` (the
    sums of squares) and ``counts`` (records per pattern): then ``y`` holds the sums.
    """
    if sq is None:
        squares = (y - mu) ** 2
        counts = np.ones(len(y))
    else:
        squares = residual_squares(y, sq, mu, counts)
    rss = np.bincount(codes, weights=squares, minlength=n_units)
    n = np.bincount(codes, weights=counts, minlength=n_units)
    with np.errstate(divide="ignore", invalid="ignore"):
        robust = np.where(n > 1, rss * n / (n - 1), np.nan)
    small = ~(n >= min_records)
    return np.where(small, np.fmax(robust, model), robust)
