"""Chart of an indicator per unit: rate with its interval, sorted, with the overall rate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

if TYPE_CHECKING:
    from saz_geboortezorg.indicators.indicator_rates import IndicatorRates

__all__ = ["rate_chart"]

_UNIT_LABEL = {"percent": "%", "per_1000": "per 1,000", "euro": "EUR"}


def rate_chart(
    table: pd.DataFrame | IndicatorRates,
    *,
    overall: float | None = None,
    highlight: str | None = None,
    interval: str = "wilson",
    title: str | None = None,
) -> Any:
    """Dot-and-whisker chart of an indicator per unit, sorted by rate.

    Parameters
    ----------
    table : IndicatorRates or DataFrame
        What :func:`saz_geboortezorg.compute` returns, or its ``.table`` (one row per
        unit).
    overall : float, optional
        The overall rate, drawn as a vertical reference line (``result.target``, or
        compute it with ``unit="all"``). ``result.chart()`` passes it.
    highlight : str, optional
        A unit to draw in the highlight colour ('my hospital').
    interval : {"wilson", "exact", "mean"}
        Which interval columns to draw.
    title : str, optional
        Chart title (default: the indicator id).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg import compute
    >>> w = pd.DataFrame({"hospital_id": list("AABB"), "ga_days": [280] * 4,
    ...                   "cs": [1, 0, 0, 0]})
    >>> chart = rate_chart(compute(w, "cs"), overall=25.0, highlight="A")
    >>> len(chart.to_dict()["layer"])
    3
    >>> spec = compute(w, "cs").chart(highlight="A").to_dict()  # the result draws itself
    >>> spec["datasets"][spec["layer"][2]["data"]["name"]]
    [{'overall': 25.0}]
    """
    import altair as alt

    if not isinstance(table, pd.DataFrame):  # a result of compute: draw its table
        table = table.table
    lcl, ucl = f"{interval}_lcl", f"{interval}_ucl"
    missing = [c for c in ("unit", "rate", lcl, ucl) if c not in table.columns]
    if missing:
        raise ValueError(f"rate_chart needs column(s) {', '.join(missing)} from compute()")
    measure = table["measure"].iloc[0] if "measure" in table.columns and len(table) else "percent"
    axis_title = f"rate ({_UNIT_LABEL.get(measure, measure)})"
    data = table.dropna(subset=["rate"]).assign(
        is_highlight=lambda d: d["unit"].astype(str) == str(highlight)
    )
    order = data.sort_values("rate")["unit"].astype(str).tolist()
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    base = alt.Chart(data).encode(y=alt.Y("unit:N", sort=order, title=None))
    whiskers = base.mark_rule(strokeWidth=2).encode(
        x=alt.X(f"{lcl}:Q", title=axis_title, scale=alt.Scale(zero=False)),
        x2=f"{ucl}:Q",
        color=colour,
    )
    tooltip = [alt.Tooltip("unit:N"), alt.Tooltip("rate:Q", format=".2f")]
    tooltip += [
        alt.Tooltip(f"{c}:Q", format=",") for c in ("numerator", "denominator") if c in data
    ]
    tooltip += [alt.Tooltip(lcl, format=".2f"), alt.Tooltip(ucl, format=".2f")]
    points = base.mark_point(filled=True, size=90).encode(x="rate:Q", color=colour, tooltip=tooltip)
    reference = pd.DataFrame({"overall": [overall]}) if overall is not None else pd.DataFrame()
    line = (
        alt.Chart(reference).mark_rule(strokeDash=[6, 4], color=NEUTRAL).encode(x="overall:Q")
        if overall is not None
        else alt.Chart(pd.DataFrame({"x": []})).mark_rule()
    )
    default_title = (
        table["indicator"].iloc[0] if "indicator" in table.columns and len(table) else ""
    )
    subtitle = f"dot: rate; bar: 95% {interval} interval"
    if overall is not None:
        subtitle += "; dashed line: overall rate"
    chart = alt.layer(whiskers, points, line).properties(
        title=alt.TitleParams(title or default_title, subtitle=subtitle),
        width=480,
        height=alt.Step(22),
    )
    return configure(chart)
