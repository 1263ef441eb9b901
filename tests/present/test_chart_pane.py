"""ChartPane: one chart widget, redrawn in place, with the Vega libraries bundled.

What the browser does with the widget is checked in tests/dashboard/test_browser.py;
here the Python side: which widget the pane holds and what it sends to the browser.
"""

import re

import altair as alt
import ipywidgets as widgets
import pandas as pd
import pytest

from saz_geboortezorg.present.chart_pane import ChartPane

RATES = pd.DataFrame({"unit": ["A", "B", "C"], "rate": [0.10, 0.25, 0.40]})


def bar(title: str) -> alt.Chart:
    return alt.Chart(RATES, title=title).mark_bar().encode(x="unit", y="rate")


def test_new_pane_is_empty_container():
    pane = ChartPane()
    assert isinstance(pane.widget, widgets.VBox)
    assert pane.widget.children == ()
    assert pane.chart is None


def test_altair_chart_goes_to_an_offline_jupyter_chart():
    pane = ChartPane()
    chart = bar("Sectio caesarea")
    pane.update(chart)

    (view,) = pane.widget.children
    assert isinstance(view, alt.JupyterChart)
    assert pane.chart is chart
    assert view.spec["title"] == "Sectio caesarea"
    # the data the browser receives are the three units, unchanged
    (rows,) = view.spec["datasets"].values()
    assert [r["unit"] for r in rows] == ["A", "B", "C"]
    assert [r["rate"] for r in rows] == [0.10, 0.25, 0.40]


def test_widget_javascript_loads_nothing_from_the_internet():
    pane = ChartPane()
    pane.update(bar("x"))
    esm = pane.widget.children[0]._esm
    # online mode starts with `import vegaEmbed from "https://esm.sh/..."`
    assert not re.search(r"""\bimport\b[^;]*?["']https?://""", esm)
    assert "esm.sh" not in esm
    # and the bundle really contains vega-embed (several hundred kB)
    assert len(esm) > 300_000


def test_svg_and_no_vega_editor_link():
    pane = ChartPane()
    pane.update(bar("x"))
    options = pane.widget.children[0].embed_options
    assert options["renderer"] == "svg"
    assert options["actions"]["editor"] is False
    assert options["actions"]["export"] is True


def test_update_redraws_in_the_same_widget():
    pane = ChartPane()
    pane.update(bar("first"))
    first_view = pane.widget.children[0]
    pane.update(bar("second").mark_point())

    assert pane.widget.children == (first_view,)
    assert first_view.spec["title"] == "second"
    assert first_view.spec["mark"] == {"type": "point"}


def test_compound_charts_are_drawn_too():
    pane = ChartPane()
    pane.update(bar("left") | bar("right"))
    spec = pane.widget.children[0].spec
    assert [panel["title"] for panel in spec["hconcat"]] == ["left", "right"]


def test_other_objects_go_to_an_output_and_back():
    pane = ChartPane()
    pane.update("Geen gegevens (no data) for this selection")
    (view,) = pane.widget.children
    assert isinstance(view, widgets.Output)

    pane.update(bar("again a chart"))
    (view,) = pane.widget.children
    assert isinstance(view, alt.JupyterChart)
    assert view.spec["title"] == "again a chart"


def test_selections_are_readable_from_python():
    # the explorer may use selections (e.g. click a unit); JupyterChart exposes them
    select = alt.selection_point(name="unit_pick", fields=["unit"])
    pane = ChartPane()
    pane.update(bar("Robson 1").add_params(select))
    view = pane.widget.children[0]
    assert "unit_pick" in view.selections.trait_names()
    assert view.selections.unit_pick.value == []


def test_plain_chart_is_sent_as_its_spec_without_validating_again():
    chart = bar("Robson 1")
    pane = ChartPane()
    pane.update(chart)
    view = pane.widget.children[0]
    assert view.spec == chart.to_dict()  # the same spec the validating path gives
    # not validated again: a spec the schema rejects still goes to the browser ...
    broken = bar("broken")
    broken.mark = {"type": "bar", "no_such_property": 1}
    pane.update(broken)
    assert view.spec["mark"]["no_such_property"] == 1
    # ... unless asked for
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        pane.update(broken, validate=True)


def test_plain_chart_after_a_selection_chart_forgets_the_selections():
    select = alt.selection_point(name="unit_pick", fields=["unit"])
    pane = ChartPane()
    pane.update(bar("with selection").add_params(select))
    view = pane.widget.children[0]
    assert view.chart is not None and "unit_pick" in view._vl_selections
    pane.update(bar("plain"))
    assert pane.widget.children == (view,)
    assert view.chart is None and view._vl_selections == {} and view._params == {}
    assert view.spec["title"] == "plain" and "params" not in view.spec
