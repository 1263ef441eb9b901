"""Heat table of the open benchmark: every unit (column) on every indicator (row).

Rows are grouped by domain (mother, child, process, care path, cost); each cell is
coloured by the unit's funnel-plot assessment and shows its value (standardised or
crude rate in the indicator's unit). Two tiers: a **verdict** (outside the 99.8% limits
by default) is a dark cell with bold text, an **alert** (outside only the 95% limits) a
light one; never the other way round. Colours are Okabe-Ito: blue for better, vermillion
for worse, reddish purple for different on a process measure without a better
direction; the alert's lighter shades are sky blue, orange and a pale purple. A unit
with too few expected events is shown (white, grey value) but not judged. The subtitle
states how many false verdicts and alerts chance alone gives among the judged cells
(:meth:`~saz_geboortezorg.compare.benchmark.BenchmarkResult.family`). The chart draws
what :func:`saz_geboortezorg.compare.benchmark.benchmark` computed; it computes no
statistics. Labels are English or Dutch (``language="nl"``).

The explorer's other benchmark charts are here too: :func:`trend_chart` (an indicator
over time for everybody and 'my unit') and :func:`message_chart` (a chart that says why
another cannot be drawn).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.inline_data import chart_data
from saz_geboortezorg.present.style import FONT_SIZE, HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = [
    "benchmark_chart",
    "trend_chart",
    "message_chart",
    "CATEGORIES",
    "TREND_TEXT",
    "TEXT",
    "DOMAIN_ORDER",
    "format_value",
]

#: Domains in the order the heat table shows them.
DOMAIN_ORDER = ("mother", "child", "process", "care_path", "cost")

#: Colour categories: key -> (fill, text colour). A verdict has the assessment's name,
#: an alert ``<direction>_alert``.
#: In this order the two-column legend pairs each verdict with its alert.
CATEGORIES: dict[str, tuple[str, str]] = {
    "better": (PALETTE[4], "white"),  # blue
    "better_alert": (PALETTE[1], "black"),  # sky blue
    "worse": (PALETTE[5], "white"),  # vermillion
    "worse_alert": (PALETTE[0], "black"),  # orange
    "different": (PALETTE[6], "black"),  # reddish purple
    "different_alert": ("#EBC9DD", "black"),  # reddish purple, light
    "within": ("#EEEEEE", "black"),
    "too_few": ("#FFFFFF", PALETTE[7]),
    "not_assessed": ("#FFFFFF", NEUTRAL),
    "hidden": ("#FFFFFF", NEUTRAL),  # disclosure control hid the assessment
}
#: Assessments that are a verdict.
VERDICTS = ("better", "worse", "different")

#: Words of the chart in English and Dutch.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "better": "better (verdict: {rule})",
        "better_alert": "alert, better (outside {alert} limits only)",
        "within": "within the limits",
        "worse_alert": "alert, worse (outside {alert} limits only)",
        "worse": "worse (verdict: {rule})",
        "different_alert": "alert, different (outside {alert} limits only)",
        "different": "different, no better direction (verdict: {rule})",
        "too_few": "too few to judge (under {min_expected} expected)",
        "not_assessed": "not assessed",
        "hidden": "hidden (small numbers)",
        "rule_limits": "outside {verdict} limits",
        "rule_fdr": "Benjamini-Hochberg, FDR {fdr}",
        "mother": "Mother",
        "child": "Child",
        "process": "Process",
        "care_path": "Care path",
        "cost": "Cost",
        "hospital": "hospital",
        "region": "region",
        "practice": "practice",
        "title": "The open benchmark: every {unit} on every indicator",
        "subtitle": "{adjusted}; verdict {rule}, alert at {alert}{od}; value in the cell",
        "subtitle_no_alert": "{adjusted}; verdict {rule}{od}; value in the cell",
        "attribution": "Counted against: {rules}.",
        "attribution_mixed": "{mark} counted against where care started (booking, intention "
        "to treat); the others against the unit responsible at birth.",
        "booking_all": "where care started (booking)",
        "birth_all": "the unit responsible at birth",
        "counted": "counted against",
        "family": "With no true differences, about {false_verdicts} false verdicts and "
        "{false_alerts} false alerts are expected among {judged} judged cells "
        "(here: {verdicts} verdicts, {alerts} alerts; {too_few} too few to judge).",
        "family_fdr": "With no true differences, at most a {fdr} chance of any false "
        "verdict and about {false_alerts} false alerts among {judged} judged cells "
        "(here: {verdicts} verdicts, {alerts} alerts; {too_few} too few to judge).",
        "adjusted": "case-mix adjusted where a model exists",
        "crude": "crude rates",
        "od": ", widened for overdispersion",
        "legend": "Funnel plot",
        "indicator": "indicator",
        "unit": "unit",
        "value": "value",
        "target": "overall",
        "n": "n",
    },
    "nl": {
        "better": "beter (oordeel: {rule})",
        "better_alert": "signaal, beter (alleen buiten {alert}-grenzen)",
        "within": "binnen de grenzen",
        "worse_alert": "signaal, slechter (alleen buiten {alert}-grenzen)",
        "worse": "slechter (oordeel: {rule})",
        "different_alert": "signaal, afwijkend (alleen buiten {alert}-grenzen)",
        "different": "afwijkend, geen betere richting (oordeel: {rule})",
        "too_few": "te weinig om te beoordelen (minder dan {min_expected} verwacht)",
        "not_assessed": "niet beoordeeld",
        "hidden": "verborgen (kleine aantallen)",
        "rule_limits": "buiten {verdict}-grenzen",
        "rule_fdr": "Benjamini-Hochberg, FDR {fdr}",
        "mother": "Moeder",
        "child": "Kind",
        "process": "Proces",
        "care_path": "Zorgpad",
        "cost": "Kosten",
        "hospital": "ziekenhuis",
        "region": "regio",
        "practice": "praktijk",
        "title": "De open benchmark: elke {unit} op elke indicator",
        "subtitle": "{adjusted}; oordeel {rule}, signaal bij {alert}{od}; waarde in de cel",
        "subtitle_no_alert": "{adjusted}; oordeel {rule}{od}; waarde in de cel",
        "attribution": "Toegerekend aan: {rules}.",
        "attribution_mixed": "{mark} toegerekend aan waar de zorg begon (boeking, intention "
        "to treat); de overige aan de eenheid verantwoordelijk bij de geboorte.",
        "booking_all": "waar de zorg begon (boeking)",
        "birth_all": "de eenheid verantwoordelijk bij de geboorte",
        "counted": "toegerekend aan",
        "family": "Zonder echte verschillen zijn ongeveer {false_verdicts} onterechte "
        "oordelen en {false_alerts} onterechte signalen te verwachten onder {judged} "
        "beoordeelde cellen (hier: {verdicts} oordelen, {alerts} signalen; {too_few} te "
        "weinig om te beoordelen).",
        "family_fdr": "Zonder echte verschillen hoogstens {fdr} kans op een onterecht "
        "oordeel en ongeveer {false_alerts} onterechte signalen onder {judged} "
        "beoordeelde cellen (hier: {verdicts} oordelen, {alerts} signalen; {too_few} te "
        "weinig om te beoordelen).",
        "adjusted": "gecorrigeerd voor case-mix waar een model is",
        "crude": "ruwe cijfers",
        "od": ", verbreed voor overdispersie",
        "legend": "Trechterplot",
        "indicator": "indicator",
        "unit": "eenheid",
        "value": "waarde",
        "target": "totaal",
        "n": "n",
    },
}

LABEL_WIDTH = 500  # pixels for the indicator names (the same in every panel)

_MEASURE = {"percent": "%", "per_1000": "‰", "euro": "€"}


def format_value(value: float, measure: str) -> str:
    """A cell's text: one decimal for rates, whole euros with a thousands separator.

    Examples
    --------
    >>> format_value(16.94, "percent"), format_value(7.25, "per_1000"), format_value(3612.4, "euro")
    ('16.9', '7.2', '3,612')
    >>> format_value(float("nan"), "percent")
    ''
    """
    if value is None or not np.isfinite(value):
        return ""
    if measure == "euro":
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _category(assessment: Any, alert: str) -> str:
    if assessment is None or (isinstance(assessment, float) and np.isnan(assessment)):
        return "hidden"  # missing only where disclosure control hid it
    if assessment == "within" and alert:
        key = alert + "_alert"
    else:
        key = assessment
    if key not in CATEGORIES:
        raise ValueError(
            f"unknown assessment {assessment!r} or alert {alert!r}; assessments: "
            f"{', '.join(k for k in CATEGORIES if not k.endswith('_alert'))}"
        )
    return key


def _number(x: float, language: str) -> str:
    text = f"{x:.1f}"
    return text.replace(".", ",") if language == "nl" else text


def _pct(x: float, language: str) -> str:
    text = f"{x:g}%"
    return text.replace(".", ",") if language == "nl" else text


def benchmark_chart(
    result: Any,
    *,
    highlight: str | None = None,
    language: str = "en",
    title: str | None = None,
    cell_width: int | None = None,
    cell_height: int = 24,
) -> Any:
    """Heat table: indicators (rows, grouped by domain) by units (columns).

    Parameters
    ----------
    result : BenchmarkResult
        From :func:`saz_geboortezorg.compare.benchmark.benchmark` (its ``table``,
        ``limits``, ``overdispersion``, ``unit_type``, the verdict and alert levels and
        :meth:`~saz_geboortezorg.compare.benchmark.BenchmarkResult.family`, stated in
        the subtitle). A table without an ``alert`` column has no alerts.
    highlight : str, optional
        A unit ('my region') drawn with a black frame and a bold label.
    language : {"en", "nl"}
        Indicator names, domains and legend in English or Dutch.
    title : str, optional
        Override the title.
    cell_width, cell_height : int, optional
        Cell size in pixels (width default: 46, or 40 with more than 30 units).

    Returns
    -------
    altair.FacetChart
        One row of panels per domain; save with ``chart.save("benchmark.png")``.

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.compare.benchmark import BenchmarkResult
    >>> t = pd.DataFrame({"indicator": ["oasis"] * 2 + ["cs"] * 2, "unit": ["R1", "R2"] * 2,
    ...     "name_en": ["OASIS"] * 2 + ["Caesarean"] * 2, "name_nl": ["Totaalruptuur"] * 2 + ["Sectio"] * 2,
    ...     "domain": ["mother"] * 2 + ["process"] * 2, "measure": "percent",
    ...     "value": [3.1, 1.2, 16.0, 22.5], "target": [2.0] * 2 + [17.0] * 2, "n": 100,
    ...     "assessment": ["worse", "within", "within", "different"],
    ...     "alert": ["", "", "", ""], "outside": ["99.8%", "", "", "99.8%"]})
    >>> chart = benchmark_chart(BenchmarkResult(t, "region", (95, 99.8), True, True),
    ...                         highlight="R2", language="nl")
    >>> spec = chart.to_dict()
    >>> spec["facet"]["row"]["sort"]
    ['Moeder', 'Proces']
    >>> [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    ['rect', 'text', 'text', 'rect']
    >>> spec["title"]["subtitle"][1][:53]
    'Zonder echte verschillen zijn ongeveer 0,0 onterechte'
    """
    import altair as alt

    if language not in TEXT:
        raise ValueError(f"language must be one of {', '.join(TEXT)}, not {language!r}")
    words = TEXT[language]
    table = result.table
    needed = ["indicator", "unit", "domain", "measure", "value", "assessment"]
    lacking = [c for c in needed + ["name_" + language] if c not in table.columns]
    if lacking:
        raise ValueError(f"benchmark_chart needs column(s) {', '.join(lacking)}")
    units = sorted({str(u) for u in table["unit"]})
    if highlight is not None and str(highlight) not in units:
        raise ValueError(f"highlight: unit {highlight!r} is not in the benchmark")
    family = result.family()
    alert_level = family["alert_level"]
    fdr = family["fdr"]
    rule = (
        words["rule_limits"].format(verdict=_pct(family["verdict_level"], language))
        if fdr is None
        else words["rule_fdr"].format(fdr=_pct(100 * fdr, language))
    )
    alert_text = "" if alert_level is None else _pct(alert_level, language)
    min_expected = f"{family['min_expected']:g}"
    labels = {
        k: words[k].format(rule=rule, alert=alert_text, min_expected=min_expected)
        for k in CATEGORIES
    }
    shown = [k for k in CATEGORIES if alert_level is not None or not k.endswith("_alert")]

    frame = pd.DataFrame(
        {
            "indicator": table["indicator"].astype(str),
            "unit": table["unit"].astype(str),
            "domain": table["domain"].astype(str),
            "name": [
                f"{name} ({_MEASURE.get(m, m)})" + (f" {BOOKING_MARK}" if rule == "booking" else "")
                for name, m, rule in zip(
                    table["name_" + language],
                    table["measure"],
                    table["attribution"] if "attribution" in table else [""] * len(table),
                    strict=True,
                )
            ],
            "text": [
                format_value(v, m) for v, m in zip(table["value"], table["measure"], strict=True)
            ],
            "value": table["value"].astype(float),
            "target": table["target"].astype(float) if "target" in table else np.nan,
            "n": table["n"] if "n" in table else np.nan,
            "assessment": table["assessment"].astype(str),
        }
    )
    if "attribution" in table:
        rule_words = {"booking": words["booking_all"], "birth": words["birth_all"]}
        frame["attribution"] = table["attribution"].map(rule_words).fillna("").to_numpy()
    alerts = table["alert"].fillna("") if "alert" in table else [""] * len(table)
    categories = [_category(a, al) for a, al in zip(table["assessment"], alerts, strict=True)]
    if "hidden" not in categories:
        shown = [k for k in shown if k != "hidden"]
    frame["category"] = [labels[c] for c in categories]
    frame["ink"] = [CATEGORIES[c][1] for c in categories]
    frame["bold"] = table["assessment"].isin(VERDICTS).to_numpy()
    frame["is_highlight"] = frame["unit"] == str(highlight)

    colour = alt.Color(
        "category:N",
        title=words["legend"],
        scale=alt.Scale(domain=[labels[k] for k in shown], range=[CATEGORIES[k][0] for k in shown]),
        legend=alt.Legend(
            orient="bottom", columns=2, labelLimit=0, symbolStrokeColor=NEUTRAL, symbolSize=300
        ),
    )
    width = cell_width or (40 if len(units) > 30 else 46)
    tooltip = [
        alt.Tooltip("name:N", title=words["indicator"]),
        alt.Tooltip("unit:N", title=words["unit"]),
        alt.Tooltip("value:Q", title=words["value"], format=",.2f"),
        alt.Tooltip("target:Q", title=words["target"], format=",.2f"),
        alt.Tooltip("n:Q", title=words["n"], format=","),
        alt.Tooltip("category:N", title=words["legend"]),
    ]
    if "attribution" in frame:
        tooltip.append(alt.Tooltip("attribution:N", title=words["counted"]))
    bold_expr = (
        f"datum.value == {str(highlight)!r} ? 'bold' : 'normal'" if highlight else "'normal'"
    )
    domains = [d for d in DOMAIN_ORDER if d in set(frame["domain"])]
    domains += [d for d in pd.unique(frame["domain"]) if d not in domains]
    frame["group"] = [words.get(d, d) for d in frame["domain"]]
    frame = frame.drop(columns=["indicator", "domain", "assessment"])
    x = alt.X(
        "unit:N",
        sort=units,
        title=None,
        scale=alt.Scale(domain=units),
        axis=alt.Axis(
            orient="top",
            labelAngle=-90 if max(len(u) for u in units) > 4 else 0,
            labelFontWeight=alt.ExprRef(bold_expr),
            ticks=False,
            domain=False,
        ),
    )
    y = alt.Y(
        "name:N",
        sort=list(pd.unique(frame["name"])),
        title=None,
        axis=alt.Axis(
            labelLimit=LABEL_WIDTH,
            minExtent=LABEL_WIDTH,
            maxExtent=LABEL_WIDTH,
            ticks=False,
            domain=False,
            labelFontSize=FONT_SIZE - 1,
        ),
    )
    base = alt.Chart().encode(x=x, y=y)
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(color=colour, tooltip=tooltip)
    size = 11 if len(units) > 30 else 12
    texts = [
        base.transform_filter(test)
        .mark_text(fontSize=size, fontWeight=weight)
        .encode(text=alt.Text("text:N"), color=alt.Color("ink:N", scale=None), tooltip=tooltip)
        for test, weight in (("!datum.bold", "normal"), ("datum.bold", "bold"))
    ]
    layers = [cells, *texts]
    if highlight is not None:
        layers.append(
            base.transform_filter("datum.is_highlight").mark_rect(
                fill=None, stroke="black", strokeWidth=2.5
            )
        )
    header = alt.Header(
        title=None,
        labelAngle=0,
        labelAlign="left",
        labelAnchor="start",
        labelOrient="top",
        labelFontSize=FONT_SIZE,
        labelFontWeight="bold",
        labelPadding=4,
    )
    panels = (
        alt.layer(*layers, data=frame)
        .properties(width=alt.Step(width), height=alt.Step(cell_height))
        .facet(row=alt.Row("group:N", sort=[words.get(d, d) for d in domains], header=header))
        .resolve_scale(y="independent")
    )
    unit_word = words.get(result.unit_type, result.unit_type)
    subtitle = words["subtitle" if alert_level is not None else "subtitle_no_alert"].format(
        adjusted=words["adjusted"] if result.adjusted else words["crude"],
        rule=rule,
        alert=alert_text,
        od=words["od"] if result.overdispersion else "",
    )
    counts = {k: family[k] for k in ("judged", "verdicts", "alerts", "too_few")}
    stated = words["family" if fdr is None else "family_fdr"].format(
        false_verdicts=_number(family["expected_false_verdicts"], language),
        false_alerts=_number(family["expected_false_alerts"], language),
        fdr=_pct(100 * fdr, language) if fdr is not None else "",
        **counts,
    )
    subtitle = [subtitle, stated]
    if "attribution" in table:
        subtitle.append(_attribution_line(table, words))
    chart = panels.properties(
        spacing=6,
        title=alt.TitleParams(
            title or words["title"].format(unit=unit_word), subtitle=subtitle, anchor="start"
        ),
    )
    return configure(chart)


#: Words of the trend chart in English and Dutch (``language=``); English tooltips show
#: the column names.
TREND_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "subtitle": "line: value; band: {interval}",
        "interval": "95% interval",
        "series": "",
        "period": "",
        "value": "",
        "lower": "",
        "upper": "",
        "n": "",
    },
    "nl": {
        "subtitle": "lijn: waarde; band: {interval}",
        "interval": "95%-interval",
        "series": "reeks",
        "period": "periode",
        "value": "waarde",
        "lower": "ondergrens",
        "upper": "bovengrens",
        "n": "n",
    },
}


@functools.cache
def _style() -> Any:
    """The toolkit's chart config (:func:`~saz_geboortezorg.present.style.configure`'s),
    made once; given to the constructor it saves ``configure``'s four copies of the
    whole chart on every redraw."""
    import altair as alt

    return configure(alt.Chart()).config


def trend_chart(
    trend: Any,
    *,
    multiplier: float = 100.0,
    title: str | None = None,
    y_title: str = "rate (%)",
    series_labels: dict[str, str] | None = None,
    interval_label: str | None = None,
    width: int = 640,
    height: int = 280,
    language: str = "en",
) -> Any:
    """Lines of an indicator per period: everybody (grey) and 'my unit' (vermillion).

    Parameters
    ----------
    trend : TrendTable or DataFrame
        From :func:`saz_geboortezorg.monitor.trends.trend_table` (the result or its
        ``.table``: ``series``,
        ``period``, ``value``, ``lower``, ``upper``, ``n``); the first series is drawn
        as the reference, any other in the highlight colour.
    multiplier : float
        Scale of the values on the axis (100 for percent, 1000 per 1,000, 1 for euro).
    title, y_title : str, optional
    series_labels : dict, optional
        Legend text per series (e.g. ``{"all": "all regions"}``).
    interval_label : str, optional
        Legend text of the shaded band (default "95% interval", Dutch "95%-interval").
    width, height : int
    language : {"en", "nl"}
        Subtitle and tooltips in English or Dutch.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"series": ["all", "all", "R1", "R1"],
    ...                   "period": pd.to_datetime(["2022-01-01", "2022-04-01"] * 2),
    ...                   "value": [0.16, 0.17, 0.2, 0.18], "lower": [0.15, 0.16, 0.15, 0.13],
    ...                   "upper": [0.17, 0.18, 0.25, 0.23], "n": [500, 510, 50, 52]})
    >>> spec = trend_chart(t, series_labels={"all": "all regions"}).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['area', 'line']
    >>> spec["layer"][1]["encoding"]["color"]["scale"]["range"]
    ['#4D4D4D', '#D55E00']
    >>> trend_chart(t, language="nl").to_dict()["title"]["subtitle"]
    'lijn: waarde; band: 95%-interval'
    """
    import altair as alt

    if language not in TREND_TEXT:
        raise ValueError(f"language must be one of {', '.join(TREND_TEXT)}, not {language!r}")
    words = TREND_TEXT[language]
    if not isinstance(trend, pd.DataFrame):  # a TrendTable result: draw its table
        trend = trend.table
    needed = ["series", "period", "value", "lower", "upper"]
    lacking = [c for c in needed if c not in trend.columns]
    if lacking:
        raise ValueError(f"trend_chart needs column(s) {', '.join(lacking)}")
    names = series_labels or {}
    order = list(pd.unique(trend["series"].astype(str)))
    frame = pd.DataFrame(
        {
            "series": [names.get(s, s) for s in trend["series"].astype(str)],
            "period": pd.to_datetime(trend["period"]),
            "value": trend["value"].astype(float) * multiplier,
            "lower": trend["lower"].astype(float) * multiplier,
            "upper": trend["upper"].astype(float) * multiplier,
            "n": trend["n"] if "n" in trend else np.nan,
        }
    )
    domain = [names.get(s, s) for s in order]
    colours = [NEUTRAL] + [HIGHLIGHT] * (len(domain) - 1)
    # typed channels with field and type spelled out: the quickest for altair to build
    colour = alt.Color(
        field="series",
        type="nominal",
        title=None,
        scale=alt.Scale(domain=domain, range=colours),
        legend=alt.Legend(orient="top", symbolStrokeWidth=3),
    )
    base = alt.Chart(chart_data(frame)).encode(x=alt.X(field="period", type="temporal", title=None))

    def tip(field: str, kind: str, **options: Any) -> Any:
        if words[field]:
            options["title"] = words[field]
        return alt.Tooltip(field=field, type=kind, **options)

    tooltip = [
        tip("series", "nominal"),
        tip("period", "temporal", format="%Y-%m"),
        tip("value", "quantitative", format=",.2f"),
        tip("lower", "quantitative", format=",.2f"),
        tip("upper", "quantitative", format=",.2f"),
        tip("n", "quantitative", format=","),
    ]
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y(field="lower", type="quantitative", title=y_title, scale=alt.Scale(zero=False)),
        y2=alt.Y2(field="upper"),
        color=colour,
    )
    line = base.mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True, size=60)).encode(
        y=alt.Y(field="value", type="quantitative"), color=colour, tooltip=tooltip
    )
    interval = words["interval"] if interval_label is None else interval_label
    return alt.LayerChart(
        layer=[band, line],
        title=alt.TitleParams(
            title or "", subtitle=words["subtitle"].format(interval=interval), anchor="start"
        ),
        width=width,
        height=height,
        config=_style().copy(),
    )


def message_chart(text: str, *, width: int = 640, height: int = 60) -> Any:
    """A chart that only shows a message (e.g. why a funnel plot cannot be drawn).

    Examples
    --------
    >>> message_chart("Not available: too few units").to_dict()["mark"]["type"]
    'text'
    """
    import altair as alt

    return (
        alt.Chart(
            chart_data(pd.DataFrame({"text": [text]})),
            width=width,
            height=height,
            config=_style().copy(),
        )
        .mark_text(fontSize=FONT_SIZE + 2, color=NEUTRAL, align="left", x=5)
        .encode(text=alt.Text(field="text", type="nominal"))
    )


#: Marks the row of an indicator counted where care started (booking).
BOOKING_MARK = "\u2020"


def _attribution_line(table: pd.DataFrame, words: dict[str, str]) -> str:
    """Who the outcomes are counted against, in one subtitle line (booking rows carry a
    dagger after their name)."""
    used = set(table["attribution"])
    if used == {"booking"} or used == {"birth"}:
        return words["attribution"].format(rules=words[f"{used.pop()}_all"])
    return words["attribution_mixed"].format(mark=BOOKING_MARK)
