"""Segmented regression against an independent statsmodels fit and simulated truth."""

from __future__ import annotations

import dataclasses

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
    assert got.level_change.lcl95 == pytest.approx(lo, rel=1e-6)
    assert got.level_change.ucl95 == pytest.approx(hi, rel=1e-6)
    # with the true offset the truth (-0.6, -0.02) lies in the intervals
    assert got.level_change.lcl95 < -0.6 < got.level_change.ucl95
    assert got.slope_change.lcl95 < -0.02 < got.slope_change.ucl95


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
    assert r.level_change.estimate == pytest.approx(want, rel=1e-6)
    assert r.level_change.se == pytest.approx(se, rel=1e-5)


def test_errors(records):
    with pytest.raises(SpecError, match="inside"):
        segmented_regression(records, "2030-01-01")
    with pytest.raises(SpecError, match="offset"):
        segmented_regression(records, "2022-07-01", offset=[0.0])


def test_term_not_fitted_is_nan_not_zero(records):
    r = segmented_regression(records, "2022-07-01", slope_change=False)
    values = dataclasses.asdict(r.slope_change)
    assert set(values) == {"estimate", "se", "lcl95", "ucl95"}
    assert all(np.isnan(v) for v in values.values()) and not r.slope_change.fitted
    assert "slope_change" not in set(r.coefficients.term)


def _monthly(seed: int, sigma: float, per_month: int = 200, months: int = 36):
    """Births spread over each month; a step of -0.4 log odds from month 18 (July
    2022) and a month-level random effect N(0, sigma^2) on the log odds."""
    rng = np.random.default_rng(seed)
    m = np.repeat(np.arange(months), per_month)
    dates = pd.to_datetime(
        {"year": 2021 + m // 12, "month": m % 12 + 1, "day": rng.integers(1, 29, len(m))}
    )
    u = rng.normal(0, sigma, months)[m]
    lp = -1.4 - 0.4 * (m >= 18) + u
    return pd.DataFrame({"birth_date": dates, "outcome": rng.binomial(1, 1 / (1 + np.exp(-lp)))})


def test_pearson_phi_and_quasi_intervals_match_grouped_statsmodels():
    import statsmodels.api as sm
    from scipy import stats

    d = _monthly(1, 0.35)
    r = segmented_regression(d, "2022-07-01", trend=False, slope_change=False)
    # the same model on monthly counts; quasi-binomial: se x sqrt(Pearson X2 / df_resid)
    g = d.groupby(d.birth_date.dt.to_period("M")).outcome.agg(["sum", "size"])
    post = (g.index >= pd.Period("2022-07", "M")).astype(float)
    X = sm.add_constant(pd.DataFrame({"post": post}, index=g.index))
    counts = np.column_stack([g["sum"], g["size"] - g["sum"]])
    ref = sm.GLM(counts, X, family=sm.families.Binomial()).fit()
    phi = ref.pearson_chi2 / ref.df_resid
    od = r.overdispersion
    assert od.months == 36 and od.df == 34
    assert od.chi2 == pytest.approx(ref.pearson_chi2, rel=1e-6)
    assert od.phi == pytest.approx(phi, rel=1e-6)
    assert od.p_value == pytest.approx(stats.chi2.sf(ref.pearson_chi2, 34), rel=1e-6)
    assert od.phi > 2 and od.method == "quasi-binomial" and od.interval_df == 34
    lc = r.level_change
    assert lc.estimate == pytest.approx(ref.params["post"], rel=1e-6)
    assert lc.se == pytest.approx(ref.bse["post"] * np.sqrt(phi), rel=1e-5)
    half = stats.t.ppf(0.975, 34) * ref.bse["post"] * np.sqrt(phi)
    assert lc.ucl95 == pytest.approx(ref.params["post"] + half, rel=1e-5)
    coef = r.coefficients.set_index("term")
    assert coef.loc["level_change", "se"] == pytest.approx(
        coef.loc["level_change", "se_binomial"] * np.sqrt(od.phi), rel=1e-9
    )
    assert any("quasi-binomial" in n for n in r.notes)
    # overdispersion="none" keeps the binomial interval
    b = segmented_regression(
        d, "2022-07-01", trend=False, slope_change=False, overdispersion="none"
    )
    assert b.level_change.se == pytest.approx(coef.loc["level_change", "se_binomial"])
    assert b.overdispersion.method == "binomial" and b.overdispersion.phi > 2


def _coverage(sigma: float, reps: int):
    out = []
    for seed in range(reps):
        r = segmented_regression(
            _monthly(100 + seed, sigma), "2022-07-01", trend=False, slope_change=False
        )
        c = r.coefficients.set_index("term").loc["level_change"]
        z_lo, z_hi = c.estimate - 1.959964 * c.se_binomial, c.estimate + 1.959964 * c.se_binomial
        out.append(
            {
                "binomial": z_lo < -0.4 < z_hi,
                "reported": r.level_change.lcl95 < -0.4 < r.level_change.ucl95,
                "widened": r.overdispersion.method == "quasi-binomial",
                "phi": r.overdispersion.phi,
            }
        )
    return pd.DataFrame(out).mean()


def test_month_level_variation_widened_intervals_cover():
    # sigma = 0.35 with ~40 events a month: phi about 1 + 32 x 0.35^2 = 4.9, so the
    # binomial 95% interval covers the true step only about 2 Phi(1.96 / 2.2) - 1 = 63%
    # of the time; the quasi-binomial interval about 95% (Monte Carlo SE 1.8%)
    cov = _coverage(0.35, 150)
    assert cov["widened"] > 0.95
    assert 3.5 < cov["phi"] < 6.5
    assert cov["binomial"] < 0.8
    assert cov["reported"] > 0.9


def test_no_month_level_variation_keeps_binomial_intervals():
    cov = _coverage(0.0, 150)
    assert 0.9 < cov["phi"] < 1.1
    assert cov["widened"] < 0.12  # the 5% test's false alarms, with Monte Carlo room
    assert cov["binomial"] > 0.9 and cov["reported"] > 0.9


def test_too_few_months_to_check():
    d = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(["2022-01-01"] * 100 + ["2022-09-01"] * 100),
            "outcome": [1] * 20 + [0] * 80 + [1] * 10 + [0] * 90,
        }
    )
    r = segmented_regression(d, "2022-07-01", trend=False, slope_change=False)
    assert np.isnan(r.overdispersion.phi) and r.overdispersion.method == "binomial"
    assert any("not checked" in n for n in r.notes)
    with pytest.raises(SpecError, match="overdispersion"):
        segmented_regression(d, "2022-07-01", overdispersion="yes")
