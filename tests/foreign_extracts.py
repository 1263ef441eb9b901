"""Build 'foreign' extracts from synthetic data: other names, Dutch text codes, kg, dd-mm-yyyy.

Each transformation here is the inverse of one rule in the mappings below; the tests check
that loading the foreign folder through the mappings gives exactly the original tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import saz_geboortezorg as sg

GESLACHT = {"1": "Jongen", "2": "Meisje", "9": "onbekend"}
LIGGING = {"1": "hoofdligging", "2": "stuitligging", "3": "dwarsligging", "9": "onbekend"}
RISICO = {"1": "eerste lijn", "2": "tweede lijn", "9": "onbekend"}
ORG_TYPE = {"ZH": "ziekenhuis", "VP": "verloskundigenpraktijk"}

LVR2_MAPPING = """\
# LVR-2 export of a hospital: Dutch headers, text codes, kilograms, litres
source: perined_lvr2
file: Export_LVR2.csv
date_format: dd-mm-yyyy
columns:
  zwangerschap_id: ZwangerschapNr
  kind_rangnummer: Rangnummer
  ziekenhuis_id: Ziekenhuis
  geboortegewicht: {from: Gewicht_kg, unit: kg}
  bloedverlies: {from: Bloedverlies_liter, unit: l}
  zwangerschapsduur: {from: [AD_weken, AD_dagen], unit: weeks+days}
  datum_baring: Datum_partus
  geslacht:
    from: Geslacht
    codes: {jongen: 1, meisje: 2, onbekend: 9}
  ligging_bij_geboorte:
    from: Ligging
    codes: {hoofdligging: 1, stuitligging: 2, dwarsligging: 3}
    default: 9
  pijnbestrijding: {expression: "present(pijnbestrijding_methode)"}
"""

LVR1_MAPPING = """\
source: perined_lvr1
file: Export_LVR1.csv
date_format: dd-mm-yyyy
columns:
  praktijk_id: Praktijk
  verwijzing_zwangerschap: {expression: "present(datum_verwijzing_zwangerschap)"}
  conclusie_risicostatus_na_intake:
    from: Risico_intake
    codes: {eerste lijn: 1, tweede lijn: 2, onbekend: 9}
  zwangerschapsduur: {from: AD, unit: weeks+days}
"""

OTHER_MAPPING = """\
sources:
  organisaties:
    file: Organisaties_lijst.csv
    columns:
      organisatie_type: {from: Soort, codes: {ziekenhuis: ZH, verloskundigenpraktijk: VP}}
  dbc_declaraties:
    date_format: dd/mm/yyyy
    columns: {}
"""


def _dutch_number(values: pd.Series, divisor: float, decimals: int) -> pd.Series:
    num = pd.to_numeric(values) / divisor
    text = num.map(lambda x: "" if pd.isna(x) else f"{x:.{decimals}f}".replace(".", ","))
    return text


def _dutch_date(values: pd.Series, fmt: str = "%d-%m-%Y") -> pd.Series:
    d = pd.to_datetime(values)
    return d.dt.strftime(fmt).fillna("")


def write_original(root: Path, births: int = 2000, seed: int = 3) -> Path:
    """The synthetic extracts in our own format (CSV)."""
    sg.synthetic.generate(births=births, seed=seed, progress=False).write(root)
    return root


def write_foreign(original: Path, root: Path) -> Path:
    """The same extracts as a hospital might export them, plus the mapping files."""
    root.mkdir(parents=True, exist_ok=True)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(original / f"{name}.csv", dtype=str, keep_default_na=False)

    l2 = read("perined_lvr2")
    ga = pd.to_numeric(l2.pop("zwangerschapsduur").replace("", None))
    l2["AD_weken"] = (ga // 7).map(lambda x: "" if pd.isna(x) else str(int(x)))
    l2["AD_dagen"] = (ga % 7).map(lambda x: "" if pd.isna(x) else str(int(x)))
    l2["Gewicht_kg"] = _dutch_number(l2.pop("geboortegewicht").replace("", None), 1000, 3)
    l2["Bloedverlies_liter"] = _dutch_number(l2.pop("bloedverlies").replace("", None), 1000, 3)
    l2["Datum_partus"] = _dutch_date(l2.pop("datum_baring"))
    l2["Geslacht"] = l2.pop("geslacht").map(GESLACHT)
    l2["Ligging"] = l2.pop("ligging_bij_geboorte").map(LIGGING)
    l2 = l2.drop(columns="pijnbestrijding").rename(
        columns={
            "zwangerschap_id": "ZwangerschapNr",
            "kind_rangnummer": "Rangnummer",
            "ziekenhuis_id": "Ziekenhuis",
        }
    )
    l2.to_csv(root / "Export_LVR2.csv", sep=";", index=False)

    l1 = read("perined_lvr1")
    for c in ["datum_eerste_consult", "datum_verwijzing_zwangerschap", "datum_baring"]:
        l1[c] = _dutch_date(l1[c].replace("", None))
    ga = pd.to_numeric(l1.pop("zwangerschapsduur").replace("", None))
    l1["AD"] = ["" if pd.isna(x) else f"{int(x) // 7}+{int(x) % 7}" for x in ga]
    l1["Risico_intake"] = l1.pop("conclusie_risicostatus_na_intake").map(RISICO)
    l1 = l1.drop(columns="verwijzing_zwangerschap").rename(columns={"praktijk_id": "Praktijk"})
    l1.to_csv(root / "Export_LVR1.csv", sep=";", index=False)

    org = read("organisaties")
    org["Soort"] = org.pop("organisatie_type").map(ORG_TYPE)
    org.to_csv(root / "Organisaties_lijst.csv", sep=";", index=False)

    dbc = read("dbc_declaraties")
    for c in ["datum_begin", "datum_eind"]:
        dbc[c] = _dutch_date(dbc[c], "%d/%m/%Y")
    dbc.to_csv(root / "dbc_declaraties.csv", sep=";", index=False)

    (root / "lvr2.mapping.yaml").write_text(LVR2_MAPPING, encoding="utf-8")
    (root / "lvr1.mapping.yaml").write_text(LVR1_MAPPING, encoding="utf-8")
    (root / "other.mapping.yaml").write_text(OTHER_MAPPING, encoding="utf-8")
    return root


def mappings(root: Path) -> list[Path]:
    """The three mapping files of a foreign folder."""
    return [root / "lvr2.mapping.yaml", root / "lvr1.mapping.yaml", root / "other.mapping.yaml"]
