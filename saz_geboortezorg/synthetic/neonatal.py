"""The babies: sex, birth weight (and SGA), anomaly, perinatal death, Apgar, NICU.

One row per baby (twins and triplets expand the woman's row). Birth weight is drawn
from the shipped reference (:mod:`reference`): ``p50 * exp(SIGMA * z)`` with a z-score
lowered by smoking, low SES, multiple pregnancy and preterm birth. SGA is
``weight < p10`` of the same reference, so about 10% by construction.

Examples
--------
>>> import numpy as np
>>> babies_of(np.array([1, 2, 1]))
(array([0, 1, 1, 2]), array([1, 1, 2, 1], dtype=int8))
"""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.synthetic.models import draw, linear_predictor
from saz_geboortezorg.synthetic.params import Parameters
from saz_geboortezorg.synthetic.reference import SIGMA, lookup

__all__ = ["babies_of", "draw_birth_weights", "draw_neonatal"]

#: Shifts of the birth-weight z-score (assumptions; smoking ~ -0.4 sd).
Z_SHIFTS = {
    "smoker": -0.45,
    "ses_q1": -0.12,
    "multiple": -0.9,
    "non_european": -0.15,
    "obese": 0.25,
    "preterm": -0.3,
}
Z_CENTRE = 0.16


def babies_of(n_fetuses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Woman position and birth order (1, 2, ...) of every baby."""
    woman = np.repeat(np.arange(len(n_fetuses)), n_fetuses)
    start = np.cumsum(n_fetuses) - n_fetuses
    order = (np.arange(len(woman)) - np.repeat(start, n_fetuses) + 1).astype(np.int8)
    return woman, order


def draw_birth_weights(rng: np.random.Generator, w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Babies with sex, presentation, birth weight and SGA; adds ``big_baby`` to ``w``."""
    woman, order = babies_of(w["n_fetuses"])
    nb = len(woman)
    u = rng.random(nb)
    sex = np.where(u < 0.0005, 9, np.where(u < 0.5135, 1, 2)).astype(np.int8)
    u2 = rng.random(nb)
    later = np.where(u2 < 0.05, 3, np.where(u2 < 0.40, 2, 1))
    presentation = np.where(order == 1, w["presentation"][woman], later).astype(np.int8)
    z = rng.normal(Z_CENTRE, 1.0, nb)
    for name, shift in Z_SHIFTS.items():
        z += shift * w[name][woman]
    ga = w["ga"][woman]
    p50, p10 = lookup(sex, w["nulliparous"][woman], ga)
    weight = np.clip(np.round(p50 * np.exp(SIGMA * z)), 200, 6900).astype(np.int32)
    b = {
        "woman": woman,
        "order": order,
        "sex": sex,
        "presentation": presentation,
        "weight": weight,
        "sga": weight < p10,
    }
    first = order == 1
    big = np.zeros(len(w["ga"]), dtype=bool)
    big[woman[first]] = weight[first] >= 4000
    w["big_baby"] = big
    return b


def draw_neonatal(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    b: dict[str, np.ndarray],
    params: Parameters,
    effects: dict[str, np.ndarray],
) -> None:
    """Add congenital anomaly, perinatal death and phase, Apgar and NICU to the babies ``b``."""
    m = params["models"]
    woman = b["woman"]
    nb = len(woman)
    ga = w["ga"][woman]
    x = {
        name: w[name][woman] for name in ("multiple", "age_40p", "smoker", "ses_q1", "non_european")
    }
    x.update(
        {
            "ga_lt28": ga < 196,
            "ga_28_31": (ga >= 196) & (ga < 224),
            "ga_32_36": (ga >= 224) & (ga < 259),
            "ga_lt32": ga < 224,
            "ga_32_33": (ga >= 224) & (ga < 238),
            "ga_34_36": (ga >= 238) & (ga < 259),
            "sga": b["sga"],
            "instrumental": w["instrumental"][woman],
            "intrapartum_cs": w["intrapartum_cs"][woman],
        }
    )
    hb = w["birth_hospital"][woman]
    x["congenital_anomaly"] = draw(rng, linear_predictor(m["congenital_anomaly"], x))
    death = draw(rng, linear_predictor(m["perinatal_death"], x))
    ph = params["death_phase"]
    u = rng.random(nb)
    phase = np.where(
        u < ph["antepartum"], 1, np.where(u < ph["antepartum"] + ph["intrapartum"], 2, 3)
    )
    phase = np.where(death, phase, 0).astype(np.int8)
    alive_at_birth = phase != 1
    alive_at_birth &= phase != 2
    low = alive_at_birth & draw(rng, linear_predictor(m["low_apgar"], x, effects["low_apgar"], hb))
    low |= death & (phase == 3) & (rng.random(nb) < 0.5)
    x["low_apgar"] = low
    nicu = alive_at_birth & draw(rng, linear_predictor(m["nicu"], x))
    apgar_low = rng.choice(np.arange(1, 7), size=nb, p=[0.1, 0.1, 0.15, 0.2, 0.2, 0.25])
    apgar_ok = rng.choice(np.arange(7, 11), size=nb, p=[0.04, 0.12, 0.44, 0.40])
    apgar = np.where(~alive_at_birth, 0, np.where(low, apgar_low, apgar_ok)).astype(np.int8)
    b["congenital_anomaly"] = x["congenital_anomaly"]
    b["death"] = death
    b["death_phase"] = phase
    b["apgar"] = apgar
    b["low_apgar"] = low
    b["nicu"] = nicu
    b["ga"] = ga
