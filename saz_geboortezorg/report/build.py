"""One mirror-meeting (spiegelbijeenkomst) report per unit: analyse once, protect once, render each.

:func:`build_reports` runs the pipeline: :func:`~saz_geboortezorg.report.analysis.analyse`
(all fitting, once) → :func:`~saz_geboortezorg.report.protect.protect` (small-number
protection across all units, once) → per unit :func:`region_report` (charts and tables from
the protected tables only) → the disclosure verifier on every table and every embedded chart
→ write ``<unit>.html`` (and, with ``exports=True``, PNG/SVG/CSV/XLSX files).

Examples
--------
>>> import saz_geboortezorg as sg
>>> from saz_geboortezorg.report import build_reports
>>> data = sg.load(sg.synthetic.default_dataset())                       # doctest: +SKIP
>>> summary = build_reports(data, ["R05"], "reports/")                    # doctest: +SKIP
>>> summary["reports"][0]["html"]                                         # doctest: +SKIP
'reports/R05.html'
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from saz_geboortezorg.derive.robson import ROBSON_POPULATIONS
from saz_geboortezorg.disclosure import assert_safe, check_chart, check_table
from saz_geboortezorg.disclosure.check import check_text, html_text
from saz_geboortezorg.indicators.compute import ATTRIBUTION_TEXT
from saz_geboortezorg.memory import with_small_pages
from saz_geboortezorg.progress import step as progress_step
from saz_geboortezorg.progress import with_progress
from saz_geboortezorg.report import charts, methods
from saz_geboortezorg.report.analysis import (
    FUNNEL_INDICATORS,
    PAIN_INDICATORS,
    TREND_INDICATORS,
    VULNERABLE_INDICATORS,
)
from saz_geboortezorg.report.html import Page, table_html

__all__ = [
    "RegionReport",
    "base_specs",
    "region_report",
    "build_reports",
    "SECTIONS",
    "shown_only",
    "judge_shown",
    "LABEL_COLUMNS",
]

#: Section headings every report has, in order.
SECTIONS = (
    "Position on every indicator",
    "Funnel plots",
    "Robson table",
    "Pain relief",
    "Vulnerable women",
    "Costs against outcomes",
    "Trends and signals",
    "Methods",
)


@dataclass
class RegionReport:
    """One unit's report: the page, its charts (name → Vega-Lite spec) and tables (name → DataFrame)."""

    unit: str
    page: Page
    charts: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def check(self, threshold: int, seen: dict | None = None) -> list:
        """Verifier findings over every table and every chart's embedded data.

        ``seen`` (optional) remembers findings per embedded dataset object, so that data
        shared by all reports (the all-unit charts) is scanned once per build.
        """
        found = check_text(
            html_text("\n".join(self.page.parts)), threshold, where=f"{self.unit} text"
        )
        for name, t in self.tables.items():
            found += check_table(t, threshold, where=f"{self.unit} table {name}")
        for spec in self.page.specs:
            datasets = spec.get("datasets")
            key = (id(datasets), threshold) if datasets else None
            if seen is not None and key is not None and key in seen:
                found += seen[key]
                rest = {k: v for k, v in spec.items() if k != "datasets"}
                found += check_chart(rest, threshold, where=f"{self.unit} chart")
                continue
            result = check_chart(spec, threshold, where=f"{self.unit} chart")
            if seen is not None and key is not None:
                seen[key] = result
            found += result
        return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _names() -> dict[str, str]:
    from saz_geboortezorg.indicators import catalogue

    cat = catalogue()
    return dict(zip(cat["id"], cat["name_en"], strict=True))


def _measures() -> dict[str, str]:
    from saz_geboortezorg.indicators import catalogue

    cat = catalogue()
    words = {"percent": "% of the population", "per_1000": "per 1,000", "euro": "EUR"}
    return {i: words.get(u, u) for i, u in zip(cat["id"], cat["unit"], strict=True)}


def _add_chart(rep: RegionReport, name: str, chart: Any) -> None:
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    rep.charts[name] = spec
    rep.page.chart(spec)


def _tiers_text(result: Any) -> str:
    """The two tiers and the volume rule in words, with the expected false verdicts and
    alerts of the benchmark's family (:meth:`BenchmarkResult.family`)."""
    from saz_geboortezorg.present.benchmark_chart import TEXT

    f = result.family()
    rule = (
        f"outside the {f['verdict_level']:g}% limits"
        if f["fdr"] is None
        else f"at a Benjamini-Hochberg false discovery rate of {100 * f['fdr']:g}%"
    )
    text = f"A verdict (better, worse, or different where no direction is better) is given {rule}"
    if f["alert_level"] is not None:
        text += (
            f"; outside only the {f['alert_level']:g}% limits a unit gets an alert, "
            "a reason to look, not a verdict"
        )
    text += (
        f". A unit with fewer than {f['min_expected']:g} expected events is shown but not "
        "judged (too few to judge). "
    )
    family = TEXT["en"]["family" if f["fdr"] is None else "family_fdr"]
    return text + family.format(
        false_verdicts=f"{f['expected_false_verdicts']:.1f}",
        false_alerts=f"{f['expected_false_alerts']:.1f}",
        fdr=f"{100 * f['fdr']:g}%" if f["fdr"] is not None else "",
        **{k: f[k] for k in ("judged", "verdicts", "alerts", "too_few")},
    )


