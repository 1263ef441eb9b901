"""Shared chart style: a colour-blind-safe palette and projector-friendly sizes.

The palette is Okabe & Ito (2008), "Color Universal Design", safe for the common
forms of colour-vision deficiency. Mirror meetings show charts on a shared screen,
so fonts are larger than altair's defaults.
"""

from __future__ import annotations

from typing import Any

#: Okabe-Ito palette (black omitted): orange, sky blue, bluish green, yellow, blue,
#: vermillion, reddish purple, grey.
PALETTE: list[str] = [
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
]

#: Colours with a fixed meaning across the toolkit.
HIGHLIGHT = "#D55E00"  # 'my unit'
NEUTRAL = "#4D4D4D"

FONT_SIZE = 14
TITLE_SIZE = 16


def configure(chart: Any) -> Any:
    """Apply the toolkit's fonts to an altair chart (returns a new chart).

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> c = configure(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x"))
    >>> c.to_dict()["config"]["axis"]["labelFontSize"]
    14
    """
    return (
        chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_title(fontSize=TITLE_SIZE)
        .configure_view(strokeWidth=0)
    )
