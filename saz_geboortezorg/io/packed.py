"""The typed extracts held small after linking: ``Dataset.sources`` as a lazy mapping.

After :func:`~saz_geboortezorg.io.link.link` every birth's data sits in ``births`` and
``women``; the typed source frames are needed again only by a few consumers
(``excluded_records``, ``completeness``, the costs, the ``validate`` command). Holding
them as they are doubles the load's memory at national scale (2.0 GB of 5.9 GB at
2,000,000 pregnancies). So each source frame is *packed* column by column in a smaller
form that gives back exactly the same values and dtypes:

- nullable integers (``Int64``: flags and small codes) as the smallest integer type
  that holds them plus a missing mask (2 bytes a row instead of 9);
- text, dates and decimals with few distinct values (codes like ``type_partus``,
  ``zorgfase``) as integer codes into their distinct values (1 or 2 bytes a row instead
  of about 25 for text);
- anything else (ids, free text) as it is.

:class:`Sources` is the mapping of ``Dataset.sources``: a source frame is rebuilt on
first access and kept from then on, so code that reads ``data.sources["perined_lvr1"]``
sees the same DataFrame (values, dtypes, index, column order) as before, and the
linkage reads single columns through :meth:`PackedFrame.view` without rebuilding whole
frames.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame(
...     {"code": pd.array([1, None, 2, 1], dtype="Int64"),
...      "kind": pd.array(["a", "b", None, "a"], dtype="str"),
...      "id": pd.array(["x1", "x2", "x3", "x4"], dtype="str")},
...     index=pd.RangeIndex(1, 5, name="row"))
>>> packed = PackedFrame(frame, sample=4)
>>> packed.frame().equals(frame), packed.frame().dtypes.astype(str).tolist()
(True, ['Int64', 'str', 'str'])
>>> packed.view()["kind"].tolist()
['a', 'b', nan, 'a']
>>> sources = Sources({"claims": frame}, pack_rows=0)
>>> sources
Sources(claims: 4 rows (packed))
>>> sources["claims"] is sources["claims"], sorted(sources)
(True, ['claims'])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from saz_geboortezorg.io.fast import arrow_text, int_parts

__all__ = ["PackedFrame", "Sources", "pack"]

#: Rows looked at first to skip id columns (nearly every value distinct) cheaply.
SAMPLE = 20_000

#: Sources with fewer rows are kept as they are: packing costs about 0.1 s and saves
#: under 100 MB at the programme's size (60,000 births); it pays at national scale.
PACK_ROWS = 250_000


def _small_int(low: int, high: int) -> np.dtype | None:
    """The smallest signed integer dtype holding ``low..high`` (None: int64 is needed)."""
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return np.dtype(dtype)
    return None


def _few_distinct(values: Any, sample: int) -> bool:
    """Whether the first ``sample`` values repeat enough for codes to pay off."""
    head = values[:sample]
    return len(head) > 0 and len(pd.unique(head)) <= len(head) // 4


class _Integers:
    """A nullable integer column as small integers and a missing mask."""

    def __init__(self, array: pd.api.extensions.ExtensionArray, small: np.dtype) -> None:
        self.dtype = array.dtype
        self.n = len(array)
        parts = int_parts(array)
        if parts is None:
            mask = np.asarray(array.isna(), dtype=bool)
            self.mask = mask if mask.any() else None
            self.values = array.to_numpy(dtype=small, na_value=0)
            return
        data, missing = parts  # cast the column's own buffer once, 0 where missing
        self.mask = missing.copy() if missing.any() else None
        self.values = data.astype(small)
        if self.mask is not None:  # times 0 where missing: no boolean indexing
            np.multiply(self.values, ~self.mask, out=self.values)

    def array(self) -> Any:
        mask = np.zeros(self.n, dtype=bool) if self.mask is None else self.mask.copy()
        cls = self.dtype.construct_array_type()
        return cls(self.values.astype(self.dtype.numpy_dtype), mask)


class _Codes:
    """A column as integer codes (-1: missing) into its distinct values."""

    def __init__(self, codes: np.ndarray, uniques: Any, missing: Any) -> None:
        small = _small_int(-1, max(len(uniques) - 1, 0))
        self.codes = codes.astype(small if small is not None else np.int64)
        self.uniques = uniques
        self.missing = missing  # numpy columns: the value that stands for missing

    def array(self) -> Any:
        codes = self.codes.astype(np.intp)
        if self.missing is None:  # an extension array: take fills -1 with its NA
            return self.uniques.take(codes, allow_fill=True)
        pool = np.append(self.uniques, np.array([self.missing], dtype=self.uniques.dtype))
        return pool[codes]


class _Text:
    """Arrow-backed text as codes into its distinct values (Arrow's dictionary encoding)."""

    def __init__(self, codes: np.ndarray, dictionary: pa.Array, dtype: Any) -> None:
        small = _small_int(-1, max(len(dictionary) - 1, 0))
        self.codes = codes.astype(small if small is not None else np.int64)
        self.dictionary = dictionary
        self.dtype = dtype

    def array(self) -> Any:
        codes = self.codes.astype(np.int64)
        taken = pc.take(self.dictionary, pa.array(codes, mask=codes < 0))
        return pd.array(taken, dtype=self.dtype)


def _bounds(values: pd.arrays.IntegerArray) -> tuple[int, int] | None:
    """Bounds of the values present that choose the packed type; None when all are missing.

    For ``Int64`` the bounds over the column's whole buffer (values under the mask
    included: plain numpy reductions, no masked copies) are given when they already
    fit ``int8`` (the smallest type; also when all values are missing); otherwise
    the exact (smallest, largest) of the values present (``where=``, slower).

    Examples
    --------
    >>> _bounds(pd.array([300, None, -2], dtype="Int64")), _bounds(pd.array([], dtype="Int64"))
    ((-2, 300), None)
    """

    parts = int_parts(values)
    if parts is None:
        low = values.min(skipna=True)
        return None if pd.isna(low) else (int(low), int(values.max(skipna=True)))
    data, missing = parts
    if not len(data):
        return None
    low, high = int(data.min()), int(data.max())
    if not missing.any() or _small_int(low, high) == np.int8:
        # no missing value, or the bounds over all rows (values under the mask
        # included) already need the smallest type: the exact bounds would too
        return low, high
    present = ~missing
    if not present.any():
        return None
    info = np.iinfo(np.int64)
    low = data.min(where=present, initial=info.max)
    return int(low), int(data.max(where=present, initial=info.min))


def _day_codes(values: np.ndarray) -> _Codes | None:
    """Dates at midnight as codes counting days from the first date, without hashing.

    ``pool[code]`` gives back every value exactly (NaT: code -1); None when some
    value has a time of day or the dates span more than ``int16`` days (or too many
    days for the rows), for which the caller factorizes as usual.

    Examples
    --------
    >>> d = np.array(["2020-01-03", "NaT", "2020-01-01"], dtype="datetime64[ms]")
    >>> packed = _day_codes(d)
    >>> packed.codes.tolist(), bool((packed.array() == d).sum() == 2)
    ([2, -1, 0], True)
    """

    unit = np.datetime_data(values.dtype)[0]
    if unit not in ("D", "h", "m", "s", "ms", "us", "ns"):
        return None  # months, years: not a whole number of days
    ints = values.view(np.int64)
    nat = np.isnat(values)
    if nat.all():
        return None
    day = int(np.timedelta64(1, "D") // np.timedelta64(1, unit))
    high = int(ints.max())
    known = ~nat
    low = int(ints.min(where=known, initial=high))
    if day < 1 or (high - low) // day > np.iinfo(np.int16).max - 1:
        return None
    # days from the first date; NaT one day before it, so that its code is -1
    offsets = np.where(known, ints, low - day)
    offsets -= low
    if high - low + day < 2**53:  # exact in float64, where division is fast
        days = offsets.astype(np.float64)
        days /= day
        codes = days.astype(_small_int(-1, (high - low) // day))
        if (codes != days).any():  # some value is not at midnight
            return None
    else:
        if (offsets % day).any():
            return None
        codes = offsets // day
    uniques = (low + day * np.arange((high - low) // day + 1, dtype=np.int64)).view(values.dtype)
    return _Codes(codes, uniques, np.datetime64("NaT"))


def _pack(values: Any, sample: int, encoded: pa.DictionaryArray | None = None) -> Any:
    """The column's packed form, or the column itself when packing would not pay.

    ``encoded``: the text column's dictionary encoding if already made (as
    ``pc.dictionary_encode(...).combine_chunks()`` of its Arrow array).
    """
    dtype = values.dtype
    if isinstance(values, pd.arrays.IntegerArray):
        bounds = _bounds(values)
        if bounds is None:  # no value present
            return _Integers(values, np.dtype(np.int8))
        small = _small_int(*bounds)
        if small is not None and small.itemsize < dtype.numpy_dtype.itemsize:
            return _Integers(values, small)
        return values
    if isinstance(dtype, pd.StringDtype):
        if not _few_distinct(values, sample):
            return values
        arrow = arrow_text(pd.Series(values, copy=False))
        if arrow is not None:
            if encoded is None:
                encoded = pc.dictionary_encode(arrow).combine_chunks()
            if len(encoded.dictionary) > len(values) // 4:
                return values
            indices = encoded.indices
            if indices.null_count:
                indices = pc.fill_null(indices, -1)
            codes = np.asarray(indices)  # Arrow's int32 (no copy when none is missing)
            return _Text(codes, encoded.dictionary, dtype)
        codes, uniques = values.factorize(use_na_sentinel=True)
        return _Codes(codes, uniques, None) if len(uniques) <= len(values) // 4 else values
    numpy_backed = isinstance(values, pd.arrays.NumpyExtensionArray | pd.arrays.DatetimeArray)
    if numpy_backed and np.asarray(values[:0]).dtype.kind in "fM":
        array, values = values, np.asarray(values)  # the column's ndarray (no tz)
        dtype = values.dtype
        if dtype.kind == "f" and bool((np.signbit(values) & (values == 0)).any()):
            return array  # -0.0 and 0.0 are one value to factorize: keep the sign
        if not _few_distinct(values, sample):
            return array
        if dtype.kind == "M":
            days = _day_codes(values)
            if days is not None and len(days.uniques) <= len(values) // 4:
                return days
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) > len(values) // 4:
            return array
        missing = np.datetime64("NaT") if dtype.kind == "M" else np.nan
        return _Codes(codes, np.asarray(uniques, dtype=dtype), missing)
    return values


def _unpack(part: Any) -> Any:
    return part.array() if isinstance(part, _Integers | _Codes | _Text) else part


class PackedFrame:
    """A DataFrame held column by column in a smaller form (see the module's note).

    ``frame()`` rebuilds the DataFrame with the same values, dtypes, index, column
    order and ``attrs``; ``view()`` reads single columns without rebuilding the rest.
    ``sample`` rows are looked at first to leave id columns as they are. ``encoded``
    gives, by column name, text columns' dictionary encodings already made (by the
    checks: ``Extract.encoding``), so that they are not encoded again.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        sample: int = SAMPLE,
        encoded: Mapping[str, pa.DictionaryArray] | None = None,
    ) -> None:
        self.index = frame.index
        self.columns = frame.columns
        self.attrs = dict(frame.attrs)
        encoded = encoded or {}
        self.parts = [
            _pack(frame.iloc[:, i].array, sample, encoded.get(name))
            for i, name in enumerate(frame.columns)
        ]

    def __len__(self) -> int:
        return len(self.index)

    def column(self, name: str) -> pd.Series:
        """One column as a Series on the frame's index."""
        i = self.columns.get_loc(name)
        return pd.Series(_unpack(self.parts[i]), index=self.index, name=name, copy=False)

    def int_parts(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """A packed integer column's small integers and missing mask (None: none missing).

        Read them, do not write to them; the values under the mask are 0. None when the
        column is not held as small integers (read it with :meth:`column`).

        Examples
        --------
        >>> frame = pd.DataFrame({"a": pd.array([3, None, 5], dtype="Int64")})
        >>> values, mask = PackedFrame(frame).int_parts("a")
        >>> values.dtype.name, values.tolist(), mask.tolist()
        ('int8', [3, 0, 5], [False, True, False])
        """
        part = self.parts[self.columns.get_loc(name)]
        return (part.values, part.mask) if isinstance(part, _Integers) else None

    def coded(self, name: str) -> tuple[np.ndarray, Any] | None:
        """A column held as codes: (codes, -1 for missing; its distinct values, an
        array of the column's dtype).

        Read the codes, do not write to them. None when the column is not held as
        codes (read it with :meth:`column`).

        Examples
        --------
        >>> frame = pd.DataFrame({"a": pd.Series(["x", None, "y", "x"] * 4, dtype="str")})
        >>> codes, values = PackedFrame(frame).coded("a")
        >>> [values[c] if c >= 0 else None for c in codes[:4]]
        ['x', None, 'y', 'x']
        """
        part = self.parts[self.columns.get_loc(name)]
        if isinstance(part, _Text):
            return part.codes, pd.array(part.dictionary, dtype=part.dtype)
        if isinstance(part, _Codes) and part.missing is None:
            return part.codes, part.uniques
        return None

    def frame(self) -> pd.DataFrame:
        """The DataFrame as it was packed."""
        out = pd.DataFrame(
            {i: _unpack(p) for i, p in enumerate(self.parts)}, index=self.index, copy=False
        )
        out.columns = self.columns
        out.attrs = dict(self.attrs)
        return out

    def view(self) -> _ColumnView:
        """Columns on demand (``view[name]``, ``name in view``, ``len``, ``columns``)."""
        return _ColumnView(self)


class _ColumnView:
    """What the linkage reads of a source frame, one column rebuilt at a time."""

    def __init__(self, packed: PackedFrame) -> None:
        self._packed = packed
        self.columns = packed.columns
        self.index = packed.index

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> pd.Series:
        return self._packed.column(name)

    def int_parts(self, name: str) -> tuple[np.ndarray, np.ndarray | None] | None:
        """See :meth:`PackedFrame.int_parts`."""
        return self._packed.int_parts(name)

    def coded(self, name: str) -> tuple[np.ndarray, Any] | None:
        """See :meth:`PackedFrame.coded`."""
        return self._packed.coded(name)


def pack(
    frame: pd.DataFrame,
    pack_rows: int | None = None,
    encoded: Mapping[str, pa.DictionaryArray] | None = None,
) -> pd.DataFrame | PackedFrame:
    """``frame`` as :class:`Sources` holds it: packed from ``pack_rows`` rows on (default
    :data:`PACK_ROWS`), else as it is. ``encoded`` as in :class:`PackedFrame`.

    :func:`~saz_geboortezorg.io.load` packs each file as soon as it is checked (in the
    thread that read it) and hands the packed frames to :class:`Sources`.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.array([1, None, 2], dtype="Int64")})
    >>> type(pack(frame)).__name__, type(pack(frame, pack_rows=3)).__name__
    ('DataFrame', 'PackedFrame')
    """
    least = PACK_ROWS if pack_rows is None else pack_rows
    return PackedFrame(frame, encoded=encoded) if len(frame) >= least else frame


class Sources(MutableMapping):
    """``Dataset.sources``: typed source frames by name, packed until first read.

    A frame is rebuilt (:meth:`PackedFrame.frame`) the first time it is read and kept
    from then on, so repeated reads give the same object, as a dict would. Frames of
    fewer than ``pack_rows`` rows (default :data:`PACK_ROWS`) are kept as they are.
    """

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame | PackedFrame] | None = None,
        pack_rows: int | None = None,
    ) -> None:
        self._items: dict[str, pd.DataFrame | PackedFrame] = {}
        for name, frame in (frames or {}).items():
            if isinstance(frame, pd.DataFrame):
                frame = pack(frame, pack_rows)
            self._items[name] = frame

    def __getitem__(self, name: str) -> pd.DataFrame:
        item = self._items[name]
        if isinstance(item, PackedFrame):
            item = self._items[name] = item.frame()
        return item

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        self._items[name] = frame

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def rows(self, name: str) -> int:
        """Rows of a source without rebuilding it."""
        return len(self._items[name])

    def views(self, whole: tuple[str, ...] = ()) -> dict[str, Any]:
        """Each source as the linkage reads it: packed ones column by column.

        The sources named in ``whole`` (small ones a caller needs as DataFrames, such as
        ``organisaties``) are rebuilt and given as frames.
        """
        return {
            name: self[name]
            if name in whole
            else item.view()
            if isinstance(item, PackedFrame)
            else item
            for name, item in self._items.items()
        }

    def __repr__(self) -> str:
        state = ", ".join(
            f"{n}: {len(v):,} rows{' (packed)' if isinstance(v, PackedFrame) else ''}"
            for n, v in self._items.items()
        )
        return f"Sources({state})"
