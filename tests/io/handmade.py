"""A tiny, consistent, hand-made set of the four extracts.

Pregnancies (zwangerschap_id), chosen so that every linkage path occurs once:

======  ========  ===============================================================
Z001    VP001     first-line home birth; no referral
Z002    VP001     referred during labour (failure to progress); vacuum birth in LVR-2 (ZH01)
Z003    VP002     referred in pregnancy (post-term); induced birth in LVR-2 (ZH02)
Z004    VP002     no birth in the registry (moved away): excluded
Z005    VP001     birth in both LVR-1 and LVR-2: the LVR-2 record wins
Z006    VP001     first-line birth, referred postpartum (blood loss 1200 ml)
Z010    --        twins, care started in the second line (ZH02), prelabour caesarean
Z011    --        breech, second line only (ZH01), prelabour caesarean without indication
======  ========  ===============================================================

Claims: C05 belongs to Z004 (no birth) and C06 to Z999 (in no Perined source);
both are excluded. Tests take :func:`tables`, change a value, and :func:`write` it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ORGANISATIES = [
    # id, type, naam, regio, regionaam, ziekenhuis, epi, induct, nicu, geboortecentrum
    ["ZH01", "ZH", "Ziekenhuis Noord", "R1", "Noord", "ZH01", "1", "1", "1", "0"],
    ["ZH02", "ZH", "Ziekenhuis Zuid", "R2", "Zuid", "ZH02", "0", "1", "0", "1"],
    ["VP001", "VP", "Verloskundigenpraktijk Zoë", "R1", "Noord", "ZH01", "", "", "", ""],
    ["VP002", "VP", "Verloskundigen René & Café de Wieg", "R2", "Zuid", "ZH02", "", "", "", ""],
]
ORG_COLUMNS = [
    "organisatie_id",
    "organisatie_type",
    "naam",
    "regio_id",
    "regio_naam",
    "ziekenhuis_id",
    "epiduraal_24_7",
    "inductiebeleid_41_weken",
    "nicu",
    "geboortecentrum",
]

_LVR1_BASE = {
    "praktijk_id": "VP001",
    "ziekenhuis_id": "ZH01",
    "leeftijd_moeder": "31",
    "pariteit": "1",
    "eerdere_sectio": "0",
    "aantal_foetussen": "1",
    "ses_kwintiel": "3",
    "migratieachtergrond": "1",
    "bmi": "23.4",
    "roken": "0",
    "datum_eerste_consult": "2024-01-10",
    "zwangerschapsduur_eerste_consult": "63",
    "conclusie_risicostatus_na_intake": "1",
    "verwijzing_zwangerschap": "0",
    "datum_verwijzing_zwangerschap": "",
    "reden_verwijzing_zwangerschap": "",
    "voorgenomen_plaats_baring": "1",
    "risicostatus_voor_baring": "1",
    "verwijzing_durante_partu": "0",
    "reden_verwijzing_durante_partu": "",
    "eindverantwoordelijke_baring": "1",
    "verwijzing_postpartum": "0",
    "reden_verwijzing_postpartum": "",
    "datum_baring": "2024-08-01",
    "kind_rangnummer": "1",
    "zwangerschapsduur": "280",
    "geboortegewicht": "3450",
    "geslacht": "2",
    "ligging_bij_geboorte": "1",
    "wijze_begin_baring": "1",
    "type_partus": "177184002",
    "werkelijke_plaats_baring": "1",
    "pijnbestrijding": "0",
    "pijnbestrijding_methode": "",
    "ruggenprik_gewenst_niet_gekregen": "0",
    "episiotomie": "0",
    "conditie_perineum": "1",
    "bloedverlies": "300",
    "apgar_5": "9",
    "perinatale_sterfte": "0",
    "fase_perinatale_sterfte": "",
    "congenitale_afwijking": "0",
    "nicu_opname": "0",
}
_BIRTH_ITEMS = [
    "datum_baring",
    "kind_rangnummer",
    "zwangerschapsduur",
    "geboortegewicht",
    "geslacht",
    "ligging_bij_geboorte",
    "wijze_begin_baring",
    "type_partus",
    "werkelijke_plaats_baring",
    "pijnbestrijding",
    "pijnbestrijding_methode",
    "ruggenprik_gewenst_niet_gekregen",
    "episiotomie",
    "conditie_perineum",
    "bloedverlies",
    "apgar_5",
    "perinatale_sterfte",
    "fase_perinatale_sterfte",
    "congenitale_afwijking",
    "nicu_opname",
]
_NO_BIRTH = dict.fromkeys(_BIRTH_ITEMS, "")


def _lvr1() -> list[dict[str, str]]:
    rows = [
        {"zwangerschap_id": "Z001"},
        {
            "zwangerschap_id": "Z002",
            "pariteit": "0",
            "verwijzing_durante_partu": "1",
            "reden_verwijzing_durante_partu": "3",
            "eindverantwoordelijke_baring": "2",
            **_NO_BIRTH,
        },
        {
            "zwangerschap_id": "Z003",
            "praktijk_id": "VP002",
            "ziekenhuis_id": "ZH02",
            "verwijzing_zwangerschap": "1",
            "datum_verwijzing_zwangerschap": "2024-07-20",
            "reden_verwijzing_zwangerschap": "4",
            "risicostatus_voor_baring": "2",
            "eindverantwoordelijke_baring": "2",
            **_NO_BIRTH,
        },
        {
            "zwangerschap_id": "Z004",
            "praktijk_id": "VP002",
            "ziekenhuis_id": "ZH02",
            "eindverantwoordelijke_baring": "",
            **_NO_BIRTH,
        },
        {"zwangerschap_id": "Z005", "leeftijd_moeder": "19"},
        {
            "zwangerschap_id": "Z006",
            "leeftijd_moeder": "42",
            "pariteit": "3",
            "bmi": "",
            "verwijzing_postpartum": "1",
            "reden_verwijzing_postpartum": "1",
            "werkelijke_plaats_baring": "3",
            "bloedverlies": "1200",
        },
    ]
    return [{**_LVR1_BASE, **r} for r in rows]


_LVR2_BASE = {
    "kind_rangnummer": "1",
    "ziekenhuis_id": "ZH01",
    "leeftijd_moeder": "31",
    "pariteit": "0",
    "eerdere_sectio": "0",
    "aantal_geboren_kinderen": "1",
    "ses_kwintiel": "2",
    "migratieachtergrond": "3",
    "bmi": "27.5",
    "roken": "1",
    "voorgenomen_plaats_baring": "1",
    "risicostatus_voor_baring": "1",
    "datum_baring": "2024-08-03",
    "zwangerschapsduur": "287",
    "geboortegewicht": "3600",
    "geslacht": "1",
    "ligging_bij_geboorte": "1",
    "wijze_begin_baring": "1",
    "type_partus": "61586001",
    "indicatie_primaire_sectio": "",
    "werkelijke_plaats_baring": "4",
    "pijnbestrijding": "1",
    "pijnbestrijding_methode": "1",
    "ruggenprik_gewenst_niet_gekregen": "0",
    "episiotomie": "1",
    "conditie_perineum": "2",
    "bloedverlies": "600",
    "apgar_5": "8",
    "perinatale_sterfte": "0",
    "fase_perinatale_sterfte": "",
    "congenitale_afwijking": "0",
    "nicu_opname": "0",
}
_CS = {
    "wijze_begin_baring": "4",
    "type_partus": "177141003",
    "episiotomie": "",
    "conditie_perineum": "",
    "pijnbestrijding": "0",
    "pijnbestrijding_methode": "",
}


def _lvr2() -> list[dict[str, str]]:
    rows = [
        {"zwangerschap_id": "Z002"},
        {
            "zwangerschap_id": "Z003",
            "ziekenhuis_id": "ZH02",
            "pariteit": "1",
            "wijze_begin_baring": "3",
            "type_partus": "177184002",
            "risicostatus_voor_baring": "2",
            "zwangerschapsduur": "290",
            "pijnbestrijding": "0",
            "pijnbestrijding_methode": "",
            "episiotomie": "0",
        },
        {"zwangerschap_id": "Z005", "leeftijd_moeder": "19", "type_partus": "177184002"},
        {
            "zwangerschap_id": "Z010",
            "ziekenhuis_id": "ZH02",
            "aantal_geboren_kinderen": "2",
            "zwangerschapsduur": "252",
            "indicatie_primaire_sectio": "3",
            "voorgenomen_plaats_baring": "4",
            "risicostatus_voor_baring": "2",
            "leeftijd_moeder": "36",
            **_CS,
        },
        {
            "zwangerschap_id": "Z010",
            "kind_rangnummer": "2",
            "ziekenhuis_id": "ZH02",
            "aantal_geboren_kinderen": "2",
            "zwangerschapsduur": "252",
            "geboortegewicht": "2400",
            "indicatie_primaire_sectio": "3",
            "voorgenomen_plaats_baring": "4",
            "risicostatus_voor_baring": "2",
            "leeftijd_moeder": "36",
            "nicu_opname": "1",
            **_CS,
        },
        {
            "zwangerschap_id": "Z011",
            "ligging_bij_geboorte": "2",
            "bmi": "",
            "voorgenomen_plaats_baring": "4",
            "risicostatus_voor_baring": "2",
            **_CS,
        },
    ]
    return [{**_LVR2_BASE, **r} for r in rows]


CLAIM_COLUMNS = [
    "declaratie_id",
    "zwangerschap_id",
    "zorgaanbieder_id",
    "lijn",
    "zorgproduct",
    "zorgfase",
    "datum_begin",
    "datum_eind",
    "tarief",
]
CLAIMS = [
    [
        "C01",
        "Z001",
        "VP001",
        "1",
        "VERL_VOLLEDIG",
        "zwangerschap",
        "2024-01-10",
        "2024-09-10",
        "1310.75",
    ],
    [
        "C02",
        "Z002",
        "VP001",
        "1",
        "VERL_PRENATAAL_DEEL",
        "zwangerschap",
        "2024-01-10",
        "2024-08-01",
        "487.05",
    ],
    [
        "C03",
        "Z002",
        "ZH01",
        "2",
        "ZH_KUNSTVERLOSSING",
        "baring",
        "2024-08-03",
        "2024-08-05",
        "2500",
    ],
    ["C04", "Z010", "ZH02", "2", "ZH_SECTIO", "baring", "2024-08-03", "2024-08-06", "4000"],
    [
        "C05",
        "Z004",
        "VP002",
        "1",
        "VERL_PRENATAAL_DEEL",
        "zwangerschap",
        "2024-01-10",
        "2024-05-01",
        "300",
    ],
    [
        "C06",
        "Z999",
        "ZH01",
        "2",
        "ZH_ZWANGERSCHAP",
        "zwangerschap",
        "2024-02-01",
        "2024-03-01",
        "100",
    ],
    [
        "C07",
        "Z010",
        "ZH02",
        "2",
        "ZH_KRAAMBED_OPNAME",
        "kraambed",
        "2024-08-06",
        "2024-08-09",
        "800",
    ],
]


def tables() -> dict[str, pd.DataFrame]:
    """The four extracts as text tables (every value a string, '' = empty)."""
    return {
        "organisaties": pd.DataFrame(ORGANISATIES, columns=ORG_COLUMNS, dtype=object),
        "perined_lvr1": pd.DataFrame(_lvr1(), dtype=object),
        "perined_lvr2": pd.DataFrame(_lvr2(), dtype=object),
        "dbc_declaraties": pd.DataFrame(CLAIMS, columns=CLAIM_COLUMNS, dtype=object),
    }


def write(
    folder: Path,
    data: dict[str, pd.DataFrame] | None = None,
    *,
    fmt: str = "csv",
    sep: str = ",",
    encoding: str = "utf-8",
    decimal: str = ".",
) -> Path:
    """Write the tables to ``folder`` as ``<source>.csv`` (or .parquet); returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = tables() if data is None else data
    for name, frame in data.items():
        if fmt == "parquet":
            frame.replace("", None).to_parquet(folder / f"{name}.parquet", index=False)
            continue
        out = frame
        if decimal == ",":
            out = frame.copy()
            for col in ("bmi", "tarief"):
                if col in out:
                    out[col] = out[col].str.replace(".", ",", regex=False)
        out.to_csv(folder / f"{name}.csv", sep=sep, index=False, encoding=encoding)
    return folder
