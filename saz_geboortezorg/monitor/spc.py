"""Statistical process control for rates over time: run chart and p-chart.

Every chart family here states how often it signals on data with no change at all
(its false-alarm rate, measured by simulation: :func:`run_chart_false_alarm`,
:func:`p_chart_false_alarm`), because a signal names a unit in front of its peers.

Run chart (Anhøj & Olesen 2014, PLoS ONE 9(11): e113825; Anhøj 2015), centre line =
median of the (baseline) points. Points exactly on the median are ignored; ``n`` is
the number of useful points (not on the median). Two rules by default (the "Anhøj
rules", as in Anhøj's R package ``qicharts2``, function ``runs.analysis``):

- ``shift``: the longest run of points on one side of the median is longer than
  ``round(log2(n) + 3)`` (Schilling 2012: the upper prediction limit of the longest
  run in ``n`` fair coin tosses);
- ``crossings``: the line crosses the median fewer times than the lower 5% point of
  Binomial(n - 1, 1/2) (``qbinom(0.05, n - 1, 0.5)`` in R; Chen 2010), the
  distribution of the number of crossings in a random series.

Anhøj & Olesen (2014) report a false-signal rate around 5% whatever the length; our
simulation (centre = the series' own median) gives 1.3% at 12 points, 2.9% at 24 and
4.0% at 36 (shift 1.8%, crossings 2.9%). The old fixed rules at 36 points: 8 in a row 5%,
a two-sided runs test 9.5%, trend 38%, together 46%. The
``trend`` rule (``trend_length`` points all going up or all going down; IHI: 5) is off
by default: it is almost useless for detecting drifts (Anhøj & Olesen 2014) and alone
signals on about 38% of in-control 36-point series. :data:`RUN_CHART_LIMITS` lists the
limits for n = 10 to 40.

p-chart (Shewhart; Montgomery, *Introduction to Statistical Quality Control*, 6.2):
centre ``p̄ = sum(events) / sum(n)`` (over the baseline periods if given), limits
``p̄ ± 3 sqrt(p̄(1 - p̄)/n_i)`` varying with each period's ``n_i`` (lower limit cut at
0). With ``z_i = (p_i - p̄) / sqrt(p̄(1 - p̄)/n_i)``, the Western Electric rules:

- ``1``: one point beyond the control limits (3 sigma unless ``sigma`` says otherwise);
- ``2``: 2 of 3 consecutive points beyond 2 sigma on the same side;
- ``3``: 4 of 5 consecutive points beyond 1 sigma on the same side;
- ``4``: 8 consecutive points on the same side of the centre line;

and Nelson's rule ``5`` here: 6 consecutive points steadily increasing or decreasing.
By default rules 1-4 are applied; choose with ``rules=``. Every extra rule adds false
alarms: with rules 1-4 (centre line from the same data) about 3.5% of in-control charts
of 12 quarters signal, 24% of charts of 36 months; rule 1 alone 2% and 8% (simulated,
n = 2,000 per period, p = 0.2). Measure it for a chart with :func:`p_chart_false_alarm`.

Laney's p' chart (Laney 2002, *Quality Engineering* 14(4): 531-537), ``laney=True``:
with very large denominators the binomial limits are too narrow, because the true
rate varies between periods more than binomial sampling allows (overdispersion) and
nearly every point falls outside. Laney scales the limits by the variation of the
z-scores between consecutive periods, ``sigma_z = mean(|z_i - z_(i-1)|) / 1.128``
(moving range over the baseline periods; 1.128 = d2 for ranges of two), giving limits
``p̄ ± 3 sigma_z sqrt(p̄(1 - p̄)/n_i)``; the rules then use ``z_i / sigma_z``. Use it
only when the denominators are large and the overdispersion is clear: from 12 points
``sigma_z`` is itself noisy (on the default synthetic data, quarterly regional charts
with about 250-300 women per quarter give ``sigma_z`` from 0.2 to 1.6 around a median
of 1.0, so the binomial limits are the right ones there).

A family of K independent charts, each with false-alarm probability ``a``, gives at
least one false alarm with probability ``1 - (1 - a)^K`` (:func:`family_false_alarm`).
These charts are crude (not case-mix adjusted): a change in the women served moves
them as much as a change in care.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.deprecation import SazDeprecationWarning
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.result import Result

__all__ = [
    "RunChart",
    "PChart",
    "run_chart",
    "run_limits",
    "run_chart_false_alarm",
    "p_chart",
    "p_chart_false_alarm",
    "family_false_alarm",
    "RUN_CHART_LIMITS",
    "WESTERN_ELECTRIC",
    "ALL_RULES",
]

WESTERN_ELECTRIC = ("1", "2", "3", "4")
ALL_RULES = ("1", "2", "3", "4", "5")


def _runs_of(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark elements of True-stretches at least ``length`` long."""
    out = np.zeros(len(flags), bool)
    start = None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def _sides_shift(side: np.ndarray, length: int) -> np.ndarray:
    """Points in a stretch of >= length same-sign values of ``side`` (0 = skipped)."""
    idx = np.flatnonzero(side != 0)
    s = side[idx]
    out = np.zeros(len(side), bool)
    start = 0
    for i in range(1, len(s) + 1):
        if i == len(s) or s[i] != s[start]:
            if i - start >= length:
                out[idx[start]] = True
                out[idx[start:i]] = True
            start = i
    return out


