"""The case-mix design the nodes and the central function share: the pooled levels.

A pooled fit takes each covariate's levels from the data (the levels present, an
``unknown`` level when values are missing). Federated, each node reports which levels it
has (never how many records), the central function takes the union, and every node and
the central function build the *same* design from a small table that holds each level
once (:func:`level_table`), with the library's own :func:`~saz_geboortezorg.model.design.build_design`.
A node appends that table to its records, so its design has exactly the pooled levels,
terms and reference levels, then drops the appended rows.

Banded covariates (``bands:``) are represented by one value per band; unbanded
continuous covariates and splines depend on the pooled distribution (median, knots) and
are not supported federated.

Examples
--------
>>> from saz_geboortezorg.model.spec import parse_spec
>>> spec = parse_spec({"name": "x", "outcome": "y", "covariates": {
...     "parity_group": {"type": "categorical", "reference": "0"},
...     "multiple": {"type": "continuous", "column": "n_babies", "bands": [2],
...                  "labels": ["1", "2+"], "reference": "1"}}})
>>> node_a = {"parity_group": {"levels": ["0", "1"], "missing": False},
...           "multiple": {"levels": ["1"], "missing": False}}
>>> node_b = {"parity_group": {"levels": ["0", "2+"], "missing": True},
...           "multiple": {"levels": ["1", "2+"], "missing": False}}
>>> levels = merge_levels([node_a, node_b])
>>> global_design(spec, levels).names
['(Intercept)', 'parity_group[1]', 'parity_group[2+]', 'parity_group[unknown]', 'multiple[2+]']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from saz_geboortezorg.errors import SpecError
from saz_geboortezorg.model.design import UNKNOWN, Design, build_design, build_term
from saz_geboortezorg.model.spec import CaseMixSpec, Covariate

__all__ = ["check_supported", "node_levels", "merge_levels", "level_table", "global_design"]


def check_supported(spec: CaseMixSpec) -> None:
    """Raise a :class:`SpecError` for what the federated design cannot reproduce."""
    for cov in spec.covariates:
        if cov.type == "continuous" and not cov.bands:
            raise SpecError(
                f"case-mix spec {spec.name!r}: covariate {cov.name!r} is continuous without "
                "bands; its median and spline knots depend on the pooled data, so it is not "
                "supported in a federated fit (give it bands)"
            )
    if spec.missing != "unknown" or spec.population or spec.family not in ("binomial", "gamma"):
        raise SpecError(
            f"case-mix spec {spec.name!r}: federated fits support logistic and gamma models "
            "with missing: unknown and no extra population"
        )


def _band_values(cov: Covariate) -> tuple[list[float], list[str]]:
    """One value per band and the band labels, in band order (the library's labels)."""
    values = [float(cov.bands[0]) - 1.0, *[float(b) for b in cov.bands]]
    term, _ = build_term(cov, pd.DataFrame({cov.column: values}), "unknown")
    return values, list(term.levels)


def _raw(cov: Covariate, label: str) -> Any:
    if cov.bands:
        values, labels = _band_values(cov)
        return values[labels.index(label)]
    return label


def node_levels(design: Design) -> dict[str, dict[str, Any]]:
    """Per covariate: the levels a node's design has (no counts) and whether values are
    missing (an ``unknown`` level)."""
    out = {}
    for term in design.terms:
        known = [lv for lv in term.levels if lv != UNKNOWN]
        out[term.name] = {"levels": known, "missing": UNKNOWN in term.levels}
    return out


def merge_levels(reports: Sequence[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The union of the nodes' levels per covariate (sorted text; order is the design's)."""
    merged: dict[str, dict[str, Any]] = {}
    for report in reports:
        for name, info in report.items():
            m = merged.setdefault(name, {"levels": set(), "missing": False})
            m["levels"] |= set(info["levels"])
            m["missing"] = m["missing"] or bool(info["missing"])
    return {k: {"levels": sorted(v["levels"]), "missing": v["missing"]} for k, v in merged.items()}


def level_table(spec: CaseMixSpec, levels: dict[str, dict[str, Any]] | None) -> pd.DataFrame:
    """A small table with every level of every covariate once (references elsewhere), and
    a missing value where the pooled data has one. Without ``levels``: the references only."""
    ref = {}
    for cov in spec.covariates:
        reference = cov.reference if cov.reference is not None else "0"
        ref[cov.name] = _raw(cov, reference)
    rows: list[dict[str, Any]] = [dict(ref)]
    for cov in spec.covariates:
        info = (levels or {}).get(cov.name, {"levels": [], "missing": False})
        for label in info["levels"]:
            rows.append({**ref, cov.name: _raw(cov, label)})
        if info["missing"]:
            rows.append({**ref, cov.name: np.nan})
    frame = pd.DataFrame(rows, dtype=object)
    return frame.rename(columns={c.name: c.column for c in spec.covariates})


def design_with(
    records: pd.DataFrame, y: np.ndarray, units: pd.Series, spec: CaseMixSpec, extra: pd.DataFrame
) -> Design:
    """The design of ``records`` with ``extra`` rows appended (levels), then dropped."""
    cols = [c.column for c in spec.covariates]
    n = len(records)
    both = pd.concat(
        [records[cols].astype(object).reset_index(drop=True), extra[cols]], ignore_index=True
    )
    y_all = np.concatenate([np.asarray(y, dtype=float), np.zeros(len(extra))])
    u_all = pd.concat(
        [units.astype(object).reset_index(drop=True), pd.Series(["\x00level"] * len(extra))],
        ignore_index=True,
    )
    design = build_design(both, spec, y_all, u_all, policy="unknown")
    keep_units = [u for u in design.unit_labels if u != "\x00level"]
    remap = np.array([keep_units.index(u) if u in keep_units else -1 for u in design.unit_labels])
    terms = [type(t)(t.covariate, t.levels, t.basis, t.columns, t.codes[:n]) for t in design.terms]
    return Design(
        terms=terms,
        interactions=design.interactions,
        y=design.y[:n],
        unit_codes=remap[design.unit_codes[:n]],
        unit_labels=keep_units,
        counts=pd.DataFrame(),
    )


def global_design(spec: CaseMixSpec, levels: dict[str, dict[str, Any]]) -> Design:
    """The pooled design's terms (names, bases) from the merged levels."""
    check_supported(spec)
    table = level_table(spec, levels)
    return build_design(
        table, spec, np.zeros(len(table)), pd.Series(["all"] * len(table)), policy="unknown"
    )
