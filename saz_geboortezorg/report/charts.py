"""The charts of one unit's report, drawn from the protected tables only.

Each function takes a protected table (:class:`~saz_geboortezorg.report.protect.Shared`)
and the unit to highlight and returns an altair chart; hidden values are simply absent. The
funnel plots and the value chart are the library's own (``present``); the position strips
below are the report's one extra chart type: every unit as a grey dot, the highlighted unit
as a vermillion diamond, the all-units value as a black tick.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"category": ["a", "a", "b"], "unit": ["X", "Y", "X"], "value": [1, 2, 3]})
>>> c = strip_chart(t, "category", "value", title="demo", x_title="value")
>>> sorted(c.to_dict()["datasets"])[:1] != []
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, configure

__all__ = [
    "highlight",
    "strip_chart",
    "position_chart",
    "robson_chart",
    "group_chart",
    "trend_chart",
]


def highlight(
    spec: dict, unit: str, field: str = "unit", label: bool = True, note: str | None = None
) -> dict:
    """A copy of a layered spec with one unit drawn on top as a vermillion diamond (and label).

    The first point layer is repeated with a filter on ``field`` (so the spec's data is
    reused, nothing recomputed): the chart of all units is built once and each report only
    adds its own unit.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["1", "1"], "unit": ["A", "B"], "v": [10.0, 12.0]})
    >>> base = strip_chart(t, "g", "v", title="t", x_title="%").to_dict()
    >>> spec = highlight(base, "B")
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['point', 'point', 'text']
    >>> spec["layer"][1]["transform"]
    [{'filter': {'field': 'unit', 'equal': 'B'}}]
    """
    import copy

    out = dict(spec)
    layers = list(spec["layer"])
    base = next(
        layer
        for layer in layers
        if (
            layer.get("mark", {}).get("type")
            if isinstance(layer.get("mark"), dict)
            else layer.get("mark")
        )
        == "point"
    )
    mark = copy.deepcopy(base)
    mark["mark"] = {
        "type": "point",
        "shape": "diamond",
        "filled": True,
        "color": HIGHLIGHT,
        "size": 260,
        "opacity": 1,
        "stroke": "black",
        "strokeWidth": 1,
    }
    mark["transform"] = [*mark.get("transform", []), {"filter": {"field": field, "equal": unit}}]
    enc = {k: v for k, v in mark.get("encoding", {}).items() if k in ("x", "y", "tooltip")}
    mark["encoding"] = enc
    layers.append(mark)
    if label:
        text = copy.deepcopy(mark)
        text["mark"] = {
            "type": "text",
            "align": "left",
            "dx": 12,
            "dy": -12,
            "fontSize": 15,
            "fontWeight": "bold",
            "color": HIGHLIGHT,
        }
        text["encoding"] = {**enc, "text": {"field": field, "type": "nominal"}}
        text["encoding"].pop("tooltip", None)
        layers.append(text)
    out["layer"] = layers
    title = out.get("title")
    if isinstance(title, dict):
        sub = f"{unit}: vermillion diamond" + (f"; {note}" if note else "")
        out["title"] = {**title, "subtitle": sub}
    return out


def strip_chart(
    table: pd.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    x_title: str,
    overall: pd.DataFrame | None = None,
    log: bool = False,
    sort: list[str] | None = None,
) -> Any:
    """Every unit as a grey dot per category (highlight one with :func:`highlight`).

    Parameters
    ----------
    table : DataFrame
        Columns ``category``, ``unit`` and ``value`` (hidden values NaN: not drawn).
    category, value : str
        Column names.
    title, x_title : str
    overall : DataFrame, optional
        ``category`` and ``value`` of all units together (black tick).
    log : bool
        Logarithmic x axis (ratios).
    sort : list of str, optional
        Order of the categories.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["1", "1"], "unit": ["A", "B"], "v": [10.0, 12.0]})
    >>> strip_chart(t, "g", "v", title="t", x_title="%").to_dict()["layer"][0]["mark"]["type"]
    'point'
    """
    import altair as alt

    t = table[[category, "unit", value]].dropna(subset=[value]).copy()
    t[category] = t[category].astype(str)
    t["unit"] = t["unit"].astype(str)
    if log:  # a ratio of 0 has no place on a log scale
        t = t[t[value] > 0]
    order = sort or list(dict.fromkeys(table[category].astype(str)))
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    x = alt.X(f"{value}:Q", title=x_title, scale=scale)
    others = (
        alt.Chart(t)
        .mark_point(color="#999999", opacity=0.7, size=60)
        .encode(x=x, y=y, tooltip=["unit:N", alt.Tooltip(f"{value}:Q", format=".2f")])
    )
    layers = [others]
    if overall is not None and len(overall):
        o = overall[[category, value]].dropna().copy()
        o[category] = o[category].astype(str)
        layers.append(
            alt.Chart(o)
            .mark_tick(color=NEUTRAL, thickness=3, size=22)
            .encode(x=x, y=y, tooltip=[alt.Tooltip(f"{value}:Q", format=".2f")])
        )
    chart = alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle="units: grey dots (add one with highlight())"),
        width=560,
        height=alt.Step(26),
    )
    return configure(chart)


def position_chart(benchmark: pd.DataFrame) -> Any:
    """Observed / expected of every unit on every indicator (log scale), the unit highlighted.

    Examples
    --------
    >>> t = pd.DataFrame({"name_en": ["CS", "CS"], "unit": ["A", "B"], "ratio": [0.9, 1.2]})
    >>> position_chart(t).to_dict()["title"]["text"]
    'Position on every indicator: observed / expected (1 = as expected)'
    """
    return strip_chart(
        benchmark,
        "name_en",
        "ratio",
        title="Position on every indicator: observed / expected (1 = as expected)",
        x_title="observed / expected (log scale)",
        log=True,
    )


def robson_chart(robson: pd.DataFrame) -> Any:
    """Caesarean rate per Robson group: every unit, the unit highlighted.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["1", "1"], "unit": ["A", "B"], "cs_rate_pct": [9.0, 12.0]})
    >>> robson_chart(t).to_dict()["title"]["text"]
    'Caesarean rate per Robson group (%)'
    """
    return strip_chart(
        robson,
        "group",
        "cs_rate_pct",
        title="Caesarean rate per Robson group (%)",
        x_title="caesarean sections (%)",
    )


def group_chart(groups: pd.DataFrame, indicator: str, name: str, x_title: str = "rate") -> Any:
    """One indicator by SES quintile (1 = lowest): every unit, the unit, all units.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["x"] * 3, "unit": ["A", "B", "all"],
    ...                   "group": ["1", "1", "1"], "rate": [10.0, 12.0, 11.0]})
    >>> len(group_chart(t, "x", "X").to_dict()["layer"])
    2
    """
    t = groups[groups["indicator"] == indicator].copy()
    t["quintile"] = "SES quintile " + t["group"].astype(str)
    return strip_chart(
        t[t["unit"] != "all"],
        "quintile",
        "rate",
        title=f"{name} by socio-economic status (quintile 1 = lowest)",
        x_title=x_title,
        overall=t[t["unit"] == "all"],
        sort=[f"SES quintile {q}" for q in sorted(t["group"].astype(str).unique())],
    )


def trend_chart(trends: pd.DataFrame, indicator: str, name: str) -> Any:
    """Quarterly p-charts of one indicator for every unit in one spec (hidden quarters left out).

    Each report shows its own unit with :func:`for_unit`; the limits, centre line and
    signals are those :func:`saz_geboortezorg.monitor.spc.p_chart` computed per unit. The
    subtitle says whether the rates are crude or risk-adjusted (column ``adjustment``).

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": "x", "unit": ["A", "A", "B"], "period": pd.to_datetime(
    ...     ["2021-01-01", "2021-04-01", "2021-01-01"]), "n": [100.0, 120.0, 90.0],
    ...     "events": [12.0, 15.0, 11.0], "rate": [0.12, 0.125, 0.12], "centre": 0.12,
    ...     "lcl": 0.03, "ucl": 0.21, "signal": False, "rules": ""})
    >>> spec = for_unit(trend_chart(t, "x", "X").to_dict(), "A")
    >>> spec["layer"][0]["transform"][-1]
    {'filter': {'field': 'unit', 'equal': 'A'}}
    """
    from saz_geboortezorg.present.monitor_charts import p_chart_plot

    t = trends[trends["indicator"] == indicator]
    # a quarter with a hidden count is left out entirely: its limits would reveal n
    t = t.dropna(subset=["n", "events", "rate"]).sort_values(["unit", "period"])
    t = t.reset_index(drop=True)
    cols = ["unit", "n", "events", "rate", "centre", "lcl", "ucl", "rules", "signal"]
    frame = t[cols].assign(signal=t["signal"].astype(bool), rules=t["rules"].fillna(""))
    adjusted = None
    if "adjustment" in t and len(t):
        adjusted = bool((t["adjustment"] != "crude").all())
    return p_chart_plot(
        t["period"], frame, title=f"{name} per quarter (p-chart)", adjusted=adjusted
    )


def for_unit(
    spec: dict,
    unit: str,
    field: str = "unit",
    title: str | None = None,
    subtitle: str | None = None,
) -> dict:
    """A copy of a layered spec showing only one unit's rows (a filter on every layer).

    Examples
    --------
    >>> spec = {"layer": [{"mark": "line"}], "title": {"text": "T"}}
    >>> for_unit(spec, "R01", title="T: R01")["title"]["text"]
    'T: R01'
    """
    out = dict(spec)
    out["layer"] = [
        {
            **layer,
            "transform": [*layer.get("transform", []), {"filter": {"field": field, "equal": unit}}],
        }
        for layer in spec["layer"]
    ]
    if title is not None or subtitle is not None:
        old = (
            spec.get("title")
            if isinstance(spec.get("title"), dict)
            else {"text": spec.get("title")}
        )
        new = dict(old)
        if title is not None:
            new["text"] = title
        if subtitle is not None:
            new["subtitle"] = subtitle
        out["title"] = new
    return out


def vega_quote(text: object) -> str:
    """``text`` as a single-quoted string literal of a Vega expression.

    Backslashes are doubled before quotes are escaped, so a value ending in a backslash
    cannot swallow the closing quote; line breaks are written as escapes.

    Examples
    --------
    >>> print(vega_quote("R05"), vega_quote("R04\\\\"), vega_quote("O'Brien"))
    'R05' 'R04\\\\' 'O\\'Brien'
    """
    escaped = (
        str(text)
        .replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return f"'{escaped}'"


def benchmark_for_unit(spec: dict, unit: str) -> dict | None:
    """The open-benchmark heat table (built once, for any unit) framing another unit.

    :meth:`BenchmarkResult.chart` marks its unit with a frame layer filtered on
    ``datum.is_highlight`` and a bold column label; both are pointed at ``unit`` here, so
    the chart of 24 indicators x 17 units is drawn once, not once per report. Returns None
    when the spec does not have that structure (the caller then draws the chart itself).

    Examples
    --------
    >>> spec = {"spec": {"layer": [{"mark": "rect", "transform": [{"filter": "datum.is_highlight"}]}],
    ...         "encoding": {"x": {"axis": {"labelFontWeight": {"expr": "x"}}}}}}
    >>> out = benchmark_for_unit(spec, "R05")
    >>> out["spec"]["layer"][0]["transform"]
    [{'filter': "datum.unit == 'R05'"}]
    >>> out["spec"]["encoding"]["x"]["axis"]["labelFontWeight"]["expr"]
    "datum.value == 'R05' ? 'bold' : 'normal'"
    """
    found = []
    quoted = vega_quote(unit)

    def walk(x):
        if isinstance(x, dict):
            out = {}
            for k, v in x.items():
                if k == "datasets":
                    out[k] = v  # shared, never copied
                elif k == "filter" and v == "datum.is_highlight":
                    out[k] = f"datum.unit == {quoted}"
                    found.append(k)
                elif k == "labelFontWeight" and isinstance(v, dict) and "expr" in v:
                    out[k] = {"expr": f"datum.value == {quoted} ? 'bold' : 'normal'"}
                else:
                    out[k] = walk(v)
            return out
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    result = walk(spec)
    return result if found else None
