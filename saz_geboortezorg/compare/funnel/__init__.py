"""Funnel plots of practice variation, with overdispersion, matching FunnelPlotR.

A funnel plot shows each unit's indicator against its size (expected count, number of
cases) with control limits around the target that narrow as units grow (Spiegelhalter
2005a). Units outside the 95% ('alert') or 99.8% ('alarm') limits differ from the target
by more than chance, *if* the only variation is within-unit sampling variation. Real
benchmarks usually show more variation than that (overdispersion), which makes too many
units look special; Spiegelhalter (2005b) widens the limits with a between-unit variance
:math:`\\tau^2` (an additive random-effects model).

The computation is split in steps, one module each, following FunnelPlotR:

1. :mod:`.aggregate`: check the input and sum it per unit (SHMI: round expected counts to
   2 decimals);
2. :mod:`.transform`: log (SHMI), square root (CQC), arcsine (PR) or log (RC)
   transformation and unadjusted z-scores;
3. :mod:`.overdispersion`: truncation (SHMI) or winsorisation (CQC, PR, RC) of the
   z-scores, the dispersion ratio :math:`\\phi`, DerSimonian-Laird :math:`\\tau^2` and a
   test of overdispersion (chi-square untrimmed, parametric bootstrap when trimmed);
4. :mod:`.limits`: exact Poisson, arcsine/exact binomial and log-normal limits, without
   and with :math:`\\tau^2`;
5. :mod:`.result`: :class:`FunnelResult` with the per-unit table, limit curves for any
   denominators, JSON output and the chart.

Agreement with FunnelPlotR 0.6.0 (R) is tested to 1e-9 on fixed datasets (see
``tests/compare/reference``). Where this module deliberately differs from FunnelPlotR:

* **CQC overdispersion-adjusted limits are squared back** to the ratio scale,
  :math:`(1 \\mp z\\sqrt{s^2 + \\tau^2})^2`. FunnelPlotR returns the square-root-scale
  values :math:`1 \\mp z\\sqrt{s^2 + \\tau^2}` (its open issue #33), so its adjusted CQC
  limits are about half as wide as they should be and narrower than its own unadjusted
  limits.
* **PR limits clip the arcsine angle** to :math:`[0, \\pi/2]`; FunnelPlotR compares
  neighbouring rows of its plotting grid instead, which can leave a small positive lower
  limit (wrongly flagging units with 0 events) at the largest denominator or where the
  angle crosses 0. Both agree wherever the angle is inside :math:`[0, \\pi/2]`.
* **trim_by=0** means no truncation; FunnelPlotR's SHMI truncation then drops every unit.
* Missing values, zero or negative denominators, and numerators above denominators for
  proportions raise :class:`~saz_geboortezorg.errors.SpecError` instead of propagating
  NaN/Inf.
* Normal quantiles are rounded to 6 decimals (1.959964, 3.090232) exactly as FunnelPlotR
  hard-codes them, for any level.
* As in FunnelPlotR, the SHMI method rounds aggregated expected counts to 2 decimals
  for z-scores, phi and limits, while the plotted value (and so the flag) uses the
  unrounded ratio; the RC limits use the standard error :math:`1/(2\\sqrt{n})` while
  the RC z-scores use the delta-method one (both as FunnelPlotR).
* Additions: the overdispersion-adjusted z-score, a test of overdispersion (a
  parametric bootstrap of the trimmed phi: trimming makes the chi-square reference
  wrong), a bias-corrected phi (``phi_correction``, a sensitivity view; off by default),
  n - 1 degrees of freedom for expected counts fitted to the same data
  (``fitted_expected``), exact binomial limits with Spiegelhalter's interpolation
  (``pr_limits="exact"``).

References
----------
Spiegelhalter DJ (2005a). Funnel plots for comparing institutional performance.
*Statistics in Medicine* 24:1185-1202. doi:10.1002/sim.1970

Spiegelhalter DJ (2005b). Handling over-dispersion of performance indicators.
*Quality and Safety in Health Care* 14:347-351. doi:10.1136/qshc.2005.013755

Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M, et al. (2012). Statistical methods for
healthcare regulation: rating, screening and surveillance. *JRSS A* 175:1-47 (the CQC
method). doi:10.1111/j.1467-985X.2011.01010.x

NHS Digital. Summary Hospital-level Mortality Indicator (SHMI): methodology / indicator
specification (truncation of the extreme 10% of z-scores, expected counts to 2 decimals).
https://digital.nhs.uk/data-and-information/publications/ci-hub/summary-hospital-level-mortality-indicator-shmi

DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. *Controlled Clinical
Trials* 7:177-188.

Mainey C et al. FunnelPlotR: Funnel plots for comparing institutional performance,
R package version 0.6.0. https://github.com/nhs-r-community/FunnelPlotR
"""

from __future__ import annotations

from saz_geboortezorg.compare.funnel.api import funnel, refit_funnel
from saz_geboortezorg.compare.funnel.examples import example_units
from saz_geboortezorg.compare.funnel.result import FunnelResult

__all__ = ["FunnelResult", "funnel", "refit_funnel", "example_units"]
