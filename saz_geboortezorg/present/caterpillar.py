"""Caterpillar plot: unit effects with intervals, sorted (e.g. shrunken odds ratios).

Takes a tidy table with one row per unit and columns ``unit``, ``estimate``, ``lower``,
``upper`` (names configurable), such as the shrunken unit effects of a case-mix model,
and draws them sorted by estimate with a reference line (1 for ratios). It draws only;
the effects and intervals come from the model.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = ["caterpillar_chart"]


def caterpillar_chart(
    effects: pd.DataFrame,
    *,
    unit: str = "unit",
    estimate: str = "estimate",
    lower: str = "lower",
    upper: str = "upper",
    reference: float | None = 1.0,
    highlight: str | list[str] | None = None,
    log_scale: bool | None = None,
    title: str | None = "Unit effects",
    x_title: str = "odds ratio",
    interval_label: str = "95% interval",
    horizontal: bool = False,
) -> Any:
    """Sorted unit effects with intervals and a reference line.

    Parameters
    ----------
    effects : DataFrame
        One row per unit with the columns named by ``unit``, ``estimate``, ``lower``,
        ``upper``.
    reference : float or None
        Value drawn as a reference line (1 for odds ratios, 0 for log-odds); None for none.
    highlight : str or list of str, optional
        Unit(s) drawn in the highlight colour, as a diamond, with a bold axis label
        ('my hospital').
    log_scale : bool, optional
        Logarithmic effect axis; default: on when every value is positive and the
        reference is 1 (ratios).
    horizontal : bool
        Units along the x axis (for many units) instead of down the y axis.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"unit": ["A", "B", "C"], "estimate": [0.8, 1.3, 1.0],
    ...                   "lower": [0.6, 1.05, 0.7], "upper": [1.05, 1.6, 1.4]})
    >>> spec = caterpillar_chart(e, highlight="C").to_dict()
    >>> spec["layer"][1]["encoding"]["y"]["sort"]
    ['A', 'C', 'B']
    """
    import altair as alt

    missing = [c for c in (unit, estimate, lower, upper) if c not in effects.columns]
    if missing:
        raise ValueError(f"caterpillar_chart needs column(s) {', '.join(missing)}")
    data = pd.DataFrame(
        {
            "unit": effects[unit].astype(str).to_numpy(),
            "estimate": pd.to_numeric(effects[estimate]).to_numpy(dtype=float),
            "lower": pd.to_numeric(effects[lower]).to_numpy(dtype=float),
            "upper": pd.to_numeric(effects[upper]).to_numpy(dtype=float),
        }
    ).dropna(subset=["estimate"])
    if ((data["lower"] > data["estimate"]) | (data["upper"] < data["estimate"])).any():
        raise ValueError("caterpillar_chart: every estimate must lie within its interval")
    highlights = {str(h) for h in ([highlight] if isinstance(highlight, str) else highlight or [])}
    data["is_highlight"] = data["unit"].isin(highlights)
    order = data.sort_values(["estimate", "unit"])["unit"].tolist()
    values = data[["lower", "upper", "estimate"]].to_numpy()
    if log_scale is None:
        log_scale = bool(reference == 1 and np.nanmin(values) > 0)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if reference is not None:
        lo, hi = min(lo, reference), max(hi, reference)
    if log_scale:
        scale = alt.Scale(type="log", nice=False, domain=[lo / 1.08, hi * 1.08])
    else:
        pad = 0.04 * (hi - lo or 1.0)
        scale = alt.Scale(zero=False, nice=False, domain=[lo - pad, hi + pad])

    value_axis, unit_axis = ("y", "x") if horizontal else ("x", "y")
    V = alt.Y if horizontal else alt.X
    V2 = alt.Y2 if horizontal else alt.X2
    U = alt.X if horizontal else alt.Y
    colour = alt.condition(alt.datum.is_highlight, alt.value(HIGHLIGHT), alt.value(PALETTE[4]))
    axis_options: dict[str, Any] = {}
    if highlights:  # the highlighted unit's label in bold, too
        test = f"indexof({json.dumps(sorted(highlights))}, datum.value) >= 0"
        axis_options["labelFontWeight"] = alt.condition(
            test, alt.value("bold"), alt.value("normal")
        )
    unit_enc = U(
        "unit:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelAngle=-90 if horizontal else 0,
            labelFontSize=12 if len(order) > 40 else 14,
            **axis_options,
        ),
    )
    tooltip = [
        alt.Tooltip("unit:N"),
        alt.Tooltip("estimate:Q", format=".3f"),
        alt.Tooltip("lower:Q", format=".3f"),
        alt.Tooltip("upper:Q", format=".3f"),
    ]
    base = alt.Chart(data)
    bars = base.mark_rule(strokeWidth=2.5).encode(
        **{unit_axis: unit_enc},
        **{value_axis: V("lower:Q", title=x_title, scale=scale)},
        **{value_axis + "2": V2("upper:Q")},
        color=colour,
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=80, opacity=1).encode(
        **{unit_axis: unit_enc},
        **{value_axis: V("estimate:Q", scale=scale)},
        color=colour,
        shape=alt.condition(alt.datum.is_highlight, alt.value("diamond"), alt.value("circle")),
        size=alt.condition(alt.datum.is_highlight, alt.value(200), alt.value(80)),
        tooltip=tooltip,
    )
    layers = [bars, points]
    if reference is not None:
        ref_enc = {value_axis: V("reference:Q", scale=scale)}
        layers.append(
            alt.Chart(pd.DataFrame({"reference": [reference]}))
            .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
            .encode(**ref_enc)
        )
    subtitle = f"dot: estimate; bar: {interval_label}; sorted"
    if reference is not None:
        subtitle += f"; dashed line: {reference:g}"
    step = alt.Step(14 if len(order) > 40 else 22)
    size = {"width": step, "height": 360} if horizontal else {"width": 520, "height": step}
    chart = alt.layer(*layers).properties(
        title=alt.TitleParams(title or "", subtitle=subtitle, anchor="start"), **size
    )
    return configure(chart)
