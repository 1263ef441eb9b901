"""The benchmark engine: group-by sums of a fixed model, filters, flags, cache, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import saz_geboortezorg as sg
from saz_geboortezorg.compare.benchmark import (
    BenchmarkCache,
    BenchmarkResult,
    assess,
    benchmark,
    benjamini_hochberg,
    exact_p_values,
    funnel_for,
    funnel_p_values,
    pooled_period,
    unit_table,
)
from saz_geboortezorg.compare.standardise import select_records
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.indicators.rate_table import RateTable
from saz_geboortezorg.monitor.risk_adjusted import expected_risks
from saz_geboortezorg.monitor.trends import trend_table


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
    res = unit_table(dataset, indicator, unit=unit, cache=cache)
    got = res.table
    assert got["unit"].tolist() == direct["unit"].tolist()
    assert got["n"].tolist() == direct["n"].tolist()
    np.testing.assert_allclose(got["observed"], direct["observed"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], direct["expected"], rtol=1e-8)
    # rates in percent (the indicator's own scale); casemix's are proportions
    assert res.measure == "percent" and res.multiplier == 100
    np.testing.assert_allclose(got["value"], direct["standardised_rate"] * 100, rtol=1e-8)
    np.testing.assert_allclose(got["lower"], direct["std_lcl95"] * 100, rtol=1e-8)
    np.testing.assert_allclose(got["rate"], direct["crude_rate"] * 100, rtol=1e-12)
    assert res.adjusted is True
    assert res.calibration == pytest.approx(1.0, abs=1e-8)


def test_cost_reproduces_gamma_casemix_including_its_variance(dataset, cache):
    res = sg.casemix(dataset, "cost", unit="region")
    direct = res.table
    rates = unit_table(dataset, "cost_per_pregnancy", unit="region", cache=cache)
    got = rates.table
    assert rates.measure == "euro" and rates.multiplier == 1
    np.testing.assert_allclose(got["observed"], direct["observed"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], direct["expected"], rtol=1e-8)
    np.testing.assert_allclose(got["value"], direct["standardised_rate"], rtol=1e-8)
    # casemix's upper O/E limit is (O + 1.96 sqrt(V)) / E: recover V from it.
    v = ((direct["oe_ucl95"] - direct["oe"]) * direct["expected"] / 1.959963984540054) ** 2
    np.testing.assert_allclose(got["variance"], v, rtol=1e-6)
    # On the funnel, the equivalent events keep O/E and give the variance V / E^2.
    fr = funnel_for(rates)
    np.testing.assert_allclose(fr.table["value"], direct["oe"], rtol=1e-10)
    np.testing.assert_allclose(
        fr.table["denominator"], direct["expected"] ** 2 / v.to_numpy(), rtol=1e-6
    )


# ----------------------------------------------------------------------- crude path
@pytest.mark.parametrize("indicator", ["cs_robson_2", "preterm", "home_birth", "cs"])
def test_crude_equals_compute(dataset, cache, indicator):
    direct = sg.compute(dataset, indicator, unit="region").table
    direct = direct[direct["denominator"] > 0].reset_index(drop=True)
    res = unit_table(dataset, indicator, unit="region", adjusted=False, cache=cache)
    got = res.table
    assert got["unit"].tolist() == direct["unit"].tolist()
    assert got["n"].tolist() == direct["denominator"].tolist()
    assert got["observed"].tolist() == direct["numerator"].tolist()
    # both in percent, both Wilson
    np.testing.assert_allclose(got["value"], direct["rate"], rtol=1e-12)
    np.testing.assert_allclose(got["lower"], direct["wilson_lcl"], rtol=1e-12)
    np.testing.assert_allclose(got["upper"], direct["wilson_ucl"], rtol=1e-12)
    assert got["expected"].isna().all() and not res.adjusted
    assert res.interval == "Wilson score interval"


def test_crude_cost_equals_compute_mean(dataset, cache):
    direct = sg.compute(dataset, "cost_per_pregnancy", unit="hospital").table
    got = unit_table(
        dataset, "cost_per_pregnancy", unit="hospital", adjusted=False, cache=cache
    ).table
    np.testing.assert_allclose(got["observed"], direct["total"], rtol=1e-12)
    np.testing.assert_allclose(got["value"], direct["rate"], rtol=1e-12)


def test_indicator_without_model_says_it_is_crude(dataset, cache):
    got = unit_table(dataset, "induction", unit="region", adjusted=True, cache=cache)
    assert got.adjusted is False
    assert "no case-mix model" in got.method
    assert not got.table["adjusted"].any()


# -------------------------------------------------------------------------- filters
def _women() -> pd.DataFrame:
    """Ten women by hand: two regions, SES, parity, dates and the Robson variables,
    with their derived columns (cs, Robson group) as sg.load gives them."""
    women = pd.DataFrame(
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
    return sg.add_derived(women)


def test_theme_filters_restrict_the_records():
    w = _women()
    # Woman 9 (B) has an unknown mode: excluded from the cs denominator.
    t = unit_table(w, "cs", adjusted=False, where={"ses_quintile": ["1"]}).table
    # SES 1: A women 1, 2, 5 (one CS); B women 6 (no CS), 9 excluded.
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 3, 1.0], ["B", 1, 0.0]]
    # Values are compared as text: an integer filter value works too.
    t = unit_table(w, "cs", adjusted=False, where={"ses_quintile": [2, 3]}).table
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 2, 1.0], ["B", 2, 1.0]]
    t = unit_table(
        w, "cs", adjusted=False, where={"ses_quintile": "1", "parity_group": ["0"]}
    ).table
    assert t[["unit", "n"]].values.tolist() == [["A", 3], ["B", 1]]


def test_robson_filter_reads_the_derived_column():
    w = _women()
    # Robson 1 (nulliparous, singleton, cephalic, term, spontaneous): A 1, 2; B 6, 8, 9(excl.)
    t = unit_table(w, "cs", adjusted=False, where={"robson_main": ["1"]}).table
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 2, 1.0], ["B", 2, 0.0]]
    # Robson 5 (previous CS): A woman 3 only; B has none and is left out.
    t = unit_table(w, "cs", adjusted=False, where={"robson_main": ["5"]}).table
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 1, 1.0]]


def test_period_is_inclusive_and_open_ended():
    w = _women()
    t = unit_table(w, "cs", adjusted=False, period=("2021-06-01", "2022-01-01")).table
    # A: 2021-06-01 (woman 2); B: 2021-12-31 (CS), 2022-01-01.
    assert t[["unit", "n", "observed"]].values.tolist() == [["A", 1, 0.0], ["B", 2, 1.0]]
    t = unit_table(w, "cs", adjusted=False, period=("2023-01-01", None)).table
    assert t[["unit", "n"]].values.tolist() == [["A", 1], ["B", 1]]
    t = unit_table(w, "cs", unit="all", adjusted=False, period=(None, "2021-12-31")).table
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
    res = unit_table(
        dataset,
        "cs",
        where={"ses_quintile": ["1", "2"]},
        period=("2022-01-01", "2022-12-31"),
        cache=cache,
    )
    got = res.table
    assert got["unit"].tolist() == sums.index.tolist()
    np.testing.assert_allclose(got["observed"], sums["y"], rtol=1e-12)
    np.testing.assert_allclose(got["expected"], sums["p"] * factor, rtol=1e-10)
    assert res.calibration == pytest.approx(factor)
    overall = sums["y"].sum() / sel.sum()
    assert res.overall == pytest.approx(overall) and res.target == pytest.approx(100 * overall)
    np.testing.assert_allclose(got["value"], sums["y"] / (sums["p"] * factor) * overall * 100)
    raw = unit_table(
        dataset,
        "cs",
        where={"ses_quintile": ["1", "2"]},
        period=("2022-01-01", "2022-12-31"),
        cache=cache,
        calibrate=False,
    )
    np.testing.assert_allclose(raw.table["expected"], sums["p"], rtol=1e-10)


# ---------------------------------------------------------------------------- flags
def test_flags_agree_with_funnel_directly(dataset, cache):
    res = benchmark(dataset, ["cs", "oasis", "induction"], unit="region", cache=cache)
    t = res.table.set_index(["indicator", "unit"])
    adjusted = sg.casemix(dataset, "oasis", unit="region", random_effects=False).table
    direct = sg.funnel(adjusted, "observed", "expected", "unit", data_type="SR")
    for row in direct.table.itertuples():
        assert t.loc[("oasis", row.group), "flag95"] == row.flag95
        assert t.loc[("oasis", row.group), "flag998"] == row.flag998
    crude = sg.compute(dataset, "induction", unit="region")
    direct = sg.funnel(crude, "numerator", "denominator", "unit", data_type="PR")
    for row in direct.table.itertuples():
        assert t.loc[("induction", row.group), "flag95"] == row.flag95
    assert set(res.table.loc[res.table.indicator == "oasis", "data_type"]) == {"SR"}
    assert set(res.table.loc[res.table.indicator == "induction", "data_type"]) == {"PR"}
    # Values in the indicator's unit (percent) and the target is the overall rate.
    ind = res.table[res.table.indicator == "induction"]
    np.testing.assert_allclose(ind["value"].to_numpy(), crude.table["rate"].to_numpy())
    assert ind["target"].iloc[0] == pytest.approx(
        100 * crude.table["numerator"].sum() / crude.table["denominator"].sum()
    )
    assert crude.target == pytest.approx(ind["target"].iloc[0])


def test_assessment_follows_the_direction(dataset, cache):
    res = benchmark(dataset, ["oasis", "cs"], unit="practice", overdispersion=False, cache=cache)
    t = res.table
    judged = t[t.judged]
    assert set(t.loc[~t.judged, "assessment"]) == {"too_few"}
    assert set(t.loc[~t.judged, "alert"]) == {""}
    # a flag is a verdict (99.8%) or an alert (95% only) when the exact test agrees
    verdict = (judged.flag998 != "within") & (judged.p_value < 0.002)
    alert = ~verdict & (judged.flag95 != "within") & (judged.p_value < 0.05)
    oasis = judged[judged.indicator == "oasis"]  # better: lower
    v, a = verdict[oasis.index], alert[oasis.index]
    assert (oasis.loc[v & (oasis.flag998 == "higher"), "assessment"] == "worse").all()
    assert (oasis.loc[v & (oasis.flag998 == "lower"), "assessment"] == "better").all()
    assert (oasis.loc[~v, "assessment"] == "within").all()
    assert (
        oasis.loc[a, "alert"] == oasis.loc[a, "flag95"].map({"higher": "worse", "lower": "better"})
    ).all()
    assert (oasis.loc[~a, "alert"] == "").all()
    cs = judged[judged.indicator == "cs"]  # better: neither
    assert set(cs.loc[verdict[cs.index], "assessment"]) <= {"different"}
    assert set(cs.loc[~verdict[cs.index], "assessment"]) == {"within"}
    assert set(cs.loc[alert[cs.index], "alert"]) == {"different"}
    # small practices flagged low by the funnel alone (FunnelPlotR's lower Poisson limit
    # is narrower than the count's distribution) get no verdict: the exact test says no
    overruled = judged[(judged.flag998 != "within") & ~verdict[judged.index]]
    assert len(overruled) and (overruled.flag998 == "lower").all()
    assert (overruled.assessment == "within").all()
    outside = cs[cs.flag998 != "within"]
    assert (outside["outside"] == "99.8%").all()
    assert not t["assessment"].isin(["no_direction"]).any()


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
            "indicator": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
            "unit": ["X", "Y", "Z"] * 3,
            "assessment": ["better", "worse", "within", "different", "not_assessed", "within"]
            + ["within", "too_few", "within"],
            "alert": ["", "", "", "", "", "worse", "different", "", "better"],
        }
    )
    wide = BenchmarkResult(t, "region", (95.0, 99.8), True, True).flags()
    assert wide.loc["a"].tolist() == ["++", "--", "."]
    assert wide.loc["b"].tolist() == ["!!", "?", "-"]
    assert wide.loc["c"].tolist() == ["!", "~", "+"]
    t.loc[0, "assessment"] = "no_direction"  # the old word is not taken silently
    with pytest.raises(SpecError, match="unknown assessment"):
        BenchmarkResult(t, "region", (95.0, 99.8), True, True).flags()


def test_an_indicator_that_cannot_be_funnelled_is_not_assessed():
    w = _women()
    res = benchmark(w, ["cs"], unit="all", adjusted=False)  # one unit: no phi
    assert res.table["assessment"].tolist() == ["not_assessed"]
    assert res.table["n"].tolist() == [9]
    assert res.notes and "cs" in res.notes[0]


# ---------------------------------------------------------------------------- cache
def test_cache_fits_each_model_once(dataset, monkeypatch):
    # the standardisation step fits through its module-level casemix
    import saz_geboortezorg.compare.standardise as model

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
    result = trend_table(w, "cs", freq="year", highlight="B", adjusted=False)
    t = result.table
    # method as fields, not attrs (the overall rate: 3 caesareans of 9 women)
    assert (result.freq, result.highlight, result.adjusted, result.unit_type) == (
        "year",
        "B",
        False,
        "region",
    )
    assert result.target == pytest.approx(100 * 3 / 9) and not t.attrs
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
    t = trend_table(
        dataset, "oasis", highlight="R05", freq="quarter", cache=cache, calibrate=False
    ).table
    mine = t[(t.series == "R05") & (t.label == "2022Q2")].iloc[0]
    direct = unit_table(
        dataset, "oasis", period=("2022-04-01", "2022-06-30"), cache=cache, calibrate=False
    ).table.set_index("unit")
    assert mine["n"] == direct.loc["R05", "n"]
    assert mine["observed"] == direct.loc["R05", "observed"]
    assert mine["expected"] == pytest.approx(direct.loc["R05", "expected"], rel=1e-12)
    everybody = t[t.series == "all"]
    whole = unit_table(dataset, "oasis", unit="all", cache=cache).table
    assert everybody["n"].sum() == whole["n"].iloc[0]
    assert everybody["expected"].sum() == pytest.approx(whole["expected"].iloc[0], rel=1e-10)
    assert len(everybody) == 12  # 2021-2023 by quarter


# ------------------------------------------------- tiers, volume rule, multiplicity
Z95, Z998 = 1.959964, 3.090232  # two-sided 95% and 99.8% normal quantiles


def _regions(n_small: int = 20) -> pd.DataFrame:
    """Ten regions of 2,000 women and a small R11 of ``n_small`` women, all in 2023.

    Induction (crude, no better direction): 400 of 2,000 everywhere except R01 (490) and
    R02 (460); R11 none. Preterm (< 259 days, better lower): 140 of 2,000 except R03
    (200) and R04 (110); R11 none.
    """
    induced = {1: 490, 2: 460}
    preterm = {3: 200, 4: 110}
    parts = []
    for i in range(1, 11):
        k = np.arange(2000)
        parts.append(
            pd.DataFrame(
                {
                    "region_id": f"R{i:02d}",
                    "onset": np.where(k < induced.get(i, 400), "induced", "spontaneous"),
                    "ga_days": np.where(k >= 2000 - preterm.get(i, 140), 250, 280),
                }
            )
        )
    parts.append(
        pd.DataFrame({"region_id": "R11", "onset": ["spontaneous"] * n_small, "ga_days": 280})
    )
    w = pd.concat(parts, ignore_index=True)
    w["booking_region_id"] = w["region_id"]
    w["birth_date"] = pd.Timestamp("2023-05-01")
    return w


def _arcsine_z(events: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Unadjusted z of a proportion on the arcsine scale (Spiegelhalter 2005, table 1)."""
    p0 = events.sum() / n.sum()
    return (np.arcsin(np.sqrt(events / n)) - np.arcsin(np.sqrt(p0))) * 2 * np.sqrt(n)


