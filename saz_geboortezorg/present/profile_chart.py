"""Charts of the descriptive profiles in :mod:`saz_geboortezorg.derive.profile`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from saz_geboortezorg.present.stacked_shares import level_name, marked, stacked_shares_chart
from saz_geboortezorg.present.style import PALETTE

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.derive.profile import PlaceOfBirth

__all__ = ["place_of_birth_chart"]


def _field(result: Any, name: str) -> Any:
    """A field of a result; None for a plain DataFrame (whose attributes are columns)."""
    return None if isinstance(result, pd.DataFrame) else getattr(result, name, None)


def _table(result: Any) -> pd.DataFrame:
    """The table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


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
    table: PlaceOfBirth | pd.DataFrame,
    *,
    highlight: str | None = None,
    language: str = "en",
    title: str | None = None,
    unit: str | None = None,
) -> Any:
    """Stacked horizontal bars: where women gave birth, per unit.

    Parameters
    ----------
    table : PlaceOfBirth or DataFrame
        From :func:`saz_geboortezorg.derive.profile.place_of_birth` (or its ``table``).
    highlight : str, optional
        A unit to mark (a bold label with ► in front), e.g. 'my region'.
    language : {"en", "nl"}
        Language of the labels.
    title : str, optional
        Chart title; a sensible default in the chosen language.
    unit : str, optional
        The unit level (``"region_id"``, ``"hospital"``, ...) for the axis title;
        default the result's ``unit``; "unit" for a plain table.

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
    if language not in ("en", "nl"):
        raise ValueError("language must be 'en' or 'nl'")
    if unit is None:
        unit = _field(table, "unit")
    table = _table(table)
    label_col = f"label_{language}"
    order = list(dict.fromkeys(table[label_col]))
    places = list(dict.fromkeys(table["place"]))
    data = table.assign(
        unit_label=table["unit"].map(lambda u: marked(u, highlight)),
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
    return stacked_shares_chart(
        data,
        label=label_col,
        domain=order,
        colours=[_colour(p) for p in places],
        x_title=texts[1],
        y_title=level_name(unit, language) if unit else texts[3],
        legend_title=texts[2],
        title=title or texts[0],
        highlight=highlight,
    )
