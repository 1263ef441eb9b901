"""Value charts: adjusted outcome against adjusted cost, and cost drivers per unit.

They draw only what :mod:`saz_geboortezorg.compare.value` and
:mod:`saz_geboortezorg.derive.costs` computed: the quadrant lines are the overall
means of the value view, the shares and mean costs come from the drivers table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = ["value_chart", "cost_drivers_chart"]

_UNIT_SUFFIX = {"percent": "%", "per_1000": "per 1,000"}


def _short(label: str) -> str:
    """The part of an indicator name before a colon ('Uncomplicated birth')."""
    return label.split(":")[0].strip()


def _highlights(highlight: str | list[str] | None) -> set[str]:
    return {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}


def value_chart(view: Any, highlight: str | list[str] | None = None) -> Any:
    """Scatter of adjusted outcome (y) against adjusted cost per pregnancy (x).

    Dashed lines at the overall means split the plane into quadrants, each unit is
    labelled, thin bars show the 95% intervals, and ``highlight`` units are drawn in
    the highlight colour.

    Parameters
    ----------
    view : ValueView
        From :func:`saz_geboortezorg.compare.value.value_view`.
    highlight : str or list of str, optional
        Unit(s) to highlight ('my hospital').

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.compare.value import ValueView
    >>> t = pd.DataFrame({"unit": ["A", "B"], "outcome_rate": [40.0, 30.0],
    ...     "outcome_lcl95": [35.0, 25.0], "outcome_ucl95": [45.0, 35.0],
    ...     "adjusted_cost": [2800.0, 3400.0], "adjusted_cost_lcl95": [2600.0, 3200.0],
    ...     "adjusted_cost_ucl95": [3000.0, 3600.0],
    ...     "quadrant": ["better outcome, lower cost", "worse outcome, higher cost"]})
    >>> v = ValueView(t, "uncomplicated_birth", "Uncomplicated birth", "percent", "higher",
    ...               False, "crude", 35.0, 3100.0, "hospital")
    >>> spec = value_chart(v, highlight="B").to_dict()
    >>> spec["layer"][0]["encoding"]["x"]["title"]
    'Case-mix adjusted cost per pregnancy (EUR)'
    """
    import altair as alt

    t = view.table
    data = pd.DataFrame(
        {
            "unit": t["unit"].astype(str).to_numpy(),
            "outcome": pd.to_numeric(t["outcome_rate"]).to_numpy(dtype=float),
            "outcome_lcl95": pd.to_numeric(t["outcome_lcl95"]).to_numpy(dtype=float),
            "outcome_ucl95": pd.to_numeric(t["outcome_ucl95"]).to_numpy(dtype=float),
            "cost": pd.to_numeric(t["adjusted_cost"]).to_numpy(dtype=float),
            "cost_lcl95": pd.to_numeric(t["adjusted_cost_lcl95"]).to_numpy(dtype=float),
            "cost_ucl95": pd.to_numeric(t["adjusted_cost_ucl95"]).to_numpy(dtype=float),
            "quadrant": t["quadrant"].astype(str).to_numpy(),
        }
    ).dropna(subset=["outcome", "cost"])
    data["is_highlight"] = data["unit"].isin(_highlights(highlight))

    suffix = _UNIT_SUFFIX.get(view.outcome_unit, view.outcome_unit)
    how = "case-mix adjusted" if view.outcome_adjusted else "crude, not adjusted"
    y_title = f"{_short(view.outcome_label)} ({suffix}, {how})"
    x_title = "Case-mix adjusted cost per pregnancy (EUR)"

    xs = [*data["cost_lcl95"], *data["cost_ucl95"], view.overall_cost]
    ys = [*data["outcome_lcl95"], *data["outcome_ucl95"], view.overall_outcome]
    xpad, ypad = 0.04 * (max(xs) - min(xs) or 1), 0.06 * (max(ys) - min(ys) or 1)
    xdom = [min(xs) - xpad, max(xs) + xpad]
    ydom = [min(ys) - ypad, max(ys) + ypad]
    xscale = alt.Scale(domain=xdom, nice=False, zero=False)
    yscale = alt.Scale(domain=ydom, nice=False, zero=False)
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("outcome:Q", format=".1f", title=f"outcome ({suffix})"),
        alt.Tooltip("outcome_lcl95:Q", format=".1f"),
        alt.Tooltip("outcome_ucl95:Q", format=".1f"),
        alt.Tooltip("cost:Q", format=",.0f", title="adjusted cost (EUR)"),
        alt.Tooltip("cost_lcl95:Q", format=",.0f"),
        alt.Tooltip("cost_ucl95:Q", format=",.0f"),
        alt.Tooltip("quadrant:N"),
    ]
    base = alt.Chart(data)
    x = alt.X("cost:Q", title=x_title, scale=xscale, axis=alt.Axis(format=",.0f"))
    y = alt.Y("outcome:Q", title=y_title, scale=yscale)
    points = base.mark_point(filled=True, opacity=1).encode(
        x=x,
        y=y,
        color=colour,
        size=alt.condition(alt.datum.is_highlight, alt.value(260), alt.value(110)),
        shape=alt.condition(alt.datum.is_highlight, alt.value("diamond"), alt.value("circle")),
        tooltip=tooltip,
    )
    interval_colour = alt.condition(
        alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value("#9DB8D3")
    )
    xbars = base.mark_rule(strokeWidth=1.2, opacity=0.7).encode(
        x=alt.X("cost_lcl95:Q", scale=xscale), x2="cost_ucl95:Q", y=y, color=interval_colour
    )
    ybars = base.mark_rule(strokeWidth=1.2, opacity=0.7).encode(
        y=alt.Y("outcome_lcl95:Q", scale=yscale), y2="outcome_ucl95:Q", x=x, color=interval_colour
    )
    labels = (
        base.transform_filter(~alt.datum.is_highlight)
        .mark_text(align="left", dx=9, dy=-9, fontSize=13, color=NEUTRAL)
        .encode(x=x, y=y, text="unit:N")
    )
    hlabels = (
        base.transform_filter(alt.datum.is_highlight)
        .mark_text(align="left", dx=11, dy=-11, fontSize=15, fontWeight="bold", color=HIGHLIGHT)
        .encode(x=x, y=y, text="unit:N")
    )
    lines = pd.DataFrame(
        {"overall_cost": [view.overall_cost], "overall_outcome": [view.overall_outcome]}
    )
    vline = (
        alt.Chart(lines)
        .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=alt.X("overall_cost:Q", scale=xscale))
    )
    hline = (
        alt.Chart(lines)
        .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(y=alt.Y("overall_outcome:Q", scale=yscale))
    )
    # Corner captions: which quadrant is which (cost: lower is better).
    if view.better == "neither":
        top, bottom = "higher rate", "lower rate"
    else:
        top, bottom = (
            ("better outcome", "worse outcome")
            if view.better == "higher"
            else ("worse outcome", "better outcome")
        )
    corners = pd.DataFrame(
        {
            "x": [xdom[0], xdom[1], xdom[0], xdom[1]],
            "y": [ydom[1], ydom[1], ydom[0], ydom[0]],
            "text": [
                f"{top}, lower cost",
                f"{top}, higher cost",
                f"{bottom}, lower cost",
                f"{bottom}, higher cost",
            ],
            "align": ["left", "right", "left", "right"],
            "baseline": ["top", "top", "bottom", "bottom"],
        }
    )
    corner_layers = [
        alt.Chart(corners[(corners["align"] == a) & (corners["baseline"] == b)])
        .mark_text(align=a, baseline=b, dx=6 if a == "left" else -6, fontSize=12, color="#777777")
        .encode(x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), text="text:N")
        for a in ("left", "right")
        for b in ("top", "bottom")
    ]
    subtitle = [
        f"Dashed lines: overall means ({view.overall_outcome:.1f}"
        f"{suffix if suffix == '%' else ' ' + suffix}; "
        f"EUR {view.overall_cost:,.0f}). Bars: 95% intervals.",
        f"Outcome: {view.outcome_method}.",
    ]
    chart = alt.layer(
        points, xbars, ybars, labels, hlabels, vline, hline, *corner_layers
    ).properties(
        width=620,
        height=460,
        title=alt.TitleParams(
            f"Value: {_short(view.outcome_label)} against cost, per {view.unit_type}",
            subtitle=subtitle,
            anchor="start",
        ),
    )
    return configure(chart)


def cost_drivers_chart(drivers: pd.DataFrame, highlight: str | list[str] | None = None) -> Any:
    """Cost drivers per unit: share of pregnancies with each driver, and their mean cost.

    Left: one dot per unit for each driver's share (tick: all units together). Right:
    mean cost per pregnancy with the driver, one dot per unit, next to the mean
    without it (hollow). ``highlight`` units are drawn in the highlight colour.

    Parameters
    ----------
    drivers : DataFrame
        From :func:`saz_geboortezorg.derive.costs.cost_drivers`.
    highlight : str or list of str, optional

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A", "B"], "driver": ["caesarean"] * 2,
    ...     "label": ["Caesarean section"] * 2, "n": [100, 200], "count": [10, 40],
    ...     "share": [0.1, 0.2], "share_lcl95": [0.05, 0.15], "share_ucl95": [0.17, 0.26],
    ...     "overall_share": [0.1667] * 2, "mean_cost": [3000.0, 3500.0],
    ...     "mean_cost_with": [6000.0, 6500.0], "mean_cost_without": [2700.0, 2750.0],
    ...     "cost_share": [0.2, 0.37]})
    >>> spec = cost_drivers_chart(d, highlight="A").to_dict()
    >>> len(spec["hconcat"])
    2
    """
    import altair as alt

    data = drivers.copy()
    data["unit"] = data["unit"].astype(str)
    data["is_highlight"] = data["unit"].isin(_highlights(highlight))
    order = list(dict.fromkeys(data["label"]))
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    size = alt.condition(alt.datum.is_highlight, alt.value(200), alt.value(70))
    opacity = alt.condition(alt.datum.is_highlight, alt.value(1.0), alt.value(0.55))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("label:N", title="driver"),
        alt.Tooltip("share:Q", format=".1%"),
        alt.Tooltip("share_lcl95:Q", format=".1%"),
        alt.Tooltip("share_ucl95:Q", format=".1%"),
        alt.Tooltip("mean_cost_with:Q", format=",.0f", title="mean cost with (EUR)"),
        alt.Tooltip("mean_cost_without:Q", format=",.0f", title="mean cost without (EUR)"),
        alt.Tooltip("cost_share:Q", format=".0%", title="share of cost"),
    ]
    base = alt.Chart(data)
    # Highlighted units last, so they are drawn on top.
    ordered = alt.Order("is_highlight:N", sort="ascending")
    share = alt.layer(
        base.mark_tick(color=NEUTRAL, thickness=3, size=26).encode(x=alt.X("overall_share:Q"), y=y),
        base.mark_point(filled=True).encode(
            x=alt.X("share:Q", title="Share of pregnancies", axis=alt.Axis(format=".0%")),
            y=y,
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
    ).properties(width=380, height=alt.Step(40), title="Share of pregnancies (tick: all units)")
    cost = alt.layer(
        base.mark_point(filled=False, strokeWidth=1.5).encode(
            x=alt.X("mean_cost_without:Q"),
            y=alt.Y("label:N", sort=order, title=None, axis=None),
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
        base.mark_point(filled=True).encode(
            x=alt.X(
                "mean_cost_with:Q",
                title="Mean cost per pregnancy (EUR, log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format=",.0f"),
            ),
            y=alt.Y("label:N", sort=order, title=None, axis=None),
            color=colour,
            size=size,
            opacity=opacity,
            order=ordered,
            tooltip=tooltip,
        ),
    ).properties(width=380, height=alt.Step(40), title="Mean cost: with (filled), without (hollow)")
    subtitle = "One dot per unit"
    if data["is_highlight"].any():
        subtitle += f"; highlighted: {', '.join(sorted(_highlights(highlight)))}"
    chart = alt.hconcat(share, cost).properties(
        title=alt.TitleParams("Cost drivers per unit", subtitle=subtitle, anchor="start")
    )
    return configure(chart)
