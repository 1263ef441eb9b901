"""Registration: what ends up in the extracts versus the true values.

Missing BMI (more in poorly registering hospitals), missing smoking, unknown SES and
migration background, missing 'epidural wanted but not received' (much more in the
poorly registering hospitals, LVR-2 only), and a few missing clinical items. Also
copies the first baby's items to the woman (for LVR-1 birth rows) and picks the
pregnancies that move away (LVR-1 record without birth).

Examples
--------
>>> import numpy as np
>>> w = {"start_line": np.array([1, 1, 2]), "multiple": np.array([False, False, False])}
>>> int(mark_moved(np.random.default_rng(0), w, 1).sum())
1
"""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters

__all__ = ["register", "mark_moved"]


def mark_moved(rng: np.random.Generator, w: dict[str, np.ndarray], n_moved: int) -> np.ndarray:
    """Choose ``n_moved`` first-line singleton pregnancies that leave the registry."""
    pool = np.flatnonzero((w["start_line"] == 1) & ~w["multiple"])
    moved = np.zeros(len(w["start_line"]), dtype=bool)
    moved[rng.choice(pool, size=min(n_moved, len(pool)), replace=False)] = True
    # They left before any referral: their LVR-1 record ends after booking.
    for flag in ("referral_pregnancy", "referral_labour", "referral_postpartum"):
        if flag in w:
            w[flag] = w[flag] & ~moved
            w[f"{flag}_reason"] = np.where(moved, 0, w[f"{flag}_reason"]).astype(np.int8)
    if "risk_before_labour" in w:
        w["risk_before_labour"] = np.where(
            moved & (w["risk_before_labour"] == 2), 1, w["risk_before_labour"]
        )
    return moved


def register(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    b: dict[str, np.ndarray],
    orgs: Organisations,
    params: Parameters,
) -> None:
    """Add the registered (possibly missing) versions of items to ``w`` and ``b``."""
    n = len(w["age"])
    cm = params["case_mix"]
    cp = params["care_path"]
    poor = orgs.poor_registration[w["birth_hospital"]]
    p_bmi = np.where(poor, cm["bmi_missing_poor_registration"], cm["bmi_missing"])
    w["bmi_known"] = rng.random(n) >= p_bmi
    w["smoking_known"] = rng.random(n) >= cm["smoking_missing"]
    w["ses_registered"] = np.where(rng.random(n) < cm["ses_unknown"], 9, w["ses_q"]).astype(np.int8)
    w["migration_registered"] = np.where(
        rng.random(n) < cm["migration_unknown"], 9, w["migration"]
    ).astype(np.int8)
    p_want = np.where(
        poor, cp["epidural_wanted_missing_poor_registration"], cp["epidural_wanted_missing"]
    )
    w["want_known_lvr2"] = rng.random(n) >= p_want
    w["want_known"] = rng.random(n) >= cp["epidural_wanted_missing"]
    w["blood_loss_known"] = rng.random(n) >= 0.01
    nb = len(b["woman"])
    b["ga_known"] = rng.random(nb) >= 0.001
    b["weight_known"] = rng.random(nb) >= 0.003
    b["apgar_known"] = (rng.random(nb) >= 0.005) | (b["death_phase"] > 0)
    first = b["order"] == 1
    idx = b["woman"][first]
    for src, dst in [
        ("weight", "weight1"),
        ("sex", "sex1"),
        ("apgar", "apgar1"),
        ("apgar_known", "apgar1_known"),
        ("death", "death1"),
        ("death_phase", "death_phase1"),
        ("congenital_anomaly", "anomaly1"),
        ("nicu", "nicu1"),
    ]:
        arr = np.zeros(n, dtype=b[src].dtype)
        arr[idx] = b[src][first]
        w[dst] = arr
    w["n_previous_cs_known"] = rng.random(n) >= cm["n_previous_cs_missing"]
