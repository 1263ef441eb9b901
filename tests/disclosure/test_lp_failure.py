"""Issue 14, leak 4: an audit LP that fails must count as exposed, never as safe.

The attack here is written independently of the suppression code: a reader knows every row
and column total of the caesarean counts, the shown cells, and that a count lies between 0
and its denominator (the shown number of women, or the column total of women if hidden).
"""

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from saz_geboortezorg.disclosure import suppress
from saz_geboortezorg.disclosure.suppress import _attacker_bounds, _exposed, line_ranges


def _attack(t: pd.DataFrame, hidden: pd.DataFrame) -> dict[int, tuple[float, float]]:
    cells = [int(c) for c in np.flatnonzero(hidden["cs"].to_numpy())]
    pos = {c: i for i, c in enumerate(cells)}
    a, b = [], []
    for key in ("unit", "group"):
        for _, idx in t.groupby(key).indices.items():
            h = [int(c) for c in idx if int(c) in pos]
            if h:
                row = np.zeros(len(cells))
                row[[pos[c] for c in h]] = 1
                a.append(row)
                b.append(float(t["cs"].to_numpy()[h].sum()))
    bounds = []
    for c in cells:
        w = t["women"][c]
        if hidden["women"][c]:
            w = t.loc[t["group"] == t["group"][c], "women"].sum()
        bounds.append((0, float(w)))
    out = {}
    for c in cells:
        e = np.zeros(len(cells))
        e[pos[c]] = 1
        lo = linprog(e, A_eq=a, b_eq=b, bounds=bounds).fun
        hi = -linprog(-e, A_eq=a, b_eq=b, bounds=bounds).fun
        out[c] = (lo, hi)
    return out


def test_failed_lp_counts_as_exposed():
    assert _exposed(float("nan"), float("nan"), 2)
    assert _exposed(float("inf"), float("inf"), 2)
    assert _exposed(4.0, 4.0, 2)
    assert not _exposed(1.0, 5.0, 2)


def test_complement_with_hidden_denominator_has_finite_bounds():
    # 38 of at most 55 women (denominator hidden): before the fix the lower bound was
    # inf - 9 = inf, which made the LP infeasible (NaN) and the cell "safe"
    lo, hi = _attacker_bounds(
        np.array([38.0]), np.array(["complement"]), 10, np.array([55.0]), np.array([False])
    )
    assert np.isfinite(lo).all() and lo[0] <= 38 <= hi[0]
    ranges = line_ranges([38.0, 20.0], [True, True], [[0, 1]], lo.tolist() + [10], [54, 1e9])
    assert np.isfinite(ranges[0][0]) and ranges[0][1] - ranges[0][0] >= 1


def test_small_count_in_hidden_population_not_pinned():
    # U1/G1: 1 caesarean among 5 women; the column G1 shows U0's 0, so the column total
    # (1) pinned the hidden 1 exactly before population cells were audited
    t = pd.DataFrame(
        {
            "unit": ["U0"] * 3 + ["U1"] * 3,
            "group": ["G0", "G1", "G2"] * 2,
            "women": [43, 10, 75, 15, 5, 112],
            "cs": [33, 0, 66, 4, 1, 29],
        }
    )
    p = suppress(t, ["women", "cs"], lines=[("unit",), ("group",)], denominators={"cs": "women"})
    ranges = _attack(t, p.hidden)
    for c, (lo, hi) in ranges.items():
        if 1 <= t["cs"][c] <= 9:
            assert hi - lo >= 1, (c, lo, hi)


def test_count_of_eight_with_hidden_denominators_not_pinned():
    # a Robson-like two-way table: group 2a in unit B has 8 caesareans; group sizes of
    # unit B are hidden, and several cells sit within 1-9 of their hidden denominator
    t = pd.DataFrame(
        {
            "unit": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "group": ["1", "2a", "5"] * 3,
            "women": [300, 120, 90, 7, 60, 48, 250, 100, 80],
            "cs": [40, 30, 85, 2, 8, 40, 35, 25, 72],
        }
    )
    p = suppress(t, ["women", "cs"], lines=[("unit",), ("group",)], denominators={"cs": "women"})
    ranges = _attack(t, p.hidden)
    assert p.hidden["cs"][4]  # the 8 is hidden
    for c, (lo, hi) in ranges.items():
        if 1 <= t["cs"][c] <= 9 or 1 <= t["women"][c] - t["cs"][c] <= 9:
            assert hi - lo >= 1, (c, lo, hi)