def _trend(values: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of >= length points all increasing or all decreasing (ties skipped)."""
    idx = np.flatnonzero(~np.isnan(values))
    v = values[idx]
    keep = np.concatenate([[True], np.diff(v) != 0]) if len(v) else np.array([], bool)
    idx, v = idx[keep], v[keep]
    out = np.zeros(len(values), bool)
    if len(v) < 2:
        return out
    d = np.sign(np.diff(v))
    start = 0
    for i in range(1, len(d) + 1):
        if i == len(d) or d[i] != d[start]:
            if i - start + 1 >= length:
                out[idx[start] : idx[i] + 1] = True  # repeated values inside count too
            start = i
    return out


def run_limits(n: int) -> tuple[int, int]:
    """Anhøj's limits for ``n`` useful points: (longest-run limit, crossings limit).

    A run chart signals a shift when its longest run is longer than the first number,
    and too few crossings when it crosses the median fewer times than the second.
    Below about 10 useful points the rules have little power; they are still computed.

    Examples
    --------
    >>> run_limits(24)
    (8, 8)
    >>> run_limits(36)
    (8, 13)
    """
    from scipy.stats import binom

    if n < 1:
        return 0, 0
    longest = int(np.floor(np.log2(n) + 3 + 0.5))  # round half up; log2(n) + 3 is never x.5
    crossings = int(binom.ppf(0.05, n - 1, 0.5)) if n >= 2 else 0
    return longest, crossings


#: Anhøj's run-chart limits for n = 10 to 40 useful points: n -> (longest-run limit,
#: crossings limit). A shift signals when the longest run is LONGER than the first
#: number; too few crossings when the crossings are FEWER than the second. Formulas:
#: ``round(log2(n) + 3)`` and ``qbinom(0.05, n - 1, 0.5)`` (``qicharts2::runs.analysis``;
#: Anhøj 2015, appendix "Critical values for longest runs and number of crossings").
#: Checked against published qicharts2 output (n = 23: 8 and 7; n = 24: 8 and 8) and a
#: published table of the longest-run limit (n = 10-11: 6, 12-22: 7, 23-40: 8).
RUN_CHART_LIMITS: dict[int, tuple[int, int]] = {
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4),
    16: (7, 4), 17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6),
    22: (7, 7), 23: (8, 7), 24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9),
    28: (8, 9), 29: (8, 10), 30: (8, 10), 31: (8, 11), 32: (8, 11), 33: (8, 11),
    34: (8, 12), 35: (8, 12), 36: (8, 13), 37: (8, 13), 38: (8, 14), 39: (8, 14),
    40: (8, 14),
}  # fmt: skip


#: The run-chart statistics that ``run_chart`` returned as a dict before it returned a
#: :class:`RunChart` (the order of that dict).
_RUN_STATS = (
    "median",
    "useful",
    "longest_run",
    "longest_run_limit",
    "crossings",
    "crossings_limit",
    "runs",
    "shift",
    "too_few_crossings",
    "trend",
    "trend_rule",
    "signal",
    "rules",
)


@dataclass(repr=False)
class RunChart(Result):
    """Result of :func:`run_chart`: the points and the run-chart statistics.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``period`` (when :func:`run_chart` was given periods),
        ``value``, ``median``, ``shift``, ``trend`` (bool per point: part of a signal),
        ``signal`` (either).
    median : float
        The centre line (median of the baseline values).
    useful : int
        Points not on the median (Anhøj's ``n``).
    longest_run, longest_run_limit : int
        The longest run on one side of the median; a shift signals above the limit.
    crossings, crossings_limit : int
        Crossings of the median; too few crossings signal below the limit.
    runs : int
        Crossings + 1 (0 without useful points).
    shift, too_few_crossings, trend : bool
        Which rules signalled (``trend`` is False when the rule was off).
    trend_rule : bool
        Whether the trend rule was applied.
    signal : bool
        Any rule signalled.
    rules : str
        The rules applied, in words.

    Before this class, :func:`run_chart` returned a tuple ``(points, summary)``;
    unpacking a result as ``points, summary = run_chart(...)`` still works for one
    release (with a deprecation warning) and gives the table and the statistics as a
    dict.
    """

    table: pd.DataFrame
    median: float
    useful: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int
    runs: int
    shift: bool
    too_few_crossings: bool
    trend: bool
    trend_rule: bool
    signal: bool
    rules: str

    def statistics(self) -> dict[str, Any]:
        """The run-chart statistics as a dict (the second element of the old tuple)."""
        return {k: getattr(self, k) for k in _RUN_STATS}

    def summary(self) -> str:
        """Plain text: centre line, runs and crossings against their limits, signals.

        Examples
        --------
        >>> print(run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).summary())
        Run chart (Anhøj rules): 12 points, 12 not on the median 6.5
        longest run 6 (shift signals above 7); crossings 1 (too few below 3)
        signals: too few crossings
        """
        flags = [
            label
            for on, label in (
                (self.shift, "shift"),
                (self.too_few_crossings, "too few crossings"),
                (self.trend, "trend"),
            )
            if on
        ]
        rules = "Anhøj rules" + (" and trend rule" if self.trend_rule else "")
        return "\n".join(
            [
                f"Run chart ({rules}): {len(self.table)} points, {self.useful} not on "
                f"the median {self.median:.4g}",
                f"longest run {self.longest_run} (shift signals above "
                f"{self.longest_run_limit}); crossings {self.crossings} (too few below "
                f"{self.crossings_limit})",
                f"signals: {', '.join(flags) or 'none'}",
            ]
        )

    def chart(self, **options: Any) -> Any:
        """The run chart (:func:`~saz_geboortezorg.present.monitor_charts.run_chart_plot`;
        options ``periods=``, ``title=``, ``y_title=``)."""
        from saz_geboortezorg.present.monitor_charts import run_chart_plot

        return run_chart_plot(self, **options)

    # one release: ``points, summary = run_chart(...)`` as when it returned a tuple
    def __iter__(self) -> Iterator[Any]:
        warnings.warn(
            "run_chart() returns a RunChart result: unpacking it as (points, summary) is "
            "deprecated and will be removed in the next release; use result.table and the "
            "result's fields (result.median, result.shift, ...) instead",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return iter((self.table, self.statistics()))


def run_chart(
    values: Sequence[float],
    *,
    baseline: Sequence[bool] | None = None,
    shift_length: int | None = None,
    trend: bool = False,
    trend_length: int = 5,
    periods: Sequence[Any] | None = None,
) -> RunChart:
    """Run chart: median and the run-chart rules (see the module docstring).

    Parameters
    ----------
    values : sequence of float
        One value per period in time order (NaN periods are skipped).
    baseline : sequence of bool, optional
        Periods whose median is the centre line (default all).
    shift_length : int, optional
        Default (None): Anhøj's rule, a run longer than ``round(log2(n) + 3)``. A number
        instead: a fixed rule, ``shift_length`` or more points on one side (IHI: 6);
        its false-alarm rate grows with the number of points.
    trend : bool
        Also apply the trend rule (off by default: it alone signals on about 38% of
        in-control 36-point series).
    trend_length : int
        Points needed for a trend when ``trend`` is on.
    periods : sequence of dates, optional
        The period of each value; kept as the table's ``period`` column, so that
        :meth:`RunChart.chart` draws against time.

    Returns
    -------
    RunChart
        ``table``: ``[period]``, ``value``, ``median``, ``shift``, ``trend`` (bool per
        point: part of a signal), ``signal`` (either); fields ``median``, ``useful``
        (points not on the median), ``longest_run`` with ``longest_run_limit``,
        ``crossings`` with ``crossings_limit``, ``runs`` (crossings + 1), ``shift``,
        ``too_few_crossings``, ``trend`` (bools; ``trend`` False when the rule is off),
        ``trend_rule`` (applied), ``signal`` (any rule) and ``rules`` (in words).

    Examples
    --------
    >>> s = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    >>> s.median, s.longest_run, s.longest_run_limit, s.crossings, s.crossings_limit
    (6.5, 6, 7, 1, 3)
    >>> s.shift, s.too_few_crossings, s.trend
    (False, True, False)
    >>> run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], trend=True).trend
    True
    """
    v = np.asarray(values, float)
    base = np.ones(len(v), bool) if baseline is None else np.asarray(baseline, bool)
    ok = ~np.isnan(v)
    if not (ok & base).any():
        raise SpecError("a run chart needs at least one value in the baseline")
    if shift_length is not None and shift_length < 2:
        raise SpecError(f"shift_length must be at least 2, not {shift_length}")
    med = float(np.median(v[ok & base]))
    side = np.where(ok, np.sign(v - med), 0).astype(int)
    s = side[side != 0]
    m = len(s)
    crossings = int((s[1:] != s[:-1]).sum()) if m else 0
    longest_limit, crossings_limit = run_limits(m)
    if shift_length is None:
        shift = _sides_shift(side, longest_limit + 1)
        run_rule = f"shift: a run longer than {longest_limit} (round(log2(n) + 3), n = {m})"
    else:
        shift = _sides_shift(side, shift_length)
        run_rule = f"shift: {shift_length} or more points on one side of the median"
    too_few = m >= 2 and crossings < crossings_limit
    trend_points = (
        _trend(np.where(ok, v, np.nan), trend_length) if trend else np.zeros(len(v), bool)
    )
    rules = [
        run_rule,
        f"too few crossings: fewer than {crossings_limit} (5% point of "
        f"Binomial({max(m - 1, 0)}, 1/2))",
    ]
    if trend:
        rules.append(f"trend: {trend_length} or more points all up or all down")
    signal = shift | trend_points
    points = pd.DataFrame(
        {"value": v, "median": med, "shift": shift, "trend": trend_points, "signal": signal}
    )
    if periods is not None:
        points.insert(0, "period", _periods(periods, len(v)))
    return RunChart(
        table=points,
        median=med,
        useful=int(m),
        longest_run=_longest_run(s),
        longest_run_limit=int(longest_limit if shift_length is None else shift_length - 1),
        crossings=crossings,
        crossings_limit=int(crossings_limit),
        runs=crossings + 1 if m else 0,
        shift=bool(shift.any()),
        too_few_crossings=bool(too_few),
        trend=bool(trend_points.any()),
        trend_rule=bool(trend),
        signal=bool(shift.any() or too_few or trend_points.any()),
        rules="; ".join(rules),
    )


def _periods(periods: Sequence[Any], n: int) -> pd.Series:
    """The periods as dates, one per value."""
    out = pd.Series(pd.to_datetime(list(periods)))
    if len(out) != n:
        raise SpecError(f"periods has {len(out)} entries for {n} values")
    return out


def _longest_run(s: np.ndarray) -> int:
    """Length of the longest stretch of equal values in a 1-D array (0 when empty)."""
    if len(s) == 0:
        return 0
    breaks = np.flatnonzero(s[1:] != s[:-1])
    edges = np.concatenate([[-1], breaks, [len(s) - 1]])
    return int(np.diff(edges).max())


def run_chart_false_alarm(
    n: int,
    *,
    shift_length: int | None = None,
    trend: bool = False,
    trend_length: int = 5,
    n_sim: int = 10_000,
    seed: int = 0,
) -> dict[str, float]:
    """Share of in-control series on which each run-chart rule signals, by simulation.

    Series of ``n`` independent standard normal values, centre line their own median
    (as :func:`run_chart` without a baseline), the rules as :func:`run_chart` applies
    them. The trend rule's rate is reported whether or not ``trend`` switches it on;
    ``any`` counts only the rules switched on.

    Returns
    -------
    dict
        ``shift``, ``crossings``, ``trend``, ``any`` (proportions) and ``n_sim``.

    Examples
    --------
    >>> r = run_chart_false_alarm(24, n_sim=2000, seed=1)
    >>> bool(0.02 < r["any"] < 0.12), bool(r["trend"] > 0.2)
    (True, True)
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_sim, n))
    side = np.sign(x - np.median(x, axis=1, keepdims=True))
    # continuous data: nobody on the median when n is even; one point when n is odd
    useful = (side != 0).sum(axis=1)
    run = np.zeros(n_sim, int)
    longest = np.zeros(n_sim, int)
    crossings = np.zeros(n_sim, int)
    last = np.zeros(n_sim)
    for j in range(n):
        sj = side[:, j]
        on = sj != 0
        same = on & (sj == last)
        crossings += on & (last != 0) & (sj != last)
        run = np.where(same, run + 1, np.where(on, 1, run))
        last = np.where(on, sj, last)
        longest = np.maximum(longest, run)
    limits = np.array([run_limits(int(u)) for u in range(n + 1)])
    if shift_length is None:
        shift = longest > limits[useful, 0]
    else:
        shift = longest >= shift_length
    few = crossings < limits[useful, 1]
    d = np.sign(np.diff(x, axis=1))
    up = np.zeros(n_sim, int)
    trend_hit = np.zeros(n_sim, bool)
    prev = np.zeros(n_sim)
    for j in range(n - 1):
        up = np.where(d[:, j] == prev, up + 1, 1)
        prev = d[:, j]
        trend_hit |= up + 1 >= trend_length
    any_signal = shift | few | (trend_hit if trend else False)
    return {
        "shift": float(shift.mean()),
        "crossings": float(few.mean()),
        "trend": float(trend_hit.mean()),
        "any": float(np.mean(any_signal)),
        "n_sim": n_sim,
    }


