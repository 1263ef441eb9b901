"""The rate chart draws the rows compute() returned, sorted, with the overall line."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg import add_derived, compute
from saz_geboortezorg.present.rates_chart import rate_chart


@pytest.fixture
def table() -> pd.DataFrame:
    w = pd.DataFrame(
        {
            "hospital_id": list("AAABBBCC"),
            "ga_days": [280] * 8,
            "mode": ["intrapartum_cs", "spontaneous", "spontaneous"] * 2 + ["vacuum", "unknown"],
        }
    )
    w.loc[3:5, "mode"] = "prelabour_cs"
    return compute(add_derived(w), "cs")  # cs from the mode, as sg.load derives it


def test_layers_data_and_sorting(table):
    spec = rate_chart(table, overall=40.0, highlight="B").to_dict()
    whiskers, points, line = spec["layer"]
    assert points["encoding"]["y"]["sort"] == ["C", "A", "B"]  # by rate: 0, 33, 100
    rows = spec["datasets"][whiskers["data"]["name"]]
    assert {r["unit"]: r["is_highlight"] for r in rows} == {"A": False, "B": True, "C": False}
    assert spec["datasets"][line["data"]["name"]] == [{"overall": 40.0}]
    assert "dashed line" in spec["title"]["subtitle"]


def test_units_without_denominator_are_left_out():
    w = pd.DataFrame(
        {"hospital_id": ["A", "B"], "ga_days": [280, 280], "mode": ["vacuum", "unknown"]}
    )
    spec = rate_chart(compute(add_derived(w), "cs")).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["unit"] for r in rows] == ["A"]


def test_needs_interval_columns(table):
    with pytest.raises(ValueError, match="mean_lcl"):
        rate_chart(table, interval="mean")