def _by_hand(w: pd.DataFrame) -> pd.DataFrame:
    g = w.groupby("region_id")
    out = []
    for ind, event in (("induction", w["onset"] == "induced"), ("preterm", w["ga_days"] < 259)):
        events = event.groupby(w["region_id"]).sum().to_numpy(float)
        n = g.size().to_numpy(float)
        p0 = events.sum() / n.sum()
        out.append(
            pd.DataFrame(
                {
                    "indicator": ind,
                    "unit": g.size().index,
                    "z": _arcsine_z(events, n),
                    "e": np.minimum(n * p0, n * (1 - p0)),
                    # the exact binomial test of the count against the overall proportion
                    "exact": np.minimum(
                        1,
                        2
                        * np.minimum(
                            stats.binom.cdf(events, n, p0), stats.binom.sf(events - 1, n, p0)
                        ),
                    ),
                }
            )
        )
    return pd.concat(out, ignore_index=True).set_index(["indicator", "unit"])


def test_two_tiers_and_the_volume_rule_by_hand():
    w = _regions()
    res = benchmark(w, ["induction", "preterm"], overdispersion=False, adjusted=False)
    t = res.table.set_index(["indicator", "unit"])
    hand = _by_hand(w)
    np.testing.assert_allclose(t["expected_events"], hand["e"], rtol=1e-12)
    # the z-scores by hand put the cells in these tiers
    assert hand.loc[("induction", "R01"), "z"] > Z998
    assert Z95 < hand.loc[("induction", "R02"), "z"] < Z998
    assert hand.loc[("preterm", "R03"), "z"] > Z998
    assert -Z998 < hand.loc[("preterm", "R04"), "z"] < -Z95
    assert hand.loc[("induction", "R11"), "z"] < -Z998  # no induction among 20 women ...
    assert hand.loc[("induction", "R11"), "e"] < 5  # ... but about 4 were expected
    expect = {
        ("induction", "R01"): ("different", ""),
        ("induction", "R02"): ("within", "different"),
        ("induction", "R11"): ("too_few", ""),
        ("preterm", "R03"): ("worse", ""),
        ("preterm", "R04"): ("within", "better"),
        ("preterm", "R11"): ("too_few", ""),
    }
    for key in t.index:
        assert tuple(t.loc[key, ["assessment", "alert"]]) == expect.get(key, ("within", "")), key
    # contract columns kept; the flags are the funnel's facts, R11 included
    assert {"indicator", "unit", "assessment", "flag95", "flag998"} <= set(res.table.columns)
    assert t.loc[("induction", "R11"), "flag998"] == "lower"
    assert not t.loc[("induction", "R11"), "judged"] and t.loc[("induction", "R01"), "judged"]
    p_funnel = 2 * stats.norm.sf(np.abs(hand.loc[t.judged, "z"]))
    np.testing.assert_allclose(t.loc[t.judged, "p_funnel"], p_funnel, rtol=1e-9)
    np.testing.assert_allclose(t.loc[t.judged, "p_exact"], hand.loc[t.judged, "exact"], rtol=1e-9)
    np.testing.assert_allclose(
        t.loc[t.judged, "p_value"], np.maximum(p_funnel, hand.loc[t.judged, "exact"]), rtol=1e-9
    )
    assert t.loc[~t.judged, "p_value"].isna().all()
    # the family: 2 indicators x 10 judged regions, 0.002 and 0.048 per cell
    fam = res.family()
    assert (fam["judged"], fam["too_few"], fam["verdicts"], fam["alerts"]) == (20, 2, 2, 2)
    assert fam["expected_false_verdicts"] == pytest.approx(20 * 0.002)
    assert fam["expected_false_alerts"] == pytest.approx(20 * 0.048)
    assert (res.verdict_level, res.alert_level, res.min_expected) == (99.8, 95.0, 5.0)


