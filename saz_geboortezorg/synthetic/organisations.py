"""Regions, hospitals and midwifery practices (the ``organisaties`` extract).

Each hospital is the centre of one region; practices are spread over the regions in
proportion to region size (at least one per region) and refer to their region's
hospital. Names are invented Dutch-sounding towns, never real organisations.

Examples
--------
>>> import numpy as np
>>> from saz_geboortezorg.synthetic.params import load
>>> orgs = make_organisations(np.random.default_rng(1), 5, 12, load())
>>> orgs.frame["organisatie_type"].value_counts().to_dict()
{'VP': 12, 'ZH': 5}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from saz_geboortezorg.synthetic.params import Parameters

__all__ = ["Organisations", "make_organisations", "TOWNS"]

#: Invented town names (no real hospital is meant).
TOWNS = [
    "Veendijk", "Oosterhaven", "Bruggenum", "Lindewolde", "Marskerk", "Heidebeek",
    "Zandvoorde", "Westerbroek", "Kampenhout", "Dalmeer", "Ravensloot", "Eikendaal",
    "Noordwaard", "Sluiskade", "Beekstede", "Grootvenne", "Mosterveen", "Wildhoven",
    "Klaverdam", "Hoogeland", "Ommelburg", "Tjerkwoude", "Vennewijk", "Aldeburen",
]  # fmt: skip
_PRACTICE_NAMES = [
    "De Linde", "Het Baken", "De Wieg", "Levensboom", "De Kraanvogel", "Nieuw Leven",
    "De Ooievaar", "Moeder & Kind", "De Bron", "Het Nest", "Zonnebloem", "De Horizon",
]  # fmt: skip


@dataclass
class Organisations:
    """The organisation table and per-hospital / per-practice arrays (index = position)."""

    frame: pd.DataFrame
    hospital_ids: np.ndarray
    region_ids: np.ndarray
    region_share: np.ndarray  # share of births per region
    region_ses: np.ndarray  # mean of the latent SES score
    region_nullip: np.ndarray  # log-odds shift of nulliparity
    epidural_24_7: np.ndarray
    induction_policy: np.ndarray
    nicu: np.ndarray
    birth_centre: np.ndarray
    poor_registration: np.ndarray
    tariff_factor: np.ndarray
    practice_ids: np.ndarray
    practice_hospital: np.ndarray  # hospital position of each practice
    practice_share: np.ndarray  # share of its region's first-line pregnancies


def _town(i: int) -> str:
    return TOWNS[i] if i < len(TOWNS) else f"{TOWNS[i % len(TOWNS)]}-{i // len(TOWNS) + 1}"


def make_organisations(
    rng: np.random.Generator, hospitals: int, practices: int, params: Parameters
) -> Organisations:
    """Draw the hospitals (one per region) and practices with their features.

    Parameters
    ----------
    rng : numpy Generator
    hospitals, practices : int
        Numbers of hospitals (= regions) and practices (``practices >= hospitals``).
    params : Parameters

    Returns
    -------
    Organisations

    Examples
    --------
    >>> import numpy as np
    >>> from saz_geboortezorg.synthetic.params import load
    >>> o = make_organisations(np.random.default_rng(2), 3, 3, load())
    >>> o.frame["organisatie_id"].tolist()
    ['ZH01', 'ZH02', 'ZH03', 'VP001', 'VP002', 'VP003']
    """
    p = params["organisations"]
    h = hospitals
    sizes = rng.uniform(p["region_size_min"], p["region_size_max"], h)
    share = sizes / sizes.sum()
    ses = rng.normal(0.0, p["region_ses_sd"], h)
    nullip = rng.normal(0.0, params["case_mix"]["region_nulliparous_sd"], h)
    epi = rng.random(h) < p["share_epidural_24_7"]
    policy = rng.random(h) < p["share_induction_policy_41"]
    n_nicu = min(int(p["nicu_hospitals"]), h)
    order = np.argsort(-sizes, kind="stable")
    nicu = np.zeros(h, dtype=bool)
    nicu[order[: max(1, n_nicu if h >= 10 else 1)]] = True
    epi[nicu] = True  # NICU centres run a 24/7 service
    centre = rng.random(h) < p["share_birth_centre"]
    if h >= 3 and not centre.any():
        centre[order[0]] = True
    poor = np.zeros(h, dtype=bool)
    candidates = order[~nicu[order]]
    n_poor = min(int(p["poor_registration_hospitals"]), len(candidates))
    if n_poor:
        poor[rng.choice(candidates, n_poor, replace=False)] = True
    tariff = np.round(rng.normal(1.0, p["tariff_sd"], h), 3)

    # Practices: one per region first, the rest in proportion to region size.
    extra = practices - h
    per_region = (
        np.ones(h, dtype=int) + rng.multinomial(extra, share)
        if extra > 0
        else np.ones(h, dtype=int)
    )
    practice_hospital = np.repeat(np.arange(h), per_region)
    practice_share = np.empty(practices)
    start = 0
    for k in per_region:  # loop over regions (at most a few dozen), not births
        w = rng.gamma(4.0, 1.0, k)
        practice_share[start : start + k] = w / w.sum()
        start += k

    hospital_ids = np.array([f"ZH{i + 1:02d}" for i in range(h)])
    region_ids = np.array([f"R{i + 1:02d}" for i in range(h)])
    practice_ids = np.array([f"VP{i + 1:03d}" for i in range(practices)])
    towns = [_town(i) for i in range(h)]
    pnames = []
    counter: dict[int, int] = {}
    for j, hp in enumerate(practice_hospital):
        counter[hp] = counter.get(hp, 0) + 1
        base = _PRACTICE_NAMES[(j * 5 + hp) % len(_PRACTICE_NAMES)]
        pnames.append(
            f"Verloskundigenpraktijk {base} {towns[hp]}"
            + (f" {counter[hp]}" if counter[hp] > 1 else "")
        )
    frame = pd.DataFrame(
        {
            "organisatie_id": np.concatenate([hospital_ids, practice_ids]),
            "organisatie_type": ["ZH"] * h + ["VP"] * practices,
            "naam": [f"Ziekenhuis {t}" for t in towns] + pnames,
            "regio_id": np.concatenate([region_ids, region_ids[practice_hospital]]),
            "regio_naam": [f"Regio {t}" for t in towns]
            + [f"Regio {towns[i]}" for i in practice_hospital],
            "ziekenhuis_id": np.concatenate([hospital_ids, hospital_ids[practice_hospital]]),
            "epiduraal_24_7": pd.array(list(epi.astype(int)) + [None] * practices, dtype="Int64"),
            "inductiebeleid_41_weken": pd.array(
                list(policy.astype(int)) + [None] * practices, dtype="Int64"
            ),
            "nicu": pd.array(list(nicu.astype(int)) + [None] * practices, dtype="Int64"),
            "geboortecentrum": pd.array(
                list(centre.astype(int)) + list(centre[practice_hospital].astype(int)),
                dtype="Int64",
            ),
        }
    )
    for c in (
        "organisatie_id",
        "organisatie_type",
        "naam",
        "regio_id",
        "regio_naam",
        "ziekenhuis_id",
    ):
        frame[c] = frame[c].astype("str")
    return Organisations(
        frame=frame,
        hospital_ids=hospital_ids,
        region_ids=region_ids,
        region_share=share,
        region_ses=ses,
        region_nullip=nullip,
        epidural_24_7=epi,
        induction_policy=policy,
        nicu=nicu,
        birth_centre=centre,
        poor_registration=poor,
        tariff_factor=tariff,
        practice_ids=practice_ids,
        practice_hospital=practice_hospital,
        practice_share=practice_share,
    )
