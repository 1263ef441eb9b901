"""Segmented regression against an independent statsmodels fit and simulated truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.its import segmented_regression


@pytest.fixture
def records():
    rng = np.random.default_rng(4)
    n = 8000
    days = rng.integers(0, 3 * 365, n)
    d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")})
    d["x"] = rng.normal(size=n)
    t = days / 30.4375
    post = (d.birth_date >= "2022-07-01").to_numpy()
    lp = -2 + 0.01 * t - 0.6 * post - 0.02 * (t - 18) * post + 0.5 * d.x
    d["outcome"] = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    return d


def test_matches_independent_statsmodels_formula_fit(records):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    off = 0.5 * records.x.to_numpy()
    got = segmented_regression(records, "2022-07-01", offset=off)
    df = records.copy()
    origin = df.birth_date.min()
    df["t"] = (df.birth_date - origin).dt.days / 30.4375
    t0 = (pd.Timestamp("2022-07-01") - origin).days / 30.4375
    df["post"] = (df.birth_date >= "2022-07-01").astype(float)
    df["since"] = (df.t - t0) * df.post
    ref = smf.glm(
        "outcome ~ t + post + since",
        df,
        family=sm.families.Binomial(),
        offset=off,
    ).fit()
    coef = got.coefficients.set_index("term")
    assert coef.loc["level_change", "estimate"] == pytest.approx(ref.params["post"], rel=1e-6)
    assert coef.loc["level_change", "se"] == pytest.approx(ref.bse["post"], rel=1e-6)
    assert coef.loc["slope_change", "estimate"] == pytest.approx(ref.params["since"], rel=1e-6)
    assert coef.loc["trend", "estimate"] == pytest.approx(ref.params["t"], rel=1e-6)
    lo, hi = ref.conf_int().loc["post"]
    assert got.level_change["lcl95"] == pytest.approx(lo, rel=1e-6)
    assert got.level_change["ucl95"] == pytest.approx(hi, rel=1e-6)
    # with the true offset the truth (-0.6, -0.02) lies in the intervals
    assert got.level_change["lcl95"] < -0.6 < got.level_change["ucl95"]
    assert got.slope_change["lcl95"] < -0.02 < got.slope_change["ucl95"]


def test_fitted_table_and_counterfactual(records):
    r = segmented_regression(records, "2022-07-01")
    f = r.fitted
    assert len(f) == 36 and f.n.sum() == len(records)
    assert f.counterfactual[~f.post].isna().all() and f.counterfactual[f.post].notna().all()
    # the initiative lowers risk: fitted below counterfactual after the start
    assert (f.fitted[f.post] < f.counterfactual[f.post]).all()
    assert r.n == len(records)


def test_before_after_is_log_odds_ratio_of_two_proportions():
    # trend=False, slope_change=False without offset: closed form log OR
    d = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(["2022-01-01"] * 100 + ["2022-09-01"] * 100),
            "outcome": [1] * 20 + [0] * 80 + [1] * 10 + [0] * 90,
        }
    )
    r = segmented_regression(d, "2022-07-01", trend=False, slope_change=False)
    want = np.log((10 / 90) / (20 / 80))
    se = np.sqrt(1 / 20 + 1 / 80 + 1 / 10 + 1 / 90)
    assert r.level_change["estimate"] == pytest.approx(want, rel=1e-6)
    assert r.level_change["se"] == pytest.approx(se, rel=1e-5)


def test_errors(records):
    with pytest.raises(SpecError, match="inside"):
        segmented_regression(records, "2030-01-01")
    with pytest.raises(SpecError, match="offset"):
        segmented_regression(records, "2022-07-01", offset=[0.0])
