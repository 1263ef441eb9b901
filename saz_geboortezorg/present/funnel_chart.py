"""Funnel plot chart: units, control limits and target of a :class:`FunnelResult`.

The chart draws what :func:`saz_geboortezorg.funnel` computed: the per-unit table and
the limit curves from :meth:`FunnelResult.limits`; it computes no statistics. Colours are
Okabe-Ito (colour-blind safe), limits differ by dash as well as by level, fonts are sized
for a projector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, configure

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

_AXES = {
    "SR": ("expected events", "observed / expected"),
    "PR": ("number of cases", "proportion"),
    "RC": ("denominator", "ratio"),
}
_COUNTS = {
    "SR": ("observed", "expected"),
    "PR": ("events", "n"),
    "RC": ("numerator", "denominator"),
}


def _pct(level: float) -> str:
    return f"{level:g}%"


def _status(table: pd.DataFrame, levels: tuple[float, ...]) -> pd.Series:
    from saz_geboortezorg.compare.funnel.limits import level_tag

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

    Returns
    -------
    altair.LayerChart
        Save with ``chart.save("funnel.png")`` (or ``.svg``, ``.html``).

    Examples
    --------
    >>> import pandas as pd, saz_geboortezorg as sg
    >>> d = pd.DataFrame({"h": list("ABCDEFGHIJ"), "o": [5, 9, 12, 20, 31, 8, 15, 40, 3, 22],
    ...                   "e": [6.1, 8.0, 15.2, 18.9, 25.0, 9.5, 14.1, 33.3, 4.2, 20.0]})
    >>> chart = sg.funnel(d, "o", "e", "h").chart(highlight="B")
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    ['rule', 'line', 'point', 'text', 'text']
    """
    import altair as alt

    from saz_geboortezorg.compare.funnel.limits import level_tag

    if labels not in LABELS:
        raise ValueError(f"labels must be one of {', '.join(LABELS)}, not {labels!r}")
    highlights = {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}
    table = result.table.copy()
    if log_x is None:
        sizes = table["denominator"].to_numpy(dtype=float)
        log_x = bool(sizes.max() > 100 * sizes.min())
    table["unit"] = table["group"].astype(str)
    unknown = highlights - set(table["unit"])
    if unknown:
        raise ValueError(f"highlight: unit(s) {', '.join(sorted(unknown))} not in the result")
    levels = result.levels
    table["status"] = _status(table, levels)
    table["is_highlight"] = table["unit"].isin(highlights)
    outlier = table["status"] != "within limits"
    show_label = {
        "outliers": outlier | table["is_highlight"],
        "highlight": table["is_highlight"],
        "all": pd.Series(True, index=table.index),
        "none": pd.Series(False, index=table.index),
    }[labels]
    table["label"] = np.where(show_label, table["unit"], "")

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

    # limit curves, long format
    smallest = float(table["denominator"].min())
    curve = result.limits(result.default_grid(start=0.7 * smallest if log_x else None))
    x_lo = float(curve["denominator"].min())
    x_hi = float(curve["denominator"].max())
    rows = []
    suffixes = [""]  # the limits in force
    if show_unadjusted and result.overdispersed:
        suffixes.append("_unadj")
    for suffix in suffixes:
        for level in levels:
            tag = level_tag(level)
            name = f"{_pct(level)} limits" + (" (unadjusted)" if suffix else "")
            for side in ("lcl", "ucl"):
                part = pd.DataFrame(
                    {
                        "denominator": curve["denominator"].to_numpy(),
                        "limit": curve[f"{side}{tag}{suffix}"].to_numpy(),
                        "series": name,
                        "side": side,
                    }
                )
                rows.append(part)
    lines = pd.concat(rows, ignore_index=True)
    # drop what is far outside the frame (the marks clip the rest at the frame's edge)
    span = y_max - y_min
    lines = lines[np.isfinite(lines["limit"]) & lines["limit"].between(y_min - span, y_max + span)]

    dash_for = {}
    for i, level in enumerate(sorted(levels)):
        dash_for[f"{_pct(level)} limits"] = [8, 5] if i < len(levels) - 1 else [1, 0]
        dash_for[f"{_pct(level)} limits (unadjusted)"] = [2, 3]
    series = list(dict.fromkeys(lines["series"]))
    colour_for = {s: UNADJUSTED_COLOUR if "unadjusted" in s else LIMIT_COLOUR for s in series}

    x_default, y_default = _AXES[result.data_type]
    if m != 1:
        y_default += f" (per {m:,.0f})"
    x_scale = (
        alt.Scale(type="log", domain=[x_lo, x_hi], nice=False)
        if log_x
        else alt.Scale(domain=[0, x_hi], nice=False)
    )
    x = alt.X("denominator:Q", title=x_title or x_default, scale=x_scale)
    y_scale = alt.Scale(domain=[y_min, y_max], nice=False, zero=False)

    target_rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(color=NEUTRAL, strokeWidth=1.5)
        .encode(y=alt.Y("target:Q", scale=y_scale))
    )
    legend = alt.Legend(orient="right", symbolStrokeWidth=3, symbolSize=500)
    limit_lines = (
        alt.Chart(lines)
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=x,
            y=alt.Y("limit:Q", title=y_title or y_default, scale=y_scale),
            detail="side:N",
            color=alt.Color(
                "series:N",
                title="limits",
                scale=alt.Scale(domain=series, range=[colour_for[s] for s in series]),
                legend=legend,
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title="limits",
                scale=alt.Scale(domain=series, range=[dash_for[s] for s in series]),
                legend=legend,
            ),
        )
    )
    observed, expected = _COUNTS[result.data_type]
    value_format = ".3f" if m == 1 else ".1f"
    tooltip = [
        alt.Tooltip("unit:N", title="unit"),
        alt.Tooltip("numerator:Q", title=observed, format=",.4~g"),
        alt.Tooltip("denominator:Q", title=expected, format=",.4~g"),
        alt.Tooltip("value:Q", title=y_default, format=value_format),
        alt.Tooltip("z:Q", title="z-score", format=".2f"),
        alt.Tooltip("status:N", title="position"),
    ]
    status_domain = ["within limits"] + [
        f"outside {_pct(level)} limits" for level in sorted(levels)
    ]
    status_range = [
        STATUS_COLOURS.get(s, STATUS_COLOURS["outside 99.8% limits"]) for s in status_domain
    ]
    points = (
        alt.Chart(table)
        .mark_point(filled=True, stroke="#333333", strokeWidth=0.8, opacity=0.95, color="#333333")
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
            fill=alt.condition(
                alt.datum.is_highlight,
                alt.value(HIGHLIGHT),
                alt.Fill(
                    "status:N",
                    title="units",
                    scale=alt.Scale(domain=status_domain, range=status_range),
                    legend=alt.Legend(orient="right", symbolSize=150),
                ),
            ),
            shape=alt.condition(alt.datum.is_highlight, alt.value("diamond"), alt.value("circle")),
            size=alt.condition(alt.datum.is_highlight, alt.value(260), alt.value(90)),
            order=alt.Order("is_highlight:O"),
            tooltip=tooltip,
        )
    )
    # stagger labels of neighbouring units above and below their points, so fewer overlap;
    # near the bottom (top) of the frame a label always goes above (below) its point
    labelled = table[table["label"] != ""].sort_values("denominator").copy()
    above = np.arange(len(labelled)) % 2 == 0
    margin = 0.06 * (y_max - y_min)
    above = np.where(labelled["value"] < y_min + margin, True, above)
    above = np.where(labelled["value"] > y_max - margin, False, above)
    text_layers = []
    for is_above, dy in ((True, -10), (False, 10)):
        part = labelled[above == is_above]
        text_layers.append(
            alt.Chart(part)
            .mark_text(align="left", baseline="middle", dx=8, dy=dy, fontSize=14, fontWeight="bold")
            .encode(
                x=x,
                y=alt.Y("value:Q", scale=y_scale),
                text="label:N",
                color=alt.condition(
                    alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value("#333333")
                ),
            )
        )
    if result.overdispersed:
        subtitle = (
            f"limits adjusted for overdispersion: phi = {result.phi:.2f}, "
            f"tau\u00b2 = {result.tau2:.3g}"
        )
    elif result.overdispersion and np.isfinite(result.phi):
        subtitle = f"no overdispersion (phi = {result.phi:.2f}): unadjusted limits"
    else:
        subtitle = "unadjusted limits"
    subtitle += f"; line: target {target:.3g}"
    method = f" ({result.sr_method})" if result.data_type == "SR" else ""
    default_title = f"Funnel plot: {y_default}{method}, {len(table)} units"
    chart = alt.layer(target_rule, limit_lines, points, *text_layers).properties(
        title=alt.TitleParams(title or default_title, subtitle=subtitle, anchor="start"),
        width=width,
        height=height,
    )
    return configure(chart)
