"""Case-mix profiles and place of birth per unit, on hand-made women."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.profile import PLACE_LABELS, case_mix_profile, place_of_birth
from saz_geboortezorg.errors import SpecError


@pytest.fixture
def women() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_id": ["R1", "R1", "R1", "R1", "R2", "R2"],
            "parity": [0, 0, 1, 3, 0, 2],
            "maternal_age": [22, 35, 34, 40, 29, 31],
            "prev_cs": [0, 0, 1, 0, 0, 1],
            "ses_quintile": ["1", "1", "5", "unknown", "2", "1"],
            "migration": ["dutch", "non_european", "dutch", "european", "unknown", "dutch"],
            "n_babies": [1, 1, 1, 2, 1, 1],
            "start_line": [1, 1, 2, 2, 1, 1],
            "actual_place": [
                "home",
                "hospital_obstetrician",
                "hospital_obstetrician",
                None,
                "birth_centre",
                "hospital_midwife",
            ],
        }
    )


def test_case_mix_profile_counts_by_hand(women):
    t = case_mix_profile(women).set_index("unit")
    assert t.loc["R1", "women"] == 4 and t.loc["R2", "women"] == 2
    assert t.loc["R1", "nulliparous_pct"] == 50.0
    assert t.loc["R1", "age_35plus_pct"] == 50.0  # 35 counts, 34 does not
    assert t.loc["R1", "prev_cs_pct"] == 25.0
    assert t.loc["R1", "lowest_ses_pct"] == 50.0  # unknown stays in the denominator
    assert t.loc["R1", "non_european_pct"] == 25.0
    assert t.loc["R1", "multiple_pct"] == 25.0
    assert t.loc["R2", "first_line_start_pct"] == 100.0
    assert t.loc["all", "women"] == 6
    assert t.loc["all", "nulliparous_pct"] == 50.0


def test_place_of_birth_adds_up_and_keeps_unknown(women):
    t = place_of_birth(women).table
    assert list(t["place"].unique()) == list(PLACE_LABELS)
    sums = t.groupby("unit")["pct"].sum()
    assert sums.round(6).eq(100).all()
    assert t.groupby("unit")["n"].sum().to_dict() == {"R1": 4, "R2": 2}
    r1 = t[t.unit == "R1"].set_index("place")["n"]
    assert r1["unknown"] == 1  # the missing place is counted, not dropped
    assert r1["hospital_obstetrician"] == 2


def test_unknown_place_codes_become_unknown(women):
    women.loc[0, "actual_place"] = "garden"
    r1 = place_of_birth(women).table.query("unit == 'R1'").set_index("place")["n"]
    assert r1["unknown"] == 2 and r1["home"] == 0


def test_missing_column_is_named(women):
    with pytest.raises(SpecError, match="actual_place"):
        place_of_birth(women.drop(columns="actual_place"))
    with pytest.raises(SpecError, match="prev_cs"):
        case_mix_profile(women.drop(columns="prev_cs"))
