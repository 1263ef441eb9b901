"""Model diagnostics computed on collapsed patterns (weights = counts).

- c-statistic (area under the ROC curve) with DeLong's variance: every event's
  placement value is the share of non-events with a lower predicted risk (ties count
  one half), and vice versa; with patterns the records of one pattern share their
  placement values, so it is computed exactly from the weighted counts.
- Calibration intercept (calibration-in-the-large: logistic model of the outcome with
  the linear predictor as offset) and calibration slope (coefficient of the linear
  predictor). For the maximum-likelihood logistic model on the data it was fitted to
  they are 0 and 1 by construction (a check of the fit); :func:`calibration` gives
  informative values for other predictions, e.g. a model applied to a later year.
- Calibration by risk decile: records sorted by predicted risk and cut into ten
  groups of (about) equal size; observed and expected events per group, with the
  Hosmer-Lemeshow statistic.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.result import Result

__all__ = ["c_statistic", "calibration", "calibration_deciles", "CalibrationDeciles"]


@renamed_arguments(level="confidence")
def c_statistic(
    risk: np.ndarray, events: np.ndarray, trials: np.ndarray, confidence: float = 0.95
) -> dict[str, float]:
    """c-statistic with a DeLong interval, from patterns.

    Parameters
    ----------
    risk : ndarray (m,)
        Predicted risk (or any score) per pattern.
    events, trials : ndarray (m,)

    Returns
    -------
    dict
        ``c``, ``se``, ``lcl``, ``ucl`` (interval on the logit scale, kept in 0..1).

    Examples
    --------
    >>> r = c_statistic(np.array([0.1, 0.2, 0.3]), np.array([1, 1, 2.]), np.array([4, 2, 2.]))
    >>> round(r["c"], 4)
    0.8125
    """
    from saz_geboortezorg.stats.intervals import z_value

    risk = np.asarray(risk, float)
    pos = np.asarray(events, float)
    neg = np.asarray(trials, float) - pos
    uniq, inv = np.unique(risk, return_inverse=True)
    P = np.bincount(inv, weights=pos, minlength=len(uniq))
    N = np.bincount(inv, weights=neg, minlength=len(uniq))
    n1, n0 = P.sum(), N.sum()
    if n1 == 0 or n0 == 0:
        return {"c": float("nan"), "se": float("nan"), "lcl": float("nan"), "ucl": float("nan")}
    neg_below = np.cumsum(N) - N
    pos_below = np.cumsum(P) - P
    v10 = (neg_below + 0.5 * N) / n0  # per distinct risk, for events
    v01 = 1 - (pos_below + 0.5 * P) / n1  # per distinct risk, for non-events
    c = float(np.sum(P * v10) / n1)
    s10 = np.sum(P * (v10 - c) ** 2) / (n1 - 1) if n1 > 1 else 0.0
    s01 = np.sum(N * (v01 - c) ** 2) / (n0 - 1) if n0 > 1 else 0.0
    se = float(np.sqrt(s10 / n1 + s01 / n0))
    z = z_value(confidence)
    if 0 < c < 1 and se > 0:
        logit = np.log(c / (1 - c))
        half = z * se / (c * (1 - c))
        lcl, ucl = 1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))
    else:
        lcl = ucl = c
    return {"c": c, "se": se, "lcl": float(lcl), "ucl": float(ucl)}


def calibration(lp: np.ndarray, events: np.ndarray, trials: np.ndarray) -> dict[str, float]:
    """Calibration intercept (with the linear predictor as offset) and slope.

    Examples
    --------
    >>> lp = np.log(np.array([0.1, 0.3]) / np.array([0.9, 0.7]))
    >>> r = calibration(lp, np.array([10., 30.]), np.array([100., 100.]))
    >>> round(r["intercept"], 8) + 0, round(r["slope"], 8)
    (0.0, 1.0)
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    lp = np.asarray(lp, float)
    endog = np.column_stack([events, np.asarray(trials, float) - events])
    fam = families.Binomial()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        itc = GLM(endog, np.ones((len(lp), 1)), family=fam, offset=lp).fit(tol=1e-12)
        X = np.column_stack([np.ones(len(lp)), lp])
        slope = GLM(endog, X, family=fam).fit(tol=1e-12)
    return {
        "intercept": float(itc.params[0]),
        "intercept_se": float(itc.bse[0]),
        "slope": float(slope.params[1]),
        "slope_se": float(slope.bse[1]),
    }


