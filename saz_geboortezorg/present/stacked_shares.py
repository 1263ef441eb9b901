"""One stacked horizontal bar per unit, splitting 100% of its women into categories.

The shared drawing behind the place-of-birth, care-flow stage and referral-reason
charts: those functions prepare labels, order and colours; this one draws.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from saz_geboortezorg.present.style import configure

__all__ = ["stacked_shares_chart"]


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
    """
    import altair as alt

    legend = (
        alt.Legend(orient="right", labelLimit=legend_label_limit)
        if legend_label_limit
        else alt.Undefined
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("unit_label:N", title=y_title, sort=None),
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