def test_volume_rule_threshold_and_one_tier():
    w = _regions()
    every = benchmark(w, ["induction"], overdispersion=False, min_expected=0).table
    # judged anyway, 0 of 20 is outside the 99.8% arcsine limits (z = -inf) but the exact
    # test on the count, 2 x 0.8^20 = 0.023, allows an alert only
    r11 = every.set_index("unit").loc["R11"]
    assert r11["flag998"] == "lower" and r11["assessment"] == "within"
    p0 = (490 + 460 + 8 * 400) / 20_020
    assert r11["p_exact"] == pytest.approx(2 * (1 - p0) ** 20, rel=1e-9)
    assert r11["alert"] == "different"
    one = benchmark(w, ["induction"], overdispersion=False, limits=(95,)).table.set_index("unit")
    assert one.loc["R02", "assessment"] == "different" and set(one["alert"]) == {""}
    assert benchmark(w, ["induction"], limits=(95,)).alert_level is None
    at95 = benchmark(w, ["induction"], overdispersion=False, verdict=95, limits=(95, 99.8, 90))
    t = at95.table.set_index("unit")
    assert t.loc["R02", "assessment"] == "different"  # verdict at 95%, alert at 90%
    assert (at95.verdict_level, at95.alert_level) == (95.0, 90.0)


