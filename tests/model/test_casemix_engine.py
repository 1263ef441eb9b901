"""The fixed-effects engine: collapsing, O/E, errors in words, missing data, single units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from casemix_helpers import MAIN_EFFECTS

from saz_geboortezorg.derive.tables import add_derived
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model import CaseMixWarning, FitError, casemix, prepare
from saz_geboortezorg.model.collapse import collapse
from saz_geboortezorg.model.logistic import fit_logistic


def _spec(covariates=None, **extra):
    return {"name": "t", "outcome": "cs", "covariates": covariates or MAIN_EFFECTS, **extra}


def test_collapsed_fit_equals_row_level_fit(births):
    design = prepare(births, _spec()).design
    pats = collapse(design)
    assert len(pats.trials) < len(births) / 3  # really collapsed
    fit = fit_logistic(pats.X, pats.events, pats.trials, design.names)
    row = sm.GLM(design.y, design.row_matrix(), family=sm.families.Binomial()).fit(tol=1e-12)
    np.testing.assert_allclose(fit.params, row.params, rtol=1e-9)
    np.testing.assert_allclose(fit.se, row.bse, rtol=1e-8)
    np.testing.assert_allclose(fit.fitted[pats.record_pattern], row.fittedvalues, rtol=1e-9)


def test_oe_table_by_hand(births):
    res = casemix(births, _spec(), random_effects=False)
    t = res.table.set_index("unit")
    obs = births.groupby("hospital_id").cs.sum()
    assert (t.observed == obs.loc[t.index]).all()
    assert (t.n == births.groupby("hospital_id").size().loc[t.index]).all()
    # Indirect standardisation without the unit: expected events add up to observed.
    assert t.expected.sum() == pytest.approx(obs.sum(), rel=1e-9)
    from scipy.stats import chi2

    h = t.index[0]
    o, e = t.loc[h, "observed"], t.loc[h, "expected"]
    assert t.loc[h, "oe"] == pytest.approx(o / e)
    # the binomial variance of O under the model, sum p (1 - p) over the unit's women
    # (statsmodels' fitted risks), rescales the count to equivalent Poisson events
    design = prepare(births, _spec()).design
    row = sm.GLM(design.y, design.row_matrix(), family=sm.families.Binomial()).fit(tol=1e-12)
    p = pd.Series(row.fittedvalues, index=births.index)[births["hospital_id"] == h]
    v = float((p * (1 - p)).sum())
    assert v < e  # binomial, not Poisson
    k = e / v
    assert t.loc[h, "oe_lcl95"] == pytest.approx(chi2.ppf(0.025, 2 * k * o) / 2 / (k * e))
    assert t.loc[h, "oe_ucl95"] == pytest.approx(chi2.ppf(0.975, 2 * k * o + 2) / 2 / (k * e))
    # narrower than the Poisson interval it replaces
    assert t.loc[h, "oe_lcl95"] > chi2.ppf(0.025, 2 * o) / 2 / e
    rate = births.cs.mean()
    assert t.loc[h, "standardised_rate"] == pytest.approx(o / e * rate)
    assert t.loc[h, "crude_rate"] == pytest.approx(o / t.loc[h, "n"])


def test_unknown_column_is_named(births):
    spec = _spec({"education": {"type": "categorical"}})
    with pytest.raises(SpecError, match="no column 'education'"):
        casemix(births, spec)


def test_absent_reference_level_is_named(births):
    spec = _spec({"age_band": {"type": "categorical", "reference": "45_49"}})
    with pytest.raises(SpecError, match="reference level '45_49' does not occur"):
        casemix(births, spec)


def test_outcome_not_binary_is_named(births):
    df = births.assign(cs=births.cs * 2)
    with pytest.raises(SpecError, match="must be 0/1 .* holds 2"):
        casemix(df, _spec())


def test_outcome_neither_indicator_nor_column(births):
    with pytest.raises(SpecError, match="neither an indicator id"):
        casemix(births, {"name": "t", "outcome": "caesar", "covariates": {}})


def test_binary_covariate_with_other_values(births):
    df = births.assign(prev_cs=births.prev_cs + 1)
    with pytest.raises(SpecError, match="declared binary .* must be 0/1"):
        casemix(df, _spec({"prev_cs": {"type": "binary"}}))


def test_unit_with_no_records_is_named(births):
    spec = _spec(
        {"parity_group": {"type": "categorical", "reference": "0"}}, population="smoking == 'yes'"
    )
    df = births.copy()
    df.loc[(df.hospital_id == "H03") & (df.smoking == "yes"), "smoking"] = "no"
    with pytest.raises(SpecError, match="hospital H03 has no records in the population"):
        casemix(df, spec, random_effects=False)
    res = casemix(df, spec, random_effects=False, allow_empty_units=True)
    assert "H03" not in set(res.table.unit)
    assert any("H03" in note for note in res.notes)


def test_separation_is_reported_in_words(births):
    df = births.copy()
    df.loc[df.age_band == "40+", "cs"] = 0
    with pytest.raises(
        FitError, match=r"separation: none of the \d+ records with age_band = '40\+'"
    ):
        casemix(df, _spec(), random_effects=False)
    with pytest.warns(CaseMixWarning, match="separation"):
        res = casemix(df, _spec(), random_effects=False, strict=False)
    assert any("separation" in p for p in res.problems)


def test_non_convergence_is_reported(births):
    with pytest.raises(FitError, match="did not converge in 1 iterations"):
        casemix(births, _spec(), random_effects=False, max_iter=1)


def test_single_unit(births):
    res = casemix(births.assign(hospital_id="H01"), _spec())
    assert list(res.table.unit) == ["H01"]
    assert res.table.oe.iloc[0] == pytest.approx(1.0)
    assert res.random_effects is None
    assert any("at least two units" in n for n in res.notes)


def test_unit_all(births):
    res = casemix(births, _spec(), unit="all", random_effects=False)
    assert list(res.table.unit) == ["all"]


def test_missing_values_become_unknown_category(births):
    df = births.copy()
    df["bmi_band"] = df.bmi_band.replace("unknown", np.nan)
    res = casemix(df, _spec(), random_effects=False)
    assert "bmi_band[unknown]" in set(res.coefficients.term)
    ref = casemix(births, _spec(), random_effects=False)
    np.testing.assert_allclose(res.coefficients.estimate, ref.coefficients.estimate, rtol=1e-10)


def test_complete_case_counts_exclusions_per_unit(births):
    res = casemix(births, _spec(missing="complete_case"), random_effects=False)
    t = res.table.set_index("unit")
    lacking = births[(births.bmi_band == "unknown") | (births.smoking == "unknown")]
    expected = lacking.groupby("hospital_id").size().reindex(t.index, fill_value=0)
    assert (t.excluded_missing == expected).all()
    assert (t.n == t.records - t.excluded_missing).all()
    assert "bmi_band[unknown]" not in set(res.coefficients.term)


def test_unknown_joins_reference(births):
    covs = dict(MAIN_EFFECTS)
    covs["bmi_band"] = {"type": "categorical", "reference": "18.5_25", "unknown": "reference"}
    res = casemix(births, _spec(covs), random_effects=False)
    assert "bmi_band[unknown]" not in set(res.coefficients.term)
    merged = births.assign(bmi_band=births.bmi_band.replace("unknown", "18.5_25"))
    ref = casemix(merged, _spec(), random_effects=False)
    np.testing.assert_allclose(res.coefficients.estimate, ref.coefficients.estimate, rtol=1e-10)


def test_bands_and_spline_terms():
    rng = np.random.default_rng(2)
    n = 4000
    age = rng.uniform(17, 45, n)
    df = pd.DataFrame({"hospital_id": rng.choice(list("ABC"), n), "age": age})
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-(-2 + 0.004 * (age - 30) ** 2))))
    banded = casemix(
        df,
        {
            "name": "b",
            "outcome": "y",
            "covariates": {"age": {"type": "continuous", "bands": [20, 35], "reference": "20_35"}},
        },
        random_effects=False,
    )
    assert list(banded.coefficients.term) == ["(Intercept)", "age[<20]", "age[35+]"]
    spline = casemix(
        df,
        {
            "name": "s",
            "outcome": "y",
            "covariates": {"age": {"type": "continuous", "spline": {"df": 4}}},
        },
        random_effects=False,
    )
    assert len(spline.coefficients) == 1 + 4  # patsy cr(df=4, constraints='center')
    assert spline.table.expected.sum() == pytest.approx(df.y.sum(), rel=1e-8)


def test_indicator_outcome_on_women_table():
    """An indicator id brings its population and exclusions (unknown mode excluded)."""
    rng = np.random.default_rng(8)
    n = 3000
    women = pd.DataFrame(
        {
            "hospital_id": rng.choice(["A", "B", "C"], n),
            "ga_days": rng.integers(250, 295, n),
            "mode": rng.choice(
                ["spontaneous", "intrapartum_cs", "unknown"], n, p=[0.8, 0.17, 0.03]
            ),
            "parity_group": rng.choice(["0", "1", "2+"], n),
        }
    )
    women = add_derived(women)  # cs from the mode, as sg.load derives it
    res = casemix(
        women,
        {
            "name": "c",
            "outcome": "cs",
            "covariates": {"parity_group": {"type": "categorical", "reference": "0"}},
        },
        random_effects=False,
    )
    assert res.n == int((women["mode"] != "unknown").sum())
    assert res.table.observed.sum() == int((women["mode"] == "intrapartum_cs").sum())


def test_binary_reference_is_zero_even_when_most_have_it(births):
    df = births.assign(prev_cs=1 - births.prev_cs)  # now most women have prev_cs == 1
    res = casemix(df, _spec({"prev_cs": {"type": "binary"}}), random_effects=False)
    assert list(res.coefficients.term) == ["(Intercept)", "prev_cs"]
    ref = casemix(births, _spec({"prev_cs": {"type": "binary"}}), random_effects=False)
    assert res.coefficients.estimate[1] == pytest.approx(-ref.coefficients.estimate[1])
    only_ones = births.assign(prev_cs=1)
    with pytest.raises(SpecError, match="reference level '0' does not occur"):
        casemix(only_ones, _spec({"prev_cs": {"type": "binary"}}), random_effects=False)


def test_interaction_problems_are_named(births):
    covs = {k: MAIN_EFFECTS[k] for k in ("parity_group", "prev_cs", "smoking")}
    aliased = _spec(covs, interactions=["prev_cs:parity_group"])
    with pytest.raises(FitError, match=r"prev_cs:parity_group\[2\+\] cannot be estimated"):
        casemix(births, aliased, random_effects=False)
    df = births.copy()
    df.loc[(df.prev_cs == 1) & (df.smoking == "yes"), "cs"] = 0
    spec = _spec(covs, interactions=["prev_cs:smoking"])
    with pytest.raises(
        FitError, match="none of the .* records with prev_cs = '1' and smoking = 'yes'"
    ):
        casemix(df, spec, random_effects=False)


def test_apply_to_other_data_matches_row_level_predictions(births):
    first, second = births.iloc[:1500], births.iloc[1500:]
    spec = _spec(random_effects=False)
    res = casemix(first, spec)
    later = res.apply(second)
    design = prepare(first, spec).design
    model = sm.GLM(design.y, design.row_matrix(), family=sm.families.Binomial()).fit()
    new_design = prepare(second, spec).design
    # Same level order in both halves (every level occurs in each), so the rows line up.
    assert [t.levels for t in new_design.terms] == [t.levels for t in design.terms]
    p = model.predict(new_design.row_matrix())
    expected = pd.Series(p).groupby(second.hospital_id.to_numpy()).sum()
    t = later.table.set_index("unit")
    np.testing.assert_allclose(t.expected, expected.loc[t.index], rtol=1e-8)
    assert later.diagnostics["calibration"]["slope"] != pytest.approx(1.0, abs=1e-6)
    assert 0.5 < later.diagnostics["c_statistic"]["c"] < 1
    with pytest.raises(SpecError, match="did not occur in the data the model was fitted to"):
        odd = second.smoking.where(np.arange(len(second)) >= 10, "sometimes")
        res.apply(second.assign(smoking=odd))
