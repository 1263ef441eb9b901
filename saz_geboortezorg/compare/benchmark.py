"""The open benchmark: every unit on every indicator, flagged by its funnel plot.

The steps, one module each:

1. indirect standardisation per unit (:mod:`saz_geboortezorg.compare.standardise`:
   :func:`unit_table`, :class:`BenchmarkCache`), with the fitted case-mix model of
   :mod:`saz_geboortezorg.model.fitted`;
2. the funnel of each indicator (:func:`funnel_for`, here);
3. verdicts and alerts (:mod:`saz_geboortezorg.compare.verdicts`);
4. the loop over indicators (:func:`benchmark`, here) and its :class:`BenchmarkResult`.

The names of steps 1 and 3 are importable from this module as before. Trend tables
(``trend_table``) moved to :mod:`saz_geboortezorg.monitor.trends`: trends are monitoring
over time, and ``compare`` does not import ``monitor``.

Cost per pregnancy (an amount, gamma model)
-------------------------------------------
Observed is the total claimed, expected the sum of the model's expected cost per
pregnancy (crude: the number of pregnancies times the selection's mean cost). A funnel
plot's Poisson limits do not fit amounts, so the O/E ratio is put on the funnel as
**equivalent events**: ``E* = E^2 / V`` with ``V`` the variance of the unit's total cost
(gamma model: the robust variance n/(n-1) sum (y - mu)^2 of the unit's records, not the
model's one dispersion, see :mod:`saz_geboortezorg.stats.variance`; crude: n times the
records' variance), and ``O* = (O/E) E*``. Then ``O*/E* = O/E`` and its
Poisson variance ``1/E*`` equals the model's ``V/E^2``, so the SR funnel's limits (and
its overdispersion adjustment) apply.

Verdicts, alerts and the family of cells
----------------------------------------
Some 33 indicators for 17 hospitals are 561 cells; at 95% limits chance alone puts
about 28 of them outside. :func:`benchmark` therefore judges in two tiers, as UK
national audits do: a **verdict** (``assessment``) outside the 99.8% limits, an
**alert** (``alert``) outside only the 95% limits, never a verdict. A unit with fewer
than 5 expected events (or non-events) is shown but not judged (``too_few``).
:meth:`BenchmarkResult.family` states how many false verdicts and alerts chance alone
gives among the judged cells; ``fdr=`` gives verdicts by Benjamini-Hochberg instead, on
p-values that agree with the funnel limits (:func:`funnel_p_values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.compare.attribution import booking_caveat, unit_notes
from saz_geboortezorg.compare.funnel import funnel
from saz_geboortezorg.compare.funnel.limits import level_tag
from saz_geboortezorg.compare.standardise import (
    DATE_COLUMN,
    THEME_COLUMNS,
    TREND_FREQUENCIES,
    BenchmarkCache,
    IndicatorRecords,
    unit_table,
)
from saz_geboortezorg.compare.verdicts import (
    ALERTS,
    ASSESSMENTS,
    MIN_EXPECTED,
    assess,
    benjamini_hochberg,
    confirmed_flags,
    exact_p_values,
    expected_events,
    funnel_judgement,
    funnel_p_values,
    judge,
    tiers,
)
from saz_geboortezorg.errors import SazError, SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.rate_table import RateTable
from saz_geboortezorg.indicators.user import merged_catalogue
from saz_geboortezorg.memory import with_small_pages
from saz_geboortezorg.progress import step as progress_step
from saz_geboortezorg.progress import with_progress
from saz_geboortezorg.result import Result, jsonable

__all__ = [
    "BenchmarkCache",
    "BenchmarkResult",
    "IndicatorRecords",
    "benchmark",
    "benchmark_levels",
    "benchmark_tables",
    "unit_table",
    "funnel_for",
    "assess",
    "tiers",
    "pooled_period",
    "ALERTS",
    "expected_events",
    "benjamini_hochberg",
    "funnel_p_values",
    "exact_p_values",
    "confirmed_flags",
    "funnel_judgement",
    "judge",
    "THEME_COLUMNS",
    "DATE_COLUMN",
    "ASSESSMENTS",
    "TREND_FREQUENCIES",
]

#: Names that moved out of ``compare`` (``compare`` may not import ``monitor``).
_MOVED = {"trend_table": "saz_geboortezorg.monitor.trends"}

#: Default verdict and alert levels (percent): the 'alarm' and 'alert' of UK national audits.
VERDICT_LEVEL = 99.8
ALERT_LEVEL = 95.0


# --------------------------------------------------------------------------- funnel
def funnel_for(
    rates: RateTable,
    *,
    limits: Sequence[float] = (95, 99.8),
    overdispersion: bool = True,
    multiplier: float = 1.0,
    variance: str = "binomial",
    phi_correction: bool = False,
) -> Any:
    """The funnel analysis of a :func:`unit_table` (SR when adjusted, PR when crude).

    Adjusted proportions: observed against expected (``data_type="SR"``). With
    ``variance="binomial"`` (default) the limits use the binomial variance of the
    observed count under the standard, ``V = sum p (1 - p)``: the ratio is put on the
    funnel as equivalent events ``E* = E^2 / V``, ``O* = (O/E) E*`` (as for costs), so
    ``O*/E* = O/E`` and its Poisson variance ``1/E*`` is ``V/E^2``. ``"poisson"`` keeps
    FunnelPlotR's SR (variance ``E``), which overstates the standard error of a common
    outcome (caesarean: by about a quarter) and flags too few units. Crude
    proportions: events against cases (``"PR"``). Amounts (cost): the O/E ratio as
    equivalent events (``"SR"``, see the module docstring), crude ones against the
    selection's mean.

    Parameters
    ----------
    rates : RateTable
        From :func:`unit_table`.
    limits : sequence of float
        Limit levels in percent.
    overdispersion : bool
        Widen the limits for between-unit variation beyond chance when phi > 1.
    multiplier : float
        Scale of crude proportions (100: percent); ratios (SR) are never scaled.
    variance : {"binomial", "poisson"}
        The variance of an adjusted binary indicator's observed count (see above).
    phi_correction : bool
        Use the bias-corrected dispersion ratio (the 10%-trimmed phi rescaled by its
        mean with no overdispersion; see
        :mod:`saz_geboortezorg.compare.funnel.overdispersion`) for tau² and the limits.
        Off by default (FunnelPlotR's trimmed phi); the corrected phi is reported either
        way (``phi_corrected``), as a sensitivity view.

    Every SR funnel here has expected counts estimated from the same data (a case-mix
    model, or the selection's mean for crude amounts), so its test of overdispersion
    has n - 1 degrees of freedom (``fitted_expected=True``).

    Returns
    -------
    FunnelResult
        Its ``table["group"]`` are the units; values are O/E (SR) or proportions (PR).

    Examples
    --------
    >>> from saz_geboortezorg.indicators.rate_table import RateTable
    >>> expected = [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]
    >>> t = RateTable.from_counts(list("ABCDEFGHIJ"), [100] * 10,
    ...                           [5, 9, 12, 20, 31, 8, 15, 40, 3, 22], expected=expected,
    ...                           variance=[e * (1 - e / 100) for e in expected],
    ...                           indicator="cs", measure="percent")
    >>> funnel_for(t).data_type
    'SR'
    """
    if not isinstance(rates, RateTable):
        raise SpecError(
            "funnel_for needs the RateTable of unit_table (its fields say whether the "
            f"rates are adjusted), not {type(rates).__name__}"
        )
    table, adjusted, family = rates.table, rates.adjusted, rates.family
    if variance not in ("binomial", "poisson"):
        raise SpecError(f"variance must be 'binomial' or 'poisson', not {variance!r}")
    common = {"limits": limits, "overdispersion": overdispersion, "phi_correction": phi_correction}
    if family == "binomial" and not adjusted:
        return funnel(
            table, "observed", "n", "unit", data_type="PR", multiplier=multiplier, **common
        )
    if family == "binomial" and (variance == "poisson" or "variance" not in table):
        return funnel(
            table, "observed", "expected", "unit", data_type="SR", fitted_expected=True, **common
        )
    # Equivalent events (binomial O/E, amounts): E* = E^2 / V, O* = (O/E) E*, so that
    # O*/E* = O/E and its Poisson variance 1/E* is V/E^2.
    if family == "binomial" or adjusted:
        expected = table["expected"].to_numpy(dtype=float)
    else:
        expected = table["n"].to_numpy(dtype=float) * rates.overall
    with np.errstate(divide="ignore", invalid="ignore"):
        v = table["variance"].to_numpy(dtype=float)
        equivalent = np.where(v > 0, expected**2 / v, expected)
        observed = table["observed"].to_numpy(dtype=float) / expected * equivalent
    frame = pd.DataFrame({"unit": table["unit"], "observed": observed, "expected": equivalent})
    return funnel(
        frame,
        "observed",
        "expected",
        "unit",
        data_type="SR",
        shmi_rounding=False,
        fitted_expected=True,
        **common,
    )


# ------------------------------------------------------------------------ benchmark
@dataclass(repr=False)
class BenchmarkResult(Result):
    """Every unit on every indicator, in two tiers: verdicts and alerts (a result:
    ``table``, ``summary()``, ``chart()``, ``to_dict()``; it prints as its table).

    Attributes
    ----------
    table : DataFrame
        Long format, one row per indicator and unit: ``indicator``, ``name_en``,
        ``name_nl``, ``domain``, ``measure`` (percent, per_1000, euro), ``better``,
        ``attribution`` (booking: where care started; birth: the unit responsible at
        birth), ``window`` (the birth dates the row covers: ``all`` or ``start to end``),
        ``unit``, ``n``, ``observed``, ``expected``, ``value`` (standardised or crude
        rate **in the indicator's unit**: percent, per 1,000, euro), ``target`` (the
        selection's overall rate, same unit), ``ratio`` (O/E), ``adjusted``,
        ``data_type`` (SR or PR), one ``flag<tag>`` per limit (``flag95``,
        ``flag998``: higher/lower/within, the funnel's facts),
        ``expected_events`` (what the volume rule reads, :func:`expected_events`),
        ``judged`` (a funnel was drawn and ``expected_events >= min_expected``),
        ``p_funnel`` (two-sided, consistent with the funnel's limits,
        :func:`funnel_p_values`), ``p_exact`` (the exact test on the count,
        :func:`exact_p_values`), ``p_value`` (the larger of the two: a flag counts as a
        verdict or alert only when this p-value is below the level's tail too),
        ``q_value`` (Benjamini-Hochberg
        over the judged cells of this benchmark), ``assessment`` (the verdict: better,
        worse, different, within, too_few, not_assessed; see :data:`ASSESSMENTS`),
        ``alert`` (better, worse or different outside the alert limits only, else
        ``""``; never a verdict) and ``outside`` (the widest limit crossed, e.g.
        ``"99.8%"``, or ``""``) and ``note`` (why a clinician would find the unit
        different, e.g. a NICU centre that receives in-utero transfers; ``""``
        otherwise).
    unit_type : str
    limits : tuple of float
    overdispersion : bool
    adjusted : bool
        Adjustment requested (per indicator see ``table.adjusted``).
    methods : dict
        Indicator id -> method in words.
    funnels : dict
        Indicator id -> FunnelResult.
    notes : list of str
        Indicators that could not be assessed, and why.
    verdict_level : float
        Limits (percent) of a verdict; default the widest of ``limits``.
    alert_level : float or None
        Limits (percent) of an alert; default the narrowest of ``limits`` when it is
        narrower than the verdict's, else None (no alert tier).
    min_expected : float
        The volume rule: fewer expected events than this is ``too_few``.
    fdr : float or None
        Verdicts by Benjamini-Hochberg at this false discovery rate instead of the
        verdict limits.
    variance : str
        The variance of an adjusted binary indicator's observed count on the funnel:
        ``binomial`` (sum p(1 - p)) or ``poisson`` (E, FunnelPlotR's SR).
    """

    table: pd.DataFrame
    unit_type: str
    limits: tuple[float, ...]
    overdispersion: bool
    adjusted: bool
    methods: dict[str, str] = field(default_factory=dict)
    funnels: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    verdict_level: float | None = None
    alert_level: float | None = None
    min_expected: float = MIN_EXPECTED
    fdr: float | None = None
    variance: str = "binomial"

    #: one FunnelResult per indicator: results of their own, left out of ``to_dict``
    _json_exclude = ("funnels",)

    def __post_init__(self) -> None:
        if self.verdict_level is None:
            self.verdict_level = float(max(self.limits))
            if self.alert_level is None and min(self.limits) < self.verdict_level:
                self.alert_level = float(min(self.limits))

    def family(self) -> dict[str, Any]:
        """The family of judged cells and how many false verdicts and alerts chance gives.

        If no unit differed beyond chance (beyond the between-unit spread the
        overdispersion adjustment allows, where it widened the limits), each judged
        cell would fall outside two-sided limits at level ``L`` with probability
        ``1 - L/100``: outside the verdict limits with ``1 - verdict/100`` (0.002 at
        99.8%) and in the alert band between them with ``verdict/100 - alert/100``
        (0.048 for 95% and 99.8%). Summed over the ``judged`` cells these are the
        expected false verdicts and false alerts. With ``fdr`` (Benjamini-Hochberg) the
        expected *share* of false verdicts among the verdicts is at most ``fdr`` (and,
        with no true differences at all, so is the chance of any false verdict):
        ``false_verdict_bound`` gives it and ``expected_false_verdicts`` is NaN (BH
        bounds no count); false alerts are at most ``judged x (1 - alert/100)``.

        Returns
        -------
        dict
            ``cells``, ``judged`` (cells with a verdict or ``within``; an assessment
            hidden by disclosure control is not counted), ``too_few``,
            ``not_assessed``, ``verdict_level``,
            ``alert_level``, ``fdr``, ``min_expected``, ``verdicts`` and ``alerts``
            (counted), ``expected_false_verdicts`` and ``expected_false_alerts``.

        Examples
        --------
        >>> t = pd.DataFrame({"indicator": "a", "unit": list("WXYZ"),
        ...                   "assessment": ["worse", "within", "within", "too_few"],
        ...                   "alert": ["", "better", "", ""], "outside": ["99.8%", "95%", "", ""]})
        >>> f = BenchmarkResult(t, "hospital", (95, 99.8), True, True).family()
        >>> f["judged"], f["verdicts"], f["alerts"], round(f["expected_false_verdicts"], 3)
        (3, 1, 1, 0.006)
        >>> round(f["expected_false_alerts"], 3)
        0.144
        """
        t = self.table
        a = t["assessment"]
        verdicts = a.isin(["better", "worse", "different"])
        judged = verdicts | (a == "within")  # a hidden (missing) assessment is not counted
        n = int(judged.sum())
        alerts = t["alert"] if "alert" in t else pd.Series("", index=t.index)
        verdict = float(self.verdict_level)
        alert = None if self.alert_level is None else float(self.alert_level)
        tail_alert = 0.0 if alert is None else (100 - alert) / 100
        if self.fdr is None:
            false_verdicts = n * (100 - verdict) / 100
            false_alerts = n * max(tail_alert - (100 - verdict) / 100, 0.0)
        else:  # BH bounds a share (and, with no true differences, P(any)), not a count
            false_verdicts = float("nan")
            false_alerts = n * tail_alert
        return {
            "cells": len(t),
            "judged": n,
            "too_few": int((a == "too_few").sum()),
            "not_assessed": int((a == "not_assessed").sum()),
            "verdict_level": verdict,
            "alert_level": alert,
            "fdr": self.fdr,
            "min_expected": float(self.min_expected),
            "verdicts": int(verdicts.sum()),
            "alerts": int((judged & (alerts != "")).sum()),
            "expected_false_verdicts": float(false_verdicts),
            "false_verdict_bound": None if self.fdr is None else float(self.fdr),
            "expected_false_alerts": float(false_alerts),
        }

    def flags(self, *, label: str = "indicator") -> pd.DataFrame:
        """Wide table of assessments: one row per indicator, one column per unit.

        Cells: a verdict doubled (``++`` better, ``--`` worse, ``!!`` different), an
        alert single (``+``, ``-``, ``!``), ``.`` within, ``~`` too few to judge, ``?``
        not assessed.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"indicator": ["a", "a", "a"], "unit": ["X", "Y", "Z"],
        ...                   "assessment": ["worse", "within", "too_few"],
        ...                   "alert": ["", "better", ""]})
        >>> BenchmarkResult(t, "region", (95, 99.8), True, True).flags()  # doctest: +NORMALIZE_WHITESPACE
        unit        X  Y  Z
        indicator
        a          --  +  ~
        """
        single = {"better": "+", "worse": "-", "different": "!"}
        other = {"within": ".", "too_few": "~", "not_assessed": "?"}
        unknown = set(self.table["assessment"]) - set(single) - set(other)
        if unknown:
            raise SpecError(f"unknown assessment(s) {sorted(unknown)}; known: {ASSESSMENTS}")
        alerts = self.table["alert"] if "alert" in self.table else [""] * len(self.table)
        cells = [
            single[a] * 2 if a in single else (single[al] if al else other[a])
            for a, al in zip(self.table["assessment"], alerts, strict=True)
        ]
        wide = (
            self.table.assign(cell=cells)
            .pivot(index=label, columns="unit", values="cell")
            .reindex(pd.unique(self.table[label]))
        )
        wide.columns.name = "unit"
        wide.index.name = label
        return wide

    def summary(self) -> str:
        """Plain text: the family of judged cells, what chance alone gives, every verdict
        and alert, and the notes.

        Examples
        --------
        >>> t = pd.DataFrame({"indicator": "a", "unit": list("WXYZ"),
        ...                   "assessment": ["worse", "within", "within", "too_few"],
        ...                   "alert": ["", "better", "", ""], "outside": ["99.8%", "95%", "", ""]})
        >>> print(BenchmarkResult(t, "hospital", (95, 99.8), True, True).summary())
        Benchmark: 1 indicator x 4 hospitals, limits 95%/99.8%, overdispersion adjusted, case-mix adjusted where a spec exists
        3 judged cells (1 too few to judge, 0 not assessed): 1 verdict (outside the 99.8% limits), 1 alert (outside the 95% limits only)
        Expected by chance alone: 0.0 false verdicts, 0.1 false alerts
        Verdicts: a W worse (99.8%)
        Alerts: a X better (95%)
        """
        f = self.family()
        t = self.table
        k, m = t["indicator"].nunique(), t["unit"].nunique()
        lines = [
            f"Benchmark: {k} indicator{'s' if k != 1 else ''} x {m} {self.unit_type}s, "
            f"limits {'/'.join(f'{x:g}%' for x in self.limits)}, overdispersion "
            f"{'adjusted' if self.overdispersion else 'not adjusted'}, "
            + ("case-mix adjusted where a spec exists" if self.adjusted else "crude rates")
        ]
        rule = (
            f"Benjamini-Hochberg at FDR {f['fdr']:g}"
            if self.fdr is not None
            else f"outside the {f['verdict_level']:g}% limits"
        )
        alerts = (
            f", {f['alerts']} alert{'s' if f['alerts'] != 1 else ''} (outside the "
            f"{f['alert_level']:g}% limits only)"
            if f["alert_level"] is not None
            else ""
        )
        lines.append(
            f"{f['judged']} judged cells ({f['too_few']} too few to judge, "
            f"{f['not_assessed']} not assessed): {f['verdicts']} "
            f"verdict{'s' if f['verdicts'] != 1 else ''} ({rule}){alerts}"
        )
        if self.fdr is None:
            lines.append(
                f"Expected by chance alone: {f['expected_false_verdicts']:.1f} false "
                f"verdicts, {f['expected_false_alerts']:.1f} false alerts"
            )
        else:
            lines.append(
                f"Expected share of false verdicts at most {self.fdr:g}; false alerts at "
                f"most {f['expected_false_alerts']:.1f}"
            )

        def cells(rows: pd.DataFrame, column: str) -> str:
            where = rows["outside"] if "outside" in rows else pd.Series("", index=rows.index)
            return "; ".join(
                f"{i} {u} {a}" + (f" ({o})" if o else "")
                for i, u, a, o in zip(
                    rows["indicator"], rows["unit"], rows[column], where, strict=True
                )
            )

        verdicts = t[t["assessment"].isin(["better", "worse", "different"])]
        lines.append("Verdicts: " + (cells(verdicts, "assessment") or "none"))
        if "alert" in t and f["alert_level"] is not None:
            judged = t["assessment"].isin(["better", "worse", "different", "within"])
            lines.append("Alerts: " + (cells(t[judged & (t["alert"] != "")], "alert") or "none"))
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``result``, the settings, ``methods``, ``notes``, ``family`` (see
        :meth:`family`) and the long ``table`` as records (the funnels are left out:
        each has its own ``to_dict``).

        Examples
        --------
        >>> import json
        >>> t = pd.DataFrame({"indicator": "a", "unit": list("WX"),
        ...                   "assessment": ["worse", "within"], "alert": ["", ""]})
        >>> d = BenchmarkResult(t, "hospital", (95, 99.8), True, True).to_dict()
        >>> d["result"], d["verdict_level"], d["family"]["verdicts"], d["table"][0]["unit"]
        ('BenchmarkResult', 99.8, 1, 'W')
        >>> _ = json.dumps(d, allow_nan=False)
        """
        out = super().to_dict()
        table = out.pop("table")
        out["family"] = jsonable(self.family())
        out["table"] = table
        return out

    def chart(self, highlight: str | None = None, language: str = "en", **options: Any) -> Any:
        """Heat table of the assessments; see
        :func:`saz_geboortezorg.present.benchmark_chart.benchmark_chart`."""
        from saz_geboortezorg.present.benchmark_chart import benchmark_chart

        return benchmark_chart(self, highlight=highlight, language=language, **options)


def _indicator_list(indicators: Any, catalogue: Any = None) -> list[Any]:
    if indicators is None:
        return list(merged_catalogue(catalogue).values())
    if isinstance(indicators, str):
        indicators = [indicators]
    return [get(i, catalogue) for i in indicators]


def _level(value: Any, levels: tuple[float, ...], name: str) -> float:
    try:
        level = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a limit level in percent, not {value!r}") from None
    if level_tag(level) not in {level_tag(x) for x in levels}:
        raise SpecError(
            f"{name}={value!r} is not one of the funnel limits {[f'{x:g}' for x in levels]}; "
            "add it to limits="
        )
    return level


def _window_text(period: Sequence[Any] | None) -> str:
    if period is None:
        return "all"
    start, end = period

    def day(x: Any, word: str) -> str:
        return word if x is None else f"{pd.Timestamp(x):%Y-%m-%d}"

    return f"{day(start, 'start')} to {day(end, 'end')}"


def _check_years(years: Any) -> None:
    if not (isinstance(years, int) and not isinstance(years, bool) and years >= 1):
        raise SpecError(f"pool_rare must be a whole number of years (1 or more), not {years!r}")


def pooled_period(
    data: Any, indicator: Any, period: Sequence[Any], years: int, *, cache: Any = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A pooled window for a rare indicator: ``years`` calendar years ending where
    ``period`` ends (or at the data's last birth when it is open-ended).

    Examples
    --------
    >>> w = pd.DataFrame({"region_id": "A", "ga_days": 280, "mode": "spontaneous",
    ...                   "birth_date": pd.to_datetime(["2021-03-01", "2023-12-30"])})
    >>> pooled_period(w, "cs", ("2023-01-01", "2023-12-31"), 3)
    (Timestamp('2021-01-01 00:00:00'), Timestamp('2023-12-31 00:00:00'))
    """
    _check_years(years)
    try:
        _, end = period
    except (TypeError, ValueError):
        raise SpecError(f"period must be (start, end), not {period!r}") from None
    if end is None:
        cache = cache if cache is not None else BenchmarkCache()
        rec = cache.records(data, indicator)
        if DATE_COLUMN not in rec.table.columns:
            raise SpecError(f"a period needs the column {DATE_COLUMN!r}, which the data lacks")
        end = pd.to_datetime(rec.table[DATE_COLUMN]).iloc[rec.rows].max()
        if pd.isna(end):
            raise SpecError("no birth dates to end a pooled window at")
    end = pd.Timestamp(end).normalize()
    start = end - pd.DateOffset(years=years) + pd.Timedelta(days=1)
    return pd.Timestamp(start), end


@with_small_pages
@with_progress("benchmark")
def benchmark(
    data: Any,
    indicators: Iterable[Any] | str | None = None,
    *,
    unit: str = "region",
    adjusted: bool = True,
    limits: Sequence[float] = (95, 99.8),
    verdict: float | None = None,
    alert: float | None = None,
    min_expected: float = MIN_EXPECTED,
    fdr: float | None = None,
    overdispersion: bool = True,
    where: Mapping[str, Any] | None = None,
    period: Sequence[Any] | None = None,
    pool_rare: int | None = None,
    cache: BenchmarkCache | None = None,
    attribution: str | None = None,
    variance: str = "binomial",
    progress: bool | None = None,
    catalogue: Any = None,
) -> BenchmarkResult:
    """The open benchmark: every unit's position on every indicator, in two tiers.

    Per indicator: :func:`unit_table` (case-mix standardised when the catalogue gives a
    model and ``adjusted``, crude otherwise), its funnel analysis (:func:`funnel_for`)
    and an assessment of each unit from the funnel flags and the indicator's ``better``
    direction.

    Two tiers, as UK national audits use them (:func:`tiers`). About 33 indicators for
    17 hospitals are several hundred cells: at 95% limits chance alone puts about 1 in
    20 outside. So the **verdict** (``assessment``: better, worse, different) is given
    at the ``verdict`` limits (99.8%, the 'alarm' level, by default), and outside only
    the ``alert`` limits (95%) a unit gets an **alert** (column ``alert``), never a
    verdict. :meth:`BenchmarkResult.family` gives the number of false verdicts and
    alerts chance alone would give among the judged cells.

    A **volume rule**: a unit with fewer than ``min_expected`` expected events (or
    non-events, :func:`expected_events`) is shown but not judged (``too_few``). It stays
    in the funnel (and its dispersion estimate).

    Parameters
    ----------
    data : Dataset or DataFrame
    indicators : iterable of str, optional
        Indicator ids (default: the whole catalogue, in catalogue order).
    unit : str
        ``hospital``, ``region`` or ``practice`` (or a column).
    adjusted : bool
        Case-mix adjustment where a model exists.
    limits : sequence of float
        Funnel limits in percent (the flags ``flag95``, ``flag998``...).
    verdict : float, optional
        The limits of a verdict, one of ``limits`` (default: the widest, 99.8).
    alert : float, optional
        The limits of an alert, one of ``limits`` and narrower than ``verdict``
        (default: the narrowest when narrower than the verdict's; else no alert tier).
    min_expected : float
        The volume rule (default 5; 0 judges every unit).
    fdr : float, optional
        Instead of the verdict limits, give a verdict where the Benjamini-Hochberg
        q-value over all judged cells of this benchmark is at most ``fdr`` (e.g.
        0.05: at most 5% of the verdicts expected false). p-values are two-sided and
        agree with each funnel's limits (:func:`funnel_p_values`: from the z-score in
        force, overdispersion-adjusted where the limits were widened, or exact Poisson);
        the direction is the sign of z. Alerts stay: outside the alert limits without
        a verdict.
    overdispersion : bool
        Overdispersion-adjusted limits (Spiegelhalter 2005) when phi > 1.
    where, period
        Selection, as in :func:`unit_table`. Without a period every indicator pools all
        births in the data (three years in the synthetic data).
    pool_rare : int, optional
        For rare indicators (measured per 1,000: perinatal mortality, NICU admission,
        ...) use a pooled window of this many calendar years ending where ``period``
        ends (:func:`pooled_period`), e.g. a 2023 benchmark judging perinatal
        mortality on 2021-2023. No effect without a ``period``: everything is pooled
        then. The ``window`` column names each row's dates.
    cache : BenchmarkCache, optional
    attribution : {"booking", "birth"}, optional
        One rule for every indicator; default: each indicator's own (catalogue
        ``attribution``: population outcomes to where care started, outcomes of care
        during birth to the unit responsible at birth). The table's ``attribution``
        column names the rule per row.

    variance : {"binomial", "poisson"}
        The variance of an adjusted binary indicator's observed count on its funnel:
        ``binomial`` (sum p(1 - p), default) or ``poisson`` (E: FunnelPlotR's SR, which
        overstates the standard error of a common outcome; the ``funnel`` command keeps
        it). Stated in the methods text.
    progress : bool or None
        Show a progress bar, one step per indicator. None (default): in a terminal or
        notebook only (:mod:`saz_geboortezorg.progress`).
    catalogue : str or Path, optional
        A user catalogue file (``<data folder>/mijn_indicatoren.yaml``): ``indicators``
        may name its ids, and without ``indicators`` its indicators follow the shipped
        ones.

    Returns
    -------
    BenchmarkResult

    Raises
    ------
    SpecError
        Unknown indicator or unit, a verdict or alert level not among ``limits``, bad
        ``min_expected``, ``fdr`` or ``pool_rare``. An indicator whose funnel cannot be
        computed (too few units, no records in the selection) is listed in ``notes``
        and its units are ``not_assessed``.

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> data = sg.load(sg.synthetic.default_dataset())             # doctest: +SKIP
    >>> res = benchmark(data, ["cs", "oasis"], unit="region")       # doctest: +SKIP
    >>> res.flags()                                                 # doctest: +SKIP
    >>> res.family()["expected_false_verdicts"]                     # doctest: +SKIP
    """
    chosen = _indicator_list(indicators, catalogue)
    cache = cache if cache is not None else BenchmarkCache()
    levels, verdict_level, alert_level = benchmark_levels(
        limits, verdict=verdict, alert=alert, min_expected=min_expected, fdr=fdr
    )
    if pool_rare is not None:
        _check_years(pool_rare)
    tables, notes = [], []
    for ind in chosen:
        progress_step("benchmark", ind.id, total=len(chosen))
        ind_period = period
        if pool_rare is not None and period is not None and ind.unit == "per_1000":
            ind_period = pooled_period(data, ind, period, pool_rare, cache=cache)
        try:
            ut = unit_table(
                data,
                ind,
                unit=unit,
                adjusted=adjusted,
                where=where,
                period=ind_period,
                cache=cache,
                attribution=attribution,
            )
        except SpecError as exc:
            if "no records in the selection" not in str(exc):
                raise
            notes.append(f"{ind.id}: {exc}")
            continue
        tables.append((ind, ut, _window_text(ind_period)))
    return benchmark_tables(
        tables,
        data=data,
        unit=unit,
        adjusted=adjusted,
        levels=levels,
        verdict_level=verdict_level,
        alert_level=alert_level,
        min_expected=min_expected,
        fdr=fdr,
        overdispersion=overdispersion,
        variance=variance,
        notes=notes,
    )


def benchmark_levels(
    limits: Sequence[float] = (95, 99.8),
    *,
    verdict: float | None = None,
    alert: float | None = None,
    min_expected: float = MIN_EXPECTED,
    fdr: float | None = None,
) -> tuple[tuple[float, ...], float, float | None]:
    """The checked settings of :func:`benchmark`: ``(levels, verdict_level, alert_level)``.

    Raises a :class:`SpecError` for a verdict or alert level not among ``limits``, a bad
    ``min_expected`` or ``fdr``.

    Examples
    --------
    >>> benchmark_levels((99.8, 95))
    ((95.0, 99.8), 99.8, 95.0)
    """
    levels = tuple(sorted(float(x) for x in limits))
    if not levels:
        raise SpecError("limits: give at least one level, e.g. (95, 99.8)")
    verdict_level = _level(levels[-1] if verdict is None else verdict, levels, "verdict")
    if alert is None:
        alert_level = levels[0] if levels[0] < verdict_level else None
    else:
        alert_level = _level(alert, levels, "alert")
        if alert_level >= verdict_level:
            raise SpecError(
                f"alert={alert!r} must be narrower than the verdict limits ({verdict_level:g})"
            )
    if not (
        isinstance(min_expected, int | float)
        and not isinstance(min_expected, bool)
        and np.isfinite(min_expected)
        and min_expected >= 0
    ):
        raise SpecError(f"min_expected must be a number >= 0, not {min_expected!r}")
    if fdr is not None and not (
        isinstance(fdr, int | float) and not isinstance(fdr, bool) and 0 < fdr < 1
    ):
        raise SpecError(
            f"fdr must be a false discovery rate between 0 and 1 (e.g. 0.05), not {fdr!r}"
        )
    return levels, verdict_level, alert_level


def benchmark_tables(
    tables: Sequence[tuple[Any, RateTable, str]],
    *,
    data: Any,
    unit: str,
    adjusted: bool,
    levels: tuple[float, ...],
    verdict_level: float,
    alert_level: float | None,
    min_expected: float = MIN_EXPECTED,
    fdr: float | None = None,
    overdispersion: bool = True,
    variance: str = "binomial",
    notes: Sequence[str] = (),
) -> BenchmarkResult:
    """The benchmark from its per-indicator unit tables (the second half of
    :func:`benchmark`): funnels, verdicts over the family of cells, notes.

    ``tables`` holds ``(indicator, unit table, window text)`` per indicator, with the
    unit tables of :func:`unit_table` or sums made elsewhere (a federated analysis);
    ``data`` gives the notes (``sources["organisaties"]``: NICU centres; ``births``: the
    booking caveat) and may be any object with those attributes. The settings are those
    of :func:`benchmark_levels`.
    """
    frames, methods, funnels, notes = [], {}, {}, list(notes)
    unit_type = unit
    for ind, ut, window in tables:
        unit_type = ut.unit_type
        methods[ind.id] = ut.method
        if ut.adjusted and ut.family == "binomial":
            methods[ind.id] += (
                "; funnel with the binomial variance sum p(1 - p)"
                if variance == "binomial"
                else "; funnel with the Poisson variance E (FunnelPlotR)"
            )
        t = ut.table
        rows = pd.DataFrame(
            {
                "indicator": ind.id,
                "name_en": ind.name_en,
                "name_nl": ind.name_nl,
                "domain": ind.domain,
                "measure": ind.unit,
                "better": ind.better,
                "attribution": ut.attribution,
                "window": window,
                "unit": t["unit"],
                "n": t["n"],
                "observed": t["observed"],
                "expected": t["expected"],
                "value": t["value"],
                "target": ut.target,
                "ratio": t["ratio"],
                "adjusted": t["adjusted"],
            }
        )
        rows["expected_events"] = expected_events(ut)
        try:
            fr = funnel_for(ut, limits=levels, overdispersion=overdispersion, variance=variance)
        except SazError as exc:
            notes.append(f"{ind.id}: not assessed ({exc})")
            fr = None
        else:
            funnels[ind.id] = fr
        judgement = funnel_judgement(
            fr, t["unit"], rows["expected_events"], levels=levels, min_expected=min_expected
        )
        for col in judgement.columns:
            rows[col] = judgement[col].to_numpy()
        frames.append(rows)
    if not frames:
        raise SpecError("no indicator has records in the selection; widen the selection")
    frames = judge(frames, verdict_level=verdict_level, alert_level=alert_level, fdr=fdr)
    table = pd.concat(frames, ignore_index=True).drop(columns="z")
    # units a clinician will ask about (NICU centres receive in-utero transfers)
    caveat = booking_caveat(data)
    if caveat and (table["attribution"] == "booking").any():
        notes.append(caveat)
    by_rule = {rule: unit_notes(data, unit_type, rule) for rule in ("booking", "birth")}
    table["note"] = [
        by_rule[rule].get(str(u), "")
        for rule, u in zip(table["attribution"], table["unit"], strict=True)
    ]
    return BenchmarkResult(
        table=table,
        unit_type=unit_type,
        limits=levels,
        overdispersion=bool(overdispersion),
        adjusted=bool(adjusted),
        methods=methods,
        funnels=funnels,
        notes=notes,
        verdict_level=verdict_level,
        alert_level=alert_level,
        min_expected=float(min_expected),
        fdr=None if fdr is None else float(fdr),
        variance=variance,
    )


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        raise AttributeError(
            f"{name} moved to {_MOVED[name]} (trend tables are monitoring over time); "
            f"import it from there: from {_MOVED[name]} import {name}"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
