"""Claims (``dbc_declaraties``) that follow the care path.

Midwifery practice (first line): full care (``VERL_VOLLEDIG``, deprived-area tariff
in SES quintile 1) for a first-line birth; otherwise partial antenatal care up to the
referral in pregnancy, or antenatal plus natal care when referred during labour, and
postnatal care after most births. Hospital (second line): antenatal care from the
referral (or booking), one birth product (vaginal, instrumental, caesarean), induction,
epidural, postpartum admission, a poliklinisch birth without medical indication, and
one neonatology claim per NICU baby (tariff by length of stay). Hospital tariffs
are multiplied by the hospital's tariff factor. All price levels: ``parameters.yaml``
``tariffs`` (hospital levels are assumptions).

Examples
--------
>>> PHASE_PREGNANCY, PHASE_BIRTH, PHASE_POSTPARTUM
('zwangerschap', 'baring', 'kraambed')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.params import Parameters

__all__ = ["draw_claims", "PHASE_PREGNANCY", "PHASE_BIRTH", "PHASE_POSTPARTUM"]

PHASE_PREGNANCY, PHASE_BIRTH, PHASE_POSTPARTUM = "zwangerschap", "baring", "kraambed"


class _Claims:
    """Collects claim blocks (each vectorised over women) and concatenates them once."""

    def __init__(self) -> None:
        self.blocks: list[dict] = []

    def add(self, rows, provider, lijn, product, phase, begin, end, amount) -> None:
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        if len(rows) == 0:
            return
        pick = lambda a: a[rows] if isinstance(a, np.ndarray) and a.shape[:1] == (self.n,) else a  # noqa: E731
        self.blocks.append(
            {
                "woman": rows,
                "provider": np.broadcast_to(pick(provider), len(rows)),
                "lijn": lijn,
                "product": product,
                "phase": phase,
                "begin": np.broadcast_to(pick(begin), len(rows)),
                "end": np.broadcast_to(pick(end), len(rows)),
                "amount": np.broadcast_to(pick(amount), len(rows)).astype(float),
            }
        )


def draw_claims(
    rng: np.random.Generator,
    w: dict[str, np.ndarray],
    b: dict[str, np.ndarray],
    orgs: Organisations,
    params: Parameters,
    pregnancy_ids: np.ndarray,
    ghost_ids: np.ndarray,
    years: tuple[int, int],
) -> tuple[pd.DataFrame, int]:
    """Build the claims extract; returns it and the number of claims with unknown ids."""
    t = params["tariffs"]
    n = len(w["age"])
    c = _Claims()
    c.n = n
    moved = w["moved"]
    born = ~moved
    first = w["start_line"] == 1
    hosp_ids = orgs.hospital_ids
    prac = orgs.practice_ids[np.maximum(w["practice"], 0)]
    reg_h = hosp_ids[w["hospital"]]
    birth_h = hosp_ids[w["birth_hospital"]]
    factor = orgs.tariff_factor[w["birth_hospital"]]
    bd, bk = w["birth_date"], w["booking_date"]
    line1 = born & (w["line_at_birth"] == 1)
    ref_p = born & w["referral_pregnancy"]
    ref_l = born & w["referral_labour"]
    deprived = w["ses_q"] == 1
    postnatal_end = bd + 10

    # First line.
    full = np.where(deprived, t["VERL_VOLLEDIG_deprived"], t["VERL_VOLLEDIG"])
    c.add(first & line1, prac, 1, "VERL_VOLLEDIG", PHASE_BIRTH, bk, bd + 42, full)
    c.add(
        first & ref_p,
        prac,
        1,
        "VERL_PRENATAAL_DEEL",
        PHASE_PREGNANCY,
        bk,
        w["referral_pregnancy_date"],
        t["VERL_PRENATAAL_DEEL"],
    )
    c.add(
        first & ref_l,
        prac,
        1,
        "VERL_PRENATAAL_DEEL",
        PHASE_PREGNANCY,
        bk,
        bd,
        t["VERL_PRENATAAL_FULL"],
    )
    c.add(first & ref_l, prac, 1, "VERL_NATAAL", PHASE_BIRTH, bd, bd, t["VERL_NATAAL"])
    post = (
        born
        & (w["line_at_birth"] == 2)
        & np.where(
            first,
            rng.random(n) < 0.85,
            rng.random(n) < params["linkage"]["postnatal_claim_second_line_start"],
        )
    )
    post_prac = np.where(first, prac, orgs.practice_ids[_region_practice(rng, w["hospital"], orgs)])
    c.add(
        post,
        post_prac,
        1,
        "VERL_POSTNATAAL",
        PHASE_POSTPARTUM,
        bd,
        postnatal_end,
        t["VERL_POSTNATAAL"],
    )
    moved_end = bk + rng.integers(20, 90, n)
    c.add(
        moved,
        prac,
        1,
        "VERL_PRENATAAL_DEEL",
        PHASE_PREGNANCY,
        bk,
        moved_end,
        t["VERL_PRENATAAL_DEEL"],
    )

    # Second line: antenatal care, birth, interventions, admissions.
    line2 = born & (w["line_at_birth"] == 2)
    zw_start = np.where(first, w["referral_pregnancy_date"], bk)
    c.add(
        line2 & (~first | ref_p),
        birth_h,
        2,
        "ZH_ZWANGERSCHAP",
        PHASE_PREGNANCY,
        zw_start,
        bd,
        t["ZH_ZWANGERSCHAP"] * factor,
    )
    cs = w["caesarean"]
    stay = np.where(cs, 3, np.where(w["instrumental"], 2, 1))
    c.add(line2 & cs, birth_h, 2, "ZH_SECTIO", PHASE_BIRTH, bd, bd + stay, t["ZH_SECTIO"] * factor)
    c.add(
        line2 & w["instrumental"],
        birth_h,
        2,
        "ZH_KUNSTVERLOSSING",
        PHASE_BIRTH,
        bd,
        bd + stay,
        t["ZH_KUNSTVERLOSSING"] * factor,
    )
    spont = line2 & ~cs & ~w["instrumental"]
    c.add(
        spont,
        birth_h,
        2,
        "ZH_BEVALLING_VAGINAAL",
        PHASE_BIRTH,
        bd,
        bd + stay,
        t["ZH_BEVALLING_VAGINAAL"] * factor,
    )
    c.add(
        line2 & w["induced"],
        birth_h,
        2,
        "ZH_INDUCTIE",
        PHASE_BIRTH,
        bd - 1,
        bd,
        t["ZH_INDUCTIE"] * factor,
    )
    c.add(
        line2 & w["epidural"],
        birth_h,
        2,
        "ZH_EPIDURAAL",
        PHASE_BIRTH,
        bd,
        bd,
        t["ZH_EPIDURAAL"] * factor,
    )
    admit = line2 & (
        cs
        | w["pph"]
        | w["preterm"]
        | w["multiple"]
        | (w["instrumental"] & (rng.random(n) < 0.5))
        | (rng.random(n) < 0.12)
    )
    los = np.where(cs, 3, 2)
    c.add(
        admit,
        birth_h,
        2,
        "ZH_KRAAMBED_OPNAME",
        PHASE_POSTPARTUM,
        bd,
        bd + los,
        t["ZH_KRAAMBED_OPNAME"] * factor,
    )
    poli = line1 & (w["actual_place"] == 3)
    c.add(
        poli,
        reg_h,
        2,
        "ZH_POLIKLINISCH",
        PHASE_BIRTH,
        bd,
        bd,
        t["ZH_POLIKLINISCH"] * orgs.tariff_factor[w["hospital"]],
    )
    pp = line1 & w["referral_postpartum"] & (w["referral_postpartum_reason"] != 4)
    c.add(
        pp,
        reg_h,
        2,
        "ZH_KRAAMBED_OPNAME",
        PHASE_POSTPARTUM,
        bd,
        bd + 1,
        t["ZH_KRAAMBED_OPNAME"] * orgs.tariff_factor[w["hospital"]],
    )

    # Neonatology: one claim per NICU baby, at a NICU hospital below 32 weeks.
    nb = b["nicu"] & born[b["woman"]]
    wb = b["woman"]
    ga = b["ga"]
    nicu_pos = np.flatnonzero(orgs.nicu)
    hb = w["birth_hospital"][wb]
    to_nicu = (ga < 224) & ~orgs.nicu[hb]
    nicu_h = np.where(to_nicu, nicu_pos[rng.integers(0, len(nicu_pos), len(wb))], hb)
    days = np.select([ga < 196, ga < 224, ga < 238, ga < 259], [60, 35, 18, 9], default=4)
    days = np.maximum(1, np.round(days * rng.lognormal(0, 0.3, len(wb)))).astype(int)
    amount = (
        np.where(ga >= 259, t["ZH_NEONATOLOGIE_TERM"], days * t["ZH_NEONATOLOGIE_PER_DAY"])
        * orgs.tariff_factor[nicu_h]
    )
    rows = np.flatnonzero(nb)
    if len(rows):
        c.blocks.append(
            {
                "woman": wb[rows],
                "provider": hosp_ids[nicu_h[rows]],
                "lijn": 2,
                "product": "ZH_NEONATOLOGIE",
                "phase": PHASE_POSTPARTUM,
                "begin": bd[wb[rows]],
                "end": bd[wb[rows]] + days[rows],
                "amount": amount[rows],
            }
        )

    woman = np.concatenate([blk["woman"] for blk in c.blocks])
    frame = {
        "zwangerschap_id": pregnancy_ids[woman],
        "zorgaanbieder_id": np.concatenate([blk["provider"] for blk in c.blocks]),
        "lijn": np.concatenate(
            [np.full(len(blk["woman"]), blk["lijn"], dtype=np.int8) for blk in c.blocks]
        ),
        "zorgproduct": np.concatenate(
            [np.full(len(blk["woman"]), blk["product"]) for blk in c.blocks]
        ),
        "zorgfase": np.concatenate([np.full(len(blk["woman"]), blk["phase"]) for blk in c.blocks]),
        "datum_begin": np.concatenate([blk["begin"] for blk in c.blocks]),
        "datum_eind": np.concatenate([blk["end"] for blk in c.blocks]),
        "tarief": np.round(np.concatenate([blk["amount"] for blk in c.blocks]), 2),
    }
    # Claims for pregnancy ids that are in no Perined source (~0.5% of claims).
    share = params["linkage"]["claims_unknown_pregnancy"]
    n_ghost = min(len(ghost_ids), int(round(len(woman) * share / (1 - share))))
    if n_ghost:
        start = np.datetime64(f"{years[0]}-01-01")
        span = (np.datetime64(f"{years[1]}-12-31") - start).astype(int)
        gb = start + rng.integers(0, span - 60, n_ghost)
        is_h = rng.random(n_ghost) < 0.5
        prov = np.where(
            is_h,
            hosp_ids[rng.integers(0, len(hosp_ids), n_ghost)],
            orgs.practice_ids[rng.integers(0, len(orgs.practice_ids), n_ghost)],
        )
        ghost = {
            "zwangerschap_id": ghost_ids[:n_ghost],
            "zorgaanbieder_id": prov,
            "lijn": np.where(is_h, 2, 1).astype(np.int8),
            "zorgproduct": np.where(is_h, "ZH_ZWANGERSCHAP", "VERL_PRENATAAL_DEEL"),
            "zorgfase": np.full(n_ghost, PHASE_PREGNANCY),
            "datum_begin": gb,
            "datum_eind": gb + rng.integers(10, 60, n_ghost),
            "tarief": np.where(is_h, t["ZH_ZWANGERSCHAP"], t["VERL_PRENATAAL_DEEL"]).astype(float),
        }
        frame = {k: np.concatenate([frame[k], ghost[k]]) for k in frame}
    total = len(frame["zwangerschap_id"])
    order = np.lexsort((frame["datum_begin"], frame["zwangerschap_id"]))
    out = pd.DataFrame({k: v[order] for k, v in frame.items()})
    out.insert(
        0,
        "declaratie_id",
        pd.Series(np.arange(1, total + 1)).astype("str").str.zfill(8).radd("D").to_numpy(),
    )
    for col in ("declaratie_id", "zwangerschap_id", "zorgaanbieder_id", "zorgproduct", "zorgfase"):
        out[col] = out[col].astype("str")
    out["lijn"] = out["lijn"].astype("Int64")
    return out, n_ghost


def _region_practice(
    rng: np.random.Generator, hospital: np.ndarray, orgs: Organisations
) -> np.ndarray:
    """A random practice of the woman's region (postnatal care after a second-line start)."""
    counts = np.bincount(orgs.practice_hospital, minlength=len(orgs.hospital_ids))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return (starts[hospital] + np.floor(rng.random(len(hospital)) * counts[hospital])).astype(int)
