"""Rates on 60,000 births fall in the plausible Dutch ranges of domain.md section 4.

Tolerances: the Dutch figure plus the spread between years/regions quoted in the
brief, widened by about 3 binomial standard errors at this sample size.
"""

from __future__ import annotations

import pytest


def pct(numerator, denominator) -> float:
    return 100.0 * float(numerator[denominator].mean())


def test_overall_rates(women, large):
    w = women
    assert len(w) == large.truth["births"]
    allw = w["zwangerschapsduur"].notna()
    lab = w["labouring"] == 1
    checks = {
        # name: (value, low, high)  source: domain.md section 4
        "caesarean 16-18%": (pct(w["cs"] == 1, allw), 15.0, 19.0),
        "Robson 1 caesarean 9.9%": (pct(w["cs"] == 1, w["robson1"] == 1), 8.0, 12.5),
        "induction 25%": (pct(w["induced"] == 1, allw), 22.0, 28.0),
        "prelabour CS 8%": (pct(w["wijze_begin_baring"] == 4, allw), 6.5, 9.5),
        "spontaneous onset 67%": (pct(w["wijze_begin_baring"] == 1, allw), 63.0, 71.0),
        "home birth 13-15%": (pct(w["werkelijke_plaats_baring"] == 1, allw), 12.0, 16.5),
        "birth centre 2-3%": (pct(w["werkelijke_plaats_baring"] == 2, allw), 1.5, 3.5),
        "second-line birth ~69%": (pct(w["line_at_birth"] == 2, allw), 65.0, 75.0),
        "care starts with a midwife ~88%": (pct(w["start_line"] == 1, allw), 85.0, 91.0),
        "epidural ~22% of births": (pct(w["epidural"] == 1, allw), 19.0, 25.0),
        "epidural nulliparae 32.7%": (pct(w["epidural"] == 1, w["nulliparous"] == 1), 28.0, 39.0),
        "epidural multiparae 11.0%": (pct(w["epidural"] == 1, w["nulliparous"] == 0), 8.0, 14.0),
        "instrumental nulliparae 16-19%": (
            pct(w["instrumental"] == 1, w["nulliparous"] == 1),
            14.5,
            20.5,
        ),
        "instrumental multiparae 3-4%": (
            pct(w["instrumental"] == 1, w["nulliparous"] == 0),
            2.5,
            5.0,
        ),
        "OASIS 2-4% of vaginal births": (pct(w["oasis"] == 1, w["vaginal"] == 1), 2.0, 4.0),
        "PPH >= 1000 ml 4.5-6.4%": (pct(w["pph"] == 1, allw), 4.3, 6.8),
        "preterm 6.9-7.6%": (pct(w["preterm"] == 1, allw), 6.2, 8.0),
        "multiple pregnancy 1.5%": (pct(w["multiple"] == 1, allw), 1.2, 1.8),
        "nulliparae 44.5%": (pct(w["nulliparous"] == 1, allw), 42.5, 46.5),
        "previous CS among multiparae ~15%": (
            pct(w["prev_cs"] == 1, w["nulliparous"] == 0),
            13.5,
            16.5,
        ),
        "BMI missing 5-8%": (pct(w["bmi"].isna(), allw), 4.0, 10.0),
    }
    bad = {k: round(v, 2) for k, (v, lo, hi) in checks.items() if not lo <= v <= hi}
    assert not bad, bad
    assert lab.sum() > 0


def test_labour_referral_rates(women):
    w = women
    labour_first = (
        (w["start_line"] == 1)
        & (w["verwijzing_zwangerschap"] == 0)
        & (w["wijze_begin_baring"] == 1)
    )
    nul = pct(w["verwijzing_durante_partu"] == 1, labour_first & (w["nulliparous"] == 1))
    mul = pct(w["verwijzing_durante_partu"] == 1, labour_first & (w["nulliparous"] == 0))
    assert 50 <= nul <= 62  # nulliparae ~55% (domain.md 4: 56.8%, regional 55-68%)
    assert 15 <= mul <= 28  # multiparae ~20-25%
    per_practice = (
        w[labour_first].groupby("praktijk_id")["verwijzing_durante_partu"].mean().mul(100)
    )
    assert per_practice.max() - per_practice.min() > 15  # practices differ (9.7-63.7%)


