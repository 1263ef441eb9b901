"""Labour and birth of the mother: epidural, mode of birth, perineum and blood loss.

For women in labour (no prelabour caesarean): epidural (model ``epidural``, driven by
the hospital's policy effect and 24/7 availability), intrapartum caesarean (model
``intrapartum_cs``, with the Robson-1 initiative), and for vaginal births the
instrument (model ``instrumental``; vacuum or forceps), episiotomy (``episiotomy``)
and OASIS (``oasis``, with its initiative). Postpartum haemorrhage (``pph``) applies to
every birth. Hospital effects are those of the birth hospital. The mode of birth is
the woman's for every baby, except that a later twin may be born by caesarean after a
vaginal first twin (:func:`draw_baby_modes`).

Examples
--------
>>> str(MODE_CODES[MODE_INTRAPARTUM_CS])
'274130007'
"""

from __future__ import annotations

import numpy as np

from saz_geboortezorg.synthetic.models import draw, linear_predictor
from saz_geboortezorg.synthetic.params import Parameters

__all__ = [
    "draw_labour",
    "draw_baby_modes",
    "initiative_flags",
    "MODE_CODES",
    "MODE_SPONTANEOUS",
    "MODE_VACUUM",
    "MODE_FORCEPS",
    "MODE_PRELABOUR_CS",
    "MODE_INTRAPARTUM_CS",
]

MODE_SPONTANEOUS, MODE_VACUUM, MODE_FORCEPS, MODE_PRELABOUR_CS, MODE_INTRAPARTUM_CS = range(5)
#: type_partus code (SNOMED CT, codes.yaml) per internal mode.
MODE_CODES = np.array(["177184002", "61586001", "302383004", "177141003", "274130007"])


def initiative_flags(
    w: dict[str, np.ndarray], initiatives: list[dict], outcome: str, population: np.ndarray
) -> np.ndarray:
    """1 where a birth falls under an initiative for ``outcome`` (region and date).

    Examples
    --------
    >>> w = {"hospital": np.array([0, 1]), "birth_date": np.array(["2022-08-01", "2022-08-01"], dtype="datetime64[D]")}
    >>> ini = [{"outcome": "oasis", "hospital": 1, "start_date": "2022-07-01"}]
    >>> initiative_flags(w, ini, "oasis", np.array([True, True])).tolist()
    [False, True]
    """
    flag = np.zeros(len(w["hospital"]), dtype=bool)
    for ini in initiatives:
        if ini["outcome"] != outcome:
            continue
        flag |= (w["hospital"] == ini["hospital"]) & (
            w["birth_date"] >= np.datetime64(ini["start_date"])
        )
    return flag & population


