"""Small-number protection: primary, complement, population, secondary, banding, derived rates.

Expected values are worked out by hand in the comments."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saz_geboortezorg.disclosure import check_table, protect_cells, suppress
from saz_geboortezorg.disclosure.suppress import line_ranges, primary_small
from saz_geboortezorg.errors import SpecError


def test_primary_small_is_one_to_nine_and_zero_is_shown():
    assert primary_small([0, 1, 5, 9, 10, 11]).tolist() == [False, True, True, True, False, False]
    assert primary_small([4, 5], threshold=5).tolist() == [True, False]


def test_one_way_secondary_is_next_smallest_nonzero():
    # 3 is small; total 3+0+12+15+40 = 70 known, so 12 (smallest non-zero shown) goes too
    kinds = protect_cells([3, 0, 12, 15, 40], [[0, 1, 2, 3, 4]])
    assert kinds.tolist() == ["small", "", "secondary", "", ""]


def test_pair_too_tight_gets_a_third_cell():
    # 1 (small, 1..9) + 10 (secondary, >= 10) = 11 would pin both: 1 and 10. A third is hidden.
    kinds = protect_cells([1, 10, 25, 30], [[0, 1, 2, 3]])
    assert kinds.tolist() == ["small", "secondary", "secondary", ""]


def test_two_small_cells_protect_each_other_when_sum_leaves_room():
    # 4 + 6 = 10: each in 1..9 with the other 1..9 -> 4 in [1, 9]: no extra cell needed
    kinds = protect_cells([4, 6, 50, 60], [[0, 1, 2, 3]])
    assert kinds.tolist() == ["small", "small", "", ""]


def test_line_without_a_partner_is_withheld():
    # the only non-zero cell of its line is small: the total reveals it
    p = suppress(pd.DataFrame({"n": [0, 0, 3]}), ["n"], name="t")
    assert p.table["n"].isna().all()
    assert {d.kind for d in p.log} == {"unprotected"}


def test_rate_with_known_denominator_is_hidden_with_its_numerator():
    t = pd.DataFrame({"unit": list("ABCD"), "n": [200, 150, 300, 120], "k": [5, 30, 60, 18]})
    t["pct"] = 100 * t.k / t.n
    t["lcl"] = t.pct - 1
    p = suppress(
        t, ["n", "k"], denominators={"k": "n"}, derived={"pct": ["k", "n"], "lcl": ["k", "n"]}
    )
    # A: 5 small; secondary = next smallest non-zero k: D (18)
    assert p.table["k"].isna().tolist() == [True, False, False, True]
    assert p.table["pct"].isna().tolist() == [True, False, False, True]
    assert p.table["lcl"].isna().tolist() == [True, False, False, True]
    assert not p.table["n"].isna().any()
    assert check_table(p.table) == []


def test_complement_and_population():
    # B: 46 of 50 -> 4 without: complement; C: n = 6 -> its k is hidden with it
    t = pd.DataFrame({"unit": list("ABCD"), "n": [100, 50, 6, 80], "k": [30, 46, 2, 20]})
    p = suppress(t, ["n", "k"], denominators={"k": "n"}, label=["unit"])
    kinds = {(d.row, d.column): d.kind for d in p.log}
    assert kinds[("B", "k")] == "complement"
    assert kinds[("C", "n")] == "small"
    assert kinds[("C", "k")] == "population"
    assert np.isnan(p.table.loc[2, "n"]) and np.isnan(p.table.loc[2, "k"])


def test_banding_marks_small_cells_and_others():
    t = pd.DataFrame({"n": [40, 3, 25, 70]})
    p = suppress(t, ["n"], band=True)
    assert p.table["n"].tolist() == [40, "<10", "x", 70]


def test_margins_in_two_way_table():
    # rows A, B; columns g1..g3; both margins known
    t = pd.DataFrame(
        {
            "unit": ["A", "A", "A", "B", "B", "B", "C", "C", "C"],
            "group": ["1", "2", "3"] * 3,
            "n": [50, 4, 30, 60, 20, 40, 45, 35, 25],
        }
    )
    p = suppress(t, ["n"], lines=[("unit",), ("group",)], label=["unit", "group"])
    hidden = p.hidden["n"].to_numpy()
    grid = hidden.reshape(3, 3)
    # every row and column has 0 or at least 2 hidden cells
    assert all(r.sum() != 1 for r in grid) and all(c.sum() != 1 for c in grid.T)
    assert hidden[1]  # the 4


def test_reasons_are_plain_words_and_never_contain_values():
    t = pd.DataFrame({"unit": list("ABC"), "n": [7, 23, 41]})
    p = suppress(t, ["n"], label=["unit"], name="demo")
    frame = p.log_frame()
    assert set(frame.columns) == {"table", "row", "column", "kind", "reason"}
    assert "fewer than 10" in frame.reason.iloc[0]
    assert not frame.astype(str).apply(lambda c: c.str.contains(r"\b7\b|\b23\b")).any().any()


def test_threshold_is_configurable_and_validated():
    p = suppress(pd.DataFrame({"n": [12, 40, 60]}), ["n"], threshold=15)
    assert p.table["n"].isna().sum() == 2
    with pytest.raises(SpecError):
        suppress(pd.DataFrame({"n": [1]}), ["n"], threshold=1)


def _recoverable(values, kinds, lines, threshold):
    """Cells a reader can pin to one value (LP over line totals and known bounds)."""
    v = np.asarray(values, float)
    hidden = kinds != ""
    lo = np.where(kinds == "small", 1.0, np.where(hidden & (v >= threshold), threshold, 0.0))
    hi = np.where(kinds == "small", threshold - 1.0, np.inf)
    if not hidden.any():
        return []
    ranges = line_ranges(v, hidden, lines, lo, hi, cells=list(np.flatnonzero(kinds == "small")))
    return [c for c, (a, b) in ranges.items() if b - a < 1 - 1e-9]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=8))
def test_property_one_way_no_small_cell_recoverable(values):
    lines = [list(range(len(values)))]
    kinds = protect_cells(values, lines)
    assert all(k != "" for k, v in zip(kinds, values, strict=True) if 1 <= v <= 9)
    if "unprotected" in kinds:  # the whole line is withheld
        return
    assert _recoverable(values, kinds, lines, 10) == []


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.tuples(
                st.just(r), st.just(c), st.lists(st.integers(0, 40), min_size=r * c, max_size=r * c)
            )
        )
    )
)
def test_property_two_way_no_small_cell_recoverable(case):
    r, c, values = case
    rows = [[i * c + j for j in range(c)] for i in range(r)]
    cols = [[i * c + j for i in range(r)] for j in range(c)]
    kinds = protect_cells(values, rows + cols)
    assert all(k != "" for k, v in zip(kinds, values, strict=True) if 1 <= v <= 9)
    if "unprotected" in kinds:
        return
    assert _recoverable(values, kinds, rows + cols, 10) == []


def test_line_bounds_path_matches_lp_on_one_way_lines():
    # one line: per-line bounds are exact, so the fast path (max_lp=0) chooses the same cells
    values = [1, 10, 25, 30, 3, 0, 44]
    lines = [list(range(len(values)))]
    assert protect_cells(values, lines, max_lp=0).tolist() == protect_cells(values, lines).tolist()
