"""From funnel flags to verdicts: direction, the two tiers, volume and p-values.

The judging step of the benchmark (:func:`saz_geboortezorg.compare.benchmark.benchmark`):
a funnel's flags read as better/worse given the indicator's direction (:func:`assess`),
a verdict and an alert tier (:func:`tiers`), the volume rule (:func:`expected_events`),
p-values that agree with the funnel limits (:func:`funnel_p_values`), the exact test on
the count (:func:`exact_p_values`, :func:`confirmed_flags`) and Benjamini-Hochberg
q-values (:func:`benjamini_hochberg`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.funnel.limits import level_tag
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.rate_table import RateTable

__all__ = [
    "assess",
    "tiers",
    "expected_events",
    "benjamini_hochberg",
    "funnel_p_values",
    "exact_p_values",
    "confirmed_flags",
    "funnel_judgement",
    "judge",
    "MIN_EXPECTED",
    "ASSESSMENTS",
    "ALERTS",
]

#: Assessment (the verdict) of a unit on an indicator: ``better``/``worse`` (outside the
#: verdict limits in the indicator's good/bad direction), ``different`` (outside them on a
#: process measure without a better direction), ``within``, ``too_few`` (shown, not
#: judged: too few expected events) and ``not_assessed`` (no funnel could be drawn).
ASSESSMENTS = ("better", "worse", "different", "within", "too_few", "not_assessed")
#: Values of the ``alert`` column: outside the alert limits only (never a verdict), or ``""``.
ALERTS = ("better", "worse", "different", "")
#: Default volume rule: a unit with fewer expected events (or non-events) is not judged.
MIN_EXPECTED = 5.0


def assess(flag: Any, better: str) -> np.ndarray:
    """Funnel flags ('higher', 'lower', 'within') as better/worse given the direction.

    Parameters
    ----------
    flag : array-like of str
    better : {"lower", "higher", "neither"}
        The indicator's good direction; ``neither`` (process measures) gives
        ``different`` for units outside the limits.

    Examples
    --------
    >>> assess(["higher", "lower", "within"], "lower").tolist()
    ['worse', 'better', 'within']
    >>> assess(["higher", "within"], "neither").tolist()
    ['different', 'within']
    """
    f = np.asarray(flag, dtype=object)
    if better not in ("lower", "higher", "neither"):
        raise SpecError(f"better must be 'lower', 'higher' or 'neither', not {better!r}")
    out = np.full(f.shape, "within", dtype=object)
    outside = (f == "higher") | (f == "lower")
    if better == "neither":
        out[outside] = "different"
    else:
        good = "lower" if better == "lower" else "higher"
        out[f == good] = "better"
        out[outside & (f != good)] = "worse"
    return out


def tiers(
    verdict_flag: Any,
    alert_flag: Any,
    better: str,
    judged: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The two tiers of a funnel: the verdict (``assessment``) and the ``alert``.

    A unit outside the verdict limits (99.8% by default, the 'alarm' of UK national
    audits) gets a verdict: better, worse or, without a better direction, different. A
    unit outside only the alert limits (95%) gets no verdict (``within``) but an alert
    in the same words; everyone else gets the alert ``""``. A unit that is not judged
    (too few expected events, see :func:`expected_events`) is ``too_few`` with no alert.

    Parameters
    ----------
    verdict_flag, alert_flag : array-like of str
        Funnel flags ('higher', 'lower', 'within') at the verdict and the alert level;
        ``alert_flag=None``: no alert tier.
    better : {"lower", "higher", "neither"}
    judged : array-like of bool, optional
        Default: every unit is judged.

    Returns
    -------
    (assessment, alert) : two arrays of str

    Examples
    --------
    >>> a, al = tiers(["higher", "within", "within", "lower"],
    ...               ["higher", "higher", "within", "lower"], "lower",
    ...               judged=[True, True, True, False])
    >>> a.tolist(), al.tolist()
    (['worse', 'within', 'within', 'too_few'], ['', 'worse', '', ''])
    """
    assessment = assess(verdict_flag, better)
    alert = np.full(assessment.shape, "", dtype=object)
    judged = (
        np.ones(assessment.shape, dtype=bool) if judged is None else np.asarray(judged, dtype=bool)
    )
    if alert_flag is not None:
        outside = assess(alert_flag, better)
        show = judged & (assessment == "within") & (outside != "within")
        alert[show] = outside[show]
    assessment[~judged] = "too_few"
    return assessment, alert


