"""The benchmark explorer: one view that redraws when a control changes.

Controls (:mod:`.controls`): indicator (grouped by mother, child, process, care path,
cost; English and Dutch names), level (hospital, region, practice), period, crude or
case-mix adjusted, overdispersion on or off, 95/99.8% limits, 'my unit' to highlight,
theme filters (SES quintile, migration background, parity, Robson group) and a switch
for Dutch labels (:mod:`.labels`). With a user catalogue (``catalogue=``, the file
``mijn_indicatoren.yaml`` beside the data) its indicators and theme filters join the
lists; :mod:`.editor` is the panel that defines, checks and saves them. :mod:`.dashboard`
prepares the dashboard's first view before a visitor arrives (Voila's preheated kernels). The view (:mod:`.view`) is plain functions from the
controls' state to a funnel plot, a caterpillar plot, a trend and a table; the widget
(:mod:`.widgets`, :class:`Explorer`) only wires controls to it. For the dashboard:
:mod:`.query` reads ``?unit=`` from the page's address, :mod:`.presenter` is presenter
mode for mirror meetings, and :mod:`.save` is "Save this view" (PNG, SVG and CSV,
protected as the reports).

Examples
--------
>>> import saz_geboortezorg as sg
>>> from saz_geboortezorg.explore import Explorer
>>> data = sg.load(sg.synthetic.default_dataset())        # doctest: +SKIP
>>> Explorer(data, highlight="R05").widget                   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Explorer",
    "ExplorerState",
    "View",
    "explorer_view",
    "IndicatorEditor",
    "indicator_editor",
    "check_indicator",
    "dashboard_data",
    "prepare",
    "wait_for_visitor",
]


def __getattr__(name: str) -> Any:
    # ipywidgets is imported only when the widget is used.
    if name == "Explorer":
        from saz_geboortezorg.explore.widgets import Explorer

        return Explorer
    if name in ("IndicatorEditor", "indicator_editor", "check_indicator", "IndicatorCheck"):
        from saz_geboortezorg.explore import editor

        return getattr(editor, name)
    if name in ("dashboard_data", "prepare", "wait_for_visitor"):
        from saz_geboortezorg.explore import dashboard

        return getattr(dashboard, name)
    if name in ("ExplorerState", "View", "explorer_view"):
        from saz_geboortezorg.explore import view

        return getattr(view, name)
    raise AttributeError(f"module 'saz_geboortezorg.explore' has no attribute {name!r}")
