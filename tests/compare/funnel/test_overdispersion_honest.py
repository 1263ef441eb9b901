"""Overdispersion stated honestly (issue 13, section 4).

Trimming biases the dispersion ratio phi low, so the chi-square test of overdispersion
almost never rejects and tau^2 comes out low. These tests measure that by simulation
(seeded, small) and check the remedies: a parametric-bootstrap p-value, a bias-corrected
phi, n - 1 degrees of freedom for expected counts fitted to the same data, and the
wording "no overdispersion detected". Expected values are derived here independently
(numerical integration, direct simulation, scipy's chi-square), never from the code's
own output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from saz_geboortezorg.compare.funnel import funnel
from saz_geboortezorg.compare.funnel.overdispersion import (
    dispersion,
    null_phi,
    trimmed_phi,
    trimmed_z2_expectation,
)
from saz_geboortezorg.compare.funnel.transform import transform
from saz_geboortezorg.errors import SpecError


def _pr_frame(rng, n_units, tau2=0.0, p0=0.3):
    """Proportions; with tau2 > 0 a normal random effect on the arcsine scale."""
    size = rng.integers(300, 3000, n_units)
    angle = np.arcsin(np.sqrt(p0)) + rng.normal(0, np.sqrt(tau2), n_units) * (tau2 > 0)
    events = rng.binomial(size, np.sin(angle) ** 2)
    units = [f"u{i:02d}" for i in range(n_units)]
    return pd.DataFrame({"u": units, "o": events, "n": size})


def _sr_frame(rng, n_units):
    expected = np.round(rng.uniform(20, 200, n_units), 2)
    units = [f"u{i:02d}" for i in range(n_units)]
    return pd.DataFrame({"u": units, "o": rng.poisson(expected), "e": expected})


# ---- the bias of the trimmed phi ------------------------------------------------------
@pytest.mark.parametrize("trim_by", [0.05, 0.1, 0.2])
def test_trimmed_z2_expectation_by_integration(trim_by):
    q = stats.norm.isf(trim_by)
    central = integrate.quad(lambda x: x**2 * stats.norm.pdf(x), -q, q)[0]
    assert trimmed_z2_expectation("winsorise", trim_by) == pytest.approx(
        central + 2 * trim_by * q**2, rel=1e-9
    )
    assert trimmed_z2_expectation("truncate", trim_by) == pytest.approx(
        central / (1 - 2 * trim_by), rel=1e-9
    )


def test_trimmed_phi_of_many_normal_units_is_about_068():
    """The issue's figure: with 10% winsorising phi averages about 0.68, not 1."""
    z = np.random.default_rng(3).standard_normal((20, 20000))
    assert trimmed_phi(z, method="winsorise", trim_by=0.1).mean() == pytest.approx(0.679, abs=0.01)
    assert trimmed_phi(z, method="truncate", trim_by=0.1).mean() == pytest.approx(0.438, abs=0.01)


@pytest.mark.parametrize("method", ["winsorise", "truncate"])
def test_trimmed_phi_rows_match_dispersion(method):
    z = np.random.default_rng(4).standard_normal((50, 23))
    z[0, 3] = z[0, 5]  # a tie
    rows = trimmed_phi(z, method=method, trim_by=0.1)
    one = [
        dispersion(r, np.ones(23), method=method, trim_by=0.1, target_estimated=True).phi_trimmed
        for r in z
    ]
    np.testing.assert_allclose(rows, one, rtol=1e-12)


@pytest.mark.parametrize(
    ("data_type", "sr_method"), [("SR", "SHMI"), ("SR", "CQC"), ("PR", "SHMI"), ("RC", "SHMI")]
)
def test_null_z_scores_are_the_transform_z_scores(data_type, sr_method):
    """Each simulated dataset's z-scores are what transform() gives for it alone."""
    from saz_geboortezorg.compare.funnel.overdispersion import _z_rows

    rng = np.random.default_rng(5)
    o = rng.integers(1, 60, (4, 12)).astype(float)
    d = o + rng.integers(20, 200, (4, 12))
    rows = _z_rows(o, d, data_type, sr_method)
    for i in range(4):
        np.testing.assert_allclose(rows[i], transform(o[i], d[i], data_type, sr_method).z)


