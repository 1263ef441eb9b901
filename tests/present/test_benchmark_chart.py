"""The benchmark heat table: colours follow the assessment, grouping, language, highlight."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.compare.benchmark import BenchmarkResult
from saz_geboortezorg.present.benchmark_chart import (
    benchmark_chart,
    format_value,
    message_chart,
    trend_chart,
)


def _result() -> BenchmarkResult:
    rows = [
        # indicator, domain, unit, value, assessment, alert
        ("cost_per_pregnancy", "cost", "R1", 3612.4, "within", "worse"),
        ("cost_per_pregnancy", "cost", "R2", 2999.6, "within", ""),
        ("oasis", "mother", "R1", 1.04, "better", ""),
        ("oasis", "mother", "R2", 3.25, "worse", ""),
        ("cs", "process", "R1", 16.0, "within", "different"),
        ("cs", "process", "R2", 17.0, "not_assessed", ""),
        ("nicu", "child", "R1", 4.44, "within", "better"),
        ("nicu", "child", "R2", 5.0, "too_few", ""),
        ("epidural", "process", "R1", 20.0, "different", ""),
        ("epidural", "process", "R2", 21.0, "within", ""),
    ]
    t = pd.DataFrame(rows, columns=["indicator", "domain", "unit", "value", "assessment", "alert"])
    names = {
        "cost_per_pregnancy": ("Cost", "Kosten per zwangerschap", "euro"),
        "oasis": ("OASIS", "Totaalruptuur", "percent"),
        "cs": ("Caesarean", "Sectio", "percent"),
        "nicu": ("NICU", "Opname NICU", "per_1000"),
        "epidural": ("Epidural", "Ruggenprik", "percent"),
    }
    t["name_en"] = [names[i][0] for i in t["indicator"]]
    t["name_nl"] = [names[i][1] for i in t["indicator"]]
    t["measure"] = [names[i][2] for i in t["indicator"]]
    t["target"] = 1.0
    t["n"] = 100
    return BenchmarkResult(t, "region", (95.0, 99.8), True, True)


def _records(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def test_domains_in_the_fixed_order_and_colours_by_assessment():
    spec = benchmark_chart(_result()).to_dict()
    assert spec["facet"]["row"]["sort"] == ["Mother", "Child", "Process", "Cost"]
    scale = spec["spec"]["layer"][0]["encoding"]["color"]["scale"]
    fill = dict(zip(scale["domain"], scale["range"], strict=True))
    ids = {
        "Cost": "cost_per_pregnancy",
        "OASIS": "oasis",
        "Caesarean": "cs",
        "NICU": "nicu",
        "Epidural": "epidural",
    }
    cells = {(ids[r["name"].split(" (")[0]], r["unit"]): r for r in _records(spec)}
    assert cells[("oasis", "R1")]["group"] == "Mother"
    # Okabe-Ito: a verdict dark (blue better, vermillion worse, reddish purple different),
    # an alert in the lighter shade (sky blue, orange, pale purple).
    assert fill[cells[("oasis", "R1")]["category"]] == "#0072B2"
    assert fill[cells[("nicu", "R1")]["category"]] == "#56B4E9"
    assert fill[cells[("cost_per_pregnancy", "R1")]["category"]] == "#E69F00"
    assert fill[cells[("oasis", "R2")]["category"]] == "#D55E00"
    assert fill[cells[("epidural", "R1")]["category"]] == "#CC79A7"
    assert fill[cells[("cs", "R1")]["category"]] == "#EBC9DD"
    assert cells[("cs", "R2")]["category"] == "not assessed"
    assert cells[("oasis", "R1")]["category"] == "better (verdict: outside 99.8% limits)"
    assert cells[("nicu", "R1")]["category"] == "alert, better (outside 95% limits only)"
    assert cells[("nicu", "R2")]["category"] == "too few to judge (under 5 expected)"
    assert fill[cells[("nicu", "R2")]["category"]] == "#FFFFFF"
    # Cell text in the indicator's unit; bold for a verdict only.
    assert cells[("cost_per_pregnancy", "R1")]["text"] == "3,612"
    assert cells[("nicu", "R1")]["text"] == "4.4"
    assert cells[("oasis", "R2")]["bold"] and not cells[("nicu", "R1")]["bold"]
    # Dark fills get white text.
    assert cells[("oasis", "R1")]["ink"] == "white" and cells[("nicu", "R1")]["ink"] == "black"


def test_subtitle_states_the_expected_false_verdicts_and_alerts():
    # 10 cells, 8 judged (not assessed and too few are not): 8 x 0.002 and 8 x 0.048
    subtitle = benchmark_chart(_result()).to_dict()["title"]["subtitle"]
    assert subtitle[0].startswith("case-mix adjusted where a model exists; verdict outside ")
    assert "99.8% limits, alert at 95%" in subtitle[0]
    assert subtitle[1] == (
        "With no true differences, about 0.0 false verdicts and 0.4 false alerts are "
        "expected among 8 judged cells (here: 3 verdicts, 3 alerts; 1 too few to judge)."
    )
    dutch = benchmark_chart(_result(), language="nl").to_dict()["title"]["subtitle"]
    assert "0,4 onterechte signalen" in dutch[1] and "oordeel buiten 99,8%-grenzen" in dutch[0]
    fdr = _result()
    fdr.fdr = 0.05
    text = benchmark_chart(fdr).to_dict()["title"]["subtitle"]
    assert "Benjamini-Hochberg, FDR 5%" in text[0]
    assert text[1].startswith("With no true differences, at most a 5% chance of any false")


def test_unknown_assessment_is_an_error():
    res = _result()
    res.table.loc[0, "assessment"] = "no_direction"
    with pytest.raises(ValueError, match="unknown assessment 'no_direction'"):
        benchmark_chart(res)


def test_dutch_labels():
    spec = benchmark_chart(_result(), language="nl").to_dict()
    assert spec["facet"]["row"]["sort"] == ["Moeder", "Kind", "Proces", "Kosten"]
    names = {r["name"] for r in _records(spec)}
    assert "Totaalruptuur (%)" in names and "Opname NICU (‰)" in names
    assert spec["title"]["text"] == "De open benchmark: elke regio op elke indicator"
    with pytest.raises(ValueError, match="language"):
        benchmark_chart(_result(), language="de")


def test_highlight_frames_only_my_unit():
    spec = benchmark_chart(_result(), highlight="R2").to_dict()
    frame = spec["spec"]["layer"][-1]
    assert frame["mark"]["stroke"] == "black"
    assert frame["transform"] == [{"filter": "datum.is_highlight"}]
    highlighted = {r["unit"] for r in _records(spec) if r["is_highlight"]}
    assert highlighted == {"R2"}
    axis = spec["spec"]["layer"][0]["encoding"]["x"]["axis"]
    assert "'R2'" in axis["labelFontWeight"]["expr"]
    without = benchmark_chart(_result()).to_dict()
    assert len(without["spec"]["layer"]) == 3
    with pytest.raises(ValueError, match="not in the benchmark"):
        benchmark_chart(_result(), highlight="R9")


def test_format_value():
    assert format_value(0.05, "percent") == "0.1"
    assert format_value(12345.5, "euro") == "12,346"


def test_trend_chart_scales_and_names_the_series():
    t = pd.DataFrame(
        {
            "series": ["all", "all", "R1", "R1"],
            "period": pd.to_datetime(["2022-01-01", "2022-04-01"] * 2),
            "value": [0.004, 0.005, 0.006, 0.002],
            "lower": [0.003, 0.004, 0.001, 0.0],
            "upper": [0.005, 0.006, 0.012, 0.008],
            "n": [4000, 4100, 300, 310],
        }
    )
    spec = trend_chart(t, multiplier=1000, series_labels={"all": "alle regio's"}).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert [r["series"] for r in rows] == ["alle regio's", "alle regio's", "R1", "R1"]
    assert [round(r["value"], 6) for r in rows] == [4.0, 5.0, 6.0, 2.0]  # per 1,000
    colour = spec["layer"][1]["encoding"]["color"]["scale"]
    assert colour == {"domain": ["alle regio's", "R1"], "range": ["#4D4D4D", "#D55E00"]}
    with pytest.raises(ValueError, match="needs column"):
        trend_chart(t.drop(columns="upper"))


def test_message_chart_shows_the_text():
    spec = message_chart("Not available: too few units").to_dict()
    assert spec["datasets"][spec["data"]["name"]] == [{"text": "Not available: too few units"}]


def test_trend_chart_in_dutch():
    t = pd.DataFrame(
        {
            "series": ["all", "R1"],
            "period": pd.to_datetime(["2022-01-01"] * 2),
            "value": [0.2, 0.3],
            "lower": [0.1, 0.2],
            "upper": [0.3, 0.4],
            "n": [100, 10],
        }
    )
    english = trend_chart(t).to_dict()
    assert english["title"]["subtitle"] == "line: value; band: 95% interval"
    assert all("title" not in tip for tip in english["layer"][1]["encoding"]["tooltip"])
    dutch = trend_chart(t, language="nl").to_dict()
    assert dutch["title"]["subtitle"] == "lijn: waarde; band: 95%-interval"
    titles = [tip["title"] for tip in dutch["layer"][1]["encoding"]["tooltip"]]
    assert titles == ["reeks", "periode", "waarde", "ondergrens", "bovengrens", "n"]
    custom = trend_chart(t, language="nl", interval_label="99%-interval").to_dict()
    assert custom["title"]["subtitle"] == "lijn: waarde; band: 99%-interval"
    with pytest.raises(ValueError, match="language"):
        trend_chart(t, language="fr")


def test_message_chart_uses_the_toolkit_fonts():
    spec = message_chart("x").to_dict()
    assert spec["config"]["axis"]["labelFontSize"] == 14
    assert spec["config"]["view"]["strokeWidth"] == 0
    assert (spec["width"], spec["height"]) == (640, 60)
