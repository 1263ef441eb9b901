"""The benchmark engine: group-by sums of a fixed model, filters, flags, cache, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import saz_geboortezorg as sg
from saz_geboortezorg.compare.benchmark import (
    BenchmarkCache,
    BenchmarkResult,
    assess,
    benchmark,
    funnel_for,
    trend_table,
    unit_table,
)
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.risk_adjusted import expected_risks


@pytest.fixture(scope="module")
def cache():
    return BenchmarkCache()


# ------------------------------------------------------------------ against casemix
@pytest.mark.parametrize(
    ("indicator", "spec", "unit"),
    [("cs", "caesarean", "region"), ("oasis", "oasis", "hospital"), ("pph", "pph", "practice")],
)
def test_sums_reproduce_casemix_observed_and_expected(dataset, cache, indicator, spec, unit):
    direct = sg.casemix(dataset, spec, unit=unit, random_effects=False).table
    got = unit_table(dataset, indicator, unit=unit, cache=cache)
    assert got["unit"].tolist() == direct["unit"].tolist()
    assert got["n"].tolist() == direct["n"].tolist()
    np.testing.assert_allclose(got["observed"], direct["observed"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], direct["expected"], rtol=1e-8)
    np.testing.assert_allclose(got["value"], direct["standardised_rate"], rtol=1e-8)
    np.testing.assert_allclose(got["lower"], direct["std_lcl95"], rtol=1e-8)
    np.testing.assert_allclose(got["rate"], direct["crude_rate"], rtol=1e-12)
    assert got.attrs["adjusted"] is True
    assert got.attrs["calibration"] == pytest.approx(1.0, abs=1e-8)


def test_cost_reproduces_gamma_casemix_including_its_variance(dataset, cache):
    res = sg.casemix(dataset, "cost", unit="region")
    direct = res.table
    got = unit_table(dataset, "cost_per_pregnancy", unit="region", cache=cache)
    np.testing.assert_allclose(got["observed"], direct["observed"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], direct["expected"], rtol=1e-8)
    np.testing.assert_allclose(got["value"], direct["standardised_rate"], rtol=1e-8)
    # casemix's upper O/E limit is (O + 1.96 sqrt(V)) / E: recover V from it.
    v = ((direct["oe_ucl95"] - direct["oe"]) * direct["expected"] / 1.959963984540054) ** 2
    np.testing.assert_allclose(got["variance"], v, rtol=1e-6)
    # On the funnel, the equivalent events keep O/E and give the variance V / E^2.
    fr = funnel_for(got)
    np.testing.assert_allclose(fr.table["value"], direct["oe"], rtol=1e-10)
    np.testing.assert_allclose(
        fr.table["denominator"], direct["expected"] ** 2 / v.to_numpy(), rtol=1e-6
    )


# ----------------------------------------------------------------------- crude path
@pytest.mark.parametrize("indicator", ["cs_robson_2", "preterm", "home_birth", "cs"])
def test_crude_equals_compute(dataset, cache, indicator):
    direct = sg.compute(dataset, indicator, by="region")
    direct = direct[direct["denominator"] > 0].reset_index(drop=True)
    got = unit_table(dataset, indicator, unit="region", adjusted=False, cache=cache)
    assert got["unit"].tolist() == direct["unit"].tolist()
    assert got["n"].tolist() == direct["denominator"].tolist()
    assert got["observed"].tolist() == direct["numerator"].tolist()
    np.testing.assert_allclose(got["value"] * 100, direct["rate"], rtol=1e-12)
    np.testing.assert_allclose(got["lower"] * 100, direct["wilson_lcl"], rtol=1e-12)
    assert got["expected"].isna().all() and not got.attrs["adjusted"]


def test_crude_cost_equals_compute_mean(dataset, cache):
    direct = sg.compute(dataset, "cost_per_pregnancy", by="hospital")
    got = unit_table(dataset, "cost_per_pregnancy", unit="hospital", adjusted=False, cache=cache)
    np.testing.assert_allclose(got["observed"], direct["total"], rtol=1e-12)
    np.testing.assert_allclose(got["value"], direct["rate"], rtol=1e-12)


def test_indicator_without_model_says_it_is_crude(dataset, cache):
    got = unit_table(dataset, "induction", unit="region", adjusted=True, cache=cache)
    assert got.attrs["adjusted"] is False
    assert "no case-mix model" in got.attrs["method"]
    assert not got["adjusted"].any()


# -------------------------------------------------------------------------- filters
def _women() -> pd.DataFrame:
    """Ten women by hand: two regions, SES, parity, dates and the Robson variables."""
    return pd.DataFrame(
        {
            "region_id": ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"],
            "ga_days": [280, 280, 280, 280, 240, 280, 280, 280, 280, 280],
            "mode": ["intrapartum_cs", "spontaneous", "prelabour_cs", "spontaneous", "spontaneous"]
            + ["spontaneous", "intrapartum_cs", "spontaneous", "unknown", "spontaneous"],
            "ses_quintile": ["1", "1", "2", "3", "1", "1", "2", "2", "1", "unknown"],
            "parity": [0, 0, 1, 2, 0, 0, 1, 0, 0, 1],
            "parity_group": ["0", "0", "1", "2+", "0", "0", "1", "0", "0", "1"],
            "prev_cs": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
            "n_babies": 1,
            "presentation": "cephalic",
            "onset": ["spontaneous", "spontaneous", "prelabour_cs", "spontaneous", "spontaneous"]
            + ["spontaneous", "induced", "spontaneous", "spontaneous", "spontaneous"],
            "birth_date": pd.to_datetime(
                ["2021-01-05", "2021-06-01", "2022-02-02", "2022-07-07", "2023-03-03"]
                + ["2021-02-02", "2021-12-31", "2022-01-01", "2022-05-05", "2023-09-09"]
            ),
        }
    )


def test_theme_filters_restrict_the_records():
    w = _women()
    # Woman 9 (B) has an unknown mode: excluded from the cs denominator.
    t = unit_table(w, "cs", adjusted=False, where={"ses_quintile": ["1"]})
    # SES 1: A women 1, 2, 5 (one CS); B women 6 (no CS), 9 excluded.
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 3, 1.0], ["B", 1, 0.0]]
    # Values are compared as text: an integer filter value works too.
    t = unit_table(w, "cs", adjusted=False, where={"ses_quintile": [2, 3]})
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 2, 1.0], ["B", 2, 1.0]]
    t = unit_table(w, "cs", adjusted=False, where={"ses_quintile": "1", "parity_group": ["0"]})
    assert t[["unit", "n"]].values.tolist() == [["A", 3], ["B", 1]]


def test_robson_filter_is_derived_from_the_data():
    w = _women()
    # Robson 1 (nulliparous, singleton, cephalic, term, spontaneous): A 1, 2; B 6, 8, 9(excl.)
    t = unit_table(w, "cs", adjusted=False, where={"robson_main": ["1"]})
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 2, 1.0], ["B", 2, 0.0]]
    # Robson 5 (previous CS): A woman 3 only; B has none and is left out.
    t = unit_table(w, "cs", adjusted=False, where={"robson_main": ["5"]})
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 1, 1.0]]


def test_period_is_inclusive_and_open_ended():
    w = _women()
    t = unit_table(w, "cs", adjusted=False, period=("2021-06-01", "2022-01-01"))
    # A: 2021-06-01 (woman 2); B: 2021-12-31 (CS), 2022-01-01.
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 1, 0.0], ["B", 2, 1.0]]
    t = unit_table(w, "cs", adjusted=False, period=("2023-01-01", None))
    assert t[["unit", "n"]].values.tolist() == [["A", 1], ["B", 1]]
    t = unit_table(w, "cs", unit="all", adjusted=False, period=(None, "2021-12-31"))
    assert t[["unit", "n", "observed"]].values.tolist() == [["all", 4, 2.0]]


def test_filtered_adjusted_counts_are_sums_of_the_fixed_model(dataset, cache):
    women = dataset.women
    res = sg.casemix(dataset, "caesarean", unit="region", random_effects=False)
    p = expected_risks(res, women)
    y = women["cs"].astype(float)  # any baby by caesarean, as the cs indicator
    sel = p.notna() & women["ses_quintile"].isin(["1", "2"]) & (women["year"] == 2022)
    frame = pd.DataFrame({"unit": women["region_id"], "y": y, "p": p})[sel]
    sums = frame.groupby("unit").sum()
    factor = sums["y"].sum() / sums["p"].sum()
    got = unit_table(
        dataset,
        "cs",
        where={"ses_quintile": ["1", "2"]},
        period=("2022-01-01", "2022-12-31"),
        cache=cache,
    )
    assert got["unit"].tolist() == sums.index.tolist()
    np.testing.assert_allclose(got["observed"], sums["y"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], sums["p"] * factor, rtol=1e-10)
    assert got.attrs["calibration"] == pytest.approx(factor)
    overall = sums["y"].sum() / sel.sum()
    np.testing.assert_allclose(got["value"], sums["y"] / (sums["p"] * factor) * overall)
    raw = unit_table(
        dataset,
        "cs",
        where={"ses_quintile": ["1", "2"]},
        period=("2022-01-01", "2022-12-31"),
        cache=cache,
        calibrate=False,
    )
    np.testing.assert_allclose(raw["expected"], sums["p"], rtol=1e-10)


# ---------------------------------------------------------------------------- flags
def test_flags_agree_with_funnel_directly(dataset, cache):
    res = benchmark(dataset, ["cs", "oasis", "induction"], unit="region", cache=cache)
    t = res.table.set_index(["indicator", "unit"])
    adjusted = sg.casemix(dataset, "oasis", unit="region", random_effects=False).table
    direct = sg.funnel(adjusted, "observed", "expected", "unit", data_type="SR")
    for row in direct.table.itertuples():
        assert t.loc[("oasis", row.group), "flag95"] == row.flag95
        assert t.loc[("oasis", row.group), "flag998"] == row.flag998
    crude = sg.compute(dataset, "induction", by="region")
    direct = sg.funnel(crude, "numerator", "denominator", "unit", data_type="PR")
    for row in direct.table.itertuples():
        assert t.loc[("induction", row.group), "flag95"] == row.flag95
    assert set(res.table.loc[res.table.indicator == "oasis", "data_type"]) == {"SR"}
    assert set(res.table.loc[res.table.indicator == "induction", "data_type"]) == {"PR"}
    # Values in the indicator's unit (percent) and the target is the overall rate.
    ind = res.table[res.table.indicator == "induction"]
    np.testing.assert_allclose(ind["value"].to_numpy(), crude["rate"].to_numpy())
    assert ind["target"].iloc[0] == pytest.approx(
        100 * crude["numerator"].sum() / crude["denominator"].sum()
    )


def test_assessment_follows_the_direction(dataset, cache):
    res = benchmark(dataset, ["oasis", "cs"], unit="practice", overdispersion=False, cache=cache)
    t = res.table
    oasis = t[t.indicator == "oasis"]  # better: lower
    assert (oasis.loc[oasis.flag95 == "higher", "assessment"] == "worse").all()
    assert (oasis.loc[oasis.flag95 == "lower", "assessment"] == "better").all()
    assert (oasis.loc[oasis.flag95 == "within", "assessment"] == "within").all()
    cs = t[t.indicator == "cs"]  # better: neither
    assert set(cs.loc[cs.flag95 != "within", "assessment"]) <= {"no_direction"}
    assert (cs.flag95 != "within").any()  # without overdispersion some practices are flagged
    outside = cs[cs.flag998 != "within"]
    assert (outside["outside"] == "99.8%").all()


def test_assess_by_hand():
    assert assess(["higher", "lower", "within"], "higher").tolist() == [
        "better",
        "worse",
        "within",
    ]
    with pytest.raises(SpecError, match="better must be"):
        assess(["higher"], "up")


def test_flags_table_symbols():
    t = pd.DataFrame(
        {
            "indicator": ["a", "a", "a", "b", "b", "b"],
            "unit": ["X", "Y", "Z", "X", "Y", "Z"],
            "assessment": ["better", "worse", "within", "no_direction", "not_assessed", "worse"],
            "outside": ["95%", "99.8%", "", "99.8%", "", "95%"],
        }
    )
    wide = BenchmarkResult(t, "region", (95.0, 99.8), True, True).flags()
    assert wide.loc["a"].tolist() == ["+", "--", "."]
    assert wide.loc["b"].tolist() == ["!!", "?", "-"]


def test_an_indicator_that_cannot_be_funnelled_is_not_assessed():
    w = _women()
    res = benchmark(w, ["cs"], unit="all", adjusted=False)  # one unit: no phi
    assert res.table["assessment"].tolist() == ["not_assessed"]
    assert res.table["n"].tolist() == [9]
    assert res.notes and "cs" in res.notes[0]


# ---------------------------------------------------------------------------- cache
def test_cache_fits_each_model_once(dataset, monkeypatch):
    import saz_geboortezorg.model as model

    calls = []
    real = model.casemix

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "casemix", counting)
    cache = BenchmarkCache()
    unit_table(dataset, "cs", adjusted=False, cache=cache)
    assert calls == []  # crude requests fit nothing
    for unit in ("region", "hospital", "practice"):
        unit_table(dataset, "cs", unit=unit, cache=cache)
    unit_table(dataset, "cs", where={"migration": ["dutch"]}, cache=cache)
    unit_table(dataset, "cs", period=("2022-01-01", None), cache=cache)
    for limits in ((95, 99.8), (90, 99)):
        for od in (True, False):
            benchmark(dataset, ["cs"], limits=limits, overdispersion=od, cache=cache)
    assert len(calls) == 1 and cache.fits == 1
    benchmark(dataset, ["cs", "oasis", "induction"], cache=cache)
    assert cache.fits == 2 and len(calls) == 2
    cache.clear()
    unit_table(dataset, "cs", cache=cache)
    assert len(calls) == 3


# --------------------------------------------------------------------------- errors
def test_clear_errors(dataset, cache):
    with pytest.raises(SpecError, match="unknown indicator 'cs_robson1'.*cs_robson_1"):
        unit_table(dataset, "cs_robson1", cache=cache)
    with pytest.raises(SpecError, match="cannot filter on 'ses'"):
        unit_table(dataset, "cs", where={"ses": ["1"]}, cache=cache)
    with pytest.raises(SpecError, match="cannot compare by 'ward'"):
        unit_table(dataset, "cs", unit="ward", cache=cache)
    with pytest.raises(SpecError, match="no records in the selection"):
        unit_table(dataset, "cs", where={"ses_quintile": ["9"]}, cache=cache)
    with pytest.raises(SpecError, match="period must be"):
        unit_table(dataset, "cs", period="2022", cache=cache)
    with pytest.raises(SpecError, match="unknown indicator"):
        benchmark(dataset, ["cs", "nope"], cache=cache)


# ---------------------------------------------------------------------------- trend
def test_trend_by_hand():
    w = _women()
    t = trend_table(w, "cs", freq="year", highlight="B", adjusted=False)
    # 2021: A women 1, 2 (one CS), B women 6, 7 (one CS); 2022: A 3 (CS), 4; B 8 (9 excl.)
    got = t[["series", "label", "n", "observed"]].values.tolist()
    assert got == [
        ["all", "2021", 4, 2.0],
        ["all", "2022", 3, 1.0],
        ["all", "2023", 2, 0.0],
        ["B", "2021", 2, 1.0],
        ["B", "2022", 1, 0.0],
        ["B", "2023", 1, 0.0],
    ]
    assert t["period"].iloc[1] == pd.Timestamp("2022-01-01")
    with pytest.raises(SpecError, match="not a region"):
        trend_table(w, "cs", highlight="Z", adjusted=False)
    with pytest.raises(SpecError, match="freq must be"):
        trend_table(w, "cs", freq="week", adjusted=False)


def test_trend_sums_agree_with_unit_tables(dataset, cache):
    t = trend_table(dataset, "oasis", highlight="R05", freq="quarter", cache=cache, calibrate=False)
    mine = t[(t.series == "R05") & (t.label == "2022Q2")].iloc[0]
    direct = unit_table(
        dataset, "oasis", period=("2022-04-01", "2022-06-30"), cache=cache, calibrate=False
    ).set_index("unit")
    assert mine["n"] == direct.loc["R05", "n"]
    assert mine["observed"] == direct.loc["R05", "observed"]
    assert mine["expected"] == pytest.approx(direct.loc["R05", "expected"], rel=1e-12)
    everybody = t[t.series == "all"]
    whole = unit_table(dataset, "oasis", unit="all", cache=cache)
    assert everybody["n"].sum() == whole["n"].iloc[0]
    assert everybody["expected"].sum() == pytest.approx(whole["expected"].iloc[0], rel=1e-10)
    assert len(everybody) == 12  # 2021-2023 by quarter
