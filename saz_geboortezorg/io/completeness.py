"""Completeness of the variables that indicators and case-mix models use.

For every Perined source and every unit (hospital, practice or region) this counts
the records where a variable applies and how many of them are missing or unknown:
empty, or the code labelled 'onbekend' in its code list (9 or 99). A variable is
only counted where it applies: LVR-1 birth items only for births under first-line
responsibility, the pain-relief method only where pain relief was given, episiotomy
and perineum only for vaginal births.

Examples
--------
>>> import pandas as pd
>>> lvr2 = pd.DataFrame({"ziekenhuis_id": ["ZH01", "ZH01"], "bmi": [24.0, None]})
>>> t = completeness({"perined_lvr2": lvr2}, unit="hospital")
>>> t[t["variable"] == "bmi"][["unit", "n", "missing", "share", "flagged"]].to_dict("records")[0]
{'unit': 'ZH01', 'n': 2, 'missing': 1, 'share': 0.5, 'flagged': True}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from saz_geboortezorg import schema
from saz_geboortezorg.deprecation import renamed_arguments
from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.io.fast import isin

__all__ = ["VARIABLES", "completeness", "completeness_wide", "UNITS"]

#: Units a report can be made by.
UNITS = ("hospital", "practice", "region")

# variable -> source column. Applicability is handled in _applies.
_MATERNAL = {
    "maternal_age": "leeftijd_moeder",
    "parity": "pariteit",
    "prev_cs": "eerdere_sectio",
    "bmi": "bmi",
    "smoking": "roken",
    "ses_quintile": "ses_kwintiel",
    "migration": "migratieachtergrond",
    "risk_status_before_labour": "risicostatus_voor_baring",
    "intended_place": "voorgenomen_plaats_baring",
}
_BIRTH = {
    "ga_days": "zwangerschapsduur",
    "birth_weight": "geboortegewicht",
    "sex": "geslacht",
    "presentation": "ligging_bij_geboorte",
    "onset": "wijze_begin_baring",
    "mode": "type_partus",
    "actual_place": "werkelijke_plaats_baring",
    "pain_relief": "pijnbestrijding",
    "pain_relief_method": "pijnbestrijding_methode",
    "epidural_wanted_not_received": "ruggenprik_gewenst_niet_gekregen",
    "episiotomy": "episiotomie",
    "perineum": "conditie_perineum",
    "blood_loss": "bloedverlies",
    "apgar5": "apgar_5",
    "perinatal_death": "perinatale_sterfte",
    "congenital_anomaly": "congenitale_afwijking",
    "nicu": "nicu_opname",
}
#: Per source: analysis variable -> source column that is checked.
VARIABLES: dict[str, dict[str, str]] = {
    "perined_lvr1": {
        **_MATERNAL,
        "n_babies": "aantal_foetussen",
        "risk_status_booking": "conclusie_risicostatus_na_intake",
        **_BIRTH,
    },
    "perined_lvr2": {**_MATERNAL, "n_babies": "aantal_geboren_kinderen", **_BIRTH},
}

_VAGINAL_CODES = ["177184002", "61586001", "302383004"]


def _unknown_codes(source: str, column: str) -> list[str]:
    decl = schema.source(source)["columns"].get(column, {})
    if "codes" not in decl:
        return []
    return [k for k, v in schema.codes(decl["codes"]).items() if v.get("nl") == "onbekend"]


def _is_code(values: pd.Series, codes: list[str]) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        return np.isin(arr, [float(c) for c in codes])
    return isin(values.astype("str"), codes)


def _applies(frame: pd.DataFrame, source: str, variable: str) -> np.ndarray:
    n = len(frame)
    yes = np.ones(n, dtype=bool)
    if source == "perined_lvr1" and variable in _BIRTH and "eindverantwoordelijke_baring" in frame:
        yes &= (
            pd.to_numeric(frame["eindverantwoordelijke_baring"], errors="coerce")
            .eq(1)
            .fillna(False)
            .to_numpy(bool)
        )
    if variable == "pain_relief_method" and "pijnbestrijding" in frame:
        yes &= (
            pd.to_numeric(frame["pijnbestrijding"], errors="coerce")
            .eq(1)
            .fillna(False)
            .to_numpy(bool)
        )
    if variable in ("episiotomy", "perineum") and "type_partus" in frame:
        yes &= isin(frame["type_partus"].astype("str"), _VAGINAL_CODES)
    return yes


def _units(sources: dict[str, pd.DataFrame], source: str, by: str) -> pd.Series:
    frame = sources[source]
    org = sources.get("organisaties")
    if by == "hospital":
        unit = (
            frame["ziekenhuis_id"]
            if "ziekenhuis_id" in frame
            else pd.Series(None, index=frame.index)
        )
    elif by == "practice":
        if "praktijk_id" in frame:
            unit = frame["praktijk_id"]
        else:
            l1 = sources.get("perined_lvr1")
            if l1 is None or "zwangerschap_id" not in frame:
                unit = pd.Series(None, index=frame.index, dtype="str")
            else:
                lookup = l1.drop_duplicates("zwangerschap_id").set_index("zwangerschap_id")[
                    "praktijk_id"
                ]
                unit = frame["zwangerschap_id"].map(lookup)
            unit = unit.fillna("(no practice: care started in second line)")
    else:  # region
        hosp = (
            frame["ziekenhuis_id"]
            if "ziekenhuis_id" in frame
            else pd.Series(None, index=frame.index)
        )
        if org is None:
            raise SpecError("completeness by region needs the organisaties extract")
        unit = hosp.map(org.set_index("organisatie_id")["regio_id"])
    return unit.astype("str").fillna("(unknown)")


@renamed_arguments(by="unit")
def completeness(
    sources: dict[str, pd.DataFrame], unit: str = "hospital", threshold: float = 0.05
) -> pd.DataFrame:
    """Share of missing or unknown values per source, unit and variable.

    Parameters
    ----------
    sources : dict of DataFrame
        Typed extracts by source name (``Dataset.sources``); Perined sources are used.
    unit : {"hospital", "practice", "region"}
        Unit of the report. LVR-2 rows count under the practice of the pregnancy's
        LVR-1 record when ``unit="practice"``.
    threshold : float
        Share above which a variable is flagged (default 0.05 = 5%).

    Returns
    -------
    DataFrame
        Tidy: ``unit, source, variable, column, n, missing, share, flagged``; the
        unit ``"all"`` holds the totals of each source. ``n`` counts the records
        where the variable applies.

    Examples
    --------
    >>> import pandas as pd
    >>> lvr2 = pd.DataFrame({"ziekenhuis_id": ["ZH01", "ZH02"], "geslacht": [9, 1]})
    >>> t = completeness({"perined_lvr2": lvr2})
    >>> t[["unit", "variable", "missing", "flagged"]].to_dict("records")
    [{'unit': 'ZH01', 'variable': 'sex', 'missing': 1, 'flagged': True}, {'unit': 'ZH02', 'variable': 'sex', 'missing': 0, 'flagged': False}, {'unit': 'all', 'variable': 'sex', 'missing': 1, 'flagged': True}]
    """
    if unit not in UNITS:
        raise SpecError(
            f"completeness by {unit!r} is not possible; choose one of {', '.join(UNITS)}"
        )
    if not 0 <= threshold <= 1:
        raise SpecError(
            f"threshold must be a share between 0 and 1 (e.g. 0.05 for 5%), not {threshold}"
        )
    parts = []
    for source, variables in VARIABLES.items():
        frame = sources.get(source)
        if frame is None:
            continue
        row_unit = _units(sources, source, unit).to_numpy(dtype=object)
        present = {v: c for v, c in variables.items() if c in frame.columns}
        if not present:
            continue
        data = {}
        for variable, column in present.items():
            values = frame[column]
            miss = values.isna().to_numpy(bool)
            unknown = _unknown_codes(source, column)
            if unknown:
                miss = miss | _is_code(values, unknown)
            applies = _applies(frame, source, variable)
            data[variable] = np.where(applies, miss.astype("float64"), np.nan)
        m = pd.DataFrame(data)
        m["unit"] = row_unit
        n = m.groupby("unit").count()
        s = m.groupby("unit").sum(min_count=0)
        n.loc["all"] = m.drop(columns="unit").count()
        s.loc["all"] = m.drop(columns="unit").sum()
        long = pd.DataFrame(
            {
                "unit": np.repeat(n.index.to_numpy(dtype=object), n.shape[1]),
                "variable": np.tile(n.columns.to_numpy(dtype=object), n.shape[0]),
                "n": n.to_numpy().ravel().astype("int64"),
                "missing": s.to_numpy().ravel().astype("int64"),
            }
        )
        long.insert(1, "source", source)
        long.insert(3, "column", long["variable"].map(present))
        parts.append(long)
    cols = ["unit", "source", "variable", "column", "n", "missing", "share", "flagged"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["share"] = np.where(out["n"] > 0, out["missing"] / out["n"].where(out["n"] > 0, 1), np.nan)
    out["flagged"] = (out["share"] > threshold) & (out["n"] > 0)
    for c in ("unit", "source", "variable", "column"):
        out[c] = out[c].astype("str")
    return out[cols]


def completeness_wide(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per unit, one column per ``source:variable``, values = share missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "B"], "source": ["perined_lvr2"] * 2,
    ...                   "variable": ["bmi"] * 2, "share": [0.1, 0.0]})
    >>> completeness_wide(t).to_dict("records")
    [{'unit': 'A', 'perined_lvr2:bmi': 0.1}, {'unit': 'B', 'perined_lvr2:bmi': 0.0}]
    """
    key = tidy["source"].astype("str") + ":" + tidy["variable"].astype("str")
    wide = tidy.assign(key=key).pivot_table(
        index="unit", columns="key", values="share", aggfunc="first", sort=False
    )
    wide.columns.name = None
    return wide.reset_index()