def family_false_alarm(rates: float | Sequence[float], k: int | None = None) -> float:
    """Probability of at least one false alarm among independent charts.

    ``family_false_alarm(a, k)``: ``k`` charts each with false-alarm probability ``a``,
    ``1 - (1 - a)^k``; ``family_false_alarm([a1, a2, ...])``: ``1 - prod(1 - a_i)``.

    Examples
    --------
    >>> round(family_false_alarm(0.05, 17), 3)
    0.582
    >>> round(family_false_alarm([0.1, 0.2]), 2)
    0.28
    """
    if k is not None:
        a = float(rates)  # type: ignore[arg-type]
        if not 0 <= a <= 1 or k < 0:
            raise SpecError("a false-alarm rate is between 0 and 1 and k is not negative")
        return 1.0 - (1.0 - a) ** k
    a = np.asarray(rates, float)
    if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
        raise SpecError("false-alarm rates must be known and between 0 and 1")
    return float(1.0 - np.prod(1.0 - a))


def _window_rule(z: np.ndarray, k: int, w: int, limit: float) -> np.ndarray:
    """Points beyond ``limit`` (same side) in any window of ``w`` holding >= ``k`` of them."""
    out = np.zeros(len(z), bool)
    for sign in (1, -1):
        beyond = np.nan_to_num(sign * z, nan=-np.inf) > limit
        for start in range(0, max(len(z) - w + 1, 0)):
            win = beyond[start : start + w]
            if win.sum() >= k:
                out[start : start + w] |= win
    return out


