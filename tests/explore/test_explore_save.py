"""Save this view: PNG, SVG and CSV with the reports' small-number protection, checked
against counts made by hand from the women table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.explore import Explorer
from saz_geboortezorg.explore.save import protect_view
from saz_geboortezorg.report.protect import protect_benchmark  # the reports' rule

THRESHOLD = 10


@pytest.fixture(scope="module")
def small_region(women) -> pd.DataFrame:
    """The explorer's test women with 6 of them moved to a new, small region R9."""
    w = women.copy()
    for col in ("region_id", "booking_region_id"):
        w.loc[w.index[:6], col] = "R9"
    return w


@pytest.fixture(scope="module")
def saved(small_region, tmp_path_factory):
    """The explorer on crude induction per region, 'my unit' the small region, saved."""
    import saz_geboortezorg.present.chart_pane as chart_pane

    original = chart_pane.ChartPane.update
    chart_pane.ChartPane.update = lambda self, chart: setattr(self, "chart", chart)
    try:
        ex = Explorer(
            small_region, indicator="induction", unit="region", highlight="R9", language="en"
        )
        ex.controls["adjusted"].value = False
        folder = tmp_path_factory.mktemp("views")
        return ex, ex.save_view(folder), folder
    finally:
        chart_pane.ChartPane.update = original


def _hand_counts(w: pd.DataFrame) -> pd.DataFrame:
    g = w.groupby("region_id")
    return pd.DataFrame(
        {"n": g.size(), "observed": g["onset"].apply(lambda s: int((s == "induced").sum()))}
    )


def test_files_are_written(saved):
    ex, result, folder = saved
    names = sorted(p.name for p in result.files)
    assert names == sorted(
        ["funnel.png", "funnel.svg", "caterpillar.png", "caterpillar.svg", "table.csv"]
    )
    assert result.folder.parent == folder and result.folder.name.startswith("induction_region")
    for p in result.files:
        assert p.exists() and p.stat().st_size > 200, p
    assert (result.folder / "funnel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (result.folder / "funnel.svg").read_text()[:500]


def test_csv_hides_what_the_reports_hide(saved, small_region):
    ex, result, _ = saved
    hand = _hand_counts(small_region)
    assert hand.loc["R9", "n"] == 6  # the small count the protection must hide
    assert (ex.view.table.set_index("unit")["n"] == hand["n"]).all()  # same population
    csv = pd.read_csv(result.folder / "table.csv").set_index("unit")
    # never a count of 1-9 anywhere in the count columns
    for col in ("n", "observed"):
        values = csv[col].dropna()
        assert not values.between(1, THRESHOLD - 1).any(), values
    # exactly the cells the reports hide, for the same counts made by hand
    table = hand.reset_index(names="unit").assign(
        indicator="induction", measure="percent", value=hand["observed"].to_numpy() / 2
    )
    reports = protect_benchmark(table, THRESHOLD)[0].hidden.set_index(table["unit"])
    for col in ("n", "observed"):
        assert csv[col].isna().to_dict() == reports[col].to_dict(), col
    gone = reports.index[reports["n"] | reports["observed"]]
    assert "R9" in gone and len(gone) >= 2  # primary and secondary suppression
    for col in ("value", "lower 95%", "upper 95%", "assessment", "funnel"):
        assert csv.loc[gone, col].isna().all(), col
        assert csv.drop(index=gone)[col].notna().all(), col
    assert sorted(result.hidden_units) == sorted(gone)


def test_charts_show_only_units_with_shown_counts(saved, small_region):
    ex, result, _ = saved
    gone = set(result.hidden_units)
    shown = sorted(set(small_region["region_id"]) - gone)
    caterpillar = (result.folder / "caterpillar.svg").read_text()
    assert all(f">{u}<" in caterpillar for u in shown)
    assert not any(f">{u}<" in caterpillar for u in gone)
    safe, _, _ = protect_view(ex.view, THRESHOLD)
    assert sorted(safe.funnel.table["group"]) == shown
    # refitted on the shown units: the centre line is their pooled rate, by hand
    hand = _hand_counts(small_region).loc[shown]
    assert safe.funnel.target == pytest.approx(hand["observed"].sum() / hand["n"].sum())
    full = ex.view.funnel.target
    assert not np.isclose(safe.funnel.target, full)  # the hidden units moved the full one
    for name in ("funnel", "caterpillar"):
        spec = safe.charts[name].to_json()
        assert not any(f'"{u}"' in spec for u in gone), name


def test_nothing_hidden_saves_the_view_as_shown(women, tmp_path, shown):
    ex = Explorer(women, indicator="induction", unit="region")
    hand = women.groupby("region_id")["onset"].agg(
        n="size", events=lambda s: (s == "induced").sum()
    )
    assert (hand.min() >= THRESHOLD).all()  # no small count: nothing to hide
    result = ex.save_view(tmp_path)
    assert result.hidden_units == []
    csv = pd.read_csv(result.folder / "table.csv")
    screen = ex.view.display()
    assert csv["assessment"].tolist() == screen["assessment"].tolist()
    assert csv["n"].tolist() == hand["n"].tolist()
    assert csv["observed"].tolist() == hand["events"].tolist()
