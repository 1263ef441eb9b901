"""The verifier: small counts, patient-level columns, rates that reveal counts, chart data."""

import pandas as pd

from saz_geboortezorg.disclosure import check_chart, check_html, check_table
from saz_geboortezorg.disclosure.check import embedded_specs


def test_small_count_and_patient_columns_are_found():
    t = pd.DataFrame({"pregnancy_id": ["a", "b"], "events": [12, 3]})
    problems = {(f.column, f.problem.split(" (")[0]) for f in check_table(t)}
    assert ("pregnancy_id", "patient-level column") in problems
    assert ("events", "small count") in problems


def test_too_many_rows_is_patient_level():
    assert check_table(pd.DataFrame({"unit": range(30)}), max_rows=17)[0].problem.startswith(
        "30 rows"
    )


def test_rate_revealing_small_numerator():
    # 2.5% of 200 = 5 women
    t = pd.DataFrame({"n": [200], "rate_pct": [2.5]})
    assert "about 5" in check_table(t)[0].problem
    # 25% of 200 = 50: fine
    assert check_table(pd.DataFrame({"n": [200], "rate_pct": [25.0]})) == []


def test_zero_and_large_counts_pass():
    assert check_table(pd.DataFrame({"n": [0, 10, 250], "observed": [0, 10, 11]})) == []


def test_chart_datasets_at_any_depth():
    spec = {
        "layer": [{"data": {"values": [{"unit": "A", "n": 4}]}}],
        "datasets": {"d": [{"n": 50}]},
    }
    found = check_chart(spec)
    assert len(found) == 1 and found[0].column == "n"


def test_html_blocks_are_scanned():
    html = (
        '<script type="application/json" data-vega-lite data-target="c1">'
        '{"datasets": {"x": [{"women": 8}]}}</script>'
    )
    assert embedded_specs(html) == [{"datasets": {"x": [{"women": 8}]}}]
    assert len(check_html(html)) == 1
