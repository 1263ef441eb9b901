"""Value chart and cost-drivers chart: they embed the library's numbers and say 'adjusted'."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.compare.value import ValueView
from saz_geboortezorg.present.value_chart import cost_drivers_chart, value_chart


def _view(adjusted: bool) -> ValueView:
    t = pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "outcome_rate": [40.0, 30.0, 36.0],
            "outcome_lcl95": [35.0, 25.0, 33.0],
            "outcome_ucl95": [45.0, 35.0, 39.0],
            "adjusted_cost": [2800.0, 3400.0, 3100.0],
            "adjusted_cost_lcl95": [2600.0, 3200.0, 2900.0],
            "adjusted_cost_ucl95": [3000.0, 3600.0, 3300.0],
            "quadrant": [
                "better outcome, lower cost",
                "worse outcome, higher cost",
                "better outcome, higher cost",
            ],
        }
    )
    return ValueView(
        t,
        "uncomplicated_birth",
        "Uncomplicated birth: healthy mother and healthy baby",
        "percent",
        "higher",
        adjusted,
        "case-mix adjusted" if adjusted else "crude",
        35.0,
        3050.0,
        "hospital",
    )


def _rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def test_value_chart_embeds_the_table_and_the_quadrant_lines():
    view = _view(adjusted=True)
    spec = value_chart(view, highlight="B").to_dict()
    points = spec["layer"][0]
    rows = {r["unit"]: r for r in _rows(spec, points)}
    for _, r in view.table.iterrows():
        assert rows[r["unit"]]["outcome"] == r["outcome_rate"]
        assert rows[r["unit"]]["cost"] == r["adjusted_cost"]
        assert rows[r["unit"]]["cost_ucl95"] == r["adjusted_cost_ucl95"]
        assert rows[r["unit"]]["quadrant"] == r["quadrant"]
    assert {u for u, r in rows.items() if r["is_highlight"]} == {"B"}
    lines = [r for layer in spec["layer"] if "data" in layer for r in _rows(spec, layer)]
    assert {"cost_line": 3050.0, "outcome_line": 35.0} in lines  # no cut given: the means
    assert "Dashed lines: the overall means (35.0%; EUR 3,050)" in spec["title"]["subtitle"][0]
    assert "adjusted" in points["encoding"]["x"]["title"]
    assert "case-mix adjusted" in points["encoding"]["y"]["title"]
    # Every unit is labelled.
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert any(layer["encoding"]["text"]["field"] == "unit" for layer in texts)


def test_value_chart_says_crude_when_not_adjusted():
    spec = value_chart(_view(adjusted=False)).to_dict()
    assert "crude, not adjusted" in spec["layer"][0]["encoding"]["y"]["title"]


def test_value_view_chart_method(dataset):
    from saz_geboortezorg.compare.value import value_view

    view = value_view(dataset, "nicu")
    spec = view.chart(highlight=view.table["unit"].iloc[0]).to_dict()
    rows = _rows(spec, spec["layer"][0])
    assert len(rows) == len(view.table)
    got = {r["unit"]: r["cost"] for r in rows}
    expected = view.table.set_index("unit")["adjusted_cost"]
    assert [got[u] for u in expected.index] == pytest.approx(expected.tolist())


def test_cost_drivers_chart_embeds_the_table(dataset):
    from saz_geboortezorg.derive.costs import cost_drivers

    result = cost_drivers(dataset, unit="hospital")
    d = result.table
    spec = cost_drivers_chart(result, highlight="ZH01").to_dict()
    # the result, its table and its chart() draw the same
    assert cost_drivers_chart(d, highlight="ZH01").to_dict() == spec
    assert result.chart(highlight="ZH01").to_dict() == spec
    left, _ = spec["hconcat"]
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == len(d)
    got = {(r["unit"], r["driver"]): r for r in rows}
    for _, r in d.iterrows():
        assert got[(r["unit"], r["driver"])]["share"] == pytest.approx(r["share"])
        assert got[(r["unit"], r["driver"])]["mean_cost_with"] == pytest.approx(
            r["mean_cost_with"], nan_ok=True
        )
    assert {k[0] for k, r in got.items() if r["is_highlight"]} == {"ZH01"}
    assert left["layer"][1]["encoding"]["x"]["field"] == "share"


def test_cost_summary_chart_embeds_the_parts_and_the_total_interval(dataset):
    from saz_geboortezorg.derive.costs import cost_summary
    from saz_geboortezorg.present.value_chart import cost_summary_chart

    result = cost_summary(dataset, unit="hospital")
    s = result.table
    spec = cost_summary_chart(result, split="phase", highlight="ZH02").to_dict()
    assert cost_summary_chart(s, split="phase", highlight="ZH02").to_dict() == spec
    assert result.chart(split="phase", highlight="ZH02").to_dict() == spec
    bars, interval, _ = spec["layer"]
    rows = _rows(spec, bars)
    assert {r["part"] for r in rows} == {"pregnancy", "birth", "postpartum"}
    phase = s[s["split"] == "phase"]
    assert sorted(r["mean"] for r in rows) == pytest.approx(sorted(phase["mean"]))
    totals = {r["unit"]: r for r in _rows(spec, interval)}
    for _, r in s[s["part"] == "total"].iterrows():
        assert totals[r["unit"]]["lcl95"] == pytest.approx(r["lcl95"])
    # Sorted by mean total cost, highest first.
    order = bars["encoding"]["y"]["sort"]
    means = s[s["part"] == "total"].set_index("unit")["mean"].loc[order]
    assert means.is_monotonic_decreasing
    with pytest.raises(ValueError, match="split"):
        cost_summary_chart(s, split="product")


def test_pregnancy_costs_chart_draws_the_mean_cost_per_product(dataset):
    from saz_geboortezorg.derive.costs import cost_per_pregnancy
    from saz_geboortezorg.present.value_chart import pregnancy_costs_chart

    costs = cost_per_pregnancy(dataset)
    spec = pregnancy_costs_chart(costs, top=100).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    claimed = costs.table[costs.table["n_claims"] > 0]
    # by hand: the mean of each product column over the pregnancies with claims
    products = [c for c in claimed.columns if c.startswith("product_")]
    want = {c.removeprefix("product_").upper(): claimed[c].mean() for c in products}
    assert {r["product"]: r["mean"] for r in rows} == pytest.approx(want)
    # the products add up to the mean total cost, and the bars are largest first
    assert sum(r["mean"] for r in rows) == pytest.approx(claimed["cost_total"].mean())
    assert [r["mean"] for r in rows] == sorted((r["mean"] for r in rows), reverse=True)
    # fewer bars: the rest summed as 'other products'
    short = pregnancy_costs_chart(costs, top=2).to_dict()
    few = short["datasets"][short["data"]["name"]]
    assert len(few) == 3 and few[-1]["product"] == "other products"
    assert sum(r["mean"] for r in few) == pytest.approx(claimed["cost_total"].mean())


def test_many_units_label_and_draw_intervals_only_for_the_highlight():
    n = 40
    t = pd.DataFrame(
        {
            "unit": [f"P{i:02d}" for i in range(n)],
            "outcome_rate": [30.0 + i % 7 for i in range(n)],
            "adjusted_cost": [2500.0 + 20 * i for i in range(n)],
        }
    )
    t["outcome_lcl95"], t["outcome_ucl95"] = t["outcome_rate"] - 2, t["outcome_rate"] + 2
    t["adjusted_cost_lcl95"] = t["adjusted_cost"] - 100
    t["adjusted_cost_ucl95"] = t["adjusted_cost"] + 100
    t["quadrant"] = "unknown"
    view = _view(adjusted=True)
    view.table = t
    spec = value_chart(view, highlight="P07").to_dict()
    rows = _rows(spec, spec["layer"][0])
    assert {r["unit"] for r in rows if r["show_label"]} == {"P07"}
    assert {r["unit"] for r in rows if r["show_interval"]} == {"P07"}
    assert rows[-1]["unit"] == "P07"  # drawn last, on top
    spec = value_chart(view, labels=True, intervals=True).to_dict()
    rows = _rows(spec, spec["layer"][0])
    assert all(r["show_label"] and r["show_interval"] for r in rows)


def test_label_placement_avoids_overlaps_in_a_cluster():
    from saz_geboortezorg.present.value_chart import _place_labels

    px = [100.0, 104.0, 108.0, 100.0, 300.0]
    py = [100.0, 104.0, 96.0, 110.0, 300.0]
    texts = ["ZH01", "ZH02", "ZH03", "ZH04", "ZH05"]
    dx, dy, align = _place_labels(px, py, texts, [False] * 5, 620, 460)
    boxes = []
    for i, text in enumerate(texts):
        w = 7.6 * len(text)
        x0 = px[i] + dx[i] if align[i] == "left" else px[i] + dx[i] - w
        boxes.append((x0, py[i] + dy[i] - 7, x0 + w, py[i] + dy[i] + 7))
    for i in range(5):
        for j in range(i + 1, 5):
            a, b = boxes[i], boxes[j]
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1])


def test_value_chart_names_excluded_products():
    view = _view(adjusted=True)
    view.cost_excluded = ("ZH_NEONATOLOGIE",)
    spec = value_chart(view).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["title"].endswith("without ZH_NEONATOLOGIE)")


def test_value_chart_draws_the_median_lines_and_marks_uncertain_units_hollow():
    view = _view(adjusted=False)
    view.table = view.table.assign(
        quadrant=["better outcome, lower cost", "uncertain", "uncertain"]
    )
    view.cut, view.outcome_line, view.cost_line = "median", 36.0, 3100.0
    spec = value_chart(view, highlight="A").to_dict()
    lines = [r for layer in spec["layer"] if "data" in layer for r in _rows(spec, layer)]
    assert {"cost_line": 3100.0, "outcome_line": 36.0} in lines
    title = spec["title"]["subtitle"]
    assert title[0].startswith("Dashed lines: the medians of the hospitals' outcome and adjusted")
    assert "(36.0%; EUR 3,100)" in title[0]
    assert "Hollow: uncertain" in title[1] and "(2 of 3 hospitals)" in title[1]
    rows = {r["unit"]: r for r in _rows(spec, spec["layer"][0])}
    assert rows["B"]["fill"] == rows["C"]["fill"] == "white"
    assert rows["A"]["fill"] != "white" and not rows["A"]["is_uncertain"]
    assert spec["layer"][0]["encoding"]["fill"]["field"] == "fill"


def test_value_view_median_cut_reaches_the_chart(dataset):
    from saz_geboortezorg.compare.value import value_view

    view = value_view(dataset, "uncomplicated_birth")
    spec = view.chart().to_dict()
    lines = [r for layer in spec["layer"] if "data" in layer for r in _rows(spec, layer)]
    line = next(r for r in lines if "cost_line" in r)
    assert line["cost_line"] == pytest.approx(view.table["adjusted_cost"].median())
    assert line["outcome_line"] == pytest.approx(view.table["outcome_rate"].median())
    rows = _rows(spec, spec["layer"][0])
    hollow = {r["unit"] for r in rows if r["fill"] == "white"}
    assert hollow == set(view.table.loc[view.table["quadrant"] == "uncertain", "unit"])
