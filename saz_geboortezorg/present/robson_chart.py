"""Chart of the WHO Robson report table (:mod:`saz_geboortezorg.derive.robson`).

One stacked horizontal bar per unit: every Robson group's contribution to the unit's
caesarean rate (caesareans in the group / all women of the unit), so the bar's length
is the unit's overall caesarean rate and its parts show where the caesareans come from.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from saz_geboortezorg.present.stacked_shares import level_name, marked
from saz_geboortezorg.present.style import PALETTE, configure

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.derive.robson import RobsonTable

__all__ = ["robson_chart"]


def _field(result: Any, name: str) -> Any:
    """A field of a result; None for a plain DataFrame (whose attributes are columns)."""
    return None if isinstance(result, pd.DataFrame) else getattr(result, name, None)


def _table(result: Any) -> pd.DataFrame:
    """The table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


_GREY = PALETTE[7]


def _group_order(group: str) -> tuple[int, str]:
    """WHO order of Robson groups (1, 2a, 2b, ..., 5.1, 5.2, ..., 10), unclassifiable last.

    >>> sorted(["10", "unclassifiable", "5.1", "2a", "3"], key=_group_order)
    ['2a', '3', '5.1', '10', 'unclassifiable']
    """
    digits = re.match(r"\d+", group)
    return (int(digits.group()) if digits else 99, group)


def robson_chart(
    table: RobsonTable | pd.DataFrame,
    *,
    highlight: str | None = None,
    language: str = "en",
    title: str | None = None,
    unit: str | None = None,
) -> Any:
    """Stacked bars: each Robson group's contribution to the caesarean rate, per unit.

    Parameters
    ----------
    table : RobsonTable or DataFrame
        From :func:`saz_geboortezorg.derive.robson.robson_table` (or its ``table``).
    highlight : str, optional
        A unit to mark (bold label with a ► in front).
    language : {"en", "nl"}
        Language of the titles.
    title : str, optional
        Chart title; a default in the chosen language.
    unit : str, optional
        The unit level for the axis title (``"hospital_id"``, ``"region"``, ...);
        default the result's ``unit``.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.derive.robson import robson_table
    >>> w = pd.DataFrame({"hospital_id": ["A", "A", "B", "B"], "robson": ["1", "5", "1", "3"],
    ...     "cs": [0, 1, 1, 0]})
    >>> spec = robson_chart(robson_table(w, unit="hospital_id"), highlight="B").to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["y"]["title"]
    ('bar', 'hospital')
    """
    import altair as alt

    if language not in ("en", "nl"):
        raise ValueError("language must be 'en' or 'nl'")
    if unit is None:
        unit = _field(table, "unit")
    frame = _table(table)
    data = frame[frame["group"] != "total"].copy()
    if "unit" not in data.columns:
        data.insert(0, "unit", "all")
    totals = frame[frame["group"] == "total"]
    totals = totals.assign(unit=totals["unit"] if "unit" in totals.columns else "all")
    rate = dict(zip(totals["unit"].astype(str), totals["cs_rate_pct"], strict=True))
    data["unit_label"] = [marked(u, highlight) for u in data["unit"].astype(str)]
    groups = sorted(dict.fromkeys(data["group"].astype(str)), key=_group_order)
    data["order"] = data["group"].map({g: i for i, g in enumerate(groups)})
    data["unit_cs_rate_pct"] = data["unit"].astype(str).map(rate)
    colours = [_GREY if g == "unclassifiable" else PALETTE[i % 7] for i, g in enumerate(groups)]
    texts = {
        "en": (
            "Contribution of each Robson group to the caesarean rate",
            "caesareans per 100 women",
            "Robson group",
        ),
        "nl": (
            "Bijdrage van elke Robson-groep aan het sectiopercentage",
            "sectio's per 100 vrouwen",
            "Robson-groep",
        ),
    }[language]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("contribution_pct:Q", stack="zero", title=texts[1]),
            y=alt.Y(
                "unit_label:N",
                sort=[marked(u, highlight) for u in dict.fromkeys(data["unit"].astype(str))],
                title=level_name(unit, language),
            ),
            color=alt.Color(
                "group:N",
                sort=groups,
                scale=alt.Scale(domain=groups, range=colours),
                legend=alt.Legend(title=texts[2]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit:N"),
                alt.Tooltip("group:N", title=texts[2]),
                alt.Tooltip("women:Q"),
                alt.Tooltip("relative_size_pct:Q", format=".1f"),
                alt.Tooltip("cs_rate_pct:Q", format=".1f"),
                alt.Tooltip("contribution_pct:Q", format=".2f"),
                alt.Tooltip("unit_cs_rate_pct:Q", format=".1f"),
            ],
        )
        .properties(title=title or texts[0], width=560, height=alt.Step(22))
    )
    return configure(chart)
