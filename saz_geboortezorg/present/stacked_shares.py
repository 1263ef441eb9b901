"""One stacked horizontal bar per unit, splitting 100% of its women into categories.

The shared drawing behind the place-of-birth, care-flow stage and referral-reason
charts: those functions prepare labels, order and colours; this one draws.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.present.style import configure

__all__ = ["stacked_shares_chart", "HIGHLIGHT_MARKER", "marked", "level_name"]

#: Prefix of the highlighted unit's axis label ('my region'). U+25BA is in the WGL4
#: character set that common sans-serif fonts cover (Arial, Helvetica, DejaVu Sans,
#: Liberation Sans) and in the fonts vl-convert uses for PNG/SVG export, so the label
#: keeps the chart's font; U+25B6 (the former marker) is not, and made vl-convert draw
#: the whole label in a serif fallback font.
HIGHLIGHT_MARKER = "► "

#: Unit levels as axis titles: level (or its column) -> English and Dutch name.
_LEVEL_NAMES = {
    "region": {"en": "region", "nl": "regio"},
    "hospital": {"en": "hospital", "nl": "ziekenhuis"},
    "practice": {"en": "midwifery practice", "nl": "verloskundigenpraktijk"},
    None: {"en": "unit", "nl": "eenheid"},
}


def marked(unit: Any, highlight: Any = None) -> str:
    """A unit's axis label: with :data:`HIGHLIGHT_MARKER` in front when it is the
    highlighted unit.

    Examples
    --------
    >>> marked("R05", "R05"), marked("R04", "R05"), marked("R04")
    ('► R05', 'R04', 'R04')
    """
    text = str(unit)
    return f"{HIGHLIGHT_MARKER}{text}" if highlight is not None and text == str(highlight) else text


@renamed_arguments(level="unit")
def level_name(unit: str | None, language: str = "en") -> str:
    """Name of a unit level for titles: ``"region_id"`` or ``"region"`` -> ``"region"``.

    Parameters
    ----------
    unit : str or None
        ``region``, ``hospital``, ``practice`` or their columns (``region_id``, ...);
        another column name is returned as it is; None gives "unit" ("eenheid").
    language : {"en", "nl"}

    Examples
    --------
    >>> level_name("practice_id"), level_name("region", "nl"), level_name(None)
    ('midwifery practice', 'regio', 'unit')
    >>> level_name("ses_quintile")
    'ses_quintile'
    """
    key = unit[:-3] if isinstance(unit, str) and unit.endswith("_id") else unit
    if key in _LEVEL_NAMES:
        return _LEVEL_NAMES[key][language]
    return str(unit)


def stacked_shares_chart(
    data: pd.DataFrame,
    *,
    label: str,
    domain: list[str],
    colours: list[str],
    x_title: str,
    y_title: str,
    legend_title: str,
    title: str,
    legend_label_limit: int | None = None,
    highlight: str | None = None,
) -> Any:
    """Stacked shares per unit.

    Parameters
    ----------
    data : DataFrame
        One row per unit and category with ``unit``, ``unit_label`` (the y-axis text),
        ``order`` (stacking order of the category), ``n``, ``pct`` and the ``label``
        column.
    label : str
        Column with the category label shown in the legend.
    domain, colours : list of str
        Legend labels in display order and their colours.
    x_title, y_title, legend_title, title : str
        Texts, already in the chosen language.
    legend_label_limit : int, optional
        Pixel width before legend labels are cut (default: altair's).
    highlight : str, optional
        A ``unit`` whose axis label is drawn in bold ('my region'; the callers also
        put :data:`HIGHLIGHT_MARKER` in front of its ``unit_label``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["R1", "R1"], "unit_label": ["R1", "R1"], "order": [0, 1],
    ...                   "n": [3, 1], "pct": [75.0, 25.0], "lab": ["home", "hospital"]})
    >>> spec = stacked_shares_chart(d, label="lab", domain=["home", "hospital"],
    ...     colours=["#E69F00", "#0072B2"], x_title="%", y_title="unit", legend_title="place",
    ...     title="Place of birth").to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["color"]["scale"]["range"]
    ('bar', ['#E69F00', '#0072B2'])
    >>> bold = stacked_shares_chart(d, label="lab", domain=["home", "hospital"],
    ...     colours=["#E69F00", "#0072B2"], x_title="%", y_title="region",
    ...     legend_title="place", title="Place of birth", highlight="R1").to_dict()
    >>> bold["encoding"]["y"]["axis"]["labelFontWeight"]["condition"]["value"]
    'bold'
    """
    import altair as alt

    legend = (
        alt.Legend(orient="right", labelLimit=legend_label_limit)
        if legend_label_limit
        else alt.Undefined
    )
    axis: Any = alt.Undefined
    if highlight is not None:
        labels = data.loc[data["unit"].astype(str) == str(highlight), "unit_label"]
        if len(labels):
            axis = alt.Axis(
                labelFontWeight=alt.condition(
                    alt.datum.value == str(labels.iloc[0]), alt.value("bold"), alt.value("normal")
                )
            )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("unit_label:N", title=y_title, sort=None, axis=axis),
            x=alt.X("pct:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                f"{label}:N",
                title=legend_title,
                scale=alt.Scale(domain=domain, range=colours),
                legend=legend,
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit:N", title=y_title),
                alt.Tooltip(f"{label}:N", title=legend_title),
                alt.Tooltip("n:Q", title="n"),
                alt.Tooltip("pct:Q", title="%", format=".1f"),
            ],
        )
        .properties(title=title, width=520, height=alt.Step(22))
    )
    return configure(chart)