def _tier_note(row: Any, result: Any) -> str:
    """One unit's tier on a funnel plot, naming the limits: 'verdict: worse (outside the
    99.8% limits)', 'alert: better (outside the 95% limits only)', ..."""
    assessment = row["assessment"]
    alert = row.get("alert") if isinstance(row.get("alert"), str) else ""
    if assessment in ("better", "worse", "different"):
        rule = (
            f"outside the {result.verdict_level:g}% limits"
            if result.fdr is None
            else f"Benjamini-Hochberg, FDR {100 * result.fdr:g}%"
        )
        return f"verdict: {assessment} ({rule})"
    if alert:
        return f"alert: {alert} (outside the {result.alert_level:g}% limits only; no verdict)"
    if assessment == "within":
        return "within the limits"
    if assessment == "too_few":
        return f"too few to judge (fewer than {result.min_expected:g} expected events)"
    return assessment.replace("_", " ")


def _refit_shown(result: Any) -> Any:
    """The funnel refitted on the units it shows: phi, tau², target and limits from them only.

    Examples
    --------
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units()
    >>> shown = funnel(d[d["h"] != "I"], "o", "e", "h")
    >>> full = funnel(d, "o", "e", "h")
    >>> part = full.__class__(**{**full.__dict__, "table": full.table[full.table["group"] != "I"]})
    >>> round(_refit_shown(part).phi, 10) == round(shown.phi, 10)
    True
    """
    from saz_geboortezorg.compare.funnel import refit_funnel

    return refit_funnel(result)


#: Trend columns computed from a unit's counts in every quarter (the p-chart's centre line
#: is the unit's rate over all quarters, so centre × n gives its total).
TREND_ALL_QUARTER_COLUMNS = ("centre", "lcl", "ucl", "false_alarm")


def shown_only(shared: Any) -> Any:
    """Published statistics computed from shown counts only (issue 14, leaks 1 and 2).

    - Each funnel is refitted on the units whose counts are shown (after protection): phi,
      tau², the target and the limit curves then depend on shown counts only. Fitted on all
      units they are a function of the hidden counts too, which an attacker can invert.
    - A trend chart's centre line, limits, signals and false-alarm rate use the unit's counts
      in every quarter; for a unit and indicator with any hidden quarterly count they are
      left out (the shown quarterly rates stay).
    - The verdicts and alerts (and the flags, p- and q-values behind them) of every shown
      cell are judged again on those refitted funnels, with the Benjamini-Hochberg family
      of the shown cells (:func:`judge_shown`): judged on all units they too depend on the
      hidden counts.

    Parameters
    ----------
    shared : Shared
        From :func:`saz_geboortezorg.report.protect.protect`.

    Returns
    -------
    Shared
        A copy with ``funnels`` (and ``benchmark_result.funnels``) refitted, the labels of
        ``benchmark`` (and ``benchmark_result.table``) judged on them, and ``trends``
        cleared where needed; a funnel with fewer than 3 shown units, or one that cannot be
        fitted on them, is dropped (no plot, no phi or tau²).

    Examples
    --------
    >>> shared = shown_only(protect(analysis))                        # doctest: +SKIP
    """
    import dataclasses

    import numpy as np

    from saz_geboortezorg.errors import SazError

    funnels = {}
    for ind, result in shared.funnels.items():
        if len(result.table) >= 3:
            try:
                funnels[ind] = _refit_shown(result)
            except SazError:  # e.g. phi cannot be estimated on the shown units: no funnel
                continue
    trends = shared.trends.copy()
    hidden = shared.hidden.get("trends")
    if hidden is not None and len(trends):
        any_hidden = hidden[["n", "events"]].any(axis=1).to_numpy()
        touched = set(
            zip(trends.loc[any_hidden, "indicator"], trends.loc[any_hidden, "unit"], strict=True)
        )
        rows = np.array(
            [(i, u) in touched for i, u in zip(trends["indicator"], trends["unit"], strict=True)],
            dtype=bool,
        )
        for col in TREND_ALL_QUARTER_COLUMNS:
            if col in trends:
                trends[col] = trends[col].astype(float).mask(rows)
        if "signal" in trends:
            trends["signal"] = trends["signal"].astype(object).mask(rows, False).astype(bool)
        if "rules" in trends:
            trends["rules"] = trends["rules"].astype(object).mask(rows, "")
    bench = shared.benchmark_result
    table = shared.benchmark
    if bench is not None:
        table = judge_shown(table, shared.hidden["benchmark"], funnels, bench)
        bench = dataclasses.replace(bench, table=table, funnels=funnels)
    return dataclasses.replace(
        shared, benchmark=table, funnels=funnels, trends=trends, benchmark_result=bench
    )


