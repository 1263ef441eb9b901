"""State -> view: every control changes what the view shows; unchanged charts are reused."""

from __future__ import annotations

import numpy as np
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
    return {r.get("unit", r.get("label")) for r in rows if r.get("is_highlight")}


def test_base_view_counts_by_hand(women):
    v = explorer_view(women, BASE)
    expect = _induced(women).groupby(women["region_id"]).agg(["size", "sum"])
    assert v.table["unit"].tolist() == expect.index.tolist()
    assert v.table["n"].tolist() == expect["size"].tolist()
    assert v.table["observed"].tolist() == expect["sum"].tolist()
    assert v.funnel.data_type == "PR"
    # R2 induces twice as often (45% v 22% of about 200 women): a verdict at 99.8%
    assert v.table.loc[v.table.unit == "R2", "assessment"].item() == "different"
    assert v.table.loc[v.table.unit == "R2", "alert"].item() == ""
    # rates on the indicator's own scale (percent), in the table and the caterpillar
    by_hand = (100 * expect["sum"] / expect["size"]).tolist()
    assert v.table["value"].tolist() == pytest.approx(by_hand)
    assert v.caterpillar["estimate"].tolist() == pytest.approx(by_hand)
    assert v.rates.measure == "percent" and v.rates.target == pytest.approx(
        100 * expect["sum"].sum() / expect["size"].sum()
    )
    assert set(v.trend.table["series"]) == {"all"}


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
    assert set(v.trend.table["series"]) == {"all", "R3"}
    assert _highlighted(v.charts["funnel"]) == {"R3"}
    assert _highlighted(v.charts["caterpillar"]) == {"R3"}
    assert _highlighted(base.charts["funnel"]) == set()

    v = explorer_view(women, BASE.replace(language="nl"), cache)
    title = v.charts["trend"].to_dict()["title"]["text"]
    assert title == "Inleiding van de baring per kwartaal, alle jaren"
    title = base.charts["trend"].to_dict()["title"]["text"]
    assert title == "Induction of labour – Inleiding van de baring per quarter, all years"

    v = explorer_view(women, BASE.with_filter("ses_quintile", ["1", "2"]), cache)
    assert v.table["n"].sum() == women["ses_quintile"].isin(["1", "2"]).sum()
    v = explorer_view(women, BASE.with_filter("parity_group", ["0"]), cache)
    assert v.table["n"].sum() == (women["parity_group"] == "0").sum()


def test_adjustment_switches_between_model_and_crude(dataset):
    cache = BenchmarkCache()
    state = ExplorerState(indicator="cs", level="region")
    adjusted = explorer_view(dataset, state, cache)
    crude = explorer_view(dataset, state.replace(adjusted=False), cache)
    assert adjusted.rates.adjusted and adjusted.funnel.data_type == "SR"
    assert not crude.rates.adjusted and crude.funnel.data_type == "PR"
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
    assert period.reused == ()  # the trend follows the period too
    level = explorer_view(women, period.state.replace(level="hospital"), cache, period)
    assert level.reused == ()
    other = explorer_view(women.copy(), level.state, cache, level)
    assert other.reused == ()  # other data: nothing is reused


def _outputs(view) -> tuple:
    """What the explorer shows: chart specs, display table, method and notes."""
    specs = {c: chart.to_dict() for c, chart in view.charts.items()}
    return specs, view.display().to_dict("list"), view.method, view.notes


def test_language_and_my_unit_changes_reuse_the_numbers(women):
    cache = BenchmarkCache()
    first = explorer_view(women, BASE.replace(my_unit="R2"), cache)
    dutch = explorer_view(women, first.state.replace(language="nl"), cache, first)
    # nothing recomputed: the unit table, funnel analysis and trend of the previous view
    assert dutch.rates is first.rates and dutch.funnel is first.funnel
    assert dutch.trend is first.trend
    assert dutch.table.equals(first.table) and dutch.table is not first.table
    # ... and everything shown is what a view computed from scratch shows
    assert _outputs(dutch) == _outputs(explorer_view(women, dutch.state, BenchmarkCache()))
    assert dutch.display().columns[0] == "eenheid"
    mine = explorer_view(women, dutch.state.replace(my_unit="R5"), cache, dutch)
    assert mine.rates is first.rates
    assert mine.trend is not first.trend  # the trend has the highlighted unit's series
    assert set(mine.trend.table["series"]) == {"all", "R5"}
    assert _highlighted(mine.charts["funnel"]) == {"R5"}
    assert _outputs(mine) == _outputs(explorer_view(women, mine.state, BenchmarkCache()))
    # a unit without records: noted in the new language, the numbers kept
    gone = explorer_view(women, mine.state.replace(my_unit="R9", language="en"), cache, mine)
    assert gone.notes == ["R9 has no records in this selection"] and gone.rates is first.rates
    assert _outputs(gone) == _outputs(explorer_view(women, gone.state, BenchmarkCache()))
    # any other control: computed again
    level = explorer_view(women, gone.state.replace(level="hospital"), cache, gone)
    assert level.rates is not first.rates and level.table["unit"].tolist()[0] == "H1"


