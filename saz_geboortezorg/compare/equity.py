"""Equity: how an indicator differs between socio-economic (or other ordered) groups.

Input is a table of rates per unit and group from
:func:`saz_geboortezorg.compare.subgroups.group_rates` (counts ``numerator`` and
``denominator`` per group). Two families of measures, per unit:

**Gap between the extremes** (:func:`inequality_gap`): the rate in the most deprived
group minus the rate in the least deprived group (absolute difference) and their
ratio (relative difference).

- Difference: Newcombe's hybrid score interval ("method 10", Newcombe 1998), built
  from the two groups' Wilson intervals; good coverage also for small counts and
  rates near 0.
- Ratio: Wald interval on the log ratio (Katz et al. 1978),
  se(log RR) = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2); undefined (NaN) when either group has
  no events.

**Slope and relative index of inequality** (:func:`slope_index`), the regression-
based measures of Mackenbach & Kunst (1997) as used by the WHO Health Equity
Assessment Toolkit. They use every group, weighted by its size, not only the
extremes:

1. Order the groups from most deprived to least deprived. Each group gets a
   *ridit* score: the midpoint of its range in the cumulative population
   distribution of the unit, e.g. five equal quintiles get 0.1, 0.3, 0.5, 0.7, 0.9.
2. Regress the group rates on the ridits by weighted least squares, weights the
   group sizes (the denominators): rate(x) = a + b x.
3. SII = rate(0) - rate(1) = -b: the fitted rate of the most deprived end of the
   population minus that of the least deprived end. **Positive SII: higher rates
   among the deprived.**
4. RII = rate(0) / rate(1) = a / (a + b): the ratio of the same two fitted rates.
   (Mackenbach & Kunst also describe SII divided by the mean rate; ``mean_rate`` is
   returned so it can be derived.)

Intervals for SII and RII: the ridits are treated as fixed and the group rates as
independent binomial proportions; a and b are linear in the rates, so their
variances follow exactly from Var(p_g) = p_g (1 - p_g) / n_g. The SII interval is a
Wald interval; the RII interval is a Wald interval on log RII (delta method). These
intervals reflect sampling variation of the rates only, not lack of fit of the
straight line. With five groups there are three residual degrees of freedom, too
few for the regression's own residual-based standard error, which is why it is not
used.

Edge cases: a group with no records in the denominator is left out (weight 0) and
the ridits are computed from the remaining groups; groups not listed in ``order``
(e.g. ``unknown``) are left out; a unit with fewer than two groups with records has
SII and RII NaN; a group with zero events contributes zero variance (the Wald
interval can then be too narrow: read it together with the counts); RII is NaN
when a fitted end rate is zero or negative.

References
----------
Newcombe RG (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Stat Med 17:873-890.
Mackenbach JP, Kunst AE (1997). Measuring the magnitude of socio-economic
inequalities in health: an overview of available measures illustrated with two
examples from Europe. Soc Sci Med 44:757-771.
WHO (2013). Handbook on health inequality monitoring, section 4.

These functions return plain DataFrames, not result objects (see
:mod:`saz_geboortezorg.result`): they carry no metadata beyond their columns (the
indicator and the unit are columns; the confidence level is the caller's argument),
the tables of several indicators stack with ``pd.concat``, and
:func:`~saz_geboortezorg.present.equity_chart.gradient_chart` draws them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.subgroups import group_rates
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.stats.intervals import newcombe_difference, z_value

__all__ = [
    "ridits",
    "newcombe_difference",
    "log_ratio_interval",
    "inequality_gap",
    "slope_index",
    "equity_table",
    "equity_from_rates",
]

_MULTIPLIER = {"percent": 100.0, "per_1000": 1000.0}


def ridits(sizes: Sequence[float]) -> np.ndarray:
    """Ridit scores: the midpoint of each group's range in the cumulative distribution.

    Parameters
    ----------
    sizes : sequence of float
        Group sizes in rank order (most deprived first). Zero-size groups get NaN.

    Returns
    -------
    ndarray
        One score per group, between 0 and 1.

    Examples
    --------
    >>> ridits([20, 20, 20, 20, 20]).round(2).tolist()
    [0.1, 0.3, 0.5, 0.7, 0.9]
    >>> ridits([10, 0, 30]).tolist()
    [0.125, nan, 0.625]
    """
    n = np.asarray(sizes, dtype=float)
    total = n.sum()
    if total <= 0:
        return np.full(n.shape, np.nan)
    scores = (np.cumsum(n) - n / 2) / total
    return np.where(n > 0, scores, np.nan)


@renamed_arguments(level="confidence")
def log_ratio_interval(
    x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of two proportions p1 / p2 with a Wald interval on the log ratio (Katz).

    Returns NaN bounds when either group has no events (the log ratio is undefined),
    a NaN ratio when the second group has no events, and NaN throughout when a
    denominator is 0.

    Examples
    --------
    >>> r, lo, hi = log_ratio_interval(20, 100, 10, 100)
    >>> round(float(r), 3), round(float(lo), 3), round(float(hi), 3)
    (2.0, 0.987, 4.054)
    >>> log_ratio_interval(0, 50, 5, 50)[1].tolist()
    nan
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = np.where(n1 > 0, x1 / n1, np.nan)
        p2 = np.where(n2 > 0, x2 / n2, np.nan)
        ratio = np.where(x2 > 0, p1 / p2, np.nan)
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        ok = (x1 > 0) & (x2 > 0)
        lower = np.where(ok, np.exp(np.log(ratio) - z * se), np.nan)
        upper = np.where(ok, np.exp(np.log(ratio) + z * se), np.nan)
    return ratio, lower, upper


def _multiplier(rates: pd.DataFrame) -> float:
    if "measure" in rates.columns and len(rates):
        return _MULTIPLIER.get(str(rates["measure"].iloc[0]), 1.0)
    return 1.0


def _check(rates: pd.DataFrame, group: str, unit: str | None) -> None:
    needed = [group, "numerator", "denominator"] + ([unit] if unit else [])
    missing = [c for c in needed if c not in rates.columns]
    if missing:
        raise SpecError(
            f"equity measures need column(s) {', '.join(missing)} "
            "(use the output of compare.subgroups.group_rates)"
        )


def _group_sums(frame: pd.DataFrame, group: str, groups: Sequence[str]) -> tuple:
    """``numerator`` and ``denominator`` summed per group (compared as text), in the order
    of ``groups``, as float arrays; 0 for a group without rows.

    Integer counts (as :func:`~saz_geboortezorg.compare.subgroups.group_rates` gives) are
    summed in one group-by (exact); other counts group by group as a plain sum.

    Examples
    --------
    >>> t = pd.DataFrame({"q": ["1", "5", "1"], "numerator": [1, 2, 3],
    ...                   "denominator": [10, 20, 30]})
    >>> _group_sums(t, "q", ["1", "3", "5"])
    (array([4., 0., 2.]), array([40.,  0., 20.]))
    """
    keys = frame[group].astype(str)
    counts = frame[["numerator", "denominator"]]
    if all(pd.api.types.is_integer_dtype(counts[c]) for c in counts.columns):
        sums = counts.groupby(keys.to_numpy(dtype=object), sort=False).sum()
        sums = sums.reindex(list(groups), fill_value=0)
        return sums["numerator"].to_numpy(dtype=float), sums["denominator"].to_numpy(dtype=float)
    x = np.array([counts.loc[keys == g, "numerator"].sum() for g in groups], dtype=float)
    n = np.array([counts.loc[keys == g, "denominator"].sum() for g in groups], dtype=float)
    return x, n


def _units(rates: pd.DataFrame, unit: str | None):
    if unit is None:
        yield "all", rates
    else:
        yield from rates.groupby(rates[unit].astype(str), sort=True)


@renamed_arguments(level="confidence")
def inequality_gap(
    rates: pd.DataFrame,
    *,
    group: str = "ses_quintile",
    most: str = "1",
    least: str = "5",
    unit: str | None = "region",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Absolute and relative gap between the most and least deprived group, per unit.

    Parameters
    ----------
    rates : DataFrame
        Counts per unit and group (``numerator``, ``denominator``), e.g. from
        :func:`~saz_geboortezorg.compare.subgroups.group_rates`.
    group : str
        The grouping column.
    most, least : str
        The most and least deprived group (compared as text).
    unit : str or None
        The unit column; None: the table is one unit (``all``).
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        Per unit: ``n_most``, ``rate_most``, ``n_least``, ``rate_least`` (rates in the
        table's measure), ``difference`` (most - least, same measure) with Newcombe
        ``difference_lcl``/``difference_ucl``, and ``ratio`` (most / least) with
        log-Wald ``ratio_lcl``/``ratio_ucl``. A missing group counts as 0 records.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"ses_quintile": ["1", "5"], "numerator": [56, 48],
    ...                       "denominator": [70, 80], "measure": "percent"})
    >>> g = inequality_gap(rates, unit=None)
    >>> g[["difference", "difference_lcl", "difference_ucl"]].round(2)
       difference  difference_lcl  difference_ucl
    0        20.0            5.24           33.39
    """
    _check(rates, group, unit)
    m = _multiplier(rates)
    rows = []
    for name, frame in _units(rates, unit):
        (x1, x2), (n1, n2) = _group_sums(frame, group, [most, least])
        x1, x2, n1, n2 = float(x1), float(x2), float(n1), float(n2)
        d, dl, du = newcombe_difference(x1, n1, x2, n2, confidence)
        r, rl, ru = log_ratio_interval(x1, n1, x2, n2, confidence)
        rows.append(
            {
                "unit": name,
                "n_most": int(n1),
                "rate_most": m * x1 / n1 if n1 else np.nan,
                "n_least": int(n2),
                "rate_least": m * x2 / n2 if n2 else np.nan,
                "difference": m * float(d),
                "difference_lcl": m * float(dl),
                "difference_ucl": m * float(du),
                "ratio": float(r),
                "ratio_lcl": float(rl),
                "ratio_ucl": float(ru),
            }
        )
    return pd.DataFrame(rows)