#: Benchmark columns that judge a unit on its funnel (:func:`judge_shown` recomputes them).
LABEL_COLUMNS = (
    "outside",
    "judged",
    "p_funnel",
    "p_exact",
    "p_value",
    "q_value",
    "assessment",
    "alert",
)


def _label_columns(table: pd.DataFrame) -> list[str]:
    """The label columns of a benchmark table: every ``flag<tag>`` and :data:`LABEL_COLUMNS`."""
    return [c for c in table.columns if c in LABEL_COLUMNS or re.fullmatch(r"flag\d+", c)]


def judge_shown(
    table: pd.DataFrame, hidden: pd.DataFrame, funnels: dict, result: Any
) -> pd.DataFrame:
    """The benchmark's verdicts and alerts judged again on the funnels of the shown units.

    The benchmark judges each unit on the funnel of all units, and with a false discovery
    rate over all cells: its flags, p-values, q-values, verdicts and alerts then depend on
    the hidden counts through phi, tau², the target and the family (issue 14). Here every
    cell whose label is published is judged again, with the benchmark's own rules
    (:func:`~saz_geboortezorg.compare.benchmark.funnel_judgement` and
    :func:`~saz_geboortezorg.compare.benchmark.judge`: verdict and alert levels, the volume
    rule, the exact test on the count), on the funnel refitted on the shown units
    (:func:`shown_only`), with the Benjamini-Hochberg family made of the published cells.
    An indicator whose funnel could not be refitted is ``not_assessed``. Cells hidden by
    protection stay hidden.

    Parameters
    ----------
    table : DataFrame
        The protected benchmark table (``Shared.benchmark``).
    hidden : DataFrame
        Its protection mask (``Shared.hidden["benchmark"]``).
    funnels : dict
        Indicator -> funnel refitted on the shown units.
    result : BenchmarkResult
        For the verdict and alert levels, the volume rule and ``fdr``.

    Returns
    -------
    DataFrame
        A copy of ``table`` with the flags, ``outside``, ``judged``, p- and q-values,
        ``assessment`` and ``alert`` of every published cell recomputed.

    Examples
    --------
    >>> from saz_geboortezorg.compare.benchmark import BenchmarkResult
    >>> from saz_geboortezorg.compare.funnel import example_units, funnel
    >>> d = example_units(A=(9, 20.9))
    >>> fr = funnel(d, "o", "e", "h", overdispersion=False)
    >>> t = pd.DataFrame({"indicator": "x", "unit": fr.table["group"], "better": "lower",
    ...                   "expected_events": fr.table["denominator"], "assessment": "?",
    ...                   "alert": "?", "flag998": "?"})
    >>> res = BenchmarkResult(t, "region", (95, 99.8), True, True)
    >>> out = judge_shown(t, pd.DataFrame(False, t.index, t.columns), {"x": fr}, res)
    >>> out.loc[0, ["unit", "flag998", "assessment", "alert"]].tolist()
    ['A', 'lower', 'within', 'better']
    """
    import numpy as np

    from saz_geboortezorg.compare.verdicts import funnel_judgement, judge

    out = table.copy()
    labels = _label_columns(out)
    published = ~hidden["assessment"].to_numpy(dtype=bool)
    frames, where = [], []
    for ind in pd.unique(out["indicator"]):
        rows = np.flatnonzero((out["indicator"] == ind).to_numpy() & published)
        part = out.iloc[rows]
        fr = funnels.get(ind)
        frame = funnel_judgement(
            fr,
            part["unit"].astype(str).tolist(),
            part["expected_events"].to_numpy(dtype=float),
            levels=result.limits,
            min_expected=result.min_expected,
        )
        frame["better"] = part["better"].to_numpy()
        frames.append(frame)
        where.append(rows)
    judged = judge(
        frames, verdict_level=result.verdict_level, alert_level=result.alert_level, fdr=result.fdr
    )
    for rows, frame in zip(where, judged, strict=True):
        for col in labels:
            if col in frame:
                values = frame[col].to_numpy()
                if out[col].dtype != object and values.dtype == object:
                    out[col] = out[col].astype(object)
                out.iloc[rows, out.columns.get_loc(col)] = values
    return out


def published_family(trends: pd.DataFrame) -> dict | None:
    """Family false-alarm probabilities over the p-charts whose own rate is published.

    Returns ``charts``, ``all``, ``median_chart`` and ``per_unit`` (unit: (probability,
    number of charts)); None when no chart has a published rate.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["a", "b", "a"], "unit": ["R1", "R1", "R2"],
    ...                   "false_alarm": [0.1, 0.2, float("nan")]})
    >>> f = published_family(t)
    >>> f["charts"], round(f["all"], 2), f["per_unit"]["R1"][1], "R2" in f["per_unit"]
    (2, 0.28, 2, False)
    """
    from saz_geboortezorg.monitor.spc import family_false_alarm

    if "false_alarm" not in trends:
        return None
    charts = trends.groupby(["indicator", "unit"], sort=True)["false_alarm"].first().dropna()
    if not len(charts):
        return None
    per_unit = {
        str(u): (family_false_alarm(a.to_numpy()), int(len(a)))
        for u, a in charts.groupby(level="unit")
    }
    return {
        "charts": int(len(charts)),
        "all": family_false_alarm(charts.to_numpy()),
        "per_unit": per_unit,
        "median_chart": float(charts.median()),
    }


