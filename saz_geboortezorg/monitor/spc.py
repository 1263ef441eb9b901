"""Statistical process control for rates over time: run chart and p-chart.

Run chart (Provost & Murray 2011; Anhøj & Olesen 2014), centre line = median of the
points. Points exactly on the median are ignored by every rule. Rules applied:

- ``shift``: ``shift_length`` (default 8; IHI uses 6) or more consecutive points on
  the same side of the median;
- ``trend``: ``trend_length`` (default 5) or more consecutive points all going up or
  all going down (a repeated value neither breaks nor extends the trend);
- ``runs``: too few or too many runs (a run is a series of points on one side of the
  median). With ``m`` useful points, the number of crossings is Binomial(m - 1, 1/2)
  for random data; a signal when crossings fall below the lower or above the upper
  5% one-sided quantile (Chen 2010, as in Anhøj's ``qicharts2``).

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
alarms: with 1-4 on 36 in-control periods expect a false signal in about 1 chart in 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError

__all__ = ["run_chart", "p_chart", "WESTERN_ELECTRIC", "ALL_RULES"]

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


def run_chart(
    values: Sequence[float],
    *,
    shift_length: int = 8,
    trend_length: int = 5,
    baseline: Sequence[bool] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Run chart: median and the run-chart rules (see the module docstring).

    Parameters
    ----------
    values : sequence of float
        One value per period in time order (NaN periods are skipped).
    shift_length, trend_length : int
        Points needed for a shift and a trend.
    baseline : sequence of bool, optional
        Periods whose median is the centre line (default all).

    Returns
    -------
    (points, summary)
        ``points``: ``value``, ``median``, ``shift``, ``trend`` (bool per point: part of
        a signal), ``signal`` (either). ``summary``: ``median``, ``useful`` (points not
        on the median), ``runs``, ``runs_lower``, ``runs_upper``, ``too_few_runs``,
        ``too_many_runs``, ``shift``, ``trend`` (bools).

    Examples
    --------
    >>> pts, s = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], shift_length=6)
    >>> s["median"], s["runs"], bool(s["trend"]), bool(s["too_few_runs"])
    (5.5, 2, True, True)
    >>> pts["shift"].tolist() == [False] * 10
    True
    """
    v = np.asarray(values, float)
    base = np.ones(len(v), bool) if baseline is None else np.asarray(baseline, bool)
    ok = ~np.isnan(v)
    if not (ok & base).any():
        raise SpecError("a run chart needs at least one value in the baseline")
    med = float(np.median(v[ok & base]))
    side = np.where(ok, np.sign(v - med), 0).astype(int)
    s = side[side != 0]
    m = len(s)
    crossings = int((s[1:] != s[:-1]).sum()) if m else 0
    from scipy.stats import binom

    if m >= 2:
        lo = int(binom.ppf(0.05, m - 1, 0.5))
        hi = int(binom.isf(0.05, m - 1, 0.5))
        # crossings < lo is below the 5% quantile; crossings > hi above the upper one.
        too_few, too_many = crossings < lo, crossings > hi
    else:
        lo, hi, too_few, too_many = 0, 0, False, False
    shift = _sides_shift(side, shift_length)
    trend = _trend(np.where(ok, v, np.nan), trend_length)
    points = pd.DataFrame(
        {"value": v, "median": med, "shift": shift, "trend": trend, "signal": shift | trend}
    )
    summary = {
        "median": med,
        "useful": m,
        "runs": crossings + 1 if m else 0,
        "runs_lower": lo + 1,
        "runs_upper": hi + 1,
        "too_few_runs": bool(too_few),
        "too_many_runs": bool(too_many),
        "shift": bool(shift.any()),
        "trend": bool(trend.any()),
    }
    return points, summary


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


def p_chart(
    events: Sequence[float],
    n: Sequence[float],
    *,
    rules: Sequence[str] = WESTERN_ELECTRIC,
    baseline: Sequence[bool] | None = None,
    sigma: float = 3.0,
) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        ``n``, ``events``, ``rate``, ``centre``, ``lcl``, ``ucl``, ``z``, ``rules``
        (comma-separated rules the point is part of, "" if none), ``signal``.

    Examples
    --------
    >>> pc = p_chart([5, 4, 20], [100, 100, 100], baseline=[True, True, False])
    >>> round(float(pc.centre[0]), 3), round(float(pc.ucl[0]), 4), pc.rules.tolist()
    (0.045, 0.1072, ['', '', '1'])
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
    labels = [",".join(r for r in sorted(flags) if flags[r][i]) for i in range(len(ev))]
    return pd.DataFrame(
        {
            "n": nn,
            "events": ev,
            "rate": rate,
            "centre": pbar,
            "lcl": np.maximum(pbar - sigma * se, 0),
            "ucl": np.minimum(pbar + sigma * se, 1),
            "z": z,
            "rules": labels,
            "signal": [bool(x) for x in labels],
        }
    )
