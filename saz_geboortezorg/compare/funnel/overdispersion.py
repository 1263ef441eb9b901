"""Step 3: the dispersion ratio phi, the between-unit variance tau^2 and a test.

Method (Spiegelhalter 2005a, 2005b; NHS Digital SHMI specification; FunnelPlotR 0.6):

1. Limit the influence of extreme units on the z-scores :math:`z_i`:

   * **CQC / Spiegelhalter (PR, RC, SR with CQC): winsorisation.** z-scores below the
     ``trim_by`` quantile or above the ``1 - trim_by`` quantile (R's default type-7
     quantiles) are set to those quantiles; all :math:`I` units stay.
   * **SHMI (SR with SHMI): truncation by rank band.** With :math:`k = 1/\\text{trim\\_by}`
     and :math:`r_i` the rank of :math:`z_i` (ties averaged) among :math:`I` units, the band
     is :math:`b_i = \\lfloor r_i k / (I + 1) \\rfloor`; units with :math:`b_i \\le 0` or
     :math:`b_i \\ge k - 1` are dropped. With few units nothing may be dropped: 10 bands
     need at least 9 units before the extremes fall out.

2. The dispersion ratio is :math:`\\hat\\phi = \\frac1n \\sum z_i^2` over the
   :math:`n` remaining (possibly winsorised) z-scores.

3. The between-unit variance (additive random effects, DerSimonian & Laird 1986, as in
   Spiegelhalter 2005b) is, with weights :math:`w_i = 1/s_i^2` of the same units,

   .. math:: \\hat\\tau^2 = \\max\\left(0, \\frac{n\\hat\\phi - (n - 1)}
             {\\sum w_i - \\sum w_i^2 / \\sum w_i}\\right),

   and 0 when :math:`n\\hat\\phi < n - 1`.

4. Test of overdispersion: under the null hypothesis (no overdispersion)
   :math:`n\\hat\\phi` is approximately :math:`\\chi^2` with :math:`n` degrees of freedom
   when the target is fixed (SR: 1) and :math:`n - 1` when it is estimated from the same
   data (PR, RC). The trimming makes this approximate; it is reported, not used to
   decide: as in FunnelPlotR, the adjusted limits are used when :math:`\\hat\\phi > 1`.

Deviation from FunnelPlotR: ``trim_by=0`` means "no trimming" here. FunnelPlotR's
truncation computes :math:`k = 1/0 = \\infty` and then drops every unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from saz_geboortezorg.errors import SpecError

__all__ = [
    "Dispersion",
    "OverdispersionTest",
    "dispersion",
    "quantile_type7",
    "tau2_dl",
    "truncate",
    "winsorise",
]


@dataclass(frozen=True)
class OverdispersionTest:
    """Chi-square test of overdispersion: ``statistic`` = n * phi on ``df`` degrees of freedom."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class Dispersion:
    """Result of step 3.

    ``used`` marks the units whose (winsorised) z-scores entered phi; ``z_trimmed`` holds
    them (winsorised values; NaN for truncated units).
    """

    phi: float
    tau2: float
    n: int
    used: np.ndarray
    z_trimmed: np.ndarray
    method: str
    test: OverdispersionTest


def quantile_type7(x: np.ndarray, prob: float) -> float:
    """R's ``quantile(x, prob, type = 7)``, with R's interpolation formula.

    The interpolation is R's ``(1 - h) * x[lo] + h * x[hi]``, so an infinite order
    statistic (a SHMI unit with 0 events) gives an infinite quantile rather than the NaN
    ``numpy.quantile`` would produce.

    Examples
    --------
    >>> quantile_type7(np.array([1.0, 2.0, 3.0, 4.0]), 0.1)
    1.3
    >>> quantile_type7(np.array([-np.inf, 0.0, 1.0]), 0.1)
    -inf
    """
    xs = np.sort(np.asarray(x, dtype=float)[~np.isnan(x)])
    n = len(xs)
    index = 1 + max(n - 1, 0) * prob
    lo = int(np.floor(index))
    hi = int(np.ceil(index))
    q = xs[lo - 1]
    if index > lo and xs[hi - 1] != q:
        h = index - lo
        q = (1 - h) * q + h * xs[hi - 1]
    return float(q)


