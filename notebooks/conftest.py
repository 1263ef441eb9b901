"""nbval settings for the notebooks.

Rich outputs whose bytes change between runs without the analysis changing are not
compared: altair's HTML (a random ``altair-viz-<id>`` and library versions), its
Vega-Lite JSON bundles, and JavaScript. Text outputs *are* compared, so every number
that must not drift is printed as text (a rounded DataFrame's plain-text repr); the
sanitize file nbval_sanitize.cfg handles what little in those is volatile.
"""

from __future__ import annotations

VOLATILE_MIMETYPES = (
    "text/html",
    "application/javascript",
    "application/vnd.vegalite.v5+json",
    "application/vnd.vegalite.v6+json",
    "application/vnd.vega.v5+json",
    "application/vnd.vega.v6+json",
)


def pytest_collectstart(collector):
    if str(getattr(collector, "path", "")).endswith(".ipynb"):
        collector.skip_compare = tuple(collector.skip_compare) + VOLATILE_MIMETYPES
