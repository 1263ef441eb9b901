"""Validate an extract against its declaration in ``schema/extracts.yaml``.

Checks, per file: required columns present; values of the declared type; codes in
their code list; ids matching their declared ``pattern`` (no path separators or
markup, no reserved word such as ``all``); values in the plausible range; no empty values where the column
is not nullable or where ``required_when`` holds; a unique key; dates in order.
Across files: ``references`` (e.g. every practice id exists in ``organisaties``).

Every problem names the file, the column, how many rows are bad, the first few
row numbers and values, and what was expected. Unknown extra columns are allowed
and reported as notes.

Examples
--------
>>> import pandas as pd
>>> from saz_geboortezorg.io.read import RawExtract
>>> raw = RawExtract(pd.DataFrame({"organisatie_id": ["ZH01"], "organisatie_type": ["XX"]},
...                               index=pd.RangeIndex(2, 3, name="line")), "org.csv", "line")
>>> ext = check_extract(raw, "organisaties")
>>> print(ext.problems[0])
org.csv, column 'naam': column missing from the file; expected a string column 'naam' (display name of the organisation (not a person))
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from saz_geboortezorg import schema
from saz_geboortezorg.errors import ExtractError
from saz_geboortezorg.expressions import columns_used, evaluate
from saz_geboortezorg.io.convert import EXPECTED_TYPE, convert
from saz_geboortezorg.io.fast import all_bytes_in, arrow_text, int_parts, isin
from saz_geboortezorg.io.identifiers import identifier_columns
from saz_geboortezorg.io.problems import Problem, first_rows
from saz_geboortezorg.io.read import RawExtract

__all__ = [
    "Extract",
    "check_extract",
    "check_references",
    "raise_problems",
    "condition_mask",
    "duplicated",
]


@dataclass
class Extract:
    """One validated extract.

    Attributes
    ----------
    source : str
        Source name (``perined_lvr2``).
    file : str
        File name for messages.
    row_label : str
        ``"line"`` (CSV, header = line 1) or ``"row"`` (Parquet, first row = 1).
    frame : DataFrame
        Declared columns converted to their types, extra columns as text; the index
        holds the row numbers as in the file.
    problems : list of Problem
        Everything wrong with the file (empty when valid).
    notes : list of str
        Remarks that are not errors.
    encoded : dict
        Text columns that the checks dictionary-encoded: by column, ``(the Arrow array
        checked, its encoding)``; packing and the reference checks reuse the encoding
        while the column still holds that array (:meth:`encoding`).
    """

    source: str
    file: str
    row_label: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encoded: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def encoding(self, column: str, values: Any = None) -> Any | None:
        """The dictionary encoding of ``column`` made by the checks, if ``values`` (by
        default the frame's column) still holds the Arrow array that was encoded.

        Examples
        --------
        >>> import pandas as pd
        >>> from saz_geboortezorg.io.read import RawExtract
        >>> n = 20_000  # columns of more than 10,000 rows with few values are encoded
        >>> f = pd.DataFrame({"lijn": ["1"] * n, "zorgfase": ["baring", "kraambed"] * (n // 2)},
        ...                  index=pd.RangeIndex(2, n + 2, name="line"))
        >>> ext = check_extract(RawExtract(f, "c.csv", "line"), "dbc_declaraties")
        >>> ext.encoding("zorgfase").dictionary.to_pylist()
        ['baring', 'kraambed']
        >>> ext.encoding("zorgfase", pd.Series(["baring"], dtype="str")) is None
        True
        """
        if column not in self.encoded:
            return None
        if values is None:
            if column not in self.frame.columns:
                return None
            values = self.frame[column]
        arr, encoded = self.encoded[column]
        return encoded if arrow_text(pd.Series(values, copy=False)) is arr else None

    def problem(self, column: str, what: str, mask: Any, values: Any, expected: str) -> None:
        """Record a problem for the rows where ``mask`` is true (nothing if none)."""
        if not np.any(mask):
            return
        rows = self.frame.index.to_numpy()
        n, first, vals = first_rows(mask, rows, values)
        if n:
            self.problems.append(
                Problem(self.file, column, what, first, vals, expected, self.row_label, n)
            )


def condition_mask(frame: pd.DataFrame, condition: str) -> np.ndarray:
    """Rows of ``frame`` where a ``required_when`` condition holds.

    Conditions use the toolkit's filter language
    (:mod:`saz_geboortezorg.expressions`); a missing value never satisfies
    them. A condition on a column the file lacks (already reported) holds nowhere.

    Examples
    --------
    >>> import pandas as pd
    >>> condition_mask(pd.DataFrame({"t": ["ZH", "VP", None]}), "t == 'ZH'").tolist()
    [True, False, False]
    """

    if columns_used(condition) - set(frame.columns):
        return np.zeros(len(frame), dtype=bool)
    return evaluate(condition, frame).to_numpy(dtype=bool)


def _int_data(values: pd.Series) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(int64 values, missing mask) of a nullable ``Int64`` column, else (None, None).

    The column's own buffers (no copy): read them, do not write to them.
    """
    parts = int_parts(values)
    if parts is None:
        return None, None
    return parts


def _and(mask: np.ndarray, ok: np.ndarray | None) -> np.ndarray:
    """``mask & ok``, where ``ok`` None means true everywhere."""
    return mask if ok is None else mask & ok


def _or(bad: np.ndarray | None, more: np.ndarray) -> np.ndarray | None:
    """``bad | more``, where ``bad`` None means false everywhere (kept None while nothing
    is bad)."""
    if not more.any():
        return bad
    return more.copy() if bad is None else bad | more


def _not_codes(data: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``~np.isin(data, codes)`` for int64 ``data``: one lookup per row in a table of the
    values from 0 (or the smallest) to the largest when that span is small, else numpy's
    comparison with each code in turn.

    Examples
    --------
    >>> _not_codes(np.array([0, 3, 9, 2, -1]), np.array([1, 2, 3, 9])).tolist()
    [True, False, False, False, True]
    """

    if not len(data):
        return np.zeros(0, dtype=bool)
    low, high = int(data.min()), int(data.max())
    start = min(low, 0)
    if high - start > _CODE_TABLE:
        # kind="sort": a few codes are compared in turn (numpy's default here builds
        # a lookup table over the data's whole range)
        return ~np.isin(data, codes, kind="sort")
    table = ~np.isin(np.arange(start, high + 1), codes)
    if not table.any():
        return np.zeros(len(data), dtype=bool)
    return table.take(data - start if start else data)


_CODE_TABLE = 65_536  # widest span of values looked up in a table by _not_codes


def _id_checks(
    text: pd.Series, regex: str, reserved: set[str], encoded: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(does not fully match ``regex``, lower case is a reserved word) for each value.

    What ``text.str.fullmatch(regex)`` and ``text.str.lower().isin(reserved)`` give,
    with Arrow's kernels called once on the column. pandas first scans the column for
    line breaks (Python's ``$`` differs from RE2's there); a column whose buffers hold
    no line break at all skips that scan, as does a pattern without escapes or
    groups that RE2 and Python read alike. Anything else goes through pandas. A
    column of few distinct ids is checked per distinct value; one of many ids
    against a one-class pattern (``^[A-Za-z0-9_-]{1,40}$``) by its bytes and lengths
    (:func:`_char_class_checks`) when every byte is in the class. The dictionary
    encoding made for few ids is put in ``encoded`` (key ``"arrow"``: the array encoded,
    ``"encoding"``: its encoding) for packing to reuse.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Series(["ZH01", "a b", "ALL", None], dtype="str")
    >>> [m.tolist() for m in _id_checks(t, "^[A-Za-z0-9_-]{1,40}$", {"all"})]
    [[False, True, False, True], [False, False, True, False]]
    """

    arr = arrow_text(text)
    plain = not any(c in regex for c in "\\(")
    few = (
        arr is not None
        and len(arr) > _ID_SAMPLE
        and len(pc.unique(arr.slice(0, _ID_SAMPLE))) <= _ID_SAMPLE // 100
    )
    if arr is not None and plain and not few:
        # many distinct ids, one class: its byte check also rules out line breaks
        simple = _char_class_checks(arr, regex, reserved)
        if simple is not None:
            return simple
    if arr is None or not plain or _has_line_break(arr):
        no_match = ~text.str.fullmatch(regex).fillna(False).to_numpy(dtype=bool)
        return no_match, text.str.lower().isin(reserved).to_numpy(dtype=bool)
    pat = regex  # anchored as pandas' fullmatch + match anchor it
    if not pat.endswith("$") and not pat.startswith("^"):
        pat = f"^({pat})$"
    elif not pat.endswith("$"):
        pat = f"^({pat[1:]})$"
    elif not pat.startswith("^"):
        pat = f"^({pat[0:-1]})$"
    pat = f"^({pat[1:]})"
    words = pa.array(sorted(reserved), type=arr.type)
    if few:
        # few distinct ids (hospitals, practices, care providers): each checked once
        encoding = _encode(arr)
        if encoded is not None:
            encoded.update(arrow=arr, encoding=encoding)
        if len(encoding.dictionary) * 100 <= len(arr):
            names = encoding.dictionary
            codes = _codes(encoding)
            matched = np.asarray(pc.fill_null(pc.match_substring_regex(names, pat), False))
            hit = np.asarray(pc.fill_null(pc.is_in(pc.utf8_lower(names), value_set=words), False))
            # the code of missing reads the appended False, as fill_null gives below
            no_match = ~np.append(matched.astype(bool), False)
            return no_match[codes], np.append(hit.astype(bool), False)[codes]
    matched = pc.fill_null(pc.match_substring_regex(arr, pat), False)
    hit = pc.fill_null(pc.is_in(pc.utf8_lower(arr), value_set=words), False)
    return ~np.asarray(matched, dtype=bool), np.asarray(hit, dtype=bool)


_ID_SAMPLE = 10_000  # rows looked at to decide whether an id column has few values


def _encode(arr: pa.ChunkedArray) -> pa.DictionaryArray:
    """A text column dictionary-encoded in one array, exactly as packing encodes it."""
    return pc.dictionary_encode(arr).combine_chunks()


def _isin_encoded(encoding: pa.DictionaryArray, candidates: Any) -> np.ndarray:
    """:func:`~saz_geboortezorg.io.fast.isin` of the encoded column, one lookup per
    distinct value (NA -> False).

    Examples
    --------
    >>> enc = _encode(pa.chunked_array([["a", None, "b", "a"]]))
    >>> _isin_encoded(enc, ["a", "c"]).tolist()
    [True, False, False, True]
    """
    names = pd.Series(pd.array(encoding.dictionary, dtype=_TEXT), copy=False)
    hit = np.append(isin(names, candidates), False)  # the code of missing reads False
    return hit[_codes(encoding)]


def _codes(encoding: pa.DictionaryArray) -> np.ndarray:
    """The codes of an encoded column, missing as the code after the last value.

    Arrow's own (32-bit) integers, without a copy when nothing is missing: indexing with
    them needs no 64-bit copy of the column.

    Examples
    --------
    >>> _codes(_encode(pa.chunked_array([["a", None, "b", "a"]]))).tolist()
    [0, 2, 1, 0]
    """
    indices = encoding.indices
    if indices.null_count:
        indices = pc.fill_null(indices, len(encoding.dictionary))
    return np.asarray(indices)


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _few_text(arr: pa.ChunkedArray) -> bool:
    """Whether a text column's first rows repeat enough to encode it (as packing asks)."""
    head = arr.slice(0, _ID_SAMPLE)
    return len(arr) > _ID_SAMPLE and len(pc.unique(head)) <= _ID_SAMPLE // 4


_CLASS = re.compile(r"\^?\[([!-~]+?)\](?:\{(\d+)(,(\d*))?\}|(\+)|(\*))?\$?")


def _char_class(regex: str) -> tuple[np.ndarray, int, float] | None:
    """(which bytes the class allows, fewest, most characters) of ``^[...]{m,n}$``, else None.

    Only a class of printable ASCII without escapes, negation or nested brackets
    qualifies; which of the 256 byte values it allows is asked of Python's ``re``
    itself, so the class means what ``str.fullmatch`` makes of it. Non-ASCII bytes
    are never allowed (without flags an ASCII class matches no other character).

    Examples
    --------
    >>> allowed, low, high = _char_class("^[A-Za-z0-9_-]{1,40}$")
    >>> bool(allowed[ord("_")]), bool(allowed[ord(" ")]), low, high
    (True, False, 1, 40.0)
    >>> _char_class("^(ab|cd)$") is None, _char_class("[^a]+") is None
    (True, True)
    """

    m = _CLASS.fullmatch(regex)
    if m is None or any(c in m.group(1) for c in "\\[]^"):
        return None
    body, low, comma, high, plus, star = m.groups()
    try:
        one = re.compile(f"[{body}]")
    except re.error:
        return None
    allowed = np.array([one.fullmatch(chr(b)) is not None for b in range(128)] + [False] * 128)
    if low is not None:
        lo = int(low)
        hi = float(lo) if comma is None else (float(high) if high else float("inf"))
    else:
        lo, hi = (0, float("inf")) if star else (1, float("inf")) if plus else (1, 1.0)
    return allowed, lo, hi


def _char_class_checks(
    arr: pa.ChunkedArray, regex: str, reserved: set[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_id_checks` for a one-class pattern when every byte of ``arr`` is in the class.

    Then a value fully matches exactly when its length is in range (its bytes are
    ASCII characters), and it can be a reserved word only if it has a reserved
    word's length; only those few values are lowered and looked up. None when some
    byte is outside the class (a bad id somewhere): the caller checks as usual.
    """

    parsed = _char_class(regex)
    if parsed is None:
        return None
    allowed, lo, hi = parsed
    kept = bytes(np.flatnonzero(allowed).astype(np.uint8))
    sizes = sorted({len(w.encode("utf-8")) for w in reserved})
    # chunk by chunk into the result: no 64-bit lengths of the whole column are held
    no_match = np.ones(len(arr), dtype=bool)
    found = []  # rows with a reserved word's length
    start = 0
    pieces = (c.slice(i, _PIECE) for c in arr.chunks for i in range(0, len(c), _PIECE))
    for chunk in pieces:
        data = chunk.buffers()[2]
        width = "int64" if pa.types.is_large_string(chunk.type) else "int32"
        offsets = chunk.buffers()[1]
        size = len(chunk)
        if offsets is None or size == 0:
            start += size
            continue
        bounds = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + size + 1]
        if data is not None and bounds[-1] > bounds[0]:
            if not all_bytes_in(memoryview(data)[bounds[0] : bounds[-1]], kept):
                return None
        length = np.diff(bounds)
        fits = (length >= lo) & (length <= hi)
        present = np.asarray(chunk.is_valid()) if chunk.null_count else None
        if present is not None:
            fits &= present
        np.logical_not(fits, out=no_match[start : start + size])
        if sizes:
            sized = np.isin(length, sizes, kind="sort")
            if present is not None:
                sized &= present
            found.append(np.flatnonzero(sized) + start)
        start += size
    hit = np.zeros(len(arr), dtype=bool)
    rows = np.concatenate(found) if found else np.zeros(0, dtype=int)
    if len(rows):
        words = pa.array(sorted(reserved), type=arr.type)
        lowered = pc.utf8_lower(pc.take(arr, pa.array(rows)))
        hit[rows] = np.asarray(pc.fill_null(pc.is_in(lowered, value_set=words), False), dtype=bool)
    return no_match, hit


_PIECE = 1 << 20  # rows of a text column whose lengths _char_class_checks holds at a time


def _has_line_break(arr: pa.ChunkedArray) -> bool:
    """True if any text buffer of ``arr`` holds a line-feed byte (may say True too often)."""
    for chunk in arr.chunks:
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == 10).any():
            return True
    return False


def _strictly_increasing(columns: list[pd.Series]) -> bool:
    """True if the rows are in strictly increasing order of the key columns (no NA).

    One comparison of each row with the next, no hashing: a file sorted by its key
    without repeats has no duplicate keys. False when unsure (NA, other dtypes).
    """

    n = len(columns[0])
    if n < 2:
        return False
    arrays = []
    for s in columns:
        arr = arrow_text(s)
        if arr is None:
            if not isinstance(s.dtype, pd.Int64Dtype | np.dtype) or s.dtype.kind != "i":
                return False
            arr = pa.chunked_array([pa.array(s.to_numpy(dtype="int64", na_value=0))])
        if s.isna().any():
            return False
        arrays.append((arr.slice(0, n - 1), arr.slice(1)))
    increasing = None
    for before, after in reversed(arrays):  # last column decides ties of the earlier ones
        less = pc.less(before, after)
        if increasing is None:
            increasing = less
        else:
            increasing = pc.or_(less, pc.and_(pc.equal(before, after), increasing))
    return bool(pc.all(increasing).as_py())


def duplicated(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Rows whose ``key`` columns occur more than once (all occurrences).

    Like ``frame.duplicated(subset=key, keep=False)``, except that a row with a
    missing key value is never a duplicate: it is reported as an empty (or bad)
    value already. Works on integer codes: each key column is factorized once
    (Arrow hashing for text), a key unique in its first column needs no more work,
    and a file sorted by its key without repeats needs no hashing at all.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"a": ["x", "x", "y", None, None], "b": [1, 2, 1, 3, 3]})
    >>> duplicated(f, ["a"]).tolist(), duplicated(f, ["a", "b"]).tolist()
    ([True, True, False, False, False], [False, False, False, False, False])
    >>> g = pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 2, 2]})  # sorted, no repeat
    >>> duplicated(g, ["a", "b"]).tolist(), duplicated(g, ["b"]).tolist()
    ([False, False, False], [False, True, True])
    """

    n = len(frame)
    if _strictly_increasing([frame[name] for name in key]):
        return np.zeros(n, dtype=bool)  # sorted without ties (as most exports are): unique
    combined = None
    missing = np.zeros(n, dtype=bool)
    for i, name in enumerate(key):
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        missing |= codes < 0
        codes = codes.astype("int64") + 1
        size = len(uniques) + 1
        if i == 0 and len(uniques) == n:
            return np.zeros(n, dtype=bool)  # every value distinct and none missing
        if combined is None:
            combined = codes
        else:
            combined = combined * size + codes
            combined, _ = pd.factorize(combined)
    counts = np.bincount(combined)
    return (counts[combined] > 1) & ~missing


def _code_text(list_name: str) -> str:
    codes = schema.codes(list_name)
    shown = ", ".join(f"{k} ({v.get('nl', v.get('en', ''))})" for k, v in codes.items())
    return f"one of the codes of list '{list_name}': {shown}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check_extract(raw: RawExtract, source: str) -> Extract:
    """Convert and check one raw extract against its declaration.

    Parameters
    ----------
    raw : RawExtract
        As returned by :func:`saz_geboortezorg.io.read.read_raw`.
    source : str
        Source name in ``extracts.yaml``.

    Returns
    -------
    Extract
        Typed table plus the problems and notes found (nothing is raised here).

    Examples
    --------
    >>> import pandas as pd
    >>> from saz_geboortezorg.io.read import RawExtract
    >>> f = pd.DataFrame({"organisatie_id": ["ZH01", "ZH01"], "organisatie_type": ["ZH", "ZH"],
    ...      "naam": ["A", "B"], "regio_id": ["R1"] * 2, "regio_naam": ["Noord"] * 2,
    ...      "ziekenhuis_id": ["ZH01"] * 2, "epiduraal_24_7": ["1", "ja"],
    ...      "inductiebeleid_41_weken": ["0", "0"], "nicu": ["1", "1"], "geboortecentrum": [None] * 2},
    ...      index=pd.RangeIndex(2, 4, name="line"))
    >>> for p in check_extract(RawExtract(f, "org.csv", "line"), "organisaties").problems:
    ...     print(p)
    org.csv, column 'epiduraal_24_7': not 0 or 1 in 1 row (line 3 'ja'); expected 0 (no) or 1 (yes) (epidural available around the clock)
    org.csv, column 'organisatie_id': duplicate key in 2 rows (lines 2 'ZH01', 3 'ZH01'); expected each organisatie_id to occur once
    """
    spec = schema.source(source)
    columns: dict[str, dict[str, Any]] = spec["columns"]
    frame = raw.frame
    ext = Extract(source, raw.file, raw.row_label, frame, [], list(raw.notes))

    missing = [c for c, d in columns.items() if c not in frame.columns and not d.get("optional")]
    extra = [c for c in frame.columns if c not in columns]
    for c in missing:
        close = difflib.get_close_matches(c, extra, n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(x) for x in close)}?" if close else ""
        ext.problems.append(
            Problem(
                raw.file,
                c,
                "column missing from the file",
                expected=f"a {columns[c].get('type', 'string')} column '{c}' "
                f"({columns[c].get('en', '')}){hint}",
            )
        )

    identifiers = set(identifier_columns(frame[extra], declared=columns))
    unknown = [c for c in extra if c not in identifiers]
    if unknown:
        ext.notes.append(
            f"{raw.file}: extra column(s) not in the schema, kept as text: {', '.join(unknown)}"
        )

    typed: dict[str, pd.Series] = {}
    filled: dict[str, np.ndarray] = {}
    bad_any: dict[str, np.ndarray] = {}
    for name, decl in columns.items():
        if name not in frame.columns:
            continue
        type_ = decl.get("type", "string")
        conv = convert(frame[name], type_)
        original = frame[name]
        if conv.bad.any():
            what = "not 0 or 1" if type_ == "flag" else f"not {EXPECTED_TYPE[type_]}"
            if type_ == "integer":
                what = "not a whole number"
            en = decl.get("en")
            expected = EXPECTED_TYPE[type_] + (f" ({en})" if en else "")
            ext.problem(name, what, conv.bad, original, expected)
        typed[name] = conv.values
        filled[name] = conv.filled
        bad_any[name] = conv.bad.copy() if conv.bad.any() else None  # None: nothing bad

    for c in extra:
        typed[c] = frame[c] if frame[c].dtype != object else frame[c].astype("str")
    out = pd.DataFrame(typed, index=frame.index, copy=False)
    ext.frame = out

    conditions: dict[str, np.ndarray] = {}  # required_when conditions evaluated once
    for name, decl in columns.items():
        if name not in typed:
            continue
        values = typed[name]
        ok = None if bad_any[name] is None else ~bad_any[name]  # None: every value
        if "codes" in decl:
            allowed = list(schema.codes(decl["codes"]))
            if decl.get("type") in ("integer", "flag"):
                allowed_num = np.array([float(a) for a in allowed])
                data, missing = _int_data(values)
                if data is not None and np.all(allowed_num == np.trunc(allowed_num)):
                    outside = _not_codes(data, allowed_num.astype("int64"))
                    if outside.any():
                        outside &= ~missing
                else:  # pragma: no cover (integer code lists hold whole numbers)
                    arr = values.to_numpy(dtype="float64", na_value=np.nan)
                    outside = ~np.isin(arr, allowed_num) & ~np.isnan(arr)
            else:
                arr = arrow_text(values)
                if arr is not None and _few_text(arr):
                    encoding = _encode(arr)
                    ext.encoded[name] = (arr, encoding)
                    outside = ~_isin_encoded(encoding, allowed) & values.notna().to_numpy()
                else:
                    outside = ~isin(values, allowed) & values.notna().to_numpy()
            outside = _and(outside, ok)
            ext.problem(
                name,
                "code not in the code list",
                outside,
                values,
                _code_text(decl["codes"]),
            )
            bad_any[name] = _or(bad_any[name], outside)
        if "pattern" in decl:
            pat = schema.patterns()[decl["pattern"]]
            filled_ = values.notna().to_numpy()
            reserved = {str(r).lower() for r in pat.get("reserved", [])}
            made: dict[str, Any] = {}
            no_match, hit = _id_checks(values.astype("str"), pat["regex"], reserved, made)
            if made and arrow_text(values) is made["arrow"]:
                ext.encoded[name] = (made["arrow"], made["encoding"])
            bad = _and(no_match & filled_, ok)
            taken = _and(hit & filled_, ok) & ~bad
            expected = f"an id of {pat.get('en', pat['regex'])}"
            ext.problem(name, "unsafe id", bad, values, expected)
            ext.problem(
                name,
                "reserved word used as an id",
                taken,
                values,
                f"an id other than {', '.join(sorted(reserved))} (words the reports use for "
                "their own rows), compared case-insensitively",
            )
            bad_any[name] = _or(bad_any[name], bad | taken)
        if "range" in decl:
            lo, hi = decl["range"]
            data, missing = _int_data(values)
            if data is None:
                data = values.to_numpy(dtype="float64", na_value=np.nan)
                missing = np.isnan(data)
            if len(data) and lo <= data.min() and data.max() <= hi:  # all in range (NaN: no)
                outside = np.zeros(len(data), dtype=bool)
            else:
                outside = _and(((data < lo) | (data > hi)) & ~missing, ok)
            en = decl.get("en", "")
            ext.problem(
                name,
                "value outside the plausible range",
                outside,
                frame[name],
                f"a value from {_fmt(lo)} to {_fmt(hi)} ({en})" if en else f"{lo}..{hi}",
            )
            bad_any[name] = _or(bad_any[name], outside)
        if filled[name].all():  # no empty value (the usual case for required columns)
            continue
        empty = ~filled[name]
        if not decl.get("nullable", False):
            ext.problem(
                name, "empty value", empty, None, f"a value in every row ({decl.get('en', name)})"
            )
        elif "required_when" in decl:
            cond = decl["required_when"]
            if cond not in conditions:  # the frame does not change within this loop
                conditions[cond] = condition_mask(out, cond)
            needed = conditions[cond] & empty
            ext.problem(
                name,
                f"empty although required when {cond}",
                needed,
                None,
                f"a value ({decl.get('en', name)}) on every row where {cond}",
            )

    # Bad values become missing, so that a load without validation treats them so.
    for name, bad in bad_any.items():
        if bad is not None and bad.any():
            out[name] = out[name].mask(bad)

    key = [k for k in spec.get("key", []) if k in out.columns]
    if key and len(key) == len(spec.get("key", [])):
        dup = duplicated(out, key)
        if dup.any():
            shown = np.full(len(out), None, dtype=object)
            shown[dup] = (
                out.loc[dup, key].astype("str").agg("/".join, axis=1).to_numpy(dtype=object)
            )
            ext.problem(
                "/".join(key),
                "duplicate key",
                dup,
                shown,
                f"each {' + '.join(key)} to occur once",
            )

    for earlier, later in spec.get("date_order", []):
        if earlier not in out.columns or later not in out.columns:
            continue
        a, b = out[earlier], out[later]
        wrong = (a > b).fillna(False).to_numpy(dtype=bool)
        if not wrong.any():
            continue
        pairs = a.dt.strftime("%Y-%m-%d") + " > " + b.dt.strftime("%Y-%m-%d")
        ext.problem(
            f"{earlier}/{later}",
            f"{later} is before {earlier}",
            wrong,
            pairs,
            f"{earlier} on or before {later}",
        )
    return ext


def check_references(extracts: dict[str, Extract]) -> None:
    """Check the declared ``references`` between sources; problems are added in place.

    A reference to a source that was not loaded is skipped.

    Examples
    --------
    >>> check_references({})  # nothing loaded, nothing to check
    """
    for name, ext in extracts.items():
        for column, (target, target_col) in schema.source(name).get("references", {}).items():
            if target not in extracts or column not in ext.frame.columns:
                continue
            known = extracts[target].frame.get(target_col)
            if known is None:
                continue
            values = ext.frame[column]
            encoding = ext.encoding(column)
            if encoding is not None:  # the distinct values looked up, not every row
                unknown = ~_isin_encoded(encoding, known)
            else:
                unknown = ~isin(values, known)
            unknown = unknown & values.notna().to_numpy()
            ext.problem(
                column,
                f"unknown reference (not in {extracts[target].file})",
                unknown,
                values,
                f"a value of column '{target_col}' in {extracts[target].file}",
            )


def raise_problems(extracts: list[Extract], where: str) -> None:
    """Raise one ExtractError listing every problem of ``extracts`` (if any).

    Examples
    --------
    >>> raise_problems([], "test")  # no problems: returns None
    """
    problems = [p for e in extracts for p in e.problems]
    if not problems:
        return
    files = sorted({p.file for p in problems})
    labels = {e.file: e.row_label for e in extracts}
    numbering = []
    if any(labels.get(f) == "line" for f in files):
        numbering.append(
            "CSV line numbers as in the file: header = line 1, first data row = line 2"
        )
    if any(labels.get(f) == "row" for f in files):
        numbering.append("Parquet row numbers count data rows from 1")
    n = len(problems)
    error = ExtractError(
        f"{n} problem{'s' if n != 1 else ''} in {', '.join(files)} ({where}); "
        f"{'; '.join(numbering)}",
        [str(p) for p in problems],
    )
    error.details = problems
    raise error
