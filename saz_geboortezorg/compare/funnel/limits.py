"""Step 4: control limits at any denominator, unadjusted and overdispersion-adjusted.

For a limit at two-sided level :math:`L` (95, 99.8) let :math:`p = (1 - L/100)/2` and
:math:`z_L` the standard normal :math:`1-p` quantile **rounded to 6 decimals**
(1.959964 and 3.090232, the constants FunnelPlotR hard-codes; the rounding changes a limit
by less than 1e-6 relative and keeps the numbers identical to FunnelPlotR's). ``n`` is
the denominator (expected count for SR), ``m`` the multiplier, :math:`\\theta_0` the
target and :math:`\\sigma^2 = s^2 + \\tau^2` (:math:`\\tau^2 = 0` for unadjusted
normal-approximation limits).

Unadjusted limits (no overdispersion)
    * SR: exact Poisson limits through the chi-square/gamma relation (Spiegelhalter
      2005a, appendix), continuous in ``n``:
      :math:`\\chi^2_{p}(2n)/(2n)` and :math:`\\chi^2_{1-p}(2(n+1))/(2n)`, times ``m``.
    * PR: the arcsine normal approximation, as FunnelPlotR
      (:math:`\\sin^2(\\arcsin\\sqrt{\\theta_0} \\mp z_L/(2\\sqrt n))`), or, with
      ``pr_limits="exact"``, exact binomial limits with Spiegelhalter's (2005a, appendix
      A.1.1) interpolation for small units: with :math:`r_p` the smallest :math:`r` such
      that :math:`P(R \\le r) \\ge p` for :math:`R \\sim \\text{Bin}(n, \\theta_0)`,
      :math:`\\alpha = (P(R \\le r_p) - p)/(P(R \\le r_p) - P(R \\le r_p - 1))` and the
      limit is :math:`(r_p - \\alpha)/n`.
    * RC: :math:`\\theta_0 \\exp(\\mp z_L/(2\\sqrt n))` (FunnelPlotR's standard error
      :math:`1/(2\\sqrt n)`, not the delta-method one of the z-score).

Overdispersion-adjusted limits (additive random effects, Spiegelhalter 2005b)
    * SR, SHMI: :math:`m\\exp(\\mp z_L\\sqrt{1/n + \\tau^2})`.
    * SR, CQC: :math:`m\\,(\\max(0, 1 \\mp z_L\\sqrt{1/(4n) + \\tau^2}))^2`. The CQC
      method works on the square-root scale, where the target is 1 and
      :math:`s = 1/(2\\sqrt n)`; the limits must be squared back to the ratio scale.
      **FunnelPlotR 0.6 does not square them back** (its open issue #33): it returns
      :math:`1 \\mp z_L\\sigma`, which for small :math:`\\sigma` is about half as far from 1
      as the correct :math:`(1 \\mp z_L\\sigma)^2 \\approx 1 \\mp 2z_L\\sigma`, so its
      "adjusted" limits come out *narrower* than its unadjusted Poisson limits and flag
      too many units. Here the limits are squared; the lower one is 0 when
      :math:`z_L\\sigma \\ge 1`.
    * PR: :math:`m\\sin^2(\\arcsin\\sqrt{\\theta_0} \\mp z_L\\sigma)` with the angle
      clipped to :math:`[0, \\pi/2]`, i.e. limits in :math:`[0, m]`.
      FunnelPlotR clips by comparing each row of its lookup grid with the next one, so
      its value can differ where the angle leaves :math:`[0, \\pi/2]`: at the grid row
      where the angle crosses 0 and at the largest denominator, where it may return
      :math:`\\sin^2` of a negative angle, a small positive lower limit that wrongly flags
      units with 0 events. Inside :math:`[0, \\pi/2]` both agree exactly.
    * RC: :math:`m\\,\\theta_0\\exp(\\mp z_L\\sigma)`, :math:`s = 1/(2\\sqrt n)`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

# re-exported: the column suffix of a level (it lives in stats so that present can use it)
from saz_geboortezorg.stats.intervals import level_tag

__all__ = [
    "adjusted",
    "binomial_exact",
    "funnelplotr_cqc_adjusted",
    "level_tag",
    "poisson_exact",
    "tail_probability",
    "unadjusted",
    "z_quantile",
]

#: Decimals of the normal quantiles, as FunnelPlotR's hard-coded 1.959964 and 3.090232.
Z_DECIMALS = 6


def tail_probability(level: float) -> float:
    """One-sided tail probability of a two-sided limit at ``level`` percent.

    Examples
    --------
    >>> tail_probability(95), tail_probability(99.8)
    (0.025, 0.001)
    """
    return round((100 - float(level)) / 200, 12)


def z_quantile(level: float) -> float:
    """Normal quantile for a two-sided ``level`` percent limit, rounded as FunnelPlotR.

    Examples
    --------
    >>> z_quantile(95), z_quantile(99.8)
    (1.959964, 3.090232)
    """
    return round(float(stats.norm.isf(tail_probability(level))), Z_DECIMALS)


def _pr_clip(angle: np.ndarray) -> np.ndarray:
    return np.clip(angle, 0.0, np.pi / 2)


def adjusted(
    n: np.ndarray,
    level: float,
    *,
    data_type: str,
    sr_method: str,
    target: float,
    tau2: float,
    multiplier: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper normal-approximation limits with between-unit variance ``tau2``.

    With ``tau2=0`` these are the normal-approximation limits without overdispersion
    (FunnelPlotR's unadjusted limits for PR and RC).

    Examples
    --------
    >>> lo, hi = adjusted(np.array([100.0]), 95, data_type="SR", sr_method="CQC",
    ...                   target=1.0, tau2=0.0)
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)  # (1 -/+ 1.959964 / 20) ** 2
    (0.813607, 1.2056)
    """
    n = np.asarray(n, dtype=float)
    z = z_quantile(level)
    m = multiplier
    with np.errstate(divide="ignore", invalid="ignore"):
        if data_type == "SR" and sr_method == "SHMI":
            sd = np.sqrt((1 / n) + tau2)
            return m * np.exp(-z * sd), m * np.exp(z * sd)
        s = 1 / (2 * np.sqrt(n))
        sd = np.sqrt(s**2 + tau2)
        if data_type == "SR":
            return m * np.maximum(0.0, 1 - z * sd) ** 2, m * (1 + z * sd) ** 2
        if data_type == "RC":
            return m * np.exp(np.log(target) - z * sd), m * np.exp(np.log(target) + z * sd)
        if data_type == "PR":
            centre = np.arcsin(np.sqrt(target))
            return (
                m * np.sin(_pr_clip(centre - z * sd)) ** 2,
                m * np.sin(_pr_clip(centre + z * sd)) ** 2,
            )
    raise ValueError(data_type)  # pragma: no cover