def base_specs(shared: Any) -> dict[str, dict]:
    """The all-unit charts every report shares, as Vega-Lite specs, built once.

    Each report adds its own unit with :func:`saz_geboortezorg.report.charts.highlight`.

    Examples
    --------
    >>> specs = base_specs(shared)                                     # doctest: +SKIP
    >>> sorted(specs)[:2]                                              # doctest: +SKIP
    ['funnel_big4', 'funnel_cost_per_pregnancy']
    """
    from altair.utils.schemapi import debug_mode

    # the chart functions' output is validated by their tests (and the specs are sent
    # unvalidated): altair's validation of every part as it is made is skipped here
    with debug_mode(False):
        out = _base_charts(shared)
    return {k: v.to_dict(validate=False) for k, v in out.items()}


def _base_charts(shared: Any) -> dict[str, Any]:
    """The altair charts of :func:`base_specs`."""
    names = _names()
    out = {"position": charts.oe_strip_chart(shared.benchmark)}
    if shared.benchmark_result is not None:  # a template: any unit, re-pointed per report
        first = str(shared.benchmark["unit"].iloc[0])
        out["benchmark"] = shared.benchmark_result.chart(highlight=first)
    bench = shared.benchmark
    for ind in FUNNEL_INDICATORS:
        result = shared.funnels.get(ind)
        if result is not None and len(result.table) >= 3:
            rows = bench[bench["indicator"] == ind]
            notes = {str(u): n for u, n in zip(rows["unit"], rows.get("note", []), strict=False)}
            rule = rows["attribution"].iloc[0] if "attribution" in rows and len(rows) else ""
            caption = ATTRIBUTION_TEXT.get(rule, "")
            out[f"funnel_{ind}"] = result.chart(
                labels="none",
                title=names.get(ind, ind),
                width=560,
                height=360,
                notes={u: n for u, n in notes.items() if n} or None,
                caption=caption[:1].upper() + caption[1:] if caption else None,
            )
    out["robson"] = charts.robson_chart(shared.robson)
    for ind in TREND_INDICATORS:
        out[f"trend_{ind}"] = charts.quarterly_p_chart(shared.trends, ind, names[ind])
    if len(shared.value.table) >= 2:
        from saz_geboortezorg.present.value_chart import value_chart

        out["value"] = value_chart(shared.value)
    for ind in (*PAIN_INDICATORS, *VULNERABLE_INDICATORS):
        out[f"group_{ind}"] = charts.group_chart(shared.groups, ind, names[ind], _measures()[ind])
    return out


def _add_table(
    rep: RegionReport,
    name: str,
    table: pd.DataFrame,
    hidden: pd.DataFrame | None = None,
    **options: Any,
) -> None:
    """Add a table; ``hidden`` is the protection mask of the table it was taken from."""
    rep.tables[name] = table.reset_index(drop=True)
    mask = None
    if hidden is not None:
        mask = hidden.loc[table.index].reset_index(drop=True)
    rep.page.raw(table_html(table.reset_index(drop=True), hidden=mask, **options))


class _Common:
    """What every unit's report of one build shares, computed once, on first use.

    The texts and tables here do not depend on the unit: the tiers of the benchmark, the
    wide benchmark table, the funnel plots' units, the false-alarm family, the methods
    appendix (case-mix specs, attribution, funnel lines) and the suppression summary and log.
    """

    def __init__(self, shared: Any, analysis: Any) -> None:
        self.shared = shared
        self.analysis = analysis

    def belongs_to(self, shared: Any, analysis: Any) -> bool:
        """Whether this was made for these (same objects)."""
        return self.shared is shared and self.analysis is analysis

    @functools.cached_property
    def names(self) -> dict[str, str]:
        return _names()

    @functools.cached_property
    def tiers(self) -> str:
        return _tiers_text(self.shared.benchmark_result)

    @functools.cached_property
    def wide(self) -> pd.DataFrame:
        bench = self.shared.benchmark
        wide = bench.pivot(index="indicator", columns="unit", values="value").reindex(
            pd.unique(bench["indicator"])
        )
        wide = wide.reset_index()
        wide.columns = [str(c) for c in wide.columns]
        return wide

    @functools.cached_property
    def funnel_units(self) -> dict[str, set[str]]:
        return {
            ind: set(result.table["group"].astype(str))
            for ind, result in self.shared.funnels.items()
        }

    @functools.cached_property
    def family(self) -> dict | None:
        return published_family(self.shared.trends)

    @functools.cached_property
    def casemix(self) -> list[str]:
        """One ``<pre>`` block per case-mix spec the benchmark used."""
        found = self.analysis.benchmark.methods.values()
        specs = sorted({s for s in found for s in re.findall(r"model '([^']+)'", s)})
        return ["<pre>" + "\n".join(methods.casemix_lines(spec)) + "</pre>" for spec in specs]

    @functools.cached_property
    def attribution(self) -> list[str]:
        return methods.attribution_text(self.analysis.benchmark)

    @functools.cached_property
    def funnel_lines(self) -> list[str]:
        return methods.funnel_lines(self.shared.benchmark_result or self.analysis.benchmark)

    @functools.cached_property
    def summary(self) -> list[str]:
        return self.shared.summary()

    @functools.cached_property
    def log(self) -> tuple[pd.DataFrame, pd.Series | None]:
        """The suppression log and the unit of each of its rows (the row label's first part)."""
        log = self.shared.log()
        if not len(log):
            return log, None
        return log, log["row"].astype(str).str.split(", ").str[0]


