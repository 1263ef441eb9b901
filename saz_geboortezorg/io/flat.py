"""Read one flat analysis table (CSV or Parquet) fast: sniff the dialect, then parse in C.

A flat table is one row per birth (or woman) with the columns an analysis needs, as
handed to ``casemix``, ``rates`` or ``funnel``. Unlike an extract (:mod:`.read`, which
keeps every value as text to report bad ones by line), its values are typed at once.

The dialect is sniffed from the first lines only (64 KiB), then the whole file is parsed
by pyarrow's multithreaded reader (pandas ``engine="pyarrow"``); pandas' python engine
with ``sep=None`` sniffed the whole file in Python and took most of the time of a
command on a large file.

* separator ``,``, ``;``, tab or ``|``: the one that splits every sampled line into the
  same number of fields (more than one), quotes respected;
* decimal comma (the Dutch spreadsheet export) when the separator is not ``,`` and a
  sampled field looks like ``3,5``;
* encoding UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark, or
  Windows-1252 when the file is not valid UTF-8.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "flat.csv"
>>> _ = p.write_bytes("hospital;bmi;naam\\nZH01;23,5;Zoë\\nZH02;;x\\n".encode("cp1252"))
>>> t = read_flat_table(p)
>>> t["bmi"].tolist(), t["naam"].tolist()
([23.5, nan], ['Zoë', 'x'])
>>> sniff_dialect(p.read_bytes())
Dialect(separator=';', decimal=',', encoding='cp1252')
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from saz_geboortezorg.errors import SazError

__all__ = ["Dialect", "sniff_dialect", "read_flat_table"]

#: Bytes sampled from the start of the file to sniff the dialect.
SAMPLE_BYTES = 65_536
_SEPARATORS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


class Dialect(NamedTuple):
    """What :func:`sniff_dialect` found: separator, decimal mark and encoding."""

    separator: str
    decimal: str
    encoding: str


def _encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def sniff_dialect(sample: bytes) -> Dialect:
    """The separator, decimal mark and encoding of a CSV file, from its first bytes.

    Parameters
    ----------
    sample : bytes
        The start of the file (a whole number of lines is not needed: the last,
        possibly cut, line is ignored unless it is the only one).

    Raises
    ------
    SazError
        No separator splits the sampled lines into a steady number of columns.

    Examples
    --------
    >>> sniff_dialect(b'a,b,c\\n1,"x;y",3\\n')
    Dialect(separator=',', decimal='.', encoding='utf-8')
    >>> sniff_dialect(b"a\\tb\\n1,5\\t2\\n")
    Dialect(separator='\\t', decimal=',', encoding='utf-8')
    """
    encoding = _encoding(sample)
    text = sample.decode(encoding, errors="replace")
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # cut by the sample
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise SazError("the file is empty")
    best: tuple[int, str, list[list[str]]] | None = None
    for sep in _SEPARATORS:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
        widths = {len(r) for r in rows}
        if len(widths) == 1 and (width := widths.pop()) > 1 and (best is None or width > best[0]):
            best = (width, sep, rows)
    if best is None:
        raise SazError(
            "cannot tell the separator: no comma, semicolon, tab or pipe splits the first "
            "lines into the same number of columns"
        )
    _, sep, rows = best
    decimal = "."
    if sep != "," and any(_DECIMAL_COMMA.match(v) for row in rows[1:] for v in row):
        decimal = ","
    return Dialect(sep, decimal, encoding)


def _parse(path: Path, dialect: Dialect) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=dialect.separator,
        decimal=dialect.decimal,
        encoding=dialect.encoding,
        engine="pyarrow",
    )


def _has_bytes(table: pd.DataFrame) -> bool:
    """True when a column came back as raw bytes (text that is not valid UTF-8)."""
    for name, dtype in table.dtypes.items():
        if str(dtype) != "object":
            continue
        values = table[name].dropna()
        if len(values) and isinstance(values.iloc[0], bytes):
            return True
    return False


def read_flat_table(path: str | Path) -> pd.DataFrame:
    """Read a flat CSV or Parquet analysis table with typed columns.

    Parameters
    ----------
    path : str or Path
        A ``.parquet`` file, or a CSV file in any of the dialects of the module
        docstring.

    Returns
    -------
    DataFrame
        Numbers as numbers, text as strings, empty fields missing.

    Raises
    ------
    SazError
        The file is missing, empty or not a table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("hospital,cs,age_band\\nZH01,1,25_29\\nZH02,,<20\\n")
    >>> read_flat_table(p).dtypes.astype(str).tolist()
    ['str', 'float64', 'str']
    """
    path = Path(path)
    if not path.is_file():
        raise SazError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
        dialect = sniff_dialect(sample)
        table = _parse(path, dialect)
        if dialect.encoding == "utf-8" and _has_bytes(table):
            # the first non-UTF-8 byte lies beyond the sample (pyarrow then keeps that
            # column as bytes): a Windows export after all
            table = _parse(path, dialect._replace(encoding="cp1252"))
        return table
    except SazError as exc:
        raise SazError(f"{path}: cannot read it as a table: {exc}") from None
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise SazError(f"{path}: cannot read it as a table: {exc}") from None