def _laney_sigma_z(z: np.ndarray, base: np.ndarray) -> float:
    """Laney's sigma_z: mean moving range of consecutive baseline z-scores / 1.128."""
    keep = base & ~np.isnan(z)
    zb = z[keep]
    if len(zb) < 2:
        raise SpecError("Laney's p' chart needs at least two baseline periods with records")
    return float(np.mean(np.abs(np.diff(zb))) / 1.128)


@dataclass(repr=False)
class PChart(Result):
    """Result of :func:`p_chart`: one row per period with the limits and signals.

    Attributes
    ----------
    table : DataFrame
        ``period`` (when :func:`p_chart` was given periods), ``n``, ``events``,
        ``rate``, ``centre``, ``lcl``, ``ucl``, ``z``, ``sigma_z``, ``rules``
        (comma-separated rules the point is part of, "" if none), ``signal``.
    method : str
        Which chart: ``"p-chart (binomial limits)"`` or ``"Laney p' chart (sigma_z =
        ...)"`` (formerly ``table.attrs["method"]``).
    centre : float
        The centre line ``p̄`` (from the baseline periods).
    sigma : float
        Width of the limits in standard errors.
    sigma_z : float
        Laney's scale of the limits (1 for the binomial p-chart).
    laney : bool
        Whether the limits are Laney's.
    rules_applied : tuple of str
        The rules applied (``"1"`` to ``"5"``).
    baseline_periods : int
        Periods that defined the centre line.
    """

    table: pd.DataFrame
    method: str
    centre: float
    sigma: float = 3.0
    sigma_z: float = 1.0
    laney: bool = False
    rules_applied: tuple[str, ...] = field(default_factory=lambda: WESTERN_ELECTRIC)
    baseline_periods: int = 0

    @property
    def signals(self) -> int:
        """Number of periods that are part of a signal."""
        return int(self.table["signal"].sum())

    def summary(self) -> str:
        """Plain text: the chart, its centre line and which periods signal.

        Examples
        --------
        >>> pc = p_chart([5, 4, 20], [100, 100, 100], baseline=[True, True, False])
        >>> print(pc.summary())
        p-chart (binomial limits): 3 periods, centre line 4.5% (from 2 baseline periods), 3-sigma limits
        rules applied: 1, 2, 3, 4
        1 period signals: period 3 (rule 1)
        """
        t = self.table
        fired = t[t["signal"]]
        if "period" in t:
            names = ["unknown period" if pd.isna(p) else f"{p:%Y-%m}" for p in fired["period"]]
        else:
            names = [f"period {i + 1}" for i in range(len(t)) if t["signal"].iloc[i]]
        shown = [
            f"{name} (rule{'s' if ',' in r else ''} {r})"
            for name, r in zip(names, fired["rules"], strict=True)
        ]
        if len(shown) > 6:
            shown = shown[:6] + [f"... ({len(shown) - 6} more)"]
        which = "; ".join(shown)
        k = len(fired)
        return "\n".join(
            [
                f"{self.method}: {len(t)} periods, centre line {100 * self.centre:.3g}% "
                f"(from {self.baseline_periods} baseline periods), {self.sigma:g}-sigma limits",
                f"rules applied: {', '.join(self.rules_applied)}",
                f"{k} period{'s' if k != 1 else ''} signal{'' if k != 1 else 's'}"
                + (f": {which}" if k else ""),
            ]
        )

    def chart(self, **options: Any) -> Any:
        """The p-chart (:func:`~saz_geboortezorg.present.monitor_charts.p_chart_plot`;
        options ``periods=``, ``title=``, ``percent=``, ``start=``, ``adjusted=``,
        ``false_alarm=``)."""
        from saz_geboortezorg.present.monitor_charts import p_chart_plot

        return p_chart_plot(self, **options)


