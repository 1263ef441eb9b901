"""Equity charts: an indicator by SES quintile per unit, and the slope index per unit.

The statistics come from :mod:`saz_geboortezorg.compare.equity` and
:func:`saz_geboortezorg.compare.subgroups.group_rates`; these functions only draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = ["gradient_chart", "sii_chart"]

_UNIT_LABEL = {"percent": "%", "per_1000": "per 1,000"}


def _measure(table: pd.DataFrame) -> str:
    if "measure" in table.columns and len(table):
        return _UNIT_LABEL.get(str(table["measure"].iloc[0]), str(table["measure"].iloc[0]))
    return ""


def gradient_chart(
    rates: pd.DataFrame,
    *,
    unit: str = "region",
    group: str = "ses_quintile",
    order: Sequence[str] = ("1", "2", "3", "4", "5"),
    overall: pd.DataFrame | None = None,
    sii: pd.DataFrame | None = None,
    highlight: str | None = None,
    group_title: str = "SES quintile (1 = most deprived)",
    title: str | None = None,
) -> Any:
    """Rate by group (e.g. SES quintile), one line per unit, the highlighted unit on top.

    Parameters
    ----------
    rates : DataFrame
        Rates per unit and group from ``group_rates(data, ind, by=[unit, group])``.
    unit, group : str
        Column names in ``rates``.
    order : sequence of str
        Groups in axis order; other groups (``unknown``) are not drawn.
    overall : DataFrame, optional
        Rates per group for everyone (``group_rates(data, ind, by=group)``): a thick
        dark line.
    sii : DataFrame, optional
        Output of :func:`~saz_geboortezorg.compare.equity.slope_index` or
        ``equity_table`` (columns ``unit``, ``sii``, ``sii_lcl``, ``sii_ucl``): the
        SII of the highlighted unit and of ``all`` are written in the subtitle.
    highlight : str, optional
        The unit to draw in the highlight colour, with its 95% intervals.
    group_title : str
        Axis title of the groups.
    title : str, optional
        Chart title (default: the indicator id).

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.DataFrame({"indicator": "big4", "region": ["A", "A", "B", "B"],
    ...     "ses_quintile": ["1", "5", "1", "5"], "measure": "percent",
    ...     "rate": [20.0, 15.0, 18.0, 16.0], "wilson_lcl": [18.0, 13.0, 16.0, 14.0],
    ...     "wilson_ucl": [22.0, 17.0, 20.0, 18.0], "denominator": 100, "numerator": 20})
    >>> sii = pd.DataFrame({"unit": ["all", "A"], "sii": [4.0, 6.0], "sii_lcl": [2.0, 1.0],
    ...                     "sii_ucl": [6.0, 11.0]})
    >>> chart = gradient_chart(rates, order=["1", "5"], sii=sii, highlight="A")
    >>> "SII" in str(chart.to_dict()["title"]["subtitle"])
    True
    """
    import altair as alt

    order = [str(g) for g in order]
    measure = _measure(rates)
    data = rates[rates[group].astype(str).isin(order)].dropna(subset=["rate"])
    data = data.assign(
        _unit=data[unit].astype(str),
        _group=data[group].astype(str),
        _mine=data[unit].astype(str) == str(highlight),
    )
    x = alt.X("_group:N", sort=order, title=group_title, axis=alt.Axis(labelAngle=0))
    y_title = f"rate ({measure})" if measure else "rate"
    tooltip = [
        alt.Tooltip("_unit:N", title=unit),
        alt.Tooltip("_group:N", title=group),
        alt.Tooltip("rate:Q", format=".2f"),
        alt.Tooltip("numerator:Q", format=","),
        alt.Tooltip("denominator:Q", format=","),
    ]
    others = (
        alt.Chart(data[~data["_mine"]])
        .mark_line(color=PALETTE[7], opacity=0.45, strokeWidth=1.2, point=False)
        .encode(
            x=x,
            y=alt.Y("rate:Q", title=y_title, scale=alt.Scale(zero=False)),
            detail="_unit:N",
            tooltip=tooltip,
        )
    )
    layers = [others]
    if overall is not None and len(overall):
        o = overall[overall[group].astype(str).isin(order)].assign(
            _group=lambda d: d[group].astype(str)
        )
        layers.append(
            alt.Chart(o)
            .mark_line(color=NEUTRAL, strokeWidth=3, point=alt.OverlayMarkDef(color=NEUTRAL))
            .encode(
                x=x,
                y="rate:Q",
                tooltip=[alt.Tooltip("_group:N"), alt.Tooltip("rate:Q", format=".2f")],
            )
        )
    mine = data[data["_mine"]]
    if len(mine):
        base = alt.Chart(mine).encode(x=x)
        layers.append(
            base.mark_rule(color=HIGHLIGHT, strokeWidth=2).encode(
                y="wilson_lcl:Q", y2="wilson_ucl:Q"
            )
        )
        layers.append(
            base.mark_line(
                color=HIGHLIGHT, strokeWidth=3, point=alt.OverlayMarkDef(color=HIGHLIGHT, size=70)
            ).encode(y="rate:Q", tooltip=tooltip)
        )
    subtitle = ["grey: each unit"]
    if overall is not None:
        subtitle[0] += "; dark: all units together"
    if len(mine):
        subtitle[0] += f"; orange: {highlight} with 95% intervals"
    if sii is not None and len(sii):
        s = sii.set_index(sii["unit"].astype(str))
        parts = []
        for name in ("all", str(highlight)):
            if name in s.index and pd.notna(s.loc[name, "sii"]):
                r = s.loc[name]
                parts.append(
                    f"{'all units' if name == 'all' else name}: SII {r['sii']:.1f} "
                    f"(95% CI {r['sii_lcl']:.1f} to {r['sii_ucl']:.1f})"
                )
        if parts:
            subtitle.append(
                "Slope index of inequality (most minus least deprived, "
                + measure
                + "): "
                + "; ".join(parts)
            )
    default = str(rates["indicator"].iloc[0]) if "indicator" in rates.columns and len(rates) else ""
    chart = alt.layer(*layers).properties(
        title=alt.TitleParams(title or default, subtitle=subtitle), width=460, height=300
    )
    return configure(chart)


def sii_chart(
    table: pd.DataFrame,
    *,
    highlight: str | None = None,
    title: str | None = None,
) -> Any:
    """Slope index of inequality per unit with its 95% interval, sorted, zero line.

    Parameters
    ----------
    table : DataFrame
        ``equity_table`` output (``unit``, ``sii``, ``sii_lcl``, ``sii_ucl``, ``n``;
        the ``all`` row is drawn as a dashed reference line).
    highlight : str, optional
        The unit to draw in the highlight colour.
    title : str, optional
        Chart title.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": "big4", "unit": ["all", "A", "B"], "n": [200, 100, 100],
    ...                   "sii": [4.0, 6.0, 2.0], "sii_lcl": [2.0, 1.0, -3.0],
    ...                   "sii_ucl": [6.0, 11.0, 7.0]})
    >>> len(sii_chart(t, highlight="A").to_dict()["layer"])
    4
    """
    import altair as alt

    data = table[table["unit"].astype(str) != "all"].dropna(subset=["sii"])
    data = data.assign(
        _unit=data["unit"].astype(str), _mine=data["unit"].astype(str) == str(highlight)
    )
    order = data.sort_values("sii")["_unit"].tolist()
    colour = alt.condition(alt.datum._mine, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    base = alt.Chart(data).encode(y=alt.Y("_unit:N", sort=order, title=None))
    tooltip = [
        alt.Tooltip("_unit:N", title="unit"),
        alt.Tooltip("sii:Q", format=".2f"),
        alt.Tooltip("sii_lcl:Q", format=".2f"),
        alt.Tooltip("sii_ucl:Q", format=".2f"),
        alt.Tooltip("n:Q", format=","),
    ]
    whiskers = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("sii_lcl:Q", title="SII: most minus least deprived (fitted)"),
        x2="sii_ucl:Q",
        color=colour,
    )
    points = base.mark_point(filled=True, size=90).encode(x="sii:Q", color=colour, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=NEUTRAL).encode(x="x:Q")
    overall = table[table["unit"].astype(str) == "all"]
    ref = (
        alt.Chart(overall).mark_rule(strokeDash=[6, 4], color=NEUTRAL).encode(x="sii:Q")
        if len(overall)
        else alt.Chart(pd.DataFrame({"sii": []})).mark_rule()
    )
    default = str(table["indicator"].iloc[0]) if "indicator" in table.columns and len(table) else ""
    chart = alt.layer(whiskers, points, zero, ref).properties(
        title=alt.TitleParams(
            title or f"Slope index of inequality: {default}",
            subtitle="dot: SII; bar: 95% interval; solid line: no gradient; dashed: all units",
        ),
        width=460,
        height=alt.Step(22),
    )
    return configure(chart)