def test_no_funnel_reason_survives_a_language_change(women):
    one = women[women["region_id"] == "R1"]
    v = explorer_view(one, BASE)
    dutch = explorer_view(one, BASE.replace(language="nl"), previous=v)
    assert dutch.funnel is None and dutch.no_funnel == v.no_funnel != ""
    assert dutch.notes == [f"geen trechterplot: {v.no_funnel}"]
    assert _outputs(dutch) == _outputs(explorer_view(one, dutch.state))


def test_my_unit_outside_the_selection_is_noted(women):
    v = explorer_view(women, BASE.replace(my_unit="R9"))
    assert v.notes == ["R9 has no records in this selection"]
    v = explorer_view(women, BASE.replace(my_unit="R9", language="nl"))
    assert v.notes == ["R9 heeft geen gegevens in deze selectie"]
    assert set(v.trend.table["series"]) == {"all"}


def test_no_funnel_gives_a_message_chart(women):
    one = women[women["region_id"] == "R1"]
    v = explorer_view(one, BASE)
    assert v.funnel is None and v.notes[0].startswith("no funnel plot: ")
    reason = v.notes[0].removeprefix("no funnel plot: ")
    text = v.charts["funnel"].to_dict()["datasets"]
    assert list(text.values()) == [[{"text": f"Not available: {reason}"}]]
    dutch = explorer_view(one, BASE.replace(language="nl"))
    assert dutch.notes == [f"geen trechterplot: {reason}"]
    text = dutch.charts["funnel"].to_dict()["datasets"]
    assert list(text.values()) == [[{"text": f"Niet beschikbaar: {reason}"}]]
    assert v.table["assessment"].tolist() == ["not_assessed"]
    assert v.table["alert"].tolist() == [""]


def _tiered(n_small: int) -> pd.DataFrame:
    """Ten regions of 2,000 women with a 20% induction rate, except: R01 at 24.5% (z
    4.0 on the arcsine scale against the overall 20.7%: outside 99.8%), R02 at 23% (z
    2.5: outside 95% only) and a small R11 of ``n_small`` women without induction."""
    rows = []
    for i in range(1, 11):
        induced = {1: 490, 2: 460}.get(i, 400)
        rows += [(f"R{i:02d}", k < induced) for k in range(2000)]
    rows += [("R11", False)] * n_small
    region, induced = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "region_id": region,
            "ga_days": 280,
            "birth_date": pd.Timestamp("2022-05-01"),
            "onset": np.where(induced, "induced", "spontaneous"),
        }
    )


def test_view_has_two_tiers_and_the_volume_rule():
    w = _tiered(20)  # 20 women x 21% is about 4 expected inductions: too few to judge
    v = explorer_view(w, BASE.replace(overdispersion=False))
    t = v.table.set_index("unit")
    assert t.loc["R01", "assessment"] == "different" and t.loc["R01", "alert"] == ""
    assert t.loc["R02", "assessment"] == "within" and t.loc["R02", "alert"] == "different"
    assert t.loc["R03", "assessment"] == "within" and t.loc["R03", "alert"] == ""
    assert t.loc["R11", "assessment"] == "too_few" and t.loc["R11", "alert"] == ""
    assert t.loc["R11", "expected_events"] == pytest.approx(20 * 4150 / 20020)
    # one level only: verdicts at that level, no alert tier
    v95 = explorer_view(w, BASE.replace(overdispersion=False, limits=(95.0,))).table
    assert v95.set_index("unit").loc["R02", "assessment"] == "different"
    assert set(v95["alert"]) == {""}
    shown = display_table(v)
    assert shown.set_index("unit").loc["R02", "alert"] == "different (no direction)"


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
        "signaal",
    ]
    r2 = t[t["eenheid"] == "R2"].iloc[0]
    assert r2["trechter"] == "hoger" and r2["beoordeling"] == "afwijkend (geen richting)"
    assert r2["signaal"] == ""
    row = v.table.loc[v.table.unit == "R2"].iloc[0]
    assert r2["waarde"] == round(100 * row["observed"] / row["n"], 2)


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


