"""Small for gestational age (SGA): birth weight below the 10th centile.

The centile depends on gestational age, sex and parity, so SGA needs a birth-weight
reference. The reference is pluggable: a CSV file with one row per sex, parity group
and week (or day) of gestation and the 10th centile in grams.

Reference format (column: meaning)::

    sex           male | female
    parity_group  0 (nulliparous) | 1+ (multiparous)
    ga_weeks      completed weeks (or ga_days: days)
    p10           10th centile of birth weight in grams (p50, p90 optional)

The toolkit ships the reference its synthetic data was generated with
(``saz_geboortezorg/synthetic/birthweight_reference.csv``). For real data use the
Dutch Hoftiezer curves (Hoftiezer et al., AJOG 2019; sex- and parity-specific, per
day of gestation), converted to this format, via ``reference=path``.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError

__all__ = ["load_reference", "check_reference", "sga", "DEFAULT_REFERENCE"]

DEFAULT_REFERENCE = "synthetic/birthweight_reference.csv"
_PARITY = {"0": "0", "nulliparous": "0", "1+": "1+", "multiparous": "1+", "1": "1+"}


def load_reference(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a birth-weight reference (default: the shipped synthetic one).

    Returns a DataFrame with ``sex``, ``parity_group``, ``ga_days`` (the first day
    the row applies to), ``ga_days_end`` and ``p10``.

    Examples
    --------
    >>> ref = load_reference()                                  # doctest: +SKIP
    >>> sorted(ref["sex"].unique())                             # doctest: +SKIP
    ['female', 'male']
    """
    if path is None:
        # read and checked once per process (a load derives SGA for births and women)
        return _shipped_reference().copy()
    try:
        ref = pd.read_csv(path, dtype={"parity_group": "string"})
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read the birth-weight reference {path}: {exc}") from None
    return check_reference(ref, str(path))


@functools.cache
def _shipped_reference() -> pd.DataFrame:
    """The shipped reference, read and checked (cached: copy it before use)."""
    source = resources.files("saz_geboortezorg").joinpath(DEFAULT_REFERENCE)
    with resources.as_file(source) as p:
        if not Path(p).exists():
            raise SpecError(f"the default birth-weight reference {DEFAULT_REFERENCE} is missing")
        ref = pd.read_csv(p, dtype={"parity_group": "string"})
    return check_reference(ref, DEFAULT_REFERENCE)


