"""The generative parameters, read from ``parameters.yaml`` (data, not code).

Each figure in the YAML is a bare value or ``{value: x, source: "..."}``. :func:`load`
returns the values (nested dicts) and, separately, the source note of every figure,
keyed by its dotted path, for the README and ``truth.json``.

Examples
--------
>>> p = load()
>>> p.values["case_mix"]["nulliparous"]
0.445
>>> "domain.md" in p.sources["case_mix.nulliparous"]
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from saz_geboortezorg.schema import shipped_yaml

__all__ = ["Parameters", "load", "fingerprint"]


@dataclass(frozen=True)
class Parameters:
    """Parameter values (nested dicts) and source notes (dotted path -> text)."""

    values: dict[str, Any]
    sources: dict[str, str]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def _strip(node: Any, path: str, sources: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if "value" in node and set(node) <= {"value", "source"}:
            if "source" in node:
                sources[path] = str(node["source"])
            return _strip(node["value"], path, sources)
        if "source" in node and path:
            sources[path] = str(node["source"])
        return {
            k: _strip(v, f"{path}.{k}" if path else str(k), sources)
            for k, v in node.items()
            if k != "source" or not path
        }
    if isinstance(node, list):
        return [_strip(v, f"{path}[{i}]", sources) for i, v in enumerate(node)]
    return node


def load() -> Parameters:
    """Read ``parameters.yaml`` shipped with the package.

    Returns
    -------
    Parameters
        ``values`` with every ``{value, source}`` pair replaced by its value, and
        ``sources`` with the note of each figure.

    Examples
    --------
    >>> load().values["models"]["intrapartum_cs"]["coefficients"]["nulliparous"]
    1.75
    """
    text = resources.files(__package__).joinpath("parameters.yaml").read_text(encoding="utf-8")
    raw = shipped_yaml(text)
    sources: dict[str, str] = {}
    values = _strip(raw, "", sources)
    return Parameters(values, sources)


def fingerprint() -> str:
    """SHA-256 of ``parameters.yaml`` (first 16 hex digits): identifies the model version.

    Examples
    --------
    >>> len(fingerprint())
    16
    """

    data = resources.files(__package__).joinpath("parameters.yaml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]
