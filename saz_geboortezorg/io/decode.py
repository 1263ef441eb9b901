"""Decode registry codes to the readable categories of ``schema/analysis.yaml``.

One mapping per code list, from the code in the extract to the lowercase label in
the analysis tables. Missing values and codes without a label become ``"unknown"``
(or stay empty where analysis.yaml says so).

The labels come as a pandas ``category`` column (:func:`categorical`): unordered,
with the labels that occur, sorted as Python sorts text, as categories; a missing
value is NaN, never a category.

Examples
--------
>>> import pandas as pd
>>> decode(pd.Series([1, 3, None, 9], dtype="Int64"), "presentation").tolist()
['cephalic', 'transverse', 'unknown', 'unknown']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAPS", "decode", "band", "categorical"]

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


def categorical(
    codes: np.ndarray, names: list[str] | np.ndarray, like: pd.Index | None = None
) -> pd.Series:
    """Category Series ``names[codes]`` (NaN where a code is -1).

    The categories are the names that occur, sorted as Python sorts text (so sorting,
    ``groupby`` and ``value_counts`` order them as they would the text column), of
    dtype ``str``; unordered. ``names`` may repeat a label: its codes are merged.
    ``codes`` are positions in ``names`` or -1 (missing).

    Examples
    --------
    >>> import numpy as np
    >>> s = categorical(np.array([2, -1, 0, 2]), ["no", "maybe", "yes"])
    >>> s.tolist()
    ['yes', nan, 'no', 'yes']
    >>> list(s.cat.categories)        # 'maybe' does not occur
    ['no', 'yes']
    >>> categorical(np.array([0, 1]), ["b", "b"]).cat.codes.tolist()
    [0, 0]
    """
    codes = np.asarray(codes)
    names = [str(name) for name in names]
    # which names occur: one scatter of the codes into a flag per name (-1, the
    # missing code, lands in the last slot); no count, no shifted copy of the codes
    seen = np.zeros(len(names) + 1, dtype=bool)
    seen[codes] = True
    used = np.flatnonzero(seen[:-1])
    kept = sorted({names[i] for i in used})
    position = {name: i for i, name in enumerate(kept)}
    width = "int8" if len(kept) < 127 else "int16" if len(kept) < 32_767 else "int32"
    # the last slot is the missing code's: table[-1] is -1
    table = np.full(len(names) + 1, -1, dtype=width)
    for i in used:
        table[i] = position[names[i]]
    new = table[codes]
    dtype = pd.CategoricalDtype(pd.Index(kept, dtype="str"), ordered=False)
    return pd.Series(pd.Categorical.from_codes(new, dtype=dtype), index=like)


def decode_codes(
    values: pd.Series, name: str, missing: str | None = "unknown"
) -> tuple[np.ndarray, list[str]]:
    """Positions into a list of labels (-1: empty) for the codes in ``values``.

    :func:`decode` without making the column; the positions can be masked first.

    Examples
    --------
    >>> import pandas as pd
    >>> codes, names = decode_codes(pd.Series([2.0, None, 7.0]), "sex", None)
    >>> codes.tolist(), names
    ([1, -1, -1], ['male', 'female'])
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
        by_number = {float(code): names.index(label) for code, label in mapping.items()}
        small = all(k.is_integer() and 0 <= k < 256 for k in by_number)
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        if small:
            # small integer codes index a lookup table; anything else (NaN, other
            # numbers, fractions) goes to the fallback slot
            hits = np.full(257, fallback, dtype="int8")
            for k, v in by_number.items():
                hits[int(k)] = v
            with np.errstate(invalid="ignore"):
                idx = arr.astype("int16") if len(arr) else np.zeros(0, dtype="int16")
                ok = (arr >= 0) & (arr < 256) & (idx == arr)
            return hits[np.where(ok, idx, 256)], names
        keys = np.array(sorted(by_number), dtype="float64")
        hits = np.array([by_number[k] for k in keys] + [fallback], dtype="int64")
        pos = np.searchsorted(keys, arr)  # NaN sorts after every key: no hit
        pos[(pos >= len(keys)) | (keys[np.minimum(pos, len(keys) - 1)] != arr)] = len(keys)
        return hits[pos], names
    codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
    table = [names.index(mapping[u]) if u in mapping else fallback for u in uniques]
    return np.array(table + [fallback], dtype="int64")[codes], names


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

    Returns
    -------
    Series
        Category labels (see :func:`categorical`), with the index of ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> decode(pd.Series(["274130007", "99"]), "mode").tolist()
    ['intrapartum_cs', 'unknown']
    """
    codes, names = decode_codes(values, name, missing)
    return categorical(codes, names, values.index)


def band_codes(
    values: pd.Series, edges: list[float], names: list[str], missing: str | None
) -> tuple[np.ndarray, list[str]]:
    """Positions into the band names (-1: empty) for ``values``; see :func:`band`.

    Examples
    --------
    >>> import pandas as pd
    >>> band_codes(pd.Series([1.0, None]), [1], ["low", "high"], None)
    (array([ 1, -1]), ['low', 'high'])
    """
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bounds = np.asarray(edges, dtype="float64")
    if len(bounds) < 16 and len(names) < 100 and (np.diff(bounds) >= 0).all():
        # a few sorted edges: the band is the number of edges at or below the value
        # (what ``searchsorted(side="right")`` gives), counted in one small pass per edge
        idx = np.zeros(len(arr), dtype="int8")
        for edge in bounds:
            idx += arr >= edge
        np.minimum(idx, len(names) - 1, out=idx)
    else:
        idx = np.clip(np.searchsorted(bounds, arr, side="right"), 0, len(names) - 1)
    names = list(names)
    if missing is None:
        idx = np.where(np.isnan(arr), np.int64(-1), idx.astype("int64", copy=False))
    else:
        names.append(missing)
        idx = np.where(np.isnan(arr), np.int64(len(names) - 1), idx.astype("int64", copy=False))
    return idx, names


def band(values: pd.Series, edges: list[float], names: list[str], missing: str | None) -> pd.Series:
    """Cut numeric values into labelled bands ``[edge_i, edge_i+1)`` (category labels).

    Examples
    --------
    >>> import pandas as pd
    >>> band(pd.Series([17.0, 25.0, None]), [18.5, 25, 30, 35],
    ...      ["<18.5", "18.5_25", "25_30", "30_35", "35+"], "unknown").tolist()
    ['<18.5', '25_30', 'unknown']
    """
    codes, names = band_codes(values, edges, names, missing)
    return categorical(codes, names, values.index)
