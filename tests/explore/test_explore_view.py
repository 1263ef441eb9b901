"""State -> view: every control changes what the view shows; unchanged charts are reused."""

from __future__ import annotations

import pandas as pd
import pytest

from saz_geboortezorg.compare.benchmark import BenchmarkCache
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.explore.view import ExplorerState, display_table, explorer_view

BASE = ExplorerState(indicator="induction", level="region")


def _induced(women: pd.DataFrame) -> pd.Series:
    return (women["onset"] == "induced").astype(float)


def _highlighted(chart) -> set[str]:
    spec = chart.to_dict()
    rows = [r for data in spec.get("datasets", {}).values() for r in data]
    return {r["unit"] for r in rows if r.get("is_highlight")}


def test_base_view_counts_by_hand(women):
    v = explorer_view(women, BASE)
    expect = _induced(women).groupby(women["region_id"]).agg(["size", "sum"])
    assert v.table["unit"].tolist() == expect.index.tolist()
    assert v.table["n"].tolist() == expect["size"].tolist()
    assert v.table["observed"].tolist() == expect["sum"].tolist()
    assert v.funnel.data_type == "PR"
    assert v.table.loc[v.table.unit == "R2", "assessment"].item() == "no_direction"
    assert v.caterpillar["estimate"].tolist() == pytest.approx((v.table["value"] * 100).tolist())
    assert set(v.trend["series"]) == {"all"}


def test_every_control_changes_the_view(women):
    cache = BenchmarkCache()
    base = explorer_view(women, BASE, cache)

    v = explorer_view(women, BASE.replace(indicator="home_birth"), cache)
    by_hand = (women["actual_place"] == "home").groupby(women["region_id"]).sum()
    assert v.table["observed"].tolist() == by_hand.tolist()

    v = explorer_view(women, BASE.replace(level="hospital"), cache)
    assert v.table["unit"].tolist()[:2] == ["H1", "H2"]

    v = explorer_view(women, BASE.replace(period="2022"), cache)
    assert v.table["n"].sum() == (women["birth_date"].dt.year == 2022).sum()

    v = explorer_view(women, BASE.replace(overdispersion=False), cache)
    assert base.funnel.overdispersed and not v.funnel.overdispersed
    assert (v.funnel.table["ucl95"] <= base.funnel.table["ucl95"] + 1e-12).all()

    v = explorer_view(women, BASE.replace(limits=(99.8,)), cache)
    assert v.funnel.levels == (99.8,) and "flag998" in v.funnel.table

    v = explorer_view(women, BASE.replace(my_unit="R3"), cache)
    assert set(v.trend["series"]) == {"all", "R3"}
    assert _highlighted(v.charts["funnel"]) == {"R3"}
    assert _highlighted(v.charts["caterpillar"]) == {"R3"}
    assert _highlighted(base.charts["funnel"]) == set()

    v = explorer_view(women, BASE.replace(language="nl"), cache)
    assert v.charts["trend"].to_dict()["title"]["text"] == "Inleiding van de baring in de tijd"
    assert base.charts["trend"].to_dict()["title"]["text"].startswith("Induction of labour")

    v = explorer_view(women, BASE.with_filter("ses_quintile", ["1", "2"]), cache)
    assert v.table["n"].sum() == women["ses_quintile"].isin(["1", "2"]).sum()
    v = explorer_view(women, BASE.with_filter("parity_group", ["0"]), cache)
    assert v.table["n"].sum() == (women["parity_group"] == "0").sum()


def test_adjustment_switches_between_model_and_crude(dataset):
    cache = BenchmarkCache()
    state = ExplorerState(indicator="cs", level="region")
    adjusted = explorer_view(dataset, state, cache)
    crude = explorer_view(dataset, state.replace(adjusted=False), cache)
    assert adjusted.table.attrs["adjusted"] and adjusted.funnel.data_type == "SR"
    assert not crude.table.attrs["adjusted"] and crude.funnel.data_type == "PR"
    assert "caesarean" in adjusted.method and "switched off" in crude.method
    assert cache.fits == 1
    robson = explorer_view(dataset, state.with_filter("robson_main", ["5"]), cache)
    assert robson.table["n"].sum() < adjusted.table["n"].sum() / 5
    assert cache.fits == 1  # filters never refit


def test_unchanged_charts_are_reused(women):
    cache = BenchmarkCache()
    first = explorer_view(women, BASE, cache)
    assert first.reused == ()
    limits = explorer_view(women, BASE.replace(limits=(95.0,)), cache, first)
    assert limits.reused == ("caterpillar", "trend")
    assert limits.charts["caterpillar"] is first.charts["caterpillar"]
    assert limits.charts["funnel"] is not first.charts["funnel"]
    period = explorer_view(women, limits.state.replace(period="2021"), cache, limits)
    assert period.reused == ("trend",)
    level = explorer_view(women, period.state.replace(level="hospital"), cache, period)
    assert level.reused == ()
    other = explorer_view(women.copy(), level.state, cache, level)
    assert other.reused == ()  # other data: nothing is reused


def test_my_unit_outside_the_selection_is_noted(women):
    v = explorer_view(women, BASE.replace(my_unit="R9"))
    assert v.notes == ["R9 has no records in this selection"]
    assert set(v.trend["series"]) == {"all"}


def test_no_funnel_gives_a_message_chart(women):
    one = women[women["region_id"] == "R1"]
    v = explorer_view(one, BASE)
    assert v.funnel is None and v.notes[0].startswith("no funnel plot")
    assert v.charts["funnel"].to_dict()["mark"]["type"] == "text"
    assert v.table["assessment"].tolist() == ["not_assessed"]


def test_display_table_in_dutch(women):
    v = explorer_view(women, BASE.replace(language="nl"))
    t = display_table(v)
    assert list(t.columns) == [
        "eenheid",
        "n",
        "waargenomen",
        "waarde",
        "onder 95%",
        "boven 95%",
        "trechter",
        "beoordeling",
    ]
    r2 = t[t["eenheid"] == "R2"].iloc[0]
    assert r2["trechter"] == "hoger" and r2["beoordeling"] == "afwijkend (geen richting)"
    assert r2["waarde"] == round(100 * v.table.loc[v.table.unit == "R2", "value"].item(), 2)


def test_errors_are_clear(women):
    with pytest.raises(SpecError, match="unknown indicator"):
        explorer_view(women, BASE.replace(indicator="nope"))
    with pytest.raises(SpecError, match="language"):
        explorer_view(women, BASE.replace(language="de"))
    with pytest.raises(SpecError, match="no records in the selection"):
        explorer_view(women, BASE.with_filter("ses_quintile", ["9"]))
    with pytest.raises(SpecError, match="period must be"):
        explorer_view(women, BASE.replace(period="last year"))


def test_numbers_only(women):
    v = explorer_view(women, BASE, draw=False)
    assert v.charts == {} and v.reused == ()
    drawn = explorer_view(women, BASE.replace(limits=(95.0,)), previous=v)
    assert drawn.reused == () and sorted(drawn.charts) == ["caterpillar", "funnel", "trend"]
    assert drawn.table["n"].tolist() == v.table["n"].tolist()
