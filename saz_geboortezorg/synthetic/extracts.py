"""Shape the simulated arrays into the Perined extracts of ``schema/extracts.yaml``.

``perined_lvr1``: one row per pregnancy that started with a midwife; birth items only
when the midwife was responsible at birth. ``perined_lvr2``: one row per baby born
under second-line responsibility. Both repeat the maternal items, with the same
registered values (missing BMI, unknown SES or background are the same in both).

Examples
--------
>>> nullable_int(np.array([1, 2]), np.array([True, False])).tolist()
[1, <NA>]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from saz_geboortezorg import schema
from saz_geboortezorg.synthetic.labour import MODE_CODES
from saz_geboortezorg.synthetic.organisations import Organisations
from saz_geboortezorg.synthetic.strings import labels, prefixed

__all__ = ["nullable_int", "lvr1_frame", "lvr2_frame"]


def nullable_int(values: np.ndarray, keep: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """An ``Int64`` array with NA where ``keep`` is False."""
    values = np.asarray(values).astype(np.int64)
    mask = np.zeros(len(values), dtype=bool) if keep is None else ~np.asarray(keep, dtype=bool)
    return pd.arrays.IntegerArray(np.where(mask, 0, values), mask)


def _ordered(columns: dict[str, object], source: str) -> pd.DataFrame:
    """A frame of ``columns`` in the order of ``schema/extracts.yaml`` (built in that
    order, rather than built and then reordered, which copies every column)."""

    return pd.DataFrame({c: columns[c] for c in schema.source(source)["columns"]}, copy=False)


def _modes(mode: np.ndarray, keep: np.ndarray | None) -> pd.Series:
    """type_partus codes as strings (missing where ``keep`` is False)."""
    out = pd.Series(labels(mode, list(MODE_CODES)))
    return out if keep is None else out.where(keep)


def _float(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return np.where(keep, values, np.nan)


def _maternal(w: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, object]:
    """Maternal items as registered (shared by LVR-1 and LVR-2)."""
    return {
        "leeftijd_moeder": nullable_int(w["age"][rows]),
        "pariteit": nullable_int(w["parity"][rows]),
        "eerdere_sectio": nullable_int(w["previous_cs"][rows]),
        "aantal_eerdere_sectio": nullable_int(
            w["n_previous_cs"][rows], w["n_previous_cs_known"][rows]
        ),
        "ses_kwintiel": nullable_int(w["ses_registered"][rows]),
        "migratieachtergrond": nullable_int(w["migration_registered"][rows]),
        "bmi": _float(w["bmi"][rows], w["bmi_known"][rows]),
        "roken": nullable_int(w["smoker"][rows], w["smoking_known"][rows]),
    }


def lvr1_frame(w: dict[str, np.ndarray], orgs: Organisations, ids: np.ndarray) -> pd.DataFrame:
    """The LVR-1 extract (first line), one row per pregnancy that started with a midwife."""
    rows = np.flatnonzero(w["start_line"] == 1)
    rows = rows[np.argsort(ids[rows], kind="stable")]
    born1 = (w["line_at_birth"][rows] == 1) & ~w["moved"][rows]
    moved = w["moved"][rows]
    g = lambda k: w[k][rows]  # noqa: E731
    ref_p, ref_l, ref_pp = g("referral_pregnancy"), g("referral_labour"), g("referral_postpartum")
    eind = np.where(g("line_at_birth") == 1, 1, 2)
    lab = g("labouring")
    out = {
        "zwangerschap_id": prefixed("ZW", ids[rows]),
        "praktijk_id": labels(g("practice"), list(orgs.practice_ids)),
        "ziekenhuis_id": labels(g("hospital"), list(orgs.hospital_ids)),
        **_maternal(w, rows),
        "aantal_foetussen": nullable_int(g("n_fetuses")),
        "datum_eerste_consult": g("booking_date"),
        "zwangerschapsduur_eerste_consult": nullable_int(g("ga_booking")),
        "conclusie_risicostatus_na_intake": nullable_int(g("risk_booking")),
        "verwijzing_zwangerschap": nullable_int(ref_p),
        "datum_verwijzing_zwangerschap": np.where(
            ref_p, g("referral_pregnancy_date"), np.datetime64("NaT")
        ),
        "reden_verwijzing_zwangerschap": nullable_int(g("referral_pregnancy_reason"), ref_p),
        "voorgenomen_plaats_baring": nullable_int(g("intended_place")),
        "risicostatus_voor_baring": nullable_int(g("risk_before_labour")),
        "verwijzing_durante_partu": nullable_int(ref_l),
        "reden_verwijzing_durante_partu": nullable_int(g("referral_labour_reason"), ref_l),
        "eindverantwoordelijke_baring": nullable_int(eind, ~moved),
        "verwijzing_postpartum": nullable_int(ref_pp),
        "reden_verwijzing_postpartum": nullable_int(g("referral_postpartum_reason"), ref_pp),
        "datum_baring": np.where(born1, g("birth_date"), np.datetime64("NaT")),
        "kind_rangnummer": nullable_int(np.ones(len(rows)), born1),
        "zwangerschapsduur": nullable_int(g("ga"), born1),
        "geboortegewicht": nullable_int(g("weight1"), born1),
        "geslacht": nullable_int(g("sex1"), born1),
        "ligging_bij_geboorte": nullable_int(g("presentation"), born1),
        "wijze_begin_baring": nullable_int(g("onset"), born1),
        "type_partus": _modes(g("mode"), born1),
        "werkelijke_plaats_baring": nullable_int(g("actual_place"), born1),
        "pijnbestrijding": nullable_int(g("pain_relief"), born1),
        "pijnbestrijding_methode": nullable_int(g("pain_relief_method"), born1 & g("pain_relief")),
        "ruggenprik_gewenst_niet_gekregen": nullable_int(
            g("epidural_wanted_not_received"), born1 & lab & g("want_known")
        ),
        "episiotomie": nullable_int(g("episiotomy"), born1 & g("vaginal")),
        "conditie_perineum": nullable_int(g("perineum"), born1 & g("vaginal")),
        "bloedverlies": nullable_int(g("blood_loss"), born1 & g("blood_loss_known")),
        "apgar_5": nullable_int(g("apgar1"), born1 & g("apgar1_known")),
        "perinatale_sterfte": nullable_int(g("death1"), born1),
        "fase_perinatale_sterfte": nullable_int(g("death_phase1"), born1 & g("death1")),
        "congenitale_afwijking": nullable_int(g("anomaly1"), born1),
        "nicu_opname": nullable_int(g("nicu1"), born1),
    }
    return _ordered(out, "perined_lvr1")


def lvr2_frame(
    w: dict[str, np.ndarray], b: dict[str, np.ndarray], orgs: Organisations, ids: np.ndarray
) -> pd.DataFrame:
    """The LVR-2 extract (second line), one row per baby."""
    wb = b["woman"]
    keep = (w["line_at_birth"][wb] == 2) & ~w["moved"][wb]
    brow = np.flatnonzero(keep)
    brow = brow[np.lexsort((b["order"][brow], ids[wb[brow]]))]
    rows = wb[brow]
    g = lambda k: w[k][rows]  # noqa: E731
    gb = lambda k: b[k][brow]  # noqa: E731
    vaginal = g("vaginal")
    lab = g("labouring")
    prelabour = g("prelabour_cs")
    death = gb("death")
    out = {
        "zwangerschap_id": prefixed("ZW", ids[rows]),
        "kind_rangnummer": nullable_int(gb("order")),
        "ziekenhuis_id": labels(g("birth_hospital"), list(orgs.hospital_ids)),
        "ziekenhuis_aanvang_zorg": labels(g("hospital"), list(orgs.hospital_ids)),
        **_maternal(w, rows),
        "aantal_geboren_kinderen": nullable_int(g("n_fetuses")),
        "voorgenomen_plaats_baring": nullable_int(g("intended_place")),
        "risicostatus_voor_baring": nullable_int(g("risk_before_labour")),
        "datum_baring": g("birth_date"),
        "zwangerschapsduur": nullable_int(gb("ga"), gb("ga_known")),
        "geboortegewicht": nullable_int(gb("weight"), gb("weight_known")),
        "geslacht": nullable_int(gb("sex")),
        "ligging_bij_geboorte": nullable_int(gb("presentation")),
        "wijze_begin_baring": nullable_int(g("onset")),
        "type_partus": _modes(gb("mode"), None),  # per baby (a twin may differ)
        "indicatie_primaire_sectio": nullable_int(
            g("cs_indication"), prelabour & (g("cs_indication") > 0)
        ),
        "werkelijke_plaats_baring": nullable_int(g("actual_place")),
        "pijnbestrijding": nullable_int(g("pain_relief")),
        "pijnbestrijding_methode": nullable_int(g("pain_relief_method"), g("pain_relief")),
        "ruggenprik_gewenst_niet_gekregen": nullable_int(
            g("epidural_wanted_not_received"), g("want_known_lvr2") & (lab | prelabour)
        ),
        "episiotomie": nullable_int(g("episiotomy"), vaginal),
        "conditie_perineum": nullable_int(g("perineum"), vaginal),
        "bloedverlies": nullable_int(g("blood_loss"), g("blood_loss_known")),
        "apgar_5": nullable_int(gb("apgar"), gb("apgar_known")),
        "perinatale_sterfte": nullable_int(death),
        "fase_perinatale_sterfte": nullable_int(gb("death_phase"), death),
        "congenitale_afwijking": nullable_int(gb("congenital_anomaly")),
        "nicu_opname": nullable_int(gb("nicu")),
    }
    frame = _ordered(out, "perined_lvr2")
    for c in ("zwangerschap_id", "ziekenhuis_id", "ziekenhuis_aanvang_zorg"):
        frame[c] = frame[c].astype("str")
    if _one_width(ids[rows]):
        # The rows are in id order already (lexsort above), and ids of one digit count
        # sort the same as text: sorting the strings again (a second or more) is not needed.
        return frame
    return frame.sort_values(["zwangerschap_id", "kind_rangnummer"], kind="stable").reset_index(
        drop=True
    )


def _one_width(numbers: np.ndarray) -> bool:
    """Whether all numbers are >= 0 and have the same number of digits.

    Examples
    --------
    >>> _one_width(np.array([10000001, 99999999])), _one_width(np.array([9, 10]))
    (True, False)
    """
    if len(numbers) == 0:
        return True
    low, high = int(numbers.min()), int(numbers.max())
    return low >= 0 and len(str(low)) == len(str(high))
