"""Claims (``dbc_declaraties``) that follow the care path.

Midwifery practice (first line): full care (``VERL_VOLLEDIG``, deprived-area tariff
in SES quintile 1) for a first-line birth; otherwise partial antenatal care up to the
referral in pregnancy, or antenatal plus natal care when referred during labour, and
postnatal care after most births. Hospital (second line): antenatal care from the
referral (or booking), one birth product (vaginal, instrumental, caesarean), induction,
epidural, postpartum admission, a poliklinisch birth without medical indication, and
one neonatology claim per NICU baby (tariff by length of stay). A small share of
births has no claim at all (``linkage.pregnancies_without_claims``). Hospital tariffs
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
from saz_geboortezorg.synthetic.strings import labels, prefixed

#: Longest neonatal intensive care stay the generator draws (days); without a cap the
#: log-normal tail gives implausible stays (and claims) in runs of a million births.
MAX_NICU_DAYS = 180

__all__ = ["draw_claims", "PHASE_PREGNANCY", "PHASE_BIRTH", "PHASE_POSTPARTUM", "PRODUCTS"]

PHASE_PREGNANCY, PHASE_BIRTH, PHASE_POSTPARTUM = "zwangerschap", "baring", "kraambed"
_PHASES = [PHASE_PREGNANCY, PHASE_BIRTH, PHASE_POSTPARTUM]
#: Care products in the order of their internal codes.
PRODUCTS = [
    "VERL_VOLLEDIG", "VERL_PRENATAAL_DEEL", "VERL_NATAAL", "VERL_POSTNATAAL", "ZH_ZWANGERSCHAP",
    "ZH_POLIKLINISCH", "ZH_BEVALLING_VAGINAAL", "ZH_KUNSTVERLOSSING", "ZH_SECTIO", "ZH_INDUCTIE",
    "ZH_EPIDURAAL", "ZH_KRAAMBED_OPNAME", "ZH_NEONATOLOGIE",
]  # fmt: skip


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
                "product": PRODUCTS.index(product),
                "phase": _PHASES.index(phase),
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
    id_numbers: np.ndarray,
    ghost_numbers: np.ndarray,
    years: tuple[int, int],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Build the claims extract.

    Providers are coded as organisation positions (hospitals first, then practices)
    and pregnancies by their id number until the very end, so sorting and string
    building stay vectorised.

    Returns
    -------
    claims : DataFrame
        The ``dbc_declaraties`` extract, sorted by pregnancy id and start date.
    counts : dict
        ``claims_unknown_pregnancy``, ``claims_pregnancy_without_birth`` and
        ``pregnancies_without_claims`` (births whose claims are all left out).
    """
    t = params["tariffs"]
    n = len(w["age"])
    c = _Claims()
    c.n = n
    moved = w["moved"]
    born = ~moved
    first = w["start_line"] == 1
    n_h = len(orgs.hospital_ids)
    org_ids = np.concatenate([orgs.hospital_ids, orgs.practice_ids])
    prac = n_h + np.maximum(w["practice"], 0).astype(np.int32)
    reg_h = w["hospital"].astype(np.int32)
    birth_h = w["birth_hospital"].astype(np.int32)
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
    post_prac = np.where(first, prac, n_h + _region_practice(rng, w["hospital"], orgs))
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

    # Neonatology: one claim per NICU baby (length of stay capped at MAX_NICU_DAYS), at a NICU hospital below 32 weeks.
    nb = b["nicu"] & born[b["woman"]]
    wb = b["woman"]
    ga = b["ga"]
    nicu_pos = np.flatnonzero(orgs.nicu)
    hb = w["birth_hospital"][wb]
    to_nicu = (ga < 224) & ~orgs.nicu[hb]
    nicu_h = np.where(to_nicu, nicu_pos[rng.integers(0, len(nicu_pos), len(wb))], hb)
    days = np.select([ga < 196, ga < 224, ga < 238, ga < 259], [60, 35, 18, 9], default=4)
    days = np.round(days * rng.lognormal(0, 0.3, len(wb)))
    days = np.clip(days, 1, MAX_NICU_DAYS).astype(int)
    amount = (
        np.where(ga >= 259, t["ZH_NEONATOLOGIE_TERM"], days * t["ZH_NEONATOLOGIE_PER_DAY"])
        * orgs.tariff_factor[nicu_h]
    )
    rows = np.flatnonzero(nb)
    if len(rows):
        c.blocks.append(
            {
                "woman": wb[rows],
                "provider": nicu_h[rows].astype(np.int32),
                "lijn": 2,
                "product": PRODUCTS.index("ZH_NEONATOLOGIE"),
                "phase": _PHASES.index(PHASE_POSTPARTUM),
                "begin": bd[wb[rows]],
                "end": bd[wb[rows]] + days[rows],
                "amount": amount[rows],
            }
        )

    woman = np.concatenate([blk["woman"] for blk in c.blocks])
    sizes = [len(blk["woman"]) for blk in c.blocks]
    counts = {"claims_pregnancy_without_birth": int(moved[woman].sum())}
    # Claims for pregnancy ids that are in no Perined source (~0.5% of claims).
    share = params["linkage"]["claims_unknown_pregnancy"]
    n_ghost = min(len(ghost_numbers), int(round(len(woman) * share / (1 - share))))
    ghost = _ghost_claims(rng, n_ghost, ghost_numbers, n_h, len(orgs.practice_ids), t, years)
    counts["claims_unknown_pregnancy"] = n_ghost
    # Every column in one concatenation: the blocks, then the ghost claims.
    blocks, c.blocks = c.blocks, []
    frame = {
        "number": np.concatenate([id_numbers[woman], ghost["number"]]),
        "provider": np.concatenate(
            [
                np.concatenate([blk["provider"] for blk in blocks]).astype(np.int32),
                ghost["provider"],
            ]
        ),
        **{
            k: np.concatenate(
                [np.repeat([blk[k] for blk in blocks], sizes).astype(np.int8), ghost[k]]
            )
            for k in ("lijn", "product", "phase")
        },
        "begin": np.concatenate([blk["begin"] for blk in blocks] + [ghost["begin"]]),
        "end": np.concatenate([blk["end"] for blk in blocks] + [ghost["end"]]),
        "amount": np.concatenate(
            [np.round(blk["amount"], 2) for blk in blocks] + [ghost["amount"]]
        ),
    }
    del blocks
    # Births without any claim in the extract (drawn last: the other claims stay as they are).
    unclaimed = born & (rng.random(n) < params["linkage"]["pregnancies_without_claims"])
    keep = np.concatenate([~unclaimed[woman], np.ones(n_ghost, dtype=bool)])
    counts["pregnancies_without_claims"] = int(unclaimed.sum())
    order = _sorted_rows(keep, frame["number"], frame["begin"])
    f = {k: v[order] for k, v in frame.items()}
    del frame
    total = len(order)
    out = pd.DataFrame(
        {
            "declaratie_id": prefixed("D", 10_000_000 + np.arange(1, total + 1)),
            "zwangerschap_id": prefixed("ZW", f["number"]),
            "zorgaanbieder_id": labels(f["provider"], list(org_ids)),
            "lijn": pd.array(f["lijn"].astype(np.int64), dtype="Int64"),
            "zorgproduct": labels(f["product"], PRODUCTS),
            "zorgfase": labels(f["phase"], _PHASES),
            "datum_begin": f["begin"],
            "datum_eind": f["end"],
            "tarief": f["amount"],
        },
        copy=False,  # every column is a fresh array
    )
    return out, counts


