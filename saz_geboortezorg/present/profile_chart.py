"""Charts of the descriptive profiles in :mod:`saz_geboortezorg.derive.profile`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import PALETTE, configure

__all__ = ["place_of_birth_chart"]

#: Fixed colours per place of birth (Okabe-Ito), so every chart uses the same ones.
PLACE_COLOURS = {
    "home": PALETTE[0],
    "birth_centre": PALETTE[3],
    "hospital_midwife": PALETTE[2],
    "hospital_obstetrician": PALETTE[4],
    "unknown": PALETTE[7],
}


def _colour(place: str) -> str:
    return PLACE_COLOURS.get(place, PALETTE[7])


def place_of_birth_chart(
    table: pd.DataFrame,
    *,
    highlight: str | None = None,
    language: str = "en",
    title: str | None = None,
) -> Any:
    """Stacked horizontal bars: where women gave birth, per unit.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`saz_geboortezorg.derive.profile.place_of_birth`.
    highlight : str, optional
        A unit to mark (its label gets an arrow), e.g. 'my region'.
    language : {"en", "nl"}
        Language of the labels.
    title : str, optional
        Chart title; a sensible default in the chosen language.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.profile import place_of_birth
    >>> w = pd.DataFrame({"region_id": ["R1", "R2"], "actual_place": ["home", "birth_centre"]})
    >>> chart = place_of_birth_chart(place_of_birth(w), highlight="R1")
    >>> chart.to_dict()["mark"]["type"]
    'bar'
    """
    import altair as alt

    if language not in ("en", "nl"):
        raise ValueError("language must be 'en' or 'nl'")
    label_col = f"label_{language}"
    order = list(dict.fromkeys(table[label_col]))
    places = list(dict.fromkeys(table["place"]))
    data = table.assign(
        unit_label=table["unit"].map(lambda u: f"▶ {u}" if u == highlight else str(u)),
        order=table["place"].map({p: i for i, p in enumerate(dict.fromkeys(table["place"]))}),
    )
    texts = {
        "en": ("Place of birth per unit", "share of women (%)", "place of birth", "unit"),
        "nl": (
            "Plaats van bevalling per eenheid",
            "aandeel vrouwen (%)",
            "plaats baring",
            "eenheid",
        ),
    }[language]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("unit_label:N", title=texts[3], sort=None),
            x=alt.X("pct:Q", title=texts[1], scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                f"{label_col}:N",
                title=texts[2],
                scale=alt.Scale(domain=order, range=[_colour(p) for p in places]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit:N", title=texts[3]),
                alt.Tooltip(f"{label_col}:N", title=texts[2]),
                alt.Tooltip("n:Q", title="n"),
                alt.Tooltip("pct:Q", title="%", format=".1f"),
            ],
        )
    )
    chart = bars.properties(title=title or texts[0], width=520, height=alt.Step(22))
    return configure(chart)
