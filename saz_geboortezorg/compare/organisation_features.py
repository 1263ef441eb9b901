"""Compare an indicator between hospitals with and without an organisational feature.

Example: is the epidural rate higher in hospitals that offer epidural analgesia around
the clock (*epiduraal 24/7*)? The features come from the ``organisaties`` extract
(``epiduraal_24_7``, ``inductiebeleid_41_weken``, ``nicu``, ``geboortecentrum``).

The unit of comparison is the hospital, because the feature is a property of the
hospital: women in one hospital share its policies, so they are not independent
observations. Two comparisons are reported:

- the **pooled** rate per feature value (all women of those hospitals together) with
  its Wilson interval, and the pooled difference with Newcombe's interval; this
  interval treats women as independent and is too narrow when hospitals differ for
  other reasons;
- an **odds ratio between hospital groups from a quasi-binomial model** on the
  hospital counts (logit of the hospital rate on the feature). The dispersion is
  estimated from the Pearson chi-square of the hospitals around their group's rate
  (floored at 1) and the interval uses the t distribution with (hospitals - 2)
  degrees of freedom: the between-hospital variation widens the interval.

With 17 hospitals, a few of them without the feature, such a comparison has little
power and cannot separate the feature from everything else those hospitals do.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.stats.intervals import newcombe_difference, wilson

__all__ = ["hospital_features", "feature_comparison"]


def hospital_features(data: Any) -> pd.DataFrame:
    """The hospital rows of the ``organisaties`` extract with their feature flags.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> org = pd.DataFrame({"organisatie_id": ["ZH01", "VP001"], "organisatie_type": ["ZH", "VP"],
    ...                     "regio_id": ["R01", "R01"], "epiduraal_24_7": [0, None]})
    >>> hospital_features(SimpleNamespace(sources={"organisaties": org}))
      hospital_id region_id  epiduraal_24_7
    0        ZH01       R01             0.0
    """
    sources = getattr(data, "sources", None) or {}
    org = sources.get("organisaties")
    if not isinstance(org, pd.DataFrame):
        raise SpecError("hospital features need a loaded Dataset with the organisaties extract")
    hospitals = org[org["organisatie_type"].astype(str) == "ZH"]
    keep = ["organisatie_id", "regio_id"] + [
        c
        for c in ("epiduraal_24_7", "inductiebeleid_41_weken", "nicu", "geboortecentrum")
        if c in hospitals.columns
    ]
    return (
        hospitals[keep]
        .rename(columns={"organisatie_id": "hospital_id", "regio_id": "region_id"})
        .reset_index(drop=True)
    )


@renamed_arguments(level="confidence")
def feature_comparison(
    rates: pd.DataFrame,
    feature: pd.Series,
    *,
    name: str = "feature",
    labels: tuple[str, str] = ("no", "yes"),
    confidence: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator rates of hospitals with and without a feature.

    Parameters
    ----------
    rates : DataFrame
        Output of ``sg.compute(data, indicator, unit="hospital")`` (``unit``,
        ``numerator``, ``denominator``, ``measure``).
    feature : Series
        0/1 per hospital, indexed by hospital id (e.g. from :func:`hospital_features`).
        Hospitals without a value are left out.
    name : str
        Name of the feature in the output.
    labels : (str, str)
        Labels for feature 0 and 1.
    confidence : float
        Confidence level.

    Returns
    -------
    (groups, comparison) : tuple of DataFrame
        ``groups``: one row per feature value: ``hospitals``, ``denominator``,
        ``numerator``, pooled ``rate`` with ``wilson_lcl``/``wilson_ucl``, and the
        unweighted ``mean_hospital_rate``, ``min_hospital_rate``, ``max_hospital_rate``.
        ``comparison``: one row: pooled ``difference`` (yes - no) with the Newcombe
        interval (women independent), the quasi-binomial ``odds_ratio`` with
        ``or_lcl``/``or_ucl`` and ``p_value``, and the ``dispersion`` used.

    Examples
    --------
    Four hospitals, two with the feature; the hospitals agree within each group, so
    the dispersion is floored at 1 and the odds ratio is (30/70) / (20/80):

    >>> import pandas as pd
    >>> rates = pd.DataFrame({"unit": ["A", "B", "C", "D"], "numerator": [15, 15, 10, 10],
    ...                       "denominator": [50, 50, 50, 50], "measure": "percent"})
    >>> groups, cmp = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}))
    >>> groups[["feature", "hospitals", "rate"]]
      feature  hospitals  rate
    0      no          2  20.0
    1     yes          2  30.0
    >>> round(float(cmp["odds_ratio"].iloc[0]), 4), float(cmp["dispersion"].iloc[0])
    (1.7143, 1.0)
    """
    import statsmodels.api as sm
    from scipy.stats import t as student_t
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    needed = [c for c in ("unit", "numerator", "denominator") if c not in rates.columns]
    if needed:
        raise SpecError(f"feature_comparison needs column(s) {', '.join(needed)} from compute()")
    flag = pd.to_numeric(rates["unit"].astype(str).map(feature), errors="coerce")
    frame = rates.assign(_flag=flag).dropna(subset=["_flag"])
    frame = frame[frame["denominator"] > 0]
    if frame["_flag"].nunique() < 2:
        raise SpecError(f"every hospital has the same value of {name!r}: nothing to compare")
    mult = {"percent": 100.0, "per_1000": 1000.0}.get(
        str(rates["measure"].iloc[0]) if "measure" in rates.columns else "", 1.0
    )
    hospital_rate = mult * frame["numerator"] / frame["denominator"]
    rows = []
    for value in (0, 1):
        part = frame[frame["_flag"] == value]
        x, n = float(part["numerator"].sum()), float(part["denominator"].sum())
        lo, hi = wilson(x, n, confidence)
        hr = hospital_rate[part.index]
        rows.append(
            {
                name: labels[value],
                "hospitals": len(part),
                "denominator": int(n),
                "numerator": int(x),
                "rate": mult * x / n,
                "wilson_lcl": mult * float(lo),
                "wilson_ucl": mult * float(hi),
                "mean_hospital_rate": float(hr.mean()),
                "min_hospital_rate": float(hr.min()),
                "max_hospital_rate": float(hr.max()),
            }
        )
    groups = pd.DataFrame(rows)
    x1, n1, x0, n0 = (groups.loc[i, c] for i in (1, 0) for c in ("numerator", "denominator"))
    d, dl, du = newcombe_difference(x1, n1, x0, n0, confidence)

    counts = np.column_stack(
        [
            frame["numerator"].to_numpy(float),
            (frame["denominator"] - frame["numerator"]).to_numpy(float),
        ]
    )
    design = sm.add_constant(frame["_flag"].to_numpy(float))
    with warnings.catch_warnings():
        # a model that fits the patterns exactly is not a problem here
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.GLM(counts, design, family=sm.families.Binomial()).fit()
    df_resid = len(frame) - 2
    dispersion = max(1.0, float(fit.pearson_chi2) / df_resid) if df_resid > 0 else np.nan
    beta = float(fit.params[1])
    se = float(fit.bse[1]) * np.sqrt(dispersion)
    if df_resid > 0:
        q = float(student_t.ppf(0.5 + confidence / 2, df_resid))
        p = float(2 * student_t.sf(abs(beta / se), df_resid))
    else:
        q = p = np.nan
    comparison = pd.DataFrame(
        [
            {
                "feature": name,
                "difference": mult * float(d),
                "difference_lcl": mult * float(dl),
                "difference_ucl": mult * float(du),
                "odds_ratio": float(np.exp(beta)),
                "or_lcl": float(np.exp(beta - q * se)),
                "or_ucl": float(np.exp(beta + q * se)),
                "p_value": p,
                "dispersion": dispersion,
                "hospitals": len(frame),
            }
        ]
    )
    return groups, comparison