# ---- size of the test ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["PR", "SHMI"])
def test_size_of_the_overdispersion_test_with_trimming(kind):
    """No overdispersion: the chi-square test on trimmed phi is far below 5%, the
    bootstrap near 5%. Measured (400 datasets of 20 units, 999 draws): PR chi-square
    0.5%, bootstrap 5.0%; SHMI 0.0% and 4.3-5.1%."""
    rng = np.random.default_rng(11)
    reps, chi_rejects, boot_rejects = 300, 0, 0
    for r in range(reps):
        if kind == "PR":
            f = funnel(_pr_frame(rng, 20), "o", "n", "u", data_type="PR", test_draws=199, seed=r)
        else:
            f = funnel(_sr_frame(rng, 20), "o", "e", "u", test_draws=199, seed=r)
        n = f.n_phi
        df = n - 1 if kind == "PR" else n
        assert f.test.df == df and f.test.method == "parametric bootstrap"
        chi_rejects += stats.chi2.sf(n * f.phi_trimmed, df) < 0.05
        boot_rejects += f.test.p_value <= 0.05
    assert chi_rejects / reps < 0.015
    assert 0.025 <= boot_rejects / reps <= 0.08


def test_bootstrap_p_value_rejects_real_overdispersion():
    rng = np.random.default_rng(12)
    p = [
        funnel(_pr_frame(rng, 30, tau2=4e-4), "o", "n", "u", data_type="PR", test_draws=199).test
        for _ in range(20)
    ]
    assert np.mean([t.p_value <= 0.05 for t in p]) >= 0.9


# ---- bias-corrected phi ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["PR", "CQC"])
def test_corrected_phi_averages_one_with_no_overdispersion(kind):
    """Measured (400 datasets of 20 units): PR 1.01, CQC 1.01, SHMI 0.96-0.98 (df/n scale);
    the trimmed phi averages 0.66 (PR), 0.71 (CQC), 0.50 (SHMI)."""
    rng = np.random.default_rng(13)
    ratio, trimmed = [], []
    for r in range(200):
        if kind == "PR":
            f = funnel(_pr_frame(rng, 20), "o", "n", "u", data_type="PR", test_draws=199, seed=r)
        else:
            f = funnel(_sr_frame(rng, 20), "o", "e", "u", sr_method="CQC", test_draws=199, seed=r)
        ratio.append(f.phi_corrected * f.n_phi / f.test.df)
        trimmed.append(f.phi_trimmed)
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.07)
    assert np.mean(trimmed) < 0.8


def test_corrected_tau2_is_about_unbiased_and_limits_hold():
    """A true between-unit variance (PR, arcsine scale): FunnelPlotR's trimmed tau^2 comes
    out about half, and about 10% of in-distribution units fall outside the 95% limits;
    corrected, tau^2 is about right and about 5% fall outside. Measured (300 datasets of
    40 units): tau^2 0.00021 trimmed, 0.00038 corrected (truth 0.0004); outside 95%:
    10.2% and 5.2%."""
    rng = np.random.default_rng(14)
    tau2_true = 4e-4
    t_trim, t_corr, out_trim, out_corr = [], [], [], []
    for r in range(60):
        d = _pr_frame(rng, 40, tau2=tau2_true)
        f = funnel(d, "o", "n", "u", data_type="PR", test_draws=199, seed=r)
        g = funnel(d, "o", "n", "u", data_type="PR", test_draws=199, seed=r, phi_correction=True)
        assert g.phi == f.phi_corrected and g.phi_trimmed == f.phi
        t_trim.append(f.tau2)
        t_corr.append(g.tau2)
        out_trim.append(np.mean(f.table["flag95"] != "within"))
        out_corr.append(np.mean(g.table["flag95"] != "within"))
    assert np.mean(t_trim) / tau2_true < 0.7
    assert np.mean(t_corr) / tau2_true == pytest.approx(1.0, abs=0.2)
    assert np.mean(out_trim) > 0.075
    assert 0.03 <= np.mean(out_corr) <= 0.07


def test_corrected_phi_is_the_trimmed_phi_over_its_null_mean():
    """Many large units: the null mean is the normal-theory value (df/n) * 0.679."""
    rng = np.random.default_rng(15)
    f = funnel(_pr_frame(rng, 300), "o", "n", "u", data_type="PR", test_draws=499)
    n = f.n_phi
    want = f.phi_trimmed / trimmed_z2_expectation("winsorise", 0.1)
    assert f.phi_corrected == pytest.approx(want, rel=0.03)
    assert n == 300 and f.test.df == 299