def winsorise(z: np.ndarray, trim_by: float) -> np.ndarray:
    """Winsorise z-scores at the ``trim_by`` and ``1 - trim_by`` quantiles (CQC method).

    Examples
    --------
    >>> winsorise(np.array([-5.0, 0.0, 0.5, 1.0, 9.0]), 0.25)
    array([0. , 0. , 0.5, 1. , 1. ])
    """
    lz = quantile_type7(z, trim_by)
    uz = quantile_type7(z, 1 - trim_by)
    return np.where(z < lz, lz, np.where(z > uz, uz, z))


def truncate(z: np.ndarray, trim_by: float) -> np.ndarray:
    """Boolean mask of the units kept by SHMI truncation by rank band.

    ``trim_by=0`` keeps every unit.

    Examples
    --------
    >>> truncate(np.arange(20.0), 0.1).astype(int)
    array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    """
    if trim_by == 0:
        return np.ones(len(z), dtype=bool)
    k = 1 / trim_by
    maxk = k - 1
    rank = stats.rankdata(z, method="average")
    band = np.floor(rank * k / (len(rank) + 1))
    return (band > 0) & (band < maxk)


def tau2_dl(n: int, phi: float, s: np.ndarray) -> float:
    """DerSimonian-Laird between-unit variance from ``phi`` and standard errors ``s``.

    Examples
    --------
    >>> round(tau2_dl(3, 2.0, np.array([0.1, 0.2, 0.1])), 6)
    0.03
    """
    if len(s) == 0 or n * phi < n - 1:
        return 0.0
    w = 1 / s**2
    return float(max(0.0, (n * phi - (n - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w))))


def dispersion(
    z: np.ndarray, s: np.ndarray, *, method: str, trim_by: float, target_estimated: bool
) -> Dispersion:
    """Trim the z-scores, then estimate phi and tau^2 and test for overdispersion.

    Parameters
    ----------
    z, s : ndarray
        Unadjusted z-scores and within-unit standard errors (from :mod:`.transform`).
    method : {"truncate", "winsorise"}
        SHMI truncation or CQC winsorisation.
    trim_by : float
        Fraction trimmed at each end, ``0 <= trim_by < 0.5``.
    target_estimated : bool
        Whether the target comes from the same data (PR, RC); sets the test's df.

    Raises
    ------
    SpecError
        When fewer than 2 units are left to estimate phi (a single unit, or too much
        trimming for the number of units), or when a remaining z-score is infinite
        (a SHMI unit with 0 events that the truncation did not remove).

    Examples
    --------
    >>> d = dispersion(np.array([-2.0, 0.5, 1.0, 3.0]), np.full(4, 0.1),
    ...                method="winsorise", trim_by=0.1, target_estimated=True)
    >>> round(d.phi, 4), round(d.tau2, 6)
    (2.1431, 0.018575)
    """
    z = np.asarray(z, dtype=float)
    if method == "truncate":
        used = truncate(z, trim_by)
        z_trimmed = np.where(used, z, np.nan)
    else:
        used = np.ones(len(z), dtype=bool)
        z_trimmed = winsorise(z, trim_by)
    n = int(used.sum())
    if n < 2:
        raise SpecError(
            f"funnel: overdispersion needs at least 2 units after trimming, {n} left of "
            f"{len(z)} (trim_by={trim_by}); use more units, a smaller trim_by or "
            "overdispersion=False"
        )
    zu = z_trimmed[used]
    if not np.all(np.isfinite(zu)):
        raise SpecError(
            "funnel: a unit with 0 observed events has an infinite SHMI z-score (log of 0) "
            f"and the truncation (trim_by={trim_by}, {len(z)} units) does not remove it, so "
            "phi cannot be estimated; use sr_method='CQC', more units or overdispersion=False"
        )
    phi = float((1 / n) * np.sum(zu**2))
    tau2 = tau2_dl(n, phi, np.asarray(s, dtype=float)[used])
    df = n - 1 if target_estimated else n
    statistic = n * phi
    test = OverdispersionTest(
        statistic=statistic, df=df, p_value=float(stats.chi2.sf(statistic, df))
    )
    return Dispersion(
        phi=phi, tau2=tau2, n=n, used=used, z_trimmed=z_trimmed, method=method, test=test
    )
