"""Notebook set-up: offline chart rendering and readable tables.

Hospital networks often block the CDNs from which altair's default renderer loads
Vega. :func:`setup` switches altair to its ``jupyter`` renderer in offline mode:
charts become anywidget widgets with the Vega libraries bundled (from
vl-convert-python), so they render in JupyterLab and Voila without internet.
(Never use altair's ``mimetype`` renderer: its output breaks nbformat validation.)
"""

from __future__ import annotations

__all__ = ["setup"]


def setup(offline: bool = True, max_table_rows: int = 60) -> None:
    """Prepare a notebook session for the toolkit's charts and tables.

    Parameters
    ----------
    offline : bool
        Render charts with the Vega libraries bundled (no internet needed). With
        ``False`` altair's default HTML renderer (loads Vega from a CDN) is used.
    max_table_rows : int
        How many rows pandas shows before it abbreviates a table.

    Examples
    --------
    >>> from saz_geboortezorg.present.notebook import setup
    >>> setup()
    >>> import altair as alt
    >>> alt.renderers.active
    'jupyter'
    """
    import altair as alt
    import pandas as pd

    if offline:
        alt.renderers.enable("jupyter", offline=True)
    else:
        alt.renderers.enable("default")
    pd.set_option("display.max_rows", max_table_rows)
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 130)