def expected_events(rates: RateTable) -> np.ndarray:
    """The count the volume rule reads: expected events under the standard, per unit.

    * Events (binomial): the smaller of the expected events and the expected non-events,
      ``min(E, n - E)``; ``E`` is the case-mix expected count, or ``n`` times the
      selection's overall rate when crude. A proportion near 100% is as hard to judge
      with few non-events as a rare one with few events.
    * Amounts (cost): the equivalent events ``E^2 / V`` the funnel uses (see the module
      docstring), i.e. the count whose Poisson noise equals the amount's.

    Parameters
    ----------
    rates : RateTable
        From :func:`~saz_geboortezorg.compare.standardise.unit_table`.

    Examples
    --------
    >>> from saz_geboortezorg.indicators.rate_table import RateTable
    >>> t = RateTable.from_counts(["A", "B"], [40, 400], [1, 9], indicator="cs",
    ...                           measure="percent", overall=10 / 440)
    >>> expected_events(t).round(2).tolist()       # 40 x 2.27% and 400 x 2.27%
    [0.91, 9.09]
    """
    table = rates.table
    n = table["n"].to_numpy(dtype=float)
    e = table["expected"].to_numpy(dtype=float) if rates.adjusted else n * rates.overall
    if rates.family == "binomial":
        return np.minimum(e, n - e)
    with np.errstate(divide="ignore", invalid="ignore"):
        return e**2 / table["variance"].to_numpy(dtype=float)