def _ghost_claims(
    rng: np.random.Generator,
    n_ghost: int,
    ghost_numbers: np.ndarray,
    n_h: int,
    n_practices: int,
    t: dict,
    years: tuple[int, int],
) -> dict[str, np.ndarray]:
    """Claims for pregnancy ids that are in no Perined source (empty arrays if none)."""
    if not n_ghost:
        empty = np.zeros(0, dtype=np.int8)
        return {
            "number": ghost_numbers[:0],
            "provider": np.zeros(0, dtype=np.int32),
            **{k: empty for k in ("lijn", "product", "phase")},
            "begin": np.zeros(0, dtype="datetime64[D]"),
            "end": np.zeros(0, dtype="datetime64[D]"),
            "amount": np.zeros(0, dtype=float),
        }
    start = np.datetime64(f"{years[0]}-01-01")
    span = int((np.datetime64(f"{years[1]}-12-31") - start).astype(int))
    gb = start + rng.integers(0, max(span - 60, 1), n_ghost)
    is_h = rng.random(n_ghost) < 0.5
    prov = np.where(
        is_h,
        rng.integers(0, n_h, n_ghost),
        n_h + rng.integers(0, n_practices, n_ghost),
    )
    return {
        "number": ghost_numbers[:n_ghost],
        "provider": prov.astype(np.int32),
        "lijn": np.where(is_h, 2, 1).astype(np.int8),
        "product": np.where(
            is_h, PRODUCTS.index("ZH_ZWANGERSCHAP"), PRODUCTS.index("VERL_PRENATAAL_DEEL")
        ).astype(np.int8),
        "phase": np.full(n_ghost, _PHASES.index(PHASE_PREGNANCY), dtype=np.int8),
        "begin": gb,
        "end": gb + rng.integers(10, 60, n_ghost),
        "amount": np.where(is_h, t["ZH_ZWANGERSCHAP"], t["VERL_PRENATAAL_DEEL"]).astype(float),
    }


def _sorted_rows(keep: np.ndarray, number: np.ndarray, begin: np.ndarray) -> np.ndarray:
    """The kept rows, by pregnancy number and then start date (ties in their order).

    The same order as ``np.lexsort((begin, number))`` of the kept rows, from one sort of
    a combined integer key made unique by the row's position (numpy's quicksort is
    vectorised: several times faster than ``lexsort`` or a stable sort).

    Examples
    --------
    >>> keep = np.array([True, True, False, True, True])
    >>> number = np.array([7, 3, 1, 7, 3])
    >>> begin = np.array(["2023-05-01", "2023-02-01", "2023-01-01", "2023-04-01",
    ...                   "2023-02-01"], dtype="datetime64[D]")
    >>> _sorted_rows(keep, number, begin).tolist()
    [1, 4, 3, 0]
    """
    rows = np.flatnonzero(keep)
    number, begin = number[rows], begin[rows]
    m = len(rows)
    if m and not np.isnat(begin).any():
        day = begin.astype(np.int64)
        day -= day.min()
        num = number.astype(np.int64)
        num -= num.min()
        span = int(day.max()) + 1
        if (int(num.max()) + 1) * span < (2**63 - 1) // m:
            key = (num * span + day) * m + np.arange(m)
            return rows[np.argsort(key)]
    return rows[np.lexsort((begin, number))]


def _region_practice(
    rng: np.random.Generator, hospital: np.ndarray, orgs: Organisations
) -> np.ndarray:
    """A random practice of the woman's region (postnatal care after a second-line start)."""
    counts = np.bincount(orgs.practice_hospital, minlength=len(orgs.hospital_ids))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return (starts[hospital] + np.floor(rng.random(len(hospital)) * counts[hospital])).astype(int)
