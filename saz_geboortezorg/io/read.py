"""Read one extract file (CSV or Parquet) into a table of raw values.

CSV files are read entirely as text so that every bad value can later be reported
with its line number. The reader accepts what spreadsheet programs produce:

* separator ``,``, ``;``, tab or ``|`` (detected from the header line);
* encoding UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark,
  or Windows-1252 / latin-1 (the Dutch Excel export);
* blank lines (skipped, line numbers still count them).

The result's index holds the row numbers as in the file: for CSV the header is
line 1 and the first data row line 2; for Parquet the first row is row 1.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "x.csv").write_bytes("id;naam\\n1;Zuyderland Heerlen\\n".encode("latin-1"))
>>> raw = read_raw(d / "x.csv")
>>> raw.frame.index.tolist(), raw.separator, raw.row_label
([2], ';', 'line')
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from saz_geboortezorg.errors import ExtractError

__all__ = ["RawExtract", "read_raw", "SUFFIXES"]

#: File suffixes the reader understands.
SUFFIXES = (".csv", ".parquet")

_SEPARATORS = [";", ",", "\t", "|"]
_SEP_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}


@dataclass
class RawExtract:
    """The raw contents of one extract file.

    Attributes
    ----------
    frame : DataFrame
        Column names normalised (lower case, stripped). CSV values are text with
        missing values as NA; Parquet columns keep their stored types. The index
        holds the row numbers as in the file.
    file : str
        File name used in messages.
    row_label : str
        ``"line"`` (CSV) or ``"row"`` (Parquet).
    separator, encoding : str or None
        What was detected (CSV only).
    notes : list of str
        Remarks that are not errors (e.g. blank lines skipped, latin-1 used).
    """

    frame: pd.DataFrame
    file: str
    row_label: str
    separator: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def numbering(self) -> str:
        """How row numbers in messages are counted, in words."""
        if self.row_label == "line":
            return "line numbers as in the file: header = line 1, first data row = line 2"
        return "row numbers count data rows from 1"


def _fail(path: Path, message: str) -> ExtractError:
    return ExtractError(f"{path.name}: {message}")


def _decode(path: Path, raw: bytes) -> tuple[str, str, list[str]]:
    """Detect the encoding and return (text, encoding, notes)."""
    notes: list[str] = []
    if raw.startswith(b"PAR1"):
        raise _fail(path, "this is a Parquet file with a .csv name; rename it to .parquet")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(
            path,
            "this looks like an Excel workbook, not a CSV text file; "
            "save it as 'CSV (semicolon or comma separated)' and try again",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", notes
        except UnicodeDecodeError as exc:
            raise _fail(path, f"cannot be read as UTF-16 text ({exc.reason})") from None
    if b"\x00" in raw[:65536]:
        raise _fail(
            path,
            "the file contains binary data (NUL bytes) and is not a CSV text file; "
            "expected UTF-8 or latin-1 text with one header line",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig", notes
    try:
        return raw.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        notes.append(f"{path.name}: not UTF-8; read as {enc} (Windows/Excel export)")
        return text, enc, notes
    raise _fail(path, "cannot be decoded as text")  # pragma: no cover (latin-1 decodes all)


def _looks_like_garbage(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(sample) > 0.02


def _header_names(header: str, sep: str) -> list[str]:
    return next(csv.reader([header.rstrip("\r")], delimiter=sep), [])


def _parse_arrow(data: bytes, sep: str, names: list[str]) -> pd.DataFrame | None:
    """Parse with Arrow's multithreaded CSV reader; None when it cannot (then pandas does)."""

    if len(set(names)) != len(names):
        return None
    try:
        table = pcsv.read_csv(
            io.BytesIO(data),
            parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.column_names != names:
        return None
    columns = {n: _arrow_text_series(table.column(i)) for i, n in enumerate(names)}
    return pd.DataFrame(columns, copy=False)


def _arrow_text_series(arr, index: pd.Index | None = None) -> pd.Series:  # noqa: ANN001
    """Arrow text -> pandas str Series, stripped, with empty text as NA.

    One pass per chunk: whitespace is trimmed only when some value can start or end
    with it, and empty values become NA through the validity bitmap (no copy of the
    text).
    """

    if isinstance(arr, pa.ChunkedArray):
        chunks = [_clean_chunk(c) for c in arr.chunks]
        arr = pa.chunked_array(chunks, type=chunks[0].type if chunks else arr.type)
    else:
        arr = _clean_chunk(arr)
    return pd.Series(pd.array(arr, dtype=_STR), index=index, copy=False)


def _offsets(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of each value of a (large) string chunk."""

    width = "int64" if pa.types.is_large_string(chunk.type) else "int32"
    buf = chunk.buffers()[1]
    if buf is None:  # pragma: no cover (an empty chunk)
        empty = np.zeros(len(chunk), dtype=width)
        return empty, empty
    offsets = np.frombuffer(buf, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    return offsets[:-1], offsets[1:]


def _may_need_trim(chunk: pa.Array) -> bool:
    """True unless no value starts or ends with a byte that could be whitespace.

    A value needs trimming only if its first or last character is whitespace; those
    are ASCII control characters and space (bytes up to 0x20) or non-ASCII
    characters (bytes from 0x7F). Plain ASCII ids and codes pass without trimming:
    a text buffer of printable ASCII bytes only (the usual case) is known clean from
    its smallest and largest byte; otherwise the first and last byte of each value decide.
    """

    data = chunk.buffers()[2]
    if data is None or len(chunk) == 0:
        return False
    starts, ends = _offsets(chunk)
    if ends[-1] > starts[0]:
        text = np.frombuffer(data, dtype=np.uint8)[starts[0] : ends[-1]]
        if text.min() >= 0x21 and text.max() <= 0x7E:  # printable ASCII (two fast scans)
            return False
    filled = ends > starts
    if not filled.all():
        if not filled.any():
            return False
        starts, ends = starts[filled], ends[filled]
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    for edge in (bytes_[starts], bytes_[ends - 1]):
        edge -= 0x21  # bytes up to 0x20 wrap round to 0xDF and above (uint8)
        if (edge >= 0x5E).any():  # was <= 0x20 or >= 0x7F
            return True
    return False


def _clean_chunk(chunk: pa.Array) -> pa.Array:
    """One string chunk stripped of surrounding whitespace, with empty text as null."""

    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        chunk = chunk.cast(pa.large_string())
    if _may_need_trim(chunk):
        chunk = pc.utf8_trim_whitespace(chunk)
    if len(chunk) == 0:
        return chunk
    starts, ends = _offsets(chunk)
    empty = ends == starts
    if chunk.null_count:
        empty &= np.asarray(chunk.is_valid(), dtype=bool)
    if not empty.any():
        return chunk
    if chunk.offset:  # sliced chunk: a bitmap would need shifting; let Arrow do it
        return pc.if_else(pa.array(empty), pa.scalar(None, chunk.type), chunk)
    valid = ~empty
    if chunk.null_count:
        valid &= np.asarray(chunk.is_valid(), dtype=bool)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    _, offsets, data = chunk.buffers()
    return pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, offsets, data])


_STR = pd.StringDtype("pyarrow", na_value=float("nan"))


def _parse_pandas(text: str, sep: str, path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise _fail(path, "the file is empty; expected a header line and data rows") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).replace("Error tokenizing data. C error: ", "")
        raise _fail(
            path,
            f"the CSV structure is broken ({msg}); every line must have as many "
            f"{_SEP_NAMES[sep]}-separated fields as the header "
            "(line numbers as in the file, header = line 1)",
        ) from None
    return clean_text(frame)


def _utf8_body(raw: bytes) -> bytes | None:
    """The bytes after any UTF-8 byte-order mark if the file is valid UTF-8, else None.

    Checked by Arrow's UTF-8 validation on the file's own buffer (no decoded copy of
    the whole file is made); files that are not UTF-8 are decoded in Python instead.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"PAR1", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    if b"\x00" in raw[:65536]:
        return None
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(body)).validate(full=True)
    except pa.ArrowInvalid:
        return None
    return body


def _prefix_text(data: bytes, chars: int) -> str:
    """The first ``chars`` characters of valid UTF-8 ``data``, decoding only a prefix."""
    return data[: 4 * chars].decode("utf-8", errors="ignore")[:chars]


def _first_line(data: bytes) -> str:
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).decode("utf-8")


