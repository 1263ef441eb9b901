"""Everything a mirror-meeting report shows, computed ONCE for all units by library functions.

The report is presentation: this module only calls the analysis layers (the open benchmark
with its funnel analyses, the Robson table, indicator rates per SES quintile, the value view,
rates per quarter with p-charts) and keeps their results for every unit, so that rendering
17 regional reports refits nothing. Small-number protection of these tables happens next
(:mod:`saz_geboortezorg.report.protect`), before anything is drawn.

Examples
--------
>>> import saz_geboortezorg as sg
>>> from saz_geboortezorg.report.analysis import analyse
>>> a = analyse(sg.load(sg.synthetic.default_dataset()))      # doctest: +SKIP
>>> a.units[:3]                                                # doctest: +SKIP
['R01', 'R02', 'R03']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from saz_geboortezorg.compare.benchmark import benchmark
from saz_geboortezorg.compare.equity import equity_from_rates
from saz_geboortezorg.compare.subgroups import group_rates
from saz_geboortezorg.compare.value import value_view
from saz_geboortezorg.derive.robson import robson_table
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators import get
from saz_geboortezorg.indicators.compute import resolve_unit
from saz_geboortezorg.indicators.user import merged_catalogue, read_user_catalogue
from saz_geboortezorg.monitor.periods import period_rates
from saz_geboortezorg.monitor.spc import family_false_alarm, p_chart, p_chart_false_alarm

__all__ = [
    "Analysis",
    "analyse",
    "FUNNEL_INDICATORS",
    "PAIN_INDICATORS",
    "VULNERABLE_INDICATORS",
    "TREND_INDICATORS",
    "UNIT_COLUMNS",
]

#: Indicators with a case-mix model: one funnel plot each in the report.
FUNNEL_INDICATORS = (
    "cs",
    "cs_robson_1",
    "instrumental",
    "epidural",
    "oasis",
    "pph",
    "low_apgar",
    "perinatal_mortality",
    "nicu",
    "big4",
    "cost_per_pregnancy",
)
#: Pain relief (pijnbestrijding) by socio-economic status.
PAIN_INDICATORS = ("pain_relief", "epidural", "epidural_wanted_not_received")
#: Outcomes looked at for vulnerable women (kwetsbare zwangeren), by SES quintile.
VULNERABLE_INDICATORS = ("preterm", "sga", "big4", "cs")
#: Indicators followed per quarter (p-chart with signal rules).
TREND_INDICATORS = ("cs", "epidural", "oasis", "pph")
#: Robson groups 2-10 are shown in the Robson table, not as separate benchmark rows (the
#: same counts in two tables would need one joint suppression pattern).
BENCHMARK_SKIP = tuple(f"cs_robson_{g}" for g in range(2, 11))
#: Unit type -> column in the analysis tables.
UNIT_COLUMNS = {"region": "region_id", "hospital": "hospital_id", "practice": "practice_id"}


@dataclass
class Analysis:
    """All-unit results behind the reports (nothing protected yet).

    Attributes
    ----------
    unit_type : str
    units : list of str
    benchmark : BenchmarkResult
        Every unit on every indicator, with one FunnelResult per indicator (``.funnels``).
    robson : DataFrame
        :func:`~saz_geboortezorg.derive.robson.robson_table` by unit, without total rows.
    groups : DataFrame
        Indicator rates per unit and SES quintile (``unit`` is ``"all"`` for all units):
        indicator, theme (pain or vulnerable), unit, group, denominator, numerator, rate,
        wilson_lcl, wilson_ucl.
    equity : DataFrame
        Gap between the most and least deprived SES quintile and slope index of inequality
        per unit and indicator (:func:`saz_geboortezorg.compare.equity.equity_table`), with a
        ``theme`` column.
    value : ValueView
        Case-mix adjusted outcome against adjusted cost per unit.
    trends : DataFrame
        indicator, unit, period, n, events, rate, centre, lcl, ucl, signal, rules (p-chart
        per unit and indicator, quarterly), ``adjustment`` (``crude``: the rates are not
        case-mix adjusted) and ``false_alarm`` (probability that the chart, with its own
        denominators and centre, signals with no change at all; simulated).
    period : tuple of Timestamp
        First and last birth date.
    linkage : DataFrame
        The linkage report (records in, linked, excluded by reason).
    exclusions : DataFrame
        Excluded records by source and reason (counts).
    user_indicators : list of Indicator
        The indicators of the user catalogue, benchmarked after the shipped ones.
    catalogue : Path or None
        The user catalogue file they come from.
    trend_false_alarm : dict
        The p-charts as a family: ``charts`` (number of charts), ``all`` (probability of
        at least one false alarm among all of them) and ``per_unit`` (unit -> the same
        over that unit's charts), from the per-chart rates, assuming independent charts;
        ``median_chart``: the median per-chart rate.
    """

    unit_type: str
    units: list[str]
    benchmark: Any
    robson: pd.DataFrame
    groups: pd.DataFrame
    equity: pd.DataFrame
    value: Any
    trends: pd.DataFrame
    period: tuple[Any, Any]
    linkage: pd.DataFrame
    exclusions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    trend_false_alarm: dict = field(default_factory=dict)
    user_indicators: list = field(default_factory=list)
    catalogue: Any = None


def _group_counts(data: Any, ids: tuple[str, ...], unit: str) -> dict[str, tuple]:
    """Per indicator: (unit column, rates by unit x SES quintile, rates by SES quintile), from
    :func:`~saz_geboortezorg.compare.subgroups.group_rates`, each indicator by its own
    attribution; counted once for the rates by group and for the equity table."""

    out = {}
    for ind_id in ids:
        unit_col = resolve_unit(unit, data.women.columns, get(ind_id).attribution)
        by_cell = group_rates(data, ind_id, by=[unit_col, "ses_quintile"])
        overall = group_rates(data, ind_id, by="ses_quintile")
        out[ind_id] = (unit_col, by_cell, overall)
    return out


def _rates_by_group(
    data: Any, ids: tuple[str, ...], theme: str, unit: str, counts: dict | None = None
) -> pd.DataFrame:
    """Indicator rates per unit x SES quintile (compare.subgroups.group_rates) and per SES
    quintile overall (``unit`` is ``"all"``); each indicator by its own attribution.
    ``counts``: :func:`_group_counts` of these indicators (counted here when not given)."""

    counts = _group_counts(data, ids, unit) if counts is None else counts
    cols = ["indicator", "unit", "group", "denominator", "numerator", "rate", "wilson_lcl"]
    cols.append("wilson_ucl")
    parts = []
    for ind_id in ids:
        unit_col, by_cell, overall = counts[ind_id]
        by_cell = by_cell.rename(columns={unit_col: "unit", "ses_quintile": "group"})
        overall = overall.rename(columns={"ses_quintile": "group"}).assign(unit="all")
        parts += [by_cell[cols], overall[cols]]
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "theme", theme)
    return out[out["group"] != "unknown"].reset_index(drop=True)


def _trends(data: Any, unit: str) -> pd.DataFrame:
    parts = []
    for ind_id in TREND_INDICATORS:
        rates = period_rates(data, ind_id, unit=unit, freq="quarter")
        for u, r in rates.groupby("unit", sort=True):
            r = r.sort_values("period").reset_index(drop=True)
            chart = p_chart(r["events"], r["n"])
            pc = chart.table
            # how often this chart signals with no change: its own n per quarter and centre
            alarm = p_chart_false_alarm(r["n"], chart.centre, n_sim=4000, seed=0)
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": ind_id,
                        "unit": str(u),
                        "period": r["period"],
                        "n": r["n"].to_numpy(),
                        "events": r["events"].to_numpy(),
                        "rate": pc["rate"].to_numpy(),
                        "centre": pc["centre"].to_numpy(),
                        "lcl": pc["lcl"].to_numpy(),
                        "ucl": pc["ucl"].to_numpy(),
                        "signal": pc["signal"].to_numpy(),
                        "rules": pc["rules"].to_numpy(),
                        "adjustment": "crude",
                        "false_alarm": alarm,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _trend_family(trends: pd.DataFrame) -> dict:
    """Family false-alarm probabilities of the p-charts: all charts, and per unit."""

    charts = trends.groupby(["indicator", "unit"], sort=True)["false_alarm"].first()
    per_unit = charts.groupby(level="unit").apply(lambda a: family_false_alarm(a.to_numpy()))
    return {
        "charts": int(len(charts)),
        "all": family_false_alarm(charts.to_numpy()),
        "per_unit": {str(u): float(a) for u, a in per_unit.items()},
        "median_chart": float(charts.median()),
    }


def analyse(data: Any, *, unit: str = "region", catalogue: Any = None) -> Analysis:
    """Compute every table the reports show, for all units at once.

    Parameters
    ----------
    data : Dataset
        A loaded dataset (``sg.load``).
    unit : str
        ``region`` (default), ``hospital`` or ``practice``.
    catalogue : str or Path, optional
        A user catalogue file (``mijn_indicatoren.yaml``): its indicators join the open
        benchmark (position table and heat table), protected as every other row.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import saz_geboortezorg as sg
    >>> a = analyse(sg.load(sg.synthetic.default_dataset()))      # doctest: +SKIP
    >>> sorted(a.benchmark.funnels)[:2]                           # doctest: +SKIP
    ['big4', 'cost_per_pregnancy']
    """

    if unit not in UNIT_COLUMNS:
        raise SpecError(f"unit must be one of {', '.join(UNIT_COLUMNS)}, not {unit!r}")
    unit_col = UNIT_COLUMNS[unit]
    chosen = [i for i in merged_catalogue(catalogue).values() if i.id not in BENCHMARK_SKIP]
    bench = benchmark(data, chosen, unit=unit)
    user = list(read_user_catalogue(catalogue).indicators.values())
    robson = robson_table(data.women, unit=unit_col).table
    robson = robson[robson["group"] != "total"].reset_index(drop=True)
    themes = (("pain", PAIN_INDICATORS), ("vulnerable", VULNERABLE_INDICATORS))
    # the rates by SES quintile, counted once, feed the groups table and the equity table
    counts = _group_counts(data, (*PAIN_INDICATORS, *VULNERABLE_INDICATORS), unit)
    groups = pd.concat(
        [_rates_by_group(data, ids, theme, unit, counts) for theme, ids in themes],
        ignore_index=True,
    )
    equity = pd.concat(
        [
            equity_from_rates(counts[ind][1], counts[ind][2], unit=counts[ind][0]).assign(
                theme=theme
            )
            for theme, ids in themes
            for ind in ids
        ],
        ignore_index=True,
    )
    value = value_view(data, unit=unit)
    trends = _trends(data, unit)
    units = sorted(str(u) for u in data.women[unit_col].dropna().unique())
    dates = pd.to_datetime(data.women["birth_date"])
    exclusions = (
        data.excluded.groupby(["source", "reason"], sort=True)
        .size()
        .rename("records")
        .reset_index()
        if len(data.excluded)
        else pd.DataFrame(columns=["source", "reason", "records"])
    )
    return Analysis(
        unit_type=unit,
        units=units,
        benchmark=bench,
        robson=robson,
        groups=groups,
        equity=equity,
        value=value,
        trends=trends,
        period=(dates.min(), dates.max()),
        linkage=data.linkage.copy(),
        exclusions=exclusions,
        notes=list(bench.notes),
        trend_false_alarm=_trend_family(trends),
        user_indicators=user,
        catalogue=catalogue,
    )
