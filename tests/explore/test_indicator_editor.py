"""The indicator editor panel, driven as a lead professional would (set the fields,
press Check, press Save), without a browser: the new indicator and theme show up in the
explorer and draw; the preview is protected as the reports are.

Expected counts come from pandas masks written here, not from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import user_indicator
import yaml

import saz_geboortezorg as sg
from saz_geboortezorg.disclosure import check_table
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.explore import Explorer
from saz_geboortezorg.explore.controls import indicator_options, theme_options
from saz_geboortezorg.explore.editor import FIELDS, IndicatorEditor, parse_exclusions

IND = "induction_young_nullip"


def fill(editor: IndicatorEditor, **values) -> None:
    for name, value in values.items():
        editor.fields[name].value = value


def fill_indicator(editor: IndicatorEditor, **changes) -> None:
    values = {
        "kind": "indicator",
        "id": IND,
        "name_en": "Induction, nulliparous under 25",
        "name_nl": "Inductie bij nulliparae jonger dan 25",
        "level": "woman",
        "population": "parity == 0 and maternal_age < 25 and ga_days >= 259",
        "numerator": "onset == 'induced'",
        "exclusions": "gestational age unknown: missing(ga_days)",
        "better": "lower",
        "unit": "percent",
    }
    values.update(changes)
    fill(editor, **values)


def hand_counts(women: pd.DataFrame, unit: str) -> pd.DataFrame:
    return user_indicator.hand_counts(women, unit, under=25)


def test_define_check_save_and_the_explorer_draws_it(dataset, tmp_path, shown):
    path = sg.user_catalogue_path(tmp_path)
    ex = Explorer(dataset, indicator="induction", catalogue=path)
    assert IND not in {v for _, v in ex.controls["indicator"].options}
    editor = sg.indicator_editor(dataset, path, explorer=ex)
    fill_indicator(editor)
    editor.buttons["check"].click()
    assert editor.result.ok, editor.result.errors
    assert "<table" in editor.message.value and not path.exists()  # Check writes nothing
    editor.buttons["save"].click()
    assert path.exists() and "Saved to" in editor.message.value
    # in the explorer's list, in the English and Dutch labels
    options = dict((v, k) for k, v in ex.controls["indicator"].options)
    assert (
        options[IND]
        == "Mother · Induction, nulliparous under 25 – Inductie bij nulliparae jonger dan 25"
    )
    assert dict((v, k) for k, v in indicator_options("nl", path))[IND].endswith(
        "Inductie bij nulliparae jonger dan 25"
    )
    # chosen, it draws: funnel, caterpillar and trend, the counts as by hand
    before = len(shown)
    ex.controls["indicator"].value = IND
    assert ex.view is not None and ex.view.state.indicator == IND
    assert len(shown) == before + 3
    expected = hand_counts(dataset.women, "region_id")
    table = ex.view.table.set_index("unit")
    assert table["n"].to_dict() == expected["d"].to_dict()
    assert table["observed"].astype(int).to_dict() == expected["x"].to_dict()
    title = ex.view.charts["funnel"].to_dict()["title"]
    assert "Induction, nulliparous under 25" in str(title)
    # sg.compute reads the same file
    rates = sg.compute(dataset, IND, unit="region", catalogue=path)
    assert rates.table.set_index("unit")["numerator"].to_dict() == expected["x"].to_dict()


def test_a_theme_defined_in_the_panel_filters_the_explorer(dataset, tmp_path, shown):
    path = sg.user_catalogue_path(tmp_path)
    ex = Explorer(dataset, indicator="induction", catalogue=path, unit="region")
    editor = sg.indicator_editor(dataset, path, explorer=ex, language="nl")
    fill(
        editor,
        kind="theme",
        id="young_nullip",
        name_en="Nulliparous under 25",
        name_nl="Nullipara jonger dan 25",
        expression="parity == 0 and maternal_age < 25",
    )
    assert editor.save()
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["themes"][0]["id"] == "young_nullip"
    control = ex.controls["theme:young_nullip"]
    assert control.description == "Nulliparous under 25"
    assert control in ex._themes_row.children
    assert [v for _, v in control.options] == ["yes", "no", "unknown"]
    assert "theme:young_nullip" in theme_options(dataset, "en", path)
    control.value = ("yes",)
    w = dataset.women
    induction = w["ga_days"].ge(154).fillna(False) & w["onset"].ne("unknown")  # catalogue
    in_theme = w["parity"].eq(0) & w["maternal_age"].lt(25)
    assert ex.view.table["n"].sum() == int((induction & in_theme).sum())
    control.value = ("no",)
    assert ex.view.table["n"].sum() == int((induction & ~in_theme).sum())
    # removed from the file, the filter goes at the next reload
    sg.remove_user_entry("young_nullip", path)
    ex.reload_catalogue()
    assert "theme:young_nullip" not in ex.controls and ex.state.filters == ()


def test_a_redefinition_under_the_same_id_is_computed_afresh(dataset, tmp_path, shown):
    path = sg.user_catalogue_path(tmp_path)
    ex = Explorer(dataset, indicator="induction", catalogue=path)
    editor = sg.indicator_editor(dataset, path, explorer=ex)
    fill_indicator(editor)
    assert editor.save()
    ex.controls["indicator"].value = IND
    first = int(ex.view.table["n"].sum())
    fill_indicator(editor, population="parity == 0 and ga_days >= 259")
    editor.buttons["check"].click()
    assert any("replaces the saved definition" in n for n in editor.result.notes)
    assert editor.save()
    w = dataset.women
    d = w["parity"].eq(0) & w["ga_days"].ge(259).fillna(False) & w["onset"].ne("unknown")
    assert int(ex.view.table["n"].sum()) == int(d.sum()) > first


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"population": "parrity == 0"}, "unknown column 'parrity'; did you mean 'parity'"),
        ({"numerator": "onset == 'inductie'"}, "'inductie' is not a value of onset"),
        ({"population": "maternal_age > 70"}, "population: selects nobody"),
        (
            {"numerator": "parity >= 1", "population": "parity == 0"},
            "none of them in the population",
        ),
        ({"id": "pph"}, "shipped indicator's id"),
        ({"population": "open('x').read()"}, "may be called|may not use"),
        ({"exclusions": "missing(ga_days)"}, "write 'reason: expression'"),
        ({"name_en": ""}, "lacks field(s) name_en"),
    ],
)
def test_check_shows_clear_errors_and_save_writes_nothing(dataset, tmp_path, changes, expected):
    path = sg.user_catalogue_path(tmp_path)
    editor = sg.indicator_editor(dataset, path)
    fill_indicator(editor, **changes)
    editor.buttons["save"].click()
    assert not editor.result.ok and not path.exists()
    wanted = expected.split("|")
    assert any(w in e for w in wanted for e in editor.result.errors), editor.result.errors
    assert "Cannot be saved yet" in editor.message.value


def test_the_preview_hides_small_counts_as_the_reports_do(dataset, tmp_path):
    """Per practice the counts are small: every shown count is 0 or at least 10, and so
    is its complement; the rates of hidden counts are hidden; what is shown is right."""
    path = sg.user_catalogue_path(tmp_path)
    editor = sg.indicator_editor(dataset, path)
    fill_indicator(editor)
    editor.fields["preview_unit"].value = "practice"
    result = editor.check()
    assert result.ok
    preview = result.table
    units = preview[preview["unit"] != "all"]
    women = dataset.women.assign(
        practice_id=dataset.women["practice_id"].astype("str").fillna("unknown")
    )
    expected = hand_counts(women, "practice_id")
    # small cells exist
    assert (expected["d"].between(1, 9) | expected["x"].between(1, 9)).any()
    hidden_any = False
    for row in units.itertuples():
        d, x = expected.loc[row.unit, "d"], expected.loc[row.unit, "x"]
        for shown_value, true_value in ((row.denominator, d), (row.numerator, x)):
            if np.isnan(shown_value):
                hidden_any = True
            else:
                assert shown_value == true_value and not 1 <= true_value <= 9
        if not np.isnan(row.numerator) and not np.isnan(row.denominator):
            assert not 1 <= d - x <= 9
            assert row.rate == pytest.approx(100 * x / d)
        if np.isnan(row.numerator) or np.isnan(row.denominator):
            assert np.isnan(row.rate) and np.isnan(row.wilson_lcl)
    assert hidden_any
    overall = preview[preview["unit"] == "all"].iloc[0]
    assert overall.denominator == expected["d"].sum() and overall.numerator == expected["x"].sum()
    # the disclosure verifier finds nothing in what the panel shows
    assert check_table(preview) == [] and check_table(result.accounting) == []
    assert "·" in editor.message.value  # hidden cells are marked, as in the reports


def test_the_accounting_adds_up_and_a_small_exclusion_is_protected():
    women = pd.DataFrame(
        {
            "hospital_id": np.repeat(["A", "B", "C"], 40),
            "parity": np.tile([0, 0, 1, 0], 30),
            "ga_days": [np.nan, np.nan, *[280.0] * 118],
            "onset": np.tile(["induced", "spontaneous", "spontaneous"], 40),
        }
    )
    ind = sg.define_indicator(
        "induction_nullip",
        name_en="Induction, nulliparous",
        name_nl="Inductie bij nulliparae",
        population="parity == 0 and ga_days >= 259",
        numerator="onset == 'induced'",
        exclusions=[("gestational age unknown", "missing(ga_days)")],
    )
    check = sg.check_indicator(women, ind)
    acc = check.accounting.set_index("where")["records"]
    # 2 excluded (hidden), so 'outside population' goes with them; the denominator stays
    assert np.isnan(acc["excluded: gestational age unknown"])
    assert np.isnan(acc["outside population"])
    d = int((women["parity"].eq(0) & women["ga_days"].ge(259)).sum())
    assert acc["in the denominator"] == d == check.table.iloc[-1]["denominator"]


def test_labels_follow_the_language(dataset, tmp_path):
    dutch = sg.indicator_editor(dataset, tmp_path / "mijn_indicatoren.yaml", language="nl")
    assert dutch.fields["population"].description == FIELDS["population"][1]
    assert dutch.buttons["save"].description == "Opslaan"
    assert [v for _, v in dutch.fields["better"].options] == ["lower", "higher", "neither"]
    english = sg.indicator_editor(dataset, tmp_path / "mijn_indicatoren.yaml")
    assert english.fields["population"].description == "Population"
    with pytest.raises(SpecError, match="needs a user catalogue file"):
        sg.indicator_editor(dataset, None)


def test_exclusions_box_is_one_reason_and_expression_per_line():
    assert parse_exclusions("a: missing(x)\n  \nb c: y == 'd: e'") == [
        ("a", "missing(x)"),
        ("b c", "y == 'd: e'"),
    ]
