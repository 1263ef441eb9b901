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

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import SazDeprecationWarning, renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result
from saz_geboortezorg.stats.intervals import newcombe_difference, wilson

__all__ = ["hospital_features", "feature_comparison", "FeatureComparison"]


@dataclass(repr=False)
class FeatureComparison(Result):
    """Hospitals with and without a feature (a result: ``table``, ``summary()``,
    ``chart()``, ``to_dict()``; it prints as its ``table``).

    Attributes
    ----------
    table : DataFrame
        One row per feature value (``labels[0]``, then ``labels[1]``): the feature
        column (named ``feature``), ``hospitals``, ``denominator``, ``numerator``,
        pooled ``rate`` with ``wilson_lcl``/``wilson_ucl``, and the unweighted
        ``mean_hospital_rate``, ``min_hospital_rate``, ``max_hospital_rate``.
    comparison : DataFrame
        One row: ``feature``, pooled ``difference`` (yes - no) with
        ``difference_lcl``/``difference_ucl`` (Newcombe; women independent), the
        quasi-binomial ``odds_ratio`` with ``or_lcl``/``or_ucl`` and ``p_value``, the
        ``dispersion`` used and the number of ``hospitals``.
    feature : str
        Name of the feature.
    labels : (str, str)
        Labels of feature 0 and 1.
    confidence : float
        Confidence level of every interval.
    measure : str
        The indicator's unit (``percent``, ``per_1000``; ``""`` for a proportion).

    Unpacking it as ``groups, comparison = feature_comparison(...)`` (the tuple it
    returned before) still works for one release, with a deprecation warning.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    feature: str = "feature"
    labels: tuple[str, str] = ("no", "yes")
    confidence: float = 0.95
    measure: str = ""

    def __iter__(self) -> Iterator[pd.DataFrame]:
        warnings.warn(
            "feature_comparison() returns a FeatureComparison result; unpacking it as "
            "(groups, comparison) is deprecated and will be removed in the next release; "
            "use result.table and result.comparison instead",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return iter((self.table, self.comparison))

    def summary(self) -> str:
        """Plain text: the pooled rates, the difference and the odds ratio.

        Examples
        --------
        >>> rates = pd.DataFrame({"unit": ["A", "B", "C", "D"], "numerator": [15, 15, 10, 10],
        ...                       "denominator": [50, 50, 50, 50], "measure": "percent"})
        >>> r = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}),
        ...                        name="epiduraal_24_7")
        >>> print(r.summary())
        Hospitals by epiduraal_24_7: 4 hospitals, rates in percent, 95% intervals
          no: 2 hospitals, 20/100 = 20 (13.3 to 28.9); hospitals from 20 to 20
          yes: 2 hospitals, 30/100 = 30 (21.9 to 39.6); hospitals from 30 to 30
        Pooled difference (yes - no): 10 (-2.02 to 21.7), women independent
        Odds ratio between hospital groups (quasi-binomial, dispersion 1): 1.71 (0.411 to 7.15), p = 0.25
        """
        c = self.comparison.iloc[0]
        unit = f"rates in {self.measure}" if self.measure else "rates as proportions"
        lines = [
            f"Hospitals by {self.feature}: {int(c['hospitals'])} hospitals, {unit}, "
            f"{100 * self.confidence:g}% intervals"
        ]
        for r in self.table.itertuples(index=False):
            row = r._asdict()
            lines.append(
                f"  {row[self.feature]}: {row['hospitals']} hospital"
                f"{'s' if row['hospitals'] != 1 else ''}, {row['numerator']}/"
                f"{row['denominator']} = {row['rate']:.3g} ({row['wilson_lcl']:.3g} to "
                f"{row['wilson_ucl']:.3g}); hospitals from {row['min_hospital_rate']:.3g} "
                f"to {row['max_hospital_rate']:.3g}"
            )
        lines.append(
            f"Pooled difference ({self.labels[1]} - {self.labels[0]}): "
            f"{c['difference']:.3g} ({c['difference_lcl']:.3g} to {c['difference_ucl']:.3g}), "
            "women independent"
        )
        if math.isfinite(c["or_lcl"]):
            lines.append(
                f"Odds ratio between hospital groups (quasi-binomial, dispersion "
                f"{c['dispersion']:.3g}): {c['odds_ratio']:.3g} ({c['or_lcl']:.3g} to "
                f"{c['or_ucl']:.3g}), p = {c['p_value']:.2g}"
            )
        else:
            lines.append(
                f"Odds ratio between hospital groups: {c['odds_ratio']:.3g} (no interval: "
                "too few hospitals to estimate the dispersion)"
            )
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """The pooled rate of each group with its Wilson interval (altair chart; options
        go to :func:`saz_geboortezorg.present.caterpillar.caterpillar_chart`, e.g.
        ``title``, ``language``)."""
        from saz_geboortezorg.present.caterpillar import caterpillar_chart

        defaults = {
            "unit": self.feature,
            "estimate": "rate",
            "lower": "wilson_lcl",
            "upper": "wilson_ucl",
            "reference": None,
            "log_scale": False,
            "title": f"Pooled rate by {self.feature}",
            "x_title": f"rate ({self.measure})" if self.measure else "rate",
            "interval_label": f"{100 * self.confidence:g}% Wilson interval",
        }
        return caterpillar_chart(self.table, **{**defaults, **options})


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
    rates: Any,
    feature: pd.Series,
    *,
    name: str = "feature",
    labels: tuple[str, str] = ("no", "yes"),
    confidence: float = 0.95,
) -> FeatureComparison:
    """Indicator rates of hospitals with and without a feature.

    Parameters
    ----------
    rates : IndicatorRates or DataFrame
        Output of ``sg.compute(data, indicator, unit="hospital")`` (the result or its
        ``.table``), or any table with ``unit``, ``numerator``, ``denominator`` and
        optionally ``measure``.
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
    FeatureComparison
        ``.table``: one row per feature value: ``hospitals``, ``denominator``,
        ``numerator``, pooled ``rate`` with ``wilson_lcl``/``wilson_ucl``, and the
        unweighted ``mean_hospital_rate``, ``min_hospital_rate``, ``max_hospital_rate``.
        ``.comparison``: one row: pooled ``difference`` (yes - no) with the Newcombe
        interval (women independent), the quasi-binomial ``odds_ratio`` with
        ``or_lcl``/``or_ucl`` and ``p_value``, and the ``dispersion`` used. (Before, a
        tuple ``(groups, comparison)``; unpacking still works for one release, with a
        deprecation warning.)

    Examples
    --------
    Four hospitals, two with the feature; the hospitals agree within each group, so
    the dispersion is floored at 1 and the odds ratio is (30/70) / (20/80):

    >>> import pandas as pd
    >>> rates = pd.DataFrame({"unit": ["A", "B", "C", "D"], "numerator": [15, 15, 10, 10],
    ...                       "denominator": [50, 50, 50, 50], "measure": "percent"})
    >>> r = feature_comparison(rates, pd.Series({"A": 1, "B": 1, "C": 0, "D": 0}))
    >>> r.table[["feature", "hospitals", "rate"]]
      feature  hospitals  rate
    0      no          2  20.0
    1     yes          2  30.0
    >>> round(float(r.comparison["odds_ratio"].iloc[0]), 4), float(r.comparison["dispersion"].iloc[0])
    (1.7143, 1.0)
    """
    import statsmodels.api as sm
    from scipy.stats import t as student_t
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    if not isinstance(rates, pd.DataFrame):  # a result of sg.compute
        rates = rates.table
    needed = [c for c in ("unit", "numerator", "denominator") if c not in rates.columns]
    if needed:
        raise SpecError(f"feature_comparison needs column(s) {', '.join(needed)} from compute()")
    flag = pd.to_numeric(rates["unit"].astype(str).map(feature), errors="coerce")
    frame = rates.assign(_flag=flag).dropna(subset=["_flag"])
    frame = frame[frame["denominator"] > 0]
    if frame["_flag"].nunique() < 2:
        raise SpecError(f"every hospital has the same value of {name!r}: nothing to compare")
    measure = str(rates["measure"].iloc[0]) if "measure" in rates.columns else ""
    mult = {"percent": 100.0, "per_1000": 1000.0}.get(measure, 1.0)
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
    return FeatureComparison(
        table=groups,
        comparison=comparison,
        feature=name,
        labels=(str(labels[0]), str(labels[1])),
        confidence=float(confidence),
        measure=measure if mult != 1.0 else "",
    )
