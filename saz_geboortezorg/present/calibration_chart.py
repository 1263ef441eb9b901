"""Calibration chart of a case-mix model: observed against predicted risk by decile.

Draws the table from :func:`saz_geboortezorg.model.diagnostics.calibration_deciles`
(computed by the model; this module only draws): one point per risk group at
(mean predicted risk, observed rate) with its Wilson 95% interval, and the diagonal
of perfect calibration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from saz_geboortezorg.present.style import NEUTRAL, PALETTE, configure

if TYPE_CHECKING:  # pragma: no cover
    from saz_geboortezorg.model.diagnostics import CalibrationDeciles

__all__ = ["calibration_chart"]


def _table(result: Any) -> pd.DataFrame:
    """The table of a result, or the DataFrame itself."""
    return result if isinstance(result, pd.DataFrame) else result.table


def calibration_chart(
    deciles: CalibrationDeciles | pd.DataFrame, *, title: str | None = None
) -> Any:
    """Observed rate against mean predicted risk per risk group.

    Parameters
    ----------
    deciles : CalibrationDeciles or DataFrame
        From :func:`saz_geboortezorg.model.diagnostics.calibration_deciles` (as
        ``CaseMixResult.diagnostics['deciles']``), or a table with ``mean_risk``,
        ``observed_rate``, ``lcl``, ``ucl``, ``n``, ``group``.
    title : str, optional

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"group": [1, 2], "n": [100, 100], "mean_risk": [0.1, 0.3],
    ...                   "observed_rate": [0.12, 0.28], "lcl": [0.07, 0.2], "ucl": [0.2, 0.38]})
    >>> chart = calibration_chart(d, title="demo").to_dict()
    >>> len(chart["layer"])
    3
    """
    import altair as alt

    deciles = _table(deciles)
    data = deciles[["group", "n", "mean_risk", "observed_rate", "lcl", "ucl"]].copy()
    hi = float(max(data[["mean_risk", "ucl"]].to_numpy().max(), 0.01)) * 1.05
    scale = alt.Scale(domain=[0, hi], nice=False)
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, hi], "y": [0.0, hi]}))
        .mark_line(color=NEUTRAL, strokeDash=[6, 4])
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale))
    )
    tooltip = [
        alt.Tooltip("group:O", title="risk group"),
        alt.Tooltip("n:Q", format=","),
        alt.Tooltip("mean_risk:Q", format=".3f", title="predicted"),
        alt.Tooltip("observed_rate:Q", format=".3f", title="observed"),
    ]
    bars = (
        alt.Chart(data)
        .mark_rule(color=PALETTE[4], strokeWidth=2)
        .encode(x=alt.X("mean_risk:Q", scale=scale), y=alt.Y("lcl:Q", scale=scale), y2="ucl:Q")
    )
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=80, color=PALETTE[4], opacity=1)
        .encode(
            x=alt.X("mean_risk:Q", scale=scale, title="predicted risk (mean per group)"),
            y=alt.Y("observed_rate:Q", scale=scale, title="observed rate"),
            tooltip=tooltip,
        )
    )
    chart = alt.layer(diagonal, bars, points).properties(
        width=420,
        height=420,
        title=alt.TitleParams(
            title or "Calibration",
            subtitle="observed rate by group of predicted risk, 95% interval; dashed: perfect",
        ),
    )
    return configure(chart)
