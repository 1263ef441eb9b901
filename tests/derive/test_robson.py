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
    ({"prev_cs": None}, "unclassifiable", "prev_cs"),
    ({"onset": "unknown"}, "unclassifiable", "onset"),
]


@pytest.mark.parametrize(("changes", "group", "missing"), CASES)
def test_classification(changes, group, missing):
    result = classify(pd.DataFrame([{**BASE, **changes}])).iloc[0]
    assert result["robson"] == group
    assert result["robson_missing"] == missing
    assert result["robson_main"] == group.rstrip("ab")


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
    t = robson_table(women, by="hospital_id")
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
    t = robson_table(women, split_ab=False).set_index("group")
    assert t.loc["total", "women"] == len(women)
    assert t.loc["2", "women"] == 20
    with pytest.raises(SpecError, match="0/1"):
        robson_table(women.assign(cs=2))