def check_reference(ref: pd.DataFrame, name: str = "reference") -> pd.DataFrame:
    """Check a birth-weight reference given as a table and normalise it (format and
    result as in :func:`load_reference`).

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"sex": ["male"], "parity_group": [0], "ga_weeks": [40], "p10": [3000]})
    >>> row = check_reference(ref).iloc[0]
    >>> row["parity_group"], int(row["ga_days"]), int(row["ga_days_end"])
    ('0', 280, 286)
    """
    needed = {"sex", "parity_group", "p10"}
    lacking = sorted(needed - set(ref.columns))
    if not {"ga_weeks", "ga_days"} & set(ref.columns):
        lacking.append("ga_weeks or ga_days")
    if lacking:
        raise SpecError(
            f"birth-weight reference {name} lacks column(s) {', '.join(lacking)}; "
            "expected sex, parity_group, ga_weeks (or ga_days), p10"
        )
    ref = ref.copy()
    ref["parity_group"] = ref["parity_group"].astype("string")
    ref["sex"] = ref["sex"].astype("string").str.lower()
    ref["parity_group"] = ref["parity_group"].astype("string").str.lower().map(_PARITY)
    if ref["parity_group"].isna().any() or not ref["sex"].isin(["male", "female"]).all():
        raise SpecError(
            f"birth-weight reference {name}: sex must be male/female and parity_group 0/1+"
        )
    if "ga_days" in ref.columns:
        ref["ga_days"] = pd.to_numeric(ref["ga_days"]).astype(int)
        width = 1
    else:
        ref["ga_days"] = pd.to_numeric(ref["ga_weeks"]).astype(int) * 7
        width = 7
    ref["ga_days_end"] = ref["ga_days"] + width - 1
    ref["p10"] = pd.to_numeric(ref["p10"], errors="coerce")
    if ref["p10"].isna().any() or (ref["p10"] <= 0).any():
        raise SpecError(f"birth-weight reference {name}: p10 must be a positive weight in grams")
    key = ["sex", "parity_group", "ga_days"]
    if ref.duplicated(key).any():
        raise SpecError(f"birth-weight reference {name} has duplicate rows for {key}")
    return ref[["sex", "parity_group", "ga_days", "ga_days_end", "p10"]].sort_values(key)


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def sga(births: pd.DataFrame, reference: pd.DataFrame | str | Path | None = None) -> pd.Series:
    """SGA flag per baby: 1 below the reference's 10th centile, 0 at or above it,
    missing when weight, sex, parity or gestational age is missing or the gestational
    age lies outside the reference.

    Parameters
    ----------
    births : DataFrame
        With ``birth_weight``, ``sex``, ``parity`` and ``ga_days``.
    reference : DataFrame, path or None
        A reference (see :func:`load_reference`); ``None`` for the shipped one.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"sex": ["male", "female"] * 2, "parity_group": ["0", "0", "1+", "1+"],
    ...                     "ga_weeks": [40] * 4, "p10": [3000, 2900, 3100, 3000]})
    >>> b = pd.DataFrame({"birth_weight": [2950, 2950, 3500, None], "sex": ["male", "female", "male", "male"],
    ...                   "parity": [0, 0, 2, 0], "ga_days": [282, 282, 280, 282]})
    >>> sga(b, ref).tolist()
    [1.0, 0.0, 0.0, nan]
    """
    needed = ["birth_weight", "sex", "parity", "ga_days"]
    lacking = [c for c in needed if c not in births.columns]
    if lacking:
        raise SpecError(f"SGA needs column(s) {', '.join(lacking)}, which the data does not have")
    if reference is None or isinstance(reference, str | Path):
        ref = load_reference(reference)
    else:
        ref = check_reference(reference)
    # columns as arrays; the sexes (a few distinct values) are lower-cased once
    sex = births["sex"]
    if isinstance(sex.dtype, pd.CategoricalDtype):
        # a category column (io.link) is coded already: its codes, no text copy
        codes, uniques = sex.cat.codes.to_numpy(), sex.cat.categories
    else:
        codes, uniques = pd.factorize(sex.astype("string"), use_na_sentinel=True)
    sex_names = np.array([str(u).lower() for u in uniques] + [""], dtype=object)
    parity = _numbers(births["parity"])
    ga = _numbers(births["ga_days"])
    weight = _numbers(births["birth_weight"])
    # a row needs all four (else NaN); parity groups 0 and 1+
    complete = (codes >= 0) & ~np.isnan(parity) & ~np.isnan(ga) & ~np.isnan(weight)
    blocks = list(ref.groupby(["sex", "parity_group"]))
    # per row its block of the reference: sex (as a position among the reference's
    # sexes) and parity group 0 / 1+ in one small key; -1 where incomplete
    sexes = sorted({sex for (sex, _), _ in blocks})
    sex_at = np.array([sexes.index(u) if u in sexes else -1 for u in sex_names], dtype=np.int8)
    key = sex_at[codes] * np.int8(2)
    key += parity != 0
    key[~complete | (sex_at[codes] < 0)] = -1
    flags_all = np.full(len(births), np.nan)
    for (sex, par), block in blocks:
        rows = np.flatnonzero(key == sexes.index(sex) * 2 + (par != "0"))
        if not len(rows):
            continue
        starts = block["ga_days"].to_numpy()
        ends = block["ga_days_end"].to_numpy()
        pos = np.searchsorted(starts, ga[rows], side="right") - 1
        inside = (pos >= 0) & (ga[rows] <= ends[np.clip(pos, 0, None)])
        p10 = block["p10"].to_numpy()[np.clip(pos, 0, None)]
        flags_all[rows] = np.where(inside, (weight[rows] < p10).astype(float), np.nan)
    result = pd.Series(flags_all, index=births.index, dtype=float, copy=False)
    return result