def draw_labour(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    params: Parameters,
    effects: dict[str, np.ndarray],
    initiatives: list[dict],
) -> None:
    """Add epidural, mode, episiotomy, OASIS, perineum, PPH and blood loss to ``w``."""
    n = len(w["age"])
    m = params["models"]
    hb = w["birth_hospital"]
    lab = w["labouring"]
    w["epidural"] = lab & draw(rng, linear_predictor(m["epidural"], w, effects["epidural"], hb))

    robson1 = (
        w["nulliparous"]
        & ~w["multiple"]
        & (w["presentation"] == 1)
        & (w["ga"] >= 259)
        & lab
        & ~w["induced"]
    )
    w["initiative"] = initiative_flags(w, initiatives, "intrapartum_cs", robson1)
    ipcs = lab & draw(rng, linear_predictor(m["intrapartum_cs"], w, effects["intrapartum_cs"], hb))
    vaginal = lab & ~ipcs
    instr = vaginal & draw(rng, linear_predictor(m["instrumental"], w, effects["instrumental"], hb))
    vacuum = rng.random(n) < params["care_path"]["vacuum_share"]
    mode = np.full(n, MODE_SPONTANEOUS, dtype=np.int8)
    mode[instr & vacuum] = MODE_VACUUM
    mode[instr & ~vacuum] = MODE_FORCEPS
    mode[w["prelabour_cs"]] = MODE_PRELABOUR_CS
    mode[ipcs] = MODE_INTRAPARTUM_CS
    w["mode"] = mode
    w["intrapartum_cs"] = ipcs
    w["instrumental"] = instr
    w["vaginal"] = vaginal
    w["caesarean"] = ~vaginal

    epis = vaginal & draw(rng, linear_predictor(m["episiotomy"], w, effects["episiotomy"], hb))
    w["episiotomy"] = epis
    w["instrumental_no_episiotomy"] = instr & ~epis
    w["initiative"] = initiative_flags(w, initiatives, "oasis", vaginal)
    oasis = vaginal & draw(rng, linear_predictor(m["oasis"], w, effects["oasis"], hb))
    w["oasis"] = oasis
    del w["initiative"]

    # Perineum: 3/4 for OASIS (4th degree in 15%), else intact / 1st / 2nd degree; 9 unknown.
    u = rng.random(n)
    grade = np.where(
        epis,
        np.where(u < 0.6, 0, np.where(u < 0.8, 1, 2)),
        np.where(u < 0.33, 0, np.where(u < 0.62, 1, 2)),
    )
    grade = np.where(oasis, np.where(rng.random(n) < 0.15, 4, 3), grade)
    grade = np.where(~oasis & (rng.random(n) < 0.01), 9, grade)
    w["perineum"] = np.where(vaginal, grade, -1).astype(np.int8)

    pph = draw(rng, linear_predictor(m["pph"], w, effects["pph"], hb))
    w["pph"] = pph
    base = np.where(w["caesarean"], np.log(550.0), np.log(330.0))
    normal_loss = np.minimum(np.exp(base + rng.normal(0, 0.45, n)), 990.0)
    pph_loss = 1000.0 + np.exp(np.log(350.0) + rng.normal(0, 0.8, n))
    loss = np.where(pph, np.minimum(pph_loss, 9000.0), np.maximum(normal_loss, 50.0))
    w["blood_loss"] = (np.round(loss / 10.0) * 10).astype(np.int32)


def draw_baby_modes(
    rng: np.random.Generator, w: dict[str, np.ndarray], b: dict[str, np.ndarray], params: Parameters
) -> None:
    """Mode of birth per baby (``b["mode"]``): the woman's mode, except that a later baby
    of a multiple birth whose first baby was born vaginally is born by intrapartum
    caesarean with probability ``gestation.later_twin_caesarean_after_vaginal``
    (combined vaginal-caesarean birth). The woman then counts as a caesarean
    (``w["caesarean"]``, so her claims carry it), and ``w["combined_birth"]`` marks her.

    Examples
    --------
    >>> from saz_geboortezorg.synthetic.params import load
    >>> w = {"mode": np.array([0, 0, 4], dtype=np.int8), "vaginal": np.array([True, True, False]),
    ...      "caesarean": np.array([False, False, True])}
    >>> b = {"woman": np.array([0, 1, 1, 2, 2]), "order": np.array([1, 1, 2, 1, 2])}
    >>> p = load()
    >>> p.values["gestation"]["later_twin_caesarean_after_vaginal"] = 1.0
    >>> draw_baby_modes(np.random.default_rng(0), w, b, p)
    >>> b["mode"].tolist(), w["caesarean"].tolist()
    ([0, 0, 4, 4, 4], [False, True, True])
    """
    woman = b["woman"]
    p = params["gestation"]["later_twin_caesarean_after_vaginal"]
    mode = w["mode"][woman].astype(np.int8)
    switch = (b["order"] > 1) & w["vaginal"][woman] & (rng.random(len(woman)) < p)
    mode[switch] = MODE_INTRAPARTUM_CS
    b["mode"] = mode
    combined = np.zeros(len(w["mode"]), dtype=bool)
    combined[woman[switch]] = True
    w["combined_birth"] = combined
    w["caesarean"] = w["caesarean"] | combined
