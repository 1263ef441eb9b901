"""The funnel chart draws what FunnelResult gives: units, limits in force, target, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.funnel import funnel
from saz_geboortezorg.present.funnel_chart import funnel_chart


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(2)
    e = np.round(rng.uniform(5, 300, 30), 2)
    o = rng.poisson(e * np.exp(rng.normal(0, 0.3, 30)))
    d = pd.DataFrame({"unit": [f"H{i:02d}" for i in range(30)], "o": o, "e": e})
    return funnel(d, "o", "e", "unit")


def layers(chart):
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    return spec, {i: layer for i, layer in enumerate(spec["layer"])}


def limit_lines(spec, layer) -> pd.DataFrame:
    """The limit curves (denominator, limit, series, side) the chart draws."""
    assert "transform" not in layer
    return pd.DataFrame(spec["datasets"][layer["data"]["name"]])


def test_layers_and_data(result):
    spec, layer = layers(result.chart(highlight="H03"))
    assert [layer[i]["mark"]["type"] for i in range(len(layer))] == [
        "rule", "line", "point", "text", "text",
    ]  # fmt: skip
    points = spec["datasets"][layer[2]["data"]["name"]]
    assert len(points) == 30
    assert {p["unit"] for p in points if p["is_highlight"]} == {"H03"}
    # the browser gets only the columns the marks and tooltips read
    assert set(points[0]) == {
        "unit", "numerator", "denominator", "value", "z", "status", "is_highlight", "label",
    }  # fmt: skip
    tooltips = [t["title"] for t in layer[2]["encoding"]["tooltip"]]
    assert tooltips[:4] == ["unit", "observed", "expected", "observed / expected"]
    # the limit lines are the result's limits in force, at the result's grid
    lines = limit_lines(spec, layer[1])
    assert set(lines["series"]) == {"95% limits", "99.8% limits"}
    for series, side, column in [("99.8% limits", "ucl", "ucl998"), ("95% limits", "lcl", "lcl95")]:
        curve = lines[(lines.series == series) & (lines.side == side)]
        assert len(curve) > 100
        expected = result.limits(curve["denominator"].to_numpy())[column].to_numpy()
        np.testing.assert_allclose(curve["limit"], expected)
    assert spec["datasets"][layer[0]["data"]["name"]] == [{"target": 1.0}]
    assert "phi = " in spec["title"]["subtitle"]


def test_labels_modes(result):
    def labelled(chart):
        spec, layer = layers(chart)
        return {r["label"] for i in (3, 4) for r in spec["datasets"][layer[i]["data"]["name"]]}

    outliers = set(result.outliers(95)["group"]) | set(result.outliers(99.8)["group"])
    assert labelled(result.chart(highlight="H03")) == outliers | {"H03"}
    assert labelled(result.chart(highlight="H03", labels="highlight")) == {"H03"}
    assert labelled(result.chart(labels="none")) == set()
    assert len(labelled(result.chart(labels="all"))) == 30
    with pytest.raises(ValueError, match="labels"):
        result.chart(labels="some")
    with pytest.raises(ValueError, match="H99"):
        result.chart(highlight="H99")


def test_status_colours_follow_flags(result):
    spec, layer = layers(result.chart())
    points = spec["datasets"][layer[2]["data"]["name"]]
    flags = result.table.set_index("group")
    for p in points:
        p = {**p, **flags.loc[p["unit"], ["flag95", "flag998"]].to_dict()}
        if p["flag998"] != "within":
            assert p["status"] == "outside 99.8% limits"
        elif p["flag95"] != "within":
            assert p["status"] == "outside 95% limits"
        else:
            assert p["status"] == "within limits"


def test_log_axis_unadjusted_and_pr(result):
    spec, layer = layers(funnel_chart(result, log_x=True, show_unadjusted=True))
    assert layer[1]["encoding"]["x"]["scale"]["type"] == "log"
    series = set(limit_lines(spec, layer[1])["series"])
    assert "99.8% limits (unadjusted)" in series
    d = pd.DataFrame(
        {"u": list("ABCDEF"), "x": [0, 3, 10, 25, 40, 5], "n": [10, 30, 80, 120, 200, 9]}
    )
    pr = funnel(d, "x", "n", "u", data_type="PR", multiplier=100)
    spec, layer = layers(pr.chart())
    assert layer[1]["encoding"]["y"]["scale"]["domain"][1] <= 100
    assert "per 100" in layer[1]["encoding"]["y"]["title"]


def test_export_png_and_svg(result, tmp_path):
    chart = result.chart(highlight="H03")
    chart.save(str(tmp_path / "f.svg"))
    chart.save(str(tmp_path / "f.png"))
    assert (tmp_path / "f.svg").read_text().lstrip().startswith("<svg")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_log_axis_is_automatic_for_wide_size_ranges(result):
    spec, layer = layers(result.chart())  # sizes 5-300: linear
    assert "type" not in layer[1]["encoding"]["x"]["scale"]
    d = pd.DataFrame({"u": list("ABCD"), "o": [1, 10, 90, 1100], "e": [2.0, 12.0, 100.0, 1000.0]})
    spec, layer = layers(funnel(d, "o", "e", "u", overdispersion=False).chart())
    assert layer[1]["encoding"]["x"]["scale"]["type"] == "log"
    spec, layer = layers(funnel(d, "o", "e", "u", overdispersion=False).chart(log_x=False))
    assert "type" not in layer[1]["encoding"]["x"]["scale"]


def test_dutch_words(result):
    spec, layer = layers(result.chart(highlight="H03", language="nl", show_unadjusted=True))
    lines = layer[1]["encoding"]
    assert lines["color"]["title"] == lines["strokeDash"]["title"] == "grenzen"
    assert lines["color"]["scale"]["domain"] == [
        "95%-grenzen", "99,8%-grenzen", "95%-grenzen (niet gecorrigeerd)",
        "99,8%-grenzen (niet gecorrigeerd)",
    ]  # fmt: skip
    assert set(limit_lines(spec, layer[1])["series"]) == set(lines["color"]["scale"]["domain"])
    assert (lines["x"]["title"], lines["y"]["title"]) == (
        "verwacht aantal",
        "waargenomen / verwacht",
    )
    fill = layer[2]["encoding"]["fill"]
    assert fill["title"] == "eenheden"
    assert fill["scale"]["domain"] == [
        "binnen de grenzen",
        "buiten 95%-grenzen",
        "buiten 99,8%-grenzen",
    ]
    # the points carry the Dutch status words, unit by unit the English ones translated
    words = {
        "within limits": "binnen de grenzen",
        "outside 95% limits": "buiten 95%-grenzen",
        "outside 99.8% limits": "buiten 99,8%-grenzen",
    }
    dutch = {p["unit"]: p["status"] for p in spec["datasets"][layer[2]["data"]["name"]]}
    english_spec, english_layer = layers(result.chart(highlight="H03"))
    english = english_spec["datasets"][english_layer[2]["data"]["name"]]
    assert dutch == {p["unit"]: words[p["status"]] for p in english}
    assert [t["title"] for t in layer[2]["encoding"]["tooltip"]] == [
        "eenheid", "waargenomen", "verwacht", "waargenomen / verwacht", "z-score", "positie",
    ]  # fmt: skip
    assert spec["title"] == {
        "text": "Trechterplot: waargenomen / verwacht (SHMI), 30 eenheden",
        "subtitle": "grenzen verbreed voor overdispersie: phi = 6.22, tau\u00b2 = 0.0408; "
        "lijn: referentie 1",
        "anchor": "start",
    }


def test_dutch_proportion_funnel_and_unknown_language():
    d = pd.DataFrame(
        {"u": list("ABCDEF"), "x": [0, 3, 10, 25, 40, 5], "n": [10, 30, 80, 120, 200, 9]}
    )
    pr = funnel(d, "x", "n", "u", data_type="PR", multiplier=100, overdispersion=False)
    spec, layer = layers(pr.chart(language="nl"))
    enc = layer[1]["encoding"]
    assert (enc["x"]["title"], enc["y"]["title"]) == ("aantal", "proportie (per 100)")
    assert spec["title"]["subtitle"].startswith("niet-gecorrigeerde grenzen")
    assert [t["title"] for t in layer[2]["encoding"]["tooltip"]][1:3] == ["gebeurtenissen", "n"]
    with pytest.raises(ValueError, match="language"):
        pr.chart(language="de")


def test_limit_curves_pass_the_disclosure_check():
    # the curves run over a grid of sizes from 1: the check knows them by their `limit`
    # column (and no unit) and does not read the grid as small counts
    from saz_geboortezorg.disclosure.check import check_chart

    d = pd.DataFrame({"u": list("ABCDE"), "o": [40, 55, 31, 90, 62], "e": [44.0, 50, 35, 80, 70]})
    chart = funnel(d, "o", "e", "u").chart(highlight="C")
    spec, layer = layers(chart)
    assert limit_lines(spec, layer[1])["denominator"].min() < 10
    assert check_chart(spec) == []
