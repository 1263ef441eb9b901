"""inline_data: the rows altair would write for a DataFrame, made without altair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from altair.utils.data import to_values

from saz_geboortezorg.present.inline_data import inline_data


def test_rows_by_hand():
    frame = pd.DataFrame(
        {
            "unit": pd.Series(["R1", None, "R3"], dtype="string"),
            "value": [0.25, np.nan, np.inf],
            "n": np.array([10, 20, 30], dtype=np.int64),
            "mine": [False, True, False],
            "period": pd.to_datetime(["2022-01-01", "2022-04-01", None]),
        }
    )
    assert inline_data(frame)["values"] == [
        {"unit": "R1", "value": 0.25, "n": 10, "mine": False, "period": "2022-01-01T00:00:00"},
        {"unit": None, "value": None, "n": 20, "mine": True, "period": "2022-04-01T00:00:00"},
        {"unit": "R3", "value": None, "n": 30, "mine": False, "period": None},
    ]
    row = inline_data(frame)["values"][0]
    assert type(row["n"]) is int and type(row["value"]) is float and type(row["mine"]) is bool


def test_same_rows_as_altair_makes():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "unit": [f"H{i}" for i in range(50)],
            "denominator": rng.uniform(1, 900, 50),
            "limit": np.where(rng.random(50) < 0.2, np.nan, rng.normal(1, 0.1, 50)),
            "count": rng.integers(0, 99, 50),
            "is_highlight": rng.random(50) < 0.1,
            "label": np.where(rng.random(50) < 0.5, "", "x"),
        }
    )
    assert inline_data(frame) == to_values(frame)
    assert inline_data(frame.iloc[:0])["values"] == []


def test_unsupported_values_are_refused():
    with pytest.raises(ValueError, match="holds list"):
        inline_data(pd.DataFrame({"a": [[1], [2]]}))
    with pytest.raises(ValueError, match="time zones"):
        inline_data(pd.DataFrame({"t": pd.to_datetime(["2022-01-01"]).tz_localize("UTC")}))


def test_chart_data_gives_the_same_spec_and_is_not_copied():
    import copy

    import altair as alt

    from saz_geboortezorg.present.inline_data import chart_data

    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan], "y": [3, 4, 5]})
    rows = [{"x": 1.0, "y": 3}, {"x": 2.0, "y": 4}, {"x": None, "y": 5}]

    def layered(data):
        base = alt.Chart(data).encode(x=alt.X(field="x", type="quantitative"))
        other = alt.Chart({"values": [{"t": 1}]}).mark_rule().encode(y=alt.Y(field="t"))
        return alt.LayerChart(layer=[base.mark_line(), base.mark_point(), other])

    shared = chart_data(frame)
    spec = layered(shared).to_dict()
    assert spec == layered(inline_data(frame)).to_dict()
    assert [r for r in spec["datasets"].values() if r != [{"t": 1}]] == [rows]
    chart = layered(shared)
    assert copy.deepcopy(shared) is shared
    assert chart.copy(deep=True).layer[0].data is shared  # altair's copies share the rows