def _records_in(data: bytes) -> int:
    """Line breaks before the trailing ones: ``text.rstrip("\\r\\n").count("\\n")``."""
    end = len(data)
    while end and data[end - 1 : end] in (b"\r", b"\n"):
        end -= 1
    return data.count(b"\n", 0, end)


def _read_csv(path: Path) -> RawExtract:
    raw = path.read_bytes()
    if not raw or raw.isspace():
        raise _fail(path, "the file is empty; expected a header line and data rows")
    body = _utf8_body(raw)
    if body is not None:  # UTF-8: parse the bytes, decode only what is looked at
        encoding = "utf-8-sig" if body is not raw else "utf-8"
        notes: list[str] = []
        text = None
        while body.startswith(b"\xef\xbb\xbf"):  # text.lstrip("\ufeff")
            body = body[3:]
        sample = _prefix_text(body, 4096)
    else:
        text, encoding, notes = _decode(path, raw)
        text = text.lstrip("\ufeff")
        sample = text[:4096]
    if _looks_like_garbage(sample):
        raise _fail(
            path,
            "the file does not look like CSV text (many control characters); "
            "expected UTF-8 or latin-1 text with one header line",
        )
    header = _first_line(body) if text is None else text.split("\n", 1)[0]
    counts = {s: header.count(s) for s in _SEPARATORS}
    sep = max(_SEPARATORS, key=lambda s: counts[s])
    if counts[sep] == 0:
        sep = ","
    names = _header_names(header, sep)
    normalised = [_normalise(n) for n in names]
    dupes = sorted({n for n in normalised if n and normalised.count(n) > 1})
    if dupes:
        raise _fail(path, f"column name(s) appear more than once: {', '.join(dupes)}")
    data = body if text is None else text.encode("utf-8")
    frame = _parse_arrow(data, sep, names)
    if frame is None:  # unusual layout (ragged lines, line breaks in values): pandas explains
        frame = _parse_pandas(data.decode("utf-8") if text is None else text, sep, path)
    records = _records_in(data) if text is None else text.rstrip("\r\n").count("\n")
    if records != len(frame):
        notes.append(
            f"{path.name}: some values contain line breaks; row numbers in messages count "
            "records (header = 1), which can differ from line numbers in an editor"
        )
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="line")
    blank = frame.isna().all(axis=1)
    if blank.any():
        frame = frame.loc[~blank.to_numpy()]
        notes.append(f"{path.name}: {int(blank.sum())} blank line(s) skipped")
    if sep != ",":
        notes.append(f"{path.name}: {_SEP_NAMES[sep]}-separated")
    return RawExtract(frame, path.name, "line", sep, encoding, notes)