def test_benjamini_hochberg_by_hand_and_as_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # p x m / rank, then the running minimum from the largest p down
    by_hand = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.074 * 10 / 7, 0.216, 0.216, 0.216]
    np.testing.assert_allclose(benjamini_hochberg(p), by_hand)
    shuffled = np.random.default_rng(3).permutation(np.r_[p, np.nan, 0.9])
    q = benjamini_hochberg(shuffled)
    ok = ~np.isnan(shuffled)
    np.testing.assert_allclose(q[ok], multipletests(shuffled[ok], method="fdr_bh")[1])
    assert np.isnan(q[~ok]).all()
    with pytest.raises(SpecError, match="between 0 and 1"):
        benjamini_hochberg([0.5, 1.5])


def test_fdr_verdicts_by_hand():
    from statsmodels.stats.multitest import multipletests

    w = _regions()
    res = benchmark(w, ["induction", "preterm"], overdispersion=False, fdr=0.05, adjusted=False)
    t = res.table.set_index(["indicator", "unit"])
    hand = _by_hand(w).loc[t.index[t.judged]]
    p = np.maximum(2 * stats.norm.sf(np.abs(hand["z"].to_numpy())), hand["exact"].to_numpy())
    reject, q, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(t.loc[t.judged, "q_value"], q, rtol=1e-9)
    verdict = hand.index[reject]
    assert set(verdict) == set(t.index[t.judged & (t.assessment != "within")])
    assert ("induction", "R01") in verdict and ("preterm", "R03") in verdict
    # without a verdict, outside the 95% limits is an alert
    for key in t.index[t.judged & (t.assessment == "within")]:
        assert (t.loc[key, "alert"] != "") == (abs(hand.loc[key, "z"]) > Z95), key
    fam = res.family()
    assert fam["fdr"] == 0.05 and fam["false_verdict_bound"] == 0.05
    assert np.isnan(fam["expected_false_verdicts"])  # BH bounds a share, not a count
    assert fam["expected_false_alerts"] == pytest.approx(20 * 0.05)