def p_chart(
    events: Sequence[float],
    n: Sequence[float],
    *,
    rules: Sequence[str] = WESTERN_ELECTRIC,
    baseline: Sequence[bool] | None = None,
    sigma: float = 3.0,
    laney: bool = False,
    periods: Sequence[Any] | None = None,
) -> PChart:
    """p-chart of proportions with limits varying with n and the signal rules.

    Parameters
    ----------
    events, n : sequence
        Events and denominator per period, in time order (periods with n = 0 are
        kept but get no limits and no signal).
    rules : sequence of str
        Rules to apply, of ``"1"`` to ``"5"`` (module docstring); default Western
        Electric 1-4.
    baseline : sequence of bool, optional
        Periods that define the centre line (e.g. before an initiative); default all.
    sigma : float
        Width of the control limits in standard errors.
    laney : bool
        Laney's p' chart: limits widened (or narrowed) by ``sigma_z``, the moving-range
        spread of the z-scores (module docstring). For large denominators.
    periods : sequence of dates, optional
        The period of each value; kept as the table's ``period`` column, so that
        :meth:`PChart.chart` draws against time.

    Returns
    -------
    PChart
        ``table``: ``[period]``, ``n``, ``events``, ``rate``, ``centre``, ``lcl``,
        ``ucl``, ``z`` (distance from the centre in units of the limits' sigma: divided
        by ``sigma_z`` for Laney), ``sigma_z`` (1 for the binomial p-chart), ``rules``
        (comma-separated rules the point is part of, "" if none), ``signal``; fields
        ``method`` (which chart), ``centre``, ``sigma_z``, ``laney``, ...

    Examples
    --------
    >>> pc = p_chart([5, 4, 20], [100, 100, 100], baseline=[True, True, False])
    >>> round(pc.centre, 3), round(float(pc.table.ucl[0]), 4), pc.table.rules.tolist()
    (0.045, 0.1072, ['', '', '1'])
    >>> lp = p_chart([500, 560, 470, 530], [10_000] * 4, laney=True)
    >>> round(lp.sigma_z, 3), lp.method
    (2.808, "Laney p' chart (sigma_z = 2.81)")
    """
    ev = np.asarray(events, float)
    nn = np.asarray(n, float)
    if ev.shape != nn.shape:
        raise SpecError("events and n must have the same length")
    unknown = set(rules) - set(ALL_RULES)
    if unknown:
        raise SpecError(f"unknown p-chart rule(s) {sorted(unknown)}; use {', '.join(ALL_RULES)}")
    base = np.ones(len(ev), bool) if baseline is None else np.asarray(baseline, bool)
    if nn[base].sum() <= 0:
        raise SpecError("the baseline periods have no records")
    pbar = ev[base].sum() / nn[base].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(nn > 0, ev / np.where(nn > 0, nn, 1), np.nan)
        se = np.where(nn > 0, np.sqrt(pbar * (1 - pbar) / np.where(nn > 0, nn, 1)), np.nan)
        z = (rate - pbar) / se
    sigma_z = _laney_sigma_z(z, base) if laney else 1.0
    if laney and sigma_z > 0:
        z = z / sigma_z
    flags = _rule_flags(z, rate, rules, sigma)
    labels = [",".join(r for r in sorted(flags) if flags[r][i]) for i in range(len(ev))]
    out = pd.DataFrame(
        {
            "n": nn,
            "events": ev,
            "rate": rate,
            "centre": pbar,
            "lcl": np.maximum(pbar - sigma * sigma_z * se, 0),
            "ucl": np.minimum(pbar + sigma * sigma_z * se, 1),
            "z": z,
            "sigma_z": sigma_z,
            "rules": labels,
            "signal": [bool(x) for x in labels],
        }
    )
    if periods is not None:
        out.insert(0, "period", _periods(periods, len(ev)))
    return PChart(
        table=out,
        method=(
            f"Laney p' chart (sigma_z = {sigma_z:.2f})" if laney else "p-chart (binomial limits)"
        ),
        centre=float(pbar),
        sigma=float(sigma),
        sigma_z=float(sigma_z),
        laney=bool(laney),
        rules_applied=tuple(r for r in ALL_RULES if r in set(rules)),
        baseline_periods=int(base.sum()),
    )