def funnelplotr_cqc_adjusted(
    n: np.ndarray, level: float, *, tau2: float, multiplier: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """FunnelPlotR 0.6's CQC 'adjusted' limits, *not* squared back (for comparison only).

    Examples
    --------
    >>> lo, hi = funnelplotr_cqc_adjusted(np.array([100.0]), 95, tau2=0.0)
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.902002, 1.097998)
    """
    s = 1 / (2 * np.sqrt(np.asarray(n, dtype=float)))
    sd = np.sqrt(s**2 + tau2)
    z = z_quantile(level)
    return multiplier * (1 - z * sd), multiplier * (1 + z * sd)


def poisson_exact(
    n: np.ndarray, level: float, multiplier: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for a standardised ratio with expected count ``n`` (target 1).

    Examples
    --------
    >>> lo, hi = poisson_exact(np.array([10.0]), 95)
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.479539, 1.839036)
    """
    n = np.asarray(n, dtype=float)
    p = tail_probability(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = multiplier * (stats.chi2.isf(1 - p, 2 * n) / 2) / n
        upper = multiplier * (stats.chi2.isf(p, 2 * (n + 1)) / 2) / n
    return lower, upper


def binomial_exact(
    n: np.ndarray, level: float, target: float, multiplier: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial limits with Spiegelhalter's interpolation (denominators rounded to whole numbers).

    Examples
    --------
    >>> lo, hi = binomial_exact(np.array([10.0]), 95, 0.5)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.1324, 0.7676)
    """
    n = np.maximum(np.rint(np.asarray(n, dtype=float)), 1.0)
    p = tail_probability(level)

    def limit(prob: float) -> np.ndarray:
        r = stats.binom.ppf(prob, n, target)
        f_r = stats.binom.cdf(r, n, target)
        f_below = stats.binom.cdf(r - 1, n, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(f_r > f_below, (f_r - prob) / (f_r - f_below), 0.0)
        return multiplier * np.clip((r - alpha) / n, 0.0, 1.0)

    return limit(p), limit(1 - p)


def unadjusted(
    n: np.ndarray,
    level: float,
    *,
    data_type: str,
    sr_method: str,
    target: float,
    multiplier: float = 1.0,
    pr_limits: str = "arcsine",
) -> tuple[np.ndarray, np.ndarray]:
    """Limits without overdispersion: exact Poisson (SR), arcsine or exact binomial (PR), log-normal (RC).

    Examples
    --------
    >>> lo, hi = unadjusted(np.array([400.0]), 95, data_type="RC", sr_method="SHMI",
    ...                     target=0.5)
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (0.476091, 0.52511)
    """
    if data_type == "SR":
        return poisson_exact(n, level, multiplier)
    if data_type == "PR" and pr_limits == "exact":
        return binomial_exact(n, level, target, multiplier)
    return adjusted(
        n,
        level,
        data_type=data_type,
        sr_method=sr_method,
        target=target,
        tau2=0.0,
        multiplier=multiplier,
    )
