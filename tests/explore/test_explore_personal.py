"""Issue 19, "Personal" and "Presentable" without a browser: the unit from the page's
address, the "How to read this" toggle, and presenter mode's stepping."""

from __future__ import annotations

import pytest

from saz_geboortezorg.explore import Explorer
from saz_geboortezorg.explore.presenter import PRESENTER_CLASS
from saz_geboortezorg.explore.query import choice_from_query, page_query


def _units(women, column):
    return sorted(women[column].unique())


def test_the_address_names_a_unit_and_its_level(women):
    regions = _units(women, "region_id")
    hospitals = _units(women, "hospital_id")
    # the level follows from where the unit occurs; Voila's token is ignored
    choice = choice_from_query(women, f"token=0123abcd&unit={hospitals[2]}")
    assert (choice.unit, choice.level, choice.message) == (hospitals[2], "hospital", "")
    choice = choice_from_query(women, f"?unit={regions[4]}&level=region&lang=nl")
    assert (choice.unit, choice.level, choice.language) == (regions[4], "region", "nl")
    # a unit asked for at a level where it does not occur is not highlighted
    choice = choice_from_query(women, f"unit={regions[0]}&level=hospital")
    assert choice.unit is None and choice.level == "hospital"
    assert hospitals[0] in choice.message and regions[0] in choice.message


@pytest.mark.parametrize(
    "query, words",
    [
        ("unit=ZZ99", ["'ZZ99'", "not in the data", "R1"]),
        ("unit=R1&level=county", ["'county'", "hospital, region, practice"]),
        ("lang=fr", ["'fr'", "English"]),
        ("unit=%ZZ&&=&level=&x=<b>", ["'%ZZ'"]),  # rubbish: a message, no error
        ("", []),
    ],
)
def test_a_bad_address_gives_a_message_never_an_error(women, query, words):
    choice = choice_from_query(women, query)
    assert all(w in choice.message for w in words), choice.message
    assert bool(words) == bool(choice.message)
    if "county" in query:  # the unit is still followed
        assert (choice.unit, choice.level) == ("R1", "region")


def test_voila_passes_the_query_string_in_the_environment(women, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "unit=P3&token=x")
    assert page_query() == "unit=P3&token=x"
    assert choice_from_query(women).unit == "P3"
    assert choice_from_query(women).level == "practice"
    monkeypatch.delenv("QUERY_STRING")
    assert choice_from_query(women).unit is None


def test_explorer_opens_with_the_unit_of_the_address(women, shown):
    ex = Explorer(women, indicator="induction", query="unit=H3&level=hospital&token=x")
    assert (ex.state.level, ex.state.my_unit) == ("hospital", "H3")
    assert (ex.controls["level"].value, ex.controls["my_unit"].value) == ("hospital", "H3")
    assert "H3" in set(ex.view.table["unit"])
    funnel = shown[0].to_json()
    assert '"H3"' in funnel  # the highlighted unit is named in the funnel plot
    unknown = Explorer(women, indicator="induction", query="unit=H99")
    assert unknown.state.my_unit is None and unknown.view is not None
    assert "H99" in unknown.status.value and "not in the data" in unknown.status.value


def test_how_to_read_this_is_closed_and_follows_the_language(women, shown):
    ex = Explorer(women, indicator="induction")
    assert ex.help.selected_index is None  # closed: controls and charts come first
    assert ex.help.titles == ("How to read this",)
    assert "funnel plot" in ex.help.children[0].value
    assert "too few to judge" in ex.help.children[0].value
    ex.controls["language"].value = "nl"
    assert ex.help.titles == ("Zo lees je dit",)
    assert "trechterdiagram" in ex.help.children[0].value
    assert "funnel plot" not in ex.help.children[0].value


def test_presenter_mode_steps_through_the_chosen_indicators(women, shown):
    ex = Explorer(women, indicator="cs")
    chosen = ["induction", "home_birth", "cs"]
    ex.presenter.choose.value = tuple(chosen)
    assert PRESENTER_CLASS not in ex.widget._dom_classes
    ex.present()  # the current indicator is in the list: it stays
    assert PRESENTER_CLASS in ex.widget._dom_classes and ex.presenter.keys.active
    assert ex.state.indicator == "cs" and ex.presenter.position.value.startswith("3 / 3")
    assert ex.step(1) == "cs"  # stops at the end
    assert ex.step(-1) == "home_birth" and ex.view.state.indicator == "home_birth"
    assert ex.controls["indicator"].value == "home_birth"
    ex.presenter._message(ex.presenter.keys, {"step": -1})  # ← from the browser
    assert ex.state.indicator == "induction"
    assert ex.presenter.position.value.startswith("1 / 3")
    ex.present(on=False)
    assert PRESENTER_CLASS not in ex.widget._dom_classes and not ex.presenter.keys.active
    ex.presenter._message(ex.presenter.keys, {"step": 1})  # keys do nothing now
    assert ex.state.indicator == "induction"
    # a new list that does not hold the current indicator starts at its first
    ex.present(["home_birth", "cs"])
    assert ex.state.indicator == "home_birth"
    assert ex.presenter.position.value.startswith("1 / 2")
