"""Caterpillar chart of unit effects: sorted, intervals, reference line, highlight."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.present.caterpillar import caterpillar_chart


@pytest.fixture
def effects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hospital": ["A", "B", "C", "D"],
            "or": [1.4, 0.7, 1.0, 1.1],
            "lo": [1.1, 0.5, 0.8, 0.7],
            "hi": [1.8, 0.95, 1.25, 1.6],
        }
    )


def test_sorted_highlighted_log_scale(effects):
    chart = caterpillar_chart(
        effects, unit="hospital", estimate="or", lower="lo", upper="hi", highlight="C"
    )
    spec = chart.to_dict()
    bars, points, ref = spec["layer"]
    assert points["encoding"]["y"]["sort"] == ["B", "C", "D", "A"]
    assert bars["encoding"]["x"]["scale"]["type"] == "log"
    rows = spec["datasets"][bars["data"]["name"]]
    assert {r["unit"] for r in rows if r["is_highlight"]} == {"C"}
    assert spec["datasets"][ref["data"]["name"]] == [{"reference": 1.0}]


def test_log_odds_linear_and_horizontal(effects):
    log_odds = effects.assign(**{c: effects[c].map(lambda v: v - 1) for c in ("or", "lo", "hi")})
    spec = caterpillar_chart(
        log_odds,
        unit="hospital",
        estimate="or",
        lower="lo",
        upper="hi",
        reference=0,
        horizontal=True,
        x_title="log odds",
    ).to_dict()
    bars = spec["layer"][0]
    assert "type" not in bars["encoding"]["y"]["scale"] and bars["encoding"]["x"]["field"] == "unit"


def test_bad_input(effects):
    with pytest.raises(ValueError, match="estimate"):
        caterpillar_chart(effects)
    bad = effects.rename(
        columns={"hospital": "unit", "or": "estimate", "lo": "lower", "hi": "upper"}
    )
    bad.loc[0, "upper"] = 1.0
    with pytest.raises(ValueError, match="within its interval"):
        caterpillar_chart(bad)


def test_highlighted_label_is_bold(effects):
    spec = caterpillar_chart(
        effects, unit="hospital", estimate="or", lower="lo", upper="hi", highlight=["D", "A"]
    ).to_dict()
    axis = spec["layer"][1]["encoding"]["y"]["axis"]
    weight = axis["labelFontWeight"]
    assert weight["condition"]["test"] == 'indexof(["A", "D"], datum.value) >= 0'
    assert (weight["condition"]["value"], weight["value"]) == ("bold", "normal")
    plain = caterpillar_chart(effects, unit="hospital", estimate="or", lower="lo", upper="hi")
    assert "labelFontWeight" not in plain.to_dict()["layer"][1]["encoding"]["y"]["axis"]


def test_words_in_english_and_dutch(effects):
    columns = {"unit": "hospital", "estimate": "or", "lower": "lo", "upper": "hi"}
    english = caterpillar_chart(effects, **columns).to_dict()
    assert english["title"] == {
        "text": "Unit effects",
        "subtitle": "dot: estimate; bar: 95% interval; sorted; dashed line: 1",
        "anchor": "start",
    }
    assert [t["field"] for t in english["layer"][1]["encoding"]["tooltip"]] == [
        "unit", "estimate", "lower", "upper",
    ]  # fmt: skip
    dutch = caterpillar_chart(effects, **columns, language="nl").to_dict()
    assert dutch["title"] == {
        "text": "Effecten per eenheid",
        "subtitle": "punt: schatting; balk: 95%-interval; gesorteerd; stippellijn: 1",
        "anchor": "start",
    }
    assert [t["title"] for t in dutch["layer"][1]["encoding"]["tooltip"]] == [
        "eenheid", "schatting", "ondergrens", "bovengrens",
    ]  # fmt: skip
    own = caterpillar_chart(
        effects, **columns, language="nl", title=None, interval_label="90%-interval"
    ).to_dict()
    assert own["title"]["text"] == "" and "balk: 90%-interval;" in own["title"]["subtitle"]
    with pytest.raises(ValueError, match="language"):
        caterpillar_chart(effects, **columns, language="de")


def test_fonts_and_size(effects):
    spec = caterpillar_chart(
        effects, unit="hospital", estimate="or", lower="lo", upper="hi"
    ).to_dict()
    assert spec["config"]["axis"]["labelFontSize"] == 14
    assert spec["config"]["title"]["fontSize"] == 16
    assert (spec["width"], spec["height"]) == (520, {"step": 22})


def test_reference_line_value_is_rounded_in_the_subtitle():
    import pandas as pd

    from saz_geboortezorg.present.caterpillar import caterpillar_chart

    table = pd.DataFrame(
        {"unit": ["A", "B"], "estimate": [9.0, 12.0], "lower": [8.0, 11.0], "upper": [10.0, 13.0]}
    )
    spec = caterpillar_chart(table, reference=10.48771).to_dict()
    assert spec["title"]["subtitle"].endswith("dashed line: 10.49")
