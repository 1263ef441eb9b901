"""From the explorer's state to what it shows: plain functions, no widgets.

:class:`ExplorerState` holds every control's value; :func:`explorer_view` turns a state
into a :class:`View`: the unit table, the funnel analysis, caterpillar and trend data,
a display table, and the four charts (drawn by :mod:`saz_geboortezorg.present`). The
widgets (:mod:`saz_geboortezorg.explore.widgets`) only call it.

Speed: the indicator's case-mix model is fitted once per dataset and indicator and
kept in the :class:`~saz_geboortezorg.compare.benchmark.BenchmarkCache`; a change of
level, period, adjustment, limits, overdispersion, 'my unit', language or theme filter
is a group-by sum and a redraw (see ``benchmarks/bench_explorer.py``). Only the charts
whose controls changed are redrawn (:data:`INDEPENDENT`), and numbers that do not depend
on the changed controls are taken over from the previous view (:data:`NUMBERS_INDEPENDENT`,
:data:`TREND_INDEPENDENT`: a change of language or 'my unit' recomputes nothing); the
chart functions build
quickly (typed altair channels, small data) and the explorer's
:class:`~saz_geboortezorg.present.chart_pane.ChartPane` sends their specs without
validating them again (the chart tests validate each chart type).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.explore.labels import check_language, indicator_label, label, method_label

__all__ = [
    "ExplorerState",
    "View",
    "explorer_view",
    "display_table",
    "draw_charts",
    "judge_units",
    "CHARTS",
    "INDEPENDENT",
    "NUMBERS_INDEPENDENT",
    "TREND_INDEPENDENT",
]

#: The charts of a view, in the order the explorer shows them.
CHARTS = ("funnel", "caterpillar", "trend")

#: Controls a chart does NOT depend on: a change of only these reuses the chart of the
#: previous view (the funnel depends on everything; the caterpillar plot and the trend
#: not on the funnel limits).
INDEPENDENT = {
    "funnel": frozenset(),
    "caterpillar": frozenset({"limits", "overdispersion"}),
    "trend": frozenset({"limits", "overdispersion"}),
}

#: Controls the unit table and the funnel analysis do not depend on: a change of only
#: these takes them over from the previous view (same data).
NUMBERS_INDEPENDENT = frozenset({"language", "my_unit"})

#: Controls the trend table does not depend on (it depends on 'my unit': the highlighted
#: unit's own series).
TREND_INDEPENDENT = frozenset({"language", "limits", "overdispersion"})

#: Trend periods: per quarter over all years, per month within one year.
TREND_FREQ = {True: "quarter", False: "month"}

_SYMBOL = {"percent": "%", "per_1000": "per 1,000", "euro": "EUR"}


@dataclass(frozen=True)
class ExplorerState:
    """The value of every control.

    Attributes
    ----------
    indicator : str
        Indicator id.
    level : str
        ``hospital``, ``region`` or ``practice``.
    period : str
        ``"all"`` or a year (``"2022"``).
    adjusted : bool
        Case-mix adjusted (where the indicator has a model) or crude.
    overdispersion : bool
        Funnel limits widened for overdispersion.
    limits : tuple of float
        Funnel limits in percent.
    my_unit : str or None
        The unit to highlight.
    language : str
        ``"en"`` or ``"nl"``.
    filters : tuple
        Theme filters as ``((column, (value, ...)), ...)``; see :meth:`with_filter`.
        A user theme's key is ``theme:<id>``.
    catalogue : str or None
        A user catalogue file (``<data folder>/mijn_indicatoren.yaml``): its indicators
        and themes can be chosen too.

    Examples
    --------
    >>> s = ExplorerState().with_filter("ses_quintile", ["1", "2"])
    >>> s.where()
    {'ses_quintile': ['1', '2']}
    >>> s.with_filter("ses_quintile", []).where() is None
    True
    >>> s.replace(level="hospital").level
    'hospital'
    """

    indicator: str = "cs"
    level: str = "region"
    period: str = "all"
    adjusted: bool = True
    overdispersion: bool = True
    limits: tuple[float, ...] = (95.0, 99.8)
    my_unit: str | None = None
    language: str = "en"
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    catalogue: str | None = None

    def replace(self, **changes: Any) -> ExplorerState:
        """A copy with some controls changed."""
        return dataclasses.replace(self, **changes)

    def with_filter(self, column: str, values: Any) -> ExplorerState:
        """A copy with the theme filter on ``column`` set (empty: no filter)."""
        rest = tuple((c, v) for c, v in self.filters if c != column)
        values = tuple(str(v) for v in (values or ()))
        return self.replace(filters=rest + ((column, values),) if values else rest)

    def where(self) -> dict[str, list[str]] | None:
        """The theme filters as :func:`~saz_geboortezorg.compare.benchmark.unit_table`
        takes them (None: everybody)."""
        return {c: list(v) for c, v in self.filters} or None


@dataclass
class View:
    """Everything the explorer shows for one state.

    Attributes
    ----------
    state : ExplorerState
    table : DataFrame
        :func:`~saz_geboortezorg.compare.benchmark.unit_table` with ``flag`` (the
        narrowest limits'), ``expected_events`` (what the volume rule reads),
        ``assessment`` (the verdict, at the widest limits; ``too_few`` below
        :data:`~saz_geboortezorg.compare.benchmark.MIN_EXPECTED` expected events) and
        ``alert`` (outside only the narrowest limits) added, the two tiers of
        :func:`~saz_geboortezorg.compare.benchmark.tiers`.
    funnel : FunnelResult or None
        None when no funnel can be computed (the reason is in ``notes``).
    caterpillar : DataFrame
        ``unit``, ``estimate``, ``lower``, ``upper`` in the indicator's unit.
    trend : TrendTable
        :func:`~saz_geboortezorg.monitor.trends.trend_table` over the selected
        period (same filters): per quarter for all years, per month for one year (a
        result: its ``.table`` has the rows, its fields the method).
    method : str
        How the values were computed, in words (in the state's language).
    notes : list of str
    charts : dict
        ``funnel``, ``caterpillar``, ``trend``: altair charts.
    data_id : int
        Identity of the data the view was computed from.
    unit_notes : dict
        Unit -> note for units a clinician would ask about (NICU centres), shown in
        the funnel tooltip.
    reused : tuple of str
        Charts taken over from the previous view (their controls did not change).
    rates : RateTable or None
        The :func:`~saz_geboortezorg.compare.benchmark.unit_table` result ``table``
        was made from: its fields say how (``multiplier``, ``adjusted``, ``family``,
        ``target``, ``method``, ``attribution``).
    no_funnel : str
        Why there is no funnel analysis (empty when there is one).
    """

    state: ExplorerState
    table: pd.DataFrame
    funnel: Any
    caterpillar: pd.DataFrame
    trend: Any
    method: str
    notes: list[str]
    charts: dict[str, Any]
    data_id: int = 0
    reused: tuple[str, ...] = ()
    unit_notes: dict[str, str] = dataclasses.field(default_factory=dict)
    rates: Any = None
    no_funnel: str = ""

    def display(self) -> pd.DataFrame:
        """The unit table for people: translated headers, rounded (see
        :func:`display_table`)."""
        return display_table(self)


def _unchanged(old: ExplorerState, new: ExplorerState, chart: str) -> bool:
    return _same_except(old, new, INDEPENDENT[chart])


def _same_except(old: ExplorerState, new: ExplorerState, skip: frozenset) -> bool:
    """Whether every control outside ``skip`` has the same value in both states."""
    return all(
        getattr(old, f.name) == getattr(new, f.name)
        for f in dataclasses.fields(ExplorerState)
        if f.name not in skip
    )


def explorer_view(
    data: Any,
    state: ExplorerState,
    cache: Any = None,
    previous: View | None = None,
    *,
    draw: bool = True,
) -> View:
    """Compute and draw everything for one state of the controls.

    Parameters
    ----------
    data : Dataset or DataFrame
    state : ExplorerState
    cache : BenchmarkCache, optional
        Keep it between calls: the model is then fitted once per indicator.
    previous : View, optional
        The view shown before this change: charts whose controls did not change are
        taken over instead of redrawn (see :data:`INDEPENDENT`).
    draw : bool
        Build the charts (False: numbers only, ``charts`` is empty).

    Returns
    -------
    View

    Raises
    ------
    SpecError
        Unknown indicator, level, filter column or language; an empty selection.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> w = pd.DataFrame({"region_id": rng.choice([f"R{i}" for i in range(8)], 2000),
    ...                   "ga_days": 280, "birth_date": pd.Timestamp("2022-05-01"),
    ...                   "onset": rng.choice(["spontaneous", "induced"], 2000)})
    >>> v = explorer_view(w, ExplorerState(indicator="induction", my_unit="R3"))
    >>> v.funnel.data_type, len(v.table), sorted(v.charts)
    ('PR', 8, ['caterpillar', 'funnel', 'trend'])
    """
    from saz_geboortezorg.compare.benchmark import BenchmarkCache
    from saz_geboortezorg.explore.controls import THEME_PREFIX, period_bounds, user_theme
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.monitor.trends import trend_table

    language = check_language(state.language)
    period = period_bounds(state.period)
    cache = cache if cache is not None else BenchmarkCache()
    ind = get(state.indicator, state.catalogue)
    where = state.where()
    if where is not None:  # user themes (theme:<id>) filter by their expression
        where = {
            user_theme(k, state.catalogue) if k.startswith(THEME_PREFIX) else k: v
            for k, v in where.items()
        }
    same = previous is not None and previous.data_id == id(data)
    if (
        same
        and previous.rates is not None
        and _same_except(previous.state, state, NUMBERS_INDEPENDENT)
    ):  # only the language or 'my unit' changed: the same numbers
        rates, fr, no_funnel = previous.rates, previous.funnel, previous.no_funnel
        table = previous.table.copy()
    else:
        rates, fr, table, no_funnel = _numbers(data, state, ind, where, period, cache)
    notes: list[str] = []
    highlight = state.my_unit
    if highlight is not None and highlight not in set(rates.table["unit"]):
        notes.append(label("no_records", language, unit=highlight))
        highlight = None
    if no_funnel:
        notes.append(label("no_funnel", language, reason=no_funnel))
    caterpillar = pd.DataFrame(
        {
            "unit": table["unit"],
            "estimate": table["value"],
            "lower": table["lower"],
            "upper": table["upper"],
        }
    )
    reuse = [c for c in CHARTS if same and _unchanged(previous.state, state, c)]
    if same and _same_except(previous.state, state, TREND_INDEPENDENT):
        trend = previous.trend
    else:
        trend = trend_table(
            data,
            ind,
            unit=state.level,
            highlight=highlight,
            freq=TREND_FREQ[period is None],
            adjusted=state.adjusted,
            where=where,
            period=period,
            cache=cache,
        )
    from saz_geboortezorg.compare.attribution import unit_notes

    view = View(
        state=state,
        table=table,
        funnel=fr,
        caterpillar=caterpillar,
        trend=trend,
        method=method_label(rates.method, language),
        notes=notes,
        charts={},
        data_id=id(data),
        unit_notes=unit_notes(data, state.level, rates.attribution, language),
        rates=rates,
        no_funnel=no_funnel,
    )
    if draw:
        from altair.utils.schemapi import debug_mode

        kept = {c: previous.charts[c] for c in reuse if c in previous.charts}
        # the chart functions' output is validated by their tests: altair's validation of
        # every part as it is made (its debug mode) is skipped here, as ChartPane skips it
        # when sending the spec
        with debug_mode(False):
            view.charts = _charts(view, ind, highlight, language, kept, no_funnel)
        view.reused = tuple(c for c in CHARTS if c in kept)
    return view


def _numbers(
    data: Any, state: ExplorerState, ind: Any, where: Any, period: Any, cache: Any
) -> tuple[Any, Any, pd.DataFrame, str]:
    """The unit table, the funnel analysis (None, and why not) and the table with the
    flags and tiers of a state: everything but the language and 'my unit'."""
    from saz_geboortezorg.compare.benchmark import expected_events, funnel_for, unit_table

    rates = unit_table(
        data,
        ind,
        unit=state.level,
        adjusted=state.adjusted,
        where=where,
        period=period,
        cache=cache,
    )
    fr, no_funnel = None, ""
    try:
        fr = funnel_for(
            rates,
            limits=state.limits,
            overdispersion=state.overdispersion,
            multiplier=rates.multiplier,
        )
    except SazError as exc:
        no_funnel = str(exc)
    table = rates.table.copy()
    table["expected_events"] = expected_events(rates)
    labels = judge_units(fr, table["unit"], table["expected_events"], state.limits, ind.better)
    for col, values in labels.items():
        table[col] = values
    return rates, fr, table, no_funnel


def judge_units(funnel, units, expected_events, limits, better: str) -> dict:
    """The explorer's labels of units on a funnel: the funnel flag at the narrowest
    limits, and the tiers (a verdict at the widest limits, an alert at the narrowest),
    each needing the exact test to agree and at least ``MIN_EXPECTED`` expected events.
    Without a funnel every unit is ``not_assessed``.

    Returns ``{"flag", "assessment", "alert"}``, arrays in the order of ``units``.

    Examples
    --------
    >>> judge_units(None, ["R1", "R2"], [3.0, 8.0], (0.95, 0.998), "lower")["assessment"]
    array(['not_assessed', 'not_assessed'], dtype='<U12')
    """
    import numpy as np

    from saz_geboortezorg.compare.benchmark import MIN_EXPECTED, confirmed_flags, tiers
    from saz_geboortezorg.compare.funnel.limits import level_tag

    units = list(units)
    if funnel is None or not units:
        return {
            "flag": np.full(len(units), ""),
            "assessment": np.full(len(units), "not_assessed"),
            "alert": np.full(len(units), ""),
        }
    levels = sorted(limits)
    flags = funnel.table.set_index("group").reindex(units)
    assessment, alert = tiers(
        confirmed_flags(funnel, units, levels[-1]),
        confirmed_flags(funnel, units, levels[0]) if len(levels) > 1 else None,
        better,
        np.asarray(expected_events, dtype=float) >= MIN_EXPECTED,
    )
    return {
        "flag": flags[f"flag{level_tag(levels[0])}"].to_numpy(),
        "assessment": assessment,
        "alert": alert,
    }


def _attribution_caption(attribution: str, language: str) -> str:
    """An attribution rule (``booking``, ``birth``) in words (a chart subtitle line)."""
    from saz_geboortezorg.indicators.compute import ATTRIBUTION_TEXT, ATTRIBUTION_TEXT_NL

    words = ATTRIBUTION_TEXT_NL if language == "nl" else ATTRIBUTION_TEXT
    text = words.get(attribution or "", "")
    return text[:1].upper() + text[1:]


def _charts(
    view: View,
    ind: Any,
    highlight: str | None,
    language: str,
    reuse: dict[str, Any],
    no_funnel: str = "",
) -> dict[str, Any]:
    """The charts of a view, drawn by saz_geboortezorg.present (``reuse``: kept ones;
    ``no_funnel``: why there is no funnel plot)."""
    from saz_geboortezorg.present.benchmark_chart import message_chart, trend_chart
    from saz_geboortezorg.present.caterpillar import caterpillar_chart

    state, rates = view.state, view.rates
    name = indicator_label(ind, language)
    level = label(f"{state.level}_short", language)
    adjusted = bool(rates.adjusted)
    symbol = _SYMBOL.get(ind.unit, ind.unit)
    rate_title = f"{label('standardised_rate' if adjusted else 'crude_rate', language)} ({symbol})"
    charts: dict[str, Any] = dict(reuse)
    if "funnel" not in charts and view.funnel is None:
        charts["funnel"] = message_chart(label("not_available", language, reason=no_funnel))
    elif "funnel" not in charts:
        sr = view.funnel.data_type == "SR"
        how = label("how_adjusted" if adjusted else "how_crude", language)
        charts["funnel"] = view.funnel.chart(
            highlight=highlight,
            title=label("funnel_title", language, indicator=name, level=level, how=how),
            x_title=label("expected_events" if sr else "cases", language),
            y_title=(
                label("observed_expected", language)
                if sr
                else f"{label('proportion', language)} ({symbol})"
            ),
            language=language,
            notes=view.unit_notes,
            caption=_attribution_caption(rates.attribution, language),
        )
    if "caterpillar" not in charts:
        charts["caterpillar"] = caterpillar_chart(
            view.caterpillar,
            reference=rates.target,
            highlight=highlight,
            log_scale=False,
            title=label("caterpillar_title", language, indicator=name, level=level),
            x_title=rate_title,
            interval_label=label("interval", language),
            language=language,
        )
    if "trend" not in charts:
        charts["trend"] = trend_chart(
            view.trend.table,
            multiplier=1.0,  # trend tables are on the indicator's own scale
            title=label(
                "trend_title",
                language,
                indicator=name,
                freq=label(TREND_FREQ[state.period == "all"], language),
                period=label("all_years", language) if state.period == "all" else state.period,
            ),
            y_title=rate_title,
            series_labels={
                "all": label("all_units", language, units=label(f"{state.level}_plural", language))
            },
            interval_label=label("interval", language),
            language=language,
        )
    return {c: charts[c] for c in CHARTS}


def display_table(view: View) -> pd.DataFrame:
    """The unit table with translated headers and values rounded for reading.

    Rates are in the indicator's unit (%, per 1,000, euro); observed and expected are
    counts (euro totals for cost).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> w = pd.DataFrame({"region_id": rng.choice(list("ABCDEF"), 600), "ga_days": 280,
    ...                   "birth_date": pd.Timestamp("2022-05-01"),
    ...                   "onset": rng.choice(["spontaneous", "induced"], 600)})
    >>> t = display_table(explorer_view(w, ExplorerState(indicator="induction", language="nl")))
    >>> list(t.columns)
    ['eenheid', 'n', 'waargenomen', 'waarde', 'onder 95%', 'boven 95%', 'trechter', 'beoordeling', 'signaal']
    """
    language = view.state.language
    t = view.table
    decimals = 0 if view.rates.family == "gamma" else 2
    flag_words = {
        "higher": label("higher", language),
        "lower": label("lower_flag", language),
        "within": label("within", language),
        "": "",
    }
    out = pd.DataFrame(
        {
            label("unit", language): t["unit"],
            label("n", language): t["n"],
            label("observed", language): t["observed"].round(0),
        }
    )
    if view.rates.adjusted:
        out[label("expected", language)] = t["expected"].round(1)
    out[label("value", language)] = t["value"].round(decimals)
    out[label("lower", language)] = t["lower"].round(decimals)
    out[label("upper", language)] = t["upper"].round(decimals)
    out[label("flag", language)] = [flag_words.get(f, f) for f in t["flag"].fillna("")]
    out[label("assessment", language)] = [label(a, language) for a in t["assessment"]]
    out[label("alert", language)] = [label(a, language) if a else "" for a in t["alert"]]
    return out


def draw_charts(
    view: View, reuse: dict[str, Any] | None = None, no_funnel: str = ""
) -> dict[str, Any]:
    """The charts of a view (funnel, caterpillar, trend), drawn from its fields as
    :func:`explorer_view` draws them; ``reuse`` gives charts to keep as they are and
    ``no_funnel`` why there is no funnel (when ``view.funnel`` is None).

    Used to draw a view whose table, funnel and caterpillar were changed afterwards,
    such as the protected copy "Save this view" exports
    (:mod:`saz_geboortezorg.explore.save`). 'My unit' is highlighted only when it is
    among the units the caterpillar plot shows.
    """
    from saz_geboortezorg.indicators import get

    state = view.state
    units = set(view.caterpillar["unit"].astype(str))
    highlight = state.my_unit if state.my_unit in units else None
    ind = get(state.indicator, state.catalogue)
    return _charts(view, ind, highlight, state.language, dict(reuse or {}), no_funnel)
