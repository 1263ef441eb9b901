"""Caterpillar plot: unit effects with intervals, sorted (e.g. shrunken odds ratios).

Takes a tidy table with one row per unit and columns ``unit``, ``estimate``, ``lower``,
``upper`` (names configurable), such as the shrunken unit effects of a case-mix model,
and draws them sorted by estimate with a reference line (1 for ratios). It draws only;
the effects and intervals come from the model.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.present.inline_data import chart_data
from saz_geboortezorg.present.style import HIGHLIGHT, NEUTRAL, PALETTE, configure

__all__ = ["caterpillar_chart", "TEXT"]

#: Words of the chart in English and Dutch (``language=``); English tooltips show the
#: column names.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Unit effects",
        "subtitle": "dot: estimate; bar: {interval}; sorted",
        "reference": "; dashed line: {reference}",
        "interval": "95% interval",
        "unit": "",
        "estimate": "",
        "lower": "",
        "upper": "",
    },
    "nl": {
        "title": "Effecten per eenheid",
        "subtitle": "punt: schatting; balk: {interval}; gesorteerd",
        "reference": "; stippellijn: {reference}",
        "interval": "95%-interval",
        "unit": "eenheid",
        "estimate": "schatting",
        "lower": "ondergrens",
        "upper": "bovengrens",
    },
}


@functools.cache
def _style() -> Any:
    """The toolkit's chart config (:func:`~saz_geboortezorg.present.style.configure`'s),
    made once. Given to the chart's constructor, it saves the four copies of the whole
    chart that ``configure`` makes (a third of a redraw's building time)."""
    import altair as alt

    return configure(alt.Chart()).config


def _title(text: str) -> dict[str, str]:
    return {"title": text} if text else {}


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
    title: str | None = "",
    x_title: str = "odds ratio",
    interval_label: str | None = None,
    horizontal: bool = False,
    language: str = "en",
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
    title : str, optional
        Chart title; default "Unit effects" (Dutch: "Effecten per eenheid"); None for none.
    x_title : str
        Title of the effect axis.
    interval_label : str, optional
        What the bars are, for the subtitle; default "95% interval" ("95%-interval").
    horizontal : bool
        Units along the x axis (for many units) instead of down the y axis.
    language : {"en", "nl"}
        Subtitle, tooltips and default title in English or Dutch.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"unit": ["A", "B", "C"], "estimate": [0.8, 1.3, 1.0],
    ...                   "lower": [0.6, 1.05, 0.7], "upper": [1.05, 1.6, 1.4]})
    >>> spec = caterpillar_chart(e, highlight="C").to_dict()
    >>> spec["layer"][1]["encoding"]["y"]["sort"]
    ['A', 'C', 'B']
    >>> caterpillar_chart(e, language="nl").to_dict()["title"]["subtitle"]
    'punt: schatting; balk: 95%-interval; gesorteerd; stippellijn: 1'
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

    if language not in TEXT:
        raise ValueError(f"language must be one of {', '.join(TEXT)}, not {language!r}")
    words = TEXT[language]
    value_axis, unit_axis = ("y", "x") if horizontal else ("x", "y")
    V = alt.Y if horizontal else alt.X
    V2 = alt.Y2 if horizontal else alt.X2
    U = alt.X if horizontal else alt.Y
    # typed channels with their conditions (a shorthand dict makes altair rebuild a schema)
    highlighted = "datum.is_highlight"
    colour = alt.ColorValue(PALETTE[4], condition={"test": highlighted, "value": HIGHLIGHT})
    axis_options: dict[str, Any] = {}
    if highlights:  # the highlighted unit's label in bold, too
        test = f"indexof({json.dumps(sorted(highlights))}, datum.value) >= 0"
        axis_options["labelFontWeight"] = {
            "condition": {"test": test, "value": "bold"},
            "value": "normal",
        }
    unit_enc = U(
        field="unit",
        type="nominal",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelAngle=-90 if horizontal else 0,
            labelFontSize=12 if len(order) > 40 else 14,
            **axis_options,
        ),
    )
    tooltip = [
        alt.Tooltip(field="unit", type="nominal", **_title(words["unit"])),
        alt.Tooltip(
            field="estimate", type="quantitative", format=".3f", **_title(words["estimate"])
        ),
        alt.Tooltip(field="lower", type="quantitative", format=".3f", **_title(words["lower"])),
        alt.Tooltip(field="upper", type="quantitative", format=".3f", **_title(words["upper"])),
    ]
    base = alt.Chart(chart_data(data))
    bars = base.mark_rule(strokeWidth=2.5).encode(
        **{unit_axis: unit_enc},
        **{value_axis: V(field="lower", type="quantitative", title=x_title, scale=scale)},
        **{value_axis + "2": V2(field="upper")},
        color=colour,
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=80, opacity=1).encode(
        **{unit_axis: unit_enc},
        **{value_axis: V(field="estimate", type="quantitative", scale=scale)},
        color=colour,
        shape=alt.ShapeValue("circle", condition={"test": highlighted, "value": "diamond"}),
        size=alt.SizeValue(80, condition={"test": highlighted, "value": 200}),
        tooltip=tooltip,
    )
    layers = [bars, points]
    if reference is not None:
        ref_enc = {value_axis: V(field="reference", type="quantitative", scale=scale)}
        layers.append(
            alt.Chart(chart_data(pd.DataFrame({"reference": [reference]})))
            .mark_rule(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
            .encode(**ref_enc)
        )
    interval = words["interval"] if interval_label is None else interval_label
    subtitle = words["subtitle"].format(interval=interval)
    if reference is not None:
        subtitle += words["reference"].format(reference=f"{reference:.4g}")
    if title == "":
        title = words["title"]
    step = alt.Step(14 if len(order) > 40 else 22)
    size = {"width": step, "height": 360} if horizontal else {"width": 520, "height": step}
    return alt.LayerChart(
        layer=layers,
        title=alt.TitleParams(title or "", subtitle=subtitle, anchor="start"),
        config=_style().copy(),
        **size,
    )
