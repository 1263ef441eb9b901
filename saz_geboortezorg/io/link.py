"""Link the validated extracts into the analysis tables ``births`` and ``women``.

Linkage is by the pseudonymous pregnancy id (``zwangerschap_id``):

* every LVR-2 row is a birth (one row per baby); the LVR-1 record of the same
  pregnancy, if any, adds the care path (practice, booking risk, referrals) and
  means care started in the first line (``start_line`` 1), else ``start_line`` 2;
* an LVR-1 record whose birth was under first-line responsibility
  (``eindverantwoordelijke_baring`` = 1) is a birth, unless the same pregnancy is
  also in LVR-2: then the LVR-2 record wins and the LVR-1 birth items are dropped
  (its care path is still joined);
* claims are summed per pregnancy, per line and per care phase into ``women``; a
  pregnancy without any linked claim has unknown costs (NaN), not EUR 0.

Records that do not end up in an analysis table are listed in the excluded table
with their reason, and the linkage report reconciles for every source:
records in = linked + excluded.

Items registered in both LVR-1 and LVR-2 (age, parity, BMI, ...) come from the
birth record; the LVR-1 value is used where the birth record is empty.

Examples
--------
>>> from saz_geboortezorg.io.link import REASONS
>>> REASONS["claim_unknown"]
'pregnancy id in no Perined source'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from saz_geboortezorg import schema
from saz_geboortezorg.io.decode import CS_MODES, band, categorical, decode, decode_codes
from saz_geboortezorg.io.fast import arrow_text, factorize_together, int_parts

__all__ = ["LinkResult", "link", "linkage_summary", "REASONS"]

#: Outcome details used in the linkage report and the excluded table.
REASONS = {
    "lvr1_birth": "first-line birth (midwife responsible at birth): a births row",
    "lvr1_care_path": "care path joined to the LVR-2 birth of the same pregnancy",
    "lvr1_both": (
        "birth registered in both LVR-1 and LVR-2: the LVR-2 record is used "
        "(the LVR-1 care path is still joined)"
    ),
    "lvr1_no_birth": "no birth in the registry (eindverantwoordelijke_baring empty, no LVR-2 record)",
    "lvr1_missing_lvr2": (
        "second line responsible at birth (eindverantwoordelijke_baring = 2) "
        "but no LVR-2 record of the pregnancy"
    ),
    "lvr2_with_lvr1": "birth with an LVR-1 record (care started in the first line)",
    "lvr2_only": "birth without an LVR-1 record (unlinked to LVR-1: care started in the second line)",
    "claim_linked": "claim of a pregnancy with a birth in the analysis tables",
    "claim_no_birth": "claim of a pregnancy that is in LVR-1 but has no birth record",
    "claim_unknown": "pregnancy id in no Perined source",
}

# LVR-1 columns joined onto LVR-2 births (care path), and shared items used as fallback.
_CARE_PATH = [
    "praktijk_id",
    "ziekenhuis_id",
    "conclusie_risicostatus_na_intake",
    "verwijzing_zwangerschap",
    "reden_verwijzing_zwangerschap",
    "verwijzing_durante_partu",
    "reden_verwijzing_durante_partu",
    "verwijzing_postpartum",
    "reden_verwijzing_postpartum",
]
_SHARED = [
    "leeftijd_moeder",
    "pariteit",
    "eerdere_sectio",
    "aantal_eerdere_sectio",
    "ses_kwintiel",
    "migratieachtergrond",
    "bmi",
    "roken",
    "voorgenomen_plaats_baring",
    "risicostatus_voor_baring",
]


@dataclass
class LinkResult:
    """The linked analysis tables and the linkage accounts."""

    births: pd.DataFrame
    women: pd.DataFrame
    linkage: pd.DataFrame
    excluded: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _num(s: pd.Series) -> pd.Series:
    """Numeric column for analysis: int64 when complete, float64 with NaN otherwise."""
    arr = pd.to_numeric(s, errors="coerce")
    if arr.isna().any():
        return arr.astype("float64")
    return arr.astype("int64")


def _float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _excluded(
    source: str, frame: pd.DataFrame, mask: np.ndarray, reason: str, id_col: str
) -> pd.DataFrame:
    # column by column: ``frame`` may be a packed source's column view (io.packed);
    # text stays text (the table's columns are ``str``: no Python string per row)
    at = np.flatnonzero(mask)

    def taken(column: str) -> Any:
        # (a boolean filter works chunk by chunk; Arrow's take would first join the
        # chunks of the whole column)
        values = frame[column].array[mask]
        if values.dtype == "str":
            return values
        return pd.Series(values, copy=False).to_numpy(dtype=object)

    def repeated(text: str) -> Any:
        return pd.array([text], dtype="str").take(np.zeros(len(at), dtype=np.intp))

    return pd.DataFrame(
        {
            "source": repeated(source),
            "row_in_file": frame.index[at].to_numpy(),
            "pregnancy_id": taken("zwangerschap_id"),
            "record_id": taken(id_col),
            "reason": repeated(reason),
        }
    )


def _is_number(dtype: object) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _gather(values: pd.api.extensions.ExtensionArray | None, at: np.ndarray) -> np.ndarray:
    """float64 ``values[at]`` (NaN for missing; all NaN without values).

    Examples
    --------
    >>> _gather(pd.array([1, None], dtype="Int64"), np.array([1, 0, 0])).tolist()
    [nan, 1.0, 1.0]
    >>> _gather(None, np.array([0, 0])).tolist()
    [nan, nan]
    """
    if values is None or not len(values):
        return np.full(len(at), np.nan)
    return values.to_numpy(dtype="float64", na_value=np.nan)[at]


def _read(
    frame: pd.DataFrame, name: str
) -> pd.api.extensions.ExtensionArray | tuple[np.ndarray, np.ndarray | None]:
    """A column as ``(integers, missing mask or None)`` when it is a nullable integer
    one, else as its array; a packed source's integers are not rebuilt (io.packed).

    Read the arrays, do not write to them.

    Examples
    --------
    >>> values, mask = _read(pd.DataFrame({"a": pd.array([2, None], dtype="Int64")}), "a")
    >>> values[~mask].tolist()
    [2]
    >>> _read(pd.DataFrame({"a": [1.5]}), "a").dtype.name
    'float64'
    """
    packed = frame.int_parts(name) if hasattr(frame, "int_parts") else None
    if packed is not None:
        return packed
    array = frame[name].array
    parts = int_parts(array)
    return array if parts is None else parts


def _gather_int(parts: tuple[np.ndarray, np.ndarray | None], at: np.ndarray) -> np.ndarray:
    """float64 ``values[at]`` of ``_int_parts`` (NaN for missing), as ``_gather`` gives it.

    Examples
    --------
    >>> _gather_int((np.array([4, 0], dtype="int8"), np.array([False, True])), np.array([1, 0]))
    array([nan,  4.])
    """
    values, mask = parts
    if not len(values):
        return np.full(len(at), np.nan)
    out = values[at].astype("float64")
    if mask is not None:
        out[mask[at]] = np.nan
    return out


def _gather_any(
    read: pd.api.extensions.ExtensionArray | tuple[np.ndarray, np.ndarray | None] | None,
    at: np.ndarray,
) -> np.ndarray:
    """``_gather`` of what ``_read`` gives (all NaN for None)."""
    return _gather_int(read, at) if isinstance(read, tuple) else _gather(read, at)


def _encoded(
    frame: pd.DataFrame, name: str, encode: Callable[[pd.Series], np.ndarray], at: np.ndarray
) -> np.ndarray:
    """``encode(frame[name])[at]``; a column a packed source holds as codes is encoded
    on its few distinct values (and missing) only, not rebuilt (``encode`` must code
    each value on its own).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.Series(["x", None, "y"], dtype="str")})
    >>> _encoded(frame, "a", lambda s: s.str.len().fillna(-1).to_numpy(), np.array([2, 1])).tolist()
    [1.0, -1.0]
    >>> ten = lambda s: (s * 10).fillna(-1).to_numpy()  # integers: on their range
    >>> frame = pd.DataFrame({"b": pd.array([3, None, 5], dtype="Int64"),
    ...                       "c": pd.array([3, None, -2], dtype="Int64")})
    >>> _encoded(frame, "b", ten, np.array([2, 1, 0])).tolist()
    [50, -1, 30]
    >>> _encoded(frame, "c", ten, np.array([2, 1, 0])).tolist()
    [-20, -1, 30]
    """
    coded = frame.coded(name) if hasattr(frame, "coded") else None
    if coded is None:
        read = _read(frame, name)
        if not isinstance(read, tuple):
            return encode(pd.Series(read, copy=False))[at]
        # integers: encoded on the range of the values held, then missing
        values, mask = read
        low, high = (int(values.min()), int(values.max())) if len(values) else (0, -1)
        if high - low >= 65_536:
            return encode(frame[name])[at]
        pool = pd.array([*range(low, high + 1), None], dtype="Int64")
        table = encode(pd.Series(pool))
        picked = values[at]
        if low < 0 or high - low + 1 > np.iinfo(picked.dtype).max:
            picked = picked.astype("int64")  # room for the shift and the missing slot
        idx = picked - low if low else picked
        if mask is not None:
            idx[mask[at]] = high - low + 1
        return table[idx]
    codes, uniques = coded
    # the distinct values, then the missing value (code -1: the last slot)
    pool = uniques.take(np.r_[np.arange(len(uniques)), -1], allow_fill=True)
    return encode(pd.Series(pool))[codes[at]]


def _digit_ids(*series: pd.Series) -> tuple[list[np.ndarray], np.ndarray] | None:
    """``factorize_together`` of ids that all have one fixed prefix and a fixed number
    of digits (``ZW10000000``), read as numbers without hashing; None for any other ids.

    Such ids sort as text exactly as their numbers sort, and the linkage uses the codes
    only as slots (which pregnancy) and the rank only for the order of the pregnancies:
    the code of an id is its number minus the smallest, and the rank the code itself
    (codes of numbers that do not occur are unused slots). None (hash instead) when an
    id is missing, a value breaks the pattern, the numbers are spread over more than
    twice the rows, or a Series is not Arrow text.

    Examples
    --------
    >>> text = lambda v: pd.Series(v, dtype="str")
    >>> (a, b), rank = _digit_ids(text(["ZW0012", "ZW0010"]), text(["ZW0010", "ZW0013"]))
    >>> a.tolist(), b.tolist(), rank.tolist()
    ([2, 0], [0, 3], [0, 1, 2, 3])
    >>> _digit_ids(text(["ZW0012", "ZX0010"])) is None  # another prefix
    True
    >>> _digit_ids(text(["ZW0012", None])) is None
    True
    """
    chunks: list[list[pa.Array]] = []
    for s in series:
        arr = arrow_text(s)
        if arr is None:
            return None
        chunks.append(arr.chunks)
    first = next((c for parts in chunks for c in parts if len(c)), None)
    if first is None:
        return None
    sample = first[0].as_py().encode()
    width = len(sample)
    digits = len(sample) - len(sample.rstrip(b"0123456789"))
    digits = min(digits, 18)  # int64
    if not digits:
        return None
    prefix = np.frombuffer(sample[: width - digits], dtype=np.uint8)
    numbers: list[np.ndarray] = []
    for parts in chunks:
        out = []
        for chunk in parts:
            n = len(chunk)
            if not n:
                out.append(np.empty(0, dtype=np.int64))
                continue
            if chunk.null_count:
                return None
            large = pa.types.is_large_string(chunk.type)
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if large else np.int32)
            offsets = offsets[chunk.offset : chunk.offset + n + 1]
            start = int(offsets[0])
            if int(offsets[-1]) - start != n * width or (np.diff(offsets) != width).any():
                return None
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
            number = _chunk_numbers(data[start : start + n * width], width, prefix, digits)
            if number is None:
                return None
            out.append(number)
        numbers.append(np.concatenate(out) if out else np.empty(0, dtype=np.int64))
    total = sum(len(v) for v in numbers)
    low = min(int(v.min()) for v in numbers if len(v))
    high = max(int(v.max()) for v in numbers if len(v))
    if high - low + 1 > 2 * total + 1024:
        return None
    for v in numbers:
        v -= low
    return numbers, np.arange(high - low + 1, dtype=np.int64)


_ZEROS = np.uint64(0x3030303030303030)  # eight ASCII "0"
_HIGH = np.uint64(0xF0F0F0F0F0F0F0F0)


def _chunk_numbers(
    flat: np.ndarray, width: int, prefix: np.ndarray, digits: int
) -> np.ndarray | None:
    """The numbers of ``len(flat) // width`` ids of ``width`` bytes each: ``prefix``
    then ``digits`` ASCII digits (None when a value differs).

    Up to 8 digits are read eight bytes at a time (the last eight bytes of each id as
    one integer, the digits checked and combined pairwise: a few passes over one
    integer per id); longer ones digit by digit.

    Examples
    --------
    >>> ids = np.frombuffer(b"ZW0012ZW9870", dtype=np.uint8)
    >>> _chunk_numbers(ids, 6, np.frombuffer(b"ZW", np.uint8), 4).tolist()
    [12, 9870]
    >>> _chunk_numbers(ids, 6, np.frombuffer(b"ZX", np.uint8), 4) is None
    True
    """
    n = len(flat) // width
    for j, byte in enumerate(prefix.tolist()):
        if not (flat[j::width] == byte).all():
            return None
    if digits <= 8 <= width:
        # the last eight bytes of each id, first digit in the lowest byte
        words = np.ndarray(
            (n,), dtype="<u8", buffer=flat, offset=width - 8, strides=(width,)
        ).astype(np.uint64)
        if digits < 8:  # bytes of the prefix in the word count as "0"
            low = np.uint64((1 << (8 * (8 - digits))) - 1)
            words &= ~low
            words |= _ZEROS & low
        # every byte a digit: high nibble 3, and still 3 after adding 6
        if not ((words & _HIGH) == _ZEROS).all():
            return None
        check = words + np.uint64(0x0606060606060606)
        check &= _HIGH
        if not (check == _ZEROS).all():
            return None
        del check
        words -= _ZEROS
        # pairs of digits, then fours, then all eight (each step: high * base + low)
        for shift, base, keep in (
            (8, 10, 0x00FF00FF00FF00FF),
            (16, 100, 0x0000FFFF0000FFFF),
            (32, 10_000, 0x00000000FFFFFFFF),
        ):
            lower = words >> np.uint64(shift)
            words *= np.uint64(base)
            words += lower
            words &= np.uint64(keep)
        return words.view(np.int64)
    rows = flat.reshape(n, width)
    figures = rows[:, len(prefix) :] - np.uint8(48)
    if (figures > 9).any():
        return None
    number = figures[:, 0].astype(np.int64)
    for j in range(1, digits):
        number *= 10
        number += figures[:, j]
    return number


def _pregnancy_codes(*series: pd.Series) -> tuple[list[np.ndarray], np.ndarray]:
    """``factorize_together`` of the pregnancy ids: by their numbers (``_digit_ids``)
    where the ids allow it, else hashed."""
    fast = _digit_ids(*series)
    return fast if fast is not None else factorize_together(*series)


#: columns of ``_BirthRows`` not gathered from a source column of the same name
_MADE_OTHERWISE = frozenset({"_source", "_has_l1", "l1_aantal_eerdere_sectio"})


class _BirthRows:
    """The unified birth rows, one column at a time, in the final order of ``births``.

    Row ``i`` is LVR-2 row ``src2[i]`` or, where that is -1, the first-line LVR-1 birth
    ``src1[i]``; ``care[i]`` is the row of the pregnancy's LVR-1 record (-1: none). A
    column is built when first asked for, with one ``take`` from the source column(s):
    the birth item from the birth record (LVR-2, else the LVR-1 birth), ``l1_<name>``
    from the LVR-1 record. Source columns that the analysis tables do not use are never
    copied, and the rows need no reordering afterwards.
    """

    def __init__(
        self,
        l1: pd.DataFrame,
        l2: pd.DataFrame,
        src2: np.ndarray,
        src1: np.ndarray,
        care: np.ndarray,
    ) -> None:
        self.l1, self.l2 = l1, l2
        self.src2, self.src1, self.care = src2, src1, care
        self.from2 = src2 >= 0
        # per row its position in [LVR-2 rows, LVR-1 rows] (text: one gather per column)
        self.both = np.where(self.from2, src2, len(l2) + src1)
        # numbers: gather the LVR-2 values (row 0 stands in for the LVR-1 rows), then
        # overwrite the LVR-1 rows; no pool of both sources is built
        self.rows1 = np.flatnonzero(~self.from2)
        self.at2 = np.where(self.from2, src2, 0)
        self.at1 = src1[self.rows1]
        self.no_care = np.flatnonzero(care < 0)
        self.at_care = np.where(care >= 0, care, 0)
        self.index = pd.RangeIndex(len(src2))
        self._made: dict[str, pd.Series] = {}
        # a birth item must be in both extracts; the optional items and the LVR-2-only
        # items are empty where an extract does not have them
        self.columns = set(l2.columns) & set(l1.columns) | {"n_babies_raw", "_source", "_has_l1"}
        self.columns |= {f"l1_{c}" for c in _CARE_PATH + _SHARED if c in l1.columns}
        self.columns |= {"ziekenhuis_aanvang_zorg", "aantal_eerdere_sectio"}
        self.columns |= {"l1_aantal_eerdere_sectio"}
        self.columns |= {"indicatie_primaire_sectio"} & set(l2.columns)

    def __contains__(self, column: str) -> bool:
        return column in self.columns

    def __setitem__(self, column: str, values: pd.Series) -> None:
        self._made[column] = values

    def __getitem__(self, column: str) -> pd.Series:
        if column not in self._made:
            self._made[column] = self._make(column)
        return self._made[column]

    def _combine(self, c2: str | None, c1: str | None, empty: str) -> pd.Series:
        """Column ``c2`` of LVR-2 for its rows, ``c1`` of LVR-1 for first-line births.

        Numbers come as float64 with NaN for missing (the analysis columns are made
        from them with ``_num``/``_float``/``decode``, which read them so); other
        columns keep their dtype.
        """
        # read once: a packed source column is rebuilt on every access (its integers
        # are read as they are packed)
        r2 = _read(self.l2, c2) if c2 is not None else None
        r1 = _read(self.l1, c1) if c1 is not None else None
        present = [r for r in (r2, r1) if r is not None]
        if not present:
            return pd.Series(pd.array([pd.NA] * len(self.src2), dtype=empty))
        if all(isinstance(r, tuple) or _is_number(r.dtype) for r in present):
            # the birth record's values: LVR-2 rows from c2, first-line births from c1
            # (NaN where the extract has no such column)
            out = _gather_any(r2, self.at2)
            out[self.rows1] = _gather_any(r1, self.at1)
            return pd.Series(out, copy=False)
        a2 = self.l2[c2].array if isinstance(r2, tuple) else r2
        a1 = self.l1[c1].array if isinstance(r1, tuple) else r1
        parts = [(a, at) for a, at in ((a2, self.src2), (a1, self.src1)) if a is not None]
        if len(parts) == 1:
            return pd.Series(parts[0][0].take(parts[0][1], allow_fill=True))
        (a2, _), (a1, _) = parts
        if (
            a2.dtype == a1.dtype
            and a2.dtype.kind == "M"
            and isinstance(a2.dtype, np.dtype)
            and len(a2)
            and len(a1)
        ):
            # dates (NaT for missing): gathered like the numbers, no copy of both sources
            out = a2.to_numpy()[self.at2]
            out[self.rows1] = a1.to_numpy()[self.at1]
            return pd.Series(out, copy=False)
        both = pd.concat([pd.Series(a2), pd.Series(a1)], ignore_index=True)
        return pd.Series(both.array.take(self.both))

    def _ints(self, column: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The birth item ``column`` as ``self[column]`` picks it, as integers and a
        missing mask (fresh arrays), gathered from the sources' small integers; None
        where a source is not held as integers (or for a column made otherwise)."""
        if column in self._made or column.startswith("l1_") or column in _MADE_OTHERWISE:
            return None
        if column not in self.columns:
            raise KeyError(column)
        # the source columns as ``_make`` picks them (None: the extract lacks it)
        if column == "n_babies_raw":
            names: tuple[str | None, str | None] = ("aantal_geboren_kinderen", "aantal_foetussen")
        else:
            lvr1_too = column not in ("indicatie_primaire_sectio", "ziekenhuis_aanvang_zorg")
            names = (
                column if column in self.l2.columns else None,
                column if lvr1_too and column in self.l1.columns else None,
            )
        sides = []
        for frame, name in ((self.l2, names[0]), (self.l1, names[1])):
            read = _read(frame, name) if name is not None else None
            if read is not None and not isinstance(read, tuple):
                return None
            sides.append(read if read is not None and len(read[0]) else None)
        (r2, r1) = sides
        dtype = np.result_type(*(r[0].dtype for r in sides if r is not None), np.int8)
        n = len(self.src2)
        values = np.zeros(n, dtype=dtype)
        missing = np.zeros(n, dtype=bool)
        # the LVR-2 side on all rows (row 0 stands in for the LVR-1 rows), then the
        # LVR-1 side on its rows
        if r2 is None:
            missing[self.from2] = True
        else:
            values[:] = r2[0][self.at2]
            if r2[1] is not None:
                missing[:] = r2[1][self.at2]
        if r1 is None:
            missing[self.rows1] = True
        else:
            values[self.rows1] = r1[0][self.at1]
            missing[self.rows1] = False if r1[1] is None else r1[1][self.at1]
        return values, missing

    def number(self, column: str, *, floats: bool = False) -> pd.Series:
        """``_float(self[column])`` (``floats``) or ``_num(self[column])``, made in one
        step from the sources' integers: the small integers and the missing mask are
        gathered, then converted once to the final dtype (no float64 column that is
        converted again). Falls back to those where a source is not held as integers.
        """
        parts = self._ints(column)
        if parts is None:
            return _float(self[column]) if floats else _num(self[column])
        values, missing = parts
        if not floats and not missing.any():
            return pd.Series(values.astype("int64"), copy=False)
        out = values.astype("float64")
        out[missing] = np.nan
        return pd.Series(out, copy=False)

    def fill_from_care(self, column: str) -> None:
        """``self[column] = self[column].fillna(self["l1_" + column])``: the birth
        record's value, else the LVR-1 record's (float64, NaN where neither has one),
        made from the sources' integers where both are held so."""
        own = self._ints(column) if column in self.l1.columns else None
        care = _read(self.l1, column) if own is not None and len(self.l1) else None
        if not isinstance(care, tuple):
            self[column] = self[column].fillna(self[f"l1_{column}"])
            return
        values, missing = own
        data, mask = care
        # rows without a value that have an LVR-1 record with one
        take = missing & (self.care >= 0)
        at = self.at_care[take]
        if mask is not None:
            found = ~mask[at]
            take[take] = found
            at = at[found]
        if data.dtype.itemsize > values.dtype.itemsize:
            values = values.astype(np.result_type(values.dtype, data.dtype))
        values[take] = data[at]
        missing &= ~take
        out = values.astype("float64")
        out[missing] = np.nan
        self[column] = pd.Series(out, copy=False)

    def care_flag(self, column: str) -> tuple[pd.Series, np.ndarray]:
        """``_num`` of the LVR-1 record's ``column`` (0 without an LVR-1 record) and
        where it is 1; from the source's integers where it holds them so."""
        read = _read(self.l1, column) if len(self.l1) else None
        if not isinstance(read, tuple):
            flag = pd.to_numeric(self[f"l1_{column}"], errors="coerce").where(self.care >= 0, 0)
            return _num(flag), flag.eq(1).to_numpy()
        data, mask = read
        values = data[self.at_care]
        values[self.no_care] = 0
        one = values == 1
        if mask is not None:
            missing = mask[self.at_care]
            missing[self.no_care] = False
            if missing.any():
                out = values.astype("float64")
                out[missing] = np.nan
                one &= ~missing
                return pd.Series(out, copy=False), one
        return pd.Series(values.astype("int64"), copy=False), one

    def codes(
        self, column: str, encode: Callable[[pd.Series], np.ndarray], absent: int = -1
    ) -> np.ndarray:
        """Integer codes of ``column`` for the birth rows, as ``self[column]`` picks them.

        ``encode`` gives the codes of one source column (-1: missing); ``absent`` is the
        code where a source lacks the column. The text is coded once per source and
        only the codes are gathered: no text column of the birth rows is built.
        """
        if column not in self.columns:
            raise KeyError(column)
        n = len(self.src2)
        if column.startswith("l1_"):
            name = column[3:]
            if name not in self.l1.columns or not len(self.l1):
                return np.full(n, absent, dtype="int64")
            out = _encoded(self.l1, name, encode, self.at_care)
            out[self.no_care] = absent
            return out
        in2 = column in self.l2.columns and len(self.l2) > 0
        in1 = column in self.l1.columns and len(self.l1) > 0
        in1 = in1 and column not in ("indicatie_primaire_sectio", "ziekenhuis_aanvang_zorg")
        out = (
            _encoded(self.l2, column, encode, self.at2)
            if in2
            else np.full(n, absent, dtype="int64")
        )
        out[self.rows1] = _encoded(self.l1, column, encode, self.at1) if in1 else absent
        return out

    def _make(self, column: str) -> pd.Series:
        if column not in self.columns:
            raise KeyError(column)
        in2 = set(self.l2.columns)
        in1 = set(self.l1.columns)
        if column == "_source":
            return pd.Series(np.where(self.from2, 0, 1).astype("int8"), copy=False)
        if column == "_has_l1":
            return pd.Series(self.care >= 0, copy=False)
        if column == "n_babies_raw":
            return self._combine("aantal_geboren_kinderen", "aantal_foetussen", "Int64")
        if column.startswith("l1_") and column[3:] in in1:
            r = _read(self.l1, column[3:])
            if isinstance(r, tuple) or _is_number(r.dtype):
                out = _gather_any(r, self.at_care)
                out[self.no_care] = np.nan
                return pd.Series(out, copy=False)
            return pd.Series(r.take(self.care, allow_fill=True))
        if column == "l1_aantal_eerdere_sectio":
            return pd.Series(pd.array([pd.NA] * len(self.src2), dtype="Int64"))
        if column in ("indicatie_primaire_sectio", "ziekenhuis_aanvang_zorg"):
            # LVR-2 items only; a first-line birth has none
            in1 = set()
        empty = "str" if column == "ziekenhuis_aanvang_zorg" else "Int64"
        return self._combine(
            column if column in in2 else None, column if column in in1 else None, empty
        )


