"""One rate table: an indicator per unit, on the indicator's own scale, with its method.

:class:`RateTable` is what a per-unit rate is, wherever it is computed: the benchmark's
:func:`~saz_geboortezorg.compare.standardise.unit_table` (crude or indirectly
standardised), its per-period sums (:func:`~saz_geboortezorg.monitor.trends.trend_table`)
and the case-mix engine (:func:`~saz_geboortezorg.model.fitted.oe_sums`, whose interval
for O/E is :func:`ratio_interval`). One row per unit:

============  ========================================================================
``unit``      the unit (hospital, region, practice, ``all``, a period label)
``n``         records in the indicator's denominator
``observed``  events, or the total amount (euro) for a cost indicator
``expected``  the sum of the records' expected values under the case-mix model (NaN
              when crude)
``rate``      the crude rate (events / n) or mean, **on the indicator's own scale**:
              percent, per 1,000, euro (``multiplier``)
``ratio``     observed / expected (O/E, never scaled; NaN when crude)
``value``     what is compared and drawn: O/E x the selection's overall rate when
              adjusted, else ``rate``; on the indicator's own scale
``lower``,    the interval of ``value`` at level ``confidence`` (see below), same scale
``upper``
``variance``  the variance of ``observed`` under the standard (binomial
              ``sum p (1 - p)``, the robust variance of a total amount, or
              ``n p (1 - p)`` when crude): what a funnel's equivalent events read
``adjusted``  whether the row is standardised
============  ========================================================================

The method is in fields, not in ``DataFrame.attrs``: ``indicator``, ``unit_type``,
``attribution``, ``measure`` (percent, per_1000, euro), ``multiplier``, ``adjusted``,
``family`` (binomial or gamma), ``overall`` (the selection's rate or mean as a
proportion or amount, unscaled: what a funnel's expected counts use), ``target``
(``overall`` on the indicator's scale), ``method`` (in words), ``confidence``,
``calibration`` (the factor applied to the expected counts) and ``interval`` (the
interval in words).

The intervals, chosen in one place (:meth:`RateTable.from_counts`):

* crude proportion: Wilson score (:func:`~saz_geboortezorg.stats.intervals.wilson`), or
  exact Clopper-Pearson with ``crude_interval="exact"``;
* crude amount: normal, with the unit's sample variance of its records;
* adjusted binary outcome: O/E with the *binomial* variance ``sum p (1 - p)``
  (:func:`~saz_geboortezorg.stats.intervals.oe_interval`), times the overall rate;
* adjusted amount: normal on the total with the robust variance of the total
  (:mod:`saz_geboortezorg.stats.variance`), divided by E, times the overall mean.

Examples
--------
>>> t = RateTable.from_counts(["A", "B"], [40, 60], [10, 6], indicator="cs",
...                           measure="percent", unit_type="region")
>>> t.table[["unit", "n", "observed", "value", "lower", "upper"]].round(2)
  unit   n  observed  value  lower  upper
0    A  40      10.0   25.0  14.19  40.19
1    B  60       6.0   10.0   4.66  20.15
>>> round(t.target, 2), t.interval
(16.0, 'Wilson score interval')
>>> print(t.summary())
cs per region (percent), crude: 2 units, 100 records; overall 16.00
value from 10.00 (B) to 25.00 (A); 95% intervals: Wilson score interval
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.definitions import UNITS
from saz_geboortezorg.result import Result
from saz_geboortezorg.stats.intervals import clopper_pearson, oe_interval, wilson, z_value

__all__ = ["RateTable", "ratio_interval", "crude_interval", "MULTIPLIERS", "RATE_COLUMNS"]

#: The scale of each measure: a proportion times this is the number a reader sees
#: (the catalogue's units, :data:`saz_geboortezorg.indicators.definitions.UNITS`).
MULTIPLIERS = UNITS
#: The columns of :attr:`RateTable.table`, in order.
RATE_COLUMNS = (
    "unit",
    "n",
    "observed",
    "expected",
    "rate",
    "ratio",
    "value",
    "lower",
    "upper",
    "variance",
    "adjusted",
)
_CRUDE_INTERVALS = {"wilson": "Wilson score interval", "exact": "exact (Clopper-Pearson) interval"}


def ratio_interval(
    observed: Any,
    expected: Any,
    variance: Any,
    family: str = "binomial",
    *,
    confidence: float = 0.95,
    z: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of an observed/expected ratio under a fixed standard.

    Binary outcome (``family="binomial"``): the exact interval with the binomial
    variance ``V = sum p (1 - p)`` of O (:func:`~saz_geboortezorg.stats.intervals.oe_interval`).
    Amounts (``"gamma"``): normal on the total, ``(O -/+ z sqrt(V)) / E`` with the
    robust variance ``V`` of the total (the lower end at least 0); ``z`` defaults to
    the normal quantile of ``confidence``.

    Examples
    --------
    >>> lo, hi = ratio_interval(10, 10.0, 8.0)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.5248, 1.7278)
    >>> lo, hi = ratio_interval(1000.0, 800.0, 10000.0, "gamma")
    >>> round(float(lo), 4), round(float(hi), 4)
    (1.005, 1.495)
    """
    if family == "binomial":
        return oe_interval(observed, expected, variance, confidence=confidence)
    if family != "gamma":
        raise SpecError(f"family must be 'binomial' or 'gamma', not {family!r}")
    z = z_value(confidence) if z is None else z
    obs = np.asarray(observed, dtype=float)
    exp = np.asarray(expected, dtype=float)
    sd = np.sqrt(np.asarray(variance, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(obs - z * sd, 0) / exp, (obs + z * sd) / exp


def crude_interval(
    observed: Any,
    n: Any,
    family: str = "binomial",
    *,
    sumsq: Any = None,
    method: str = "wilson",
    confidence: float = 0.95,
    z: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The interval of a crude rate (proportion) or mean amount, and the variance of
    the observed count or total, per unit.

    Proportions (``family="binomial"``): Wilson score interval (``method="wilson"``) or
    exact Clopper-Pearson (``"exact"``); variance ``n p (1 - p)``. Amounts
    (``"gamma"``): normal, ``mean -/+ z sd / sqrt(n)`` with the sample SD of the
    records (from ``sumsq``, their sum of squares); variance ``n sd^2`` of the total.

    Returns
    -------
    (lower, upper, variance) : tuple of ndarray
        Proportions or amounts, not scaled by a multiplier.

    Examples
    --------
    >>> lo, hi, var = crude_interval(15, 100)
    >>> round(float(lo), 5), round(float(hi), 5), float(var)
    (0.09306, 0.23284, 12.75)
    >>> lo, hi, var = crude_interval(900.0, 3, "gamma", sumsq=410_000.0)
    >>> round(float(lo), 1), round(float(hi), 1), float(var)
    (0.6, 599.4, 210000.0)
    """
    if method not in _CRUDE_INTERVALS:
        raise SpecError(
            f"crude_interval must be one of {', '.join(_CRUDE_INTERVALS)}, not {method!r}"
        )
    obs = np.asarray(observed, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = obs / n
        if family == "binomial":
            var = n * rate * (1 - rate)
            bounds = wilson if method == "wilson" else clopper_pearson
            lower, upper = bounds(obs, n, confidence)
            return lower, upper, var
        if family != "gamma":
            raise SpecError(f"family must be 'binomial' or 'gamma', not {family!r}")
        if sumsq is None:
            raise SpecError("a crude table of amounts needs sumsq (sum of squares)")
        z = z_value(confidence) if z is None else z
        ss = np.asarray(sumsq, dtype=float)
        var = np.maximum(ss - n * rate**2, 0) / np.maximum(n - 1, 1) * n
        half = z * np.sqrt(var) / n
        return rate - half, rate + half, var


_crude = crude_interval  # from_counts has an argument of the same name


def _as_array(values: Any, name: str) -> np.ndarray:
    out = np.asarray(values, dtype=float)
    if out.ndim != 1:
        raise SpecError(f"{name} must be one value per unit")
    return out


@dataclass(repr=False)
class RateTable(Result):
    """An indicator per unit on the indicator's own scale (see the module docstring).

    Build one with :meth:`from_counts`; the fields say how it was computed.
    """

    table: pd.DataFrame
    indicator: str
    unit_type: str = "unit"
    attribution: str = ""
    measure: str = "percent"
    multiplier: float = 100.0
    adjusted: bool = False
    family: str = "binomial"
    overall: float = math.nan
    target: float = math.nan
    method: str = ""
    confidence: float = 0.95
    calibration: float = 1.0
    interval: str = ""

    # ------------------------------------------------------------------ constructor
    @classmethod
    def from_counts(
        cls,
        unit: Sequence[Any],
        n: Any,
        observed: Any,
        *,
        indicator: str,
        measure: str,
        expected: Any = None,
        variance: Any = None,
        sumsq: Any = None,
        family: str = "binomial",
        overall: float | None = None,
        confidence: float = 0.95,
        crude_interval: str = "wilson",
        unit_type: str = "unit",
        attribution: str = "",
        method: str = "",
        calibration: float = 1.0,
    ) -> RateTable:
        """Per-unit sums to rates, ratios and intervals: the one constructor.

        Parameters
        ----------
        unit : sequence
            Unit labels.
        n, observed : array-like
            Records and events (or total amount) per unit. Units with ``n == 0`` are
            left out of the table.
        indicator, measure : str
            The indicator id and its measure (``percent``, ``per_1000``, ``euro``),
            which sets ``multiplier``.
        expected, variance : array-like, optional
            Adjusted: the expected count and the variance of ``observed`` under the
            standard (binomial ``sum p (1 - p)``; robust variance of a total amount).
            Without ``expected`` the table is crude.
        sumsq : array-like, optional
            Crude amounts: the sum of squared amounts per unit (for the sample variance).
        family : {"binomial", "gamma"}
        overall : float, optional
            The selection's overall rate (proportion) or mean that O/E multiplies;
            default ``sum(observed) / sum(n)`` over the units given.
        confidence : float
            Level of the intervals.
        crude_interval : {"wilson", "exact"}
            Interval of a crude proportion.
        unit_type, attribution, method, calibration
            Recorded as fields.

        Examples
        --------
        >>> t = RateTable.from_counts(["A", "B"], [100, 100], [12, 8], expected=[10.0, 10.0],
        ...                           variance=[9.0, 9.0], indicator="cs", measure="percent")
        >>> t.table[["unit", "ratio", "value"]]
          unit  ratio  value
        0    A    1.2   12.0
        1    B    0.8    8.0
        >>> t.adjusted, t.target
        (True, 10.0)
        """
        if measure not in MULTIPLIERS:
            raise SpecError(f"measure must be one of {', '.join(MULTIPLIERS)}, not {measure!r}")
        if family not in ("binomial", "gamma"):
            raise SpecError(f"family must be 'binomial' or 'gamma', not {family!r}")
        if crude_interval not in _CRUDE_INTERVALS:
            raise SpecError(
                f"crude_interval must be one of {', '.join(_CRUDE_INTERVALS)}, "
                f"not {crude_interval!r}"
            )
        if not 0 < confidence < 1:
            raise SpecError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}")
        labels = np.asarray(list(unit), dtype=object)
        n = _as_array(n, "n")
        obs = _as_array(observed, "observed")
        if not len(labels) == len(n) == len(obs):
            raise SpecError("unit, n and observed must have one value per unit")
        adjusted = expected is not None
        multiplier = MULTIPLIERS[measure]
        z = z_value(confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            if overall is None:
                overall = float(obs.sum() / n.sum())
            rate = obs / n
            if adjusted:
                exp = _as_array(expected, "expected")
                if variance is None:
                    raise SpecError("an adjusted rate table needs the variance of observed")
                var = _as_array(variance, "variance")
                ratio = obs / exp
                lo, hi = ratio_interval(obs, exp, var, family, confidence=confidence, z=z)
                value = ratio * overall
                lower, upper = lo * overall, hi * overall
                interval = (
                    "O/E exact interval with the binomial variance sum p(1 - p)"
                    if family == "binomial"
                    else "O/E normal interval with the robust variance of the total"
                )
            else:
                exp = np.full(len(n), np.nan)
                ratio = np.full(len(n), np.nan)
                value = rate
                lower, upper, var = _crude(
                    obs,
                    n,
                    family,
                    sumsq=None if sumsq is None else _as_array(sumsq, "sumsq"),
                    method=crude_interval,
                    confidence=confidence,
                    z=z,
                )
                interval = (
                    _CRUDE_INTERVALS[crude_interval]
                    if family == "binomial"
                    else "normal interval with the sample variance"
                )
            # rounding can put an interval end a hair on the wrong side of 0% or 100%
            lower, upper = np.fmin(lower, value), np.fmax(upper, value)
        table = pd.DataFrame(
            {
                "unit": labels,
                "n": n.astype(int),
                "observed": obs,
                "expected": exp,
                "rate": rate * multiplier,
                "ratio": ratio,
                "value": value * multiplier,
                "lower": lower * multiplier,
                "upper": upper * multiplier,
                "variance": var,
                "adjusted": adjusted,
            }
        )[n > 0].reset_index(drop=True)
        return cls(
            table=table,
            indicator=str(indicator),
            unit_type=str(unit_type),
            attribution=str(attribution),
            measure=measure,
            multiplier=multiplier,
            adjusted=adjusted,
            family=family,
            overall=float(overall),
            target=float(overall) * multiplier,
            method=method,
            confidence=float(confidence),
            calibration=float(calibration),
            interval=interval,
        )

    # ----------------------------------------------------------------- the protocol
    def summary(self) -> str:
        """A few lines: indicator, level, method, sample, range of values, interval."""
        t = self.table
        how = "standardised" if self.adjusted else "crude"
        where = "all units together" if self.unit_type == "all" else f"per {self.unit_type}"
        head = (
            f"{self.indicator} {where} ({self.measure}), {how}: "
            f"{len(t)} unit{'s' if len(t) != 1 else ''}, {int(t['n'].sum())} records; "
            f"overall {self.target:.2f}"
        )
        lines = [head]
        values = t["value"].astype(float)
        if values.notna().any():
            lo, hi = values.idxmin(), values.idxmax()
            lines.append(
                f"value from {values[lo]:.2f} ({t['unit'][lo]}) to {values[hi]:.2f} "
                f"({t['unit'][hi]}); {self.confidence:.0%} intervals: {self.interval}"
            )
        if self.method and self.adjusted:
            lines.append(f"method: {self.method}")
        return "\n".join(lines)

    def chart(
        self,
        *,
        highlight: str | list[str] | None = None,
        title: str | None = None,
        language: str = "en",
        **options: Any,
    ) -> Any:
        """A caterpillar chart of ``value`` with its interval, the overall rate as the
        reference line (:func:`saz_geboortezorg.present.caterpillar.caterpillar_chart`;
        further ``options`` go to it)."""
        from saz_geboortezorg.present.caterpillar import caterpillar_chart

        effects = self.table.rename(columns={"value": "estimate"})[
            ["unit", "estimate", "lower", "upper"]
        ].astype({"unit": str})
        symbol = {"percent": "%", "per_1000": "per 1,000", "euro": "EUR"}[self.measure]
        how = "standardised" if self.adjusted else "crude"
        options.setdefault("x_title", f"{self.indicator}, {how} ({symbol})")
        options.setdefault("log_scale", False)
        return caterpillar_chart(
            effects,
            reference=self.target if math.isfinite(self.target) else None,
            highlight=highlight,
            title=title
            if title is not None
            else f"{self.indicator} {'overall' if self.unit_type == 'all' else 'per ' + self.unit_type}",
            language=language,
            **options,
        )