def _sii_one(x: np.ndarray, n: np.ndarray, z: float) -> dict[str, float]:
    """SII and RII for one unit; x, n in rank order (most deprived first)."""
    used = n > 0
    x, n = x[used], n[used]
    out = dict.fromkeys(["sii", "sii_lcl", "sii_ucl", "rii", "rii_lcl", "rii_ucl"], np.nan)
    out["groups"] = int(used.sum())
    out["n"] = int(n.sum())
    out["mean_rate"] = float(x.sum() / n.sum()) if n.sum() > 0 else np.nan
    if len(n) < 2:
        return out
    r = ridits(n)
    p = x / n
    w = n / n.sum()
    r_bar = float(np.sum(w * r))
    sxx = float(np.sum(w * (r - r_bar) ** 2))
    c = w * (r - r_bar) / sxx  # b = sum(c * p)
    d = w - r_bar * c  # a = sum(d * p)
    a, b = float(np.sum(d * p)), float(np.sum(c * p))
    v = p * (1 - p) / n
    var_b = float(np.sum(c**2 * v))
    top = d + c  # a + b
    se_sii = np.sqrt(var_b)
    out.update(sii=-b, sii_lcl=-b - z * se_sii, sii_ucl=-b + z * se_sii)
    if a > 0 and a + b > 0:
        # log RII = log(a) - log(a + b); gradient (1/a) d - (1/(a+b)) top
        g = d / a - top / (a + b)
        se_log = np.sqrt(float(np.sum(g**2 * v)))
        rii = a / (a + b)
        out.update(rii=rii, rii_lcl=rii * np.exp(-z * se_log), rii_ucl=rii * np.exp(z * se_log))
    return out