def _normalise(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").strip().lower()


def clean_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns stripped of surrounding spaces, with empty text as NA.

    Other columns (numbers, dates from Parquet) are left as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> clean_text(pd.DataFrame({"a": [" x ", "  "]}))["a"].tolist()
    ['x', nan]
    """
    out = {}
    for i, col in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            arr = getattr(s.array, "_pa_array", None)
            if arr is None or not (
                pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
            ):
                arr = s.astype(_STR).array._pa_array
            out[col] = _arrow_text_series(arr, frame.index)
        else:
            out[col] = s
    return pd.DataFrame(out, index=frame.index, copy=False)


def _read_parquet(path: Path) -> RawExtract:
    try:
        frame = _parquet_frame(path)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise _fail(
            path, f"cannot be read as a Parquet file ({type(exc).__name__}: {exc})"
        ) from None
    frame.index = pd.RangeIndex(1, 1 + len(frame), name="row")
    return RawExtract(clean_text(frame), path.name, "row")


def _parquet_frame(path: Path) -> pd.DataFrame:
    """What ``pd.read_parquet(path)`` gives (on a fresh RangeIndex), with fewer copies.

    Columns that pandas stored as nullable ``Int64`` (its metadata says so) are read
    as one record batch and built on Arrow's int64 buffer and validity bitmap
    (:func:`_int64_array`): no copy of the data, where pandas' own conversion makes
    two (plus three masks). Float64 and time-zone-free timestamp columns are read the
    same way and used on Arrow's buffers (:func:`_numpy_values`). Text and every
    other column are left to ``pd.read_parquet``, and so are files of fewer than
    ``_SPLIT_READ_ROWS`` rows. For the four files of 2,000,000 pregnancies this took
    ~0.8 s less CPU and ~350 MB less peak than copying (issue 17, seventh round).
    """

    try:
        return _parquet_columns(path)
    except Exception:  # not readable: pandas raises its own error (the message users see)
        return pd.read_parquet(path).reset_index(drop=True)


#: Parquet files with fewer rows are read by ``pd.read_parquet`` in one go: the second
#: read costs ~20 MB of peak at 60,000 births and the saved copies matter only at scale.
_SPLIT_READ_ROWS = 250_000


def _parquet_columns(path: Path) -> pd.DataFrame:
    """:func:`_parquet_frame`'s work (errors are left to the caller)."""

    metadata = pq.read_metadata(path)
    if metadata.num_rows < _SPLIT_READ_ROWS:
        return pd.read_parquet(path).reset_index(drop=True)
    schema = metadata.schema.to_arrow_schema()
    meta = schema.pandas_metadata or {}
    described = meta.get("columns", [])
    stored = {c.get("field_name"): c.get("numpy_type") for c in described}
    plain = (
        all(c.get("name") == c.get("field_name") for c in described)
        and not any(isinstance(i, str) for i in meta.get("index_columns", []))
        and len(set(schema.names)) == len(schema.names)
    )
    ints = [f.name for f in schema if pa.types.is_int64(f.type) and stored.get(f.name) == "Int64"]
    if not ints or not plain:  # no Int64 column, or an index or odd names: pandas decides
        return pd.read_parquet(path).reset_index(drop=True)
    rest = [n for n in schema.names if n not in set(ints)]
    # the Int64 columns first, then the numbers and times, then the text: at 2,000,000
    # reading the file once and holding all of it while converting cost 3-4 s more
    # (page faults); the first two reads are kept as the columns' data (no copy)
    table = _one_chunk_table(path, ints, metadata.num_rows)
    columns = {n: _int64_array(table.column(n)) for n in ints}
    del table
    n_rows = len(columns[ints[0]])
    # numbers and times in one batch too, used on Arrow's buffers where pandas would
    # make the same NumPy array; text (many small buffers: one batch of it faults in
    # more pages than Arrow's usual chunks) and anything else as pd.read_parquet makes it
    made = schema.empty_table().to_pandas().dtypes  # what pandas makes of each column
    numbers = [n for n in rest if _numpy_dtype(schema.field(n).type, made[n]) is not None]
    if numbers:
        table = _one_chunk_table(path, numbers, metadata.num_rows)
        if table.num_rows != n_rows:  # pragma: no cover (one file, one row count)
            return pd.read_parquet(path).reset_index(drop=True)
        for name in numbers:
            values = _numpy_values(table.column(name), made[name])
            if values is not None:
                columns[name] = values
        del table
    others = [n for n in rest if n not in columns]
    if others:
        converted = pd.read_parquet(path, columns=others)
        if len(converted) != n_rows:  # pragma: no cover (one file, one row count)
            return pd.read_parquet(path).reset_index(drop=True)
        for name in others:
            columns[name] = converted[name].array
        del converted
    return pd.DataFrame({n: columns[n] for n in schema.names}, copy=False)


def _numpy_dtype(kind: pa.DataType, dtype: Any) -> tuple[Any, Any] | None:
    """(NumPy type of the buffer, value for missing) of an Arrow float64 or time-zone-free
    timestamp type when pandas makes ``dtype`` of it as that NumPy type; else None."""
    if pa.types.is_float64(kind) and dtype == np.dtype("float64"):
        return np.float64, np.nan
    if pa.types.is_timestamp(kind) and kind.tz is None:
        if dtype == np.dtype(f"datetime64[{kind.unit}]"):
            return np.int64, np.iinfo(np.int64).min  # NaT
    return None


def _numpy_values(column: pa.ChunkedArray, dtype: Any) -> np.ndarray | None:
    """A float64 or time-zone-free timestamp column as the NumPy array pandas makes of it
    (``dtype``: NaN or NaT where missing), on Arrow's own buffer; None for any other
    column, or when the column is not one chunk in a mutable buffer.

    The column is taken over: its missing slots are overwritten in place.

    Examples
    --------
    >>> _numpy_values(pa.chunked_array([[1.5, None]]), np.dtype("float64")).tolist()
    [1.5, nan]
    >>> _numpy_values(pa.chunked_array([["a"]]), np.dtype("float64")) is None
    True
    """

    buffer_type = _numpy_dtype(column.type, dtype)
    if buffer_type is None:
        return None
    width, fill = buffer_type
    chunks = [c for c in column.chunks if len(c)]
    if len(chunks) != 1 or len(chunks[0]) != len(column):
        return None
    chunk = chunks[0]
    buffer = chunk.buffers()[1]
    if buffer is None or not buffer.is_mutable:
        return None
    data = np.frombuffer(buffer, dtype=width)[chunk.offset : chunk.offset + len(chunk)]
    if not data.flags.writeable:
        return None
    if chunk.null_count:
        bits = np.frombuffer(chunk.buffers()[0], dtype=np.uint8)
        valid = np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")
        data[np.flatnonzero(valid[chunk.offset :] == 0)] = fill
    return data.view(dtype)


def _one_chunk_table(path: Path, columns: list[str], rows: int) -> pa.Table:
    """``columns`` of a Parquet file read as one record batch: one chunk per column.

    ``pq.read_table`` gives chunks of 131,072 rows, which pandas must copy into one
    array; one batch of all rows lets :func:`_int64_array` and :func:`_numpy_values`
    use Arrow's buffers as they are.
    """

    file = pq.ParquetFile(path)
    batches = list(file.iter_batches(batch_size=max(rows, 1), columns=columns))
    if batches:
        return pa.Table.from_batches(batches)
    return pa.schema([file.schema_arrow.field(n) for n in columns]).empty_table()


def _int64_array(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    """An Arrow int64 column as pandas ``Int64``: the mask from the bitmap, the data
    copied at most once.

    Values under the mask (Arrow leaves them unspecified) are set to 0. The column is
    taken over: when it is one chunk in a mutable buffer (as the Parquet reader makes
    it) that buffer becomes the data, its null slots set to 0 in place, with no copy.

    Examples
    --------
    >>> _int64_array(pa.chunked_array([[1, None], [3]])).tolist()
    [1, <NA>, 3]
    """

    n = len(column)
    chunks = [c for c in column.chunks if len(c)]
    if len(chunks) == 1 and chunks[0].buffers()[1].is_mutable:
        chunk = chunks[0]
        data = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + n]
        if data.flags.writeable:
            return pd.arrays.IntegerArray(data, _zero_nulls(chunk, data), copy=False)
    data = np.empty(n, dtype=np.int64)
    mask = np.zeros(n, dtype=bool)
    start = 0
    for chunk in chunks:
        size = len(chunk)
        part = data[start : start + size]
        part[:] = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[
            chunk.offset : chunk.offset + size
        ]
        mask[start : start + size] = _zero_nulls(chunk, part)
        start += size
    return pd.arrays.IntegerArray(data, mask, copy=False)


def _zero_nulls(chunk: pa.Array, data: np.ndarray) -> np.ndarray:
    """The missing mask of an Arrow chunk (from its validity bitmap); ``data`` (its
    values) set to 0 under the mask, in place.

    Examples
    --------
    >>> data = np.array([7, 8, 9])
    >>> _zero_nulls(pa.array([1, None, 3]).slice(0), data).tolist(), data.tolist()
    ([False, True, False], [7, 0, 9])
    """

    n = len(chunk)
    if not chunk.null_count:
        return np.zeros(n, dtype=bool)
    bits = np.frombuffer(chunk.buffers()[0], dtype=np.uint8)
    valid = np.unpackbits(bits, count=chunk.offset + n, bitorder="little")[chunk.offset :]
    np.multiply(data, valid, out=data)  # 0 where missing, no boolean indexing
    return np.logical_not(valid, out=valid.view(bool))


def read_raw(path: str | Path) -> RawExtract:
    """Read one CSV or Parquet file without interpreting its values.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file.

    Returns
    -------
    RawExtract
        The raw table (index = row numbers as in the file) and what was detected.

    Raises
    ------
    ExtractError
        The file is missing, empty, not text, not a table, or has a broken structure.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("a,b\\n1, 2\\n\\n3,\\n", encoding="utf-8")
    >>> f = read_raw(p).frame
    >>> f.index.tolist(), f["b"].isna().tolist()
    ([2, 4], [False, True])
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        raw = _read_parquet(path)
    elif suffix in (".csv", ".txt"):
        raw = _read_csv(path)
    else:
        raise _fail(path, f"unknown file type {suffix!r}; expected .csv or .parquet")
    frame = raw.frame
    names = [_normalise(c) for c in frame.columns]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise _fail(path, f"column name(s) appear more than once: {', '.join(dupes)}")
    frame.columns = names
    unnamed = [i for i, n in enumerate(names) if n == "" or n.startswith("unnamed:")]
    if unnamed:
        if not frame.iloc[:, unnamed].isna().all().all():
            raise _fail(
                path,
                "the header has empty column names above columns with values; "
                "expected one name per column",
            )
        frame = frame.iloc[:, [i for i in range(len(names)) if i not in set(unnamed)]]
        raw.notes.append(
            f"{path.name}: {len(unnamed)} empty column(s) without a name dropped "
            "(e.g. a separator at the end of every line)"
        )
    raw.frame = frame
    if len(frame) == 0:
        raise _fail(path, "the file has a header but no data rows")
    return raw