def region_report(
    shared: Any,
    analysis: Any,
    unit: str,
    bases: dict[str, dict] | None = None,
    common: _Common | None = None,
) -> RegionReport:
    """Assemble one unit's report from the protected tables (no statistics computed here).

    Parameters
    ----------
    shared : Shared
        From :func:`saz_geboortezorg.report.protect.protect`.
    analysis : Analysis
        For the settings the methods appendix describes (specs, period, linkage).
    unit : str
    bases : dict, optional
        :func:`base_specs` (built here when not given; pass it when building many reports).
    common : optional
        What the reports of one build share (texts and tables that do not depend on the
        unit), kept between calls with the same ``shared`` and ``analysis``;
        :func:`build_reports` passes one. Built here when not given.

    Returns
    -------
    RegionReport

    Examples
    --------
    >>> rep = region_report(shared, analysis, "R05")                    # doctest: +SKIP
    >>> rep.check(10)                                                     # doctest: +SKIP
    []
    """
    if common is None or not common.belongs_to(shared, analysis):
        common = _Common(shared, analysis)
    names = common.names
    bases = base_specs(shared) if bases is None else bases
    t = shared.threshold
    kind = analysis.unit_type
    start, end = analysis.period
    page = Page(f"Mirror meeting report (spiegelbijeenkomst): {kind} {unit}")
    rep = RegionReport(unit, page)
    page.paragraph(
        f"Births from {start:%B %Y} to {end:%B %Y}; every {kind} on every indicator, "
        f"this {kind} ({unit}) highlighted in vermillion. Counts from 1 to {t - 1} are hidden "
        "(·); see Methods."
    )
    page.raw(f'<p class="box">{methods.suppression_text(t)}</p>')

    # 1. position on every indicator
    bench = shared.benchmark
    page.heading(SECTIONS[0])
    page.paragraph(
        "The open benchmark: observed against expected (case-mix adjusted where a model "
        "exists, otherwise crude). A ratio above 1 means more events than expected for the "
        "women this unit served; whether that is better or worse depends on the indicator. "
        "The chart shows the indicators with a case-mix model; the table has all of them "
        "(· hidden to protect small numbers, – does not apply)."
    )
    page.paragraph(common.tiers)
    _add_chart(rep, "position", charts.highlight(bases["position"], unit, label=False))
    mine = bench[bench["unit"] == unit]
    cols = ["indicator", "name_en", "name_nl", "measure", "n", "observed", "expected", "value"]
    cols += ["target", "ratio", "assessment", "alert"]
    page.heading(f"{unit} on every indicator", level=3)
    _add_table(rep, "position", mine[cols], shared.hidden.get("benchmark"))
    wide = common.wide
    page.heading("The open benchmark table: every unit on every indicator", 3)
    if "benchmark" in bases:
        spec = charts.benchmark_for_unit(bases["benchmark"], unit)
        if spec is None:  # the heat table changed shape: draw it for this unit
            spec = shared.benchmark_result.chart(highlight=unit).to_dict(validate=False)
        _add_chart(rep, "benchmark", spec)
    page.paragraph(
        "The same values as a table (the indicator's unit: %, per 1,000 or EUR), with this "
        f"{kind}'s column highlighted:"
    )
    _add_table(rep, "benchmark", wide, highlight_column=unit)

    # 2. funnel plots
    page.heading(SECTIONS[1])
    if "note" in bench and ((bench["unit"] == unit) & (bench["note"] != "")).any():
        page.paragraph(
            f"{unit} has a NICU centre, which receives in-utero transfers of very preterm "
            "births from other hospitals. Outcomes of care during birth (caesarean, PPH, ...) "
            f"count these women here; population outcomes (preterm birth, perinatal mortality, "
            "NICU admission, ...) count them at the hospital where they booked, so the "
            "transfers do not make this unit look worse on those.",
            "note",
        )
    page.paragraph(
        "Each dot is a unit; the lines are the 95% and 99.8% control limits. A unit outside "
        "the 99.8% limits gets a verdict (it differs from the average by more than chance "
        "explains); outside only the 95% limits an alert (chance alone puts about one or "
        "two of a unit's 30-odd indicators outside them). Units with a hidden count are "
        "not drawn."
    )
    for ind in FUNNEL_INDICATORS:
        if f"funnel_{ind}" not in bases:
            continue
        if unit not in common.funnel_units[ind]:
            page.paragraph(f"{names.get(ind, ind)}: {unit} not drawn (count hidden).", "note")
        row = bench[(bench["indicator"] == ind) & (bench["unit"] == unit)]
        note = None
        if len(row) and isinstance(row["assessment"].iloc[0], str):
            note = _tier_note(row.iloc[0], shared.benchmark_result)
        spec = charts.highlight(bases[f"funnel_{ind}"], unit, note=note)
        _add_chart(rep, f"funnel_{ind}", spec)

    # 3. Robson
    page.heading(SECTIONS[2])
    page.paragraph(
        "Robson Ten Group Classification (WHO): group size, caesarean rate and each group's "
        "contribution to the overall caesarean rate; groups 1, 2 and 5 usually drive it. "
        f"Per {kind}: {ROBSON_POPULATIONS['all']}, counted where they gave birth (a "
        "first-line birth at its practice's hospital), so the rates are those of the whole "
        "population the hospital serves, not of its own labour ward alone. Women whose "
        "caesarean status is unknown are left out."
    )
    rob = shared.robson
    _add_table(rep, "robson", rob[rob["unit"] == unit], shared.hidden.get("robson"))
    _add_chart(rep, "robson", charts.highlight(bases["robson"], unit, label=False))

    # 4/5. pain relief, vulnerable women
    groups = shared.groups
    for section, ids, intro in (
        (
            SECTIONS[3],
            PAIN_INDICATORS,
            "Pain relief during labour (pijnbestrijding) by socio-economic status (SES "
            "quintile of the postcode area; 1 = lowest). Black tick: all units together.",
        ),
        (
            SECTIONS[4],
            VULNERABLE_INDICATORS,
            "Vulnerable pregnant women (kwetsbare zwangeren): outcomes by socio-economic "
            "status. Black tick: all units together.",
        ),
    ):
        page.heading(section)
        page.paragraph(intro)
        for ind in ids:
            _add_chart(
                rep,
                f"{_slug(section)}_{ind}",
                charts.highlight(bases[f"group_{ind}"], unit, label=False),
            )
        part = groups[groups["indicator"].isin(ids) & groups["unit"].isin([unit, "all"])]
        _add_table(rep, _slug(section), part.drop(columns=["theme"]), shared.hidden.get("groups"))
        eq = shared.equity
        part = eq[eq["indicator"].isin(ids) & eq["unit"].isin([unit, "all"])]
        ecols = ["indicator", "unit", "n_most", "rate_most", "n_least", "rate_least"]
        ecols += ["difference", "difference_lcl", "difference_ucl", "sii", "sii_lcl", "sii_ucl"]
        page.paragraph(
            "Gap between the most (quintile 1) and least deprived (quintile 5), and the "
            "slope index of inequality (SII: the difference across the whole SES range, from "
            "a weighted regression on the quintiles' ridits), in percentage points. Hidden "
            "when any quintile count of the unit is hidden (the indices would reveal it)."
        )
        _add_table(rep, f"{_slug(section)}_gap", part[ecols], shared.hidden.get("equity"))

    # 6. costs against outcomes
    page.heading(SECTIONS[5])
    view = shared.value
    page.paragraph(
        f"{view.outcome_label} against the case-mix adjusted cost per pregnancy; quadrant "
        f"lines at {view.cut_text}. A {kind} whose 95% interval of the outcome or of the "
        "cost crosses a line is 'uncertain' (drawn hollow): the data do not say on which "
        "side it lies, so it is placed in no quadrant."
    )
    if "value" in bases:
        _add_chart(rep, "value", charts.highlight(bases["value"], unit, label=False))
    vcols = [
        c
        for c in (
            "unit",
            "outcome_n",
            "outcome_events",
            "outcome_rate",
            "cost_n",
            "adjusted_cost",
            "quadrant",
        )
        if c in view.table.columns
    ]
    _add_table(
        rep,
        "value",
        view.table[vcols],
        shared.hidden.get("value"),
        highlight_rows=view.table["unit"] == unit,
    )

    # 7. trends and signals
    page.heading(SECTIONS[6])
    tr = shared.trends
    alarms = shared.trends  # false-alarm rates left out where a count is hidden
    family = common.family  # over the charts whose false-alarm rate is shown
    crude = "adjustment" not in alarms or (alarms["adjustment"] == "crude").all()
    page.paragraph(
        "Quarterly rates with 3-sigma limits (p-chart), "
        + (
            "crude: not case-mix adjusted, so a change in the women a unit serves moves them "
            "as much as a change in care. "
            if crude
            else "risk-adjusted (observed/expected). "
        )
        + "A signal (diamond) is a point outside the limits or a pattern the Western Electric "
        "rules 1-4 flag. Quarters with a hidden count are left out."
    )
    if family:
        here, k = family["per_unit"].get(str(unit), (None, 0))
        page.paragraph(
            "False alarms: with no change at all, each of these charts still signals with "
            f"a probability of about {family['median_chart']:.0%} (median over all charts; "
            "simulated with each chart's own numbers of women per quarter). Taken together, "
            + (
                f"the {kind}'s {k} charts with a rate shown give at least one false alarm "
                f"with a probability of {here:.0%}, and "
                if here is not None
                else ""
            )
            + f"the {family['charts']} such charts of all {kind}s together "
            f"{family['all']:.0%} (1 - product of (1 - a) over the charts, assuming "
            "independent charts; a chart of a unit with a hidden quarterly count has no rate, "
            "as it would use that count). A single signal is a reason to look, not a verdict."
        )
    else:
        page.paragraph(
            "False alarms: no chart's false-alarm rate is shown, because every chart has a "
            "quarter with a hidden count and the rate would use it. Even with no change at "
            "all, a p-chart signals now and then: a single signal is a reason to look, not a "
            "verdict."
        )
    for ind in TREND_INDICATORS:
        mine = tr[(tr["indicator"] == ind) & (tr["unit"] == unit) & tr["rate"].notna()]
        rules = sorted({r for rs in mine["rules"].fillna("") for r in str(rs).split(",") if r})
        chart_rows = alarms[(alarms["indicator"] == ind) & (alarms["unit"] == unit)]
        adjustment = (
            "crude rates, not case-mix adjusted"
            if "adjustment" not in chart_rows or (chart_rows["adjustment"] == "crude").all()
            else "risk-adjusted (observed/expected)"
        )
        alarm = ""
        if "false_alarm" in chart_rows and chart_rows["false_alarm"].notna().any():
            alarm = (
                f"; false-alarm rate of this chart in control "
                f"{chart_rows['false_alarm'].iloc[0]:.0%}"
            )
        spec = charts.for_unit(
            bases[f"trend_{ind}"],
            unit,
            title=f"{names[ind]}: {unit} per quarter (p-chart, {adjustment.split(',')[0]})",
            subtitle="band: 3-sigma limits (vary with n); dashed: centre line; diamonds: "
            f"signal (rules fired: {', '.join(rules) or 'none'}); {adjustment}{alarm}",
        )
        _add_chart(rep, f"trend_{ind}", spec)
    sig = tr[(tr["unit"] == unit) & tr["signal"].fillna(False).astype(bool) & tr["rate"].notna()]
    if len(sig):
        page.bullets(
            [
                f"{names[r.indicator]}: signal in the quarter starting {r.period:%B %Y} "
                f"(rule {r.rules})"
                for r in sig.itertuples()
            ]
        )
    else:
        page.paragraph("No signal in these indicators.")

    # 8. methods
    page.heading(SECTIONS[7])
    page.heading("Case-mix adjustment", 3)
    for block in common.casemix:
        page.raw(block)
    page.heading("Who an outcome is counted against (attribution)", 3)
    lines = list(common.attribution)
    if any("stands in" in note for note in analysis.notes):  # no count: free text is shared
        lines.append(
            "For some women whose care started in the second line the extract gives no "
            "booking hospital: their birth hospital stands in, so an in-utero transfer among "
            "them counts at the receiving hospital."
        )
    page.bullets(lines)
    if analysis.user_indicators:
        page.heading("User-defined indicators", 3)
        page.paragraph(
            "Defined by lead professionals in the user catalogue beside the data (not part "
            "of the toolkit's catalogue); benchmarked and protected as every other indicator."
        )
        page.bullets(methods.user_indicator_lines(analysis.user_indicators, analysis.catalogue))
    page.heading("Funnel plots", 3)
    page.bullets(common.funnel_lines)
    page.paragraph(
        "phi, tau², the target and the limits of each funnel plot are fitted on the units "
        "whose counts are shown, so that no published statistic depends on a hidden count; "
        "the verdicts and alerts of the tables and charts are judged on these funnels (with "
        "the exact test on each unit's own count, and any false discovery rate over the "
        "judged cells shown), so they can differ from a benchmark of all units. "
        "A trend chart of a unit with a hidden quarterly count has no centre line, limits, "
        "signals or false-alarm rate: they would use the hidden count."
        + (
            " Not fitted on the shown units (too few, or phi not estimable), so not shown: "
            + ", ".join(dropped)
            + "."
            if (dropped := sorted(set(analysis.benchmark.funnels) - set(shared.funnels)))
            else ""
        )
    )
    page.heading("Data period and exclusions", 3)
    page.paragraph(
        f"Births from {start:%B %Y} to {end:%B %Y}. Records excluded when the three "
        "sources were linked (counts protected as everything else):"
    )
    _add_table(rep, "exclusions", shared.exclusions, shared.hidden.get("exclusions"))
    page.heading("What was hidden and why", 3)
    page.bullets(common.summary)
    log, log_units = common.log
    if len(log):
        here = log[log_units == unit]
        counts = here[here["kind"] != "derived"]
        page.paragraph(
            f"Hidden numbers in rows of {unit}, with the reason in plain words (and "
            f"{int((here['kind'] == 'derived').sum())} rates, percentages or intervals "
            "computed from them, hidden too):"
        )
        page.raw(table_html(counts.drop(columns=["kind"]).head(400)))
    return rep