@renamed_arguments(level="confidence")
def slope_index(
    rates: pd.DataFrame,
    *,
    group: str = "ses_quintile",
    order: Sequence[str] = ("1", "2", "3", "4", "5"),
    unit: str | None = "region",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Slope index (SII) and relative index (RII) of inequality per unit.

    Parameters
    ----------
    rates : DataFrame
        Counts per unit and group (``numerator``, ``denominator``).
    group : str
        The grouping column.
    order : sequence of str
        The groups from most deprived to least deprived. Groups not listed are left out.
    unit : str or None
        The unit column; None: the table is one unit (``all``).
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        Per unit: ``groups`` (groups with records), ``n``, ``mean_rate``, ``sii`` with
        ``sii_lcl``/``sii_ucl`` (in the table's measure; positive = higher among the
        deprived) and ``rii`` with ``rii_lcl``/``rii_ucl`` (fitted most-deprived end /
        least-deprived end). See the module docstring for the method.

    Examples
    --------
    Three equal groups with rates 30%, 20% and 10%: ridits 1/6, 1/2, 5/6, fitted line
    35% - 30% x, so SII = 30 percentage points and RII = 35 / 5 = 7.

    >>> import pandas as pd
    >>> rates = pd.DataFrame({"q": ["1", "2", "3"], "numerator": [30, 20, 10],
    ...                       "denominator": [100, 100, 100], "measure": "percent"})
    >>> s = slope_index(rates, group="q", order=["1", "2", "3"], unit=None)
    >>> s[["sii", "rii"]].round(3)
        sii  rii
    0  30.0  7.0
    """
    _check(rates, group, unit)
    order = [str(g) for g in order]
    if len(order) < 2:
        raise SpecError("slope_index needs at least two groups in order=")
    m = _multiplier(rates)
    z = z_value(confidence)
    rows = []
    for name, frame in _units(rates, unit):
        x, n = _group_sums(frame, group, order)
        res = _sii_one(x, n, z)
        rows.append(
            {
                "unit": name,
                "groups": res["groups"],
                "n": res["n"],
                "mean_rate": m * res["mean_rate"],
                "sii": m * res["sii"],
                "sii_lcl": m * res["sii_lcl"],
                "sii_ucl": m * res["sii_ucl"],
                "rii": res["rii"],
                "rii_lcl": res["rii_lcl"],
                "rii_ucl": res["rii_ucl"],
            }
        )
    return pd.DataFrame(rows)


@renamed_arguments(level="confidence")
def equity_table(
    data: Any,
    indicator: Any,
    *,
    unit: str = "region",
    group: str = "ses_quintile",
    order: Sequence[str] = ("1", "2", "3", "4", "5"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Gap and slope index per unit, with the overall row (``all``) first.

    The most and least deprived groups of the gap are the first and last of
    ``order``. With two equal groups the ridits are 0.25 and 0.75, so the SII (the
    fitted difference over the whole range 0 to 1) is twice the gap.

    Parameters
    ----------
    data : Dataset or DataFrame
        Passed to :func:`~saz_geboortezorg.compare.subgroups.group_rates`.
    indicator : str or Indicator
        An event indicator.
    unit, group : str
        Unit and grouping columns (friendly unit names allowed).
    order : sequence of str
        Groups from most to least deprived.
    confidence : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``indicator``, ``unit``, then the columns of :func:`inequality_gap` and
        :func:`slope_index`.

    Examples
    --------
    >>> import pandas as pd
    >>> women = pd.DataFrame({"region_id": ["R1"] * 4 + ["R2"] * 4,
    ...                       "ses_quintile": ["1", "1", "5", "5"] * 2, "ga_days": [280] * 8,
    ...                       "cs": [1, 1, 0, 1, 1, 0, 0, 0]})
    >>> t = equity_table(women, "cs", order=["1", "5"])
    >>> t[["unit", "rate_most", "rate_least", "difference", "sii"]]
      unit  rate_most  rate_least  difference    sii
    0  all       75.0        25.0        50.0  100.0
    1   R1      100.0        50.0        50.0  100.0
    2   R2       50.0         0.0        50.0  100.0
    """
    by_unit = group_rates(data, indicator, by=[unit, group], confidence=confidence)
    overall = group_rates(data, indicator, by=[group], confidence=confidence)
    return equity_from_rates(
        by_unit, overall, unit=unit, group=group, order=order, confidence=confidence
    )


def equity_from_rates(
    by_unit: pd.DataFrame,
    overall: pd.DataFrame,
    *,
    unit: str = "region",
    group: str = "ses_quintile",
    order: Sequence[str] = ("1", "2", "3", "4", "5"),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`equity_table` from group rates already counted (no records read again).

    Parameters
    ----------
    by_unit, overall : DataFrame
        :func:`~saz_geboortezorg.compare.subgroups.group_rates` of one indicator by
        ``[unit, group]`` and by ``[group]``.
    unit, group, order, confidence
        As for :func:`equity_table` (``unit`` and ``group`` name columns of ``by_unit``).

    Returns
    -------
    DataFrame
        As :func:`equity_table`: ``indicator``, ``unit``, the gap and the slope index,
        the overall row (``all``) first.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.compare.subgroups import group_rates
    >>> women = pd.DataFrame({"region_id": ["R1"] * 4 + ["R2"] * 4,
    ...                       "ses_quintile": ["1", "1", "5", "5"] * 2, "ga_days": [280] * 8,
    ...                       "cs": [1, 1, 0, 1, 1, 0, 0, 0]})
    >>> by_unit = group_rates(women, "cs", by=["region", "ses_quintile"])
    >>> overall = group_rates(women, "cs", by=["ses_quintile"])
    >>> t = equity_from_rates(by_unit, overall, order=["1", "5"])
    >>> t.equals(equity_table(women, "cs", order=["1", "5"]))
    True
    """
    order = [str(g) for g in order]
    tables = []
    for rates, unit_col in ((overall, None), (by_unit, unit)):
        gap = inequality_gap(
            rates, group=group, most=order[0], least=order[-1], unit=unit_col, confidence=confidence
        )
        sii = slope_index(rates, group=group, order=order, unit=unit_col, confidence=confidence)
        tables.append(gap.merge(sii, on="unit"))
    out = pd.concat(tables, ignore_index=True)
    out.insert(0, "indicator", by_unit["indicator"].iloc[0] if len(by_unit) else "")
    return out
