"""Start of care, gestational age, presentation, birth hospital and onset of labour.

Order of events per pregnancy (all vectorised):

1. care starts in the second line (model ``start_second_line``) or with a midwifery
   practice of the region (chosen by practice size);
2. preterm birth (model ``preterm``) and the gestational age: preterm weeks from
   ``gestation.preterm_week_bands``; at term the day labour would start spontaneously
   is a truncated normal;
3. presentation of the first baby (breech more often preterm);
4. birth hospital: the region's hospital, except that below 32 weeks most women are
   transferred in utero to a NICU hospital;
5. prelabour caesarean (model ``prelabour_cs`` plus rare maternal-request caesareans),
   medical induction (model ``medical_induction``), and post-term induction by the
   hospital's policy (from 41+0 where the hospital has a 41-week policy, else 41+4;
   nearly always at 42+0). The final gestational age follows from these.

Examples
--------
>>> ONSET_SPONTANEOUS, ONSET_INDUCED, ONSET_PRELABOUR_CS
(1, 3, 4)
"""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.synthetic.models import draw, linear_predictor
from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters
from saz_geboortezorg.synthetic.population import truncated_normal

__all__ = [
    "draw_pregnancy",
    "draw_previous_cs_count",
    "ONSET_SPONTANEOUS",
    "ONSET_INDUCED",
    "ONSET_PRELABOUR_CS",
]

ONSET_SPONTANEOUS, ONSET_INDUCED, ONSET_PRELABOUR_CS = 1, 3, 4
_BANDS = {"22_27": (154, 196), "28_31": (196, 224), "32_33": (224, 238), "34_36": (238, 259)}


def _practice(rng: np.random.Generator, hospital: np.ndarray, orgs: Organisations) -> np.ndarray:
    """A practice of the woman's region, chosen with the practices' shares."""
    cum = np.empty(len(orgs.practice_ids))
    for k in range(len(orgs.hospital_ids)):  # loop over regions, not women
        idx = np.flatnonzero(orgs.practice_hospital == k)
        cum[idx] = k + np.cumsum(orgs.practice_share[idx])
        cum[idx[-1]] = k + 1.0
    pos = np.searchsorted(cum, hospital + rng.random(len(hospital)) * 0.999999, side="right")
    return np.clip(pos, 0, len(cum) - 1).astype(np.int16)


def draw_previous_cs_count(
    rng: np.random.Generator, w: dict[str, np.ndarray], params: Parameters
) -> None:
    """Add ``n_previous_cs`` to ``w``: 0 without a previous caesarean, else 1, 2 or 3
    (``case_mix.previous_cs_two_or_more`` / ``_three_or_more``), at most the parity.

    Examples
    --------
    >>> from saz_geboortezorg.synthetic.params import load
    >>> w = {"previous_cs": np.array([False, True, True]), "parity": np.array([2, 1, 4])}
    >>> draw_previous_cs_count(np.random.default_rng(1), w, load())
    >>> w["n_previous_cs"][:2].tolist()
    [0, 1]
    """
    cm = params["case_mix"]
    u = rng.random(len(w["previous_cs"]))
    count = 1 + (u < cm["previous_cs_two_or_more"]) + (u < cm["previous_cs_three_or_more"])
    count = np.minimum(count, np.maximum(w["parity"], 1))
    w["n_previous_cs"] = np.where(w["previous_cs"], count, 0).astype(np.int8)


