"""Funnel plot chart: units, control limits and target of a :class:`FunnelResult`.

The chart draws what :func:`saz_geboortezorg.funnel` computed: the per-unit table and
the limit curves from :meth:`FunnelResult.limits`; it computes no statistics. Colours are
Okabe-Ito (colour-blind safe), limits differ by dash as well as by level, fonts are sized
for a projector.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.inline_data import chart_data
from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, configure
from saz_geboortezorg.stats.intervals import level_tag

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.compare.funnel import FunnelResult

__all__ = ["funnel_chart"]

LIMIT_COLOUR = "#0072B2"  # blue
UNADJUSTED_COLOUR = "#999999"  # grey
STATUS_COLOURS = {
    "within limits": "#BBBBBB",
    "outside 95% limits": "#E69F00",  # orange
    "outside 99.8% limits": "#CC79A7",  # reddish purple
}
LABELS = ("outliers", "highlight", "all", "none")

#: Words of the chart in English and Dutch (``language=``).
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "limits": "limits",
        "limit": "{level} limits",
        "unadjusted": " (unadjusted)",
        "units": "units",
        "within": "within limits",
        "outside": "outside {level} limits",
        "unit": "unit",
        "z": "z-score",
        "position": "position",
        "note": "note",
        "od": "limits adjusted for overdispersion: phi = {phi}, tau\u00b2 = {tau2}",
        "no_od": "no overdispersion detected (phi = {phi}): unadjusted limits",
        "no_od_test": "unadjusted limits (trimmed phi = {phi}), although the test detects "
        "overdispersion (p {p})",
        "plain": "unadjusted limits",
        "target": "; line: target {target}",
        "title": "Funnel plot: {y}{method}, {n} units",
        "per": " (per {m})",
        "SR": "expected events|observed / expected|observed|expected",
        "PR": "number of cases|proportion|events|n",
        "RC": "denominator|ratio|numerator|denominator",
    },
    "nl": {
        "limits": "grenzen",
        "limit": "{level}-grenzen",
        "unadjusted": " (niet gecorrigeerd)",
        "units": "eenheden",
        "within": "binnen de grenzen",
        "outside": "buiten {level}-grenzen",
        "unit": "eenheid",
        "z": "z-score",
        "position": "positie",
        "note": "opmerking",
        "od": "grenzen verbreed voor overdispersie: phi = {phi}, tau\u00b2 = {tau2}",
        "no_od": "geen overdispersie aangetoond (phi = {phi}): niet-gecorrigeerde grenzen",
        "no_od_test": "niet-gecorrigeerde grenzen (getrimde phi = {phi}), hoewel de toets "
        "overdispersie aantoont (p {p})",
        "plain": "niet-gecorrigeerde grenzen",
        "target": "; lijn: referentie {target}",
        "title": "Trechterplot: {y}{method}, {n} eenheden",
        "per": " (per {m})",
        "SR": "verwacht aantal|waargenomen / verwacht|waargenomen|verwacht",
        "PR": "aantal|proportie|gebeurtenissen|n",
        "RC": "noemer|ratio|teller|noemer",
    },
}

#: The point layer's columns (what the marks and tooltips read; the browser gets no more).
_POINT_COLUMNS = [
    "unit",
    "numerator",
    "denominator",
    "value",
    "z",
    "status",
    "is_highlight",
    "label",
]


@functools.cache
def _style() -> Any:
    """The toolkit's chart config (:func:`~saz_geboortezorg.present.style.configure`'s),
    made once. Given to the chart's constructor, it saves the four copies of the whole
    chart that ``configure`` makes (a third of a redraw's building time)."""
    import altair as alt

    return configure(alt.Chart()).config


def _pct(level: float, language: str = "en") -> str:
    text = f"{level:g}%"
    return text.replace(".", ",") if language == "nl" else text


def _status(table: pd.DataFrame, levels: tuple[float, ...]) -> pd.Series:
    """English status key per unit (``within limits``, ``outside 95% limits`` ...)."""

    status = pd.Series("within limits", index=table.index, dtype=object)
    for level in levels:  # ascending: the widest limit that is crossed wins
        outside = table[f"flag{level_tag(level)}"] != "within"
        status[outside] = f"outside {_pct(level)} limits"
    return status


def funnel_chart(
    result: FunnelResult,
    *,
    highlight: str | list[str] | None = None,
    labels: str = "outliers",
    log_x: bool | None = None,
    show_unadjusted: bool = False,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    width: int = 640,
    height: int = 420,
    language: str = "en",
    notes: dict[str, str] | None = None,
    caption: str | None = None,
) -> Any:
    """An altair funnel plot of a :class:`~saz_geboortezorg.compare.funnel.FunnelResult`.

    Parameters
    ----------
    result : FunnelResult
        From :func:`saz_geboortezorg.funnel`.
    highlight : str or list of str, optional
        Unit(s) to draw as a large vermillion diamond, always labelled ('my hospital').
    labels : {"outliers", "highlight", "all", "none"}
        Which units get a text label: those outside any limit (and the highlighted
        ones), only the highlighted ones, all, or none.
    log_x : bool, optional
        Logarithmic x axis. Default: on when the largest unit is more than 100 times the
        smallest, so that small units do not pile up at the left edge.
    show_unadjusted : bool
        Also draw the unadjusted limits (thin grey dotted) when the adjusted ones are in force.
    title, x_title, y_title : str, optional
        Override the default titles.
    width, height : int
        Size in pixels.
    language : {"en", "nl"}
        Legends, tooltips, subtitle and default titles in English or Dutch
        (``"nl"``: *trechterplot*, *grenzen* = limits, *eenheden* = units).
    notes : dict of str, optional
        Unit -> a note shown in the tooltip (e.g. that a hospital is a NICU centre; see
        :func:`saz_geboortezorg.compare.attribution.unit_notes`).
    caption : str, optional
        An extra subtitle line, e.g. the attribution rule of the indicator.

    Returns
    -------
    altair.LayerChart
        Save with ``chart.save("funnel.png")`` (or ``.svg``, ``.html``).

    Notes
    -----
    Built for quick redraws (the explorer draws a funnel on every control change):
    every encoding is a typed channel object (altair rebuilds a schema for each
    shorthand dict it has to recognise), and the browser gets only the columns the
    marks and tooltips read.

    Examples
    --------
    >>> import pandas as pd, saz_geboortezorg as sg
    >>> d = pd.DataFrame({"h": list("ABCDEFGHIJ"), "o": [5, 9, 12, 20, 31, 8, 15, 40, 3, 22],
    ...                   "e": [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]})
    >>> chart = sg.funnel(d, "o", "e", "h").chart(highlight="B")
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    ['rule', 'line', 'point', 'text', 'text']
    >>> spec = sg.funnel(d, "o", "e", "h").chart(language="nl").to_dict()
    >>> spec["layer"][1]["encoding"]["color"]["title"], spec["layer"][1]["encoding"]["x"]["title"]
    ('grenzen', 'verwacht aantal')
    """
    import altair as alt

    if labels not in LABELS:
        raise ValueError(f"labels must be one of {', '.join(LABELS)}, not {labels!r}")
    if language not in TEXT:
        raise ValueError(f"language must be one of {', '.join(TEXT)}, not {language!r}")
    words = TEXT[language]
    highlights = {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}
    table = result.table
    units = table["group"].astype(str)
    unknown = highlights - set(units)
    if unknown:
        raise ValueError(f"highlight: unit(s) {', '.join(sorted(unknown))} not in the result")
    if log_x is None:
        sizes = table["denominator"].to_numpy(dtype=float)
        log_x = bool(sizes.max() > 100 * sizes.min())
    levels = result.levels
    status = _status(table, levels)  # English keys; the words shown follow the language
    shown_status = {"within limits": words["within"]}
    for level in levels:
        shown_status[f"outside {_pct(level)} limits"] = words["outside"].format(
            level=_pct(level, language)
        )
    is_highlight = units.isin(highlights)
    outlier = status != "within limits"
    show_label = {
        "outliers": outlier | is_highlight,
        "highlight": is_highlight,
        "all": pd.Series(True, index=table.index),
        "none": pd.Series(False, index=table.index),
    }[labels]
    points_data = pd.DataFrame(
        {
            "unit": units,
            "numerator": table["numerator"],
            "denominator": table["denominator"],
            "value": table["value"],
            "z": table["z"],
            "status": status.map(shown_status),
            "is_highlight": is_highlight,
            "label": np.where(show_label, units, ""),
        }
    )[_POINT_COLUMNS]
    if notes:
        points_data["note"] = units.map(lambda u: notes.get(u, "")).to_numpy()

    # y range as FunnelPlotR (at least 0.7-1.3 x target, and the units with a margin),
    # widened to show the widest limits of a typical (median) unit
    m, target = result.multiplier, result.target * result.multiplier
    values = table["value"].to_numpy(dtype=float)
    widest = level_tag(max(levels))
    typical_lcl = float(np.nanmedian(table[f"lcl{widest}"]))
    typical_ucl = float(np.nanmedian(table[f"ucl{widest}"]))
    y_min = min(0.7 * target, 0.9 * float(np.nanmin(values)), typical_lcl)
    y_max = max(1.3 * target, 1.1 * float(np.nanmax(values)), typical_ucl)
    if result.data_type == "PR":
        y_max = min(y_max, m)
    if y_max <= y_min:
        y_max = y_min + 1

    # limit curves, long format (one row per curve and grid size; the disclosure check
    # recognises limit curves by their `limit` column and no unit)
    smallest = float(table["denominator"].min())
    curve = result.limits(result.default_grid(start=0.7 * smallest if log_x else None))
    grid = curve["denominator"].to_numpy(dtype=float)
    x_lo, x_hi = float(grid.min()), float(grid.max())
    span = y_max - y_min
    suffixes = [""]  # the limits in force
    if show_unadjusted and result.overdispersed:
        suffixes.append("_unadj")
    sizes, limits, names, sides = [], [], [], []
    for suffix in suffixes:
        for level in levels:
            tag = level_tag(level)
            name = words["limit"].format(level=_pct(level, language)) + (
                words["unadjusted"] if suffix else ""
            )
            for side in ("lcl", "ucl"):
                limit = curve[f"{side}{tag}{suffix}"].to_numpy(dtype=float)
                # drop what is far outside the frame (the marks clip the rest at its edge)
                keep = np.isfinite(limit) & (limit >= y_min - span) & (limit <= y_max + span)
                sizes.append(grid[keep])
                limits.append(limit[keep])
                names += [name] * int(keep.sum())
                sides += [side] * int(keep.sum())
    lines = pd.DataFrame(
        {
            "denominator": np.concatenate(sizes),
            "limit": np.concatenate(limits),
            "series": names,
            "side": sides,
        }
    )
    series = list(dict.fromkeys(names))

    dash_for, colour_for = {}, {}
    for i, level in enumerate(sorted(levels)):
        name = words["limit"].format(level=_pct(level, language))
        dash_for[name] = [8, 5] if i < len(levels) - 1 else [1, 0]
        dash_for[name + words["unadjusted"]] = [2, 3]
        colour_for[name] = LIMIT_COLOUR
        colour_for[name + words["unadjusted"]] = UNADJUSTED_COLOUR

    x_default, y_default, observed, expected = words[result.data_type].split("|")
    if m != 1:
        y_default += words["per"].format(m=f"{m:,.0f}")
    x_scale = (
        alt.Scale(type="log", domain=[x_lo, x_hi], nice=False)
        if log_x
        else alt.Scale(domain=[0, x_hi], nice=False)
    )
    x = alt.X(field="denominator", type="quantitative", title=x_title or x_default, scale=x_scale)
    y_scale = alt.Scale(domain=[y_min, y_max], nice=False, zero=False)
    y_value = alt.Y(field="value", type="quantitative", scale=y_scale)
    highlighted = "datum.is_highlight"

    target_rule = (
        alt.Chart(chart_data(pd.DataFrame({"target": [target]})))
        .mark_rule(color=NEUTRAL, strokeWidth=1.5)
        .encode(y=alt.Y(field="target", type="quantitative", scale=y_scale))
    )
    legend = alt.Legend(orient="right", symbolStrokeWidth=3, symbolSize=500)
    limit_lines = (
        alt.Chart(chart_data(lines))
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=x,
            y=alt.Y(field="limit", type="quantitative", title=y_title or y_default, scale=y_scale),
            detail=alt.Detail(field="side", type="nominal"),
            color=alt.Color(
                field="series",
                type="nominal",
                title=words["limits"],
                scale=alt.Scale(domain=series, range=[colour_for[s] for s in series]),
                legend=legend,
            ),
            strokeDash=alt.StrokeDash(
                field="series",
                type="nominal",
                title=words["limits"],
                scale=alt.Scale(domain=series, range=[dash_for[s] for s in series]),
                legend=legend,
            ),
        )
    )
    value_format = ".3f" if m == 1 else ".1f"
    tooltip = [
        alt.Tooltip(field="unit", type="nominal", title=words["unit"]),
        alt.Tooltip(field="numerator", type="quantitative", title=observed, format=",.4~g"),
        alt.Tooltip(field="denominator", type="quantitative", title=expected, format=",.4~g"),
        alt.Tooltip(field="value", type="quantitative", title=y_default, format=value_format),
        alt.Tooltip(field="z", type="quantitative", title=words["z"], format=".2f"),
        alt.Tooltip(field="status", type="nominal", title=words["position"]),
    ]
    if notes:
        tooltip.append(alt.Tooltip(field="note", type="nominal", title=words["note"]))
    status_keys = ["within limits"] + [f"outside {_pct(level)} limits" for level in sorted(levels)]
    status_range = [
        STATUS_COLOURS.get(s, STATUS_COLOURS["outside 99.8% limits"]) for s in status_keys
    ]
    points = (
        alt.Chart(chart_data(points_data))
        .mark_point(filled=True, stroke="#333333", strokeWidth=0.8, opacity=0.95, color="#333333")
        .encode(
            x=x,
            y=y_value,
            fill=alt.Fill(
                field="status",
                type="nominal",
                title=words["units"],
                scale=alt.Scale(domain=[shown_status[s] for s in status_keys], range=status_range),
                legend=alt.Legend(orient="right", symbolSize=150),
                condition={"test": highlighted, "value": HIGHLIGHT},
            ),
            shape=alt.ShapeValue("circle", condition={"test": highlighted, "value": "diamond"}),
            size=alt.SizeValue(90, condition={"test": highlighted, "value": 260}),
            order=alt.Order(field="is_highlight", type="ordinal"),
            tooltip=tooltip,
        )
    )
    # stagger labels of neighbouring units above and below their points, so fewer overlap;
    # near the bottom (top) of the frame a label always goes above (below) its point
    labelled = points_data[points_data["label"] != ""].sort_values("denominator")
    above = np.arange(len(labelled)) % 2 == 0
    margin = 0.06 * (y_max - y_min)
    above = np.where(labelled["value"] < y_min + margin, True, above)
    above = np.where(labelled["value"] > y_max - margin, False, above)
    label_colour = alt.ColorValue("#333333", condition={"test": highlighted, "value": HIGHLIGHT})
    text_layers = []
    for is_above, dy in ((True, -10), (False, 10)):
        part = labelled[above == is_above][["denominator", "value", "label", "is_highlight"]]
        text_layers.append(
            alt.Chart(chart_data(part))
            .mark_text(align="left", baseline="middle", dx=8, dy=dy, fontSize=14, fontWeight="bold")
            .encode(
                x=x,
                y=y_value,
                text=alt.Text(field="label", type="nominal"),
                color=label_colour,
            )
        )
    if result.overdispersed:
        subtitle = words["od"].format(phi=f"{result.phi:.2f}", tau2=f"{result.tau2:.3g}")
    elif result.overdispersion and np.isfinite(result.phi) and result.overdispersion_detected():
        subtitle = words["no_od_test"].format(phi=f"{result.phi:.2f}", p=result.p_text())
    elif result.overdispersion and np.isfinite(result.phi):
        subtitle = words["no_od"].format(phi=f"{result.phi:.2f}")
    else:
        subtitle = words["plain"]
    subtitle += words["target"].format(target=f"{target:.3g}")
    if caption:
        subtitle = [subtitle, caption]
    method = f" ({result.sr_method})" if result.data_type == "SR" else ""
    default_title = words["title"].format(y=y_default, method=method, n=len(table))
    return alt.LayerChart(
        layer=[target_rule, limit_lines, points, *text_layers],
        title=alt.TitleParams(title or default_title, subtitle=subtitle, anchor="start"),
        width=width,
        height=height,
        config=_style().copy(),
    )
