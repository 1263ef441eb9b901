"""Risk-adjusted monitoring of one unit: expected risks, VLAD and Bernoulli CUSUM.

Each record (in date order) has an outcome ``y_t`` (0/1) and an expected risk ``p_t``
from the case-mix model (:func:`expected_risks`).

VLAD (variable life-adjusted display; Lovegrove et al. 1997) here is the cumulative
**observed minus expected**, ``V_t = sum_{s<=t} (y_s - p_s)``, as the project's issue
asks: for an adverse outcome a *rising* line means *more* events than expected
(worse), a falling line fewer (better). Many papers plot expected minus observed
(``-V_t``, "statistical lives saved"); negate to get that.

Risk-adjusted Bernoulli CUSUM (Steiner, Cook, Farewell & Treasure 2000, Biostatistics
1:441-452) for a change of the odds of the event by the factor ``R`` (``R = 2``:
deterioration, doubled odds; ``R = 0.5``: improvement, halved odds). The
log-likelihood ratio weight of record ``t`` is

    W_t = y_t log(R) - log(1 - p_t + R p_t)

and ``S_t = max(0, S_{t-1} + W_t)`` from ``S_0 = 0``; the chart signals when
``S_t >= h`` and then restarts from 0. The threshold ``h`` is given, or calibrated by
:func:`calibrate_threshold` so that an in-control unit (outcomes drawn from its own
expected risks) signals at least once over the monitoring period with the chosen
false-alarm probability.

Expected risks come from a fitted case-mix model (:func:`expected_risks`, the model's
coefficients applied to each record). A unit that differs steadily from the national
standard would signal at once; to monitor *change*, recalibrate the risks to the
unit's own baseline period first (:func:`recalibrate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError

__all__ = [
    "expected_risks",
    "expected_log_odds",
    "recalibrate",
    "vlad",
    "cusum_weights",
    "cusum",
    "cusum_change_start",
    "calibrate_threshold",
]


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def expected_risks(result: Any, data: Any) -> pd.Series:
    """Each record's expected risk under a fitted case-mix model.

    The fit's :meth:`FittedModel.predict
    <saz_geboortezorg.model.fitted.FittedModel.predict>` (``result.model.predict(data)``)
    for a logistic model: its fixed-effects coefficients applied to every record.

    Parameters
    ----------
    result : CaseMixResult
        A binomial fit without multiple imputation (``result.model`` present).
    data : Dataset or DataFrame
        Records to predict for (may be other data than the model was fitted to).

    Returns
    -------
    Series
        Expected risk per record of the outcome's table (index of that table), NaN for
        records outside the outcome's denominator or the spec's population.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.model import casemix
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"prev_cs": rng.integers(0, 2, 4000)})
    >>> df["y"] = rng.binomial(1, np.where(df.prev_cs == 1, 0.3, 0.1))
    >>> res = casemix(df, {"name": "d", "outcome": "y", "random_effects": False,
    ...                    "covariates": {"prev_cs": "binary"}}, unit="all")
    >>> p = expected_risks(res, df)
    >>> bool(np.allclose(p, df.groupby("prev_cs").y.transform("mean")))  # saturated model
    True
    """
    if result.model is None or result.family != "binomial":
        raise SpecError("expected risks need a binomial case-mix fit without multiple imputation")
    return result.model.predict(data)


def expected_log_odds(result: Any, data: Any) -> pd.Series:
    """Each record's expected log odds: the case-mix offset for the models in
    :mod:`saz_geboortezorg.monitor.its` and :mod:`saz_geboortezorg.monitor.change_point`.

    ``logit`` of :func:`expected_risks` (NaN where that is NaN).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from saz_geboortezorg.model import casemix
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"prev_cs": rng.integers(0, 2, 4000)})
    >>> df["y"] = rng.binomial(1, np.where(df.prev_cs == 1, 0.3, 0.1))
    >>> res = casemix(df, {"name": "d", "outcome": "y", "random_effects": False,
    ...                    "covariates": {"prev_cs": "binary"}}, unit="all")
    >>> lo = expected_log_odds(res, df)
    >>> p = df.groupby("prev_cs").y.transform("mean")
    >>> bool(np.allclose(lo, np.log(p / (1 - p))))
    True
    """
    risk = expected_risks(result, data)
    return np.log(risk / (1.0 - risk)).rename("expected_log_odds")


def recalibrate(
    expected: Sequence[float], observed: Sequence[float], baseline: Sequence[bool]
) -> np.ndarray:
    """Shift expected risks on the log-odds scale so that they sum to the observed
    events in the baseline records (calibration-in-the-large to the unit's own past).

    Parameters
    ----------
    expected, observed : sequence of float
        Expected risk and 0/1 outcome per record.
    baseline : sequence of bool
        The records of the baseline period.

    Returns
    -------
    ndarray
        ``expit(logit(p) + delta)`` with ``delta`` solving ``sum_baseline expit(...) =
        sum_baseline y``.

    Examples
    --------
    >>> p = recalibrate([0.1, 0.1, 0.1, 0.1], [1, 0, 0, 0], [True, True, False, False])
    >>> [round(float(x), 3) for x in p]
    [0.5, 0.5, 0.5, 0.5]
    """
    p = np.asarray(expected, float)
    y = np.asarray(observed, float)
    b = np.asarray(baseline, bool)
    target = y[b].sum()
    if not 0 < target < b.sum():
        raise SpecError("recalibration needs at least one event and one non-event in the baseline")
    from scipy.optimize import brentq

    lp = np.log(p / (1 - p))
    delta = brentq(lambda d: _expit(lp[b] + d).sum() - target, -50.0, 50.0, xtol=1e-12)
    return _expit(lp + delta)


def vlad(observed: Sequence[float], expected: Sequence[float]) -> np.ndarray:
    """Cumulative observed minus expected events (positive: more events than expected).

    Parameters
    ----------
    observed, expected : sequence of float
        0/1 outcome and expected risk per record, in time order.

    Returns
    -------
    ndarray
        ``V_t = sum_{s<=t} (y_s - p_s)``.

    Examples
    --------
    >>> vlad([0, 1, 0], [0.1, 0.2, 0.1]).round(2).tolist()
    [-0.1, 0.7, 0.6]
    """
    y = np.asarray(observed, float)
    p = np.asarray(expected, float)
    if y.shape != p.shape:
        raise SpecError("observed and expected must have the same length")
    return np.cumsum(y - p)


def cusum_weights(
    observed: Sequence[float], expected: Sequence[float], odds_ratio: float
) -> np.ndarray:
    """Log-likelihood ratio weights ``W_t = y log R - log(1 - p + R p)``.

    Examples
    --------
    >>> cusum_weights([1, 0], [0.2, 0.2], 2.0).round(4).tolist()
    [0.5108, -0.1823]
    """
    if not odds_ratio > 0 or odds_ratio == 1:
        raise SpecError("odds_ratio must be positive and not 1 (e.g. 2 or 0.5)")
    y = np.asarray(observed, float)
    p = np.asarray(expected, float)
    return y * np.log(odds_ratio) - np.log(1 - p + odds_ratio * p)


def cusum(
    observed: Sequence[float],
    expected: Sequence[float],
    *,
    odds_ratio: float = 2.0,
    h: float,
    reset: bool = True,
) -> pd.DataFrame:
    """Risk-adjusted Bernoulli CUSUM (Steiner et al. 2000) with restart after a signal.

    Parameters
    ----------
    observed, expected : sequence of float
        0/1 outcome and expected risk per record, in time order.
    odds_ratio : float
        The change to detect: > 1 deterioration, < 1 improvement.
    h : float
        Signal threshold (:func:`calibrate_threshold` chooses one).
    reset : bool
        Restart from 0 after each signal (default) or carry on.

    Returns
    -------
    DataFrame
        ``weight``, ``s`` (the CUSUM after the record) and ``signal`` (True at the
        records where ``s`` reached ``h``).

    Examples
    --------
    >>> c = cusum([1, 1, 0, 1], [0.2, 0.2, 0.2, 0.2], odds_ratio=2, h=0.8)
    >>> c.s.round(4).tolist(), c.signal.tolist()
    ([0.5108, 1.0217, 0.0, 0.5108], [False, True, False, False])
    """
    if not h > 0:
        raise SpecError("the CUSUM threshold h must be positive")
    w = cusum_weights(observed, expected, odds_ratio)
    s = np.empty(len(w))
    sig = np.zeros(len(w), bool)
    cur = 0.0
    for t, wt in enumerate(w):
        cur = max(0.0, cur + wt)
        if cur >= h:
            sig[t] = True
            s[t] = cur
            if reset:
                cur = 0.0
            continue
        s[t] = cur
    return pd.DataFrame({"weight": w, "s": s, "signal": sig})


def cusum_change_start(chart: pd.DataFrame, *, reset: bool = True) -> np.ndarray:
    """Estimated start of the change behind each CUSUM signal (positions).

    For a CUSUM the maximum-likelihood estimate of when the change began, given a
    signal, is the first record after the chart was last at zero before the signal
    (Page 1954, *Biometrika* 41:100-115): the start of the excursion
    that crossed ``h``. With restarts after a signal, each signal's excursion starts
    after the previous zero or restart.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`cusum` (columns ``s`` and ``signal``).
    reset : bool
        As given to :func:`cusum` (without restarts, later signals of one excursion
        share its start).

    Returns
    -------
    ndarray of int
        For each signal in order, the position (0-based row number) of the first
        record of its excursion.

    Examples
    --------
    >>> c = cusum([0, 1, 0, 1, 1, 0, 1, 1], [0.2] * 8, odds_ratio=2, h=1.2)
    >>> c.s.round(2).tolist(), c.signal.tolist()        # doctest: +NORMALIZE_WHITESPACE
    ([0.0, 0.51, 0.33, 0.84, 1.35, 0.0, 0.51, 1.02],
     [False, False, False, False, True, False, False, False])
    >>> cusum_change_start(c).tolist()
    [1]
    """
    s = chart["s"].to_numpy(float)
    sig = chart["signal"].to_numpy(bool)
    out = []
    start = 0
    for t in range(len(s)):
        if sig[t]:
            out.append(start)
            if reset:
                start = t + 1
        elif s[t] <= 0:
            start = t + 1
    return np.asarray(out, dtype=np.int64)


def calibrate_threshold(
    expected: Sequence[float],
    *,
    odds_ratio: float = 2.0,
    false_alarm: float | None = 0.05,
    arl: float | None = None,
    baseline: Sequence[float] | None = None,
    n_sim: int = 2000,
    seed: int = 20261123,
) -> float:
    """Threshold ``h`` for a false-alarm probability over a period, or an in-control ARL.

    With ``false_alarm`` (default), simulates ``n_sim`` in-control sequences (each outcome drawn from its expected
    risk, same records and order as ``expected``) and returns the ``1 - false_alarm``
    quantile of the maximum CUSUM over the period: an in-control unit then signals at
    least once during the period with probability ``false_alarm`` (up to simulation
    error, about ``sqrt(a(1-a)/n_sim)``).

    Risks recalibrated to the unit's own baseline (:func:`recalibrate`) carry that
    baseline's estimation error, which makes false alarms more frequent than stated
    (with about 50 baseline events, roughly 6% instead of 2.5% per chart). Pass the
    baseline records' recalibrated risks as ``baseline`` to include it: each simulated
    sequence then also draws baseline outcomes from ``baseline``, re-estimates the
    recalibration shift from them and monitors with the shifted risks while outcomes
    come from ``expected`` (a parametric bootstrap; the probability is then the
    unconditional one, over baseline and monitoring period together).

    With ``arl`` (and ``false_alarm=None``), each simulated sequence draws its records'
    risks at random (with replacement) from ``expected``, and ``h`` is the threshold
    whose mean in-control run length (records until the first signal) is ``arl``.
    Sequences are cut at ``10 * arl`` records and counted as that long, which can only
    make the true ARL at the returned ``h`` somewhat longer than asked (conservative).

    Parameters
    ----------
    expected : sequence of float
        Expected risks of the monitoring period's records (or a stand-in sequence of
        the same length and case mix).
    odds_ratio : float
        As in :func:`cusum`.
    false_alarm : float or None
        Probability of at least one false signal over the period.
    arl : float, optional
        Target in-control average run length in records (set ``false_alarm=None``).
    baseline : sequence of float, optional
        Recalibrated risks of the baseline records (``false_alarm`` mode only).
    n_sim : int
    seed : int

    Returns
    -------
    float

    Examples
    --------
    >>> h = calibrate_threshold([0.05] * 500, odds_ratio=2, false_alarm=0.05, n_sim=500)
    >>> 1.5 < h < 5
    True
    >>> h_arl = calibrate_threshold([0.05] * 50, false_alarm=None, arl=200, n_sim=300)
    >>> 0.5 < h_arl < h
    True
    """
    p = np.asarray(expected, float)
    rng = np.random.default_rng(seed)
    if arl is not None:
        if false_alarm is not None:
            raise SpecError("give either false_alarm or arl (set false_alarm=None)")
        return _calibrate_arl(p, odds_ratio, float(arl), n_sim, rng)
    if false_alarm is None or not 0 < false_alarm < 1:
        raise SpecError("false_alarm must lie between 0 and 1")
    log_r = np.log(odds_ratio)
    s = np.zeros(n_sim)
    peak = np.zeros(n_sim)
    if baseline is None:
        w0 = -np.log(1 - p + odds_ratio * p)
        for t in range(len(p)):
            y = rng.random(n_sim) < p[t]
            s = np.maximum(0.0, s + w0[t] + log_r * y)
            np.maximum(peak, s, out=peak)
        return float(np.quantile(peak, 1 - false_alarm))
    delta = _bootstrap_shifts(np.asarray(baseline, float), n_sim, rng)
    lp = np.log(p / (1 - p))
    for t in range(len(p)):
        y = rng.random(n_sim) < p[t]
        q = _expit(lp[t] + delta)
        s = np.maximum(0.0, s - np.log(1 - q + odds_ratio * q) + log_r * y)
        np.maximum(peak, s, out=peak)
    return float(np.quantile(peak, 1 - false_alarm))


def _bootstrap_shifts(pb: np.ndarray, n_sim: int, rng) -> np.ndarray:
    """Recalibration shifts re-estimated from baseline outcomes drawn from ``pb``."""
    lb = np.log(pb / (1 - pb))
    events = (rng.random((n_sim, len(pb))) < pb).sum(axis=1).astype(float)
    events = np.clip(events, 0.5, len(pb) - 0.5)  # a baseline without events: half an event
    delta = np.zeros(n_sim)
    for _ in range(50):  # Newton on all simulations at once (monotone, starts at 0)
        q = _expit(lb[None, :] + delta[:, None])
        step = (events - q.sum(axis=1)) / (q * (1 - q)).sum(axis=1)
        delta += np.clip(step, -2, 2)
        if np.abs(step).max() < 1e-10:
            break
    return delta


def _calibrate_arl(p, odds_ratio, arl, n_sim, rng) -> float:
    """Bisection on h for the mean run length, using one set of simulated paths."""
    if not arl > 1:
        raise SpecError("arl must be more than 1 record")
    cap = int(10 * arl)
    log_r = np.log(odds_ratio)
    s = np.zeros(n_sim)
    peak = np.empty((cap, n_sim), dtype=np.float32)  # running maximum of each path
    running = np.zeros(n_sim)
    for t in range(cap):
        pt = p[rng.integers(0, len(p), n_sim)]
        y = rng.random(n_sim) < pt
        s = np.maximum(0.0, s - np.log(1 - pt + odds_ratio * pt) + log_r * y)
        np.maximum(running, s, out=running)
        peak[t] = running

    def mean_run_length(h):
        crossed = peak >= h
        first = np.where(crossed.any(axis=0), crossed.argmax(axis=0) + 1, cap)
        return first.mean()

    lo, hi = 0.0, float(peak[-1].max()) + 1e-9
    for _ in range(40):
        mid = (lo + hi) / 2
        if mean_run_length(mid) < arl:
            lo = mid
        else:
            hi = mid
    return hi
