"""The widget only wires controls to the view function (no kernel needed)."""

from __future__ import annotations

import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.explore import Explorer
from saz_geboortezorg.explore.view import explorer_view
from saz_geboortezorg.explore.widgets import DESCRIPTIONS


def _spy():
    states = []

    def view_function(data, state, cache, previous):
        states.append(state)
        return explorer_view(data, state, cache, previous)

    return states, view_function


def test_controls_have_stable_descriptions(women, shown):
    robson = sg.add_derived(women.assign(parity=0, prev_cs=0, n_babies=1, presentation="cephalic"))
    ex = Explorer(robson, indicator="induction", language="nl")
    assert {n: c.description for n, c in ex.controls.items()} == DESCRIPTIONS
    assert len(shown) == 3  # funnel, caterpillar and trend drawn once
    assert "<table" in ex.table.value
    ex.controls["robson_main"].value = ("1",)  # nulliparous, term, spontaneous onset
    assert ex.view.table["n"].sum() == (robson["onset"] == "spontaneous").sum()


def test_every_control_calls_the_view_function(women, shown):
    states, spy = _spy()
    ex = Explorer(women, indicator="induction", view_function=spy)
    assert len(states) == 1
    new_values = {
        "indicator": "home_birth",
        "level": "hospital",
        "period": "2022",
        "adjusted": False,
        "overdispersion": False,
        "limits": (95.0,),
        "my_unit": "H3",
        "language": "nl",
        "ses_quintile": ("1", "2"),
        "migration": ("dutch",),
        "parity_group": ("0",),
    }
    field = {"level": "level"}
    for name, value in new_values.items():
        before = len(states)
        ex.controls[name].value = value
        assert len(states) == before + 1, name
        state = states[-1]
        if name in ("ses_quintile", "migration", "parity_group"):
            assert state.where()[name] == list(value)
        else:
            assert getattr(state, field.get(name, name)) == value
    assert ex.view.state == states[-1]


def test_language_relabels_options_and_keeps_values(women, shown):
    ex = Explorer(women, indicator="induction", highlight="R2")
    ex.controls["period"].value = "2022"
    ex.controls["language"].value = "nl"
    assert ex.controls["indicator"].value == "induction"
    assert ex.controls["indicator"].label == "Proces · Inleiding van de baring"
    assert ex.controls["period"].value == "2022" and ex.controls["period"].label == "Jaar 2022"
    assert ex.controls["my_unit"].value == "R2"
    assert ex.state.language == "nl" and ex.view.state.my_unit == "R2"


def test_level_change_offers_that_levels_units(women, shown):
    ex = Explorer(women, indicator="induction", highlight="R2")
    ex.controls["level"].value = "hospital"
    assert ex.controls["my_unit"].value is None
    assert ("H2", "H2") in ex.controls["my_unit"].options
    assert ex.view.table["unit"].iloc[0] == "H1"


def test_only_changed_charts_are_redrawn(women, shown):
    ex = Explorer(women, indicator="induction")
    before = len(shown)
    ex.controls["limits"].value = (99.8,)
    assert len(shown) == before + 1  # only the funnel plot
    assert ex.panes["funnel"].chart is ex.view.charts["funnel"]


def test_an_error_shows_a_message_and_keeps_the_last_view(women, shown):
    ex = Explorer(women, indicator="induction")
    view = ex.view
    ex.controls["indicator"].value = "cs"  # this table has no mode of birth
    assert "needs column(s) cs (caesarean per woman)" in ex.status.value
    assert "sg.add_derived(table)" in ex.status.value
    assert ex.view is view
    assert "robson_main" not in ex.controls  # no Robson group column in this table


def test_an_unexpected_error_is_shown_on_screen_and_not_swallowed(women, shown):

    ex = Explorer(women, indicator="induction")
    view = ex.view

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    ex.view_function = broken
    with pytest.raises(RuntimeError, match="boom"):
        ex.refresh()
    assert "Internal error (RuntimeError: boom)" in ex.status.value
    assert ex.view is view
