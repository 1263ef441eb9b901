"""Slope chart of crude against adjusted ranks: data, colours, highlight."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.present.positions_chart import positions_chart


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "crude_rank": [1, 2, 3],
            "adjusted_rank": [2, 1, 3],
            "crude_status": ["lower (95%)", "within", "higher (99.8%)"],
            "adjusted_status": ["within", "within", "higher (99.8%)"],
            "status_changed": [True, False, False],
            "crude_rate": [0.10, 0.15, 0.30],
            "standardised_rate": [0.16, 0.14, 0.29],
        }
    )


def test_layers_rows_and_groups(table):
    spec = positions_chart(table, highlight="C").to_dict()
    lines, points, left, right = spec["layer"]
    rows = spec["datasets"][spec["data"]["name"]] if "data" in spec else None
    rows = rows or spec["datasets"][next(iter(spec["datasets"]))]
    assert len(rows) == 6  # two sides per unit
    by = {(r["unit"], r["side"]): r for r in rows}
    assert by[("A", "Crude")]["rank"] == 1 and by[("A", "Case-mix adjusted")]["rank"] == 2
    assert by[("A", "Crude")]["flag"] == "outside 95%"
    assert by[("C", "Case-mix adjusted")]["flag"] == "outside 99.8%"
    assert by[("A", "Crude")]["line_group"] == "flag changes"
    assert by[("B", "Crude")]["line_group"] == "same flag"
    assert by[("C", "Crude")]["line_group"] == "highlight"
    assert by[("A", "Crude")]["label"] == "1 A"
    assert by[("A", "Case-mix adjusted")]["label"] == "A 2"
    assert lines["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    # rank 1 at the top: the y domain runs from the last rank down to the first
    assert points["encoding"]["y"]["scale"]["domain"] == [3.5, 0.5]
    assert points["encoding"]["color"]["scale"]["domain"] == [
        "within",
        "outside 95%",
        "outside 99.8%",
    ]


def test_needs_the_positions_columns(table):
    with pytest.raises(ValueError, match="adjusted_rank"):
        positions_chart(table.drop(columns="adjusted_rank"))