def _rule_flags(
    z: np.ndarray, rate: np.ndarray, rules: Sequence[str], sigma: float
) -> dict[str, np.ndarray]:
    """Per rule, the points that are part of a signal (1-D z and rates of one chart)."""
    flags: dict[str, np.ndarray] = {}
    if "1" in rules:
        flags["1"] = np.nan_to_num(np.abs(z), nan=0) > sigma
    if "2" in rules:
        flags["2"] = _window_rule(z, 2, 3, 2)
    if "3" in rules:
        flags["3"] = _window_rule(z, 4, 5, 1)
    if "4" in rules:
        side = np.where(np.isnan(z), 0, np.sign(z)).astype(int)
        flags["4"] = _sides_shift(side, 8)
    if "5" in rules:
        flags["5"] = _trend(rate, 6)
    return flags


def _any_signal(z: np.ndarray, rate: np.ndarray, rules: Sequence[str], sigma: float) -> np.ndarray:
    """Whether each row (one simulated chart) has any signal; vectorised :func:`_rule_flags`."""

    reps, t = z.shape
    zz = np.nan_to_num(z, nan=0.0)
    hit = np.zeros(reps, bool)
    if "1" in rules:
        hit |= (np.abs(zz) > sigma).any(axis=1)
    for rule, k, w, limit in (("2", 2, 3, 2.0), ("3", 4, 5, 1.0)):
        if rule in rules and t >= w:
            for sign in (1, -1):
                beyond = (sign * zz > limit).astype(np.int8)
                # points beyond the limit in each window of w: w shifted slices added
                # (exact small integers; faster than summing a sliding window view)
                count = beyond[:, : t - w + 1].copy()
                for j in range(1, w):
                    count += beyond[:, j : t - w + 1 + j]
                hit |= (count >= k).any(axis=1)
    if "4" in rules:  # 8 on one side, points exactly on the centre skipped
        side = np.sign(zz)
        run = np.zeros(reps, int)
        last = np.zeros(reps)
        for j in range(t):
            on = side[:, j] != 0
            run = np.where(on & (side[:, j] == last), run + 1, np.where(on, 1, run))
            last = np.where(on, side[:, j], last)
            hit |= run >= 8
    if "5" in rules:
        for i in np.flatnonzero(~hit):
            hit[i] = _trend(rate[i], 6).any()
    return hit


