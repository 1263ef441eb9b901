"""Robson Ten Group Classification on hand-made women, including every boundary."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.robson import classify, robson_table
from saz_geboortezorg.errors import SpecError

BASE = {
    "parity": 0,
    "prev_cs": 0,
    "n_babies": 1,
    "presentation": "cephalic",
    "ga_days": 280,
    "onset": "spontaneous",
}

CASES = [
    ({}, "1", ""),
    ({"onset": "induced"}, "2a", ""),
    ({"onset": "prelabour_cs"}, "2b", ""),
    ({"parity": 1}, "3", ""),
    ({"parity": 3, "onset": "induced"}, "4a", ""),
    ({"parity": 1, "onset": "prelabour_cs"}, "4b", ""),
    ({"parity": 1, "prev_cs": 1}, "5", ""),
    ({"parity": 2, "prev_cs": 1, "onset": "prelabour_cs"}, "5", ""),
    ({"parity": 1, "prev_cs": 1, "onset": "unknown"}, "5", ""),  # onset not needed for 5
    ({"presentation": "breech"}, "6", ""),
    ({"presentation": "breech", "ga_days": 230}, "6", ""),  # preterm breech is 6, not 10
    ({"presentation": "breech", "parity": 1}, "7", ""),
    ({"presentation": "breech", "parity": 1, "prev_cs": 1}, "7", ""),  # previous CS with breech
    ({"n_babies": 2}, "8", ""),
    ({"n_babies": 2, "parity": 1, "prev_cs": 1, "presentation": "breech"}, "8", ""),
    ({"n_babies": 3, "presentation": "unknown", "ga_days": None}, "8", ""),
    ({"presentation": "transverse"}, "9", ""),
    ({"presentation": "transverse", "parity": 1, "prev_cs": 1, "ga_days": 200}, "9", ""),
    ({"ga_days": 258}, "10", ""),  # 36+6
    ({"ga_days": 258, "parity": 1, "prev_cs": 1}, "10", ""),  # preterm cephalic with previous CS
    ({"ga_days": 259}, "1", ""),  # 37+0 exactly is term
    ({"ga_days": None}, "unclassifiable", "ga_days"),
    ({"presentation": "breech", "ga_days": None}, "6", ""),  # GA not needed for breech
    ({"presentation": "unknown"}, "unclassifiable", "presentation"),
    ({"n_babies": None}, "unclassifiable", "n_babies"),
    ({"parity": None}, "unclassifiable", "parity"),
    ({"parity": 1, "prev_cs": None}, "unclassifiable", "prev_cs"),
    # a nulliparous woman has had no caesarean: groups 1, 2 and 6 need no prev_cs
    ({"prev_cs": None}, "1", ""),
    ({"prev_cs": None, "onset": "induced"}, "2a", ""),
    ({"prev_cs": None, "presentation": "breech"}, "6", ""),
    ({"parity": 1, "prev_cs": None, "onset": "induced"}, "unclassifiable", "prev_cs"),
    ({"onset": "unknown"}, "unclassifiable", "onset"),
]


@pytest.mark.parametrize(("changes", "group", "missing"), CASES)
def test_classification(changes, group, missing):
    result = classify(pd.DataFrame([{**BASE, **changes}])).iloc[0]
    assert result["robson"] == group
    assert result["robson_missing"] == missing
    assert result["robson_main"] == group.rstrip("ab")


#: (changes, group): the number of previous caesareans splits group 5 (WHO 2017).
SPLIT_5 = [
    ({"parity": 1, "prev_cs": 1, "n_prev_cs": 1}, "5.1"),
    ({"parity": 2, "prev_cs": 1, "n_prev_cs": 2}, "5.2"),
    ({"parity": 4, "prev_cs": 1, "n_prev_cs": 3, "onset": "prelabour_cs"}, "5.2"),
    ({"parity": 1, "prev_cs": 1, "n_prev_cs": None}, "5"),  # number unknown: not split
    ({"parity": 1, "prev_cs": None, "n_prev_cs": 2}, "5.2"),  # the number answers prev_cs
    ({"parity": 1, "prev_cs": None, "n_prev_cs": 0}, "3"),
    ({"parity": 1, "prev_cs": 0, "n_prev_cs": 0}, "3"),
    ({"parity": 1, "prev_cs": 1, "n_prev_cs": 2, "ga_days": 250}, "10"),
    ({"parity": 1, "prev_cs": 1, "n_prev_cs": 2, "presentation": "breech"}, "7"),
]


@pytest.mark.parametrize(("changes", "group"), SPLIT_5)
def test_group_5_split_by_number_of_previous_caesareans(changes, group):
    result = classify(pd.DataFrame([{**BASE, "n_prev_cs": None, **changes}])).iloc[0]
    assert result["robson"] == group
    assert result["robson_main"] == ("5" if group.startswith("5") else group)


def test_table_keeps_5_1_and_5_2_apart_or_merges_them():
    rows = [{**BASE, "parity": 1, "prev_cs": 1, "n_prev_cs": k, "cs": c} for k, c in
            [(1, 0), (1, 1), (2, 1), (None, 1)]]  # fmt: skip
    women = pd.DataFrame(rows)
    split = robson_table(women).table.set_index("group")
    assert split.loc["5.1", "women"] == 2 and split.loc["5.1", "cs"] == 1
    assert split.loc["5.2", "women"] == 1 and split.loc["5", "women"] == 1
    assert list(split.index) == ["5", "5.1", "5.2", "total"]
    merged = robson_table(women, split_ab=False).table.set_index("group")
    assert merged.loc["5", "women"] == 4 and merged.loc["5", "cs"] == 3


def test_table_leaves_out_women_whose_caesarean_status_is_unknown():
    women = pd.DataFrame([{**BASE, "cs": c} for c in (0, 1, None, 1)])
    result = robson_table(women)
    t = result.table.set_index("group")
    assert t.loc["total", "women"] == 3 and t.loc["total", "cs"] == 2
    assert result.cs_unknown == 1 and not result.table.attrs


def test_missing_column_named():
    with pytest.raises(SpecError, match="onset"):
        classify(pd.DataFrame([BASE]).drop(columns="onset"))


@pytest.fixture
def women() -> pd.DataFrame:
    rows = []
    spec = [  # (unit, changes, n, n_cs)
        ("A", {}, 40, 4),
        ("A", {"onset": "induced"}, 20, 5),
        ("A", {"parity": 1, "prev_cs": 1}, 10, 7),
        ("A", {"n_babies": 2}, 2, 1),
        ("A", {"onset": "unknown"}, 3, 0),
        ("B", {}, 10, 1),
        ("B", {"presentation": "breech"}, 5, 5),
    ]
    for unit, changes, n, n_cs in spec:
        for i in range(n):
            rows.append({**BASE, **changes, "hospital_id": unit, "cs": int(i < n_cs)})
    return pd.DataFrame(rows)


def test_table_reconciles(women):
    t = robson_table(women, unit="hospital_id").table
    for _unit, block in t.groupby("unit"):
        groups, total = block[block.group != "total"], block[block.group == "total"].iloc[0]
        assert groups["women"].sum() == total["women"]
        assert groups["cs"].sum() == total["cs"]
        assert groups["relative_size_pct"].sum() == pytest.approx(100, abs=0.02)
        assert groups["contribution_pct"].sum() == pytest.approx(total["cs_rate_pct"], abs=0.02)
        assert groups["share_of_cs_pct"].sum() == pytest.approx(100, abs=0.02)
    a = t[(t.unit == "A")].set_index("group")
    assert a.loc["1", "women"] == 40 and a.loc["1", "cs_rate_pct"] == 10.0
    assert a.loc["unclassifiable", "women"] == 3  # kept, so the rows add up
    assert a.loc["total", "women"] == 75
    assert a.loc["5", "contribution_pct"] == pytest.approx(100 * 7 / 75, abs=0.005)
    assert list(a.index) == ["1", "2a", "5", "8", "unclassifiable", "total"]


def test_table_overall_and_merged_ab(women):
    t = robson_table(women, split_ab=False).table.set_index("group")
    assert t.loc["total", "women"] == len(women)
    assert t.loc["2", "women"] == 20
    with pytest.raises(SpecError, match="0/1"):
        robson_table(women.assign(cs=2))


def test_robson_table_population_all_or_second_line():
    """'per hospital' means either all its women or only its hospital births; both offered."""
    w = pd.DataFrame(
        {
            "hospital_id": ["A", "A", "A", "B", "B"],
            "robson": ["1", "1", "3", "1", "5.1"],
            "cs": [0, 1, 0, 0, 1],
            "line_at_birth": [1, 2, 1, 2, 2],
        }
    )
    everyone_result = robson_table(w, unit="hospital_id")
    hospital_result = robson_table(w, unit="hospital_id", population="second_line")
    everyone, hospital = everyone_result.table, hospital_result.table
    total = lambda t, u: t[(t.unit == u) & (t.group == "total")].iloc[0]  # noqa: E731
    assert total(everyone, "A")["women"] == 3 and total(hospital, "A")["women"] == 1
    assert total(hospital, "A")["cs_rate_pct"] == 100.0  # the one hospital birth was a CS
    assert total(everyone, "A")["cs_rate_pct"] == round(100 / 3, 2)  # the table rounds to 2
    assert "first-line births included" in everyone_result.population
    assert "second line" in hospital_result.population
    with pytest.raises(SpecError, match="population must be one of"):
        robson_table(w, population="hospital")
