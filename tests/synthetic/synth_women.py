"""A minimal linkage of the synthetic extracts into one row per birth (test helper).

Independent of saz_geboortezorg.io: LVR-2 first babies plus LVR-1 first-line births,
with the LVR-1 care path joined. Used for rates, truth recovery and claims checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CS_CODES = {"177141003", "274130007"}
INSTRUMENTAL_CODES = {"61586001", "302383004"}


def women_table(data) -> pd.DataFrame:
    l1, l2 = data.perined_lvr1, data.perined_lvr2
    first = l2[l2["kind_rangnummer"] == 1].copy()
    first["line_at_birth"] = 2
    n_babies = l2.groupby("zwangerschap_id").size()
    first["n_babies"] = first["zwangerschap_id"].map(n_babies)
    care = l1[
        [
            "zwangerschap_id",
            "praktijk_id",
            "verwijzing_zwangerschap",
            "verwijzing_durante_partu",
            "verwijzing_postpartum",
        ]
    ]
    first = first.merge(care, on="zwangerschap_id", how="left")
    b1 = l1[l1["eindverantwoordelijke_baring"] == 1].copy()
    b1["line_at_birth"] = 1
    b1["n_babies"] = 1
    cols = [
        "zwangerschap_id", "ziekenhuis_id", "leeftijd_moeder", "pariteit", "eerdere_sectio", "bmi",
        "roken", "ses_kwintiel", "migratieachtergrond", "datum_baring", "zwangerschapsduur",
        "geboortegewicht", "ligging_bij_geboorte", "wijze_begin_baring", "type_partus",
        "werkelijke_plaats_baring", "voorgenomen_plaats_baring", "risicostatus_voor_baring",
        "pijnbestrijding", "pijnbestrijding_methode", "ruggenprik_gewenst_niet_gekregen",
        "episiotomie", "conditie_perineum", "bloedverlies", "apgar_5", "perinatale_sterfte",
        "nicu_opname", "line_at_birth", "n_babies", "praktijk_id", "verwijzing_zwangerschap",
        "verwijzing_durante_partu", "verwijzing_postpartum",
    ]  # fmt: skip
    w = pd.concat([first[cols], b1[cols]], ignore_index=True)
    w["start_line"] = np.where(w["praktijk_id"].notna(), 1, 2)
    w["mode"] = w["type_partus"].astype(str)
    w["cs"] = w["mode"].isin(CS_CODES).astype(int)
    w["intrapartum_cs"] = (w["mode"] == "274130007").astype(int)
    w["instrumental"] = w["mode"].isin(INSTRUMENTAL_CODES).astype(int)
    w["vaginal"] = (~w["mode"].isin(CS_CODES)).astype(int)
    w["nulliparous"] = (w["pariteit"] == 0).astype(int)
    age = w["leeftijd_moeder"].astype(float)
    w["age_35_39"] = ((age >= 35) & (age <= 39)).astype(int)
    w["age_40p"] = (age >= 40).astype(int)
    w["age_35p"] = (age >= 35).astype(int)
    w["obese"] = (w["bmi"] >= 30).astype(float).where(w["bmi"].notna())
    ga = w["zwangerschapsduur"].astype(float)
    w["preterm"] = (ga < 259).astype(int)
    w["post_term"] = (ga >= 287).astype(int)
    w["breech"] = (w["ligging_bij_geboorte"] == 2).astype(int)
    w["multiple"] = (w["n_babies"] >= 2).astype(int)
    w["induced"] = (w["wijze_begin_baring"] == 3).astype(int)
    w["labouring"] = (w["wijze_begin_baring"] != 4).astype(int)
    w["epidural"] = (w["pijnbestrijding_methode"] == 1).fillna(False).astype(int)
    w["prev_cs"] = w["eerdere_sectio"].astype(int)
    w["date"] = pd.to_datetime(w["datum_baring"])
    w["oasis"] = w["conditie_perineum"].isin([3, 4]).astype(int)
    w["pph"] = (w["bloedverlies"] >= 1000).fillna(False).astype(int)
    w["robson1"] = (
        (w["nulliparous"] == 1) & (w["multiple"] == 0) & (w["ligging_bij_geboorte"] == 1)
        & (ga >= 259) & (w["wijze_begin_baring"] == 1)
    ).astype(int)  # fmt: skip
    return w
