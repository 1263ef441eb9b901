"""The place-of-birth chart draws exactly the table it is given."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.profile import place_of_birth
from saz_geboortezorg.present.profile_chart import PLACE_COLOURS, place_of_birth_chart


@pytest.fixture
def table() -> pd.DataFrame:
    w = pd.DataFrame(
        {"region_id": ["R1", "R1", "R2"], "actual_place": ["home", "unknown", "birth_centre"]}
    )
    return place_of_birth(w)


def _data(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_chart_embeds_the_table_and_marks_the_highlight(table):
    spec = place_of_birth_chart(table, highlight="R2").to_dict()
    rows = _data(spec)
    assert len(rows) == len(table.table)
    assert {r["unit_label"] for r in rows} == {"R1", "► R2"}
    assert sum(r["n"] for r in rows) == 3


def test_dutch_labels_and_fixed_colours(table):
    spec = place_of_birth_chart(table, language="nl").to_dict()
    colour = spec["encoding"]["color"]
    assert colour["field"] == "label_nl"
    assert "thuis" in colour["scale"]["domain"]
    assert colour["scale"]["range"][0] == PLACE_COLOURS["home"]
    assert spec["title"] == "Plaats van bevalling per eenheid"


def test_level_comes_from_the_result_or_the_argument(table):
    assert table.unit == "region_id"
    assert place_of_birth_chart(table).to_dict()["encoding"]["y"]["title"] == "region"
    plain = place_of_birth_chart(table.table).to_dict()
    assert plain["encoding"]["y"]["title"] == "unit"
    given = place_of_birth_chart(table.table, unit="hospital", language="nl").to_dict()
    assert given["encoding"]["y"]["title"] == "ziekenhuis"
    assert (
        table.chart(highlight="R2").to_dict()
        == place_of_birth_chart(table, highlight="R2").to_dict()
    )


def test_language_is_checked(table):
    with pytest.raises(ValueError):
        place_of_birth_chart(table, language="de")