def benjamini_hochberg(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN is left out and stays NaN.

    ``q_(i) = min over j >= i of m p_(j) / j`` (sorted p, ``m`` the finite ones), capped
    at 1: a cell is a discovery at false discovery rate ``alpha`` when ``q <= alpha``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan"), 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, nan, 0.5]
    """
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return q
    if (p[ok] < 0).any() or (p[ok] > 1).any():
        raise SpecError("p-values must lie between 0 and 1")
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    ranked = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return q


def funnel_p_values(fr: Any) -> pd.DataFrame:
    """Two-sided p-value of every unit of a funnel, consistent with its limits.

    A unit is outside the funnel's two-sided ``L``% limits exactly when its p-value is
    below ``1 - L/100`` (up to FunnelPlotR's 6-decimal normal quantiles):

    * limits widened for overdispersion, or proportions (arcsine): from the z-score in
      force, ``p = 2 (1 - Phi(|z|))``;
    * SR without overdispersion (exact Poisson limits, continuous in ``E``): with
      ``O`` observed and ``E`` expected (``O = (O/E) E`` with the funnel's ``E``, which
      the SHMI method rounds to 2 decimals), ``p = 2 min(F(2O; 2E), 1 - F(2O; 2(E + 1)))``,
      ``F`` the chi-square distribution function; the lower and upper limits of
      :mod:`saz_geboortezorg.compare.funnel.limits` are where these tails equal
      ``(1 - L/100)/2``. (The log-scale z-score would overstate small units: 1 event
      where 5.6 are expected has z = -4.1, p = 0.00005, but sits inside the 99.8%
      Poisson limits.)

    A log-scale funnel (SR) gives a unit with no events z = -inf and p = 0, as its
    limits flag it outside every level; the volume rule keeps such units small in
    number.

    Returns
    -------
    DataFrame
        ``group`` and ``p_value``, in the funnel table's order.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units()
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> p = funnel_p_values(fr)["p_value"]
    >>> bool(((p < 0.05) == (fr.table["flag95"] != "within")).all())
    True
    """
    from scipy.special import erfc
    from scipy.stats import chi2

    t = fr.table
    if fr.data_type == "SR" and not fr.overdispersed:
        e = t["denominator"].to_numpy(dtype=float)
        # the ratio the limits are compared with (its expected count may be rounded)
        o = t["value"].to_numpy(dtype=float) / fr.multiplier * e
        low = chi2.cdf(2 * o, 2 * e)
        high = chi2.sf(2 * o, 2 * (e + 1))
        p = np.minimum(1.0, 2 * np.minimum(low, high))
    else:
        with np.errstate(invalid="ignore"):
            p = erfc(np.abs(t["z"].to_numpy(dtype=float)) / np.sqrt(2.0))
    return pd.DataFrame({"group": t["group"].to_numpy(), "p_value": p})


def exact_p_values(fr: Any) -> pd.DataFrame:
    """Two-sided exact test of every unit's count against its funnel's target.

    The funnel limits of small units are only approximately right: FunnelPlotR's exact
    Poisson limits for a ratio (SR) are confidence limits for a count *equal* to the
    expected one, which on the low side are far narrower than the Poisson distribution
    of the count: 1 event where 5.6 are expected lies outside the 99.8% lower limit,
    while P(X <= 1 | 5.6) = 0.024. A log-scale or arcsine z-score (the overdispersed and
    proportion funnels) does the same to a unit with no events (z = -inf). The
    benchmark therefore gives a verdict or alert only when this exact test agrees
    (:func:`benchmark`):

    * SR: ``X ~ Poisson(E)`` with ``O`` observed (continuous ``O`` through the gamma
      function): ``P(X <= O) = Q(O + 1, E)``, ``P(X >= O) = P(O, E)`` (1 when O = 0);
    * PR: ``X ~ Binomial(n, target)``: ``P(X <= O)`` and ``P(X >= O)``;

    ``p = min(1, 2 min(lower tail, upper tail))``. Other data types get 0 (no check).

    Returns
    -------
    DataFrame
        ``group`` and ``p_exact``, in the funnel table's order.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> fr.table.loc[0, "flag998"], round(float(exact_p_values(fr)["p_exact"][0]), 4)
    ('lower', 0.0059)
    """
    from scipy.special import gammainc, gammaincc
    from scipy.stats import binom

    t = fr.table
    o = t["numerator"].to_numpy(dtype=float)
    n = t["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if fr.data_type == "SR":
            lower = gammaincc(o + 1, n)
            upper = np.where(o > 0, gammainc(np.maximum(o, 1e-300), n), 1.0)
        elif fr.data_type == "PR":
            k, size = np.rint(o), np.rint(n)
            lower = binom.cdf(k, size, fr.target)
            upper = binom.sf(k - 1, size, fr.target)
        else:
            lower = upper = np.zeros(len(t))
    p = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return pd.DataFrame({"group": t["group"].to_numpy(), "p_exact": p})


def confirmed_flags(fr: Any, units: Sequence[Any], level: float) -> np.ndarray:
    """The funnel's flag at ``level`` per unit where the exact test on the count agrees
    (:func:`exact_p_values`), else ``within``: what a verdict or alert is read from.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> confirmed_flags(fr, ["A"], 99.8).tolist(), confirmed_flags(fr, ["A"], 95).tolist()
    (['within'], ['lower'])
    """
    by_unit = fr.table.set_index("group")
    p_funnel = funnel_p_values(fr).set_index("group")["p_value"].reindex(units).to_numpy()
    p_exact = exact_p_values(fr).set_index("group")["p_exact"].reindex(units).to_numpy()
    flag = by_unit[f"flag{level_tag(level)}"].reindex(units).to_numpy()
    return np.where(np.fmax(p_funnel, p_exact) < (100 - level) / 100, flag, "within")


def funnel_judgement(
    fr: Any,
    units: Sequence[Any],
    expected: Any,
    *,
    levels: Sequence[float],
    min_expected: float = MIN_EXPECTED,
) -> pd.DataFrame:
    """What a funnel says about each unit, before the family is judged (:func:`judge`).

    The per-unit part of :func:`benchmark`: the funnel's flags at every level, the widest
    level crossed, the volume rule (``judged``: a funnel and ``expected >= min_expected``)
    and the p-values a verdict or alert is read from (:func:`funnel_p_values`,
    :func:`exact_p_values` and the larger of the two, NaN where not judged). Anything
    that judges units on a funnel (the benchmark on all units, a report on the units it
    shows) calls this, so the rules live in one place.

    Parameters
    ----------
    fr : FunnelResult or None
        The funnel of the units (``table["group"]``); None: no funnel could be drawn
        (every unit is then not assessed: empty flags, ``judged`` False).
    units : sequence
        The units to judge, in the order of the rows returned; each must be in the funnel.
    expected : array-like of float
        Expected events per unit (:func:`expected_events`), what the volume rule reads.
    levels : sequence of float
        The funnel's limits in percent.
    min_expected : float
        The volume rule.

    Returns
    -------
    DataFrame
        ``data_type``, one ``flag<tag>`` per level, ``outside``, ``judged``, ``z``,
        ``p_funnel``, ``p_exact`` and ``p_value``, one row per unit.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> j = funnel_judgement(fr, ["A", "B"], [20.9, 2.0], levels=(95, 99.8))
    >>> j[["flag998", "outside", "judged"]].values.tolist()
    [['lower', '99.8%', True], ['within', '', False]]
    >>> round(float(j["p_value"][0]), 4), bool(np.isnan(j["p_value"][1]))
    (0.0059, True)
    >>> funnel_judgement(None, ["A"], [20.9], levels=(95, 99.8))["judged"].tolist()
    [False]
    """
    units = list(units)
    tags = [level_tag(x) for x in levels]
    out = pd.DataFrame(index=pd.RangeIndex(len(units)))
    if fr is None:
        out["data_type"] = ""
        for tag in tags:
            out[f"flag{tag}"] = ""
        out["outside"] = ""
        out["judged"] = False
        z = p = p_funnel = p_exact = np.full(len(units), np.nan)
    else:
        by_unit = fr.table.set_index("group")
        missing = [u for u in units if u not in by_unit.index]
        if missing:
            raise SpecError(f"units {missing} are not in the funnel")
        flags = by_unit.reindex(units)
        out["data_type"] = fr.data_type
        for tag in tags:
            out[f"flag{tag}"] = flags[f"flag{tag}"].to_numpy()
        outside = np.full(len(units), "", dtype=object)
        for level, tag in zip(levels, tags, strict=True):
            outside[out[f"flag{tag}"].to_numpy() != "within"] = f"{level:g}%"
        out["outside"] = outside
        # NaN expected events (no expected count) is never enough to judge
        out["judged"] = np.asarray(expected, dtype=float) >= min_expected
        z = flags["z"].to_numpy(dtype=float)
        p_funnel = funnel_p_values(fr).set_index("group")["p_value"].reindex(units).to_numpy()
        p_exact = exact_p_values(fr).set_index("group")["p_exact"].reindex(units).to_numpy()
        # a verdict or alert needs the funnel and the exact test on the count to agree
        p = np.fmax(p_funnel, p_exact)
    judged = out["judged"].to_numpy(dtype=bool)
    out["z"] = z
    out["p_funnel"] = np.where(judged, p_funnel, np.nan)
    out["p_exact"] = np.where(judged, p_exact, np.nan)
    out["p_value"] = np.where(judged, p, np.nan)
    return out


def judge(
    frames: Sequence[pd.DataFrame],
    *,
    verdict_level: float,
    alert_level: float | None,
    fdr: float | None = None,
) -> list[pd.DataFrame]:
    """The two tiers over a family of funnels: ``q_value``, ``assessment`` and ``alert``.

    The family part of :func:`benchmark`. Benjamini-Hochberg q-values are taken over the
    ``p_value`` of every row of every frame together (the judged cells of the family);
    per frame (one indicator) the verdict is the flag at ``verdict_level`` where the
    p-value is below its tail (or, with ``fdr``, where the q-value is at most ``fdr``,
    in the direction of ``z``), the alert the flag at ``alert_level`` likewise, both put
    into words by :func:`tiers` with the indicator's ``better`` direction. A frame
    without a funnel (``data_type`` ``""``) is ``not_assessed``.

    Parameters
    ----------
    frames : sequence of DataFrame
        One per indicator: the columns of :func:`funnel_judgement` and ``better``.
    verdict_level, alert_level : float
        Limits (percent) of a verdict and of an alert (None: no alert tier).
    fdr : float, optional
        Verdicts by Benjamini-Hochberg at this false discovery rate.

    Returns
    -------
    list of DataFrame
        Copies of ``frames`` with ``q_value``, ``assessment`` and ``alert`` added.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> j = funnel_judgement(fr, fr.table["group"], fr.table["denominator"], levels=(95, 99.8))
    >>> [t] = judge([j.assign(better="lower")], verdict_level=99.8, alert_level=95)
    >>> t.loc[0, ["assessment", "alert"]].tolist()
    ['within', 'better']
    """
    frames = [f.copy() for f in frames]
    q = benjamini_hochberg(
        np.concatenate([f["p_value"].to_numpy(dtype=float) for f in frames] or [np.array([])])
    )
    start = 0
    for rows in frames:
        rows["q_value"] = q[start : start + len(rows)]
        start += len(rows)
        if not len(rows) or rows["data_type"].iloc[0] == "":
            rows["assessment"], rows["alert"] = "not_assessed", ""
            continue
        z = rows["z"].to_numpy(dtype=float)
        p_rows = rows["p_value"].to_numpy()
        if fdr is None:
            verdict_flag = np.where(
                p_rows < (100 - verdict_level) / 100,
                rows[f"flag{level_tag(verdict_level)}"],
                "within",
            )
        else:
            verdict_flag = np.where(
                rows["q_value"].to_numpy() <= fdr, np.where(z > 0, "higher", "lower"), "within"
            )
        alert_flag = (
            None
            if alert_level is None
            else np.where(
                p_rows < (100 - alert_level) / 100, rows[f"flag{level_tag(alert_level)}"], "within"
            )
        )
        rows["assessment"], rows["alert"] = tiers(
            verdict_flag, alert_flag, rows["better"].iloc[0], rows["judged"].to_numpy()
        )
    return frames