def p_chart_false_alarm(
    n: Sequence[float],
    p: float,
    *,
    rules: Sequence[str] = WESTERN_ELECTRIC,
    sigma: float = 3.0,
    laney: bool = False,
    n_sim: int = 4000,
    seed: int = 0,
) -> float:
    """Probability that an in-control p-chart signals somewhere, by simulation.

    Each simulated chart has the given denominators, binomial events with the constant
    rate ``p``, its own centre line from all its periods, and the rules of
    :func:`p_chart` (with ``laney``: its own ``sigma_z``). The share of charts with at
    least one signal is returned (Monte Carlo standard error about
    ``sqrt(a(1 - a)/n_sim)``).

    Examples
    --------
    >>> a = p_chart_false_alarm([2000] * 12, 0.2, n_sim=2000, seed=1)
    >>> bool(0.01 < a < 0.07)  # rules 1-4 on 12 periods: about 3.5%
    True
    """
    nn = np.asarray(n, float)
    if not 0 <= p <= 1:
        raise SpecError(f"p must be between 0 and 1, not {p}")
    if (nn < 0).any() or nn.sum() <= 0:
        raise SpecError("the denominators must be non-negative with at least one record")
    rng = np.random.default_rng(seed)
    ev = rng.binomial(nn.astype(int), p, size=(n_sim, len(nn))).astype(float)
    pbar = ev.sum(axis=1, keepdims=True) / nn.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(nn > 0, ev / np.where(nn > 0, nn, 1), np.nan)
        se = np.sqrt(pbar * (1 - pbar) / np.where(nn > 0, nn, np.nan))
        z = (rate - pbar) / se
    if laney:
        cols = nn > 0
        mr = np.nanmean(np.abs(np.diff(z[:, cols], axis=1)), axis=1) / 1.128
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(mr[:, None] > 0, z / mr[:, None], z)
    z = np.where(np.isfinite(z), z, np.nan)
    return float(_any_signal(z, rate, rules, sigma).mean())
