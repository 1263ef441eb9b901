"""The care path: booking, referrals, place of birth, line at birth, pain relief.

Referrals are *outcome-consistent*: a woman who started with a midwife is referred in
pregnancy when her pregnancy needs the second line (multiple, breech, preterm,
previous caesarean, induction, prelabour caesarean, 42 weeks, stillbirth, anomaly
detected antenatally), plus extra referrals (hypertension, growth, ...). A woman who
laboured in the first line is referred during labour when she gets an epidural, an
instrumental birth or a caesarean, plus extra referrals with a practice effect
(meconium, prolonged rupture of membranes, ...). Postpartum referral follows PPH,
OASIS, a baby needing care, or a retained placenta. So outcome models keep their
exact truth, and referral rates differ between practices.

Examples
--------
>>> PLACE_HOME, PLACE_BIRTH_CENTRE, PLACE_POLI, PLACE_HOSPITAL
(1, 2, 3, 4)
"""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.synthetic.models import expit
from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters

__all__ = ["draw_care_path", "PLACE_HOME", "PLACE_BIRTH_CENTRE", "PLACE_POLI", "PLACE_HOSPITAL"]

PLACE_HOME, PLACE_BIRTH_CENTRE, PLACE_POLI, PLACE_HOSPITAL = 1, 2, 3, 4