# ---- degrees of freedom ---------------------------------------------------------------
def test_fitted_expected_counts_have_n_minus_1_df():
    """E from a model fitted to the same data (sum O = sum E): n * phi is chi-square on
    n - 1 df. With 5 units the test on n df rejects 2.6% (chi-square theory), on n - 1
    df 5%. Measured (20,000 datasets): 5.1% on n - 1 df, 2.8% on n df (mean n * phi 4.02).
    With small E (30-160) the log-scale z-scores are not quite normal: 6.0% and 3.5%."""
    rng = np.random.default_rng(16)
    true_e = np.array([300.0, 550.0, 800.0, 1200.0, 1600.0])
    o = rng.poisson(true_e, (20000, 5)).astype(float)
    e = true_e * o.sum(axis=1, keepdims=True) / true_e.sum()  # a calibrated (fitted) model
    q = np.sum(e * np.log(o / e) ** 2, axis=1)
    assert np.mean(stats.chi2.sf(q, 4) < 0.05) == pytest.approx(0.05, abs=0.006)
    assert np.mean(stats.chi2.sf(q, 5) < 0.05) < 0.035
    # and the funnel uses n - 1 with fitted_expected (untrimmed: the chi-square p-value)
    for i in range(5):
        d = pd.DataFrame({"u": list("ABCDE"), "o": o[i], "e": e[i]})
        f = funnel(d, "o", "e", "u", trim_by=0, fitted_expected=True, shmi_rounding=False)
        assert f.test.df == 4 and f.test.method == "chi-square"
        assert f.test.p_value == pytest.approx(stats.chi2.sf(q[i], 4), rel=1e-9)
        g = funnel(d, "o", "e", "u", trim_by=0, shmi_rounding=False)
        assert g.test.df == 5


def test_fitted_expected_leaves_phi_tau2_and_limits_alone():
    d = _sr_frame(np.random.default_rng(17), 25)
    a = funnel(d, "o", "e", "u")
    b = funnel(d, "o", "e", "u", fitted_expected=True)
    assert (a.phi, a.tau2) == (b.phi, b.tau2)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (a.test.df, b.test.df) == (a.n_phi, a.n_phi - 1)
    with pytest.raises(SpecError, match="SR"):
        funnel(
            _pr_frame(np.random.default_rng(1), 10),
            "o",
            "n",
            "u",
            data_type="PR",
            fitted_expected=True,
        )


# ---- no p-value, reproducibility, errors ------------------------------------------------
def test_no_draws_means_no_p_value_and_a_reason():
    f = funnel(_sr_frame(np.random.default_rng(18), 20), "o", "e", "u", test_draws=0)
    assert f.test.p_value is None and f.test.method == "none"
    assert "trimmed" in f.test.reason
    out = f.to_dict()["overdispersion_test"]
    assert out["p_value"] is None and out["method"] == "none" and "trimmed" in out["reason"]
    assert np.isnan(f.phi_corrected)
    with pytest.raises(SpecError, match="phi_correction"):
        funnel(
            _sr_frame(np.random.default_rng(18), 20),
            "o",
            "e",
            "u",
            test_draws=0,
            phi_correction=True,
        )


def test_bootstrap_is_seeded():
    d = _pr_frame(np.random.default_rng(19), 20, tau2=1e-4)
    a = funnel(d, "o", "n", "u", data_type="PR")
    b = funnel(d, "o", "n", "u", data_type="PR")
    assert a.test.p_value == b.test.p_value and a.phi_corrected == b.phi_corrected
    assert a.test.draws == 999
    assert a.test.p_value >= 1 / 1000


def test_non_integer_proportions_get_no_p_value():
    d = pd.DataFrame({"u": list("ABCDEFGHIJ"), "o": np.arange(10) + 3.5, "n": 40.25})
    f = funnel(d, "o", "n", "u", data_type="PR")
    assert f.test.p_value is None and "whole numbers" in f.test.reason


def test_null_phi_rejects_non_integer_counts():
    with pytest.raises(SpecError, match="whole numbers"):
        null_phi(np.array([1.5, 2.0]), np.array([10.0, 12.0]), data_type="RC")


# ---- wording ----------------------------------------------------------------------------
def test_wording_no_overdispersion_detected():
    d = _sr_frame(np.random.default_rng(20), 20)
    f = funnel(d, "o", "e", "u")
    assert f.phi <= 1
    assert "no overdispersion detected" in f.summary()
    assert "parametric bootstrap" in f.summary()
    en = f.chart().to_dict()["title"]["subtitle"]
    nl = f.chart(language="nl").to_dict()["title"]["subtitle"]
    en = en if isinstance(en, str) else en[0]
    nl = nl if isinstance(nl, str) else nl[0]
    assert en.startswith("no overdispersion detected (phi = ")
    assert nl.startswith("geen overdispersie aangetoond (phi = ")


