"""Issue 14, leaks 3 and 5: free text, chart text and derived columns are verified too."""

import types

import pandas as pd

from saz_geboortezorg.disclosure import check_chart, check_html, check_table
from saz_geboortezorg.disclosure.check import check_text, count_free, html_text
from saz_geboortezorg.report import methods

WARNING = (
    "separation: all of the 6 records with presentation = 'transverse' had outcome 'cs', "
    "so its odds ratio is infinite and cannot be estimated."
)


def test_model_warning_in_text_is_found():
    assert check_text(WARNING)
    assert check_text("a subgroup of 3 women")
    assert check_text("n = 4")
    assert check_text("2 of 40 had a caesarean")


def test_thresholds_years_and_large_counts_pass():
    text = (
        "Counts from 1 to 9 are hidden; fewer than 5 expected events; births in 2023; "
        "1,735 women; n = 250; 2.5% of births; Robson group 5; no LVR-2 record."
    )
    assert check_text(text) == []


def test_count_free_keeps_the_warning_but_not_the_count():
    text = count_free(WARNING)
    assert "6" not in text and "transverse" in text and check_text(text) == []


def test_shared_method_text_is_count_free(monkeypatch):
    monkeypatch.setattr(methods, "_dispersion_words", lambda f: "phi 1.0")
    bench = types.SimpleNamespace(
        methods={"cs": "case-mix model 'cs' (indirect standardisation); problems: " + WARNING},
        funnels={"cs": types.SimpleNamespace(overdispersed=False)},
        limits=(95, 99.8),
        overdispersion=True,
    )
    lines = methods.funnel_lines(bench)
    assert any("transverse" in line for line in lines)  # the warning is still there
    assert all(check_text(line) == [] for line in lines)  # without its count


def test_html_text_attributes_and_spec_titles_are_scanned():
    page = (
        '<p>Fine text.</p><div aria-label="all 3 women in group 2a">x</div>'
        '<script type="application/json" data-vega-lite>'
        '{"title": {"text": "CS", "subtitle": "n = 7"}, "data": {"values": [{"n": 40}]}}'
        "</script>"
    )
    found = check_html(page)
    wheres = " ".join(f.where for f in found)
    assert "text" in wheres and "subtitle" in wheres
    # table cells are not read together with the next cell
    assert check_html("<table><tr><td>6</td><td>records excluded</td></tr></table>") == []
    assert "6" not in html_text("<script>var n = 6;</script>")


def test_tooltip_title_in_chart_spec():
    spec = {"mark": {"type": "point", "tooltip": "4 babies"}, "data": {"values": []}}
    assert check_chart(spec)


def test_expected_and_control_limits_go_with_a_hidden_count():
    # expected for a 3-birth unit estimates its size; a p-chart's limits give n
    t = pd.DataFrame({"n": [None, 120.0], "observed": [None, 30.0], "expected": [2.91, 28.0]})
    assert [(f.row, f.column) for f in check_table(t)] == [(0, "expected")]
    trend = pd.DataFrame(
        {"n": [None, 200.0], "events": [None, 40.0], "centre": [0.2, 0.2], "lcl": [0.0, 0.1]}
    )
    assert {f.column for f in check_table(trend)} == {"centre", "lcl"}


def test_adjusted_rate_with_shown_numerator_is_not_a_small_count():
    # default data, R01 perinatal mortality: 10 deaths shown, adjusted rate 4.6 per 1,000 of
    # 1,735 (O/E x target) only looks like 8 deaths
    t = pd.DataFrame(
        {"measure": ["per_1000"], "n": [1735], "observed": [10.0], "expected": [12.9]}
    ).assign(value=[4.615])
    assert check_table(t) == []
    # the crude rate of a hidden numerator still is one
    t2 = t.assign(observed=[float("nan")], expected=[float("nan")])
    assert any("about 8" in f.problem for f in check_table(t2))
