"""Interrupted time series (segmented regression) for an improvement initiative.

Record-level logistic model (Wagner et al. 2002, segmented regression; a binomial
GLM so that each record counts once and case mix can enter as an offset):

    logit P(y = 1) = offset + b0 + b1 t + b2 post + b3 (t - t0) post

with ``t`` the time in months (30.4375 days) since the first record, ``t0`` the
initiative's start, ``post = 1`` from the start date on. ``b2`` is the **level
change** (log odds ratio at the start), ``b3`` the **slope change** (log odds ratio
per month), ``b1`` the pre-initiative trend. The optional offset is each record's
case-mix expected log odds (e.g. ``logit`` of
:func:`saz_geboortezorg.monitor.risk_adjusted.expected_risks`), so the effects are
adjusted for case mix. Intervals are Wald 95% intervals from statsmodels.

**Extra-binomial variation between months.** The binomial model treats every birth as
independent given the month's fitted risk. Months often differ by more than that
(staffing, case mix the offset misses, seasonal effects), and then the binomial
intervals are too narrow. The fit is checked with the Pearson statistic over the M
calendar months, ``X2 = sum_m (O_m - E_m)^2 / V_m`` (``O`` events, ``E`` the sum of the
fitted risks, ``V`` the sum of ``p (1 - p)``), with ``phi = X2 / (M - k)`` for k fitted
terms; without extra variation ``X2`` is about chi-squared on ``M - k`` df and ``phi``
about 1. With ``overdispersion="auto"`` (default), when the chi-squared test rejects at
5% (``phi`` notably above 1: above 1.44 for 36 months and 4 terms) the standard errors
are multiplied by ``sqrt(phi)`` and the intervals use Student's t on ``M - k`` df
(quasi-binomial; the estimates do not change), and the result says so
(``overdispersion``, ``notes``). ``"quasi"`` always uses ``max(phi, 1)``; ``"none"``
keeps the binomial intervals.

*When* a change happened (the start month, with a confidence set) is estimated by
:func:`saz_geboortezorg.monitor.change_point.change_point`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import DeprecatedItemAccess
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result

__all__ = ["Effect", "ITSResult", "Overdispersion", "segmented_regression"]

DAYS_PER_MONTH = 30.4375


@dataclass
class Effect(DeprecatedItemAccess):
    """One initiative term of :func:`segmented_regression` (log odds ratio; the slope
    change per month). A term that was not fitted has NaN throughout: it was not
    estimated, which is not an estimate of 0.

    It used to be a dict; ``effect["estimate"]`` etc. still work for one release, with a
    deprecation warning.
    """

    estimate: float
    se: float
    lcl95: float
    ucl95: float

    @property
    def odds_ratio(self) -> float:
        """``exp(estimate)``."""
        return float(np.exp(self.estimate))

    @property
    def or_lcl95(self) -> float:
        """``exp(lcl95)``."""
        return float(np.exp(self.lcl95))

    @property
    def or_ucl95(self) -> float:
        """``exp(ucl95)``."""
        return float(np.exp(self.ucl95))

    @property
    def fitted(self) -> bool:
        """Whether the term was in the model."""
        return not np.isnan(self.estimate)


@dataclass
class Overdispersion(DeprecatedItemAccess):
    """The check for extra-binomial variation between months (module docstring).

    Attributes
    ----------
    months : int
        Months with records (M).
    chi2 : float
        Pearson X2 over the months.
    df : int
        M - k for k fitted terms.
    phi : float
        X2 / df (NaN where M - k < 1).
    p_value : float
        Of the chi-squared test of no extra variation (NaN where M - k < 1).
    method : str
        ``binomial`` or ``quasi-binomial``.
    scale : float
        The factor applied to the variances: ``phi`` or 1.
    interval_df : float
        Degrees of freedom of the t intervals (``inf``, the normal, when binomial).

    It used to be a dict; ``od["phi"]`` etc. still work for one release, with a
    deprecation warning.
    """

    months: int
    chi2: float
    df: int
    phi: float
    p_value: float
    method: str
    scale: float
    interval_df: float


@dataclass(repr=False)
class ITSResult(Result):
    """Segmented-regression results.

    Attributes
    ----------
    table : DataFrame
        The coefficients (also :attr:`coefficients`): ``term`` (``intercept``,
        ``trend``, ``level_change``, ``slope_change``; the terms that were fitted),
        ``estimate``, ``se``, ``lcl95``, ``ucl95`` (log odds; trends per month),
        ``odds_ratio``, ``or_lcl95``, ``or_ucl95``; ``se_binomial`` (the binomial
        standard error; ``se`` equals it unless the intervals were widened for
        extra-binomial variation).
    level_change, slope_change : Effect
        ``estimate``, ``se``, ``lcl95``, ``ucl95`` (log odds ratio); slope per month.
        A term that was not fitted (``slope_change=False``) has NaN throughout.
    fitted : DataFrame
        Per month: ``period``, ``n``, ``events``, ``rate``, ``fitted`` (mean fitted
        risk), ``counterfactual`` (mean fitted risk without the initiative terms, from
        the start on), ``post``.
    start : Timestamp
    n : int
        Records used.
    overdispersion : Overdispersion
        The check for extra-binomial variation between months.
    notes : list of str
        What the reader must know, e.g. that the intervals were widened.
    trend : bool
        Whether the pre-initiative trend was fitted.
    offset : bool
        Whether a case-mix offset was given (the effects are then case-mix adjusted).
    """

    table: pd.DataFrame
    level_change: Effect
    slope_change: Effect
    fitted: pd.DataFrame
    start: pd.Timestamp
    n: int
    overdispersion: Overdispersion
    notes: list[str] = field(default_factory=list)
    trend: bool = True
    offset: bool = False

    @property
    def coefficients(self) -> pd.DataFrame:
        """The coefficients (the same as :attr:`table`)."""
        return self.table

    def summary(self) -> str:
        """Plain text: model, data, level and slope change as odds ratios, notes.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
        ...                   + pd.to_timedelta(rng.integers(0, 1095, 20000), unit="D")})
        >>> d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-07-01", 0.06, 0.1))
        >>> print(segmented_regression(d, "2022-07-01", slope_change=False).summary())
        ... # doctest: +ELLIPSIS
        Interrupted time series (segmented logistic regression), start 2022-07-01
        20000 records, 36 months; terms: intercept, trend, level_change; no case-mix offset
        level change: odds ratio 0.57 (95% CI 0.46-0.70)
        slope change: not fitted
        no extra-binomial variation between months detected (Pearson phi = ...
        """
        terms = ", ".join(self.table["term"])
        lines = [
            f"Interrupted time series (segmented logistic regression), start {self.start:%Y-%m-%d}",
            f"{self.n} records, {self.overdispersion.months} months; terms: {terms}; "
            + ("case-mix offset" if self.offset else "no case-mix offset"),
        ]
        for name, eff, fmt in (
            ("level change", self.level_change, ".2f"),
            ("slope change (per month)", self.slope_change, ".3f"),
        ):
            if eff.fitted:
                lines.append(
                    f"{name}: odds ratio {eff.odds_ratio:{fmt}} "
                    f"(95% CI {eff.or_lcl95:{fmt}}-{eff.or_ucl95:{fmt}})"
                )
            else:
                lines.append(f"{name.split(' (')[0]}: not fitted")
        lines += self.notes
        return "\n".join(lines)

    def chart(self, **options: Any) -> Any:
        """Monthly rates with the fitted segments and the counterfactual
        (:func:`~saz_geboortezorg.present.monitor_charts.its_plot`; options ``title=``,
        ``percent=``)."""
        from saz_geboortezorg.present.monitor_charts import its_plot

        return its_plot(self, **options)


def _months(dates: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return ((dates - origin) / pd.Timedelta(days=1)).to_numpy(float) / DAYS_PER_MONTH


def _inputs(records, date, outcome, offset):
    if date not in records.columns or outcome not in records.columns:
        raise SpecError(f"records need columns {date!r} and {outcome!r}")
    dates = pd.to_datetime(records[date])
    y = pd.to_numeric(records[outcome], errors="coerce").to_numpy(float)
    off = np.zeros(len(y)) if offset is None else np.asarray(offset, float)
    if off.shape != y.shape:
        raise SpecError("offset must have one value per record")
    ok = ~np.isnan(y) & ~np.isnan(off) & dates.notna().to_numpy()
    return dates[ok], y[ok], off[ok]


def segmented_regression(
    records: pd.DataFrame,
    start: Any,
    *,
    date: str = "birth_date",
    outcome: str = "outcome",
    offset: Any = None,
    slope_change: bool = True,
    trend: bool = True,
    overdispersion: str = "auto",
) -> ITSResult:
    """Level and slope change at ``start`` from a record-level logistic model.

    Parameters
    ----------
    records : DataFrame
        One row per record with a date and a 0/1 outcome (e.g.
        :func:`saz_geboortezorg.monitor.periods.indicator_records` of one unit).
    start : date-like
        The initiative's start date.
    date, outcome : str
        Column names.
    offset : array-like, optional
        Case-mix expected log odds per record.
    slope_change : bool
        Include the slope change term (default); ``False`` fits a level change only
        (more power when the effect is a step, as expected for many initiatives).
    trend : bool
        Include the pre-initiative trend ``b1`` (default). ``trend=False,
        slope_change=False`` is a plain (case-mix adjusted) before/after comparison:
        much more power, but it attributes any secular change to the initiative.
    overdispersion : {"auto", "quasi", "none"}
        Extra-binomial variation between months (see the module doc): ``auto`` widens
        the intervals by ``sqrt(phi)`` when the Pearson test over months rejects at 5%,
        ``quasi`` always by ``sqrt(max(phi, 1))``, ``none`` never.

    Returns
    -------
    ITSResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
    ...                   + pd.to_timedelta(rng.integers(0, 1095, 20000), unit="D")})
    >>> post = d.birth_date >= "2022-07-01"
    >>> d["outcome"] = rng.binomial(1, np.where(post, 0.06, 0.10))
    >>> r = segmented_regression(d, "2022-07-01", slope_change=False)
    >>> true = np.log((0.06 / 0.94) / (0.10 / 0.90))
    >>> bool(r.level_change.lcl95 < true < r.level_change.ucl95)
    True

    Births are independent here, so the months vary no more than the binomial allows;
    the level-only model did not fit a slope change:

    >>> r.overdispersion.method, bool(0.5 < r.overdispersion.phi < 1.5)
    ('binomial', True)
    >>> r.slope_change.estimate
    nan
    """
    import statsmodels.api as sm
    from scipy.stats import chi2 as chi2_dist
    from scipy.stats import t as student_t

    if overdispersion not in ("auto", "quasi", "none"):
        raise SpecError(f"overdispersion must be 'auto', 'quasi' or 'none', not {overdispersion!r}")
    start = pd.Timestamp(start)
    dates, y, off = _inputs(records, date, outcome, offset)
    if len(y) == 0:
        raise SpecError("no records to fit")
    post = (dates >= start).to_numpy(float)
    if post.all() or not post.any():
        raise SpecError(f"the start date {start.date()} must fall inside the data's dates")
    origin = dates.min().normalize()
    t = _months(dates, origin)
    t0 = _months(pd.Series([start]), origin)[0]
    cols = {"intercept": np.ones(len(y))}
    if trend:
        cols["trend"] = t
    cols["level_change"] = post
    if slope_change:
        cols["slope_change"] = (t - t0) * post
    X = pd.DataFrame(cols)
    fit = sm.GLM(y, X, family=sm.families.Binomial(), offset=off).fit()
    est, se_binomial = fit.params.to_numpy(), fit.bse.to_numpy()

    Xc = X.copy()
    Xc["level_change"] = 0.0
    if slope_change:
        Xc["slope_change"] = 0.0
    lin = X.to_numpy() @ est + off
    lin_c = Xc.to_numpy() @ est + off
    month = dates.dt.to_period("M").dt.to_timestamp().to_numpy()
    p_fit = 1 / (1 + np.exp(-lin))
    frame = pd.DataFrame(
        {
            "period": month,
            "y": y,
            "fit": p_fit,
            "var": p_fit * (1 - p_fit),
            "cf": 1 / (1 + np.exp(-lin_c)),
        }
    )
    g = frame.groupby("period", sort=True).agg(
        n=("y", "size"),
        events=("y", "sum"),
        fitted=("fit", "mean"),
        counterfactual=("cf", "mean"),
        expected=("fit", "sum"),
        variance=("var", "sum"),
    )
    g = g.reset_index()

    # Pearson check for extra-binomial variation between months
    k = X.shape[1]
    used = g.variance > 0
    months = int(used.sum())
    df_phi = months - k
    chi2 = float((((g.events - g.expected) ** 2)[used] / g.variance[used]).sum())
    if df_phi >= 1:
        phi = chi2 / df_phi
        p_phi = float(chi2_dist.sf(chi2, df_phi))
    else:
        phi = p_phi = float("nan")
    widen = df_phi >= 1 and (
        (overdispersion == "auto" and p_phi < 0.05) or (overdispersion == "quasi" and phi > 1)
    )
    scale = phi if widen else 1.0
    interval_df = float(df_phi) if widen else np.inf
    q = float(student_t.ppf(0.975, interval_df))
    se = se_binomial * np.sqrt(scale)
    coef = pd.DataFrame(
        {
            "term": list(cols),
            "estimate": est,
            "se": se,
            "lcl95": est - q * se,
            "ucl95": est + q * se,
        }
    )
    coef["odds_ratio"] = np.exp(coef.estimate)
    coef["or_lcl95"] = np.exp(coef.lcl95)
    coef["or_ucl95"] = np.exp(coef.ucl95)
    coef["se_binomial"] = se_binomial

    def pick(term):
        keys = ("estimate", "se", "lcl95", "ucl95")
        if term not in cols:
            # not fitted: not estimated, which is not an estimate of 0
            return Effect(**dict.fromkeys(keys, float("nan")))
        r = coef.set_index("term").loc[term]
        return Effect(**{k: float(r[k]) for k in keys})

    notes = []
    if df_phi < 1:
        notes.append(
            f"extra-binomial variation between months not checked: {months} months for {k} terms"
        )
    elif widen:
        notes.append(
            f"the months vary more than the binomial model allows (Pearson phi = {phi:.2f} "
            f"on {df_phi} df, p = {p_phi:.2g}): standard errors multiplied by "
            f"sqrt(phi) = {np.sqrt(phi):.2f} and intervals from t on {df_phi} df "
            "(quasi-binomial)"
        )
    else:
        notes.append(
            f"no extra-binomial variation between months detected (Pearson phi = {phi:.2f} "
            f"on {df_phi} df, p = {p_phi:.2g}); binomial intervals"
            + ("" if overdispersion == "auto" else f" (overdispersion={overdispersion!r})")
        )
    g["rate"] = g.events / g.n
    g["post"] = g.period >= start.to_period("M").to_timestamp()
    g.loc[~g.post, "counterfactual"] = np.nan
    return ITSResult(
        table=coef,
        level_change=pick("level_change"),
        slope_change=pick("slope_change"),
        fitted=g[["period", "n", "events", "rate", "fitted", "counterfactual", "post"]],
        start=start,
        n=len(y),
        overdispersion=Overdispersion(
            months=months,
            chi2=chi2,
            df=int(df_phi),
            phi=phi,
            p_value=p_phi,
            method="quasi-binomial" if widen else "binomial",
            scale=float(scale),
            interval_df=float(interval_df),
        ),
        notes=notes,
        trend=bool(trend),
        offset=offset is not None,
    )