def test_period_narrows_the_trend(women):
    cache = BenchmarkCache()
    every = explorer_view(women, BASE.replace(my_unit="R3"), cache)
    assert every.trend.table["period"].dt.year.unique().tolist() == [2021, 2022, 2023]
    assert (every.trend.table["period"].dt.month.isin([1, 4, 7, 10])).all()  # quarters
    one = explorer_view(women, BASE.replace(my_unit="R3", period="2022"), cache, every)
    assert "trend" not in one.reused
    everybody = one.trend.table[one.trend.table["series"] == "all"]
    in_2022 = women[women["birth_date"].dt.year == 2022]
    # per month of 2022, counted by hand
    by_month = _induced(in_2022).groupby(in_2022["birth_date"].dt.month).agg(["size", "sum"])
    assert everybody["period"].dt.month.tolist() == by_month.index.tolist()
    assert (everybody["period"].dt.year == 2022).all()
    assert everybody["n"].tolist() == by_month["size"].tolist()
    assert everybody["observed"].tolist() == by_month["sum"].tolist()
    percent = (100 * by_month["sum"] / by_month["size"]).tolist()
    assert everybody["value"].tolist() == pytest.approx(percent)  # the indicator's scale
    drawn = [
        r["value"]
        for rows in one.charts["trend"].to_dict().get("datasets", {}).values()
        for r in rows
        if "value" in r
    ]
    # drawn as they are (all units and R3), not multiplied by 100 again
    assert sorted(drawn) == pytest.approx(sorted(one.trend.table["value"]))
    assert max(drawn) > 1  # percent, not proportions
    r3 = in_2022[in_2022["region_id"] == "R3"]
    mine = one.trend.table[one.trend.table["series"] == "R3"]
    assert mine["n"].sum() == len(r3)
    title = one.charts["trend"].to_dict()["title"]["text"]
    assert title.endswith("per month, 2022")
    dutch = explorer_view(women, one.state.replace(language="nl"), cache, one)
    assert dutch.charts["trend"].to_dict()["title"]["text"].endswith("per maand, 2022")


def test_dutch_charts_and_method_note(dataset):
    cache = BenchmarkCache()
    state = ExplorerState(indicator="cs", level="region", my_unit="R05")
    english = explorer_view(dataset, state, cache)
    assert english.method.startswith("case-mix model '")
    dutch = explorer_view(dataset, state.replace(language="nl"), cache, english)
    assert (
        dutch.method.startswith("case-mixmodel '") and "indirecte standaardisatie" in dutch.method
    )
    assert "indirect standardisation" not in dutch.method
    funnel = dutch.charts["funnel"].to_dict()
    lines, points = funnel["layer"][1]["encoding"], funnel["layer"][2]["encoding"]
    assert lines["color"]["title"] == "grenzen" and points["fill"]["title"] == "eenheden"
    assert lines["color"]["scale"]["domain"] == ["95%-grenzen", "99,8%-grenzen"]
    first, rule = funnel["title"]["subtitle"]
    assert first.startswith("grenzen verbreed voor overdispersie")
    # the attribution rule is named under the chart, in Dutch
    assert rule.startswith("Toegerekend aan")
    caterpillar = dutch.charts["caterpillar"].to_dict()
    assert caterpillar["title"]["subtitle"].startswith("punt: schatting; balk: 95%-interval")
    trend = dutch.charts["trend"].to_dict()
    assert trend["title"]["subtitle"] == "lijn: waarde; band: 95%-interval"
    crude = explorer_view(dataset, state.replace(language="nl", adjusted=False), cache)
    assert crude.method == "ruw (correctie voor case-mix uitgezet)"
    # the English charts keep their English words
    funnel = english.charts["funnel"].to_dict()
    assert funnel["layer"][1]["encoding"]["color"]["title"] == "limits"
    assert funnel["title"]["subtitle"][0].startswith("limits adjusted for overdispersion")
    assert funnel["title"]["subtitle"][1].startswith("Attributed to")


def test_trend_legend_names_every_unit_of_the_level(women):
    cache = BenchmarkCache()
    for level, language, words in [
        ("region", "en", "all regions"),
        ("hospital", "en", "all hospitals"),
        ("region", "nl", "alle regio's"),
        ("practice", "nl", "alle praktijken"),
    ]:
        v = explorer_view(women, BASE.replace(level=level, language=language), cache)
        colour = v.charts["trend"].to_dict()["layer"][1]["encoding"]["color"]["scale"]
        assert colour["domain"] == [words]