# ---- the benchmark ----------------------------------------------------------------------
def _adjusted_table(rng, n_units=17):
    """An adjusted rate table and funnel_for with the Poisson variance (FunnelPlotR's SR
    on observed and expected as they are)."""
    from functools import partial

    from saz_geboortezorg.compare.benchmark import funnel_for
    from saz_geboortezorg.indicators.rate_table import RateTable

    e = rng.uniform(20, 200, n_units)
    o = rng.poisson(e)
    rates = RateTable.from_counts(
        [f"h{i:02d}" for i in range(n_units)],
        np.full(n_units, 1000),
        o,
        expected=e,
        variance=e,
        indicator="cs",
        measure="percent",
    )
    return rates, partial(funnel_for, variance="poisson")


def test_benchmark_funnel_for_fitted_expected_and_correction():
    t, funnel_for = _adjusted_table(np.random.default_rng(21))
    f = funnel_for(t)
    assert f.fitted_expected and f.test.df == f.n_phi - 1
    assert f.test.method == "parametric bootstrap" and not f.phi_correction
    g = funnel_for(t, phi_correction=True)
    assert g.phi_correction and g.phi == f.phi_corrected and g.tau2 == f.tau2_corrected
    # parity view: phi, tau2 and limits are FunnelPlotR's unless the correction is asked
    plain = funnel(t.table, "observed", "expected", "unit")
    assert (f.phi, f.tau2) == (plain.phi, plain.tau2)


def test_methods_text_states_the_sensitivity_view():
    from saz_geboortezorg.report.methods import funnel_lines

    t, funnel_for = _adjusted_table(np.random.default_rng(22))
    f = funnel_for(t)
    bench = type(
        "B",
        (),
        {
            "funnels": {"cs": f},
            "methods": {"cs": "adjusted"},
            "limits": (95, 99.8),
            "overdispersion": True,
        },
    )()
    lines = funnel_lines(bench)
    assert "no overdispersion detected, not that there is none" in lines[0]
    assert "parametric bootstrap" in lines[0] and "n - 1" in lines[0]
    cs = lines[-1]
    assert cs.startswith("cs: adjusted; phi = ")
    assert f"bias-corrected phi {f.phi_corrected:.2f}" in cs
    assert (
        f"bootstrap p = {f.test.p_value:.2g}" in cs or f"bootstrap p <= {f.test.p_value:.2g}" in cs
    )


def test_bootstrap_p_floor_is_stated_as_a_bound():
    """Strong overdispersion: no null draw reaches phi, so p = 1/(B + 1), shown as a bound."""
    d = _pr_frame(np.random.default_rng(23), 20, tau2=4e-3)
    f = funnel(d, "o", "n", "u", data_type="PR", test_draws=99)
    assert f.test.p_value == pytest.approx(1 / 100)
    assert "p <= 0.01 (parametric bootstrap" in f.summary()


def test_phi_below_one_yet_overdispersed_is_said_so():
    """150 units whose z-scores are normal with SD 1.15 (quantiles, so deterministic): the
    untrimmed phi is 1.15^2 = 1.32 (chi-square p = 0.005), the 10%-winsorised one
    1.32 * 0.68 = 0.89 <= 1. The bootstrap detects it and the corrected phi recovers the
    untrimmed one; the text must not say 'no overdispersion detected'."""
    n, size = 150, 5000
    z = 1.15 * stats.norm.ppf((np.arange(n) + 0.5) / n)
    o = np.round(size * np.sin(np.arcsin(np.sqrt(0.3)) + z / (2 * np.sqrt(size))) ** 2)
    d = pd.DataFrame({"u": [f"u{i:03d}" for i in range(n)], "o": o.astype(int), "n": size})
    f = funnel(d, "o", "n", "u", data_type="PR")
    untrimmed = np.mean(f.table["z_unadj"] ** 2)
    assert untrimmed == pytest.approx(1.15**2, rel=0.02)
    assert stats.chi2.sf(n * untrimmed, n - 1) < 0.01
    assert f.phi <= 1 and not f.overdispersed
    assert f.test.p_value <= 0.05 and f.overdispersion_detected()
    assert f.phi_corrected == pytest.approx(untrimmed, rel=0.05)
    assert "no overdispersion detected" not in f.summary()
    assert "although the test detects overdispersion" in f.summary()
    en = f.chart().to_dict()["title"]["subtitle"]
    nl = f.chart(language="nl").to_dict()["title"]["subtitle"]
    assert "although the test detects overdispersion" in (en if isinstance(en, str) else en[0])
    assert "hoewel de toets overdispersie aantoont" in (nl if isinstance(nl, str) else nl[0])
    g = funnel(d, "o", "n", "u", data_type="PR", phi_correction=True)
    assert g.overdispersed and g.tau2 > 0