@dataclass(repr=False)
class CalibrationDeciles(Result):
    """Observed and expected events by group of predicted risk, with the
    Hosmer-Lemeshow test (from :func:`calibration_deciles`).

    Attributes
    ----------
    table : DataFrame
        ``group``, ``n``, ``mean_risk``, ``observed``, ``expected``, ``observed_rate``,
        ``lcl``, ``ucl`` (Wilson 95%).
    hosmer_lemeshow : float
        The Hosmer-Lemeshow statistic, sum over groups of (O - E)^2 / (E (1 - E/n)).
    p : float
        Its p-value against chi-squared with ``df`` degrees of freedom.
    df : int
        Groups minus 2 (at least 1).
    """

    table: pd.DataFrame
    hosmer_lemeshow: float = float("nan")
    p: float = float("nan")
    df: int = 1

    def summary(self) -> str:
        """Plain text: the groups and the Hosmer-Lemeshow test.

        Examples
        --------
        >>> r = calibration_deciles(np.array([0.1, 0.5]), np.array([2., 5.]),
        ...                         np.array([10., 10.]), 2)
        >>> print(r.summary())
        Calibration by risk group: 2 groups, 20 records, 7 events (6.0 expected)
        Hosmer-Lemeshow 1.11 on 1 df, p = 0.292
        """
        t = self.table
        return (
            f"Calibration by risk group: {len(t)} groups, {t['n'].sum():.0f} records, "
            f"{t['observed'].sum():.0f} events ({t['expected'].sum():.1f} expected)\n"
            f"Hosmer-Lemeshow {self.hosmer_lemeshow:.2f} on {self.df} df, p = {self.p:.3f}"
        )

    def chart(self, **options: Any) -> Any:
        """Observed against predicted risk per group:
        :func:`saz_geboortezorg.present.calibration_chart.calibration_chart`."""
        from saz_geboortezorg.present.calibration_chart import calibration_chart

        return calibration_chart(self, **options)


def calibration_deciles(
    risk: np.ndarray, events: np.ndarray, trials: np.ndarray, groups: int = 10
) -> pd.DataFrame:
    """Observed and expected events by group of predicted risk.

    Patterns are sorted by risk and assigned to the group where their records'
    cumulative count falls (a pattern is never split), so groups are of about equal size.

    Returns
    -------
    CalibrationDeciles
        ``table``: ``group``, ``n``, ``mean_risk``, ``observed``, ``expected``,
        ``observed_rate``, ``lcl``, ``ucl`` (Wilson); fields ``hosmer_lemeshow``, ``p``
        and ``df``.

    Examples
    --------
    >>> t = calibration_deciles(np.array([0.1, 0.5]), np.array([1., 5.]), np.array([10., 10.]), 2)
    >>> t.table[["n", "observed", "expected"]].values.tolist()
    [[10.0, 1.0, 1.0], [10.0, 5.0, 5.0]]
    """
    from scipy.stats import chi2

    from saz_geboortezorg.stats.intervals import wilson

    risk = np.asarray(risk, float)
    events = np.asarray(events, float)
    trials = np.asarray(trials, float)
    order = np.argsort(risk, kind="stable")
    cum = np.cumsum(trials[order])
    mid = cum - trials[order] / 2
    g = np.minimum((mid / cum[-1] * groups).astype(int), groups - 1)
    grp = np.empty_like(g)
    grp[order] = g
    n = np.bincount(grp, weights=trials, minlength=groups)
    o = np.bincount(grp, weights=events, minlength=groups)
    e = np.bincount(grp, weights=risk * trials, minlength=groups)
    keep = n > 0
    n, o, e = n[keep], o[keep], e[keep]
    lo, hi = wilson(o, n)
    out = pd.DataFrame(
        {
            "group": np.arange(1, keep.sum() + 1),
            "n": n,
            "mean_risk": e / n,
            "observed": o,
            "expected": e,
            "observed_rate": o / n,
            "lcl": lo,
            "ucl": hi,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        hl = float(np.nansum((o - e) ** 2 / (e * (1 - e / n))))
    df = max(len(n) - 2, 1)
    return CalibrationDeciles(out, hosmer_lemeshow=hl, p=float(chi2.sf(hl, df)), df=df)
