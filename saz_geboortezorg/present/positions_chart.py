"""Slope chart: each unit's rank on the crude rate and on the case-mix adjusted rate.

Draws the table of :func:`saz_geboortezorg.compare.positions.crude_vs_adjusted` (it
computes nothing): two columns of ranks (crude left, adjusted right) joined by a line
per unit. The dots are coloured by the unit's funnel flag on that side, in the colours
of the funnel plot; units whose flag changes are drawn in blue, the highlighted unit
('my region') in the highlight colour.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = ["positions_chart"]

_SIDES = ("Crude", "Case-mix adjusted")
#: Dot colours per funnel flag (as in the funnel plot: grey, orange, reddish purple).
_STATUS = {
    "within": "#BBBBBB",
    "outside 95%": "#E69F00",
    "outside 99.8%": "#CC79A7",
}


def _status_group(status: str) -> str:
    """'higher (99.8%)' -> 'outside 99.8%'; 'within' stays."""
    if status == "within":
        return "within"
    return "outside " + status.split("(")[-1].rstrip(")")


def positions_chart(
    table: pd.DataFrame,
    highlight: str | list[str] | None = None,
    *,
    title: str | None = None,
    rate_label: str = "rate",
    percent: bool = True,
) -> Any:
    """Crude rank (left) against case-mix adjusted rank (right), one line per unit.

    Parameters
    ----------
    table : DataFrame
        ``Positions.table`` from :func:`saz_geboortezorg.compare.positions.crude_vs_adjusted`
        (columns ``unit``, ``crude_rank``, ``adjusted_rank``, ``crude_status``,
        ``adjusted_status``, ``status_changed``, ``crude_rate``, ``standardised_rate``).
    highlight : str or list of str, optional
        Unit(s) drawn in the highlight colour ('my region').
    title : str, optional
        Chart title.
    rate_label : str
        What the rate is, for the tooltips (e.g. ``"caesarean rate"``).
    percent : bool
        Show rates in the tooltips as percentages.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "B"], "crude_rank": [1, 2], "adjusted_rank": [2, 1],
    ...     "crude_status": ["within", "higher (95%)"], "adjusted_status": ["within"] * 2,
    ...     "status_changed": [False, True], "crude_rate": [0.1, 0.2],
    ...     "standardised_rate": [0.16, 0.14]})
    >>> spec = positions_chart(t, highlight="A").to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['line', 'point', 'text', 'text']
    """
    import altair as alt

    needed = [
        "unit",
        "crude_rank",
        "adjusted_rank",
        "crude_status",
        "adjusted_status",
        "status_changed",
        "crude_rate",
        "standardised_rate",
    ]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"positions_chart needs column(s) {', '.join(missing)}")
    highlights = {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}
    wide = table.assign(unit=table["unit"].astype(str))
    rows = []
    for side, rank, status, rate in (
        (_SIDES[0], "crude_rank", "crude_status", "crude_rate"),
        (_SIDES[1], "adjusted_rank", "adjusted_status", "standardised_rate"),
    ):
        rows.append(
            pd.DataFrame(
                {
                    "unit": wide["unit"].to_numpy(),
                    "side": side,
                    "rank": wide[rank].to_numpy(dtype=float),
                    "status": wide[status].astype(str).to_numpy(),
                    "rate": wide[rate].to_numpy(dtype=float),
                    "changed": wide["status_changed"].astype(bool).to_numpy(),
                }
            )
        )
    data = pd.concat(rows, ignore_index=True)
    data["flag"] = data["status"].map(_status_group)
    data["is_highlight"] = data["unit"].isin(highlights)
    data["line_group"] = [
        "highlight" if h else ("flag changes" if c else "same flag")
        for h, c in zip(data["is_highlight"], data["changed"], strict=True)
    ]
    data["label"] = [
        f"{u} {int(r)}" if side == _SIDES[1] else f"{int(r)} {u}"
        for u, r, side in zip(data["unit"], data["rank"], data["side"], strict=True)
    ]
    n_units = int(wide["unit"].nunique())
    x = alt.X(
        "side:N",
        sort=list(_SIDES),
        title=None,
        axis=alt.Axis(labelAngle=0, orient="top", labelFontWeight="bold"),
        scale=alt.Scale(paddingOuter=0.6),
    )
    y = alt.Y(
        "rank:Q",
        scale=alt.Scale(domain=[n_units + 0.5, 0.5], nice=False),
        axis=None,
    )
    fmt = ".1%" if percent else ".3g"
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("side:N", title="view"),
        alt.Tooltip("rank:Q"),
        alt.Tooltip("rate:Q", format=fmt, title=rate_label),
        alt.Tooltip("status:N", title="funnel"),
    ]
    base = alt.Chart(data)
    lines = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=y,
        detail="unit:N",
        color=alt.Color(
            "line_group:N",
            scale=alt.Scale(
                domain=["same flag", "flag changes", "highlight"],
                range=["#CCCCCC", PALETTE[4], HIGHLIGHT],
            ),
            legend=alt.Legend(title="line", orient="bottom"),
        ),
        strokeWidth=alt.condition(alt.datum.is_highlight, alt.value(4), alt.value(2)),
        order=alt.Order("is_highlight:N"),
    )
    points = base.mark_point(filled=True, opacity=1, stroke=NEUTRAL, strokeWidth=0.5).encode(
        x=x,
        y=y,
        color=alt.Color(
            "flag:N",
            scale=alt.Scale(domain=list(_STATUS), range=list(_STATUS.values())),
            legend=alt.Legend(title="funnel flag", orient="bottom"),
        ),
        size=alt.condition(alt.datum.is_highlight, alt.value(260), alt.value(140)),
        tooltip=tooltip,
    )
    text_colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(NEUTRAL))
    left = (
        base.transform_filter(alt.datum.side == _SIDES[0])
        .mark_text(align="right", dx=-14, fontSize=13)
        .encode(x=x, y=y, text="label:N", color=text_colour)
    )
    right = (
        base.transform_filter(alt.datum.side == _SIDES[1])
        .mark_text(align="left", dx=14, fontSize=13)
        .encode(x=x, y=y, text="label:N", color=text_colour)
    )
    subtitle = [
        "Rank 1 (top) = lowest rate. Dot colour: funnel flag in that view;",
        "blue line: the funnel flag changes with adjustment",
    ]
    chart = (
        alt.layer(lines, points, left, right)
        .resolve_scale(color="independent")
        .properties(
            width=380,
            height=max(240, 24 * n_units),
            title=alt.TitleParams(
                title or "Positions: crude against case-mix adjusted",
                subtitle=subtitle,
                anchor="start",
            ),
        )
    )
    return configure(chart)
