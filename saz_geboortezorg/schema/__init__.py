"""The declared schema of the extracts and of the analysis tables.

The schema is data (``extracts.yaml``, ``codes.yaml``, ``analysis.yaml`` in this
folder) so that it can be read and discussed without reading code. This module
only loads it.

Examples
--------
>>> from saz_geboortezorg import schema
>>> sorted(schema.sources())
['dbc_declaraties', 'organisaties', 'perined_lvr1', 'perined_lvr2']
>>> schema.code_label("type_partus", "274130007")
'intrapartum (secondary) caesarean section'
>>> schema.kernset("perined_lvr2", "bloedverlies")["nl"]
'Hoeveelheid bloedverlies'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from saz_geboortezorg.errors import SazError

__all__ = [
    "sources",
    "source",
    "code_lists",
    "codes",
    "code_label",
    "identifiers",
    "identifier_synonyms",
    "patterns",
    "analysis",
    "COLUMN_KEYS",
    "KERNSET_KEYS",
    "kernset",
    "kernset_sources",
    "kernset_base",
    "kernset_element_ids",
    "check_declarations",
    "shipped_yaml",
]

#: The keys a column of ``extracts.yaml`` may have (see the file's header).
COLUMN_KEYS = frozenset(
    {"type", "nl", "en", "codes", "range", "nullable", "required_when", "optional", "pattern"}
    | {"kernset"}
)
#: The keys of a column's ``kernset`` entry: an element, or ``none`` with a reason.
KERNSET_KEYS = frozenset({"id", "nl", "codesystem", "valueset", "source", "differs", "none"})
_TYPES = frozenset({"string", "integer", "float", "date", "flag"})


def shipped_yaml(text: str) -> Any:
    """Parse YAML shipped with the package: ``yaml.safe_load``, with libyaml when present.

    For the package's own files only (valid by its tests): the C loader builds the
    same objects ten times faster (0.13 against 0.01 s for ``extracts.yaml``, paid by
    every command), but its error messages differ from the pure-Python loader's, so
    files written by users keep ``yaml.safe_load`` and its messages.

    Examples
    --------
    >>> shipped_yaml("{a: [1, 2], b: {c: x}}")
    {'a': [1, 2], 'b': {'c': 'x'}}
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


@cache
def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return shipped_yaml(text)


def sources() -> dict[str, dict[str, Any]]:
    """All declared sources, by name (``organisaties``, ``perined_lvr1``, ...)."""
    return _read("extracts.yaml")["sources"]


def source(name: str) -> dict[str, Any]:
    """The declaration of one source: ``file``, ``key``, ``columns``, ..."""
    try:
        return sources()[name]
    except KeyError:
        known = ", ".join(sorted(sources()))

        raise SazError(f"unknown source {name!r}; known sources: {known}") from None


def identifiers() -> list[str]:
    """Column names that are direct identifiers (hashed on load, never analysed)."""
    return list(_read("extracts.yaml")["identifiers"])


def identifier_synonyms() -> list[str]:
    """Other spellings of direct identifiers (``burgerservicenummer``, ``telefoon``, ...)."""
    return list(_read("extracts.yaml").get("identifier_synonyms", []))


def patterns() -> dict[str, dict[str, Any]]:
    """Declared value patterns (``regex``, ``reserved`` words, ``en``), by name."""
    return dict(_read("extracts.yaml").get("patterns", {}))


def code_lists() -> dict[str, dict[str, Any]]:
    """All code lists, by name."""
    return _read("codes.yaml")


def codes(name: str) -> dict[str, dict[str, str]]:
    """The codes of one list as ``{code (str): {"nl": ..., "en": ...}}``."""
    return {str(k): v for k, v in code_lists()[name]["codes"].items()}


def code_label(name: str, code: Any, language: str = "en") -> str:
    """The label of ``code`` in list ``name`` (``language`` "en" or "nl")."""
    return codes(name)[str(code)][language]


def analysis() -> dict[str, Any]:
    """The declared analysis tables (``births``, ``women``) and their columns."""
    return _read("analysis.yaml")


def kernset_base() -> str:
    """The OID under which the kernset element ids (``id: 20290``) are concept arcs."""
    return str(_read("extracts.yaml")["kernset"]["base"])


def kernset_sources() -> dict[str, str]:
    """Where the kernset ids were found: source key -> description with its address."""
    return dict(_read("extracts.yaml")["kernset"]["sources"])


