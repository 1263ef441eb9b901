"""The Robson chart stacks each group's contribution to the unit's caesarean rate."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.derive.robson import robson_table
from saz_geboortezorg.present.robson_chart import robson_chart
from saz_geboortezorg.present.style import PALETTE


@pytest.fixture
def women() -> pd.DataFrame:
    # A: 4 women, CS in group 5 (2 of 2) -> 50%; B: 4 women, 1 CS in group 1 -> 25%
    return pd.DataFrame(
        {
            "hospital_id": ["A"] * 4 + ["B"] * 4,
            "robson": ["1", "1", "5", "5", "1", "1", "3", "unclassifiable"],
            "cs": [0, 0, 1, 1, 1, 0, 0, 0],
        }
    )


def _rows(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def test_bars_add_up_to_the_caesarean_rate(women):
    spec = robson_chart(robson_table(women, unit="hospital_id"), highlight="B").to_dict()
    rows = pd.DataFrame(_rows(spec))
    assert "total" not in set(rows["group"])  # the total row is the bar's length, not a part
    assert rows.groupby("unit")["contribution_pct"].sum().to_dict() == {"A": 50.0, "B": 25.0}
    assert set(rows["unit_label"]) == {"A", "► B"}
    assert spec["encoding"]["y"]["title"] == "hospital"
    colours = dict(
        zip(
            spec["encoding"]["color"]["scale"]["domain"],
            spec["encoding"]["color"]["scale"]["range"],
            strict=True,
        )
    )
    assert colours["unclassifiable"] == PALETTE[7]  # grey, like 'unknown' elsewhere
    assert list(colours) == ["1", "3", "5", "unclassifiable"]  # WHO order as in the table


def test_overall_table_and_plain_table(women):
    overall = robson_table(women)
    rows = pd.DataFrame(_rows(robson_chart(overall).to_dict()))
    assert set(rows["unit"]) == {"all"}
    assert rows["contribution_pct"].sum() == pytest.approx(100 * 3 / 8, abs=0.01)
    plain = robson_chart(robson_table(women, unit="hospital_id").table, language="nl").to_dict()
    assert plain["encoding"]["y"]["title"] == "eenheid"  # a plain table does not say its level
    assert plain["title"].startswith("Bijdrage")
    with pytest.raises(ValueError):
        robson_chart(overall, language="de")