class _Ids:
    """Text ids as integer codes (-1: missing) into one growing list of names.

    Examples
    --------
    >>> ids = _Ids()
    >>> codes = ids.encode(pd.Series(["p1", None, "p2", "p1"], dtype="str"))
    >>> codes.tolist()
    [0, -1, 1, 0]
    >>> hosp = ids.map(codes, pd.Series({"p1": "h1"}))
    >>> ids.labels(hosp).tolist()
    ['h1', nan, nan, 'h1']
    >>> list(ids.labels(codes).cat.categories)
    ['p1', 'p2']
    """

    def __init__(self) -> None:
        self.names: dict[str, int] = {}

    def _code(self, value: object) -> int:
        if pd.isna(value):
            return -1
        return self.names.setdefault(str(value), len(self.names))

    def encode(self, values: pd.Series) -> np.ndarray:
        """Codes of ``values`` (text as ``astype("str")`` gives it)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        table = np.array([self._code(v) for v in uniques] + [-1], dtype="int64")
        return table[codes]

    def map(self, codes: np.ndarray, mapping: pd.Series) -> np.ndarray:
        """Codes of ``mapping`` applied to the names (``Series.map``; -1 stays -1)."""
        names = pd.Series(list(self.names), dtype="object")
        mapped = names.map(mapping).tolist() if len(names) else []
        table = np.array([self._code(v) for v in mapped] + [-1], dtype="int64")
        return table[codes]

    def labels(self, codes: np.ndarray) -> pd.Series:
        """Category Series of the names (NaN where the code is -1), see ``categorical``."""
        return categorical(codes, list(self.names))


def _birth_rows(
    l1: pd.DataFrame,
    l2: pd.DataFrame,
    first_line: np.ndarray,
    l1_of_l2: np.ndarray,
    bcode: np.ndarray,
    rank: np.ndarray,
) -> tuple[_BirthRows, np.ndarray]:
    """The birth rows sorted by pregnancy (``rank`` of ``bcode``) and baby number.

    The LVR-2 rows, then the first-line LVR-1 births (``first_line``); ``l1_of_l2``
    holds per LVR-2 row the position of the pregnancy's LVR-1 row (-1: none). Returns
    the rows and their pregnancy codes in that order.
    """
    n2 = len(l2)
    own1 = np.flatnonzero(first_line)
    src2 = np.concatenate([np.arange(n2), np.full(len(own1), -1)])
    src1 = np.concatenate([np.full(n2, -1), own1])
    care = np.concatenate([l1_of_l2, own1])
    rows = _BirthRows(l1, l2, src2, src1, care)
    baby = rows["kind_rangnummer"].to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort((baby, rank[bcode]))
    return _BirthRows(l1, l2, src2[order], src1[order], care[order]), bcode[order]


def _decoded(u: _BirthRows, column: str, name: str) -> pd.Series:
    """``decode(u[column], name)`` from the codes of the birth rows (``_BirthRows.codes``):
    no float column of the birth rows is built."""
    names = decode_codes(pd.Series([np.nan]), name)[1]
    absent = names.index("unknown")  # no such item: missing, as decode gives it
    return categorical(u.codes(column, lambda s: decode_codes(s, name)[0], absent), names)


#: Longest span of days (~270 years) whose years and months ``_year_month`` tabulates.
_DAY_TABLE = 100_000


def _year_month(date: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``_num(date.dt.year)`` and ``date.dt.to_period("M").dt.to_timestamp()`` of a
    datetime column, computed on its numpy values (NaN and NaT where the date is).

    The dates span a few thousand days: year and month are looked up per day in a
    table of that span (numpy's calendar conversion runs once per day, not per row).

    Examples
    --------
    >>> year, month = _year_month(pd.Series(pd.to_datetime(["2020-03-17", None])))
    >>> year.tolist(), month.tolist()
    ([2020.0, nan], [Timestamp('2020-03-01 00:00:00'), NaT])
    >>> year, month = _year_month(pd.Series(pd.to_datetime(["1969-12-31 23:59", "1970-01-01 00:00"])))
    >>> year.tolist(), [str(m.date()) for m in month]
    ([1969, 1970], ['1969-12-01', '1970-01-01'])
    """
    values = date.to_numpy()
    if values.dtype.kind != "M":  # pragma: no cover (the linkage gives dates)
        return _num(date.dt.year), date.dt.to_period("M").dt.to_timestamp()
    unit, count = np.datetime_data(values.dtype)
    nat = np.isnat(values)
    day = np.timedelta64(1, "D")
    if (
        unit in ("D", "h", "m", "s", "ms", "us", "ns")
        and day % np.timedelta64(count, unit) == np.timedelta64(0, unit)
        and len(values)
        and not nat.all()
    ):
        # days since 1970 (floor: a time before midnight belongs to its day)
        days = values.view("int64") // (day // np.timedelta64(count, unit))
        any_nat = bool(nat.any())
        if any_nat:
            days[nat] = days[np.argmin(nat)]  # a day that occurs stands in
        low, high = int(days.min()), int(days.max())
        if high - low < _DAY_TABLE:
            span = np.arange(low, high + 1).astype("datetime64[D]")
            days -= low
            years = (span.astype("datetime64[Y]").astype("int64") + 1970)[days]
            month = span.astype("datetime64[M]").astype("datetime64[us]")[days]
            if any_nat:
                month[nat] = np.datetime64("NaT")
                return pd.Series(np.where(nat, np.nan, years), copy=False), pd.Series(
                    month, copy=False
                )
            return pd.Series(years, copy=False), pd.Series(month, copy=False)
    years = values.astype("datetime64[Y]").astype("int64")
    years += 1970
    if nat.any():
        year = pd.Series(np.where(nat, np.nan, years), copy=False)
    else:
        year = pd.Series(years, copy=False)
    month = values.astype("datetime64[M]").astype("datetime64[us]")
    return year, pd.Series(month, copy=False)


