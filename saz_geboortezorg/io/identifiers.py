"""Replace direct identifiers by salted SHA-256 hashes.

The columns listed under ``identifiers`` and ``identifier_synonyms`` in
``extracts.yaml`` (BSN, names, address, postcode, date of birth, ...; matched
case-insensitively, so ``BSN`` and ``Burgerservicenummer`` count) are never needed
for analysis. An undeclared column under any other name is also treated as a direct
identifier when its values look like one (:func:`looks_like_identifier`: a 9-digit
number passing the BSN eleven-test, a Dutch 6-character postcode, a Dutch phone
number or an e-mail address). When an extract has any of them (and the source does not declare the column as its own, e.g. the
``naam`` of an organisation), its values are replaced on load by
``sha256(salt + value)`` in a column ``<name>_hash`` and the original column is
dropped. Analysis tables are built from declared columns only, so the hashes never
reach them either.

The salt comes from the ``salt`` argument, else the environment variable
``SAZ_SALT``. Without either, a random salt is drawn once per process: hashes are
then not reproducible across runs, and a note says so.

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"zwangerschap_id": ["Z1"], "bsn": ["123456782"]})
>>> out, notes = hash_identifiers(f, declared=["zwangerschap_id"], file="x.csv", salt="s")
>>> list(out.columns), out["bsn_hash"].str.len().item()
(['zwangerschap_id', 'bsn_hash'], 64)
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable

import pandas as pd

from saz_geboortezorg import schema

__all__ = [
    "bsn_eleven_test",
    "hash_identifiers",
    "identifier_columns",
    "looks_like_identifier",
    "resolve_salt",
    "sha256_hex",
]

_PROCESS_SALT = secrets.token_hex(16)


_POSTCODE6 = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")
_PHONE = re.compile(r"^(?:\+31|0031|0)[1-9][0-9]{8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
#: Share of the filled values that must look like an identifier for a column to count.
VALUE_SHARE = 0.9


def bsn_eleven_test(value: object) -> bool:
    """True when ``value`` is a 9-digit number passing the BSN eleven-test.

    The test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be a multiple of 11 (and not 0).
    A leading zero may have been lost (8 digits): it is put back.

    Examples
    --------
    >>> bsn_eleven_test("111222333"), bsn_eleven_test(123456782), bsn_eleven_test("123456789")
    (True, True, False)
    >>> bsn_eleven_test("12345678x"), bsn_eleven_test(None)
    (False, False)
    """
    if value is None:
        return False
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 8:
        text = "0" + text
    if len(text) != 9 or not text.isdigit():
        return False
    digits = [int(c) for c in text]
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total != 0 and total % 11 == 0


def _looks(text: str) -> bool:
    if bsn_eleven_test(text):
        return True
    compact = re.sub(r"[\s-]", "", text)
    return bool(_POSTCODE6.match(text) or _PHONE.match(compact) or _EMAIL.match(text))


def looks_like_identifier(values: pd.Series) -> bool:
    """True when at least 90% of the filled values look like a direct identifier.

    A value looks like one when it is a 9-digit BSN passing the eleven-test, a
    Dutch 6-character postcode (``1234 AB``), a Dutch phone number or an e-mail
    address. A column with no filled values does not count.

    Examples
    --------
    >>> import pandas as pd
    >>> looks_like_identifier(pd.Series(["111222333", "123456782", None]))
    True
    >>> looks_like_identifier(pd.Series(["0612345678", "1234 AB", "a@b.nl"]))
    True
    >>> looks_like_identifier(pd.Series(["123456789", "3", "ZH01"]))
    False
    """
    filled = values.dropna()
    if filled.empty:
        return False
    text = filled.astype("str").str.strip()
    text = text[text != ""]
    if text.empty:
        return False
    hits = sum(_looks(t) for t in text.unique()[:5000])
    share = hits / min(text.nunique(), 5000)
    return share >= VALUE_SHARE


def identifier_columns(frame: pd.DataFrame, declared: Iterable[str]) -> list[str]:
    """Columns of ``frame`` that are direct identifiers and not declared by the source.

    By name (case-insensitive, with the synonyms of ``extracts.yaml``) or, for any
    other undeclared column, by value (:func:`looks_like_identifier`).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"zwangerschap_id": ["Z1"], "Burgerservicenummer": ["x"],
    ...                   "Telefoon": ["x"], "kenmerk": ["111222333"], "naam": ["A"]})
    >>> identifier_columns(f, declared=["zwangerschap_id", "naam"])
    ['Burgerservicenummer', 'Telefoon', 'kenmerk']
    """
    declared = {str(d).lower() for d in declared}
    names = {n.lower() for n in schema.identifiers() + schema.identifier_synonyms()}
    found = []
    for col in frame.columns:
        low = str(col).strip().lower()
        if low in declared:
            continue
        if low in names or looks_like_identifier(frame[col]):
            found.append(col)
    return found


def resolve_salt(salt: str | None = None) -> tuple[str, str | None]:
    """Return ``(salt, note)``: the salt to use and a note when it is random.

    Examples
    --------
    >>> resolve_salt("abc")
    ('abc', None)
    """
    if salt:
        return salt, None
    env = os.environ.get("SAZ_SALT")
    if env:
        return env, None
    return _PROCESS_SALT, (
        "no salt given (parameter salt or environment variable SAZ_SALT): identifiers "
        "were hashed with a random salt, so the hashes are not reproducible across runs"
    )


def sha256_hex(values: pd.Series, salt: str) -> pd.Series:
    """Salted SHA-256 hex digest of each value (NA stays NA).

    Each distinct value is hashed once.

    Examples
    --------
    >>> import pandas as pd
    >>> sha256_hex(pd.Series(["a", None, "a"]), "s").str.len().tolist()
    [64.0, nan, 64.0]
    """
    text = values.astype("str").where(values.notna(), None)
    uniques = text.dropna().unique()
    salted = salt.encode("utf-8")
    lookup = {u: hashlib.sha256(salted + str(u).encode("utf-8")).hexdigest() for u in uniques}
    return text.map(lookup).astype("str").where(text.notna(), None)


def hash_identifiers(
    frame: pd.DataFrame,
    declared: Iterable[str],
    file: str,
    salt: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Replace the direct-identifier columns of ``frame`` by salted hashes.

    Parameters
    ----------
    frame : DataFrame
        An extract (any types).
    declared : iterable of str
        Columns the source declares; an identifier name that is a declared column
        (e.g. ``naam`` of an organisation) is left alone.
    file : str
        File name for the note.
    salt : str, optional
        Salt; default ``SAZ_SALT`` or a random per-process salt.

    Returns
    -------
    (DataFrame, list of str)
        The frame with ``<name>_hash`` columns instead of identifiers, and notes.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"naam": ["Jansen"]})
    >>> hash_identifiers(f, declared=[], file="x.csv", salt="s")[0].columns.tolist()
    ['naam_hash']
    """
    found = identifier_columns(frame, declared)
    if not found:
        return frame, []
    used_salt, salt_note = resolve_salt(salt)
    out = frame.copy()
    for col in found:
        position = out.columns.get_loc(col)
        hashed = sha256_hex(out[col], used_salt)
        out = out.drop(columns=col)
        out.insert(position, f"{col}_hash", hashed)
    notes = [
        f"{file}: direct identifier column(s) {', '.join(found)} replaced by salted "
        "SHA-256 hashes (<name>_hash); they are not used in any analysis table"
    ]
    if salt_note:
        notes.append(f"{file}: {salt_note}")
    return out, notes
