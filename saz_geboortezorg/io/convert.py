"""Convert raw extract values to the declared column types.

Each converter takes a raw column (text from a CSV, or a typed Parquet column) and
returns the typed values plus a mask of values that were filled in the file but
could not be converted. Nothing here raises: the caller turns bad values into
messages with row numbers.

Types (``extracts.yaml``): ``string``, ``integer`` (nullable ``Int64``), ``float``
(``float64``, NaN when empty), ``date`` (``datetime64``), ``flag`` (0/1 as ``Int64``).

Numbers may use a decimal comma (``24,5``), and Dutch thousands separators with a
decimal comma (``1.310,75``). Dates are ISO ``yyyy-mm-dd`` (a time part is allowed);
the Dutch ``dd-mm-yyyy`` is accepted too.

Examples
--------
>>> import pandas as pd
>>> c = convert(pd.Series(["1", "24,5", "x", None]), "float")
>>> c.values.tolist()[:2], c.bad.tolist(), c.filled.tolist()
([1.0, 24.5], [False, False, True, False], [True, True, True, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from saz_geboortezorg.io.fast import arrow_text, int_parts, text_to_float

__all__ = ["Conversion", "convert", "EXPECTED_TYPE"]

#: What a value of each type should look like, for messages.
EXPECTED_TYPE = {
    "string": "text",
    "integer": "a whole number",
    "float": "a number (e.g. 24.5 or 24,5)",
    "date": "a date as yyyy-mm-dd (e.g. 2024-03-31)",
    "flag": "0 (no) or 1 (yes)",
}

_THOUSANDS_DECIMAL_COMMA = r"^-?\d{1,3}(\.\d{3})+(,\d+)?$"


@dataclass
class Conversion:
    """Result of converting one column.

    Attributes
    ----------
    values : Series
        Typed values; NA where empty or not convertible.
    filled : ndarray of bool
        The value was filled in the file.
    bad : ndarray of bool
        Filled but not convertible to the type.
    """

    values: pd.Series
    filled: np.ndarray
    bad: np.ndarray


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _as_text(s: pd.Series) -> pd.Series:
    """Any column as text with NA for empty values (text is assumed stripped already)."""
    if _is_text(s):
        return s
    if pd.api.types.is_float_dtype(s):
        whole = s.dropna()
        if len(whole) and bool(np.all(np.mod(whole.to_numpy(), 1) == 0)):
            s = s.astype("Int64")
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("Int64")
    return s.astype("str").where(s.notna())


def _numbers(s: pd.Series) -> pd.Series:
    """Parse text as float, allowing a decimal comma and Dutch thousands separators."""
    if not _is_text(s):
        if pd.api.types.is_bool_dtype(s):
            return s.astype("float64")
        return pd.to_numeric(s, errors="coerce").astype("float64")
    plain = _arrow_float(s)
    if plain is not None:  # every value is a plain number (no comma: Arrow rejects it)
        return plain
    text = s
    has_comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    if has_comma.any():
        sub = text[has_comma]
        thousands = sub.str.match(_THOUSANDS_DECIMAL_COMMA).fillna(False).to_numpy(dtype=bool)
        sub = sub.where(~thousands, sub.str.replace(".", "", regex=False))
        single = sub.str.count(",") == 1
        no_dot = ~sub.str.contains(".", regex=False)
        fixed = sub.str.replace(",", ".", regex=False).where(single & no_dot, sub)
        text = text.copy()
        text[has_comma] = fixed
    return text_to_float(text)


def _arrow_float(s: pd.Series) -> pd.Series | None:
    """Arrow-backed text as float64 when every value parses as a plain number, else None."""
    arr = arrow_text(s)
    if arr is None:
        return None
    try:
        out = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(out.to_numpy(), index=s.index, dtype="float64", copy=False)


def _exact_integers(s: pd.Series) -> np.ndarray | None:
    """The values of an integer-typed column (a Parquet integer) as int64, 0 where NA.

    None for other columns (text, floats, booleans, unsigned 64-bit), which go through
    the float conversion.
    """
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_integer_dtype(dtype):
        return None
    if getattr(dtype, "kind", "i") == "u" and getattr(dtype, "itemsize", 8) >= 8:
        return None
    return s.to_numpy(dtype="int64", na_value=0)


def _dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.tz_localize(None) if s.dt.tz is not None else s
    if not _is_text(s):
        return pd.to_datetime(s, errors="coerce")
    distinct = _by_distinct_value(s)
    if distinct is not None:
        uniq, codes = distinct
        parsed = _text_dates(uniq).to_numpy()
        values = parsed[codes]
        values[codes < 0] = np.datetime64("NaT")
        return pd.Series(values, index=s.index, copy=False)
    return _text_dates(s)


def _by_distinct_value(s: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    """(distinct values, code of each row, -1 for NA) of Arrow text with many repeats.

    Dates repeat (a few thousand days in millions of rows): parsing each distinct
    text once and taking by code gives the same values as parsing every row.
    """
    arr = arrow_text(s)
    if arr is None or arr.null_count == len(arr) or len(arr) < 1000:
        return None
    encoded = pc.dictionary_encode(arr.combine_chunks())
    if len(encoded.dictionary) * 4 > len(arr):
        return None
    codes = np.asarray(pc.fill_null(encoded.indices, -1), dtype=np.int64)
    return pd.Series(pd.array(encoded.dictionary, dtype=s.dtype)), codes


def _text_dates(text: pd.Series) -> pd.Series:
    out = pd.to_datetime(text, format="ISO8601", errors="coerce")
    retry = out.isna().to_numpy() & text.notna().to_numpy()
    if retry.any():
        out = out.copy()
        out[retry] = pd.to_datetime(text[retry], format="%d-%m-%Y", errors="coerce")
    return out


def convert(raw: pd.Series, type_: str) -> Conversion:
    """Convert one raw column to ``type_`` and report which values failed.

    Parameters
    ----------
    raw : Series
        Raw values: text stripped of spaces with NA for empty values (as
        :func:`saz_geboortezorg.io.read.clean_text` makes it), or a Parquet-typed column.
    type_ : str
        ``string``, ``integer``, ``float``, ``date`` or ``flag``.

    Returns
    -------
    Conversion

    Examples
    --------
    >>> import pandas as pd
    >>> c = convert(pd.Series(["3", "3.5", "drie", None]), "integer")
    >>> c.values.tolist(), c.bad.tolist()
    ([3, <NA>, <NA>, <NA>], [False, True, True, False])
    """
    parts = int_parts(raw) if type_ in ("integer", "flag") else None
    if parts is not None:  # already Int64 (Parquet): check the data, share it when all fit
        data, missing = parts
        filled = ~missing
        if type_ == "integer" or (len(data) and data.min() >= 0 and data.max() <= 1):
            # an integer, or a flag whose every value is 0 or 1 (with 0 where missing)
            return Conversion(raw, filled, np.zeros(len(raw), dtype=bool))
        ok = filled & ((data == 0) | (data == 1))
        bad = filled & ~ok
        if not bad.any():
            return Conversion(raw, filled, bad)
        ints = pd.arrays.IntegerArray(np.where(ok, data, 0), ~ok)
        return Conversion(pd.Series(ints, index=raw.index, copy=False), filled, bad)
    filled = raw.notna().to_numpy()
    if type_ == "string":
        values = _as_text(raw).astype("str")
        return Conversion(values, filled, np.zeros(len(raw), dtype=bool))
    if type_ in ("integer", "flag"):
        exact = _exact_integers(raw)
        if exact is not None:
            ok = filled.copy()
            if type_ == "flag":
                ok &= (exact == 0) | (exact == 1)
            if isinstance(raw.dtype, pd.Int64Dtype) and ok.all():
                # already what we would build (no NA, nothing bad): share, do not copy
                return Conversion(raw, filled, np.zeros(len(raw), dtype=bool))
            data = np.where(ok, exact, 0)
        else:
            arr = _numbers(raw).to_numpy(dtype="float64", na_value=np.nan)
            whole = np.trunc(arr)  # the one float temporary: becomes the data
            with np.errstate(invalid="ignore"):
                ok = whole == arr  # NaN (empty, not a number) is not equal to itself
            ok &= np.isfinite(arr)
            if type_ == "flag":
                ok &= (arr == 0) | (arr == 1)
            whole[~ok] = 0
            data = whole.astype("int64")
        bad = filled & ~ok
        ints = pd.arrays.IntegerArray(data, ~ok)
        return Conversion(pd.Series(ints, index=raw.index, copy=False), filled, bad)
    if type_ == "float":
        if pd.api.types.is_float_dtype(raw.dtype) and isinstance(raw.dtype, np.dtype):
            arr = raw.to_numpy(dtype="float64")
        else:
            arr = _numbers(raw).to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isfinite(arr)
        bad = filled & ~ok
        values = np.where(ok, arr, np.nan)
        return Conversion(pd.Series(values, index=raw.index, copy=False), filled, bad)
    if type_ == "date":
        values = _dates(raw)
        bad = filled & values.isna().to_numpy()
        return Conversion(values, filled, bad)
    raise ValueError(f"unknown column type {type_!r}")
