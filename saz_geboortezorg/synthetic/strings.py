"""Fast construction of pandas string columns through pyarrow (no Python objects).

A million pregnancy ids as Python ``str`` objects cost seconds and hundreds of MB;
built as Arrow strings they cost a fraction of both. Columns get pandas' default
string dtype (``str``, Arrow-backed, NaN for missing).

Examples
--------
>>> import numpy as np
>>> prefixed("ZW", np.array([10000001, 10000002])).tolist()
['ZW10000001', 'ZW10000002']
>>> labels(np.array([1, 0, 1]), ["a", "b"]).tolist()
['b', 'a', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["STR", "prefixed", "labels"]

#: pandas' default string dtype (Arrow storage, NaN as missing value).
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _wrap(array: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(array, dtype=STR)


def prefixed(prefix: str, numbers: np.ndarray) -> pd.arrays.ArrowStringArray:
    """``prefix`` followed by each number (numbers of equal digit count sort as text)."""
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return _wrap(pc.binary_join_element_wise(prefix, text, ""))


def labels(codes: np.ndarray, names: Sequence[str]) -> pd.arrays.ArrowStringArray:
    """The label of each integer code (``names[code]``)."""
    dictionary = pa.array(list(names), type=pa.string())
    array = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), dictionary)
    return _wrap(array.cast(pa.string()))