@with_small_pages
@with_progress("report")
def build_reports(
    data: Any,
    units: list[str] | None,
    out: str | Path,
    *,
    threshold: int = 10,
    exports: bool = False,
    unit: str = "region",
    progress: bool | None = None,
    catalogue: Any = None,
) -> dict:
    """Build one report per unit (``units=None``: all) into ``out``; return a JSON-able summary.

    Parameters
    ----------
    data : Dataset
    units : list of str or None
    out : path
        Folder; ``<unit>.html`` and (exports) ``<unit>/`` with the charts and tables.
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden.
    exports : bool
        Also write every chart as PNG and SVG, every table as CSV and Excel.
    unit : str
        Unit type (``region``).
    progress : bool or None
        Show a progress bar (analysis, protection, one step per report). None
        (default): in a terminal or notebook only (:mod:`saz_geboortezorg.progress`).
    catalogue : str or Path, optional
        A user catalogue file (``mijn_indicatoren.yaml``): its indicators join the open
        benchmark of every report (position and heat tables), with the same
        small-number protection, and the methods appendix gives their definitions.

    Returns
    -------
    dict
        ``threshold``, ``seconds`` (analyse, protect, render), ``suppressed`` (per table, in
        words) and per unit the files written.

    Raises
    ------
    SpecError
        An unknown unit; DisclosureError if the verifier finds anything (nothing written).

    Examples
    --------
    >>> build_reports(data, ["R05"], "reports/")                          # doctest: +SKIP
    """
    from saz_geboortezorg.errors import SpecError
    from saz_geboortezorg.report.analysis import UNIT_COLUMNS, analyse
    from saz_geboortezorg.report.html import javascript_bundle
    from saz_geboortezorg.report.protect import protect

    t0 = time.perf_counter()
    if unit in UNIT_COLUMNS and units is not None:  # fail fast, before any fitting
        known = sorted(str(u) for u in data.women[UNIT_COLUMNS[unit]].dropna().unique())
        unknown = [u for u in units if u not in known]
        if unknown:
            raise SpecError(f"unknown {unit}(s) {', '.join(unknown)}; known: {', '.join(known)}")
    progress_step("report", "analysing", total=None if units is None else len(units) + 2)
    analysis = analyse(data, unit=unit, catalogue=catalogue)
    units = list(analysis.units if units is None else units)
    progress_step("report", "protecting small numbers", total=len(units) + 2)
    t1 = time.perf_counter()
    shared = shown_only(protect(analysis, threshold=threshold))
    t2 = time.perf_counter()
    out = Path(out)
    for u in units:  # defensive: ids were checked on load, but units may come from elsewhere
        output_name(u, out)
    js = javascript_bundle()
    bases = base_specs(shared)
    common = _Common(shared, analysis)
    reports = []
    seen: dict = {}
    with _staging(out) as stage:
        for u in units:
            progress_step("report", f"{unit} {u}")
            rep = region_report(shared, analysis, u, bases, common)
            assert_safe(rep.check(threshold, seen), f"report {u}")
            output_name(u, stage).write_text(rep.page.render(js), encoding="utf-8")
            path = output_name(u, out)
            entry = {
                "unit": u,
                "html": str(path),
                "charts": len(rep.charts),
                "tables": len(rep.tables),
            }
            if exports:
                from saz_geboortezorg.report.export import export_report

                entry["exports"] = export_report(rep, stage / u, threshold=threshold)
            reports.append(entry)
        _publish(stage, out)
    t3 = time.perf_counter()
    return {
        "unit_type": unit,
        "threshold": threshold,
        "seconds": {
            "analyse": round(t1 - t0, 2),
            "protect": round(t2 - t1, 2),
            "render": round(t3 - t2, 2),
            "total": round(t3 - t0, 2),
        },
        "suppressed": common.summary,
        "reports": reports,
    }


