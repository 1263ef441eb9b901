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
]


@cache
def _read(name: str) -> dict[str, Any]:
    import yaml

    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


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
