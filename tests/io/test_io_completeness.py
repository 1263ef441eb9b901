"""Completeness: share missing or unknown per source, unit and variable."""

from __future__ import annotations

import handmade
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.io import completeness_wide, load


def _row(table, unit, source, variable):
    r = table[
        (table["unit"] == unit) & (table["source"] == source) & (table["variable"] == variable)
    ]
    assert len(r) == 1, (unit, source, variable)
    return r.iloc[0]


def test_tidy_columns_and_counts(data):
    t = data.completeness()
    assert list(t.columns) == [
        "unit",
        "source",
        "variable",
        "column",
        "n",
        "missing",
        "share",
        "flagged",
    ]
    bmi = _row(t, "ZH01", "perined_lvr2", "bmi")  # Z002, Z005, Z011 at ZH01; Z011 has no BMI
    assert (bmi["n"], bmi["missing"], bmi["column"]) == (3, 1, "bmi")
    assert bmi["share"] == pytest.approx(1 / 3) and bmi["flagged"]
    assert not _row(t, "ZH02", "perined_lvr2", "bmi")["flagged"]
    assert _row(t, "all", "perined_lvr2", "bmi")["n"] == 6


def test_lvr1_birth_items_count_only_first_line_births(data):
    t = data.completeness()
    ga = _row(t, "all", "perined_lvr1", "ga_days")
    assert ga["n"] == 3 and ga["missing"] == 0  # Z001, Z005, Z006 (eindverantwoordelijke 1)


def test_conditional_items(data):
    t = data.completeness()
    assert _row(t, "all", "perined_lvr2", "pain_relief_method")["n"] == 2  # pain relief given
    assert _row(t, "all", "perined_lvr2", "perineum")["n"] == 3  # vaginal births only


def test_unknown_code_counts_as_missing(tmp_path):
    tables = handmade.tables()
    tables["perined_lvr2"].loc[:, "migratieachtergrond"] = ["9", "1", "1", "1", "1", "1"]
    tables["perined_lvr2"].loc[0, "type_partus"] = "99"
    data = load(handmade.write(tmp_path / "x", tables), salt="s")
    t = data.completeness(threshold=0.2)
    mig = _row(t, "ZH01", "perined_lvr2", "migration")
    assert (mig["n"], mig["missing"], bool(mig["flagged"])) == (3, 1, True)
    assert _row(t, "ZH01", "perined_lvr2", "mode")["missing"] == 1
    assert not _row(t, "all", "perined_lvr2", "migration")["flagged"]  # 1/6 < 20%


def test_by_practice_and_region(data):
    by_practice = data.completeness(unit="practice")
    assert {"VP001", "VP002"} <= set(by_practice["unit"])
    assert any(u.startswith("(no practice") for u in by_practice["unit"])
    by_region = data.completeness(unit="region")
    assert set(by_region["unit"]) == {"R1", "R2", "all"}


def test_threshold_is_configurable(data):
    assert data.completeness(threshold=0.5)["flagged"].sum() == 0
    assert data.completeness(threshold=0.0)["flagged"].sum() > 0


def test_bad_options(data):
    with pytest.raises(SpecError, match="choose one of hospital, practice, region"):
        data.completeness(unit="ward")
    with pytest.raises(SpecError, match="between 0 and 1"):
        data.completeness(threshold=5)


def test_wide_view(data):
    wide = completeness_wide(data.completeness())
    assert "perined_lvr2:bmi" in wide.columns
    assert wide.set_index("unit").loc["ZH01", "perined_lvr2:bmi"] == pytest.approx(1 / 3)
