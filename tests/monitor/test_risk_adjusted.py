"""VLAD, CUSUM and expected risks against values worked out independently."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.monitor.risk_adjusted import (
    calibrate_threshold,
    cusum,
    expected_risks,
    recalibrate,
    vlad,
)


def test_vlad_by_hand():
    y = [0, 1, 1, 0]
    p = [0.2, 0.5, 0.1, 0.3]
    # O - E cumulated: -0.2, -0.2+0.5=0.3, 0.3+0.9=1.2, 1.2-0.3=0.9
    assert vlad(y, p) == pytest.approx([-0.2, 0.3, 1.2, 0.9])


def test_cusum_deterioration_by_hand():
    y = [1, 1, 0, 1, 0]
    p = [0.1, 0.3, 0.2, 0.5, 0.1]
    # R = 2: W = y ln 2 - ln(1 + p)
    w = [
        math.log(2) - math.log(1.1),  # 0.59784
        math.log(2) - math.log(1.3),  # 0.43078
        -math.log(1.2),  # -0.18232
        math.log(2) - math.log(1.5),  # 0.28768
        -math.log(1.1),  # -0.09531
    ]
    s1 = w[0]
    s2 = s1 + w[1]  # 1.02862 >= 1 -> signal, restart
    s3 = max(0.0, 0 + w[2])  # 0
    s4 = w[3]
    s5 = s4 + w[4]
    c = cusum(y, p, odds_ratio=2, h=1.0)
    assert c.weight.tolist() == pytest.approx(w)
    assert c.s.tolist() == pytest.approx([s1, s2, s3, s4, s5])
    assert c.signal.tolist() == [False, True, False, False, False]
    # without restart the CUSUM carries on from s2
    c = cusum(y, p, odds_ratio=2, h=1.0, reset=False)
    assert c.s.iloc[2] == pytest.approx(s2 + w[2])


def test_cusum_improvement_by_hand():
    # R = 0.5: W = y ln 0.5 - ln(1 - p/2); a non-event adds -ln(1 - p/2) > 0
    y = [0, 0, 1, 0]
    p = [0.4, 0.4, 0.4, 0.4]
    w0 = -math.log(0.8)  # 0.22314
    w1 = math.log(0.5) - math.log(0.8)  # -0.47000
    c = cusum(y, p, odds_ratio=0.5, h=0.4)
    assert c.s.tolist() == pytest.approx([w0, 2 * w0, max(0, 2 * w0 + w1), w0])
    assert c.signal.tolist() == [False, True, False, False]  # 0.446 >= 0.4, then restart
    assert c.s.iloc[2] == 0.0


def test_cusum_errors():
    with pytest.raises(SpecError):
        cusum([0], [0.1], odds_ratio=1, h=1)
    with pytest.raises(SpecError):
        cusum([0], [0.1], odds_ratio=2, h=0)


def test_calibrated_threshold_gives_the_false_alarm_rate():
    """Independent simulation (other seed, plain loop) of the calibrated chart."""
    rng = np.random.default_rng(99)
    p = rng.uniform(0.01, 0.08, 600)
    h = calibrate_threshold(p, odds_ratio=2, false_alarm=0.05, n_sim=4000, seed=1)
    sims, alarms = 2000, 0
    w1, w0 = np.log(2) - np.log(1 + p), -np.log(1 + p)
    for _ in range(sims):
        y = rng.random(len(p)) < p
        s = 0.0
        for t in range(len(p)):
            s = max(0.0, s + (w1[t] if y[t] else w0[t]))
            if s >= h:
                alarms += 1
                break
    # binomial SE of the estimate at 5% with 2000 runs is 0.5%; calibration error ~0.35%
    assert 0.035 < alarms / sims < 0.065
    # stricter false-alarm -> higher threshold; improvement chart has its own threshold
    assert calibrate_threshold(p, false_alarm=0.01, n_sim=4000, seed=1) > h


def test_recalibrate_matches_baseline_events():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.02, 0.2, 400)
    y = (rng.random(400) < 2 * p).astype(float)
    base = np.arange(400) < 200
    q = recalibrate(p, y, base)
    assert q[base].sum() == pytest.approx(y[base].sum(), abs=1e-8)
    shift = np.log(q / (1 - q)) - np.log(p / (1 - p))
    assert np.ptp(shift) < 1e-9 and shift[0] > 0


def test_expected_risks_equal_statsmodels_predictions():
    import statsmodels.api as sm

    from saz_geboortezorg.model import casemix

    rng = np.random.default_rng(8)
    n = 6000
    df = pd.DataFrame(
        {
            "hospital_id": rng.choice(["A", "B"], n),
            "age_band": rng.choice(["20_24", "25_29", "30_34", "35_39"], n),
            "prev_cs": rng.integers(0, 2, n),
        }
    )
    lp = -2 + 0.4 * (df.age_band == "35_39") + 0.8 * df.prev_cs
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    spec = {
        "name": "t",
        "outcome": "y",
        "random_effects": False,
        "covariates": {
            "age_band": {"type": "categorical", "reference": "25_29"},
            "prev_cs": {"type": "binary"},
        },
    }
    fit_part, other = df.iloc[:4000], df.iloc[4000:]
    res = casemix(fit_part, spec, unit="all")
    got = expected_risks(res, other)

    def X(t):
        return pd.DataFrame(
            {
                "const": 1.0,
                "a20": (t.age_band == "20_24").astype(float),
                "a30": (t.age_band == "30_34").astype(float),
                "a35": (t.age_band == "35_39").astype(float),
                "pcs": t.prev_cs.astype(float),
            }
        )

    glm = sm.GLM(fit_part.y, X(fit_part), family=sm.families.Binomial()).fit()
    want = glm.predict(X(other))
    assert got.index.equals(other.index)
    assert got.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-6)


def test_expected_risks_on_synthetic_indicator(dataset):
    import saz_geboortezorg as sg

    res = sg.casemix(dataset, "oasis", random_effects=False)
    p = expected_risks(res, dataset)
    from saz_geboortezorg.indicators import get
    from saz_geboortezorg.indicators.compute import indicator_outcome

    keep, y = indicator_outcome(dataset.women, get("oasis"))
    assert p[keep].notna().all() and p[~keep].isna().all()
    # in-sample: expected sums to observed per unit as in the case-mix table
    by_unit = p[keep].groupby(dataset.women.hospital_id[keep]).sum()
    table = res.table.set_index("unit")
    assert by_unit.to_numpy() == pytest.approx(table.loc[by_unit.index, "expected"].to_numpy())


def test_threshold_for_arl_gives_that_run_length():
    """Independent simulation of in-control run lengths at the ARL-calibrated h."""
    risks = np.array([0.02, 0.05, 0.1])
    h = calibrate_threshold(risks, odds_ratio=2, false_alarm=None, arl=300, n_sim=2000, seed=3)
    rng = np.random.default_rng(42)
    sims = 2000
    s = np.zeros(sims)
    first = np.full(sims, -1)
    for t in range(1, 6000):
        p = risks[rng.integers(0, 3, sims)]
        y = rng.random(sims) < p
        s = np.maximum(0, s + np.where(y, np.log(2), 0) - np.log(1 + p))
        newly = (s >= h) & (first < 0)
        first[newly] = t
        if (first > 0).all():
            break
    assert (first > 0).all()
    # SE of the mean run length ~ 300 / sqrt(2000) = 2.2%, same again for calibration
    assert 300 * 0.88 < first.mean() < 300 * 1.12
    with pytest.raises(SpecError):
        calibrate_threshold(risks, arl=300)  # both false_alarm (default) and arl


def test_baseline_aware_threshold_keeps_the_stated_rate():
    """Whole procedure simulated: estimate the baseline shift from 400 records, calibrate
    h, monitor 400 new in-control records. Treating the recalibrated risks as known
    gives too many alarms; including the baseline error gives about the stated 5%."""
    rng = np.random.default_rng(12)
    reps, nb, nm = 200, 400, 400
    naive = aware = 0
    for r in range(reps):
        p = rng.uniform(0.04, 0.12, nb + nm)
        y = (rng.random(nb + nm) < p).astype(float)
        base = np.arange(nb + nm) < nb
        q = recalibrate(p, y, base)
        w = np.where(y[~base] == 1, np.log(2), 0) - np.log(1 + q[~base])
        peak = 0.0
        s = 0.0
        for wt in w:
            s = max(0.0, s + wt)
            peak = max(peak, s)
        h_naive = calibrate_threshold(q[~base], false_alarm=0.05, n_sim=400, seed=r)
        h_aware = calibrate_threshold(
            q[~base], false_alarm=0.05, baseline=q[base], n_sim=400, seed=r
        )
        naive += peak >= h_naive
        aware += peak >= h_aware
    # binomial SE at 5% with 200 runs is 1.5% (seen: naive 9%, baseline-aware 5%)
    assert 0.015 < aware / reps < 0.09
    assert naive > aware


def test_cusum_change_start_is_the_last_zero_before_each_signal():
    from saz_geboortezorg.monitor.risk_adjusted import cusum_change_start

    # weights at p = 0.2, R = 2: event +0.5108, no event -0.1823
    y = [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1]
    c = cusum(y, [0.2] * len(y), odds_ratio=2, h=1.2)
    # s: 0, 0, .51, .33, .84, 1.35 (signal, restart) | 0, 0, 0, 0, 0, .51, 1.02, 1.53 (signal)
    assert np.flatnonzero(c.signal).tolist() == [5, 13]
    assert cusum_change_start(c).tolist() == [2, 11]
    # without restarts s falls from 1.35 to 0.44 (5 x -0.1823), never to 0, and rises
    # to 0.95, 1.46, 1.97: all three signals belong to the excursion from record 2
    c2 = cusum(y, [0.2] * len(y), odds_ratio=2, h=1.2, reset=False)
    assert np.flatnonzero(c2.signal).tolist() == [5, 12, 13]
    assert cusum_change_start(c2, reset=False).tolist() == [2, 2, 2]
    c3 = cusum([1, 1, 1, 1], [0.2] * 4, odds_ratio=2, h=1.0, reset=False)
    assert c3.signal.tolist() == [False, True, True, True]
    assert cusum_change_start(c3, reset=False).tolist() == [0, 0, 0]
