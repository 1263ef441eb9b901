"""Diagnostics: c-statistic with DeLong SE against R, calibration, deciles, chart."""

from __future__ import annotations

import numpy as np
import pytest
from casemix_helpers import MAIN_EFFECTS, reference

from saz_geboortezorg.model import casemix
from saz_geboortezorg.model.diagnostics import c_statistic, calibration, calibration_deciles


@pytest.fixture(scope="module")
def fit(births):
    return casemix(births, {"name": "d", "outcome": "cs", "covariates": MAIN_EFFECTS})


def test_c_statistic_and_delong_se_match_r(fit):
    ref = reference("glm_binomial_cstat.csv")
    c = fit.diagnostics["c_statistic"]
    assert c["c"] == pytest.approx(ref.c.iloc[0], rel=1e-9)
    assert c["se"] == pytest.approx(ref.se.iloc[0], rel=1e-9)
    assert c["lcl"] < c["c"] < c["ucl"]


def test_c_statistic_ties_by_hand():
    # events at risks 0.1, 0.2, 0.3, 0.3 ; non-events at 0.1 (x3), 0.2
    r = c_statistic(np.array([0.1, 0.2, 0.3]), np.array([1, 1, 2.0]), np.array([4, 2, 2.0]))
    # pairs (event, non-event): 4 x 4 = 16; wins: 0.1->0.5*3, 0.2->3+0.5, 0.3->4 each (x2)
    assert r["c"] == pytest.approx((1.5 + 3.5 + 8) / 16)


def test_calibration_in_sample_is_perfect(fit):
    cal = fit.diagnostics["calibration"]
    assert cal["intercept"] == pytest.approx(0, abs=1e-8)
    assert cal["slope"] == pytest.approx(1, abs=1e-8)


def test_calibration_detects_miscalibration():
    lp = np.linspace(-3, 1, 9)
    p_true = 1 / (1 + np.exp(-(0.5 + 0.5 * lp)))
    trials = np.full(9, 1e4)
    r = calibration(lp, p_true * trials, trials)
    assert r["slope"] == pytest.approx(0.5, abs=1e-6)


def test_deciles_add_up(fit, births):
    result = fit.diagnostics["deciles"]
    t = result.table
    assert t.n.sum() == len(births)
    assert t.observed.sum() == births.cs.sum()
    assert t.expected.sum() == pytest.approx(births.cs.sum(), rel=1e-9)
    assert (np.diff(t.mean_risk) > 0).all()
    assert 0 <= result.p <= 1 and not t.attrs
    small = calibration_deciles(
        np.array([0.1, 0.5]), np.array([1.0, 5.0]), np.array([10.0, 10.0]), 2
    )
    assert small.table.n.tolist() == [10.0, 10.0]
    # Hosmer-Lemeshow by hand: 10 groups, (O - E)^2 / (E (1 - E / n)), chi-squared on 8 df
    from scipy.stats import chi2

    o, e, n = t.observed.to_numpy(), t.expected.to_numpy(), t.n.to_numpy()
    hl = float(np.sum((o - e) ** 2 / (e * (1 - e / n))))
    assert len(t) == 10 and result.df == 8
    assert result.hosmer_lemeshow == pytest.approx(hl, rel=1e-12)
    assert result.p == pytest.approx(chi2.sf(hl, 8), rel=1e-12)


def test_calibration_and_caterpillar_charts(fit):
    chart = fit.calibration_chart().to_dict()
    drawn = [v for values in chart["datasets"].values() for v in values if "observed_rate" in v]
    deciles = fit.diagnostics["deciles"].table
    assert [round(v["observed_rate"], 12) for v in drawn] == list(deciles.observed_rate.round(12))
    cat = fit.caterpillar().to_dict()
    units = {v["unit"] for values in cat["datasets"].values() for v in values if "unit" in v}
    assert units == set(fit.random_effects.table.unit)