def test_pooled_window_for_rare_indicators(dataset, cache):
    year = ("2023-01-01", "2023-12-31")
    res = benchmark(
        dataset, ["preterm", "nicu"], unit="hospital", period=year, pool_rare=3, cache=cache
    )
    windows = res.table.groupby("indicator")["window"].unique()
    assert windows["preterm"].tolist() == ["2023-01-01 to 2023-12-31"]  # percent: not rare
    assert windows["nicu"].tolist() == ["2021-01-01 to 2023-12-31"]  # per 1,000: pooled
    pooled = unit_table(dataset, "nicu", unit="hospital", period=("2021-01-01", "2023-12-31"))
    nicu = res.table[res.table.indicator == "nicu"]
    assert nicu["n"].tolist() == pooled.table["n"].tolist()
    assert pooled_period(dataset, "nicu", ("2022-01-01", "2022-12-31"), 2) == (
        pd.Timestamp("2021-01-01"),
        pd.Timestamp("2022-12-31"),
    )
    whole = benchmark(dataset, ["nicu"], unit="hospital", pool_rare=3, cache=cache)
    assert set(whole.table["window"]) == {"all"}  # no period: everything is pooled already


def test_tier_options_fail_clearly():
    w = _regions()
    with pytest.raises(SpecError, match="verdict=99 is not one of the funnel limits"):
        benchmark(w, ["induction"], verdict=99)
    with pytest.raises(SpecError, match="narrower than the verdict"):
        benchmark(w, ["induction"], alert=99.8)
    with pytest.raises(SpecError, match="min_expected"):
        benchmark(w, ["induction"], min_expected=-1)
    with pytest.raises(SpecError, match="fdr"):
        benchmark(w, ["induction"], fdr=5)
    with pytest.raises(SpecError, match="pool_rare"):
        benchmark(w, ["induction"], pool_rare=0)


