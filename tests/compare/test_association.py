"""Crude and adjusted odds ratios between two indicators (hand-made 2x2 and strata)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from saz_geboortezorg.compare.association import odds_ratios
from saz_geboortezorg.errors import SpecError

Z = 1.959963984540054


def _women(cells: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """Rows for (stratum, epidural 0/1, instrumental 0/1, count)."""
    rows = []
    for stratum, epi, instr, count in cells:
        rows += [
            {
                "stratum": stratum,
                "hospital_id": f"H{i % 4}",
                "ga_days": 280,
                "onset": "spontaneous",
                "pain_relief": epi,
                "pain_relief_method": "epidural" if epi else "none",
                "mode": "vacuum" if instr else "spontaneous",
            }
            for i in range(count)
        ]
    return pd.DataFrame(rows)


def test_crude_or_is_the_2x2_odds_ratio_with_woolf_interval():
    # a = 20 exposed events, b = 80, c = 10 unexposed events, d = 90
    w = _women([("s", 1, 1, 20), ("s", 1, 0, 80), ("s", 0, 1, 10), ("s", 0, 0, 90)])
    r = odds_ratios(w, "epidural", "instrumental").iloc[0]
    se = math.sqrt(1 / 20 + 1 / 80 + 1 / 10 + 1 / 90)
    assert r["model"] == "crude" and r["n"] == 200 and r["exposed"] == 100
    assert r["odds_ratio"] == pytest.approx(2.25)
    assert r["or_lcl"] == pytest.approx(2.25 * math.exp(-Z * se), rel=1e-6)
    assert r["or_ucl"] == pytest.approx(2.25 * math.exp(Z * se), rel=1e-6)
    assert r["rate_exposed_pct"] == pytest.approx(20.0)
    assert r["rate_unexposed_pct"] == pytest.approx(10.0)


def test_adjustment_removes_confounding_by_stratum():
    # Within each stratum the OR is exactly 2 (odds 0.25 vs 0.125; 2 vs 1), so the
    # logistic model with stratum fits perfectly and the adjusted OR is 2. Exposure is
    # more common in the high-risk stratum: the crude OR is (180*120)/(160*50) = 2.7.
    w = _women(
        [
            ("low", 1, 1, 20), ("low", 1, 0, 80), ("low", 0, 1, 10), ("low", 0, 0, 80),
            ("high", 1, 1, 160), ("high", 1, 0, 80), ("high", 0, 1, 40), ("high", 0, 0, 40),
        ]
    )  # fmt: skip
    r = odds_ratios(w, "epidural", "instrumental", adjust=["stratum"])
    assert r["model"].tolist() == ["crude", "adjusted"]
    assert r.loc[0, "odds_ratio"] == pytest.approx(2.7)
    assert r.loc[1, "odds_ratio"] == pytest.approx(2.0, rel=1e-6)
    assert r.loc[1, "adjusted_for"] == "stratum"


def _clustered_women(seed: int, n: int, hospitals: str):
    rng = np.random.default_rng(seed)
    w = pd.DataFrame(
        {
            "hospital_id": rng.choice(list(hospitals), n),
            "stratum": rng.choice(["x", "y", "z"], n),
            "ga_days": 280,
            "onset": "spontaneous",
        }
    )
    epi = rng.binomial(1, 0.4, n)
    w["pain_relief"] = epi
    w["pain_relief_method"] = np.where(epi == 1, "epidural", "none")
    y = rng.binomial(1, 0.1 + 0.1 * epi)
    w["mode"] = np.where(y == 1, "vacuum", "spontaneous")
    return w, epi, y


def test_cluster_robust_matches_record_level_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    w, epi, y = _clustered_women(3, 600, "ABCDEF")
    r = odds_ratios(w, "epidural", "instrumental", adjust=["stratum"], cluster="hospital_id")
    design = pd.DataFrame(
        {
            "const": 1.0,
            "x": epi.astype(float),
            "sy": (w["stratum"] == "y").astype(float),
            "sz": (w["stratum"] == "z").astype(float),
        }
    )
    # reference level: the most common stratum
    ref = (
        w["stratum"]
        .value_counts()
        .sort_index()
        .sort_values(ascending=False, kind="stable")
        .index[0]
    )
    design = design.assign(sx=(w["stratum"] == "x").astype(float)).drop(
        columns={"x": "sx", "y": "sy", "z": "sz"}[ref]
    )
    groups = pd.factorize(w["hospital_id"])[0]
    # statsmodels with use_t=True: Student t on G - 1 = 5 df for cluster covariances
    fit = sm.GLM(y, design, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    lo, hi = fit.conf_int(alpha=0.05).loc["x"]
    assert r.loc[1, "odds_ratio"] == pytest.approx(math.exp(fit.params["x"]), rel=1e-6)
    assert r.loc[1, "or_lcl"] == pytest.approx(math.exp(lo), rel=1e-5)
    assert r.loc[1, "or_ucl"] == pytest.approx(math.exp(hi), rel=1e-5)
    assert r.loc[1, "p_value"] == pytest.approx(fit.pvalues["x"], rel=1e-4)
    assert r.loc[1, "se"] == "cluster-robust"
    assert r.loc[1, "clusters"] == 6 and r.loc[1, "df"] == 5


def test_cluster_robust_uses_t_on_g_minus_1_df():
    # 17 hospitals, as in the synthetic data: t(16) quantile 2.1199, not 1.96
    stats = pytest.importorskip("scipy.stats")
    w, _, _ = _clustered_women(5, 1700, "ABCDEFGHIJKLMNOPQ")
    r = odds_ratios(w, "epidural", "instrumental", cluster="hospital_id").iloc[0]
    assert r["clusters"] == 17 and r["df"] == 16
    b = math.log(r["odds_ratio"])
    half = math.log(r["or_ucl"]) - b
    assert b - math.log(r["or_lcl"]) == pytest.approx(half, rel=1e-9)
    se = half / 2.1199052992212546  # t_{16, 0.975}, from tables
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(b / se), 16), rel=1e-6)
    assert r["p_value"] > 2 * stats.norm.sf(abs(b / se))  # t has heavier tails than z
    # a 90% interval uses t_{16, 0.95} = 1.7459
    r90 = odds_ratios(w, "epidural", "instrumental", cluster="hospital_id", confidence=0.9).iloc[0]
    assert math.log(r90["or_ucl"]) - b == pytest.approx(1.7458836762762506 * se, rel=1e-6)
    # without clusters the model-based interval stays normal (df = inf)
    plain = odds_ratios(w, "epidural", "instrumental").iloc[0]
    assert plain["clusters"] == 0 and math.isinf(plain["df"])


def test_errors():
    w = _women([("s", 1, 1, 5), ("s", 0, 0, 5)])
    with pytest.raises(SpecError, match="no column"):
        odds_ratios(w, "epidural", "instrumental", adjust=["nope"])
    with pytest.raises(SpecError, match="levels"):
        odds_ratios(w, "epidural", "preterm")
    with pytest.raises(SpecError, match="two clusters"):
        odds_ratios(w.assign(hospital_id="A"), "epidural", "instrumental", cluster="hospital_id")
    with pytest.raises(SpecError, match="confidence"):
        odds_ratios(w, "epidural", "instrumental", confidence=95)