def output_name(unit_id: str, folder: str | Path) -> Path:
    """``folder/<unit_id>.html``, refusing any id that is not a safe file name.

    The id must match the ``safe_id`` pattern of ``extracts.yaml`` and the resolved
    path must lie directly inside ``folder`` (a second line of defence behind the
    check on load).

    Examples
    --------
    >>> output_name("R05", "reports").as_posix()
    'reports/R05.html'
    >>> output_name("../R05", "reports")
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SpecError: unit id '../R05' is not a safe file name; expected an id of 1 to 40 letters, digits, '_' or '-' (no spaces, slashes, dots or markup)
    """
    from saz_geboortezorg import schema
    from saz_geboortezorg.errors import SpecError

    pat = schema.patterns()["safe_id"]
    text = str(unit_id)
    if not re.fullmatch(pat["regex"], text):
        raise SpecError(f"unit id {text!r} is not a safe file name; expected an id of {pat['en']}")
    folder = Path(folder)
    path = folder / f"{text}.html"
    if path.resolve().parent != folder.resolve():
        raise SpecError(f"unit id {text!r} would write outside {folder}")
    return path


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` (same file system), removed on exit."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=parent))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, out: Path) -> None:
    """Move everything built in ``stage`` into ``out`` (replacing files of the same name)."""
    out.mkdir(parents=True, exist_ok=True)
    for item in sorted(stage.iterdir()):
        target = out / item.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(item, target)