@pytest.mark.parametrize("overdispersion", [True, False])
def test_p_values_agree_with_the_funnel_limits(dataset, cache, overdispersion):
    """p < 1 - L/100 exactly when outside the L% limits (exact Poisson, arcsine or
    overdispersion-adjusted), at four levels, for every judged cell."""
    levels = (90, 95, 99, 99.8)
    res = benchmark(
        dataset,
        ["oasis", "nicu", "induction", "cost_per_pregnancy", "perinatal_mortality"],
        unit="hospital",
        limits=levels,
        overdispersion=overdispersion,
        cache=cache,
    )
    t = res.table[res.table.judged]
    assert len(t) > 60 and t["p_funnel"].notna().all()
    for level, tag in zip(levels, ["90", "95", "99", "998"], strict=True):
        alpha = 1 - level / 100
        outside = t[f"flag{tag}"] != "within"
        differ = outside != (t["p_funnel"] < alpha)
        # only where the 6-decimal normal quantile of the limits decides
        assert (abs(t.loc[differ, "p_funnel"] - alpha) < 1e-5).all(), t[differ]
    assert (t["p_value"] == np.fmax(t["p_funnel"], t["p_exact"])).all()
    # one small unit by hand: 1 event where 5.6 are expected sits inside the 99.8% Poisson
    # limits, although its log-scale z is -4.1
    tiny = pd.DataFrame({"u": list("ABCDEFGHIJ"), "o": [1] + [20] * 9, "e": [5.6] + [20] * 9})
    fr = sg.funnel(tiny, "o", "e", "u", overdispersion=False)
    assert fr.table.loc[0, "flag998"] == "within" and fr.table.loc[0, "z"] < -4
    p = funnel_p_values(fr)["p_value"].iloc[0]
    assert 0.002 < p < 0.01  # outside the 99% limits, by the funnel ...
    exact = exact_p_values(fr)["p_exact"].iloc[0]  # ... but the count's own distribution:
    assert exact == pytest.approx(2 * stats.poisson.cdf(1, 5.6), rel=1e-9)  # 0.049


