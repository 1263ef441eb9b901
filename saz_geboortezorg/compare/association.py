"""Association between two indicators: crude and adjusted odds ratios.

Example question: are women with an epidural more likely to have an instrumental birth
or an anal sphincter tear (OASIS)? Both are indicators of the catalogue; the records
counted are those in **both** denominators (for epidural and OASIS: women who
laboured and gave birth vaginally). The odds ratio comes from a logistic regression
of the outcome on the exposure, once alone (crude) and once with the listed
categorical covariates (adjusted; each covariate's most common level is its
reference). Missing covariate values form their own ``unknown`` category. With
``cluster=`` (e.g. ``hospital_id``) the standard errors are cluster-robust (women in one
hospital are not independent). The robust variance rests on only G clusters (17
hospitals), so its intervals and p-values use Student's t with G - 1 degrees of freedom
rather than the normal distribution (as Stata and statsmodels' ``use_t=True`` do); the
result states the df. For 17 clusters the 95% t quantile is 2.12, 8% wider than 1.96.

An adjusted odds ratio is still an association, not an effect: women who ask for an
epidural differ from those who do not in ways a registry does not record (a long,
painful labour, a big baby, fetal position), and those differences also raise the
risk of an instrumental birth. Covariates that lie on the causal path (e.g. duration
of labour) should not be adjusted for.

:func:`odds_ratios` returns a plain DataFrame, not a result object (see
:mod:`saz_geboortezorg.result`): the model, the covariates, the kind of standard error
and its degrees of freedom are columns, and the tables of several outcomes stack with
``pd.concat``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError

__all__ = ["odds_ratios"]


def _design(
    table: pd.DataFrame, exposure: np.ndarray, adjust: Sequence[str], references: dict[str, str]
) -> pd.DataFrame:
    """Intercept, exposure and dummy-coded covariates (reference level per covariate)."""
    parts = [pd.DataFrame({"const": 1.0, "exposure": exposure}, index=table.index)]
    for column in adjust:
        values = table[column].astype("string").fillna("unknown").astype(str)
        levels = values.unique().tolist()
        reference = references[column]
        for level in sorted(lv for lv in levels if lv != reference):
            parts.append(
                pd.DataFrame(
                    {f"{column}={level}": (values == level).astype(float)}, index=table.index
                )
            )
    return pd.concat(parts, axis=1)


def _fit_collapsed(
    sub: pd.DataFrame,
    xe: np.ndarray,
    ye: np.ndarray,
    covariates: list[str],
    clusters: np.ndarray,
    robust: bool,
) -> tuple[float, float, float]:
    """Logistic fit on records collapsed to (cluster, exposure, covariate) patterns.

    Collapsing gives the same estimates as a fit on the records and is much quicker.
    The cluster-robust variance sums the score contributions per cluster, with the
    usual small-sample factor G/(G-1) x (N-1)/(N-K) for N records (as statsmodels and
    Stata do for record-level data).

    Returns the exposure's log odds ratio, its standard error and the degrees of
    freedom of its reference distribution: G - 1 for the cluster-robust variance
    (Student t), infinity (normal) for the model-based one.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    keys = pd.DataFrame(
        {"_cluster": clusters, "exposure": xe}
        | {c: sub[c].astype("string").fillna("unknown").astype(str).to_numpy() for c in covariates}
    )
    # reference level: the most common one among the records (ties: first in sort order)
    references = {
        c: keys[c].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
        for c in covariates
    }
    keys["_events"] = ye
    keys["_trials"] = 1.0
    cols = ["_cluster", "exposure", *covariates]
    pat = keys.groupby(cols, sort=True, observed=True)[["_events", "_trials"]].sum().reset_index()
    design = _design(pat, pat["exposure"].to_numpy(float), covariates, references).to_numpy(float)
    events = pat["_events"].to_numpy(float)
    trials = pat["_trials"].to_numpy(float)
    counts = np.column_stack([events, trials - events])
    with warnings.catch_warnings():
        # a model that fits the patterns exactly is not a problem here
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.GLM(counts, design, family=sm.families.Binomial()).fit()
    beta = np.asarray(fit.params, dtype=float)
    if not robust:
        se, df = float(np.asarray(fit.bse)[1]), np.inf
    else:
        mu = 1 / (1 + np.exp(-design @ beta))
        bread = np.linalg.inv(design.T @ (design * (trials * mu * (1 - mu))[:, None]))
        scores = design * (events - trials * mu)[:, None]
        per_cluster = pd.DataFrame(scores).groupby(pat["_cluster"].to_numpy()).sum().to_numpy()
        meat = per_cluster.T @ per_cluster
        g, n, k = len(per_cluster), trials.sum(), design.shape[1]
        factor = g / (g - 1) * (n - 1) / (n - k)
        se, df = float(np.sqrt(factor * (bread @ meat @ bread)[1, 1])), float(g - 1)
    return float(beta[1]), se, df


