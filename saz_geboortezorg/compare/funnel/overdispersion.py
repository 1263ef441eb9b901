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

4. Test of overdispersion. Without trimming (``trim_by=0``), under the null hypothesis
   (no overdispersion) :math:`n\\hat\\phi` is approximately :math:`\\chi^2` with
   :math:`n` degrees of freedom when the target is fixed (SR with external expected
   counts) and :math:`n - 1` when it is estimated from the same data (PR, RC, and SR
   whose expected counts come from a model fitted to the same data,
   ``fitted_expected=True``: such a model reproduces the total, :math:`\\sum O = \\sum E`).

   **Trimming breaks the chi-square reference.** Trimming removes or shrinks the largest
   :math:`z^2`, so under the null :math:`\\hat\\phi` is biased low: for a standard
   normal :math:`z` winsorised at its 10% and 90% quantiles
   :math:`q = \\Phi^{-1}(0.9)`, :math:`E[z_w^2] = (1 - 2a) - 2q\\varphi(q) + 2aq^2 = 0.679`
   (:math:`a = 0.1`); truncated to the central 80%,
   :math:`E[z^2 \\mid |z| < q] = 1 - 2q\\varphi(q)/(1 - 2a) = 0.438`
   (:func:`trimmed_z2_expectation`). The chi-square test then almost never rejects
   (true size well below 1% at a nominal 5%). With trimming the p-value is therefore
   computed by a **parametric bootstrap** (:func:`null_phi`): counts are simulated under
   the null (Poisson at the expected counts for SR, binomial at the pooled proportion
   for PR, binomial split of each unit's total for RC), the target (PR, RC) or the
   calibration of the expected counts (``fitted_expected``) is re-estimated, the
   z-scores are trimmed the same way, and
   :math:`p = (1 + \\#\\{\\phi^*_b \\ge \\hat\\phi\\}) / (1 + B)` over :math:`B` draws
   (Davison & Hinkley 1997, eq. 4.11). With ``draws=0`` there is no p-value for trimmed
   data (``p_value`` None), never a chi-square one. The test is reported, not used to
   decide: as in FunnelPlotR, the adjusted limits are used when :math:`\\hat\\phi > 1`.
   :math:`\\hat\\phi \\le 1` means no overdispersion *detected*, not evidence of none.

5. **Bias-corrected phi** (a sensitivity view, ``phi_correction``): the same null draws
   give the expectation of the trimmed phi under no overdispersion,
   :math:`m_0 = \\overline{\\phi^*}`. The corrected ratio
   :math:`\\hat\\phi_c = \\hat\\phi \\cdot (\\text{df}/n) / m_0` has, under the null, the
   expectation :math:`\\text{df}/n` of an untrimmed phi (1 for a fixed target,
   :math:`(n-1)/n` for an estimated one), so the DerSimonian-Laird formula of step 3
   applies to it as to an untrimmed phi. With equal-sized units and a true between-unit
   variance the trimmed :math:`z` are scaled normals and the rescaling is exact in
   expectation; with unequal sizes it is approximate.

Deviation from FunnelPlotR: ``trim_by=0`` means "no trimming" here. FunnelPlotR's
truncation computes :math:`k = 1/0 = \\infty` and then drops every unit. FunnelPlotR
has no test of overdispersion and no corrected phi: both are additions, and phi, tau^2
and the limits by default are FunnelPlotR's.

Davison AC, Hinkley DV (1997). *Bootstrap Methods and their Application*. Cambridge
University Press (section 4.2.1, Monte Carlo p-values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from saz_geboortezorg.errors import SpecError

__all__ = [
    "DEFAULT_SEED",
    "Dispersion",
    "OverdispersionTest",
    "dispersion",
    "null_phi",
    "quantile_type7",
    "tau2_dl",
    "trimmed_phi",
    "trimmed_z2_expectation",
    "truncate",
    "winsorise",
]

#: Seed of the parametric bootstrap: the same data give the same p-value.
DEFAULT_SEED = 20050101


@dataclass(frozen=True)
class OverdispersionTest:
    """Test of overdispersion.

    ``statistic`` is n * phi (the trimmed phi), ``df`` the degrees of freedom of the
    chi-square reference (n, or n - 1 when the target or the expected counts were
    estimated from the same data). ``method`` says where ``p_value`` comes from:
    ``"chi-square"`` (untrimmed z-scores only), ``"parametric bootstrap"`` (trimmed
    z-scores; ``draws`` simulated datasets) or ``"none"`` (trimmed z-scores without a
    bootstrap: ``p_value`` is None and ``reason`` says why).
    """

    statistic: float
    df: int
    p_value: float | None
    method: str = "chi-square"
    draws: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Dispersion:
    """Result of step 3.

    ``used`` marks the units whose (winsorised) z-scores entered phi; ``z_trimmed`` holds
    them (winsorised values; NaN for truncated units). ``phi`` and ``tau2`` are the ones
    in force: the trimmed phi (FunnelPlotR) or, with ``corrected``, the bias-corrected
    one. ``phi_trimmed`` is always the trimmed phi; ``phi_corrected`` and
    ``tau2_corrected`` the bias-corrected ones (NaN when there were no null draws);
    ``null_mean`` the mean of the trimmed phi under no overdispersion (1 untrimmed).
    """

    phi: float
    tau2: float
    n: int
    used: np.ndarray
    z_trimmed: np.ndarray
    method: str
    test: OverdispersionTest
    phi_trimmed: float = float("nan")
    phi_corrected: float = float("nan")
    tau2_corrected: float = float("nan")
    null_mean: float = float("nan")
    corrected: bool = False


def trimmed_z2_expectation(method: str, trim_by: float) -> float:
    """E[z^2] of a standard normal z after trimming, for infinitely many units.

    With :math:`a` = ``trim_by`` and :math:`q = \\Phi^{-1}(1 - a)`,
    :math:`E[z^2; |z| < q] = (1 - 2a) - 2q\\varphi(q)` (integration by parts). Winsorised
    (CQC, PR, RC) adds :math:`2aq^2`; truncated (SHMI) divides by :math:`1 - 2a`.
    This is the large-sample expectation of the trimmed phi with no overdispersion;
    :func:`null_phi` gives it for the actual units.

    Examples
    --------
    >>> round(trimmed_z2_expectation("winsorise", 0.1), 4)
    0.6787
    >>> round(trimmed_z2_expectation("truncate", 0.1), 4)
    0.4377
    >>> trimmed_z2_expectation("winsorise", 0.0)
    1.0
    """
    if trim_by == 0:
        return 1.0
    q = float(stats.norm.isf(trim_by))
    inner = (1 - 2 * trim_by) - 2 * q * float(stats.norm.pdf(q))
    if method == "truncate":
        return inner / (1 - 2 * trim_by)
    return inner + 2 * trim_by * q**2


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


def trimmed_phi(z: np.ndarray, *, method: str, trim_by: float) -> np.ndarray:
    """The trimmed phi of each row of a matrix of z-scores (one simulated dataset a row).

    Row by row the same as :func:`dispersion`: winsorisation at R's type-7 quantiles
    (``numpy``'s ``linear`` method, equal for finite z) or SHMI truncation by rank band.

    Examples
    --------
    >>> z = np.array([[-5.0, 0.0, 0.5, 1.0, 9.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    >>> trimmed_phi(z, method="winsorise", trim_by=0.25).round(4).tolist()
    [0.45, 1.0]
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    if method == "truncate":
        if trim_by == 0:
            used = np.ones(z.shape, dtype=bool)
        else:
            k = 1 / trim_by
            rank = stats.rankdata(z, method="average", axis=1)
            band = np.floor(rank * k / (z.shape[1] + 1))
            used = (band > 0) & (band < k - 1)
        with np.errstate(invalid="ignore"):
            z2 = np.where(used, z**2, 0.0)
        return z2.sum(axis=1) / used.sum(axis=1)
    if trim_by > 0:
        lz = np.quantile(z, trim_by, axis=1, method="linear", keepdims=True)
        uz = np.quantile(z, 1 - trim_by, axis=1, method="linear", keepdims=True)
        z = np.clip(z, lz, uz)
    return np.mean(z**2, axis=1)


def _z_rows(o: np.ndarray, d: np.ndarray, data_type: str, sr_method: str) -> np.ndarray:
    """Unadjusted z-scores of simulated datasets (rows), as :func:`.transform.transform`
    computes them for one, with the target re-estimated per row (PR, RC)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if data_type == "SR" and sr_method == "SHMI":
            return np.sqrt(d) * np.log(o / d)
        if data_type == "SR":
            return (np.sqrt(o / d) - 1) * 2 * np.sqrt(d)
        if data_type == "PR":
            p0 = o.sum(axis=1, keepdims=True) / d.sum(axis=1, keepdims=True)
            return (np.arcsin(np.sqrt(o / d)) - np.arcsin(np.sqrt(p0))) * 2 * np.sqrt(d)
        target = np.log(o.sum(axis=1, keepdims=True) / d.sum(axis=1, keepdims=True))
        s = np.sqrt(o / (o + 0.5) ** 2 + d / (d + 0.5) ** 2)
        return (np.log((o + 0.5) / (d + 0.5)) - target) / s


def null_phi(
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    data_type: str,
    sr_method: str = "SHMI",
    trim_by: float = 0.1,
    fitted_expected: bool = False,
    draws: int = 999,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """The trimmed phi of ``draws`` datasets simulated with no overdispersion.

    The null model, per data type (the units' own sizes, every unit on the target):

    * SR: :math:`O^*_i \\sim \\text{Poisson}(E_i)`. With ``fitted_expected`` the expected
      counts are recalibrated to each draw's total, :math:`E^*_i = E_i\\sum O^*/\\sum E`,
      as a model with an intercept fitted to that draw would (one degree of freedom);
    * PR: :math:`O^*_i \\sim \\text{Binomial}(N_i, p_0)`, :math:`p_0 = \\sum O/\\sum N`,
      the target re-estimated per draw;
    * RC: :math:`O^*_i \\sim \\text{Binomial}(O_i + D_i, \\sum O/(\\sum O + \\sum D))`
      and :math:`D^*_i = O_i + D_i - O^*_i` (two Poisson counts given their total).

    The z-scores are computed and trimmed as for the data (:func:`trimmed_phi`).

    Raises
    ------
    SpecError
        PR or RC counts that are not whole numbers (the binomial needs them).

    Examples
    --------
    >>> phi0 = null_phi(np.array([30.0, 45, 12, 80]), np.array([200.0, 260, 150, 390]),
    ...                 data_type="PR", trim_by=0.1, draws=199)
    >>> phi0.shape, bool(0.2 < phi0.mean() < 1.2)
    ((199,), True)
    """
    o = np.asarray(numerator, dtype=float)
    d = np.asarray(denominator, dtype=float)
    rng = np.random.default_rng(seed)
    shape = (int(draws), len(o))
    if data_type == "SR":
        o_sim = rng.poisson(np.broadcast_to(d, shape)).astype(float)
        d_sim = np.broadcast_to(d, shape).astype(float)
        if fitted_expected:
            total = o_sim.sum(axis=1, keepdims=True)
            d_sim = d_sim * np.where(total > 0, total / d.sum(), 1.0)
    else:
        size = o + d if data_type == "RC" else d
        if not np.allclose(size, np.round(size)):
            raise SpecError(
                f"funnel: the {data_type} counts are not whole numbers, so the null "
                "(binomial) cannot be simulated"
            )
        size = np.round(size).astype(np.int64)
        p0 = o.sum() / size.sum()
        o_sim = rng.binomial(np.broadcast_to(size, shape), p0).astype(float)
        d_sim = (size - o_sim) if data_type == "RC" else np.broadcast_to(d, shape).astype(float)
    method = "truncate" if (data_type == "SR" and sr_method == "SHMI") else "winsorise"
    return trimmed_phi(_z_rows(o_sim, d_sim, data_type, sr_method), method=method, trim_by=trim_by)


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
    z: np.ndarray,
    s: np.ndarray,
    *,
    method: str,
    trim_by: float,
    target_estimated: bool,
    null: np.ndarray | None = None,
    phi_correction: bool = False,
    no_null_reason: str = "",
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
        Whether the target (PR, RC) or the expected counts (SR from a model fitted to
        the same data) come from the same data; sets the test's df (n - 1, else n).
    null : ndarray, optional
        Trimmed phi of datasets simulated with no overdispersion (:func:`null_phi`):
        with ``trim_by > 0`` they give the p-value and the bias-corrected phi.
    phi_correction : bool
        Put the bias-corrected phi (and its tau^2) in force; needs ``null`` when
        ``trim_by > 0``.
    no_null_reason : str
        Why there is no ``null`` (said in the test's ``reason``).

    Raises
    ------
    SpecError
        When fewer than 2 units are left to estimate phi (a single unit, or too much
        trimming for the number of units), when a remaining z-score is infinite
        (a SHMI unit with 0 events that the truncation did not remove), or when
        ``phi_correction`` is asked for trimmed z-scores without null draws.

    Examples
    --------
    >>> d = dispersion(np.array([-2.0, 0.5, 1.0, 3.0]), np.full(4, 0.1),
    ...                method="winsorise", trim_by=0.1, target_estimated=True)
    >>> round(d.phi, 4), round(d.tau2, 6)
    (2.1431, 0.018575)
    >>> d.test.p_value is None, d.test.method
    (True, 'none')
    >>> d0 = dispersion(np.array([-2.0, 0.5, 1.0, 3.0]), np.full(4, 0.1),
    ...                 method="winsorise", trim_by=0, target_estimated=True)
    >>> d0.test.df, round(d0.test.p_value, 4)  # chi-square: 14.25 on 3 df
    (3, 0.0026)
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
    s_used = np.asarray(s, dtype=float)[used]
    phi = float((1 / n) * np.sum(zu**2))
    tau2 = tau2_dl(n, phi, s_used)
    df = n - 1 if target_estimated else n
    statistic = n * phi
    phi_c = tau2_c = null_mean = float("nan")
    if trim_by == 0:
        test = OverdispersionTest(
            statistic=statistic, df=df, p_value=float(stats.chi2.sf(statistic, df))
        )
        phi_c, tau2_c, null_mean = phi, tau2, 1.0
    elif null is None or len(null) == 0:
        test = OverdispersionTest(
            statistic=statistic,
            df=df,
            p_value=None,
            method="none",
            reason=(
                f"no p-value: the z-scores were trimmed (trim_by={trim_by:g}), so n*phi is "
                "not chi-square (the test would almost never reject), and no null "
                "datasets were simulated" + (f" ({no_null_reason})" if no_null_reason else "")
            ),
        )
    else:
        null = np.asarray(null, dtype=float)
        # ties between a draw and the data are exceedances (discrete counts)
        exceed = int(np.sum(null >= phi * (1 - 1e-12)))
        test = OverdispersionTest(
            statistic=statistic,
            df=df,
            p_value=(1 + exceed) / (1 + len(null)),
            method="parametric bootstrap",
            draws=len(null),
        )
        if np.all(np.isfinite(null)) and null.mean() > 0:
            null_mean = float(null.mean())
            phi_c = phi * (df / n) / null_mean
            tau2_c = tau2_dl(n, phi_c, s_used)
    if phi_correction:
        if not np.isfinite(phi_c):
            raise SpecError(
                "funnel: phi_correction needs simulated null datasets with a finite "
                "trimmed phi (draws > 0; SHMI units with 0 expected-scale events can "
                "make it infinite); use trim_by=0 or phi_correction=False"
            )
        phi_force, tau2_force = phi_c, tau2_c
    else:
        phi_force, tau2_force = phi, tau2
    return Dispersion(
        phi=phi_force,
        tau2=tau2_force,
        n=n,
        used=used,
        z_trimmed=z_trimmed,
        method=method,
        test=test,
        phi_trimmed=phi,
        phi_corrected=phi_c,
        tau2_corrected=tau2_c,
        null_mean=null_mean,
        corrected=bool(phi_correction),
    )
