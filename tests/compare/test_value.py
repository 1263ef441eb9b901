"""The value view: quadrants, adjusted cost against an independent gamma GLM, outcomes."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.value import assign_quadrants, value_view
from saz_geboortezorg.errors import SpecError


def test_quadrants_on_a_handmade_table():
    t = pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "E", "F"],
            "outcome": [40.0, 30.0, 40.0, 30.0, 35.0, np.nan],
            "cost": [2000.0, 2000.0, 4000.0, 4000.0, 3000.0, 1000.0],
        }
    )
    got = assign_quadrants(t["outcome"], t["cost"], 35.0, 3000.0, better="higher")
    assert got.tolist() == [
        "better outcome, lower cost",
        "worse outcome, lower cost",
        "better outcome, higher cost",
        "worse outcome, higher cost",
        "worse outcome, lower cost",  # on both lines: not above either
        "unknown",
    ]
    # Lower is better (e.g. NICU admissions): A is now worse.
    lower = assign_quadrants(t["outcome"], t["cost"], 35.0, 3000.0, better="lower")
    assert lower[:4].tolist() == [
        "worse outcome, lower cost",
        "better outcome, lower cost",
        "worse outcome, higher cost",
        "better outcome, higher cost",
    ]
    assert lower[4] == "worse outcome, lower cost"  # at the mean is not better
    neither = assign_quadrants(t["outcome"], t["cost"], 35.0, 3000.0, better="neither")
    assert neither[:2].tolist() == ["higher rate, lower cost", "lower rate, lower cost"]
    with pytest.raises(SpecError, match="better"):
        assign_quadrants([1.0], [1.0], 1.0, 1.0, better="up")


def test_uncertain_when_an_interval_contains_its_line():
    # Lines: outcome 35, cost 3000. Each unit's intervals written so the answer is known.
    t = pd.DataFrame(
        {
            "outcome": [40.0, 40.0, 30.0, 30.0, 40.0, 38.0, 30.0],
            "o_lo": [36.0, 34.0, 25.0, 25.0, 35.0, 36.0, np.nan],
            "o_hi": [44.0, 46.0, 34.0, 34.0, 45.0, 40.0, 34.0],
            "cost": [2000.0, 2000.0, 4000.0, 3500.0, 2000.0, 2900.0, 4000.0],
            "c_lo": [1800.0, 1800.0, 3100.0, 2990.0, 1900.0, 2700.0, 3500.0],
            "c_hi": [2200.0, 2200.0, 4900.0, 4000.0, 2100.0, 3000.0, 4500.0],
        }
    )
    got = assign_quadrants(
        t["outcome"],
        t["cost"],
        35.0,
        3000.0,
        outcome_ci=(t["o_lo"], t["o_hi"]),
        cost_ci=(t["c_lo"], t["c_hi"]),
    )
    assert got.tolist() == [
        "better outcome, lower cost",  # both intervals clear of their lines
        "uncertain",  # outcome interval 34-46 contains 35
        "worse outcome, higher cost",
        "uncertain",  # cost interval 2990-4000 contains 3000
        "uncertain",  # outcome interval starts exactly on the line
        "uncertain",  # cost interval ends exactly on the line
        "uncertain",  # lower outcome limit missing: the side is not known
    ]
    # Only the cost interval given: unit 2 is placed again.
    only_cost = assign_quadrants(
        t["outcome"], t["cost"], 35.0, 3000.0, cost_ci=(t["c_lo"], t["c_hi"])
    )
    assert only_cost[1] == "better outcome, lower cost" and only_cost[3] == "uncertain"
    with pytest.raises(SpecError, match="every unit"):
        assign_quadrants([1.0, 2.0], [1.0, 2.0], 1.0, 1.0, cost_ci=([0.5], [1.5]))


def _gamma_design(women: pd.DataFrame) -> pd.DataFrame:
    """The design of case_mix/cost.yaml written out by hand (missing: own level)."""
    w = women[(women["ga_days"] >= 154) & women["cost_total"].notna()].copy()
    design = pd.DataFrame(index=w.index)
    for c in ("age_band", "parity_group", "bmi_band", "ses_quintile"):
        design[c] = w[c].astype(object).where(w[c].notna(), "unknown").astype(str)
    design["prev_cs"] = w["prev_cs"].astype(object).where(w["prev_cs"].notna(), "unknown")
    design["prev_cs"] = design["prev_cs"].astype(str)
    design["multiple"] = np.where(w["n_babies"] >= 2, "2+", "1")
    design["y"] = w["cost_total"].astype(float)
    # cost per pregnancy is attributed to where care started (catalogue: booking)
    design["hospital"] = w["booking_hospital_id"].astype(str)
    return design


@pytest.fixture(scope="module")
def view(dataset):
    return value_view(dataset, "uncomplicated_birth", unit="hospital")


def test_adjusted_cost_agrees_with_statsmodels_gamma(dataset, view):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    d = _gamma_design(dataset.women)
    fit = smf.glm(
        "y ~ C(age_band) + C(parity_group) + C(prev_cs) + C(multiple) + C(bmi_band)"
        " + C(ses_quintile)",
        data=d,
        family=sm.families.Gamma(sm.families.links.Log()),
    ).fit()
    d["mu"] = fit.fittedvalues
    per = d.groupby("hospital").agg(o=("y", "sum"), e=("mu", "sum"), n=("y", "size"))
    oe = per["o"] / per["e"]
    overall = d["y"].mean()
    t = view.table.set_index("unit")
    np.testing.assert_allclose(t["cost_oe"], oe.loc[t.index], rtol=1e-6)
    np.testing.assert_allclose(t["adjusted_cost"], (oe * overall).loc[t.index], rtol=1e-6)
    assert t["cost_n"].tolist() == per["n"].loc[t.index].tolist()
    np.testing.assert_allclose(t["cost_crude"], (per["o"] / per["n"]).loc[t.index])
    assert view.overall_cost == pytest.approx(overall)
    # Interval: O +- 1.96 sqrt(V), V the robust variance of the hospital's total,
    # n/(n - 1) sum (y - mu)^2 (every hospital has far more than 30 pregnancies)
    g = d.assign(r2=(d["y"] - d["mu"]) ** 2).groupby("hospital")
    var_o = g["r2"].sum() * g.size() / (g.size() - 1)
    assert (g.size() >= 30).all()
    hi = (per["o"] + 1.959964 * np.sqrt(var_o)) / per["e"] * overall
    np.testing.assert_allclose(t["adjusted_cost_ucl95"], hi.loc[t.index], rtol=1e-5)
    assert (t["adjusted_cost_lcl95"] < t["adjusted_cost"]).all()


def test_crude_outcome_is_said_and_counted_by_hand(dataset, view):
    assert not view.outcome_adjusted and "crude" in view.outcome_method
    b = dataset.births
    pop = (b["n_babies"] == 1) & (b["ga_days"] >= 259)
    pop &= ~(b["mode"].eq("unknown") | b["onset"].eq("unknown")).fillna(False)

    def known(column):
        values = b[column].astype("object")
        return (values.notna() & values.ne("unknown")).to_numpy()

    vaginal = b["mode"].isin(["spontaneous", "vacuum", "forceps"]).to_numpy()
    laboured = b["onset"].ne("prelabour_cs").to_numpy()
    liveborn = ~b["perinatal_death_phase"].isin(["antepartum", "intrapartum"]).to_numpy()
    always = np.ones(len(b), dtype=bool)
    # (complication, is the component known?, does it apply?) per component
    components = [
        (b["onset"].ne("spontaneous"), known("onset"), always),
        (b["mode"].ne("spontaneous"), known("mode"), always),
        (b["pain_relief_method"].eq("epidural"), known("pain_relief_method"), laboured),
        (b["episiotomy"].eq(1), known("episiotomy"), vaginal),
        (b["perineum"].isin([3, 4]), known("perineum"), vaginal),
        (b["blood_loss"] >= 1000, known("blood_loss"), always),
        (b["apgar5"] < 7, known("apgar5"), liveborn),
        (b["nicu"].eq(1), known("nicu"), liveborn),
        (b["perinatal_death"].eq(1), known("perinatal_death"), always),
    ]
    complicated = np.logical_or.reduce([c.fillna(False).to_numpy() & k for c, k, _ in components])
    # complete cases: a baby with a component that applies to it but is missing is left
    # out, whatever the other components say
    incomplete = np.logical_or.reduce([a & ~k for _, k, a in components])
    assert (pop & incomplete & complicated).sum() > 0  # left out although complicated
    pop &= ~incomplete
    num = pd.Series(~complicated, index=b.index)
    g = pd.DataFrame({"h": b["hospital_id"], "pop": pop, "num": num & pop}).groupby("h")
    t = view.table.set_index("unit")
    assert t["outcome_n"].tolist() == g["pop"].sum().loc[t.index].tolist()
    assert t["outcome_events"].tolist() == g["num"].sum().loc[t.index].tolist()
    rate = 100 * g["num"].sum() / g["pop"].sum()
    np.testing.assert_allclose(t["outcome_rate"], rate.loc[t.index])
    assert view.overall_outcome == pytest.approx(100 * num[pop].mean())
    # Default: quadrant lines at the medians of the 17 units' values.
    assert view.cut == "median"
    assert view.outcome_line == pytest.approx(statistics.median(rate.tolist()))
    assert view.cost_line == pytest.approx(statistics.median(t["adjusted_cost"].tolist()))
    assert t["quadrant"].tolist() == _by_hand(t, view.outcome_line, view.cost_line)


def _by_hand(t, outcome_line, cost_line):
    """Quadrants written out: uncertain when an interval holds its line; higher is better."""
    out = []
    for _, r in t.iterrows():
        if r["outcome_lcl95"] <= outcome_line <= r["outcome_ucl95"]:
            out.append("uncertain")
        elif r["adjusted_cost_lcl95"] <= cost_line <= r["adjusted_cost_ucl95"]:
            out.append("uncertain")
        else:
            first = "better outcome" if r["outcome_rate"] > outcome_line else "worse outcome"
            second = "higher cost" if r["adjusted_cost"] > cost_line else "lower cost"
            out.append(f"{first}, {second}")
    return out


def test_cut_at_the_median_or_the_mean(dataset, view):
    mean = value_view(dataset, "uncomplicated_birth", unit="hospital", cut="mean")
    assert mean.cut == "mean" and "overall means" in mean.cut_text
    assert mean.cost_line == mean.overall_cost and mean.outcome_line == mean.overall_outcome
    t = mean.table.set_index("unit")
    assert t["quadrant"].tolist() == _by_hand(t, mean.overall_outcome, mean.overall_cost)
    # The median puts as many units on either side of each line (17 units: 8, 1 on it, 8).
    v = view.table
    assert (v["adjusted_cost"] < view.cost_line).sum() == (
        v["adjusted_cost"] > view.cost_line
    ).sum()
    assert "median" in view.cut_text
    # The NICU hospitals pull the mean cost above the median.
    assert mean.cost_line > view.cost_line
    assert (v["adjusted_cost"] < mean.cost_line).sum() > (v["adjusted_cost"] < view.cost_line).sum()
    with pytest.raises(SpecError, match="cut"):
        value_view(dataset, "cs", cut="mode")


def test_adjusted_outcome_uses_the_indicator_spec(dataset):
    v = value_view(dataset, "cs", unit="hospital")
    assert v.outcome_adjusted and "caesarean" in v.outcome_method
    assert v.better == "neither"
    t = v.table.set_index("unit")
    women = dataset.women[dataset.women["ga_days"] >= 154]
    events = women.groupby("hospital_id")["cs"].sum()
    assert t["outcome_events"].tolist() == events.loc[t.index].tolist()
    # Standardised rate = O/E x overall rate, in percent.
    np.testing.assert_allclose(t["outcome_rate"], t["outcome_oe"] * v.overall_outcome)
    assert v.overall_outcome == pytest.approx(100 * women["cs"].mean())
    assert set(t["quadrant"].str.split(",").str[0]) <= {"higher rate", "lower rate", "uncertain"}


def test_errors(dataset):
    with pytest.raises(SpecError, match="amount, not a rate"):
        value_view(dataset, "cost_per_pregnancy")
    with pytest.raises(SpecError, match="compares units"):
        value_view(dataset, "cs", unit=None)


def test_cost_without_a_product_agrees_with_statsmodels_gamma(dataset):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    claims = dataset.sources["dbc_declaraties"]
    nicu = claims[claims["zorgproduct"] == "ZH_NEONATOLOGIE"]
    nicu_cost = nicu.groupby("zwangerschap_id")["tarief"].sum()
    women = dataset.women.copy()
    women["cost_total"] = women["cost_total"] - women["pregnancy_id"].map(nicu_cost).fillna(0.0)
    d = _gamma_design(women)
    fit = smf.glm(
        "y ~ C(age_band) + C(parity_group) + C(prev_cs) + C(multiple) + C(bmi_band)"
        " + C(ses_quintile)",
        data=d,
        family=sm.families.Gamma(sm.families.links.Log()),
    ).fit()
    d["mu"] = fit.fittedvalues
    per = d.groupby("hospital").agg(o=("y", "sum"), e=("mu", "sum"))
    oe = per["o"] / per["e"]
    v = value_view(dataset, "nicu", exclude_products=["ZH_NEONATOLOGIE"])
    t = v.table.set_index("unit")
    np.testing.assert_allclose(t["cost_oe"], oe.loc[t.index], rtol=1e-6)
    np.testing.assert_allclose(t["adjusted_cost"], (oe * d["y"].mean()).loc[t.index], rtol=1e-6)
    assert v.cost_excluded == ("ZH_NEONATOLOGIE",)
    assert v.overall_cost == pytest.approx(d["y"].mean())
    with pytest.raises(SpecError, match="no claims for care product"):
        value_view(dataset, "nicu", exclude_products=["ZH_NOTHING"])