def _derive_births(u: _BirthRows, org: pd.DataFrame) -> pd.DataFrame:
    """Analysis columns (analysis.yaml ``births``) from the unified birth frame."""
    for c in _SHARED:
        if f"l1_{c}" in u:
            u.fill_from_care(c)
    lvr1 = (u["_source"] == 1).to_numpy()
    has_l1 = u["_has_l1"].to_numpy(dtype=bool)

    # Organisation ids as integer codes into one short list of names: the attribution
    # below works on the codes, never on millions of strings.
    ids = _Ids()
    org_hosp = org.set_index("organisatie_id")["ziekenhuis_id"]
    org_region = org.set_index("organisatie_id")["regio_id"]
    practice = np.where(has_l1, u.codes("l1_praktijk_id", ids.encode), -1)
    practice_hosp = ids.map(practice, org_hosp)
    practice_hosp = np.where(
        practice_hosp >= 0, practice_hosp, u.codes("l1_ziekenhuis_id", ids.encode)
    )
    birth_hosp = u.codes("ziekenhuis_id", ids.encode)
    hospital = np.where(~lvr1, birth_hosp, practice_hosp)
    region = ids.map(hospital, org_region)
    # Attribution 'booking' (intention to treat): where care started. A first-line start
    # books with its practice's hospital; a second-line start with its booking hospital
    # (the birth hospital when the extract does not say).
    booked_item = u.codes("ziekenhuis_aanvang_zorg", ids.encode)
    booked_l2 = np.where(booked_item >= 0, booked_item, birth_hosp)
    booking = np.where(has_l1, practice_hosp, booked_l2)
    booking = np.where(booking >= 0, booking, hospital)
    item = (~has_l1) & (booked_item >= 0)
    booking_from = np.select([has_l1, item], [0, 1], default=2)
    # An in-utero transfer: a hospital birth elsewhere than booked, where the booking is
    # known (the LVR-2 item) or, for a first-line start, a very preterm birth (< 32
    # weeks) away from the practice's hospital; a practice that refers to two hospitals
    # is not a transfer. (A missing id differs from every id, itself included.)
    ga_days = u.number("zwangerschapsduur", floats=True)
    ga = ga_days.to_numpy()
    differs = (booking != birth_hosp) | (booking < 0) | (birth_hosp < 0)
    elsewhere = (~lvr1) & differs
    transfer = elsewhere & (item | (has_l1 & (ga < 224)))

    b = pd.DataFrame(index=u.index)
    b["pregnancy_id"] = u["zwangerschap_id"].astype("str")
    b["baby_no"] = u.number("kind_rangnummer")
    b["n_babies"] = u.number("n_babies_raw")
    b["birth_source"] = categorical(u["_source"].to_numpy(), ["lvr2", "lvr1"])
    b["hospital_id"] = ids.labels(hospital)
    b["region_id"] = ids.labels(region)
    b["practice_id"] = ids.labels(practice)
    b["booking_hospital_id"] = ids.labels(booking)
    b["booking_region_id"] = ids.labels(ids.map(booking, org_region))
    b["booking_from"] = categorical(
        booking_from, ["practice", "booking item", "birth hospital (stand-in)"]
    )
    b["in_utero_transfer"] = transfer.astype("int64")
    date = pd.to_datetime(u["datum_baring"])
    b["birth_date"] = date
    b["year"], b["month"] = _year_month(date)
    b["maternal_age"] = _num(u["leeftijd_moeder"])
    b["age_band"] = band(
        u["leeftijd_moeder"],
        [20, 25, 30, 35, 40],
        ["<20", "20_24", "25_29", "30_34", "35_39", "40+"],
        "unknown",
    )
    b["parity"] = _num(u["pariteit"])
    b["parity_group"] = band(u["pariteit"], [1, 2], ["0", "1", "2+"], "unknown")
    b["prev_cs"] = _num(u["eerdere_sectio"])
    b["n_prev_cs"] = _num(u["aantal_eerdere_sectio"])
    b["bmi"] = _float(u["bmi"])
    b["bmi_band"] = band(
        u["bmi"], [18.5, 25, 30, 35], ["<18.5", "18.5_25", "25_30", "30_35", "35+"], "unknown"
    )
    b["smoking"] = decode(u["roken"], "smoking")
    b["ses_quintile"] = decode(u["ses_kwintiel"], "ses_quintile")
    b["migration"] = decode(u["migratieachtergrond"], "migration")
    codes, names = decode_codes(u["l1_conclusie_risicostatus_na_intake"], "risk_status")
    b["risk_status_booking"] = categorical(np.where(has_l1, codes, -1), names)
    b["risk_status_before_labour"] = decode(u["risicostatus_voor_baring"], "risk_status")
    ga = ga_days
    b["ga_days"] = ga
    b["ga_weeks"] = np.floor(ga / 7)
    b["birth_weight"] = u.number("geboortegewicht", floats=True)
    b["sex"] = _decoded(u, "geslacht", "sex")
    b["presentation"] = _decoded(u, "ligging_bij_geboorte", "presentation")
    b["onset"] = _decoded(u, "wijze_begin_baring", "onset")
    names = decode_codes(pd.Series([], dtype="float64"), "mode")[1]
    mode = u.codes(
        "type_partus", lambda s: decode_codes(s, "mode")[0], absent=names.index("unknown")
    )
    b["mode"] = categorical(mode, names)
    prelabour = mode == names.index("prelabour_cs")
    cs = np.isin(mode, [names.index(m) for m in CS_MODES])
    codes, names = decode_codes(u["indicatie_primaire_sectio"], "cs_indication", "none_recorded")
    b["cs_indication"] = categorical(np.where(prelabour, codes, -1), names)
    pain = u.number("pijnbestrijding")
    b["pain_relief"] = pain
    codes, names = decode_codes(u["pijnbestrijding_methode"], "pain_relief_method")
    codes = np.where(pain.ne(0).to_numpy(), codes, len(names))
    b["pain_relief_method"] = categorical(codes, [*names, "none"])
    b["epidural_wanted_not_received"] = u.number("ruggenprik_gewenst_niet_gekregen", floats=True)
    b["episiotomy"] = u.number("episiotomie", floats=True).where(~cs)
    perineum = u.number("conditie_perineum", floats=True)
    b["perineum"] = perineum.where(~cs & (perineum != 9))
    b["blood_loss"] = u.number("bloedverlies", floats=True)
    b["apgar5"] = u.number("apgar_5", floats=True)
    death = u.number("perinatale_sterfte")
    b["perinatal_death"] = death
    codes, names = decode_codes(u["fase_perinatale_sterfte"], "perinatal_death_phase", None)
    b["perinatal_death_phase"] = categorical(np.where(death.eq(1).to_numpy(), codes, -1), names)
    b["congenital_anomaly"] = u.number("congenitale_afwijking", floats=True)
    b["nicu"] = u.number("nicu_opname", floats=True)
    b["start_line"] = np.where(has_l1, np.int64(1), np.int64(2))
    for kind in ("zwangerschap", "durante_partu", "postpartum"):
        name = {"zwangerschap": "pregnancy", "durante_partu": "labour", "postpartum": "postpartum"}[
            kind
        ]
        flag, referred = u.care_flag(f"verwijzing_{kind}")
        b[f"referral_{name}"] = flag
        reason = f"referral_{name}_reason"
        names = decode_codes(pd.Series([], dtype="float64"), reason, None)[1]
        codes = u.codes(
            f"l1_reden_verwijzing_{kind}", lambda s, r=reason: decode_codes(s, r, None)[0]
        )
        b[reason] = categorical(np.where(referred, codes, -1), names)
    b["line_at_birth"] = np.where(lvr1, np.int64(1), np.int64(2))
    b["intended_place"] = decode(u["voorgenomen_plaats_baring"], "place")
    b["actual_place"] = _decoded(u, "werkelijke_plaats_baring", "place")

    declared = list(schema.analysis()["births"]["columns"])
    missing = [c for c in declared if c not in b.columns]
    if missing:  # pragma: no cover (guards analysis.yaml and this code staying in step)
        raise RuntimeError(f"births lacks declared column(s): {missing}")
    b = b[declared]
    for c in b.columns:
        if b[c].dtype == object:
            b[c] = b[c].astype("str")
    return b


