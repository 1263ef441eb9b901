"""Replace direct identifiers by salted SHA-256 hashes.

The columns listed under ``identifiers`` in ``extracts.yaml`` (BSN, names, address,
postcode, date of birth, ...) are never needed for analysis. When an extract has
any of them (and the source does not declare the column as its own, e.g. the
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
import secrets
from collections.abc import Iterable

import pandas as pd

from saz_geboortezorg import schema

__all__ = ["hash_identifiers", "resolve_salt", "sha256_hex"]

_PROCESS_SALT = secrets.token_hex(16)


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
    declared = set(declared)
    found = [c for c in frame.columns if c in set(schema.identifiers()) and c not in declared]
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
