"""Notebook set-up: offline chart rendering and readable tables.

Hospital networks often block the CDNs from which altair's default renderer loads
Vega. :func:`setup` switches altair to its ``jupyter`` renderer in offline mode:
charts become anywidget widgets with the Vega libraries bundled (from
vl-convert-python), so they render in JupyterLab and Voila without internet.
(Never use altair's ``mimetype`` renderer: its output breaks nbformat validation.)
"""

from __future__ import annotations

from saz_geboortezorg.progress import configure as configure_progress

__all__ = ["setup"]


def setup(offline: bool = True, max_table_rows: int = 60, progress: bool | None = None) -> None:
    """Prepare a notebook session for the toolkit's charts and tables.

    Parameters
    ----------
    offline : bool
        Render charts with the Vega libraries bundled (no internet needed). With
        ``False`` altair's default HTML renderer (loads Vega from a CDN) is used.
    max_table_rows : int
        How many rows pandas shows before it abbreviates a table.
    progress : bool or None
        Progress bars of long operations (``sg.load``, ``sg.benchmark``, ...) on
        (True) or off (False) for the session; None (default) leaves the setting as
        it is (automatic: a widget in a notebook; see :mod:`saz_geboortezorg.progress`).
        A call's own ``progress=`` keyword still wins.

    Examples
    --------
    >>> from saz_geboortezorg.present.notebook import setup
    >>> setup()
    >>> import altair as alt
    >>> alt.renderers.active
    'jupyter'
    >>> from saz_geboortezorg import progress
    >>> setup(progress=False)
    >>> progress.configure(None)  # the setting was off; back to automatic
    False
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
    if progress is not None:
        configure_progress(progress)
