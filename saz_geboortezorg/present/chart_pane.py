"""A widget that shows one altair chart and can be redrawn with another.

The explorer (:mod:`saz_geboortezorg.explore`) and the dashboard put every chart in a
:class:`ChartPane`; how the chart reaches the browser (offline, in JupyterLab and in
Voila) is decided here and only here.

Examples
--------
>>> import altair as alt, pandas as pd
>>> pane = ChartPane()
>>> pane.widget.__class__.__name__
'Output'
>>> chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x")
>>> pane.update(chart)  # in a notebook or dashboard: the pane now shows the chart  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["ChartPane"]


class ChartPane:
    """Holds an ipywidgets widget (``.widget``) that displays the latest chart.

    First version: an ``ipywidgets.Output`` that re-displays the chart with the active
    altair renderer. The dashboard work may replace the mechanism; the interface
    (``widget``, ``update(chart)``, ``chart``) stays.
    """

    def __init__(self) -> None:
        import ipywidgets as widgets

        self.widget = widgets.Output()
        self.chart: Any = None

    def update(self, chart: Any) -> None:
        """Show ``chart`` (an altair chart, or any object IPython can display)."""
        from IPython.display import display

        self.chart = chart
        self.widget.clear_output(wait=True)
        with self.widget:
            display(chart)
