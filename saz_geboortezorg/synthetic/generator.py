"""Generate a synthetic dataset: :func:`generate` and :class:`SyntheticData`.

The stages run in a fixed order, each with its own random stream derived from the
seed (``numpy.random.default_rng([seed, stage])``), so a dataset is reproducible for
a seed and a change in one stage does not reshuffle the others:

organisations -> effects -> population -> pregnancy -> birth weights -> labour ->
neonatal -> care path -> registration -> extracts -> claims -> truth.

Examples
--------
>>> data = generate(births=1_500, seed=7, years=(2022, 2022), hospitals=4, practices=9)
>>> data.organisaties.shape[0]
13
>>> sorted(data.frames())
['dbc_declaraties', 'organisaties', 'perined_lvr1', 'perined_lvr2']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from saz_geboortezorg import schema
from saz_geboortezorg.errors import SazError
from saz_geboortezorg.memory import with_small_pages
from saz_geboortezorg.progress import step as progress_step
from saz_geboortezorg.progress import with_progress
from saz_geboortezorg.synthetic import carepath, claims, extracts, labour, neonatal, pregnancy
from saz_geboortezorg.synthetic import params as params_mod
from saz_geboortezorg.synthetic.models import hospital_effects
from saz_geboortezorg.synthetic.organisations import make_organisations
from saz_geboortezorg.synthetic.population import draw_population
from saz_geboortezorg.synthetic.registration import mark_moved, register
from saz_geboortezorg.synthetic.truth import build_truth

__all__ = ["generate", "SyntheticData", "check_arguments", "FORMATS"]

#: Output formats of :meth:`SyntheticData.write`.
FORMATS = ("csv", "parquet")
_SOURCES = ("organisaties", "perined_lvr1", "perined_lvr2", "dbc_declaraties")


@dataclass
class SyntheticData:
    """Four extracts shaped like ``schema/extracts.yaml`` plus the truth.

    Attributes
    ----------
    organisaties, perined_lvr1, perined_lvr2, dbc_declaraties : DataFrame
    truth : dict
        JSON-serialisable; see :mod:`saz_geboortezorg.synthetic.truth`.
    """

    organisaties: pd.DataFrame
    perined_lvr1: pd.DataFrame
    perined_lvr2: pd.DataFrame
    dbc_declaraties: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The extracts by source name."""
        return {s: getattr(self, s) for s in _SOURCES}

    def write(self, out_dir: str | Path, format: str = "csv") -> dict[str, Path]:  # noqa: A002
        """Write ``<file>.csv`` (or ``.parquet``) per source and ``truth.json``.

        File names come from ``schema/extracts.yaml``. Dates are written as
        yyyy-mm-dd, empty values as empty fields (CSV) or nulls (Parquet).

        Returns
        -------
        dict of Path
            The written files by source name (and ``truth``).

        Examples
        --------
        >>> import tempfile
        >>> paths = generate(births=500, seed=1).write(tempfile.mkdtemp(), format="csv")
        >>> sorted(p.name for p in paths.values())[-1]
        'truth.json'
        """

        if format not in FORMATS:
            raise SazError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SazError(f"cannot create the output folder {out}: {exc}") from None
        written: dict[str, Path] = {}
        for source, frame in self.frames().items():
            path = out / f"{schema.source(source)['file']}.{format}"
            progress_step("synth", f"writing {path.name}")
            if format == "csv":
                _write_csv(frame, path)
            else:
                frame.to_parquet(path, index=False)
            written[source] = path
        path = out / "truth.json"
        path.write_text(json.dumps(self.truth, indent=1, ensure_ascii=False), encoding="utf-8")
        written["truth"] = path
        return written


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV through pyarrow (several times faster than pandas): dates as yyyy-mm-dd,
    whole numbers without decimals, empty fields for missing values, UTF-8."""

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.date32()))
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def check_arguments(
    births: int, years: tuple[int, int], hospitals: int, practices: int
) -> tuple[int, int]:
    """Validate the generator's arguments; raise :class:`SazError` with a clear message.

    Examples
    --------
    >>> check_arguments(100, (2021, 2023), 17, 72)
    (2021, 2023)
    >>> check_arguments(0, (2021, 2023), 17, 72)
    Traceback (most recent call last):
    ...
    saz_geboortezorg.errors.SazError: births must be a positive whole number, got 0
    """
    if isinstance(births, bool) or not isinstance(births, int | np.integer) or births <= 0:
        raise SazError(f"births must be a positive whole number, got {births!r}")
    try:
        y0, y1 = (int(y) for y in years)
    except (TypeError, ValueError):
        raise SazError(f"years must be two years (first, last), got {years!r}") from None
    if y0 > y1:
        raise SazError(f"years are reversed: first year {y0} is after last year {y1}")
    if y0 < 1990 or y1 > 2100:
        raise SazError(f"years must lie between 1990 and 2100, got {y0}-{y1}")
    if not isinstance(hospitals, int | np.integer) or hospitals < 1:
        raise SazError(f"hospitals must be at least 1, got {hospitals!r}")
    if not isinstance(practices, int | np.integer) or practices < hospitals:
        raise SazError(
            f"practices ({practices}) must be at least the number of hospitals ({hospitals}): "
            "every region needs a midwifery practice"
        )
    return y0, y1


def _initiative_start(years: tuple[int, int]) -> str:
    start = np.datetime64(f"{years[0]}-01-01")
    end = np.datetime64(f"{years[1] + 1}-01-01")
    mid = start + (end - start) // 2
    return str(mid.astype("datetime64[M]").astype("datetime64[D]"))


def _place_initiatives(
    rng, specs: list[dict], sizes: np.ndarray, outliers: list[dict], years
) -> list[dict]:
    h = len(sizes)
    large = list(rng.permutation(np.argsort(-sizes, kind="stable")[: max(1, (h + 1) // 2)]))
    taken = {o["hospital"] for o in outliers}
    free = [k for k in large if k not in taken] or large
    start = _initiative_start(years)
    return [
        {**s, "hospital": int(free[i % len(free)]), "start_date": start}
        for i, s in enumerate(specs)
    ]


def _rates(w: dict, b: dict) -> dict[str, float]:
    born = ~w["moved"]
    vag = born & w["vaginal"]
    lab = born & w["labouring"]
    r1 = (
        born
        & w["nulliparous"]
        & ~w["multiple"]
        & (w["presentation"] == 1)
        & (w["ga"] >= 259)
        & (w["onset"] == 1)
    )
    bb = born[b["woman"]]
    first = w["start_line"] == 1
    lab1 = born & first & ~w["referral_pregnancy"]
    pct = lambda num, den: round(100.0 * float(num[den].mean()), 3) if den.any() else float("nan")  # noqa: E731
    return {
        "caesarean_pct": pct(w["caesarean"], born),
        "caesarean_robson1_pct": pct(w["caesarean"], r1),
        "prelabour_cs_pct": pct(w["prelabour_cs"], born),
        "induction_pct": pct(w["induced"], born),
        "instrumental_nulliparae_pct": pct(w["instrumental"], born & w["nulliparous"]),
        "instrumental_multiparae_pct": pct(w["instrumental"], born & ~w["nulliparous"]),
        "epidural_labouring_pct": pct(w["epidural"], lab),
        "epidural_nulliparae_pct": pct(w["epidural"], born & w["nulliparous"]),
        "epidural_multiparae_pct": pct(w["epidural"], born & ~w["nulliparous"]),
        "episiotomy_vaginal_pct": pct(w["episiotomy"], vag),
        "oasis_vaginal_pct": pct(w["oasis"], vag),
        "pph_pct": pct(w["pph"], born),
        "home_birth_pct": pct(w["actual_place"] == 1, born),
        "birth_centre_pct": pct(w["actual_place"] == 2, born),
        "poliklinisch_pct": pct((w["actual_place"] == 3) & (w["line_at_birth"] == 1), born),
        "second_line_birth_pct": pct(w["line_at_birth"] == 2, born),
        "start_first_line_pct": pct(w["start_line"] == 1, born),
        "referral_pregnancy_nulliparae_pct": pct(
            w["referral_pregnancy"], born & first & w["nulliparous"]
        ),
        "referral_labour_nulliparae_pct": pct(w["referral_labour"], lab1 & w["nulliparous"]),
        "referral_labour_multiparae_pct": pct(w["referral_labour"], lab1 & ~w["nulliparous"]),
        "referral_labour_pct": pct(w["referral_labour"], lab1),
        "preterm_pct": pct(w["preterm"], born),
        "multiple_pct": pct(w["multiple"], born),
        "sga_pct": pct(b["sga"], bb),
        "perinatal_mortality_per_1000": round(10 * pct(b["death"], bb), 3),
        "low_apgar_term_per_1000": round(
            10 * pct(b["low_apgar"], bb & (b["ga"] >= 259) & (b["death_phase"] == 0)), 3
        ),
        "nicu_term_per_1000": round(10 * pct(b["nicu"], bb & (b["ga"] >= 259)), 3),
        "congenital_anomaly_pct": pct(b["congenital_anomaly"], bb),
    }


@with_small_pages
@with_progress("generate", total=7)
def generate(
    births: int = 60_000,
    seed: int = 2024,
    years: tuple[int, int] = (2021, 2023),
    hospitals: int = 17,
    practices: int = 72,
    progress: bool | None = None,
) -> SyntheticData:
    """Generate synthetic Perined LVR-1, LVR-2 and DBC extracts with a known truth.

    Parameters
    ----------
    births : int
        Number of pregnancies with a birth (twins count once, so babies are ~1.5%
        more). About 1% more first-line pregnancies without a birth (moved away) are
        added on top, as LVR-1 records only.
    seed : int
        Random seed; the same seed and arguments give identical data.
    years : (int, int)
        First and last calendar year of birth (inclusive).
    hospitals : int
        Number of hospitals, each the centre of one region.
    practices : int
        Number of midwifery practices (at least ``hospitals``).
    progress : bool or None
        Show a progress bar of the stages, with counts and the elapsed time. None
        (default): in a terminal or notebook only (:mod:`saz_geboortezorg.progress`).

    Returns
    -------
    SyntheticData

    Raises
    ------
    SazError
        For invalid arguments (births <= 0, years reversed, practices < hospitals).

    Examples
    --------
    >>> data = generate(births=3_000, seed=2024)
    >>> data.truth["births"], data.truth["seed"]
    (3000, 2024)
    >>> set(data.perined_lvr2["ziekenhuis_id"]) <= set(data.organisaties["organisatie_id"])
    True
    """
    years = check_arguments(births, years, hospitals, practices)
    births, hospitals, practices, seed = int(births), int(hospitals), int(practices), int(seed)
    say = lambda stage: progress_step("generate", stage)  # noqa: E731
    params = params_mod.load()
    rng = lambda stage: np.random.default_rng([seed, stage])  # noqa: E731

    say(f"organisations: {hospitals} hospitals, {practices} practices")
    orgs = make_organisations(rng(1), hospitals, practices, params)
    sizes = orgs.region_share
    effects, outliers = hospital_effects(rng(2), params["models"], params["outliers"], sizes)
    initiatives = _place_initiatives(rng(3), params["initiatives"], sizes, outliers, years)
    practice_effect = rng(4).normal(0.0, params["care_path"]["practice_referral_sd"], practices)

    n_moved = int(round(births * 0.88 * params["linkage"]["lvr1_no_birth"]))
    n = births + n_moved
    say(f"population: {n:,} pregnancies ({births:,} with a birth)")
    w = draw_population(rng(10), n, years, orgs, params)
    say("pregnancy, labour and babies")
    pregnancy.draw_pregnancy(rng(11), w, orgs, params, effects)
    pregnancy.draw_previous_cs_count(rng(21), w, params)
    b = neonatal.draw_birth_weights(rng(12), w)
    labour.draw_labour(rng(13), w, params, effects, initiatives)
    labour.draw_baby_modes(rng(20), w, b, params)
    neonatal.draw_neonatal(rng(14), w, b, params, effects)
    say(f"care path and registration of {len(b['woman']):,} babies")
    carepath.draw_care_path(rng(15), w, b, orgs, params, practice_effect)
    w["moved"] = mark_moved(rng(16), w, n_moved)
    register(rng(17), w, b, orgs, params)
    say("extracts")

    # Pseudonymous ids: a random permutation of 8-digit numbers (ZW + number).
    n_ghost_max = int(n * 0.1) + 10
    numbers = rng(18).permutation(n + n_ghost_max) + 10_000_000
    ids, ghost_ids = numbers[:n], numbers[n:]
    lvr1 = extracts.lvr1_frame(w, orgs, ids)
    lvr2 = extracts.lvr2_frame(w, b, orgs, ids)
    say(f"claims (LVR-1 {len(lvr1):,} rows, LVR-2 {len(lvr2):,} rows)")
    dbc, claim_counts = claims.draw_claims(rng(19), w, b, orgs, params, ids, ghost_ids, years)
    say(f"truth ({len(dbc):,} claims drawn)")

    born_babies = int((~w["moved"][b["woman"]]).sum())
    linkage = {
        "lvr1_records": len(lvr1),
        "lvr1_no_birth_moved_away": int(w["moved"].sum()),
        "lvr1_first_line_births": int(((w["line_at_birth"] == 1) & ~w["moved"]).sum()),
        "lvr1_with_lvr2_birth": int(
            ((w["start_line"] == 1) & (w["line_at_birth"] == 2) & ~w["moved"]).sum()
        ),
        "lvr2_records": len(lvr2),
        "lvr2_pregnancies": int(((w["line_at_birth"] == 2) & ~w["moved"]).sum()),
        "lvr2_only_second_line_start": int(((w["start_line"] == 2) & ~w["moved"]).sum()),
        "claims": len(dbc),
        **claim_counts,
    }
    truth = build_truth(
        seed=seed,
        births=births,
        babies=born_babies,
        years=years,
        orgs=orgs,
        params=params,
        effects=effects,
        outliers=outliers,
        initiatives=initiatives,
        practice_effect=practice_effect,
        linkage=linkage,
        rates=_rates(w, b),
    )
    return SyntheticData(orgs.frame, lvr1, lvr2, dbc, truth)
