"""Multiple imputation: Rubin's rules by hand, and an imputed fit."""

from __future__ import annotations

import numpy as np
import pytest
from casemix_helpers import MAIN_EFFECTS

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


def test_imputed_fit_pools(births):
    df = births.copy()
    rng = np.random.default_rng(1)
    df.loc[rng.random(len(df)) < 0.1, "age_band"] = np.nan
    covs = {k: MAIN_EFFECTS[k] for k in ("age_band", "parity_group", "prev_cs")}
    spec = {
        "name": "mi",
        "outcome": "cs",
        "covariates": covs,
        "missing": {"policy": "impute", "imputations": 3},
    }
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