def test_binomial_variance_flags_five_percent_of_null_units():
    """With no true differences, a common binary outcome's O/E funnel at 95% flags about
    5% of units with the binomial variance sum p(1 - p), and too few with FunnelPlotR's
    Poisson variance E (issue 13: caesarean 2.5%)."""
    rng = np.random.default_rng(11)
    outside = {"binomial": 0, "poisson": 0}
    cells = 0
    for _ in range(150):
        units = []
        for j in range(17):
            n = int(rng.integers(800, 4000))
            p = np.where(rng.random(n) < 0.3, 0.45, 0.08)  # a mix of risks, mean ~0.19
            units.append((f"H{j:02d}", n, rng.binomial(1, p).sum(), p.sum(), (p * (1 - p)).sum()))
        names, n, observed, expected, var = zip(*units, strict=True)
        t = RateTable.from_counts(
            names, n, observed, expected=expected, variance=var, indicator="cs", measure="percent"
        )
        for variance in outside:
            fr = funnel_for(t, overdispersion=False, variance=variance)
            outside[variance] += int((fr.table["flag95"] != "within").sum())
        cells += len(t.table)
    rate = {k: v / cells for k, v in outside.items()}
    assert 0.04 <= rate["binomial"] <= 0.06, rate
    assert rate["poisson"] < 0.035, rate


def test_cached_expected_values_are_the_models_record_predictions(dataset):
    # the benchmark reads each record's expected value from the fit's covariate
    # patterns; the general per-record prediction (prepare again, a record-level
    # design matrix) must give the same values for every adjusted indicator
    cache = BenchmarkCache()
    checked = 0
    for ind in ("cs", "cs_robson_1", "oasis", "low_apgar", "cost_per_pregnancy"):
        rec = cache.fit(cache.records(dataset, ind))
        assert rec.adjustable, rec.method
        again = rec.model.model.predict(rec.table).to_numpy()[rec.rows]
        np.testing.assert_allclose(rec.expected, again, rtol=1e-12)
        checked += 1
    assert checked == 5 and cache.fits == 5


@pytest.mark.parametrize(
    "values",
    [
        ["1", "2", None, "5", "2", "unknown"],  # text
        pd.array([1, 2, None, 5, 2, 1], dtype="Int64"),
        pd.Categorical(["a", "b", None, "a", "c", "b"]),
        [1, 1.0, True, None, "1", 0],  # objects that compare equal but print differently
        [0.0, -0.0, 1.5, np.nan, 2.0, 1.5],  # floats
    ],
)
def test_theme_filters_compare_each_records_text(values):
    # a filter keeps the records whose value, as text (missing: unknown), is allowed;
    # written out record by record here
    table = pd.DataFrame({"region_id": list("AABBCC"), "ga_days": 280, "cs": 0, "v": values})
    text = [("unknown" if pd.isna(v) else str(v)) for v in table["v"].astype("string")]
    cache = BenchmarkCache()
    rec = cache.records(table, "cs")
    for allowed in (["1"], ["2", "unknown"], ["1.0", "True", "-0.0"], ["a", "c"], ["0.0"]):
        got = select_records(cache, rec, {"v": allowed}, None)
        assert got.tolist() == [t in allowed for t in text], allowed
