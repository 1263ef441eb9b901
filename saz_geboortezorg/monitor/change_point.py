"""When did a step change happen? Profile likelihood with a confidence set, and a test.

Model (record level, binomial, as in :mod:`~saz_geboortezorg.monitor.its`):

    logit P(y = 1) = offset + a + b step_tau(t) [+ c t]

with ``step_tau = 1`` for records dated on or after the candidate start ``tau`` (a
month start), ``t`` the time in months and the optional ``offset`` each record's
case-mix expected log odds. By default the model is **step only** (no trend): over a
few years a linear trend and a step are nearly collinear, so with a trend the start
is poorly determined; ``trend=True`` adds one (use it when a secular drift is
plausible, and expect a wider confidence set).

For every candidate start the model is fitted by maximum likelihood and its deviance
``D(tau)`` kept (the *profile deviance*). The estimate is the candidate with the
smallest deviance. The **confidence set** holds every candidate with

    LR(tau) = D(tau) - min D  <=  c.

The change point is not a regular parameter, so ``LR`` at the true start is *not*
chi-squared with 1 degree of freedom (Hinkley 1970, Biometrika 57:1-17). With the
levels before and after known, ``LR`` at the true start is twice the larger of two
independent maxima of random walks whose exponentials are mean-one martingales (one
walk going back in time, one forward), and Ville's inequality gives
``P(max > x) <= exp(-x)`` for each, so

    P(LR(tau_true) > c) <= 1 - (1 - exp(-c/2))**2,

which is also the exact limit for small changes (Brownian motion with drift;
Siegmund 1988, Int Stat Rev 56:31-48). Solving for 95% gives
``c = -2 log(1 - sqrt(0.95)) = 7.35`` (the default). The familiar chi-squared(1)
cut-off 3.84 (``critical="chi2"``) covers the true start only about 73% of the time
for small changes (tests/monitor/test_change_point.py checks both by simulation). The
set is approximate: the levels are estimated, and it may consist of separate months.

**Is there a change at all?** :func:`change_point` also tests "no change" with the
largest score (Rao) statistic over the candidates (a sup-score test, Andrews 1993,
Econometrica 61:821-856), whose p-value is found by parametric bootstrap: outcomes
are drawn from the no-change fit, the no-change model is refitted and the statistic
recomputed, ``n_boot`` times. A unit without a change then has a p-value below
``alpha`` with probability ``alpha``; that is the stated false-alarm rate.

Timing needs data. The information about the start month is roughly the number of
events near it times the squared log odds ratio: a log odds ratio of -0.5 on a 3%
outcome (OASIS) in a hospital with 100 vaginal births a month leaves a confidence set
of a year or more (see ``notebooks/07_monitoring.ipynb``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import (
    DeprecatedItemAccess,
    SazDeprecationWarning,
    renamed_arguments,
)
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result

__all__ = ["ChangePoint", "ChangeTest", "change_point", "critical_value", "profile_deviance"]

DAYS_PER_MONTH = 30.4375


@renamed_arguments(level="confidence")
def critical_value(confidence: float = 0.95, method: str = "random_walk") -> float:
    """Deviance cut-off of a change-point confidence set.

    Parameters
    ----------
    confidence : float
        Coverage, e.g. 0.95.
    method : {"random_walk", "chi2"}
        ``random_walk`` (default): ``-2 log(1 - sqrt(confidence))``, from the two-sided
        random-walk bound in the module docstring. ``chi2``: the chi-squared(1)
        quantile, which undercovers for change points (shown for comparison).

    Returns
    -------
    float

    Examples
    --------
    >>> round(critical_value(0.95), 3), round(critical_value(0.95, "chi2"), 3)
    (7.352, 3.841)
    >>> import math     # coverage of the chi2 cut-off under the random-walk limit
    >>> round((1 - math.exp(-critical_value(0.95, "chi2") / 2)) ** 2, 3)
    0.728
    """
    if not 0 < confidence < 1:
        raise SpecError(f"confidence must lie between 0 and 1, got {confidence!r}")
    if method == "random_walk":
        return float(-2.0 * np.log(1.0 - np.sqrt(confidence)))
    if method == "chi2":
        from scipy.stats import chi2

        return float(chi2.ppf(confidence, 1))
    raise SpecError(f"method must be 'random_walk' or 'chi2', got {method!r}")


@dataclass
class ChangeTest(DeprecatedItemAccess):
    """The sup-score test of "no change" (parametric bootstrap; module docstring).

    It used to be a dict; ``test["p_value"]`` etc. still work for one release, with a
    deprecation warning.
    """

    statistic: float
    p_value: float
    n_boot: int


@dataclass(repr=False)
class ChangePoint(Result):
    """Result of :func:`change_point`.

    Attributes
    ----------
    estimate : Timestamp
        The candidate start with the smallest deviance.
    table : DataFrame
        Per candidate: ``start``, ``deviance``, ``lr`` (deviance minus the smallest),
        ``level_change`` (log odds ratio of the step at that start), ``in_set``.
    confidence_set : list of Timestamp
        Candidates with ``lr <= critical``.
    confidence, critical : float
        Coverage asked (the ``confidence`` argument; formerly ``level``) and the
        deviance cut-off used.
    trend : bool
        Whether the model had a linear trend.
    test : ChangeTest or None
        Sup-score test of "no change": ``statistic``, ``p_value``, ``n_boot``.
    n, events : int
        Records and events used.
    offset : bool
        Whether a case-mix offset was given.
    """

    estimate: pd.Timestamp
    table: pd.DataFrame
    confidence_set: list
    confidence: float
    critical: float
    trend: bool
    test: ChangeTest | None
    n: int
    events: int
    offset: bool = False

    @property
    def level(self) -> float:
        """Deprecated name of :attr:`confidence`."""
        warnings.warn(
            "ChangePoint.level is deprecated and will be removed in the next release; use "
            ".confidence instead",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return self.confidence

    @property
    def level_change(self) -> float:
        """Log odds ratio of the step at the estimated start."""
        return float(self.table.set_index("start").loc[self.estimate, "level_change"])

    @property
    def contiguous(self) -> bool:
        """True if the confidence set is one run of consecutive candidates."""
        idx = np.flatnonzero(self.table.in_set.to_numpy())
        return bool(len(idx) and idx[-1] - idx[0] + 1 == len(idx))

    def signal(self, alpha: float | None = None) -> bool:
        """True if the no-change test's p-value is below ``alpha`` (default
        ``1 - confidence``)."""
        if self.test is None:
            raise SpecError("the change test was not run (test=False)")
        return bool(self.test.p_value < (1 - self.confidence if alpha is None else alpha))

    def summary_frame(self) -> pd.DataFrame:
        """One row: estimate, first and last month of the set, months in it, step, p-value
        (what ``summary()`` returned before it returned text; rows of several results
        stack with ``pd.concat``).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)
        >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
        ...                   + pd.to_timedelta(rng.integers(0, 1095, 20000), unit="D")})
        >>> d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-07-01", 0.06, 0.1))
        >>> list(change_point(d, n_boot=99).summary_frame().columns)
        ... # doctest: +NORMALIZE_WHITESPACE
        ['estimate', 'set_first', 'set_last', 'set_months', 'candidates', 'level_change',
         'odds_ratio', 'p_value']
        """
        s = self.confidence_set
        return pd.DataFrame(
            {
                "estimate": [self.estimate.strftime("%Y-%m")],
                "set_first": [min(s).strftime("%Y-%m")],
                "set_last": [max(s).strftime("%Y-%m")],
                "set_months": [len(s)],
                "candidates": [len(self.table)],
                "level_change": [self.level_change],
                "odds_ratio": [float(np.exp(self.level_change))],
                "p_value": [np.nan if self.test is None else self.test.p_value],
            }
        )

    def summary(self) -> str:
        """Plain text: the estimate, the confidence set, the step and the test.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)
        >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
        ...                   + pd.to_timedelta(rng.integers(0, 1095, 30000), unit="D")})
        >>> d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-07-01", 0.05, 0.1))
        >>> print(change_point(d, n_boot=199).summary())
        Change point (step-only model, no case-mix offset): 30000 records, 2222 events, 31 candidate months
        estimated start 2022-07; 95% confidence set 2022-07 to 2022-07 (1 month; cut-off 7.35)
        step at the estimate: odds ratio 0.43 (log odds ratio -0.84)
        test of no change: p = 0.005 (sup-score, 199 bootstrap replicates)
        """
        s = self.confidence_set
        months = f"{len(s)} month{'s' if len(s) != 1 else ''}"
        if not self.contiguous:
            months += ", not one run"
        model = "step-and-trend model" if self.trend else "step-only model"
        offset = "case-mix offset" if self.offset else "no case-mix offset"
        if self.test is None:
            test = "test of no change: not run"
        else:
            test = (
                f"test of no change: p = {self.test.p_value:.2g} (sup-score, "
                f"{self.test.n_boot} bootstrap replicates)"
            )
        return "\n".join(
            [
                f"Change point ({model}, {offset}): {self.n} records, {self.events} events, "
                f"{len(self.table)} candidate months",
                f"estimated start {self.estimate:%Y-%m}; {self.confidence:.0%} confidence set "
                f"{min(s):%Y-%m} to {max(s):%Y-%m} ({months}; cut-off {self.critical:.2f})",
                f"step at the estimate: odds ratio {np.exp(self.level_change):.2f} (log odds "
                f"ratio {self.level_change:.2f})",
                test,
            ]
        )

    def chart(self, **options: Any) -> Any:
        """The profile deviance with the confidence set
        (:func:`~saz_geboortezorg.present.monitor_charts.change_point_plot`; options
        ``truth=``, ``title=``)."""
        from saz_geboortezorg.present.monitor_charts import change_point_plot

        return change_point_plot(self, **options)


def _inputs(records, date, outcome, offset):
    if date not in records.columns or outcome not in records.columns:
        raise SpecError(f"records need columns {date!r} and {outcome!r}")
    dates = pd.to_datetime(records[date]).to_numpy()
    y = pd.to_numeric(records[outcome], errors="coerce").to_numpy(float)
    off = np.zeros(len(y)) if offset is None else np.asarray(offset, float)
    if off.shape != y.shape:
        raise SpecError("offset must have one value per record")
    ok = ~np.isnan(y) & ~np.isnan(off) & ~pd.isna(dates)
    if not ok.any():
        raise SpecError("no records to fit")
    dates, y, off = dates[ok], y[ok], off[ok]
    if not np.isin(y, (0.0, 1.0)).all():
        raise SpecError(f"{outcome!r} must be 0/1")
    order = np.argsort(dates, kind="stable")
    return dates[order], y[order], off[order]


def _default_candidates(dates: np.ndarray, margin: int) -> pd.DatetimeIndex:
    first = pd.Timestamp(dates.min()).to_period("M")
    last = pd.Timestamp(dates.max()).to_period("M")
    return pd.period_range(first + margin, last - margin + 1, freq="M").to_timestamp()


def _log_lik(y, eta):
    # y log p + (1 - y) log(1 - p), stable for large |eta|
    return -(y * np.logaddexp(0.0, -eta) + (1 - y) * np.logaddexp(0.0, eta))


def _newton(y, off, cols, n_iter=60):
    """Batched logistic regression: ``cols`` is a list of arrays broadcastable to
    ``(m, n)``; returns (params (m, k), deviance (m,)). Steps are clipped at 5 so that
    separated fits (a side without events) converge in deviance."""
    m = max(np.shape(c)[0] if np.ndim(c) == 2 else 1 for c in cols)
    m = max(m, y.shape[0] if y.ndim == 2 else 1)
    k = len(cols)
    ybar = np.clip(np.mean(y, axis=-1), 0.5 / y.shape[-1], 1 - 0.5 / y.shape[-1])
    beta = np.zeros((m, k))
    beta[:, 0] = np.log(ybar / (1 - ybar)) - np.mean(off, axis=-1)
    for _ in range(n_iter):
        eta = off + sum(beta[:, j, None] * cols[j] for j in range(k))
        p = 1.0 / (1.0 + np.exp(-eta))
        r = y - p
        w = p * (1 - p)
        g = np.stack([np.sum(r * cols[j], axis=-1) * np.ones(m) for j in range(k)], axis=1)
        h = np.empty((m, k, k))
        for i in range(k):
            for j in range(i, k):
                h[:, i, j] = h[:, j, i] = np.sum(w * cols[i] * cols[j], axis=-1) * np.ones(m)
        h += np.eye(k) * 1e-10
        step = np.linalg.solve(h, g[..., None])[..., 0]
        step = np.clip(step, -5.0, 5.0)
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    eta = off + sum(beta[:, j, None] * cols[j] for j in range(k))
    return beta, -2.0 * _log_lik(y, eta).sum(axis=-1)


def profile_deviance(
    records: pd.DataFrame,
    candidates: Any = None,
    *,
    date: str = "birth_date",
    outcome: str = "outcome",
    offset: Any = None,
    trend: bool = False,
    margin: int = 3,
) -> pd.DataFrame:
    """Deviance of the step model at every candidate start.

    Parameters
    ----------
    records : DataFrame
        One row per record with a date and a 0/1 outcome.
    candidates : sequence of date-like, optional
        Candidate starts; default every month start with at least ``margin`` whole
        months of data before it and after it.
    date, outcome : str
        Column names.
    offset : array-like, optional
        Case-mix expected log odds per record (same order as ``records``).
    trend : bool
        Add a linear time trend (months).
    margin : int
        Months kept free at each end for the default candidates.

    Returns
    -------
    DataFrame
        ``start``, ``deviance``, ``lr`` (deviance minus the smallest),
        ``level_change`` (log odds ratio of the step).

    Examples
    --------
    Two months, no offset: the step model is saturated per side, so its deviance is
    that of two proportions (2/4 before, 1/4 after):

    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"birth_date": pd.to_datetime(["2022-01-10"] * 4 + ["2022-02-10"] * 4),
    ...                   "outcome": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> tab = profile_deviance(d, ["2022-02-01"])
    >>> dev = -2 * (4 * np.log(0.5) + np.log(0.25) + 3 * np.log(0.75))
    >>> bool(np.isclose(tab.deviance[0], dev)), round(float(tab.level_change[0]), 4)
    (True, -1.0986)
    """
    dates, y, off = _inputs(records, date, outcome, offset)
    cands = (
        _default_candidates(dates, margin)
        if candidates is None
        else pd.DatetimeIndex(pd.to_datetime(list(candidates)))
    )
    cands = cands[(cands > dates.min()) & (cands <= dates.max())]
    if len(cands) == 0:
        raise SpecError("no candidate start date falls inside the data's dates")
    step = (dates[None, :] >= cands.to_numpy()[:, None]).astype(float)
    cols = [np.ones(len(y)), step]
    if trend:
        cols.append(_months(dates))
    beta, dev = _newton(y, off, cols)
    return pd.DataFrame(
        {"start": cands, "deviance": dev, "lr": dev - dev.min(), "level_change": beta[:, 1]}
    )


def _months(dates: np.ndarray) -> np.ndarray:
    d = (dates - dates.min()) / np.timedelta64(1, "D")
    return d.astype(float) / DAYS_PER_MONTH


def _sup_score(y, p, t, starts):
    """Largest score statistic over step starts (record positions) under a null fit
    ``p`` (rows of ``y``/``p`` are replicates); nuisance: intercept [and trend]."""
    w = p * (1 - p)
    r = y - p

    def suffix(a):  # sums over records from each start position to the end
        c = np.cumsum(a[..., ::-1], axis=-1)[..., ::-1]
        return c[..., starts]

    u = suffix(r)
    a = suffix(w)
    sw = w.sum(axis=-1, keepdims=True)
    if t is None:
        v = a - a**2 / sw
    else:
        b2 = suffix(w * t)
        swt = (w * t).sum(axis=-1, keepdims=True)
        swtt = (w * t * t).sum(axis=-1, keepdims=True)
        det = sw * swtt - swt**2
        # a - [a, b2] I^-1 [a, b2]'
        v = a - (swtt * a**2 - 2 * swt * a * b2 + sw * b2**2) / det
    return np.max(u**2 / np.maximum(v, 1e-12), axis=-1)


def _change_test(y, off, dates, cands, trend, n_boot, seed, chunk=100):
    t = _months(dates) if trend else None
    starts = np.searchsorted(dates, cands.to_numpy(), side="left")
    cols = [np.ones(len(y))] + ([t] if trend else [])
    beta, _ = _newton(y, off, cols)
    eta0 = off + sum(beta[0, j] * cols[j] for j in range(len(cols)))
    p0 = 1.0 / (1.0 + np.exp(-eta0))
    stat = float(_sup_score(y[None, :], p0[None, :], t, starts)[0])
    rng = np.random.default_rng(seed)
    exceed = 0
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        ys = (rng.random((b, len(y))) < p0).astype(float)
        bb, _ = _newton(ys, off, cols)
        eta = off + sum(bb[:, j, None] * cols[j] for j in range(len(cols)))
        ps = 1.0 / (1.0 + np.exp(-eta))
        exceed += int((_sup_score(ys, ps, t, starts) >= stat - 1e-9).sum())
        done += b
    return ChangeTest(statistic=stat, p_value=(1 + exceed) / (1 + n_boot), n_boot=n_boot)


@renamed_arguments(level="confidence")
def change_point(
    records: pd.DataFrame,
    candidates: Any = None,
    *,
    date: str = "birth_date",
    outcome: str = "outcome",
    offset: Any = None,
    trend: bool = False,
    confidence: float = 0.95,
    critical: float | str = "random_walk",
    test: bool = True,
    n_boot: int = 999,
    seed: int = 20261123,
    margin: int = 3,
) -> ChangePoint:
    """Estimate the start month of a step change, with a confidence set and a test.

    Parameters
    ----------
    records : DataFrame
        One row per record with a date and a 0/1 outcome (e.g.
        :func:`saz_geboortezorg.monitor.periods.indicator_records` of one unit).
    candidates : sequence of date-like, optional
        Candidate starts (default: every month start with ``margin`` months of data
        on each side).
    date, outcome : str
        Column names.
    offset : array-like, optional
        Case-mix expected log odds per record, so that a change in case mix is not
        taken for a change in care.
    trend : bool
        Add a linear time trend (default: step only; see the module docstring).
    confidence : float
        Coverage of the confidence set (and ``1 - confidence`` is the test's alpha in
        :meth:`ChangePoint.signal`).
    critical : "random_walk", "chi2" or float
        Deviance cut-off: the default from :func:`critical_value`, the (too narrow)
        chi-squared(1) quantile, or a number.
    test : bool
        Run the sup-score test of "no change" (parametric bootstrap).
    n_boot, seed : int
        Bootstrap replicates and random seed of the test.
    margin : int
        Months kept free at each end for the default candidates.

    Returns
    -------
    ChangePoint

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01")
    ...                   + pd.to_timedelta(rng.integers(0, 1095, 30000), unit="D")})
    >>> d["outcome"] = rng.binomial(1, np.where(d.birth_date >= "2022-07-01", 0.05, 0.10))
    >>> cp = change_point(d, n_boot=199)
    >>> str(cp.estimate.date()), pd.Timestamp("2022-07-01") in cp.confidence_set
    ('2022-07-01', True)
    >>> cp.signal(), cp.test.p_value < 0.01
    (True, True)
    """
    dates, y, off = _inputs(records, date, outcome, offset)
    if not 0 < y.sum() < len(y):
        raise SpecError("a change point needs both events and non-events")
    cut = critical_value(confidence, critical) if isinstance(critical, str) else float(critical)
    frame = pd.DataFrame({date: dates, outcome: y})
    table = profile_deviance(
        frame, candidates, date=date, outcome=outcome, offset=off, trend=trend, margin=margin
    )
    table["in_set"] = table.lr <= cut
    best = pd.Timestamp(table.start[table.deviance.idxmin()])
    result = None
    if test:
        result = _change_test(
            y, off, dates, pd.DatetimeIndex(table.start), trend, int(n_boot), seed
        )
    return ChangePoint(
        estimate=best,
        table=table,
        confidence_set=[pd.Timestamp(s) for s in table.start[table.in_set]],
        confidence=confidence,
        critical=cut,
        trend=trend,
        test=result,
        n=len(y),
        events=int(y.sum()),
        offset=offset is not None,
    )
