"""Decode registry codes to the readable categories of ``schema/analysis.yaml``.

One mapping per code list, from the code in the extract to the lowercase label in
the analysis tables. Missing values and codes without a label become ``"unknown"``
(or stay empty where analysis.yaml says so).

Examples
--------
>>> import pandas as pd
>>> decode(pd.Series([1, 3, None, 9], dtype="Int64"), "presentation").tolist()
['cephalic', 'transverse', 'unknown', 'unknown']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from saz_geboortezorg.io.fast import labels

__all__ = ["MAPS", "decode", "band"]

#: analysis name -> {code: label}. Codes are matched as text.
MAPS: dict[str, dict[str, str]] = {
    "smoking": {"0": "no", "1": "yes"},
    "ses_quintile": {str(i): str(i) for i in range(1, 6)},
    "migration": {"1": "dutch", "2": "european", "3": "non_european"},
    "risk_status": {"1": "first_line", "2": "second_line"},
    "sex": {"1": "male", "2": "female"},
    "presentation": {"1": "cephalic", "2": "breech", "3": "transverse"},
    "onset": {"1": "spontaneous", "3": "induced", "4": "prelabour_cs"},
    "mode": {
        "177184002": "spontaneous",
        "61586001": "vacuum",
        "302383004": "forceps",
        "177141003": "prelabour_cs",
        "274130007": "intrapartum_cs",
    },
    "cs_indication": {
        "1": "breech",
        "2": "previous_cs",
        "3": "fetal",
        "4": "maternal",
        "5": "placenta_other",
        "6": "maternal_request",
    },
    "pain_relief_method": {"1": "epidural", "2": "remifentanil", "3": "pethidine", "4": "other"},
    "perinatal_death_phase": {"1": "antepartum", "2": "intrapartum", "3": "neonatal"},
    "place": {
        "1": "home",
        "2": "birth_centre",
        "3": "hospital_midwife",
        "4": "hospital_obstetrician",
    },
    "referral_pregnancy_reason": {
        "1": "hypertensive_disorder",
        "2": "growth_restriction",
        "3": "threatened_preterm_birth",
        "4": "post_term",
        "5": "malpresentation",
        "6": "multiple_pregnancy",
        "7": "medical_history",
        "8": "other",
    },
    "referral_labour_reason": {
        "1": "hypertensive_disorder",
        "2": "bleeding",
        "3": "failure_to_progress",
        "4": "suspected_fetal_distress",
        "5": "meconium",
        "6": "pain_relief_request",
        "7": "prolonged_rupture_of_membranes",
        "8": "other",
        "9": "unknown",
    },
    "referral_postpartum_reason": {
        "1": "postpartum_haemorrhage",
        "2": "retained_placenta",
        "3": "perineal_repair",
        "4": "neonatal",
        "8": "other",
    },
}

#: Modes of birth that are caesarean sections.
CS_MODES = ("prelabour_cs", "intrapartum_cs")
#: Vaginal modes of birth.
VAGINAL_MODES = ("spontaneous", "vacuum", "forceps")


def decode(values: pd.Series, name: str, missing: str | None = "unknown") -> pd.Series:
    """Map codes to labels with mapping ``name`` of :data:`MAPS`.

    Parameters
    ----------
    values : Series
        Codes (integer or text).
    name : str
        Key of :data:`MAPS`.
    missing : str or None
        Label for empty values and codes without a label (None: leave empty).

    Examples
    --------
    >>> import pandas as pd
    >>> decode(pd.Series(["274130007", "99"]), "mode").tolist()
    ['intrapartum_cs', 'unknown']
    """
    mapping = MAPS[name]
    names = list(dict.fromkeys(mapping.values()))
    fallback = -1
    if missing is not None:
        if missing not in names:
            names.append(missing)
        fallback = names.index(missing)
    # the few distinct values are looked up, not every row against every code
    if pd.api.types.is_numeric_dtype(values):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        by_number = {float(code): names.index(label) for code, label in mapping.items()}
        keys = np.array(sorted(by_number), dtype="float64")
        hits = np.array([by_number[k] for k in keys] + [fallback], dtype="int64")
        pos = np.searchsorted(keys, arr)  # NaN sorts after every key: no hit
        pos[(pos >= len(keys)) | (keys[np.minimum(pos, len(keys) - 1)] != arr)] = len(keys)
        out = hits[pos]
    else:
        codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
        table = [names.index(mapping[u]) if u in mapping else fallback for u in uniques]
        out = np.array(table + [fallback], dtype="int64")[codes]
    return labels(out, names, values.index)


def band(values: pd.Series, edges: list[float], names: list[str], missing: str | None) -> pd.Series:
    """Cut numeric values into labelled bands ``[edge_i, edge_i+1)``.

    Examples
    --------
    >>> import pandas as pd
    >>> band(pd.Series([17.0, 25.0, None]), [18.5, 25, 30, 35],
    ...      ["<18.5", "18.5_25", "25_30", "30_35", "35+"], "unknown").tolist()
    ['<18.5', '25_30', 'unknown']
    """
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    idx = np.clip(
        np.searchsorted(np.asarray(edges, dtype="float64"), arr, side="right"), 0, len(names) - 1
    )
    names = list(names)
    if missing is None:
        idx = np.where(np.isnan(arr), -1, idx)
    else:
        names.append(missing)
        idx = np.where(np.isnan(arr), len(names) - 1, idx)
    return labels(idx, names, values.index)