_COSTS = [
    "cost_first_line",
    "cost_second_line",
    "cost_pregnancy",
    "cost_birth",
    "cost_postpartum",
    "cost_total",
]


def _first_rows(
    frame: pd.DataFrame, rows: np.ndarray, given: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """``frame.iloc[rows].reset_index(drop=True)``, column by column (no index taken,
    no check for -1 positions): a category column keeps only the labels that occur
    in those rows (it is kept as it is when every category occurs, the usual case).
    A column in ``given`` is those values instead (not copied, not taken).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.Categorical(["x", "y", "x"]), "b": [1.5, 2.5, 3.5],
    ...                       "c": pd.Series(["p", None, "q"], dtype="str")})
    >>> out = _first_rows(frame, np.array([0, 2]))
    >>> out.to_dict("list"), list(out["a"].cat.categories)
    ({'a': ['x', 'x'], 'b': [1.5, 3.5], 'c': ['p', 'q']}, ['x'])
    """
    columns: dict[str, Any] = {}
    for c in frame.columns:
        if given and c in given:
            columns[c] = given[c]
            continue
        values = frame[c].array
        if isinstance(values, pd.Categorical):
            codes = values.codes.take(rows)
            seen = np.zeros(len(values.categories) + 1, dtype=bool)
            seen[codes] = True
            if seen[:-1].all():
                columns[c] = pd.Categorical.from_codes(codes, dtype=values.dtype, validate=False)
            else:
                columns[c] = categorical(codes, list(values.categories)).array
        elif isinstance(values.dtype, np.dtype):
            columns[c] = values.to_numpy().take(rows)
        else:
            columns[c] = values.take(rows)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), columns=frame.columns, copy=False)


