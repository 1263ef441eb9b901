"""A widget that shows one altair chart and can be redrawn with another.

The explorer (:mod:`saz_geboortezorg.explore`) and the dashboard put every chart in a
:class:`ChartPane`; how the chart reaches the browser (offline, in JupyterLab and in
Voila) is decided here and only here.

How it works: an altair chart is shown in one ``altair.JupyterChart`` widget (an
anywidget) that stays in place; :meth:`ChartPane.update` swaps its chart, so the
browser redraws without rebuilding the widget tree. The widget runs in offline mode:
its JavaScript carries Vega, Vega-Lite and vega-embed (bundled by vl-convert-python), so
nothing is fetched from a CDN, which hospital networks often block. Tooltips keep
working. Charts are drawn as SVG (sharp on a projector; text a test can read), and
the chart menu offers only "Save as SVG/PNG": "Open in Vega Editor" would send the
chart with its data to an outside website. This does not depend on the active altair renderer, so a notebook does not
have to call :func:`saz_geboortezorg.present.notebook.setup` first. Anything else
IPython can display (a DataFrame, a message) goes into an ``ipywidgets.Output``.

Speed: a chart without selections or parameters is sent as its Vega-Lite spec without
validating it against the schema again (``to_dict(validate=False)``): the charts of
:mod:`saz_geboortezorg.present` are validated by their tests, and validation is most
of the time altair needs to serialise a chart (the explorer redraws on every control
change). ``update(chart, validate=True)`` validates; a chart with selections goes
through ``JupyterChart.chart``, which validates and makes the selections readable
from Python.

Examples
--------
>>> import altair as alt, pandas as pd
>>> pane = ChartPane()
>>> pane.widget.__class__.__name__
'VBox'
>>> chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x")
>>> pane.update(chart)  # in a notebook or dashboard: the pane now shows the chart  # doctest: +SKIP
>>> pane.chart is chart  # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["ChartPane"]

#: vega-embed options: SVG output; menu with downloads only (no "Open in Vega Editor",
#: which posts the chart and its data to vega.github.io)
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


class ChartPane:
    """Holds an ipywidgets widget (``.widget``) that displays the latest chart.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Put this in a layout (``VBox``, ``Tab`` ...) or display it. Its only child is
        the widget that shows the current chart.
    chart : object or None
        The chart (or other object) shown now; ``None`` before the first update.

    Notes
    -----
    The first altair chart in a Python session switches ``altair.JupyterChart`` to
    offline mode, which takes a few seconds (vl-convert bundles the Vega libraries,
    about 0.9 MB of JavaScript per chart widget).

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> pane = ChartPane()
    >>> pane.chart is None
    True
    >>> df = pd.DataFrame({"unit": ["A", "B"], "rate": [0.1, 0.2]})
    >>> pane.update(alt.Chart(df).mark_bar().encode(x="unit", y="rate"))  # doctest: +SKIP
    >>> pane.widget.children[0].__class__.__name__  # doctest: +SKIP
    'JupyterChart'
    """

    def __init__(self) -> None:
        import ipywidgets as widgets

        # flex-start: the chart keeps its own width (its menu sits beside it, not far right)
        self.widget = widgets.VBox(layout=widgets.Layout(align_items="flex-start"))
        self.chart: Any = None
        self._jupyter_chart: Any = None
        self._output: Any = None

    def update(self, chart: Any, *, validate: bool = False) -> None:
        """Show ``chart`` instead of the current one.

        Parameters
        ----------
        chart : altair chart or object
            An altair chart (``Chart``, ``LayerChart``, ``HConcatChart`` ...) is drawn by
            the pane's ``JupyterChart`` widget, offline. Any other object is displayed
            with IPython's ``display`` inside an ``ipywidgets.Output``.
        validate : bool
            Validate the chart's spec against the Vega-Lite schema before sending it
            (always done for charts with selections or parameters). Off by default:
            the toolkit's charts are validated by their tests, and validating takes
            longer than building the spec.

        Examples
        --------
        >>> import altair as alt, pandas as pd
        >>> pane = ChartPane()
        >>> df = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
        >>> pane.update(alt.Chart(df).mark_line().encode(x="x", y="y"))  # doctest: +SKIP
        >>> pane.update("no data for this selection")  # shown as text  # doctest: +SKIP
        """
        import altair as alt

        self.chart = chart
        if isinstance(chart, alt.TopLevelMixin):
            view = self._chart_widget()
            if _interactive(chart):
                view.chart = chart  # JupyterChart wires up the selections (and validates)
            else:
                spec = chart.to_dict(validate=validate)
                with view.hold_sync():  # one message to the browser
                    if view.chart is not None:
                        view.chart = None  # forget an earlier chart's selections
                    view.spec = spec
        else:
            from IPython.display import display

            view = self._output_widget()
            view.clear_output(wait=True)
            with view:
                display(chart)
        if self.widget.children != (view,):
            self.widget.children = (view,)

    def _chart_widget(self) -> Any:
        """The pane's ``JupyterChart`` (made on first use, in offline mode)."""
        if self._jupyter_chart is None:
            import altair as alt

            alt.JupyterChart.enable_offline(True)
            self._jupyter_chart = alt.JupyterChart(None, embed_options=EMBED_OPTIONS)
        return self._jupyter_chart

    def _output_widget(self) -> Any:
        """The pane's ``Output`` for objects that are not altair charts."""
        if self._output is None:
            import ipywidgets as widgets

            self._output = widgets.Output()
        return self._output


def _interactive(chart: Any) -> bool:
    """Whether ``chart`` has parameters (selections, bindings), at the top level (where
    altair lifts those of layers and panels) or made by transforms, or is drawn through
    VegaFusion: then ``JupyterChart`` has to set it up itself."""
    import altair as alt
    from altair.jupyter.jupyter_chart import collect_transform_params

    params = getattr(chart, "params", alt.Undefined)
    if params is not alt.Undefined and len(params) > 0:
        return True
    if alt.data_transformers.active == "vegafusion":
        return True
    return bool(collect_transform_params(chart))
