"""Agreement with R: glm (binomial, Gamma log link) and lme4::glmer (Laplace).

Reference values come from reference/make_reference.R (R and lme4 versions in
reference/versions.txt) fitted to reference/births.csv; R is not needed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from casemix_helpers import MAIN_EFFECTS, r_name, reference, rel_diff

from saz_geboortezorg.model import casemix

GLM_TOL = 1e-6
GLMER_TOL = 1e-3


def _spec(covariates, **extra):
    return {"name": "reference", "outcome": "cs", "covariates": covariates, **extra}


@pytest.fixture(scope="module")
def main_fit(births):
    return casemix(births, _spec(MAIN_EFFECTS), unit="hospital")


def test_glm_binomial_coefficients_and_se(main_fit):
    ref = reference("glm_binomial_coef.csv").set_index("term")
    ours = main_fit.coefficients.assign(term=main_fit.coefficients.term.map(r_name)).set_index(
        "term"
    )
    assert sorted(ours.index) == sorted(ref.index)
    ours = ours.loc[ref.index]
    assert rel_diff(ours.estimate, ref.estimate).max() < GLM_TOL
    assert rel_diff(ours.se, ref.se).max() < GLM_TOL


def test_glm_binomial_expected_per_unit(main_fit):
    ref = reference("glm_binomial_expected.csv").set_index("unit")
    ours = main_fit.table.set_index("unit").loc[ref.index]
    assert np.array_equal(ours.observed.to_numpy(), ref.observed.to_numpy())
    assert rel_diff(ours.expected, ref.expected).max() < GLM_TOL


def test_glm_with_interaction(births):
    covs = {k: v for k, v in MAIN_EFFECTS.items() if k != "bmi_band"}
    fit = casemix(births, _spec(covs, interactions=["prev_cs:smoking"]), random_effects=False)
    ref = reference("glm_interaction_coef.csv").set_index("term")
    ours = fit.coefficients.assign(term=fit.coefficients.term.map(r_name)).set_index("term")
    assert sorted(ours.index) == sorted(ref.index)
    ours = ours.loc[ref.index]
    assert rel_diff(ours.estimate, ref.estimate).max() < GLM_TOL
    assert rel_diff(ours.se, ref.se).max() < GLM_TOL


def test_gamma_cost_model(births):
    covs = {k: MAIN_EFFECTS[k] for k in ("age_band", "parity_group", "prev_cs")}
    spec = {"name": "cost", "outcome": "cost_total", "family": "gamma", "covariates": covs}
    fit = casemix(births, spec, random_effects=False)
    ref = reference("glm_gamma_coef.csv").set_index("term")
    ours = fit.coefficients.assign(term=fit.coefficients.term.map(r_name)).set_index("term")
    ours = ours.loc[ref.index]
    assert rel_diff(ours.estimate, ref.estimate).max() < GLM_TOL
    assert rel_diff(ours.se, ref.se).max() < GLM_TOL
    disp = reference("glm_gamma_dispersion.csv").dispersion.iloc[0]
    assert rel_diff(fit.diagnostics["dispersion"], disp).max() < GLM_TOL
    exp = reference("glm_gamma_expected.csv").set_index("unit")
    table = fit.table.set_index("unit").loc[exp.index]
    assert rel_diff(table.expected, exp.expected).max() < GLM_TOL
    assert rel_diff(table.observed, exp.observed).max() < 1e-12


def test_glmer_laplace(main_fit):
    re = main_fit.random_effects
    tau = reference("glmer_tau2.csv")
    assert abs(re.tau2 - tau.tau2.iloc[0]) < GLMER_TOL
    fixef = reference("glmer_fixef.csv").set_index("term")
    ours = re.coefficients.assign(term=re.coefficients.term.map(r_name)).set_index("term")
    ours = ours.loc[fixef.index]
    assert np.abs(ours.estimate - fixef.estimate).max() < GLMER_TOL
    assert np.abs(ours.se - fixef.se).max() < GLMER_TOL
    se_rx = reference("glmer_fixef_se_rx.csv").set_index("term").loc[fixef.index, "se_rx"]
    assert rel_diff(ours.se, se_rx).max() < 1e-4
    modes = reference("glmer_ranef.csv").set_index("unit")
    units = re.table.set_index("unit").loc[modes.index]
    assert np.abs(units.effect - modes["mode"]).max() < GLMER_TOL
    assert np.abs(units.se - modes.cond_se).max() < GLMER_TOL


def test_glmer_loglik(main_fit):
    """The Laplace log-likelihood equals lme4's up to the binomial coefficients (0 for 0/1)."""
    ll = reference("glmer_tau2.csv").loglik.iloc[0]
    assert abs(main_fit.random_effects.loglik - ll) < 1e-4


def test_glmer_many_units_of_very_different_size():
    """40 practices, some with a handful of births: shrinkage matters most here."""
    from casemix_helpers import REFERENCE

    data = pd.read_csv(
        REFERENCE / "births_small_units.csv", dtype={"parity_group": str, "practice_id": str}
    )
    spec = {
        "name": "practices",
        "outcome": "cs",
        "covariates": {
            "age_band": {"type": "categorical", "reference": "25_34"},
            "parity_group": {"type": "categorical", "reference": "0"},
            "prev_cs": {"type": "binary"},
        },
    }
    fit = casemix(data, spec, unit="practice")
    re = fit.random_effects
    assert abs(re.tau2 - reference("glmer2_tau2.csv").tau2.iloc[0]) < GLMER_TOL
    fixef = reference("glmer2_fixef.csv").set_index("term")
    ours = re.coefficients.assign(term=re.coefficients.term.map(r_name)).set_index("term")
    assert np.abs(ours.loc[fixef.index].estimate - fixef.estimate).max() < GLMER_TOL
    modes = reference("glmer2_ranef.csv").set_index("unit")
    units = re.table.set_index("unit").loc[modes.index]
    assert len(units) == 40
    assert np.abs(units.effect - modes["mode"]).max() < GLMER_TOL
    assert np.abs(units.se - modes.cond_se).max() < GLMER_TOL