def _women(
    births: pd.DataFrame,
    starts: np.ndarray,
    claim_woman: np.ndarray | None,
    claims: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per pregnancy from ``births`` sorted by pregnancy and baby.

    ``starts`` are the positions of each pregnancy's first baby in ``births``;
    ``claim_woman`` gives per claim the woman's position (``len(starts)``: not linked).
    """

    def per_woman(ufunc: np.ufunc, values: pd.Series | np.ndarray) -> np.ndarray:
        arr = (
            values
            if isinstance(values, np.ndarray)
            else values.to_numpy(dtype="float64", na_value=np.nan)
        )
        return ufunc.reduceat(arr, starts) if len(arr) else arr

    # columns over all babies of a pregnancy (the first baby's values are not taken)
    own: dict[str, np.ndarray] = {"ga_days": per_woman(np.fmin, births["ga_days"])}
    own["ga_weeks"] = np.floor(own["ga_days"] / 7)
    for c in ("perinatal_death", "nicu", "congenital_anomaly"):
        reduced = per_woman(np.fmax, births[c])
        own[c] = reduced.astype("int64") if births[c].dtype == "int64" else reduced
    w = _first_rows(births.drop(columns=["baby_no"]), starts, own)
    # cs: any baby by caesarean (1); 0 only when every baby's mode is known
    # on the codes of the few distinct modes, not on the labels of every baby
    mode = births["mode"]
    if isinstance(mode.dtype, pd.CategoricalDtype):
        codes, modes = mode.cat.codes.to_numpy(), list(mode.cat.categories)
    else:
        codes, modes = pd.factorize(mode, use_na_sentinel=True)
    is_cs = np.array([m in CS_MODES for m in modes] + [False])[codes]
    known = np.array([m != "unknown" for m in modes] + [False])[codes]
    any_cs = per_woman(np.maximum, is_cs.astype("float64"))
    all_known = per_woman(np.minimum, known.astype("float64"))
    cs = np.where(any_cs == 1, 1.0, np.where(all_known == 1, 0.0, np.nan))
    w["cs"] = _num(pd.Series(cs, copy=False))
    if claims is None or claim_woman is None:
        w["n_claims"] = np.nan
        for c in _COSTS:
            w[c] = np.nan
        return w
    k = len(w)
    # every claim is counted where it falls: a claim not linked falls in slot ``k`` of
    # each count, which is dropped (no copies of the linked claims' amounts or women)
    amount = claims["tarief"]
    # a claim without an amount makes the costs it belongs to unknown (NaN), never 0
    if isinstance(amount.dtype, np.dtype) and amount.dtype == np.float64:
        amount = amount.to_numpy()  # NaN already stands for missing
    else:
        amount = amount.to_numpy(dtype="float64", na_value=np.nan)
    n_claims = np.bincount(claim_woman, minlength=k + 1)[:k]
    # a pregnancy without any linked claim has unknown costs (NaN: the cost indicator
    # excludes it as 'no claims linked'); one with claims has 0 for a line or care phase
    # without claims
    no_claims = n_claims == 0

    def finish(out: np.ndarray) -> pd.Series:
        out[no_claims] = np.nan
        return pd.Series(out, copy=False)  # (a fresh array: set without a copy)

    w["n_claims"] = pd.Series(n_claims.astype("int64"), copy=False)

    # costs per line and per care phase: each claim falls in one slot (the last one:
    # any other line or phase) and one weighted count sums the slots, slot by slot per
    # woman (rows of one array: no copies); a slot sums the same claims in the same
    # order as a count of the claims of that slot alone. The bin of a claim is its slot
    # times k + 1 plus its woman (k: not linked); the last slot's claims all go to one
    # bin, which is dropped with the k-th woman of each slot.
    def sums(name: str, values: list[object], at: np.ndarray) -> np.ndarray:
        np.multiply(_slots(claims, name, values), np.int64(k + 1), out=at)
        at += claim_woman
        dropped = len(values) * (k + 1)
        np.minimum(at, dropped, out=at)
        counted = np.bincount(at, weights=amount, minlength=dropped + 1)
        return counted[:dropped].reshape(len(values), k + 1)[:, :k]

    at = np.empty(len(claim_woman), dtype=np.int64)  # (one array for both)
    lines = sums("lijn", [1, 2], at)
    w["cost_first_line"] = finish(lines[0])
    w["cost_second_line"] = finish(lines[1])
    phases = sums("zorgfase", ["zwangerschap", "baring", "kraambed"], at)
    del at
    w["cost_pregnancy"] = finish(phases[0])
    w["cost_birth"] = finish(phases[1])
    w["cost_postpartum"] = finish(phases[2])
    del lines, phases
    w["cost_total"] = finish(np.bincount(claim_woman, weights=amount, minlength=k + 1)[:k])
    return w


def _slots(frame: pd.DataFrame, name: str, values: list[object]) -> np.ndarray:
    """Per row the position of its value in ``values`` (``len(values)``: any other, or
    missing), from a packed source's codes or small integers where it has them; int8
    (``values`` are a few).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.Series(["x", None, "y", "z"], dtype="str"),
    ...                       "b": pd.array([2, None, 1, 3], dtype="Int64")})
    >>> _slots(frame, "a", ["y", "x"]).tolist(), _slots(frame, "b", [1, 2]).tolist()
    ([1, 2, 0, 2], [1, 2, 0, 2])
    """
    other = len(values)
    coded = frame.coded(name) if hasattr(frame, "coded") else None
    read = _read(frame, name) if coded is None else None
    if isinstance(read, tuple):
        data, mask = read
        low, high = (int(data.min()), int(data.max())) if len(data) else (0, 0)
        if high - low < 65_536:
            # integers in a short range: one lookup over that range
            table = np.full(high - low + 1, other, dtype="int8")
            for i, v in enumerate(values):
                if isinstance(v, int) and low <= v <= high:
                    table[v - low] = i
            # (shifted only when the range does not start at 0; a negative start
            # widens first: the shift could overflow a small integer type)
            at = data if low == 0 else data - low if low > 0 else data.astype("int64") - low
            out = table[at]
            if mask is not None:
                out[mask] = other
            return out
        read = frame[name].array
    if coded is None:
        codes, uniques = pd.factorize(pd.Series(read), use_na_sentinel=True)
        uniques = list(uniques)
    else:
        codes, uniques = coded[0], list(coded[1])
    position = {v: i for i, v in enumerate(values)}
    table = np.array([position.get(u, other) for u in uniques] + [other], dtype="int8")
    return table[codes]


def _slot_of_missing(codes: np.ndarray, k: int) -> np.ndarray:
    """``codes`` with -1 (a missing id) as ``k - 1``, the last slot (``codes`` itself
    when none is missing)."""
    if not len(codes) or codes.min() >= 0:
        return codes
    return np.where(codes < 0, k - 1, codes)


def _equals(frame: pd.DataFrame, name: str, value: int) -> np.ndarray:
    """Where ``frame[name]`` equals ``value`` (False where missing); from the integers
    where the column is held as such.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.array([1, None, 2], dtype="Int64")})
    >>> _equals(frame, "a", 1).tolist(), _equals(frame, "a", 2).tolist()
    ([True, False, False], [False, False, True])
    """
    read = _read(frame, name)
    if not isinstance(read, tuple):
        numbers = pd.to_numeric(frame[name], errors="coerce")
        return numbers.eq(value).fillna(False).to_numpy(dtype=bool)
    values, mask = read
    out = values == value
    if mask is not None:
        out &= ~mask
    return out


def link(sources: dict[str, pd.DataFrame]) -> LinkResult:
    """Link validated, typed extracts into ``births`` and ``women``.

    Parameters
    ----------
    sources : dict of DataFrame
        Typed extracts by source name; ``organisaties``, ``perined_lvr1`` and
        ``perined_lvr2`` are needed, ``dbc_declaraties`` is optional (costs NaN).
        Each index holds the row numbers of the file (used in the excluded table).

    Returns
    -------
    LinkResult
        ``births`` (sorted by pregnancy and baby), ``women``, ``linkage`` (source,
        outcome, detail, records: for each source the records in, then linked and
        excluded by detail), ``excluded`` (one row per excluded record: source,
        row_in_file, pregnancy_id, record_id, reason) and notes.

    Examples
    --------
    >>> import tempfile
    >>> from saz_geboortezorg.io import load
    >>> from saz_geboortezorg.synthetic import generate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = tmp.name
    >>> _ = generate(births=200, seed=3, progress=False).write(folder)
    >>> result = link(load(folder, salt="example").sources)
    >>> int(result.births["pregnancy_id"].nunique()), len(result.women)
    (200, 200)
    >>> sorted(result.births["birth_source"].unique())
    ['lvr1', 'lvr2']
    >>> tmp.cleanup()

    ``tests/io/test_io_link.py`` shows every linkage path on hand-made records.
    """
    org = sources["organisaties"]
    l1 = sources["perined_lvr1"]
    l2 = sources["perined_lvr2"]
    claims = sources.get("dbc_declaraties")
    notes: list[str] = []

    # Pregnancy ids as shared integer codes: membership and joins become array lookups.
    id_series = [l1["zwangerschap_id"], l2["zwangerschap_id"]]
    if claims is not None:
        id_series.append(claims["zwangerschap_id"])
    codes, rank = _pregnancy_codes(*id_series)
    c1, c2 = codes[0], codes[1]
    k = len(rank) + 1  # last slot for missing ids (code -1)
    c1, c2 = _slot_of_missing(c1, k), _slot_of_missing(c2, k)
    pos1 = np.full(k, -1, dtype="int64")
    pos1[c1[::-1]] = np.arange(len(c1))[::-1]  # first LVR-1 row of each pregnancy
    has2 = np.bincount(c2, minlength=k) > 0
    has1 = pos1 >= 0
    in2 = has2[c1]
    with_l1 = has1[c2]

    e1, e2 = (
        _equals(l1, "eindverantwoordelijke_baring", 1),
        _equals(l1, "eindverantwoordelijke_baring", 2),
    )
    groups1 = {
        "lvr1_birth": e1 & ~in2,
        "lvr1_care_path": in2 & ~e1,
        "lvr1_both": e1 & in2,
        "lvr1_missing_lvr2": e2 & ~in2,
        "lvr1_no_birth": ~e1 & ~e2 & ~in2,
    }
    excluded_parts = [
        _excluded("perined_lvr1", l1, groups1[key], REASONS[key], "zwangerschap_id")
        for key in ("lvr1_both", "lvr1_missing_lvr2", "lvr1_no_birth")
    ]

    bcode = np.concatenate([c2, c1[groups1["lvr1_birth"]]])
    u, bcode = _birth_rows(
        l1,
        l2,
        groups1["lvr1_birth"],
        np.where(with_l1, pos1[c2], -1),
        bcode,
        np.append(rank, len(rank)),
    )
    births = _derive_births(u, org)
    del u
    starts = (
        np.flatnonzero(np.r_[True, bcode[1:] != bcode[:-1]])
        if len(bcode)
        else np.array([], dtype="int64")
    )
    # per pregnancy slot its woman's position; len(starts): none (no birth)
    woman_of = np.full(k, len(starts), dtype="int64")
    woman_of[bcode[starts]] = np.arange(len(starts))

    rows = [("perined_lvr1", "in", "records in the file", len(l1))]
    rows += [
        ("perined_lvr1", "linked", REASONS[key], int(groups1[key].sum()))
        for key in ("lvr1_birth", "lvr1_care_path")
    ]
    rows += [
        ("perined_lvr1", "excluded", REASONS[key], int(groups1[key].sum()))
        for key in ("lvr1_both", "lvr1_missing_lvr2", "lvr1_no_birth")
    ]
    rows += [
        ("perined_lvr2", "in", "records in the file", len(l2)),
        ("perined_lvr2", "linked", REASONS["lvr2_with_lvr1"], int(with_l1.sum())),
        ("perined_lvr2", "linked", REASONS["lvr2_only"], int((~with_l1).sum())),
    ]
    claim_woman = None
    if claims is not None:
        cc = _slot_of_missing(codes[2], k)
        claim_woman = woman_of[cc]
        has_birth = claim_woman < len(starts)
        known = (has1 | has2)[cc]
        no_birth = ~has_birth & known
        unknown = ~has_birth & ~known
        rows += [
            ("dbc_declaraties", "in", "records in the file", len(claims)),
            ("dbc_declaraties", "linked", REASONS["claim_linked"], int(has_birth.sum())),
            ("dbc_declaraties", "excluded", REASONS["claim_no_birth"], int(no_birth.sum())),
            ("dbc_declaraties", "excluded", REASONS["claim_unknown"], int(unknown.sum())),
        ]
        excluded_parts += [
            _excluded(
                "dbc_declaraties", claims, no_birth, REASONS["claim_no_birth"], "declaratie_id"
            ),
            _excluded(
                "dbc_declaraties", claims, unknown, REASONS["claim_unknown"], "declaratie_id"
            ),
        ]
    else:
        notes.append("no claims extract (dbc_declaraties): cost columns of women are empty")
    women = _women(births, starts, claim_woman, claims)
    rows += [
        ("births", "out", "rows in births (LVR-2 births + first-line births)", len(births)),
        ("women", "out", "rows in women (pregnancies with a birth)", len(women)),
    ]
    linkage = pd.DataFrame(rows, columns=["source", "outcome", "detail", "records"])
    excluded = pd.concat(excluded_parts, ignore_index=True)
    for c in ("source", "pregnancy_id", "record_id", "reason"):
        excluded[c] = excluded[c].astype("str")
    excluded["row_in_file"] = excluded["row_in_file"].astype("int64")
    _check_reconciles(linkage)
    notes += _baby_count_notes(l2, c2, k)
    stand_in = births["booking_from"].eq("birth hospital (stand-in)").to_numpy()
    if stand_in.any():
        n_preg = births.loc[stand_in, "pregnancy_id"].nunique()
        notes.append(
            f"{n_preg:,} pregnancies whose care started in the second line have no booking "
            "hospital (LVR-2 item ziekenhuis_aanvang_zorg absent or empty): their birth "
            "hospital stands in, so attribution 'booking' counts any in-utero transfer "
            "among them at the receiving hospital (column booking_from)"
        )
    n_both = int(groups1["lvr1_both"].sum())
    if n_both:
        notes.append(f"{n_both} birth(s) registered in both LVR-1 and LVR-2: LVR-2 record used")
    return LinkResult(births, women, linkage, excluded, notes)


def _baby_count_notes(l2: pd.DataFrame, c2: np.ndarray, k: int) -> list[str]:
    """Notes on LVR-2 pregnancies whose baby rows do not match aantal_geboren_kinderen."""
    if not len(l2):
        return []
    rows = np.bincount(c2, minlength=k)[c2]
    read = _read(l2, "aantal_geboren_kinderen")
    if isinstance(read, tuple):  # the integers as held: no float copy
        declared, missing = read
        off = rows != declared
        if missing is not None:
            off &= ~missing
    else:
        declared = l2["aantal_geboren_kinderen"].to_numpy(dtype="float64", na_value=np.nan)
        off = ~np.isnan(declared) & (rows != declared)
    if not off.any():
        return []
    ids = l2["zwangerschap_id"].to_numpy(dtype=object)[off]
    first = ", ".join(list(dict.fromkeys(str(i) for i in ids))[:5])
    return [
        f"perined_lvr2: {len(set(ids))} pregnancies have a different number of baby rows "
        f"than aantal_geboren_kinderen says (e.g. {first}); all rows are used"
    ]


def linkage_summary(linkage: pd.DataFrame) -> pd.DataFrame:
    """Per source: records in, linked, excluded and whether they reconcile.

    Examples
    --------
    >>> import pandas as pd
    >>> lk = pd.DataFrame({"source": ["a"] * 3, "outcome": ["in", "linked", "excluded"],
    ...                    "detail": ["", "", ""], "records": [5, 4, 1]})
    >>> linkage_summary(lk).to_dict("records")
    [{'source': 'a', 'records_in': 5, 'linked': 4, 'excluded': 1, 'reconciles': True}]
    """
    totals: dict[str, dict[str, int]] = {}
    for source, outcome, records in zip(
        linkage["source"], linkage["outcome"], linkage["records"], strict=True
    ):
        if outcome in ("in", "linked", "excluded"):
            counts = totals.setdefault(str(source), {"in": 0, "linked": 0, "excluded": 0})
            counts[outcome] += int(records)
    out = pd.DataFrame(
        {
            "source": pd.Series(list(totals), dtype="str"),
            "records_in": pd.Series([t["in"] for t in totals.values()], dtype="int64"),
            "linked": pd.Series([t["linked"] for t in totals.values()], dtype="int64"),
            "excluded": pd.Series([t["excluded"] for t in totals.values()], dtype="int64"),
        }
    )
    out["reconciles"] = out["records_in"] == out["linked"] + out["excluded"]
    return out


def _check_reconciles(linkage: pd.DataFrame) -> None:
    summary = linkage_summary(linkage)
    if not summary["reconciles"].all():  # pragma: no cover (a bug, not a data problem)
        raise RuntimeError(f"linkage does not reconcile:\n{summary}")