def kernset(source_name: str, column: str) -> dict[str, Any]:
    """The national-standard (Kernset Geboortezorg 2.3) entry of one column.

    Either the element (``id``, ``nl``, and where known ``codesystem``, ``valueset``,
    ``differs``, with the ``source`` it was found in) or ``{"none": reason}``.

    Examples
    --------
    >>> kernset("perined_lvr1", "wijze_begin_baring")["id"]
    20550
    >>> kernset("dbc_declaraties", "tarief")["none"][:11]
    'claims data'
    """
    cols = source(source_name)["columns"]
    if column not in cols:
        raise SazError(f"{source_name} has no column {column!r}")
    return dict(cols[column]["kernset"])


def kernset_element_ids(entry: dict[str, Any]) -> list[str]:
    """The ART-DECOR ids (``peri23-dataelement-N``) of a kernset entry; [] for none.

    Examples
    --------
    >>> kernset_element_ids({"id": [20211, 20212], "nl": ["Gewicht (gemeten)", "Lengte (gemeten)"]})
    ['peri23-dataelement-20211', 'peri23-dataelement-20212']
    >>> kernset_element_ids({"none": "a linkage key"})
    []
    """
    ids = entry.get("id", [])
    return [f"peri23-dataelement-{i}" for i in (ids if isinstance(ids, list) else [ids])]


def check_declarations(doc: dict[str, Any] | None = None) -> list[str]:
    """Problems in the declarations of ``extracts.yaml`` (empty list: none).

    Checks every column's keys, its type, that its code list exists, and its kernset
    entry: present, either an element (``id`` and ``nl`` of equal length, a known
    ``source``) or ``none`` with a reason, never both.

    Examples
    --------
    >>> check_declarations()
    []
    >>> bad = {"kernset": {"sources": {"ada23": "x"}}, "sources": {"s": {"columns": {
    ...     "a": {"type": "integer", "colour": 1, "kernset": {"id": [1, 2], "nl": "x", "source": "ada23"}},
    ...     "b": {"type": "flag"}}}}}
    >>> for problem in check_declarations(bad):
    ...     print(problem)
    s.a: unknown key(s) colour
    s.a: kernset id and nl must have the same number of entries
    s.b: no kernset entry (give the element or none: with a reason)
    """
    doc = _read("extracts.yaml") if doc is None else doc
    known_sources = set((doc.get("kernset") or {}).get("sources") or {})
    lists = set(code_lists())
    out: list[str] = []
    for name, spec in doc["sources"].items():
        for col, c in spec["columns"].items():
            where = f"{name}.{col}"
            extra = set(c) - COLUMN_KEYS
            if extra:
                out.append(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
            if c.get("type") not in _TYPES:
                out.append(f"{where}: type {c.get('type')!r} is not one of {sorted(_TYPES)}")
            if "codes" in c and c["codes"] not in lists:
                out.append(f"{where}: code list {c['codes']!r} is not in codes.yaml")
            k = c.get("kernset")
            if not isinstance(k, dict) or not k:
                out.append(f"{where}: no kernset entry (give the element or none: with a reason)")
                continue
            extra = set(k) - KERNSET_KEYS
            if extra:
                out.append(f"{where}: unknown kernset key(s) {', '.join(sorted(extra))}")
            if "none" in k:
                if set(k) - {"none"}:
                    out.append(f"{where}: kernset none: cannot also name an element")
                if not str(k["none"] or "").strip():
                    out.append(f"{where}: kernset none: needs a reason")
                continue
            ids = k.get("id")
            ids = ids if isinstance(ids, list) else [ids]
            nls = k.get("nl")
            nls = nls if isinstance(nls, list) else [nls]
            if not all(isinstance(i, int) and i > 0 for i in ids):
                out.append(f"{where}: kernset id must be a positive integer (or a list of them)")
            if len(ids) != len(nls):
                out.append(f"{where}: kernset id and nl must have the same number of entries")
            if not all(isinstance(n, str) and n.strip() for n in nls):
                out.append(f"{where}: kernset nl must name the element in Dutch")
            srcs = k.get("source")
            srcs = srcs if isinstance(srcs, list) else [srcs]
            unknown = [s for s in srcs if s not in known_sources]
            if unknown:
                out.append(f"{where}: kernset source {unknown} is not under kernset.sources")
    return out