@renamed_arguments(level="confidence")
def odds_ratios(
    data: Any,
    exposure: str,
    outcome: str,
    *,
    adjust: Sequence[str] = (),
    cluster: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude and adjusted odds ratio of an outcome indicator for an exposure indicator.

    Parameters
    ----------
    data : Dataset or DataFrame
        A loaded Dataset or an analysis table; both indicators must be on the same
        level (woman or baby).
    exposure, outcome : str
        Indicator ids from the catalogue (e.g. ``epidural`` and ``instrumental``).
    adjust : sequence of str
        Categorical covariate columns for the adjusted model (empty: crude only).
    cluster : str, optional
        Column of clusters for cluster-robust standard errors (e.g. ``hospital_id``);
        intervals and p-values then use Student's t with G - 1 df (G clusters; records
        without a cluster value form one ``unknown`` cluster). At least two clusters.
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per model (``crude``, then ``adjusted`` if ``adjust``): ``exposure``,
        ``outcome``, ``model``, ``n``, ``exposed``, ``rate_exposed_pct``,
        ``rate_unexposed_pct``, ``odds_ratio``, ``or_lcl``, ``or_ucl``, ``p_value``,
        ``adjusted_for``, ``se`` (``model-based`` or ``cluster-robust``),
        ``clusters`` (G; 0 without ``cluster``) and ``df`` (degrees of freedom of the
        interval and p-value: G - 1 with ``cluster``, ``inf`` (normal) without).

    Examples
    --------
    In a 2x2 table the crude odds ratio is ad/bc with Woolf's interval:

    >>> import pandas as pd
    >>> w = pd.DataFrame({"ga_days": [280] * 200, "onset": ["spontaneous"] * 200,
    ...     "pain_relief": [1] * 100 + [0] * 100,
    ...     "pain_relief_method": ["epidural"] * 100 + ["none"] * 100,
    ...     "mode": ["vacuum"] * 20 + ["spontaneous"] * 80 + ["vacuum"] * 10 + ["spontaneous"] * 90})
    >>> r = odds_ratios(w, "epidural", "instrumental")
    >>> r[["model", "n", "odds_ratio", "or_lcl", "or_ucl"]].round(3)
       model    n  odds_ratio  or_lcl  or_ucl
    0  crude  200        2.25   0.994   5.092

    Clustered by hospital, the interval uses t with (number of hospitals - 1) df:

    >>> w["hospital_id"] = ["A", "B", "C", "D"] * 50
    >>> r = odds_ratios(w, "epidural", "instrumental", cluster="hospital_id")
    >>> int(r.clusters[0]), float(r.df[0])
    (4, 3.0)
    """
    from scipy.stats import t as student_t

    from saz_geboortezorg.compare.subgroups import analysis_table
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome

    if not 0 < confidence < 1:
        raise SpecError(f"confidence must lie between 0 and 1 (e.g. 0.95), not {confidence}")
    exp_def, out_def = get(exposure), get(outcome)
    if exp_def.level != out_def.level:
        raise SpecError(f"{exposure!r} and {outcome!r} are on different levels (woman/baby)")
    if exp_def.is_mean or out_def.is_mean:
        raise SpecError("odds_ratios needs event indicators, not means (cost)")
    table = analysis_table(data, exp_def.level)
    missing = [c for c in list(adjust) + ([cluster] if cluster else []) if c not in table.columns]
    if missing:
        raise SpecError(f"the data has no column(s) {', '.join(missing)}")
    keep_e, x = indicator_outcome(table, exp_def)
    keep_o, y = indicator_outcome(table, out_def)
    rows = keep_e & keep_o
    if rows.sum() == 0:
        raise SpecError(f"no records are in the denominators of both {exposure!r} and {outcome!r}")
    sub = table.loc[rows]
    xe = (x[rows] > 0).astype(float).to_numpy()
    ye = (y[rows] > 0).astype(float).to_numpy()
    cl = (
        sub[cluster].astype("string").fillna("unknown").astype(str).to_numpy()
        if cluster
        else np.zeros(len(sub), dtype=int)
    )
    n_clusters = len(np.unique(cl)) if cluster else 0
    if cluster and n_clusters < 2:
        raise SpecError(
            f"cluster-robust standard errors need at least two clusters; the records in "
            f"both denominators have {n_clusters} value(s) of {cluster!r}"
        )
    results = []
    models = [("crude", [])] + ([("adjusted", list(adjust))] if adjust else [])
    for name, covariates in models:
        beta, se, df = _fit_collapsed(sub, xe, ye, covariates, cl, robust=bool(cluster))
        # Student t with G - 1 df for the cluster-robust variance; df = inf is the normal
        q = float(student_t.ppf(0.5 + confidence / 2, df))
        pvalue = float(2 * student_t.sf(abs(beta / se), df))
        results.append(
            {
                "exposure": exposure,
                "outcome": outcome,
                "model": name,
                "n": int(len(ye)),
                "exposed": int(xe.sum()),
                "rate_exposed_pct": 100 * ye[xe == 1].mean() if xe.sum() else np.nan,
                "rate_unexposed_pct": 100 * ye[xe == 0].mean() if (xe == 0).sum() else np.nan,
                "odds_ratio": float(np.exp(beta)),
                "or_lcl": float(np.exp(beta - q * se)),
                "or_ucl": float(np.exp(beta + q * se)),
                "p_value": pvalue,
                "adjusted_for": ", ".join(covariates),
                "se": "cluster-robust" if cluster else "model-based",
                "clusters": n_clusters,
                "df": df,
            }
        )
    return pd.DataFrame(results)
