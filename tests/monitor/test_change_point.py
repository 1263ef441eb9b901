"""Change-point timing: profile deviance against independent fits, the confidence set's
coverage by simulation, and the no-change test's false-alarm rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.change_point import change_point, critical_value, profile_deviance

TRUE_START = pd.Timestamp("2022-07-01")


def _simulate(rng, n, p0, log_or, x=None):
    days = rng.integers(0, 1095, n)
    d = pd.DataFrame({"birth_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(days, "D")})
    lp = np.log(p0 / (1 - p0)) + log_or * (d.birth_date >= TRUE_START).to_numpy()
    if x is not None:
        lp = lp + x
    d["outcome"] = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    return d


def test_profile_deviance_matches_statsmodels_with_offset_and_trend():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    x = rng.normal(size=4000) * 0.7
    d = _simulate(rng, 4000, 0.05, -0.5, x)
    t = ((d.birth_date - d.birth_date.min()).dt.days / 30.4375).to_numpy()
    for trend in (False, True):
        tab = profile_deviance(d, offset=x, trend=trend)
        for i in (0, 9, 17, len(tab) - 1):
            step = (d.birth_date >= tab.start[i]).to_numpy(float)
            X = np.column_stack([np.ones(len(d)), step] + ([t] if trend else []))
            ref = sm.GLM(d.outcome.to_numpy(float), X, family=sm.families.Binomial(), offset=x)
            ref = ref.fit()
            assert tab.deviance[i] == pytest.approx(ref.deviance, rel=1e-9)
            assert tab.level_change[i] == pytest.approx(ref.params[1], rel=1e-6)
    assert tab.lr.min() == 0


def test_step_only_deviance_is_that_of_two_proportions():
    # without offset or trend the step model fits one proportion per side:
    # deviance = -2 sum over sides of [e log(e/n) + (n-e) log(1 - e/n)]
    d = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(
                ["2022-01-15"] * 50 + ["2022-02-15"] * 50 + ["2022-03-15"] * 50
            ),
            "outcome": [1] * 10 + [0] * 40 + [1] * 8 + [0] * 42 + [1] * 2 + [0] * 48,
        }
    )

    def dev(e, n):
        return -2 * (e * np.log(e / n) + (n - e) * np.log(1 - e / n))

    tab = profile_deviance(d, ["2022-02-01", "2022-03-01"])
    assert tab.deviance[0] == pytest.approx(dev(10, 50) + dev(10, 100))
    assert tab.deviance[1] == pytest.approx(dev(18, 100) + dev(2, 50))
    assert tab.level_change[1] == pytest.approx(np.log((2 / 48) / (18 / 82)))


def test_a_side_without_events_gives_a_finite_deviance():
    d = pd.DataFrame(
        {
            "birth_date": pd.to_datetime(["2022-01-15"] * 40 + ["2022-02-15"] * 40),
            "outcome": [1] * 8 + [0] * 32 + [0] * 40,
        }
    )
    tab = profile_deviance(d, ["2022-02-01"])
    want = -2 * (8 * np.log(0.2) + 32 * np.log(0.8))  # the empty side contributes 0
    assert tab.deviance[0] == pytest.approx(want, abs=1e-6)
    assert tab.level_change[0] < -10


def test_critical_values():
    # (1 - exp(-c/2))^2 = level  <=>  c = -2 log(1 - sqrt(level))
    assert critical_value(0.95) == pytest.approx(-2 * np.log(1 - 0.95**0.5))
    assert critical_value(0.95) == pytest.approx(7.3523, abs=1e-4)
    assert critical_value(0.95, "chi2") == pytest.approx(3.8415, abs=1e-4)
    assert critical_value(0.80) == pytest.approx(-2 * np.log(1 - 0.8**0.5))
    with pytest.raises(SpecError):
        critical_value(1.5)
    with pytest.raises(SpecError):
        critical_value(0.95, "normal")


def test_confidence_set_covers_the_true_start():
    """Small change (log OR -0.5 on 6%, 2,000 records over 3 years), 200 data sets:
    the random-walk set covers the true start at least ~95% of the time, while the
    chi-squared(1) set (3.84) covers it clearly less often (about 80% in the limit
    theory for this information; 73% as the change gets small)."""
    rng = np.random.default_rng(20261123)
    c95, chi = critical_value(0.95), critical_value(0.95, "chi2")
    lr, err = [], []
    for _ in range(200):
        tab = profile_deviance(_simulate(rng, 2000, 0.06, -0.5))
        lr.append(float(tab.lr[tab.start == TRUE_START].iloc[0]))
        err.append((tab.start[tab.lr.idxmin()].to_period("M") - TRUE_START.to_period("M")).n)
    lr, err = np.array(lr), np.abs(err)
    reps = len(lr)
    # 95% coverage (the bound is conservative on a monthly grid): at most 5% misses
    assert (lr > c95).sum() <= 0.05 * reps
    # chi2: more misses than a 95% set would give (at least 2.5x as many)
    assert (lr > chi).sum() >= 25
    assert (lr > chi).sum() > 2 * (lr > c95).sum()
    # the estimate is near the truth more often than not
    assert np.median(err) <= 3


def test_step_is_found_with_offset_and_a_narrow_set():
    rng = np.random.default_rng(8)
    x = rng.normal(size=20000)
    d = _simulate(rng, 20000, 0.08, -0.7, x)
    cp = change_point(d, offset=x, n_boot=99)
    assert abs((cp.estimate.to_period("M") - TRUE_START.to_period("M")).n) <= 1
    assert TRUE_START in cp.confidence_set and len(cp.confidence_set) <= 5
    assert cp.contiguous and cp.level_change < -0.4
    assert cp.signal() and cp.test.p_value == pytest.approx(1 / 100)
    s = cp.summary_frame()
    assert s.set_months[0] == len(cp.confidence_set) and s.candidates[0] == 31
    # ignoring the case-mix offset blurs the estimate of the step size
    assert cp.n == 20000 and cp.events == d.outcome.sum()


def test_score_statistic_of_one_candidate_is_pearson_chi2():
    from scipy.stats import chi2_contingency

    rng = np.random.default_rng(5)
    d = _simulate(rng, 1500, 0.1, -0.4)
    cp = change_point(d, [TRUE_START], n_boot=19)
    post = d.birth_date >= TRUE_START
    table = pd.crosstab(post, d.outcome).to_numpy()
    want = chi2_contingency(table, correction=False)[0]
    assert cp.test.statistic == pytest.approx(want, rel=1e-8)


def test_no_change_test_keeps_its_false_alarm_rate():
    """60 data sets without a change: p < 0.05 in about 5%; a naive chi2(1) p-value of
    the largest statistic over 31 months would reject in roughly a third."""
    from scipy.stats import chi2

    rng = np.random.default_rng(11)
    p, naive = [], []
    for k in range(60):
        x = rng.normal(size=1200) * 0.5
        cp = change_point(_simulate(rng, 1200, 0.08, 0.0, x), offset=x, n_boot=99, seed=k)
        p.append(cp.test.p_value)
        naive.append(chi2.sf(cp.test.statistic, 1))
    p, naive = np.array(p), np.array(naive)
    assert (p < 0.05).sum() <= binom.ppf(0.99, 60, 0.05)
    assert (naive < 0.05).sum() > binom.ppf(0.99, 60, 0.05)


def test_trend_model_runs_and_widens_the_set():
    rng = np.random.default_rng(3)
    d = _simulate(rng, 5000, 0.05, -0.5)
    step = change_point(d, test=False)
    both = change_point(d, trend=True, n_boot=49)
    assert both.trend and step.test is None
    assert len(both.confidence_set) >= len(step.confidence_set)
    with pytest.raises(SpecError, match="not run"):
        step.signal()


def test_errors():
    d = pd.DataFrame(
        {"birth_date": pd.to_datetime(["2022-01-15", "2022-05-15"]), "outcome": [1, 0]}
    )
    with pytest.raises(SpecError, match="inside"):
        profile_deviance(d, ["2030-01-01"])
    with pytest.raises(SpecError, match="0/1"):
        change_point(d.assign(outcome=[2, 0]), ["2022-03-01"])
    with pytest.raises(SpecError, match="both"):
        change_point(d.assign(outcome=[0, 0]), ["2022-03-01"])
    with pytest.raises(SpecError, match="columns"):
        change_point(d, ["2022-03-01"], date="when")
    with pytest.raises(SpecError, match="offset"):
        change_point(d, ["2022-03-01"], offset=[0.0])
