"""FittedModel: the one way a fitted case-mix model is applied to data.

Expected values are checked against statsmodels fits and against sums done by hand with
pandas, not against the engine's own output.
"""

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model import FittedModel, casemix


def _data(n=5000, seed=11):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "hospital_id": rng.choice(["A", "B", "C"], n),
            "parity_group": rng.choice(["0", "1", "2+"], n),
            "prev_cs": rng.integers(0, 2, n),
        }
    )
    lp = -1.8 + 0.5 * (df.parity_group == "0") + 0.9 * df.prev_cs
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-lp))).astype(float)
    mu = np.exp(7 + 0.3 * (df.parity_group == "0") + 0.5 * df.prev_cs)
    df["cost"] = rng.gamma(4.0, mu / 4.0)
    return df


COVS = {"parity_group": {"type": "categorical", "reference": "1"}, "prev_cs": "binary"}


def _X(t):
    return pd.DataFrame(
        {
            "const": 1.0,
            "p0": (t.parity_group == "0").astype(float),
            "p2": (t.parity_group == "2+").astype(float),
            "pcs": t.prev_cs.astype(float),
        },
        index=t.index,
    )


def test_fields_describe_the_fit():
    df = _data()
    model = casemix(
        df, {"name": "t", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    assert isinstance(model, FittedModel)
    assert (model.family, model.link, model.n) == ("binomial", "logit", len(df))
    assert model.names == ["(Intercept)", "parity_group[0]", "parity_group[2+]", "prev_cs"]
    assert model.coefficients.index.tolist() == model.names
    assert [t.levels for t in model.terms] == [["0", "1", "2+"], ["0", "1"]]
    assert model.warnings == []


def test_gamma_predict_equals_statsmodels_on_other_data():
    import statsmodels.api as sm

    df = _data()
    fit_part, other = df.iloc[:3500], df.iloc[3500:]
    spec = {"name": "c", "outcome": "cost", "family": "gamma", "covariates": COVS}
    model = casemix(fit_part, spec, random_effects=False).model
    assert (model.family, model.link) == ("gamma", "log")
    glm = sm.GLM(
        fit_part.cost, _X(fit_part), family=sm.families.Gamma(sm.families.links.Log())
    ).fit()
    got = model.predict(other)
    assert got.index.equals(other.index) and got.name == "expected"
    assert got.to_numpy() == pytest.approx(glm.predict(_X(other)).to_numpy(), rel=1e-6)


def test_expected_per_unit_are_sums_of_the_records_predictions():
    import statsmodels.api as sm

    df = _data()
    fit_part, other = df.iloc[:3000], df.iloc[3000:]
    model = casemix(
        fit_part, {"name": "t", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    glm = sm.GLM(fit_part.y, _X(fit_part), family=sm.families.Binomial()).fit()
    p = glm.predict(_X(other))
    by_hand = pd.DataFrame({"n": other.groupby("hospital_id").size()})
    by_hand["observed"] = other.groupby("hospital_id").y.sum()
    by_hand["expected"] = p.groupby(other.hospital_id).sum()
    got = model.expected(other, "hospital").set_index("unit")
    assert got.index.tolist() == ["A", "B", "C"]
    assert got.n.tolist() == by_hand.n.tolist()
    assert got.observed.to_numpy() == pytest.approx(by_hand.observed.to_numpy())
    assert got.expected.to_numpy() == pytest.approx(by_hand.expected.to_numpy(), rel=1e-6)
    assert got.oe.to_numpy() == pytest.approx((by_hand.observed / by_hand.expected).to_numpy())


def test_predict_marks_records_outside_the_population_missing():
    df = _data(2000)
    df.loc[df.index[:7], "y"] = np.nan  # no outcome: outside the denominator
    spec = {"name": "t", "outcome": "y", "covariates": COVS, "population": "prev_cs == 0"}
    model = casemix(df, spec, random_effects=False).model
    p = model.predict(df)
    outside = df.y.isna() | (df.prev_cs != 0)
    assert p[outside].isna().all() and p[~outside].notna().all()
    assert model.n == int((~outside).sum())


def test_missing_covariates_as_in_the_fit():
    df = _data(3000)
    df.loc[df.index[:40], "parity_group"] = None
    unknown = casemix(df, {"name": "t", "outcome": "y", "covariates": COVS}, random_effects=False)
    p = unknown.model.predict(df)
    assert p.notna().all()  # missing: unknown has its own level
    cc_spec = {"name": "t", "outcome": "y", "covariates": COVS, "missing": "complete_case"}
    cc = casemix(df, cc_spec, random_effects=False)
    with pytest.raises(SpecError, match="need missing: unknown"):
        cc.model.predict(df)
    t = cc.model.expected(df, "hospital").set_index("unit")
    left_out = df.iloc[:40].groupby("hospital_id").size()
    assert t.excluded_missing.to_dict() == left_out.reindex(t.index, fill_value=0).to_dict()
    assert int(t.n.sum()) == len(df) - 40


def test_what_cannot_be_applied_raises():
    df = _data(2000)
    model = casemix(
        df, {"name": "t", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    with pytest.raises(SpecError, match="did not occur in the data the model was fitted to"):
        model.predict(df.assign(parity_group=np.where(df.index < 5, "3+", df.parity_group)))
    df["age"] = np.random.default_rng(2).uniform(20, 40, len(df)).round()
    plain = casemix(
        df,
        {"name": "t", "outcome": "y", "covariates": {"age": {"type": "continuous"}}},
        random_effects=False,
    ).model
    with pytest.raises(SpecError, match="banded covariates"):
        plain.predict(df)


def test_the_old_dict_access_still_works_with_a_warning():
    df = _data(1000)
    model = casemix(
        df, {"name": "t", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    with pytest.warns(DeprecationWarning, match="model.scale"):
        assert model["scale"] == model.scale == 1.0
    with pytest.warns(DeprecationWarning):
        assert np.array_equal(model["params"], model.params)


def test_trend_table_moved_to_monitor():
    import saz_geboortezorg.compare.benchmark as benchmark
    from saz_geboortezorg.monitor.trends import trend_table

    with pytest.raises(AttributeError, match="moved to saz_geboortezorg.monitor.trends"):
        benchmark.trend_table  # noqa: B018
    assert "trend_table" not in benchmark.__all__ and callable(trend_table)


# ------------------------------------------------------- fitted values (the fast path)
def _gappy_data(n=4000, seed=5):
    """Records with missing covariates, outcomes outside the denominator, a text index,
    and no record with parity 2+ and a previous caesarean (a pattern unseen in the fit)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "hospital_id": rng.choice(["A", "B", "C"], n),
            "parity_group": rng.choice(["0", "1", "2+", None], n, p=[0.4, 0.35, 0.2, 0.05]),
            "prev_cs": rng.choice([0.0, 1.0, np.nan], n, p=[0.75, 0.2, 0.05]),
        },
        index=[f"r{i}" for i in rng.permutation(n)],
    )
    df.loc[(df.parity_group == "2+") & (df.prev_cs == 1), "prev_cs"] = 0.0
    lp = -1.5 + 0.6 * (df.parity_group == "0") + 0.8 * (df.prev_cs == 1)
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-lp))).astype(float)
    df.loc[rng.random(n) < 0.03, "y"] = np.nan  # outside the outcome's denominator
    df["cost"] = rng.gamma(4.0, np.exp(7 + 0.4 * (df.prev_cs == 1)) / 4.0)
    return df


def _by_hand(model, t):
    """Each record's expected value from a design matrix written out by hand (one 0/1
    column per non-reference level, ``unknown`` for a missing value) times the
    coefficients by name."""
    parity = t.parity_group.fillna("unknown")
    prev = t.prev_cs.map({0.0: "0", 1.0: "1"}).fillna("unknown")
    columns = {"(Intercept)": np.ones(len(t))}
    for level in ("0", "2+", "unknown"):
        columns[f"parity_group[{level}]"] = (parity == level).to_numpy(float)
    columns["prev_cs"] = (prev == "1").to_numpy(float)
    columns["prev_cs[unknown]"] = (prev == "unknown").to_numpy(float)
    X = np.column_stack([columns[name] for name in model.names])
    lp = X @ model.params
    return np.exp(lp) if model.family == "gamma" else 1 / (1 + np.exp(-lp))


@pytest.mark.parametrize(("outcome", "family"), [("y", "binomial"), ("cost", "gamma")])
def test_fitted_values_are_the_record_level_prediction(outcome, family):
    df = _gappy_data()
    spec = {"name": "f", "outcome": outcome, "family": family, "covariates": COVS}
    model = casemix(df, spec, random_effects=False).model
    assert sorted(model.names) == sorted(
        ["(Intercept)", "parity_group[0]", "parity_group[2+]", "parity_group[unknown]"]
        + ["prev_cs", "prev_cs[unknown]"]
    )
    got = model.fitted_values()
    assert got.index.equals(df.index) and got.name == "expected"
    inside = df[outcome].notna().to_numpy()
    assert np.isnan(got.to_numpy()[~inside]).all()
    hand = _by_hand(model, df)[inside]
    np.testing.assert_allclose(got.to_numpy()[inside], hand, rtol=1e-12)
    # and the general path that prepares the table again agrees
    again = model.predict(df).to_numpy()
    np.testing.assert_array_equal(np.isnan(again), ~inside)
    np.testing.assert_allclose(got.to_numpy()[inside], again[inside], rtol=1e-12)


def test_predict_on_new_data_covers_a_pattern_the_fit_never_saw():
    df = _gappy_data()
    model = casemix(
        df, {"name": "f", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    assert not ((df.parity_group == "2+") & (df.prev_cs == 1)).any()
    new = pd.DataFrame(
        {
            "hospital_id": ["A", "B", "C"],
            "parity_group": ["2+", "1", None],
            "prev_cs": [1.0, 0.0, 1.0],
            "y": [0.0, 1.0, 0.0],
        }
    )
    got = model.predict(new).to_numpy()
    np.testing.assert_allclose(got, _by_hand(model, new), rtol=1e-12)
    # the fitted values stay those of the fitting table
    assert len(model.fitted_values()) == len(df)


def test_fitted_values_need_the_fit_and_missing_unknown():
    df = _gappy_data()
    cc = casemix(
        df,
        {"name": "f", "outcome": "y", "missing": "complete_case", "covariates": COVS},
        random_effects=False,
    ).model
    with pytest.raises(SpecError, match="left out for missing covariates"):
        cc.fitted_values()
    import dataclasses

    model = casemix(
        df, {"name": "f", "outcome": "y", "covariates": COVS}, random_effects=False
    ).model
    with pytest.raises(SpecError, match="keeps no records of a fit"):
        dataclasses.replace(model).fitted_values()