def test_baby_level_rates(large):
    l1, l2 = large.perined_lvr1, large.perined_lvr2
    import pandas as pd

    babies = pd.concat([l2, l1[l1["eindverantwoordelijke_baring"] == 1]], ignore_index=True)
    n = len(babies)
    death = 1000 * (babies["perinatale_sterfte"] == 1).sum() / n
    assert 4.5 <= death <= 8.0  # 4.5-7.3 per 1000 (domain.md 4)
    term_alive = (
        (babies["zwangerschapsduur"] >= 259)
        & (babies["apgar_5"].notna())
        & (babies["perinatale_sterfte"] != 1)
    )
    low_apgar = 1000 * (babies.loc[term_alive, "apgar_5"] < 7).mean()
    assert 3.0 <= low_apgar <= 12.0  # 4.1-8.6 per 1000
    anomaly = 100 * (babies["congenitale_afwijking"] == 1).mean()
    assert 1.8 <= anomaly <= 3.2
    term = babies["zwangerschapsduur"] >= 259
    nicu_term = 1000 * (babies.loc[term, "nicu_opname"] == 1).mean()
    assert 3.0 <= nicu_term <= 10.0  # 5.58 per 1000
    very_preterm = babies["zwangerschapsduur"].between(168, 223)
    assert (babies.loc[very_preterm, "nicu_opname"] == 1).mean() > 0.75  # 83-92% at 24-31 weeks
    phases = babies.loc[babies["perinatale_sterfte"] == 1, "fase_perinatale_sterfte"].value_counts(
        normalize=True
    )
    assert phases[1] > phases[3] > phases.get(2, 0)


def test_sga_is_about_ten_percent_by_the_shipped_reference(large):
    import pandas as pd

    from saz_geboortezorg.derive.sga import sga

    l2 = large.perined_lvr2
    sex = l2["geslacht"].map({1: "male", 2: "female"})
    frame = pd.DataFrame(
        {
            "birth_weight": l2["geboortegewicht"],
            "sex": sex,
            "parity": l2["pariteit"],
            "ga_days": l2["zwangerschapsduur"],
        }
    )
    rate = 100 * sga(frame).mean()
    assert 8.0 <= rate <= 13.0  # 9.7% (Hoftiezer, domain.md 4); LVR-2 slightly higher risk


@pytest.mark.parametrize("column", ["bmi", "roken"])
def test_case_mix_differs_between_regions(women, column):
    w = women.copy()
    low_ses = (w["ses_kwintiel"] == 1).groupby(w["ziekenhuis_id"]).mean()
    assert low_ses.max() - low_ses.min() > 0.15  # urban deprived vs affluent regions
    non_eur = (w["migratieachtergrond"] == 3).groupby(w["ziekenhuis_id"]).mean()
    assert non_eur.max() - non_eur.min() > 0.08
    by = w[column].astype(float).groupby(w["ses_kwintiel"]).mean()
    assert by[1] > by[5]  # more smoking and higher BMI in low-SES areas


def test_care_outside_guidelines_is_rare_but_present(women):
    w = women
    allw = w["zwangerschapsduur"].notna()
    high_risk = w["risicostatus_voor_baring"] == 2
    planned_home = (
        1000 * ((w["voorgenomen_plaats_baring"] == 1) & high_risk).sum() / high_risk.sum()
    )
    assert 1 <= planned_home <= 20
    post_term = (
        1000
        * (
            (w["zwangerschapsduur"] >= 294) & (w["wijze_begin_baring"] == 1) & (w["n_babies"] == 1)
        ).sum()
        / allw.sum()
    )
    assert 0.2 <= post_term <= 10
    l2 = w[w["line_at_birth"] == 2]
    assert (l2["werkelijke_plaats_baring"] == 1).sum() > 0  # some high-risk home births happen


def test_epidural_wanted_not_received_more_without_24_7(large, women):
    feats = large.truth["hospital_features"]
    no24 = {h for h, f in feats.items() if not f["epidural_24_7"]}
    if not no24:
        pytest.skip("every hospital has 24/7 epidural in this draw")
    w = women[(women["line_at_birth"] == 2) & (women["labouring"] == 1) & (women["epidural"] == 0)]
    w = w[w["ruggenprik_gewenst_niet_gekregen"].notna()]
    flag = w["ruggenprik_gewenst_niet_gekregen"] == 1
    without = flag[w["ziekenhuis_id"].isin(no24)].mean()
    with_ = flag[~w["ziekenhuis_id"].isin(no24)].mean()
    assert without > 1.5 * with_
