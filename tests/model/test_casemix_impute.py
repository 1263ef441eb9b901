"""Multiple imputation: Rubin's rules by hand, and an imputed fit."""

from __future__ import annotations

import numpy as np
import pytest
from casemix_helpers import MAIN_EFFECTS
from scipy import stats

from saz_geboortezorg.model import casemix
from saz_geboortezorg.model.impute import rubin


def test_rubins_rules_by_hand():
    # Three imputations of two parameters.
    Q = np.array([[1.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    U = np.array([[0.2, 1.0], [0.4, 1.0], [0.3, 1.0]])
    r = rubin(Q, U)
    # Parameter 1: mean 7/3; W = 0.3; B = var(1, 2, 4) = 7/3; T = 0.3 + 4/3 * 7/3
    assert r.estimate[0] == pytest.approx(7 / 3)
    assert r.within[0] == pytest.approx(0.3)
    assert r.between[0] == pytest.approx(7 / 3)
    assert r.total[0] == pytest.approx(0.3 + 28 / 9)
    assert r.se[0] == pytest.approx(np.sqrt(0.3 + 28 / 9))
    rr = (4 / 3) * (7 / 3) / 0.3
    assert r.df[0] == pytest.approx(2 * (1 + 1 / rr) ** 2)
    # Parameter 2: no between-imputation variance.
    assert r.between[1] == 0 and r.total[1] == pytest.approx(1.0) and np.isinf(r.df[1])
    assert r.fmi[1] == 0
    # Without complete-data df the interval uses Rubin's df; t quantile from scipy
    assert r.df_rubin[0] == pytest.approx(2 * (1 + 1 / rr) ** 2)
    q = stats.t.ppf(0.975, 2 * (1 + 1 / rr) ** 2)
    T = 0.3 + 28 / 9
    assert r.lcl95[0] == pytest.approx(7 / 3 - q * np.sqrt(T))
    assert r.ucl95[0] == pytest.approx(7 / 3 + q * np.sqrt(T))
    assert r.p[0] == pytest.approx(2 * stats.t.sf((7 / 3) / np.sqrt(T), 2 * (1 + 1 / rr) ** 2))
    # no between-imputation variance: the normal interval, 10 -/+ 1.96
    assert r.ucl95[1] == pytest.approx(10 + 1.959963984540054)


def test_barnard_rubin_df_by_hand():
    # Same data, complete-data analysis with 10 residual df (Barnard & Rubin 1999).
    Q = np.array([[1.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    U = np.array([[0.2, 1.0], [0.4, 1.0], [0.3, 1.0]])
    r = rubin(Q, U, df_complete=10)
    T = 0.3 + 28 / 9
    gamma = (28 / 9) / T  # (1 + 1/M) B / T
    nu_old = 2 / gamma**2  # (M - 1) / gamma^2, Rubin 1987
    nu_obs = 11 / 13 * 10 * (1 - gamma)
    nu = 1 / (1 / nu_old + 1 / nu_obs)
    assert r.df_rubin[0] == pytest.approx(nu_old)
    assert r.df[0] == pytest.approx(nu)
    assert r.ucl95[0] == pytest.approx(7 / 3 + stats.t.ppf(0.975, nu) * np.sqrt(T))
    # no between-imputation variance: the complete-data df, shrunk by (nu+1)/(nu+3)
    assert r.df[1] == pytest.approx(110 / 13)
    assert r.ucl95[1] == pytest.approx(10 + stats.t.ppf(0.975, 110 / 13))
    # a huge complete-data df gives back Rubin's df
    assert rubin(Q, U, df_complete=1e12).df[0] == pytest.approx(nu_old, rel=1e-6)
    with pytest.raises(ValueError, match="df_complete"):
        rubin(Q, U, df_complete=0)


def _with_missing(births, column, share, seed):
    """A copy of ``births`` with ``share`` of ``column`` blanked at random, and a spec
    that imputes it (3 imputations)."""
    df = births.copy()
    rng = np.random.default_rng(seed)
    df.loc[rng.random(len(df)) < share, column] = np.nan
    covs = {k: MAIN_EFFECTS[k] for k in ("age_band", "parity_group", "prev_cs")}
    spec = {
        "name": "mi",
        "outcome": "cs",
        "covariates": covs,
        "missing": {"policy": "impute", "imputations": 3},
    }
    return df, spec


def test_imputed_fit_pools(births):
    df, spec = _with_missing(births, "age_band", 0.1, 1)
    res = casemix(df, spec, random_effects=False)
    assert "age_band[unknown]" not in set(res.coefficients.term)
    assert (res.coefficients.fmi[1:6] > 0).all()  # age terms carry missing information
    full = casemix(births, {**spec, "missing": "unknown"}, random_effects=False)
    est = res.coefficients.set_index("term").estimate
    ref = full.coefficients.set_index("term").estimate
    # The imputed analysis recovers the complete-data estimates within sampling error.
    assert abs(est["prev_cs"] - ref["prev_cs"]) < 0.2
    assert res.table.observed.sum() == df.cs.sum()
    assert any("imputed" in n for n in res.notes)
    # intervals and p-values use t on the (Barnard-Rubin) df, at most n - p
    c = res.coefficients
    assert ((c.df > 0) & (c.df <= len(df) - len(c))).all()
    q = stats.t.ppf(0.975, c.df.to_numpy())
    assert np.allclose(np.log(c.ratio_ucl95), c.estimate + q * c.se)
    assert np.allclose(np.log(c.ratio_lcl95), c.estimate - q * c.se)
    assert np.allclose(c.p, 2 * stats.t.sf(np.abs(c.estimate / c.se), c.df))


def test_imputed_unit_effects_use_rubins_df(births):
    df, spec = _with_missing(births, "parity_group", 0.3, 2)
    res = casemix(df, spec)
    t = res.random_effects.table
    assert (t.df > 0).all() and np.isfinite(t.df).any()
    q = stats.t.ppf(0.975, t.df.to_numpy())
    assert np.allclose(np.log(t.or_ucl95), t.effect + q * t.se)
    assert np.allclose(np.log(t.or_lcl95), t.effect - q * t.se)
    # t on a finite df is always wider than the normal 1.95996
    finite = np.isfinite(t.df)
    assert (q[finite] > 1.959963984540054).all()