def draw_pregnancy(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    orgs: Organisations,
    params: Parameters,
    effects: dict[str, np.ndarray],
) -> None:
    """Add start line, practice, gestational age, presentation, birth hospital and onset to ``w``."""
    n = len(w["age"])
    m = params["models"]
    g = params["gestation"]
    w["start_line"] = np.where(draw(rng, linear_predictor(m["start_second_line"], w)), 2, 1).astype(
        np.int8
    )
    w["practice"] = np.where(w["start_line"] == 1, _practice(rng, w["hospital"], orgs), -1).astype(
        np.int16
    )

    preterm = draw(rng, linear_predictor(m["preterm"], w))
    bands = list(_BANDS)
    probs = np.array([g["preterm_week_bands"][b] for b in bands], dtype=float)
    band = rng.choice(len(bands), size=n, p=probs / probs.sum())
    lo = np.array([_BANDS[b][0] for b in bands])[band]
    hi = np.array([_BANDS[b][1] for b in bands])[band]
    ga_preterm = lo + np.floor(rng.random(n) * (hi - lo)).astype(int)
    t_single = np.floor(
        truncated_normal(
            rng, g["term_mean_days"], g["term_sd_days"], 259.0, g["term_max_days"] + 0.99, n
        )
    )
    # Multiples: spontaneous onset between 37+0 and 40+0 weeks.
    t_mult = np.floor(truncated_normal(rng, g["multiple_term_mean_days"], 6.0, 259.0, 280.99, n))
    t_spont = np.where(w["multiple"], t_mult, t_single).astype(np.int16)
    ga = np.where(preterm, ga_preterm, t_spont).astype(np.int16)

    u = rng.random(n)
    p_breech = np.where(preterm, g["breech_preterm"], g["breech_term"])
    presentation = np.where(
        u < g["transverse"], 3, np.where(u < g["transverse"] + p_breech, 2, 1)
    ).astype(np.int8)
    w["presentation"] = presentation
    w["breech"] = presentation == 2
    w["transverse"] = presentation == 3
    w["preterm"] = preterm

    # Birth hospital: in-utero transfer to a NICU hospital below 32 weeks.
    hb = w["hospital"].copy()
    nicu_pos = np.flatnonzero(orgs.nicu)
    transfer = (
        (ga < 224)
        & ~orgs.nicu[hb]
        & (rng.random(n) < params["care_path"]["nicu_transfer_below_32_weeks"])
    )
    hb[transfer] = nicu_pos[rng.integers(0, len(nicu_pos), n)][transfer]
    w["birth_hospital"] = hb
    w["no_epidural_24_7"] = ~orgs.epidural_24_7[hb]

    # Prelabour caesarean.
    prelabour = draw(rng, linear_predictor(m["prelabour_cs"], w, effects["prelabour_cs"], hb))
    request_eligible = (
        ~prelabour & ~w["multiple"] & (presentation == 1) & ~w["previous_cs"] & ~preterm
    )
    request = request_eligible & (rng.random(n) < g["maternal_request_cs"])
    indication = np.select(
        [
            request,
            w["transverse"],
            w["breech"],
            w["previous_cs"],
            w["multiple"],
            preterm,
        ],
        [6, 5, 1, 2, 5, np.where(rng.random(n) < 0.5, 3, 4)],
        default=rng.choice(np.array([3, 4, 5]), size=n, p=[0.35, 0.4, 0.25]),
    ).astype(np.int8)
    no_indication = request & (rng.random(n) < g["request_cs_no_indication"])
    prelabour |= request
    w["maternal_request_cs"] = request
    w["cs_indication"] = np.where(prelabour & ~no_indication, indication, 0).astype(np.int8)

    # Inductions.
    med = ~prelabour & draw(
        rng, linear_predictor(m["medical_induction"], w, effects["medical_induction"], hb)
    )
    term = ~preterm
    policy_day = np.where(
        orgs.induction_policy[hb], g["induction_policy_day"], g["induction_no_policy_day"]
    )
    eligible = ~prelabour & ~med & term & ~w["multiple"]
    offer = eligible & (t_spont >= policy_day)
    accept = offer & (rng.random(n) < g["accept_policy_induction"])
    day41 = policy_day + rng.integers(0, 4, n)
    post41 = accept & (day41 <= t_spont)
    declined = eligible & ~post41 & (t_spont >= 294)
    post42 = declined & (rng.random(n) < g["post_term_induction_42"])
    day42 = 294 + rng.integers(0, 3, n)
    post42 &= day42 <= t_spont
    induced = med | post41 | post42

    ga_final = ga.astype(np.int16).copy()
    med_day = np.maximum(259, t_spont - rng.integers(0, 15, n))
    ga_final = np.where(med & term, med_day, ga_final)
    ga_final = np.where(post41, day41, ga_final)
    ga_final = np.where(post42, day42, ga_final)
    cs_day = np.maximum(259, np.minimum(t_spont, 266 + rng.integers(0, 15, n)))
    ga_final = np.where(prelabour & term, cs_day, ga_final).astype(np.int16)

    w["ga"] = ga_final
    w["onset"] = np.where(
        prelabour, ONSET_PRELABOUR_CS, np.where(induced, ONSET_INDUCED, ONSET_SPONTANEOUS)
    ).astype(np.int8)
    w["prelabour_cs"] = prelabour
    w["induced"] = induced
    w["induction_reason"] = np.where(post41 | post42, 4, np.where(med, 1, 0)).astype(np.int8)
    w["post_term"] = ga_final >= 287
    w["labouring"] = ~prelabour