def _pick(rng: np.random.Generator, codes: list[int], probs: list[float], n: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(codes)[rng.choice(len(codes), size=n, p=p / p.sum())]


def _between(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A date uniformly between start and end (inclusive; datetime64[D])."""
    span = (end - start).astype(int)
    return start + np.floor(rng.random(len(start)) * (np.maximum(span, 0) + 1)).astype(int)


def draw_care_path(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    b: dict[str, np.ndarray],
    orgs: Organisations,
    params: Parameters,
    practice_effect: np.ndarray,
) -> None:
    """Add booking, referrals (flags, reasons, dates), places, line at birth, risk
    statuses and pain relief to ``w``."""
    n = len(w["age"])
    cp = params["care_path"]
    first = w["start_line"] == 1
    nullip = w["nulliparous"]

    # Booking: gestational age and date.
    ga_book = np.round(rng.normal(cp["booking_ga_mean_days"], cp["booking_ga_sd_days"], n))
    late = rng.random(n) < cp["late_booking"]
    ga_book = np.where(late, rng.integers(126, 200, n), np.clip(ga_book, 42, 125))
    ga_book = np.clip(np.minimum(ga_book, w["ga"] - 7), 28, None).astype(np.int16)
    w["ga_booking"] = ga_book
    w["booking_date"] = w["birth_date"] - (w["ga"] - ga_book).astype(int)

    # Per-woman "any baby" outcome flags.
    any_antepartum = np.zeros(n, dtype=bool)
    any_antepartum[b["woman"][b["death_phase"] == 1]] = True
    any_intrapartum = np.zeros(n, dtype=bool)
    any_intrapartum[b["woman"][b["death_phase"] == 2]] = True
    anomaly_known = np.zeros(n, dtype=bool)
    known = b["congenital_anomaly"] & (
        rng.random(len(b["woman"])) < cp["anomaly_detected_antenatally"]
    )
    anomaly_known[b["woman"][known]] = True
    baby_care = np.zeros(n, dtype=bool)
    baby_care[b["woman"][b["nicu"] | b["low_apgar"] | (b["death_phase"] == 3)]] = True
    w["baby_care"] = baby_care

    # Referral in pregnancy.
    not_cephalic = w["presentation"] != 1
    post_term_reason = (w["induction_reason"] == 4) | (w["labouring"] & (w["ga"] >= 294))
    forced = (
        w["multiple"] | not_cephalic | w["preterm"] | w["induced"] | w["prelabour_cs"] | w["previous_cs"]
        | post_term_reason | any_antepartum | anomaly_known
    )  # fmt: skip
    extra = rng.random(n) < expit(
        cp["extra_pregnancy_referral"] + cp["extra_pregnancy_referral_nulliparous"] * nullip
    )
    ref_preg = first & (forced | extra)
    medical = _pick(rng, [1, 2, 7, 8], [0.4, 0.3, 0.15, 0.15], n)
    reason = np.select(
        [
            w["preterm"],
            w["multiple"],
            not_cephalic,
            post_term_reason,
            w["previous_cs"],
            any_antepartum | anomaly_known,
        ],
        [3, 6, 5, 4, 7, 8],
        default=medical,
    )
    w["referral_pregnancy"] = ref_preg
    w["referral_pregnancy_reason"] = np.where(ref_preg, reason, 0).astype(np.int8)
    bd, bk = w["birth_date"], w["booking_date"]
    near = bd - rng.integers(0, 4, n)
    preterm_date = bd - rng.integers(0, 15, n)
    any_date = _between(rng, bk + 1, bd)
    ref_date = np.where(reason == 4, near, np.where(reason == 3, preterm_date, any_date))
    ref_date = np.where(reason == 7, _between(rng, bk, bk + 21), ref_date)
    ref_date = np.minimum(np.maximum(ref_date, bk), bd)
    w["referral_pregnancy_date"] = ref_date

    # Referral during labour (women labouring under the midwife).
    labour_first = first & ~ref_preg
    forced_l = w["epidural"] | w["intrapartum_cs"] | w["instrumental"] | any_intrapartum
    lp = (
        cp["extra_labour_referral"]
        + cp["extra_labour_referral_nulliparous"] * nullip
        + practice_effect[np.maximum(w["practice"], 0)]
    )
    extra_l = rng.random(n) < expit(lp)
    ref_lab = labour_first & (forced_l | extra_l)
    u = rng.random(n)
    reason_l = np.select(
        [w["intrapartum_cs"] | w["instrumental"], any_intrapartum, w["epidural"]],
        [np.where(u < 0.55, 3, 4), 4, 6],
        default=_pick(rng, [1, 2, 3, 5, 7, 8, 9], [0.08, 0.1, 0.17, 0.3, 0.2, 0.12, 0.03], n),
    )
    w["referral_labour"] = ref_lab
    w["referral_labour_reason"] = np.where(ref_lab, reason_l, 0).astype(np.int8)
    line = np.where(labour_first & ~ref_lab, 1, 2).astype(np.int8)
    w["line_at_birth"] = line

    # Intended and actual place of birth.
    p_home = np.where(nullip, cp["intended_home_nulliparous"], cp["intended_home_multiparous"])
    centre = orgs.birth_centre[w["hospital"]]
    u = rng.random(n)
    intended_first = np.where(
        u < p_home,
        PLACE_HOME,
        np.where(
            centre & (u < p_home + cp["intended_birth_centre"]), PLACE_BIRTH_CENTRE, PLACE_POLI
        ),
    )
    high_risk_home = (rng.random(n) < cp["planned_home_high_risk"]) & ~labour_first
    intended = np.where(
        labour_first, intended_first, np.where(high_risk_home, PLACE_HOME, PLACE_HOSPITAL)
    )
    intended = np.where(rng.random(n) < cp["intended_place_unknown"], 9, intended).astype(np.int8)
    actual = np.where(line == 1, np.where(intended == 9, PLACE_POLI, intended), PLACE_HOSPITAL)
    at_home = (
        high_risk_home & (w["mode"] == 0) & (w["onset"] == 1) & ~w["multiple"]
        & (rng.random(n) < cp["planned_home_high_risk_at_home"])
    )  # fmt: skip
    actual = np.where(at_home, PLACE_HOME, actual).astype(np.int8)
    w["intended_place"] = intended
    w["actual_place"] = actual
    w["high_risk_home"] = high_risk_home

    # Risk status after booking and before labour.
    unknown = rng.random(n) < cp["risk_status_unknown"]
    intake_second = w["previous_cs"] & (rng.random(n) < 0.8) | (ref_preg & (reason == 7))
    w["risk_booking"] = np.where(unknown, 9, np.where(intake_second, 2, 1)).astype(np.int8)
    unknown = rng.random(n) < cp["risk_status_unknown"]
    w["risk_before_labour"] = np.where(unknown, 9, np.where(labour_first, 1, 2)).astype(np.int8)

    # Postpartum referral after a first-line birth.
    perineal_tear = w["oasis"]
    retained = rng.random(n) < cp["retained_placenta"]
    other = rng.random(n) < cp["other_postpartum_referral"]
    reason_pp = np.select(
        [w["pph"], perineal_tear, baby_care, retained, other], [1, 3, 4, 2, 8], default=0
    )
    ref_pp = (line == 1) & (reason_pp > 0)
    w["referral_postpartum"] = ref_pp
    w["referral_postpartum_reason"] = np.where(ref_pp, reason_pp, 0).astype(np.int8)

    # Pain relief: epidural (second line only), other methods, none.
    lab = w["labouring"]
    other_pr = np.where(
        line == 2, cp["non_epidural_pain_relief_second_line"], cp["pain_relief_first_line"]
    )
    got_other = lab & ~w["epidural"] & (rng.random(n) < other_pr)
    method_other = np.where(line == 2, _pick(rng, [2, 3, 4], [0.5, 0.3, 0.2], n), 4)
    w["pain_relief"] = w["epidural"] | got_other
    w["pain_relief_method"] = np.where(
        w["epidural"], 1, np.where(got_other, method_other, 0)
    ).astype(np.int8)
    lp_want = (
        cp["epidural_wanted_intercept"]
        + cp["epidural_wanted_no_24_7"] * w["no_epidural_24_7"]
        + cp["epidural_wanted_nulliparous"] * nullip
    )
    w["epidural_wanted_not_received"] = lab & ~w["epidural"] & (rng.random(n) < expit(lp_want))
